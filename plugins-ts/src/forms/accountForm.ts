// Account form (Actionstep): on load, a matter summary: how many matters, total billed and trust balance, from the
// account's own columns and its astep_matter rows.
import { errorText, recordId, retrieveAll, showNotification } from '../shared/retrieveAll';

export const NOTIFICATION_ID = 'astep_account_matters';

interface MatterRow {
  astep_totalbilled?: number | null;
  astep_trustbalance?: number | null;
  statecode?: number | null;
  [annotation: string]: unknown;
}

export interface MatterSummary {
  matters: number;
  active: number;
  totalBilled: number;
  trustBalance: number;
  /** Where the figures came from: the account's columns (written by the migration) or the sum over its matters. */
  source: 'account' | 'matters';
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function summarizeMatters(account: { totalBilled: unknown; trustBalance: unknown }, rows: MatterRow[]): MatterSummary {
  const sum = (col: 'astep_totalbilled' | 'astep_trustbalance') => rows.reduce((s, r) => s + (num(r[col]) ?? 0), 0);
  const billed = num(account.totalBilled);
  const trust = num(account.trustBalance);
  return {
    matters: rows.length,
    active: rows.filter((r) => r.statecode === 0 || r.statecode === undefined || r.statecode === null).length,
    // The migration writes the account totals; an account created in Dynamics has none, so sum its matters.
    totalBilled: billed ?? sum('astep_totalbilled'),
    trustBalance: trust ?? sum('astep_trustbalance'),
    source: billed !== null || trust !== null ? 'account' : 'matters',
  };
}

const money = (v: number): string => v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function summaryText(s: MatterSummary, currency = ''): string {
  const c = currency ? `${currency} ` : '';
  return `Actionstep: ${s.matters} matter${s.matters === 1 ? '' : 's'} (${s.active} active); total billed ${c}${money(s.totalBilled)}; trust balance ${c}${money(s.trustBalance)}.`;
}

export async function onLoad(executionContext: Xrm.Events.EventContext): Promise<void> {
  const formContext = executionContext.getFormContext();
  const id = recordId(formContext);
  if (!id) return;
  try {
    const attr = (name: string) => formContext.getAttribute(name) as Xrm.Attributes.NumberAttribute | null;
    const { entities, truncated } = await retrieveAll<MatterRow>('astep_matter',
      `?$select=astep_name,astep_totalbilled,astep_trustbalance,statecode&$filter=_astep_accountid_value eq ${id}`);
    const summary = summarizeMatters({ totalBilled: attr('astep_totalbilled')?.getValue(), trustBalance: attr('astep_trustbalance')?.getValue() }, entities);
    showNotification(formContext, summaryText(summary) + (truncated ? ' (first rows only)' : ''), 'INFO', NOTIFICATION_ID);
  } catch (e) {
    showNotification(formContext, `Actionstep matter summary could not be loaded: ${errorText(e)}`, 'WARNING', NOTIFICATION_ID);
  }
}
