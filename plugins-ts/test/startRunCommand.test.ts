// "Start run" from the Migration Run form and home grid (xrm-mock for the form and dialogs; Xrm.WebApi backed by one
// in-memory astep_migrationrun row). The command only leaves a run request in astep_wizardstate for the Mapping
// Wizard: it must refuse when the run cannot start, write nothing on cancel, and keep the column's other keys.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { XrmMockGenerator } from 'xrm-mock';
import { parseWizardState } from '@astep/orchestrator/wizard/wizardState';
import { ROLE_ID } from '@astep/solution/ui/roleIds';
import * as Commands from '../src/commands/migrationRunCommands';

const ROW_ID = '0f0e0d0c-0000-4000-8000-0000000000ab';
const USER_ID = '{6A1B2C3D-0000-4000-8000-000000000042}';
const ADMIN = 'Actionstep Migration Administrator';

type Row = Record<string, unknown>;

/** The user's roles by name; the administrator role carries the solution's role id, as the platform reports it. */
function roles(...names: string[]) {
  const items = names.map((name, i) => ({ id: name === ADMIN ? `{${ROLE_ID.toUpperCase()}}` : `00000000-0000-4000-8000-00000000000${i}`, name, entityType: 'role' }));
  return { get: (i?: number) => (i === undefined ? items : items[i]), getLength: () => items.length, forEach: (fn: (x: unknown, i: number) => void) => items.forEach(fn) } as unknown as Xrm.Collection.ItemCollection<Xrm.LookupValue>;
}

/** A Migration Run form over `row`, with the user's roles and the dialogs answered as `confirm` says. */
function openRunForm(row: Row, o: { roles?: string[]; confirm?: boolean; privileges?: Array<{ privilegeName: string; depth: number }> } = {}) {
  XrmMockGenerator.initialise({ entity: { entityName: 'astep_migrationrun', id: `{${ROW_ID.toUpperCase()}}` } });
  const settings = Xrm.Utility.getGlobalContext().userSettings as { roles: unknown; userId: string; getSecurityRolePrivilegesInfo: () => Promise<unknown> };
  settings.roles = roles(...(o.roles ?? ['Salesperson', ADMIN]));
  settings.userId = USER_ID;
  // What getSecurityRolePrivilegesInfo reports: the privileges of the user's roles and of its teams' roles.
  settings.getSecurityRolePrivilegesInfo = async () => Object.fromEntries((o.privileges ?? []).map((p, i) => [`p${i}`, { id: `p${i}`, businessUnitId: 'bu', ...p }]));
  const tab = XrmMockGenerator.Tab.createTab('tab_mapping', 'Mapping Wizard', true, 'expanded');
  const calls = {
    alerts: [] as Xrm.Navigation.AlertStrings[], confirms: [] as string[], errors: [] as string[],
    reads: [] as Array<[string, string, string | undefined]>, updates: [] as Array<[string, string, Row]>, focused: 0, refreshed: 0, opened: [] as Xrm.Navigation.PageInputEntityRecord[],
  };
  jest.spyOn(Xrm.Navigation, 'openAlertDialog').mockImplementation(((a: Xrm.Navigation.AlertStrings) => (calls.alerts.push(a), Promise.resolve())) as never);
  jest.spyOn(Xrm.Navigation, 'openConfirmDialog').mockImplementation(((c: Xrm.Navigation.ConfirmStrings) => (calls.confirms.push(c.text), Promise.resolve({ confirmed: o.confirm ?? true }))) as never);
  jest.spyOn(Xrm.Navigation, 'openErrorDialog').mockImplementation(((e: Xrm.Navigation.ErrorDialogOptions) => (calls.errors.push(String(e.message)), Promise.resolve())) as never);
  jest.spyOn(Xrm.Navigation, 'navigateTo').mockImplementation(((f: Xrm.Navigation.PageInputEntityRecord) => (calls.opened.push(f), Promise.resolve())) as never);
  jest.spyOn(Xrm.WebApi, 'retrieveRecord').mockImplementation((async (table: string, id: string, options?: string) => {
    calls.reads.push([table, id, options]);
    if (id !== ROW_ID) throw Object.assign(new Error(`astep_migrationrun With Id = ${id} Does Not Exist`), { errorCode: -2147220969 });
    return { ...row };
  }) as never);
  jest.spyOn(Xrm.WebApi, 'updateRecord').mockImplementation((async (table: string, id: string, data: Row) => {
    calls.updates.push([table, id, data]);
    Object.assign(row, data);
    return { entityType: table, id };
  }) as never);
  jest.spyOn(tab, 'setFocus').mockImplementation(() => void calls.focused++);
  const form = XrmMockGenerator.formContext;
  (form.data as unknown as { refresh: () => Promise<void> }).refresh = async () => void calls.refreshed++;
  return { form, calls };
}

const notifications = (form: Xrm.FormContext) => (form.ui as unknown as { formNotifications?: Array<{ message: string; level: string; uniqueId: string }> }).formNotifications ?? [];

/** The wizard state as the Diff Viewer leaves it after approval, plus a key this contract does not know. */
const approvedState = (extra: Record<string, unknown> = {}) => JSON.stringify({
  version: 1, step: 'review', connectionId: 'shared-actionstep-7f3a', approved: true, approvedOn: '2026-11-20T09:00:00.000Z',
  decisions: [{ table: 'contact', column: 'telephone1', action: 'accept' }], mapEdits: [{ object: 'participants', sourceField: 'phone1', targetColumn: 'telephone1' }],
  diffViewerLayout: { sort: 'status' }, ...extra,
});

afterEach(() => jest.restoreAllMocks());

describe('Astep.MigrationRun.startRun', () => {
  test('a user without the administrator role is told so; nothing is read or written', async () => {
    const row: Row = { astep_runid: 'run-1', astep_wizardstate: approvedState() };
    const { form, calls } = openRunForm(row, { roles: ['Salesperson'] });
    await Commands.startRun(form);
    expect(calls.alerts.map((a) => a.text)).toEqual(['Only the Actionstep Migration Administrator role (or Delete on Migration Runs at organisation level, also through a team) can start a migration run.']);
    expect(calls.reads).toEqual([]);
    expect(calls.updates).toEqual([]);
    expect(calls.confirms).toEqual([]);
  });

  test('the rule is the role by id, not by name, or the privilege at organisation depth (also through a team)', async () => {
    const row: Row = { astep_runid: 'run-1', astep_wizardstate: approvedState() };
    // A role renamed to look like ours is not ours; Delete at business-unit depth is not enough.
    openRunForm(row, { roles: ['Salesperson'], privileges: [{ privilegeName: 'prvDeleteastep_MigrationRun', depth: 1 }] });
    (Xrm.Utility.getGlobalContext().userSettings as unknown as { roles: unknown }).roles = { forEach: (fn: (r: unknown) => void) => [{ id: '{11111111-0000-4000-8000-000000000009}', name: ADMIN }].forEach(fn) };
    expect(await Commands.canManageRuns()).toBe(false);
    // A team's role granting Delete on Migration Run at organisation depth (depth 3, Global) is.
    openRunForm(row, { roles: ['Salesperson'], privileges: [{ privilegeName: 'prvReadAccount', depth: 3 }, { privilegeName: 'prvDeleteastep_MigrationRun', depth: 3 }] });
    expect(await Commands.canManageRuns()).toBe(true);
    openRunForm(row, { roles: ['Salesperson', ADMIN] });
    expect(await Commands.canManageRuns()).toBe(true);
    // Privileges that cannot be read: no.
    openRunForm(row, { roles: ['Salesperson'] });
    (Xrm.Utility.getGlobalContext().userSettings as unknown as { getSecurityRolePrivilegesInfo: () => Promise<unknown> }).getSecurityRolePrivilegesInfo = () => Promise.reject(new Error('offline'));
    expect(await Commands.canManageRuns()).toBe(false);
  });

  test('reads the row with the documented $select, and refuses a run whose sample is not approved', async () => {
    const row: Row = { astep_runid: 'run-2', astep_wizardstate: JSON.stringify({ step: 'review', approved: false }), astep_approvedon: null, astep_currentstep: 'Sampled' };
    const { form, calls } = openRunForm(row);
    await Commands.startRun(form);
    expect(calls.reads).toEqual([['astep_migrationrun', ROW_ID, '?$select=astep_runid,astep_wizardstate,astep_approvedon,astep_currentstep']]);
    expect(calls.alerts).toEqual([{ title: 'Start run', text: 'Migration run run-2: the sample is not approved. Review the sample on the Sample Diff tab and approve it before the full run.' }]);
    expect(calls.confirms).toEqual([]);
    expect(calls.updates).toEqual([]);
  });

  test('approval recorded only in astep_approvedon (the command line\'s approve) is enough', async () => {
    const row: Row = { astep_runid: 'run-3', astep_wizardstate: null, astep_approvedon: '2026-11-21T10:00:00Z', astep_currentstep: 'Approved' };
    const { form, calls } = openRunForm(row);
    await Commands.startRun(form);
    expect(calls.alerts).toEqual([]);
    expect(calls.confirms).toHaveLength(1);
    expect(calls.updates).toHaveLength(1);
  });

  test.each([
    ['is running', { astep_currentstep: 'Running' }, /^Migration run run-4 is already running\./],
    ['has a pending run request', { astep_wizardstate: approvedState({ runRequest: { requestedOn: '2026-11-26T08:00:00.000Z', requestedBy: 'u1' } }) }, /^Migration run run-4 already has a run request \(made 2026-11-26T08:00:00.000Z\)/],
    ['has completed', { astep_wizardstate: approvedState({ runCompletedOn: '2026-11-25T17:00:00.000Z' }) }, /^Migration run run-4 already completed on 2026-11-25T17:00:00.000Z\./],
    ['completed from the command line', { astep_currentstep: 'Completed With Errors' }, /^Migration run run-4 already completed\./],
    ['is half rolled back', { astep_currentstep: 'Rolling Back' }, /^Migration run run-4 is being rolled back/],
  ])('refuses a run that %s, naming the reason', async (_name, change, message) => {
    const row: Row = { astep_runid: 'run-4', astep_wizardstate: approvedState(), astep_currentstep: 'Approved', ...change };
    const before = { ...row };
    const { form, calls } = openRunForm(row);
    await Commands.startRun(form);
    expect(calls.alerts).toHaveLength(1);
    expect(calls.alerts[0].text).toMatch(message);
    expect(calls.confirms).toEqual([]);
    expect(calls.updates).toEqual([]);
    expect(row).toEqual(before);
  });

  test('happy path: confirm, then the patched wizard state (other keys kept) and the step are written, the form shows the wizard', async () => {
    const raw = approvedState();
    const row: Row = { astep_runid: 'run-5', astep_wizardstate: raw, astep_approvedon: '2026-11-20T09:00:00Z', astep_currentstep: 'Approved' };
    const { form, calls } = openRunForm(row);
    const t0 = Date.now();
    await Commands.startRun(form);
    expect(calls.errors).toEqual([]);
    expect(calls.confirms).toEqual([expect.stringMatching(/^Start the full run of migration run run-5\? /)]);
    expect(calls.updates).toHaveLength(1);
    const [table, id, data] = calls.updates[0];
    // dataverse-ify's update: the typed record as Web API JSON (with its @odata.type), primary key in the URL only.
    expect([table, id, Object.keys(data).sort()]).toEqual(['astep_migrationrun', ROW_ID, ['@odata.type', 'astep_currentstep', 'astep_wizardstate']]);
    expect(data['@odata.type']).toBe('Microsoft.Dynamics.CRM.astep_migrationrun');
    expect(data.astep_currentstep).toBe('Run Requested');
    const written = JSON.parse(String(data.astep_wizardstate));
    const previous = JSON.parse(raw);
    // Every key that was there is kept with its value (including the one this contract does not know) ...
    for (const k of Object.keys(previous).filter((x) => x !== 'step')) expect({ k, v: written[k] }).toEqual({ k, v: previous[k] });
    // ... and the request is added, with the step moved to Run.
    expect(written.step).toBe('run');
    expect(written.runRequest).toEqual({ requestedOn: expect.any(String), requestedBy: '6a1b2c3d-0000-4000-8000-000000000042' });
    expect(Date.parse(written.runRequest.requestedOn)).toBeGreaterThanOrEqual(t0 - 1000);
    expect(parseWizardState(String(data.astep_wizardstate)).runRequest).toEqual(written.runRequest);
    expect(notifications(form)).toEqual([{ message: 'Run requested: the Mapping Wizard on this form starts it and shows progress.', level: 'INFO', uniqueId: Commands.START_RUN_NOTIFICATION_ID }]);
    expect(calls.focused).toBe(1);
    expect(calls.refreshed).toBe(1);
    // A second click now finds the pending request and refuses.
    const again = openRunForm(row);
    await Commands.startRun(again.form);
    expect(again.calls.alerts[0].text).toMatch(/already has a run request/);
    expect(again.calls.updates).toEqual([]);
  });

  test('cancel in the confirm dialog writes nothing and changes nothing on the form', async () => {
    const row: Row = { astep_runid: 'run-6', astep_wizardstate: approvedState(), astep_currentstep: 'Approved' };
    const before = { ...row };
    const { form, calls } = openRunForm(row, { confirm: false });
    await Commands.startRun(form);
    expect(calls.confirms).toHaveLength(1);
    expect(calls.updates).toEqual([]);
    expect(row).toEqual(before);
    expect(notifications(form)).toEqual([]);
    expect([calls.focused, calls.refreshed]).toEqual([0, 0]);
  });

  test('an unsaved row is refused before anything is read', async () => {
    const { form, calls } = openRunForm({});
    // On a create form the platform reports an empty id.
    jest.spyOn(form.data.entity, 'getId').mockReturnValue('');
    await Commands.startRun(form);
    expect(calls.alerts.map((a) => a.text)).toEqual(['Save the migration run before starting it.']);
    expect(calls.reads).toEqual([]);
  });

  test('a form with unsaved changes is refused (the refresh after the request would drop them)', async () => {
    const { form, calls } = openRunForm({ astep_runid: 'run-10', astep_wizardstate: approvedState() });
    jest.spyOn(form.data.entity, 'getIsDirty').mockReturnValue(true);
    await Commands.startRun(form);
    expect(calls.alerts.map((a) => a.text)).toEqual(['This migration run has unsaved changes. Save them before starting the run.']);
    expect(calls.reads).toEqual([]);
    expect(calls.updates).toEqual([]);
  });

  test('a failed write is an error dialog naming the run and the failure', async () => {
    const row: Row = { astep_runid: 'run-7', astep_wizardstate: approvedState(), astep_currentstep: 'Approved' };
    const { form, calls } = openRunForm(row);
    jest.spyOn(Xrm.WebApi, 'updateRecord').mockRejectedValue(Object.assign(new Error('Principal user is missing prvWriteastep_migrationrun privilege'), { errorCode: -2147220960 }));
    await Commands.startRun(form);
    expect(calls.errors).toEqual(['Start run of migration run run-7 failed: Principal user is missing prvWriteastep_migrationrun privilege']);
    expect(notifications(form)).toEqual([]);
  });

  test('grid: exactly one selected row; the request is written, the grid refreshed and the run opened on the wizard tab', async () => {
    const row: Row = { astep_runid: 'run-8', astep_wizardstate: approvedState(), astep_currentstep: 'Approved' };
    const { calls } = openRunForm(row);
    const grid = { refresh: jest.fn() };
    await Commands.startRun([`{${ROW_ID}}`, '{11111111-0000-4000-8000-000000000001}'], grid);
    expect(calls.alerts.map((a) => a.text)).toEqual(['Select one migration run to start.']);
    expect(calls.reads).toEqual([]);
    await Commands.startRun([`{${ROW_ID.toUpperCase()}}`], grid);
    expect(calls.reads.map((r) => r[1])).toEqual([ROW_ID]);
    expect(calls.updates).toHaveLength(1);
    expect(JSON.parse(String(row.astep_wizardstate)).runRequest.requestedBy).toBe('6a1b2c3d-0000-4000-8000-000000000042');
    expect(grid.refresh).toHaveBeenCalledTimes(1);
    expect(calls.alerts[1]).toEqual({ title: 'Run requested', text: expect.stringMatching(/^Run requested for migration run run-8\. /) });
    expect(calls.opened).toEqual([{ pageType: 'entityrecord', entityName: 'astep_migrationrun', entityId: ROW_ID, tabName: 'tab_mapping' }]);
  });
});

describe('the built MigrationRunCommands.js bundle', () => {
  let out: string;
  beforeAll(() => {
    // Its own output folder: formScripts.test.ts builds into dist/ at the same time in another worker.
    out = mkdtempSync(path.join(tmpdir(), 'astep-webresources-'));
    execFileSync(process.execPath, [path.join(__dirname, '..', 'build.mjs')], { stdio: 'pipe', env: { ...process.env, ASTEP_WEBRESOURCES_OUT: out } });
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test('defines Astep.MigrationRun.startRun beside rollback and runs a request end to end in a sandbox with only Xrm', async () => {
    const row: Row = { astep_runid: 'run-9', astep_wizardstate: approvedState(), astep_currentstep: 'Approved' };
    const updates: Row[] = [];
    const notes: string[] = [];
    const rolesList = [{ id: `{${ROLE_ID.toUpperCase()}}`, name: ADMIN }];
    const sandbox: Record<string, unknown> = {
      Xrm: {
        Utility: { getGlobalContext: () => ({ userSettings: { userId: USER_ID, roles: { forEach: (fn: (r: unknown) => void) => rolesList.forEach(fn) } } }) },
        Navigation: {
          openAlertDialog: async (a: { text: string }) => { throw new Error(`unexpected alert: ${a.text}`); },
          openConfirmDialog: async () => ({ confirmed: true }),
          openErrorDialog: async (e: { message: string }) => { throw new Error(`unexpected error dialog: ${e.message}`); },
        },
        WebApi: {
          retrieveRecord: async () => ({ ...row }),
          updateRecord: async (_t: string, _id: string, data: Row) => { updates.push(data); return { id: ROW_ID }; },
        },
      },
    };
    vm.createContext(sandbox);
    vm.runInContext(readFileSync(path.join(out, 'js', 'MigrationRunCommands.js'), 'utf8'), sandbox);
    const ns = (sandbox.Astep as { MigrationRun: { startRun: typeof Commands.startRun; rollback: unknown } }).MigrationRun;
    expect(typeof ns.rollback).toBe('function');
    expect(typeof ns.startRun).toBe('function');
    // The ribbon's enable rule calls this function of the same library (Astep.MigrationRun.canManageRuns).
    expect(await (ns as unknown as { canManageRuns: () => Promise<boolean> }).canManageRuns()).toBe(true);
    const form = {
      data: { entity: { getId: () => `{${ROW_ID}}`, getIsDirty: () => false }, refresh: async () => undefined },
      ui: { setFormNotification: (m: string) => (notes.push(m), true), tabs: { get: () => ({ setFocus: () => undefined }) } },
    };
    await ns.startRun(form as unknown as Xrm.FormContext);
    expect(updates).toHaveLength(1);
    expect(updates[0].astep_currentstep).toBe('Run Requested');
    expect(JSON.parse(String(updates[0].astep_wizardstate))).toMatchObject({ step: 'run', approved: true, diffViewerLayout: { sort: 'status' }, runRequest: { requestedBy: '6a1b2c3d-0000-4000-8000-000000000042' } });
    expect(notes).toEqual(['Run requested: the Mapping Wizard on this form starts it and shows progress.']);
  });
});
