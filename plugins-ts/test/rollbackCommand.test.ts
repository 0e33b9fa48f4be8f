// "Roll back run" from the Migration Run form, over real HTTP: a run made by the command line against the
// emulators is rolled back by the web resource's code (xrm-mock for the form and dialogs), and Dataverse returns to
// its snapshot from before the run. Someone without the administrator role cannot roll back.
import { XrmMockGenerator } from 'xrm-mock';
import { ROLE_ID } from '@astep/solution/ui/roleIds';
import * as Commands from '../src/commands/migrationRunCommands';
import { dataverseToken, runCli, snapshot, snapshotDiff, startTestEmulators, webApi } from '../../test/helpers/harness';

jest.setTimeout(300_000);

type Emu = Awaited<ReturnType<typeof startTestEmulators>>;
let emu: Emu;
let before: Awaited<ReturnType<typeof snapshot>>;
let runId: string;
/** Another app registered in the same environment, whose application user holds the Salesperson role only. */
const OTHER_APP = { clientId: 'sales-dashboard-app', clientSecret: 'sales-dashboard-secret', applicationUserName: 'Sales dashboard', roles: ['Salesperson'] };

/** The user's roles by name; the administrator role carries the solution's role id, as the platform reports it. */
function roles(...names: string[]) {
  const items = names.map((name, i) => ({ id: name === 'Actionstep Migration Administrator' ? `{${ROLE_ID.toUpperCase()}}` : `00000000-0000-4000-8000-00000000000${i}`, name, entityType: 'role' }));
  return { get: (i?: number) => (i === undefined ? items : items[i]), getLength: () => items.length, forEach: (fn: (x: unknown, i: number) => void) => items.forEach(fn) } as unknown as Xrm.Collection.ItemCollection<Xrm.LookupValue>;
}

function openRunForm(userRoles: Xrm.Collection.ItemCollection<Xrm.LookupValue>) {
  XrmMockGenerator.initialise({ entity: { entityName: 'astep_migrationrun', id: '{00000000-0000-4000-8000-0000000000ab}' } });
  XrmMockGenerator.Attribute.createString('astep_runid', runId);
  const settings = Xrm.Utility.getGlobalContext().userSettings as { roles: unknown; getSecurityRolePrivilegesInfo: () => Promise<unknown> };
  settings.roles = userRoles;
  settings.getSecurityRolePrivilegesInfo = async () => ({});
  const calls = { alerts: [] as Xrm.Navigation.AlertStrings[], confirms: 0, progress: [] as string[], errors: [] as string[] };
  // xrm-mock's dialogs are not implemented: these stand in for the user clicking through them.
  jest.spyOn(Xrm.Navigation, 'openAlertDialog').mockImplementation(((a: Xrm.Navigation.AlertStrings) => (calls.alerts.push(a), Promise.resolve())) as never);
  jest.spyOn(Xrm.Navigation, 'openConfirmDialog').mockImplementation((() => (calls.confirms++, Promise.resolve({ confirmed: true }))) as never);
  jest.spyOn(Xrm.Navigation, 'openErrorDialog').mockImplementation(((e: Xrm.Navigation.ErrorDialogOptions) => (calls.errors.push(String(e.message)), Promise.resolve())) as never);
  jest.spyOn(Xrm.Utility, 'showProgressIndicator').mockImplementation((m: string) => void calls.progress.push(m));
  jest.spyOn(Xrm.Utility, 'closeProgressIndicator').mockImplementation(() => undefined);
  const form = XrmMockGenerator.formContext;
  (form.data as unknown as { refresh: () => Promise<void> }).refresh = async () => undefined;
  return { form, calls };
}

beforeAll(async () => {
  emu = await startTestEmulators({ firm: 'tiny', seed: 5, extraClients: [OTHER_APP] });
  for (const s of ['discover', 'provision', 'extract']) expect((await runCli([s, '--config', emu.configPath, '--json'])).code).toBe(0);
  before = await snapshot(emu);
  expect((await runCli(['sample', '--config', emu.configPath, '--json'])).code).toBe(0);
  expect((await runCli(['approve', '--config', emu.configPath])).code).toBe(0);
  const run = await runCli(['run', '--config', emu.configPath, '--json', '--accept-failures']);
  expect(run.code).toBe(0);
  runId = run.json.runId;
  Commands.configure({ webApiUrl: emu.dataverse.webApiUrl, credential: { getToken: () => dataverseToken(emu) } });
});
afterAll(async () => emu?.close());
afterEach(() => jest.restoreAllMocks());

test('a user without the administrator role is told so and nothing changes', async () => {
  const { form, calls } = openRunForm(roles('Salesperson'));
  const rows = (await webApi(emu, 'GET', 'accounts?$select=accountid')).json.value.length;
  await Commands.rollback(form);
  expect(calls.alerts.map((a) => a.text)).toEqual(['Only the Actionstep Migration Administrator role (or Delete on Migration Runs at organisation level, also through a team) can roll back a migration run.']);
  expect(calls.confirms).toBe(0);
  expect((await webApi(emu, 'GET', 'accounts?$select=accountid')).json.value.length).toBe(rows);
});

test('the server is the real gate: a caller whose user lacks the role is refused by Dataverse, naming the privilege, and nothing changes', async () => {
  const { form, calls } = openRunForm(roles('Actionstep Migration Administrator'));
  const token = async () => {
    const res = await fetch(emu.dataverse.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: OTHER_APP.clientId, client_secret: OTHER_APP.clientSecret, scope: `${emu.dataverse.url}/.default` }) });
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const ran = await snapshot(emu);
  Commands.configure({ webApiUrl: emu.dataverse.webApiUrl, credential: { getToken: token } });
  try {
    await Commands.rollback(form);
  } finally {
    Commands.configure({ webApiUrl: emu.dataverse.webApiUrl, credential: { getToken: () => dataverseToken(emu) } });
  }
  expect(calls.errors).toEqual([expect.stringMatching(/^Rollback of run \S+ stopped: Principal user \(Id=[0-9a-f-]+, type=8, roleCount=1, privilegeCount=\d+, accessMode='4 Non-interactive'\), is missing prvReadastep_Migrationrun privilege .* for entity 'astep_migrationrun'/)]);
  expect(snapshotDiff(ran, await snapshot(emu))).toEqual([]);
  expect(snapshotDiff(before, ran).length).toBeGreaterThan(100);
});

test('the administrator confirms, sees progress, and Dataverse returns to its pre-run snapshot', async () => {
  const { form, calls } = openRunForm(roles('Salesperson', 'Actionstep Migration Administrator'));
  await Commands.rollback(form);
  expect(calls.errors).toEqual([]);
  expect(calls.confirms).toBe(1);
  expect(calls.progress.some((p) => /^Rolling back run .*: \d+ of \d+ changes$/.test(p))).toBe(true);
  expect(calls.alerts.map((a) => a.title)).toEqual(['Run rolled back']);
  expect(calls.alerts[0].text).toMatch(/^Run .*: \d+ deleted, \d+ restored, \d+ re-opened, 0 already undone, 0 conflicts, 0 failed\.$/);
  const notes = (form.ui as unknown as { formNotifications?: Array<{ message: string; level: string }> }).formNotifications ?? [];
  expect(notes).toEqual([expect.objectContaining({ level: 'INFO', message: expect.stringMatching(/^Rolled back\. /) })]);
  expect(snapshotDiff(before, await snapshot(emu))).toEqual([]);
  // The run record and the rollback's own audit rows are in Dataverse for the next admin to see.
  const run = await webApi(emu, 'GET', `astep_migrationruns?$select=astep_currentstep,astep_rolledbackon,astep_wizardstate&$filter=astep_runid eq '${runId}'`);
  expect(run.json.value[0]).toMatchObject({ astep_currentstep: 'Rolled Back', astep_rolledbackon: expect.any(String) });
  // The wizard on the form reads its state column: the rollback is there, so it stops showing the run as current.
  expect(Date.parse(JSON.parse(run.json.value[0].astep_wizardstate).rolledBackOn)).not.toBeNaN();
  const audit = await webApi(emu, 'GET', "astep_auditentries?$select=astep_name&$filter=startswith(astep_name,'rollback|')");
  expect(audit.json.value.length).toBeGreaterThan(100);
  // A second click finds nothing left to undo.
  const again = openRunForm(roles('Actionstep Migration Administrator'));
  await Commands.rollback(again.form);
  expect(again.calls.alerts[0].text).toMatch(/: 0 deleted, 0 restored, 0 re-opened, \d+ already undone, 0 conflicts, 0 failed\.$/);
});

test('from the grid: two selected runs are refused before anything is read; one selected run is found by its row', async () => {
  const { calls } = openRunForm(roles('Actionstep Migration Administrator'));
  const retrieve = jest.spyOn(Xrm.WebApi, 'retrieveRecord').mockImplementation((() => Promise.resolve({ astep_runid: runId })) as never);
  await Commands.rollback(['{00000000-0000-4000-8000-0000000000a1}', '{00000000-0000-4000-8000-0000000000a2}']);
  expect(calls.alerts.map((a) => a.text)).toEqual(['Select one migration run to roll back.']);
  expect(retrieve).not.toHaveBeenCalled();
  expect(calls.confirms).toBe(0);
  // One row: its run id is read, then the usual confirm (answered "no" here, so nothing changes).
  jest.spyOn(Xrm.Navigation, 'openConfirmDialog').mockImplementation((() => (calls.confirms++, Promise.resolve({ confirmed: false }))) as never);
  await Commands.rollback(['{00000000-0000-4000-8000-0000000000a1}']);
  expect(retrieve).toHaveBeenCalledWith('astep_migrationrun', '00000000-0000-4000-8000-0000000000a1', '?$select=astep_runid');
  expect(calls.confirms).toBe(1);
});
