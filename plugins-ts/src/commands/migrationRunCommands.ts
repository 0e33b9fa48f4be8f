// The Migration Run form's and home grid's commands: "Roll back run" (Astep.MigrationRun.rollback) and "Start run"
// (Astep.MigrationRun.startRun, below), one web resource, administrator role only.
//
// Roll back: the same rollback code as `astep-migrate rollback`, running in the browser: the run's audit is read back
// from astep_auditentry, records the run created are deleted and records it updated get their earlier values, records
// changed since are reported and left alone. Calls go to the Web API of the page's own organisation with the
// signed-in session.
import {
  DataverseClient, DataverseSink, createBrowserTransport, createSameOriginSessionCredential, type HttpTransport, type TokenProvider,
} from '@astep/dataverse-connector/browser';
import { dateOrNull, recordErrorMessage, xrmRecords } from '@astep/dataverse-connector/xrmRecords';
import type { ProgressReporter } from '@astep/orchestrator/ports';
import { rollbackFromDataverse } from '@astep/orchestrator/safety/rollbackFromDataverse';
import { parseWizardState, patchWizardState, type WizardState } from '@astep/orchestrator/wizard/wizardState';
import type { astep_Migrationrun } from '@astep/solution/generated/earlyBound';
import { MANAGE_RUNS_PRIVILEGE, ROLE_ID, ROLE_NAME } from '@astep/solution/ui/roleIds';

export const ADMIN_ROLE = ROLE_NAME;
export const NOTIFICATION_ID = 'astep_rollback';
/** Who may start and roll back runs, in words for the refusal. */
const WHO_MAY = `the ${ADMIN_ROLE} role (or Delete on Migration Runs at organisation level, also through a team)`;

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

/** A GUID without braces, lower case (ids come braced and upper case from forms and grids). */
const bare = (id: string) => String(id).replace(/[{}]/g, '').toLowerCase();

/** PrivilegeDepth: Basic 0, Local 1, Deep 2, Global 3 (Web API PrivilegeDepth EnumType). */
const GLOBAL_DEPTH = 3;

/**
 * The one rule for starting and rolling back runs: the ribbon's enable rule calls it (a CustomRule that returns a
 * Promise) and the commands check it before they act, so a button is enabled exactly for those the command serves.
 * Allowed: our role by id (the role's name can be renamed or translated), or Delete on Migration Run at
 * organisation depth held directly or through a team (a copy of the role in a child business unit has another id;
 * getSecurityRolePrivilegesInfo lists privileges of the user's roles and of its teams' roles:
 * learn.microsoft.com power-apps/developer/model-driven-apps/clientapi/reference/xrm-utility/getglobalcontext/usersettings).
 * When the privileges cannot be read, the answer is no.
 */
export async function canManageRuns(): Promise<boolean> {
  const settings = Xrm.Utility.getGlobalContext().userSettings;
  let holdsRole = false;
  settings.roles.forEach((r) => {
    if (bare(r.id) === ROLE_ID) holdsRole = true;
  });
  if (holdsRole) return true;
  try {
    const privileges = await settings.getSecurityRolePrivilegesInfo();
    return Object.values(privileges ?? {}).some((p) => p.privilegeName?.toLowerCase() === MANAGE_RUNS_PRIVILEGE.toLowerCase() && p.depth === GLOBAL_DEPTH);
  } catch {
    return false;
  }
}

/** Typed access to the Migration Run row through Xrm.WebApi (dataverse-ify, early-bound). */
async function readRunRow(id: string, columns: Array<keyof astep_Migrationrun & string>): Promise<astep_Migrationrun> {
  return xrmRecords().retrieve<astep_Migrationrun>('astep_migrationrun', bare(id), columns);
}

/** The run id of the form's row, or of the one selected grid row (read only once the selection is one row). */
async function runIdOf(first: Xrm.FormContext | string[]): Promise<string | null> {
  if (Array.isArray(first)) {
    if (first.length !== 1) return null;
    const row = await readRunRow(String(first[0]), ['astep_runid']);
    return row.astep_runid ? String(row.astep_runid) : null;
  }
  const value = first?.getAttribute?.('astep_runid')?.getValue();
  return value ? String(value) : null;
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
export async function rollback(first: Xrm.FormContext | string[], _primaryControl?: unknown): Promise<void> {
  const form = Array.isArray(first) ? null : first;
  if (!(await canManageRuns())) {
    await Xrm.Navigation.openAlertDialog({ title: 'Roll back run', text: `Only ${WHO_MAY} can roll back a migration run.` });
    return;
  }
  const runId = await runIdOf(first);
  if (!runId) {
    await Xrm.Navigation.openAlertDialog({ title: 'Roll back run', text: 'Select one migration run to roll back.' });
    return;
  }
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
    const user = Xrm.Utility.getGlobalContext().userSettings;
    const holder = { id: `crm-rollback:${String(user.userId).replace(/[{}]/g, '').toLowerCase()}`, name: `the "Roll back run" command (${user.userName})` };
    const result = await rollbackFromDataverse(new DataverseSink(client, webApiUrl), runId, progressIndicator(runId), { holder });
    Xrm.Utility.closeProgressIndicator();
    // The Mapping Wizard on the form reads its state column: it must stop showing the run's results as current, also
    // after a rollback that left some records alone (the rest of Dynamics changed all the same).
    const c = result.counts;
    if (result.complete || c.deleted + c.restored + c.reopened > 0) {
      const [row] = await client.retrieveByValues('astep_migrationruns', 'astep_runid', [runId], ['astep_migrationrunid', 'astep_wizardstate']);
      if (row) {
        const raw = typeof row.astep_wizardstate === 'string' ? row.astep_wizardstate : null;
        await client.update('astep_migrationruns', String(row.astep_migrationrunid), { astep_wizardstate: patchWizardState(raw, { rolledBackOn: new Date().toISOString(), rollbackComplete: result.complete }) });
      }
    }
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

// "Start run" on the Migration Run form and home grid (Astep.MigrationRun.startRun). The command does not run the
// migration itself: a full run takes long, reports progress and can be paused, which is the Mapping Wizard control's
// job. It checks the run may start, then leaves a `runRequest` in the row's wizard state (astep_wizardstate); the
// wizard on the form sees it, starts the run and clears it. Every other key of the column is kept.
export const START_RUN_NOTIFICATION_ID = 'astep_startrun';
export const RUN_REQUESTED_STEP = 'Run Requested';
/** The Migration Run form's tab that holds the Mapping Wizard control (solution/src/ui/forms.ts). */
export const WIZARD_TAB = 'tab_mapping';

const START_TITLE = 'Start run';
const TABLE = 'astep_migrationrun';

interface RunRow {
  id: string;
  runId: string;
  state: WizardState;
  rawState: string | null;
  approvedOn: string | null;
  currentStep: string | null;
}


async function readRun(id: string): Promise<RunRow> {
  const row = await readRunRow(id, ['astep_runid', 'astep_wizardstate', 'astep_approvedon', 'astep_currentstep']);
  const rawState = typeof row.astep_wizardstate === 'string' ? row.astep_wizardstate : null;
  return {
    id,
    runId: row.astep_runid ? String(row.astep_runid) : id,
    state: parseWizardState(rawState),
    rawState,
    approvedOn: dateOrNull(row.astep_approvedon)?.toISOString() ?? null,
    currentStep: row.astep_currentstep ? String(row.astep_currentstep) : null,
  };
}

/** astep_currentstep is written from the engine's run status (orchestrator/src/safety/mirror.ts). */
const COMPLETED_STEPS = ['Completed', 'Completed With Errors'];

/** Why this run cannot start now, in words for the alert; null when it can. */
export function refusal(run: Pick<RunRow, 'runId' | 'state' | 'approvedOn' | 'currentStep'>): string | null {
  const name = `Migration run ${run.runId}`;
  if (run.state.runRequest) {
    return `${name} already has a run request (made ${run.state.runRequest.requestedOn}): open the Mapping Wizard tab, which starts it.`;
  }
  if (run.currentStep === 'Running') return `${name} is already running. Follow its progress on the Mapping Wizard tab.`;
  // Harsher than needed, deliberately: a rollback that stopped half-way leaves "Rolling Back", and a run over a
  // half-undone state would mix the two. Finish the rollback first.
  if (run.currentStep === 'Rolling Back') return `${name} is being rolled back (or a rollback stopped part-way). Finish the rollback before starting a run.`;
  if (run.state.runCompletedOn || (run.currentStep !== null && COMPLETED_STEPS.includes(run.currentStep))) {
    const when = run.state.runCompletedOn ? ` on ${run.state.runCompletedOn}` : '';
    return `${name} already completed${when}. Use Delta for later changes, or roll it back first.`;
  }
  if (!run.state.approved && !run.approvedOn) {
    return `${name}: the sample is not approved. Review the sample on the Sample Diff tab and approve it before the full run.`;
  }
  return null;
}

/** Form: startRun(PrimaryControl). Grid: startRun(SelectedControlSelectedItemIds, PrimaryControl). */
export async function startRun(first: Xrm.FormContext | string[], second?: unknown): Promise<void> {
  const fromGrid = Array.isArray(first);
  const form = fromGrid ? null : (first as Xrm.FormContext);
  const grid = fromGrid ? (second as { refresh?: () => void } | undefined) : undefined;
  if (!(await canManageRuns())) {
    await Xrm.Navigation.openAlertDialog({ title: START_TITLE, text: `Only ${WHO_MAY} can start a migration run.` });
    return;
  }
  let id: string;
  if (fromGrid) {
    const ids = first as string[];
    if (ids.length !== 1) {
      await Xrm.Navigation.openAlertDialog({ title: START_TITLE, text: 'Select one migration run to start.' });
      return;
    }
    id = bare(ids[0]);
  } else {
    id = bare(form?.data?.entity?.getId?.() ?? '');
    // The wizard reads the request from the saved row, and a refresh would drop unsaved edits.
    if (!id) {
      await Xrm.Navigation.openAlertDialog({ title: START_TITLE, text: 'Save the migration run before starting it.' });
      return;
    }
    if (form?.data?.entity?.getIsDirty?.()) {
      await Xrm.Navigation.openAlertDialog({ title: START_TITLE, text: 'This migration run has unsaved changes. Save them before starting the run.' });
      return;
    }
  }
  let runName = id;
  try {
    const run = await readRun(id);
    runName = run.runId;
    const reason = refusal(run);
    if (reason) {
      await Xrm.Navigation.openAlertDialog({ title: START_TITLE, text: reason });
      return;
    }
    const answer = await Xrm.Navigation.openConfirmDialog({
      title: START_TITLE,
      text: `Start the full run of migration run ${run.runId}? Every record of the approved plan is read from Actionstep and written to Dynamics. The Mapping Wizard on this run's form starts it, shows progress and can pause it; a finished run can be rolled back.`,
      confirmButtonLabel: 'Start run',
      cancelButtonLabel: 'Cancel',
    });
    if (!answer.confirmed) return;
    const user = Xrm.Utility.getGlobalContext().userSettings;
    // Xrm.WebApi.updateRecord sends no If-Match, so a write between the read above and this one is overwritten;
    // the window is one confirm dialog, and the wizard's own writes also patch the latest value.
    const wizardState = patchWizardState(run.rawState, { runRequest: { requestedOn: new Date().toISOString(), requestedBy: bare(user.userId) }, step: 'run' });
    const update: astep_Migrationrun = { logicalName: TABLE, astep_migrationrunid: id, astep_wizardstate: wizardState, astep_currentstep: RUN_REQUESTED_STEP };
    await xrmRecords().update(update);
    if (form) {
      form.ui.setFormNotification('Run requested: the Mapping Wizard on this form starts it and shows progress.', 'INFO', START_RUN_NOTIFICATION_ID);
      form.ui.tabs.get(WIZARD_TAB)?.setFocus();
      await form.data.refresh(false);
    } else {
      grid?.refresh?.();
      await Xrm.Navigation.openAlertDialog({ title: 'Run requested', text: `Run requested for migration run ${run.runId}. Open it: the Mapping Wizard on its form starts the run and shows progress.` });
      await Xrm.Navigation.navigateTo({ pageType: 'entityrecord', entityName: TABLE, entityId: id, tabName: WIZARD_TAB });
    }
  } catch (e) {
    // Web API errors carry a message and a code; neither holds a token (the session cookie never reaches script).
    await Xrm.Navigation.openErrorDialog({ message: `Start run of migration run ${runName} failed: ${recordErrorMessage(e)}` });
  }
}
