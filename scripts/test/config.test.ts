// The configuration's Dataverse application users: the single form keeps working, the list form gives several,
// and every mistake is named by its place in the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { actionstepSignIns, ConfigError, dataverseIdentities, loadConfig, redactConfig } from '../src/config';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const THUMB = 'a'.repeat(64);

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const ACTIONSTEP = { authorizeUrl: 'https://go.actionstep.com/api/oauth/authorize', tokenUrl: 'https://api.actionstep.com/api/oauth/token', clientId: 'as', clientSecret: { env: 'AS_SECRET' } };

function write(dataverse: Record<string, unknown>, actionstep: Record<string, unknown> = { tokenStore: { path: './t.enc', passphrase: { env: 'P' } } }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-config-test-'));
  dirs.push(dir);
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify({
    stateDir: './state',
    actionstep: { ...ACTIONSTEP, ...actionstep },
    dataverse: { webApiUrl: 'https://org.crm6.dynamics.com/api/data/v9.2/', ...dataverse },
  }));
  return file;
}

const problems = (dataverse: Record<string, unknown>, actionstep?: Record<string, unknown>): string => {
  try {
    loadConfig(write(dataverse, actionstep));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('the configuration was accepted');
};

describe('Dataverse application users in the configuration', () => {
  test('the single form is one application user', () => {
    const config = loadConfig(write({ tenantId: TENANT, clientId: 'app-1', clientSecret: { env: 'DV_SECRET' } }));
    expect(dataverseIdentities(config)).toEqual([
      { name: 'application user (client id app-1)', tenantId: TENANT, clientId: 'app-1', clientSecret: { env: 'DV_SECRET' }, certificate: undefined, secretPath: 'dataverse.clientSecret' },
    ]);
  });

  test('the list form gives each its tenant (its own or the default) and its secret or certificate', () => {
    const file = write({
      tenantId: TENANT,
      applicationUsers: [
        { clientId: 'app-1', clientSecret: { env: 'DV_SECRET_1' } },
        { clientId: 'app-2', tenantId: 'other-tenant', clientSecret: 'inline-secret-2' },
        { clientId: 'app-3', certificate: { privateKey: { file: 'key.pem' }, thumbprintSha256: THUMB } },
        { clientId: 'app-4', certificate: { privateKey: '-----BEGIN PRIVATE KEY-----inline', thumbprintSha256: THUMB } },
      ],
    });
    const config = loadConfig(file);
    const ids = dataverseIdentities(config);
    expect(ids.map((i) => [i.name, i.tenantId, i.secretPath])).toEqual([
      ['dataverse.applicationUsers[0] (client id app-1)', TENANT, 'dataverse.applicationUsers[0].clientSecret'],
      ['dataverse.applicationUsers[1] (client id app-2)', 'other-tenant', 'dataverse.applicationUsers[1].clientSecret'],
      ['dataverse.applicationUsers[2] (client id app-3)', TENANT, 'dataverse.applicationUsers[2].certificate.privateKey'],
      ['dataverse.applicationUsers[3] (client id app-4)', TENANT, 'dataverse.applicationUsers[3].certificate.privateKey'],
    ]);
    // A relative key file is read beside the config file, not from whatever folder the command runs in.
    expect(ids[2].certificate).toEqual({ privateKey: { file: path.join(path.dirname(path.resolve(file)), 'key.pem') }, thumbprintSha256: THUMB });
    // Printed with secrets redacted: inline secrets and keys hidden, references (names) kept.
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('inline-secret-2');
    expect(printed).not.toContain('BEGIN PRIVATE KEY');
    expect(printed).toContain('DV_SECRET_1');
  });

  test('mistakes are named by their place in the file', () => {
    expect(problems({ tenantId: TENANT, clientId: 'app-1', clientSecret: 's', applicationUsers: [{ clientId: 'app-2', clientSecret: 's' }] }))
      .toContain('dataverse has both applicationUsers and dataverse.clientId, dataverse.clientSecret: list every application user in applicationUsers');
    expect(problems({ applicationUsers: [{ clientId: 'app-1', tenantId: TENANT, clientSecret: 's' }, { clientId: 'app-2', clientSecret: 's' }] }))
      .toContain('dataverse.applicationUsers[1].tenantId is missing (or set dataverse.tenantId for every application user)');
    expect(problems({ tenantId: TENANT, applicationUsers: [{ clientId: 'app-1' }] })).toContain('dataverse.applicationUsers[0] needs clientSecret or certificate');
    expect(problems({ tenantId: TENANT, applicationUsers: [{ clientId: 'app-1', clientSecret: 's', certificate: { privateKey: 'k', thumbprintSha256: THUMB } }] }))
      .toContain('dataverse.applicationUsers[0] has both clientSecret and certificate: give one');
    expect(problems({ tenantId: TENANT, applicationUsers: [{ clientId: 'app-1', certificate: { privateKey: 'k' } }] })).toContain('dataverse.applicationUsers[0].certificate needs thumbprintSha256 (or thumbprint)');
    expect(problems({ tenantId: TENANT, applicationUsers: [{ clientId: 'App-1', clientSecret: 's' }, { clientId: 'app-1', clientSecret: 't' }] }))
      .toContain('dataverse.applicationUsers[1] repeats the client id of dataverse.applicationUsers[0] (app-1)');
    expect(problems({ clientId: 'app-1', clientSecret: 's' })).toContain('dataverse.tenantId is missing');
    expect(problems({ tenantId: TENANT, applicationUsers: [] })).toMatch(/applicationUsers must NOT have fewer than 1 items/);
  });

  test('a secret never appears in a configuration error', () => {
    const message = problems({ tenantId: TENANT, applicationUsers: [{ clientId: 'app-1', clientSecret: 'very-secret-value', certificate: { privateKey: 'pem-secret-value', thumbprintSha256: THUMB } }] });
    expect(message).not.toContain('very-secret-value');
    expect(message).not.toContain('pem-secret-value');
  });
});

describe('Actionstep sign-ins in the configuration', () => {
  const dv = { tenantId: TENANT, clientId: 'app-1', clientSecret: 's' };
  const store = (name: string) => ({ path: name, passphrase: { env: 'P' } });

  test('the single form is one sign-in; the list form one per user, each with its own token file beside the config', () => {
    const single = loadConfig(write(dv, { tokenStore: store('./t.enc'), loginHint: 'admin@firm.example' }));
    expect(actionstepSignIns(single).map((x) => [x.name, x.where, x.loginHint])).toEqual([['Actionstep sign-in (admin@firm.example)', 'actionstep', 'admin@firm.example']]);
    const file = write(dv, { sessions: [{ loginHint: 'ann@firm.example', tokenStore: store('./ann.enc') }, { loginHint: 'bo@firm.example', tokenStore: store('./bo.enc') }], requestsPerSecond: 0.5 });
    const list = actionstepSignIns(loadConfig(file));
    expect(list.map((x) => [x.name, x.tokenStore.path])).toEqual([
      ['actionstep.sessions[0] (ann@firm.example)', path.join(path.dirname(path.resolve(file)), 'ann.enc')],
      ['actionstep.sessions[1] (bo@firm.example)', path.join(path.dirname(path.resolve(file)), 'bo.enc')],
    ]);
  });

  test('mistakes are named by their place in the file', () => {
    expect(problems(dv, {})).toContain('actionstep: the setting "tokenStore" is missing (or list the sign-ins in actionstep.sessions)');
    expect(problems(dv, { tokenStore: store('./t.enc'), sessions: [{ tokenStore: store('./a.enc') }] }))
      .toContain('actionstep has both sessions and actionstep.tokenStore: list every sign-in in actionstep.sessions');
    expect(problems(dv, { sessions: [{ loginHint: 'a@x', tokenStore: store('./a.enc') }, { loginHint: 'b@x', tokenStore: store('./a.enc') }] }))
      .toContain('actionstep.sessions[1] has the same token file as actionstep.sessions[0]');
    expect(problems(dv, { sessions: [{ loginHint: 'Ann@x', tokenStore: store('./a.enc') }, { loginHint: 'ann@x', tokenStore: store('./b.enc') }] }))
      .toContain('actionstep.sessions[1] has the same loginHint as actionstep.sessions[0]: a user signed in twice shares one rate limit');
    expect(problems(dv, { sessions: [{ loginHint: 'a@x' }] })).toContain('actionstep.sessions[0]: the setting "tokenStore" is missing');
    expect(problems(dv, { tokenStore: store('./t.enc'), requestsPerSecond: 0 })).toContain('actionstep.requestsPerSecond must be > 0');
    expect(problems(dv, { tokenStore: store('./t.enc'), pageSize: 500 })).toContain('actionstep.pageSize must be <= 200');
  });
});
