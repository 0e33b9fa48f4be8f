// Security roles: an application user holds only the privileges of its roles. The solution's "Actionstep Migration
// Administrator" role reads the audit and deletes what a run created; another app's user is refused with 403 and
// the platform's missing-privilege error (0x80040220) naming the privilege and the table.
import JSZip from 'jszip';
import { ROLE_NAME, adminRole } from '@astep/solution/ui/role';
import { DEFAULT_CLIENT, startDataverseEmulator } from '@astep/dataverse-emulator';
import { rolesInSolution } from '../src/securityRoles';
import { SCHEMA, getToken, provisionSchema, startApi, type Api } from './helpers';

const MIGRATION = { clientId: '0b8a5a57-1111-4c1e-9a51-000000000001', clientSecret: 'migration-secret', applicationUserName: 'Actionstep Migration', roles: ['System Customizer', ROLE_NAME] };
const REPORTING = { clientId: '0b8a5a57-2222-4c1e-9a51-000000000002', clientSecret: 'reporting-secret', applicationUserName: 'Reporting app', roles: ['Salesperson'] };
const NOBODY = { clientId: '0b8a5a57-3333-4c1e-9a51-000000000003', clientSecret: 'nobody-secret', applicationUserName: 'App without roles', roles: [] as string[] };
const MISSING = (privilege: string, entity: string, label: string) =>
  new RegExp(`^Principal user \\(Id=[0-9a-f-]{36}, type=8, roleCount=\\d+, privilegeCount=\\d+, accessMode='4 Non-interactive'\\), is missing ${privilege} privilege \\(Id=[0-9a-f-]{36}\\) on OTC=\\d+ for entity '${entity}' \\(LocalizedName='${label}'\\)\\. context\\.Caller=[0-9a-f-]{36}\\. Consider adding missed privilege to one of the principal \\(user/team\\) roles\\.$`);

let migration: Api;
let call: (who: { clientId: string; clientSecret: string }, method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  migration = await startApi({
    metadataKeyActivationDelayMs: 0,
    roles: [{ name: ROLE_NAME, privileges: adminRole(SCHEMA).privileges.map((p) => p.name) }],
    // The emulator's default app (System Administrator) stands for the admin who imported the solution.
    clients: [{ ...DEFAULT_CLIENT, roles: ['System Administrator'] }, MIGRATION, REPORTING, NOBODY],
  });
  await provisionSchema(migration, SCHEMA, ['astep_migrationrun', 'astep_auditentry', 'astep_matter']);
  call = async (who, method, path, body, headers = {}) => {
    const token = await getToken(migration.emu, who.clientId, who.clientSecret);
    const r = await fetch(migration.emu.webApiUrl + path, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  };
});
afterAll(async () => migration?.emu.close());

test('the administrator role reads the audit and deletes what it created; another app is refused by name', async () => {
  expect((await call(MIGRATION, 'POST', 'astep_migrationruns', { astep_name: 'Run', astep_runid: 'r1' })).status).toBe(204);
  expect((await call(MIGRATION, 'POST', 'astep_auditentries', { astep_name: 'run|create|account|A1', astep_auditkey: 'r1|1' })).status).toBe(204);
  const audit = await call(MIGRATION, 'GET', 'astep_auditentries?$select=astep_name');
  expect(audit.status).toBe(200);
  expect(audit.json.value).toHaveLength(1);

  const refused = await call(REPORTING, 'GET', 'astep_auditentries?$select=astep_name');
  expect(refused.status).toBe(403);
  expect(refused.json.error.code).toBe('0x80040220');
  expect(refused.json.error.message).toMatch(MISSING('prvReadastep_Auditentry', 'astep_auditentry', 'Audit Entry'));

  // The reporting app can work on accounts (Salesperson) but not delete the migration's matters.
  const account = await call(MIGRATION, 'POST', 'accounts?$select=accountid', { name: 'Migrated' }, { Prefer: 'return=representation' });
  const matter = await call(MIGRATION, 'POST', 'astep_matters?$select=astep_matterid', { astep_name: 'M1', 'astep_AccountId@odata.bind': `/accounts(${account.json.accountid})` }, { Prefer: 'return=representation' });
  const del = await call(REPORTING, 'DELETE', `astep_matters(${matter.json.astep_matterid})`);
  expect(del.status).toBe(403);
  expect(del.json.error.message).toMatch(MISSING('prvDeleteastep_Matter', 'astep_matter', 'Matter'));
  expect((await call(REPORTING, 'GET', `accounts(${account.json.accountid})?$select=name`)).json.name).toBe('Migrated');
  expect((await call(MIGRATION, 'DELETE', `astep_matters(${matter.json.astep_matterid})`)).status).toBe(204);
});

test('an app with no role can do nothing; customizing needs a customizer; impersonating needs its own privilege', async () => {
  const none = await call(NOBODY, 'GET', 'accounts?$select=name');
  expect(none.status).toBe(403);
  expect(none.json.error.message).toMatch(MISSING('prvReadAccount', 'account', 'Account'));
  expect(none.json.error.message).toContain('roleCount=0, privilegeCount=0');

  const table = await call(REPORTING, 'POST', 'EntityDefinitions', { SchemaName: 'new_Thing' });
  expect(table.status).toBe(403);
  expect(table.json.error.message).toMatch(/is missing prvCreateEntity privilege/);

  const users = await call(MIGRATION, 'GET', "systemusers?$select=systemuserid&$filter=fullname eq 'Reporting app'");
  const asOther = await call(MIGRATION, 'POST', 'accounts', { name: 'On behalf' }, { MSCRMCallerID: users.json.value[0].systemuserid });
  expect(asOther.status).toBe(403);
  expect(asOther.json.error.message).toMatch(/is missing prvActOnBehalfOfAnotherUser privilege/);
});

test('a System Customizer reads every custom table, one created after its roles were given too, but writes none of them', async () => {
  const CUSTOMIZER = { clientId: '0b8a5a57-4444-4c1e-9a51-000000000004', clientSecret: 'customizer-secret', applicationUserName: 'Customizer app', roles: ['System Customizer'] };
  const api = await startApi({ metadataKeyActivationDelayMs: 0, clients: [{ ...DEFAULT_CLIENT, roles: ['System Administrator'] }, CUSTOMIZER] });
  try {
    await provisionSchema(api, SCHEMA, ['astep_migrationrun']);
    const token = await getToken(api.emu, CUSTOMIZER.clientId, CUSTOMIZER.clientSecret);
    const as = (method: string, path: string, body?: unknown) => fetch(api.emu.webApiUrl + path, {
      method, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect((await as('GET', 'astep_migrationruns?$select=astep_name')).status).toBe(200);
    const write = await as('POST', 'astep_migrationruns', { astep_name: 'Run', astep_runid: 'c1' });
    expect(write.status).toBe(403);
    expect(((await write.json()) as { error: { message: string } }).error.message).toMatch(/is missing prvCreateastep_Migrationrun privilege/);
    // Standard tables are not custom: no rows of them without a role that grants it.
    expect((await as('GET', 'accounts?$select=name')).status).toBe(403);
  } finally {
    await api.emu.close();
  }
});

test('a solution brings its security roles with it (customizations.xml <Roles>), and an admin assigns them', async () => {
  const zip = new JSZip();
  zip.file('customizations.xml', `<ImportExportXml><Roles><Role id="{1}" name="${ROLE_NAME}"><RolePrivileges>`
    + '<RolePrivilege name="prvReadastep_Auditentry" level="Global" /><RolePrivilege name="prvDeleteAccount" level="Global" /></RolePrivileges></Role></Roles></ImportExportXml>');
  expect(await rolesInSolution(await zip.generateAsync({ type: 'nodebuffer' }))).toEqual([{ name: ROLE_NAME, privileges: ['prvReadastep_Auditentry', 'prvDeleteAccount'] }]);

  const emu = await startDataverseEmulator({ limits: 'off', clients: [{ ...REPORTING, roles: ['Basic User'] }] });
  try {
    expect(() => emu.assignRoles(emu.applicationUserId(REPORTING.clientId), [ROLE_NAME])).toThrow(`no security role named "${ROLE_NAME}" in this environment`);
    emu.defineRole({ name: ROLE_NAME, privileges: ['prvReadAccount'] });
    emu.assignRoles(emu.applicationUserId(REPORTING.clientId), ['Basic User', ROLE_NAME]);
    const token = await getToken(emu, REPORTING.clientId, REPORTING.clientSecret);
    const r = await fetch(`${emu.webApiUrl}accounts?$select=name`, { headers: { Authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
  } finally {
    await emu.close();
  }
});
