// "Roll back run" on the Migration Run form and home grid (Astep.MigrationRun.rollback). The same rollback code as
// `astep-migrate rollback`, running in the browser: the run's audit is read back from astep_auditentry, records the
// run created are deleted and records it updated get their earlier values, records changed since are reported and
// left alone. Calls go to the Web API of the page's own organisation with the signed-in session.
import {
  DataverseClient, DataverseSink, createBrowserTransport, createSameOriginSessionCredential, type HttpTransport, type TokenProvider,
} from '@astep/dataverse-connector/browser';
import type { ProgressReporter } from '@astep/orchestrator/ports';
import { rollbackFromDataverse } from '@astep/orchestrator/safety/rollbackFromDataverse';

export const ADMIN_ROLE = 'Actionstep Migration Administrator';
export const NOTIFICATION_ID = 'astep_rollback';

/** Test seams: where the Web API is and how to authenticate (in Dynamics: the page's origin and its session). */
export interface RollbackCommandOptions {
  webApiUrl?: string;
  credential?: TokenProvider;
  transport?: HttpTransport;
}

let options: RollbackCommandOptions = {};
export function configure(o: RollbackCommandOptions): void {
  options = o;
}

/** Only the administrator role may roll back (the ribbon's display rule hides the button from others too). */
export function isAdministrator(): boolean {
  const roles = Xrm.Utility.getGlobalContext().userSettings.roles;
  let found = false;
  roles.forEach((r) => {
    if (r.name === ADMIN_ROLE) found = true;
  });
  return found;
}

async function runIdsOf(first: unknown): Promise<string[]> {
  if (Array.isArray(first)) {
    // Grid: the selected rows' ids.
    const ids: string[] = [];
    for (const id of first as string[]) {
      const row = await Xrm.WebApi.retrieveRecord('astep_migrationrun', String(id).replace(/[{}]/g, ''), '?$select=astep_runid');
      if (row.astep_runid) ids.push(String(row.astep_runid));
    }
    return ids;
  }
  const form = first as Xrm.FormContext;
  const value = form?.getAttribute?.('astep_runid')?.getValue();
  return value ? [String(value)] : [];
}

function progressIndicator(runId: string): ProgressReporter {
  let total = 0;
  let done = 0;
  const show = () => Xrm.Utility.showProgressIndicator(`Rolling back run ${runId}: ${done} of ${total} changes`);
  return {
    start(_task, n) {
      total = n;
      done = 0;
      show();
    },
    tick(_task, n = 1) {
      done += n;
      if (done % 25 === 0 || done === total) show();
    },
    done() {},
    log() {},
  };
}

/** Form: rollback(PrimaryControl). Grid: rollback(SelectedControlSelectedItemIds, PrimaryControl). */
export async function rollback(first: Xrm.FormContext | string[], second?: unknown): Promise<void> {
  const form = Array.isArray(first) ? null : first;
  if (!isAdministrator()) {
    await Xrm.Navigation.openAlertDialog({ title: 'Roll back run', text: `Only the ${ADMIN_ROLE} role can roll back a migration run.` });
    return;
  }
  const runIds = await runIdsOf(first);
  void second;
  if (runIds.length !== 1) {
    await Xrm.Navigation.openAlertDialog({ title: 'Roll back run', text: 'Select one migration run to roll back.' });
    return;
  }
  const runId = runIds[0];
  const answer = await Xrm.Navigation.openConfirmDialog({
    title: 'Roll back run',
    text: `Roll back migration run ${runId}? Records the run created are deleted and records it updated get their earlier values back. Records someone changed after the run are reported and left alone.`,
    confirmButtonLabel: 'Roll back',
    cancelButtonLabel: 'Cancel',
  });
  if (!answer.confirmed) return;
  const webApiUrl = options.webApiUrl ?? `${Xrm.Utility.getGlobalContext().getClientUrl()}/api/data/v9.2/`;
  const client = new DataverseClient({
    webApiUrl,
    credential: options.credential ?? createSameOriginSessionCredential(),
    transport: options.transport ?? createBrowserTransport(),
  });
  Xrm.Utility.showProgressIndicator(`Rolling back run ${runId}…`);
  try {
    const result = await rollbackFromDataverse(new DataverseSink(client, webApiUrl), runId, progressIndicator(runId));
    Xrm.Utility.closeProgressIndicator();
    const c = result.counts;
    const summary = `Run ${runId}: ${c.deleted} deleted, ${c.restored} restored, ${c.reopened} re-opened, ${c.already} already undone, ${c.conflict} conflicts, ${c.failed} failed.`;
    const conflicts = result.items.filter((i) => i.action === 'conflict' || i.action === 'failed').slice(0, 5).map((i) => i.message).join(' ');
    form?.ui?.setFormNotification(result.complete ? `Rolled back. ${summary}` : `Rollback not complete. ${summary} ${conflicts}`, result.complete ? 'INFO' : 'WARNING', NOTIFICATION_ID);
    await Xrm.Navigation.openAlertDialog({
      title: result.complete ? 'Run rolled back' : 'Rollback not complete',
      text: result.complete ? summary : `${summary} ${conflicts} Run it again with the command line's --force to roll those back too.`,
    });
    await form?.data?.refresh(false);
  } catch (e) {
    Xrm.Utility.closeProgressIndicator();
    // The message says what failed; no token or secret is in it (the session has none, and errors carry codes).
    await Xrm.Navigation.openErrorDialog({ message: `Rollback of run ${runId} stopped: ${(e as Error).message}. It can be started again: it resumes where it stopped.` });
  }
}
