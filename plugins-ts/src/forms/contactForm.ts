// Contact form (Actionstep): on load, the contact's roles across matters from its astep_matterparticipant rows,
// shown as a form notification (plain text: the platform renders notifications as text, never markup).
import { errorText, formatted, recordId, retrieveAll, showNotification } from '../shared/retrieveAll';

export const NOTIFICATION_ID = 'astep_contact_roles';
/** Notifications are one line: longer summaries end with "and N more". */
export const MAX_MATTERS_LISTED = 8;

interface RoleRow {
  astep_name?: string | null;
  astep_rolename?: string | null;
  _astep_matterid_value?: string | null;
  [annotation: string]: unknown;
}

/** "Client on 2 matters (LIT-0001, CON-0002); Witness on 1 matter (FAM-0003)". */
export function summarizeRoles(rows: RoleRow[]): string {
  const byRole = new Map<string, string[]>();
  for (const r of rows) {
    const role = formatted(r, 'astep_role') ?? r.astep_rolename ?? 'Unknown role';
    const matter = formatted(r, '_astep_matterid_value') ?? r._astep_matterid_value ?? 'unknown matter';
    const list = byRole.get(role) ?? [];
    if (!list.includes(matter)) list.push(matter);
    byRole.set(role, list);
  }
  const parts: string[] = [];
  let listed = 0;
  for (const [role, matters] of [...byRole].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))) {
    const room = Math.max(0, MAX_MATTERS_LISTED - listed);
    const shown = matters.slice(0, room);
    listed += shown.length;
    const more = matters.length - shown.length;
    const names = shown.length ? ` (${shown.join(', ')}${more ? `, and ${more} more` : ''})` : '';
    parts.push(`${role} on ${matters.length} matter${matters.length === 1 ? '' : 's'}${names}`);
  }
  return parts.join('; ');
}

export async function onLoad(executionContext: Xrm.Events.EventContext): Promise<void> {
  const formContext = executionContext.getFormContext();
  const id = recordId(formContext);
  if (!id) return; // a new contact has no matters yet
  try {
    const { entities, truncated } = await retrieveAll<RoleRow>('astep_matterparticipant',
      `?$select=astep_name,astep_role,astep_rolename,_astep_matterid_value&$filter=_astep_contactid_value eq ${id} and statecode eq 0&$orderby=astep_name asc`);
    if (!entities.length) {
      showNotification(formContext, 'Actionstep: no matter roles for this contact.', 'INFO', NOTIFICATION_ID);
      return;
    }
    const summary = summarizeRoles(entities);
    showNotification(formContext, `Actionstep roles: ${summary}${truncated ? ' (first rows only)' : ''}.`, 'INFO', NOTIFICATION_ID);
  } catch (e) {
    showNotification(formContext, `Actionstep roles could not be loaded: ${errorText(e)}`, 'WARNING', NOTIFICATION_ID);
  }
}
