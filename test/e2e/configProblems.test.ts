// Configuration problems are told by the config field and the URL, and exit 2: a token file made for another
// Actionstep endpoint is not used (the step signs in again and reads the new firm), an unreachable address names
// its field, "http://" and a bad time zone are refused, a relative {"file"} secret is read beside the config file,
// and an application user without the product's role is told which role it needs.
import fs from 'node:fs';
import path from 'node:path';
import { startActionstepEmulator, type ActionstepEmulator } from '@astep/actionstep-emulator';
import type { MigrationConfig } from '@astep/cli/config';
import { runCli, startTestEmulators } from '../helpers/harness';

jest.setTimeout(300_000);

const OTHER_APP = { clientId: 'sales-dashboard-app', clientSecret: 'sales-dashboard-secret', applicationUserName: 'Sales dashboard', roles: ['Salesperson'] };

describe('configuration problems', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  let other: ActionstepEmulator;
  const write = (name: string, edit: (c: MigrationConfig) => void): string => {
    const c = JSON.parse(fs.readFileSync(emu.configPath, 'utf8')) as MigrationConfig;
    edit(c);
    const file = path.join(emu.dir, name);
    fs.writeFileSync(file, JSON.stringify(c, null, 2));
    return file;
  };
  const closedPort = 'http://127.0.0.1:59997';

  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7, extraClients: [OTHER_APP] });
    other = await startActionstepEmulator({ firm: 'tiny', seed: 99, host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await other?.close();
    await emu?.close();
  });

  test('a token file made for another Actionstep endpoint is not used: the step says so, signs in again and reads the new firm', async () => {
    const first = await runCli(['discover', '--config', emu.configPath, '--json']);
    expect(first.code).toBe(0);
    const moved = write('moved.json', (c) => {
      Object.assign(c.actionstep, { authorizeUrl: other.authorizeUrl, tokenUrl: other.tokenUrl, clientId: other.clientId, clientSecret: other.clientSecret });
    });
    const r = await runCli(['discover', '--config', moved, '--json', '--run', 'moved-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`The stored Actionstep sign-in (${emu.config.actionstep.tokenStore!.path}) was made at ${emu.actionstep.tokenUrl} for client ${emu.actionstep.clientId}, not at actionstep.tokenUrl ${other.tokenUrl} for client ${other.clientId}: it is not used. Signing in again.`);
    expect(r.json.plan.source.orgkey).not.toBe(first.json.plan.source.orgkey);
    expect(r.json.plan.source.counts).not.toEqual(first.json.plan.source.counts);
  });

  test('a token file the passphrase cannot read stops the step with what to do (exit 2); --sign-in-again keeps it aside and signs in', async () => {
    // A copy of a real sign-in, and a config whose passphrase is not the one it was written with (rotated).
    expect((await runCli(['discover', '--config', emu.configPath, '--json', '--run', 'before-rotation'])).code).toBe(0);
    const file = path.join(emu.dir, 'rotated-tokens.enc');
    fs.copyFileSync(emu.config.actionstep.tokenStore!.path, file);
    const written = fs.readFileSync(file, 'utf8');
    const rotated = write('rotated.json', (c) => { c.actionstep.tokenStore = { path: file, passphrase: 'a passphrase chosen later' }; });
    const stopped = await runCli(['discover', '--config', rotated, '--json', '--run', 'rotated']);
    expect(stopped.code).toBe(2);
    expect(stopped.stderr).toContain(`astep-migrate: actionstep.tokenStore: the stored Actionstep sign-in ${file} cannot be read: it does not decrypt with this passphrase (a wrong passphrase, or the file was modified). `
      + 'If actionstep.tokenStore.passphrase was changed by mistake, set it back to the passphrase the file was written with. '
      + 'If it was changed on purpose, or the file is damaged, run the step again with --sign-in-again');
    expect(stopped.stderr).not.toContain('unexpected error');
    expect(stopped.stderr).not.toContain('a passphrase chosen later');
    expect(fs.readFileSync(file, 'utf8')).toBe(written); // nothing lost: the old passphrase still opens it
    const again = await runCli(['discover', '--config', rotated, '--json', '--run', 'rotated', '--sign-in-again']);
    expect(again.code).toBe(0);
    const aside = fs.readdirSync(emu.dir).filter((f) => f.startsWith('rotated-tokens.enc.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(emu.dir, aside[0]), 'utf8')).toBe(written);
    expect(fs.statSync(path.join(emu.dir, aside[0])).mode & 0o777).toBe(0o600);
    expect(again.stderr).toContain(`The stored Actionstep sign-in ${file} cannot be read (it does not decrypt with this passphrase (a wrong passphrase, or the file was modified)): it is kept as ${path.join(emu.dir, aside[0])}. Signing in again.`);
    // The new sign-in is written with the new passphrase: the next step uses it without asking.
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const next = await runCli(['discover', '--config', rotated, '--json', '--run', 'rotated']);
    expect(next.code).toBe(0);
    expect(next.stderr).not.toContain('Signing in again');
    // A readable sign-in is replaced on request (to sign in as another user), with nothing kept aside.
    const replaced = await runCli(['discover', '--config', rotated, '--json', '--run', 'rotated', '--sign-in-again']);
    expect(replaced.code).toBe(0);
    expect(replaced.stderr).toContain(`Signing in to Actionstep again (--sign-in-again): the stored sign-in ${file} is replaced.`);
    expect(fs.readdirSync(emu.dir).filter((f) => f.startsWith('rotated-tokens.enc.unreadable-'))).toHaveLength(1);
  });

  test('unreachable addresses name the config field and the URL, and exit 2', async () => {
    const dv = await runCli(['discover', '--config', write('dv-down.json', (c) => { c.dataverse.tokenEndpointOrigin = closedPort; }), '--json']);
    expect(dv.code).toBe(2);
    // msal-node keeps no socket error code, only that nothing answered.
    expect(dv.stderr).toContain(`astep-migrate: cannot reach dataverse.tokenEndpointOrigin ${closedPort}: no answer (network error). Check dataverse.tokenEndpointOrigin in the config file, and that the service is up.`);
    // Another address for the environment: the sign-in service says it knows no such resource, and the field is named.
    const moved = await runCli(['discover', '--config', write('dv-moved.json', (c) => { c.dataverse.webApiUrl = `${closedPort}/api/data/v9.2/`; }), '--json']);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toContain(`astep-migrate: dataverse.webApiUrl ${closedPort}/api/data/v9.2/: the sign-in service knows no Dataverse environment at this address in the tenant (AADSTS500011). Check dataverse.webApiUrl in the config file.`);
    const token = await runCli(['discover', '--config', write('as-down.json', (c) => {
      c.actionstep.authorizeUrl = `${closedPort}/api/oauth/authorize`;
      c.actionstep.tokenStore!.path = path.join(emu.dir, 'fresh-tokens.enc');
    }), '--json']);
    expect(token.code).toBe(2);
    expect(token.stderr).toContain(`astep-migrate: cannot reach actionstep.authorizeUrl ${closedPort}/api/oauth/authorize: connection refused (ECONNREFUSED).`);
    expect(dv.stderr + moved.stderr + token.stderr).not.toMatch(/fetch failed|unexpected error/);
  });

  test('"http://" and an unknown time zone are refused by field; a relative secret file is read beside the config file', async () => {
    const bad = await runCli(['config-check', '--config', write('bad.json', (c) => {
      c.actionstep.tokenUrl = 'http://';
      c.migration = { ...c.migration, timeZone: 'Mars/Olympus_Mons' };
    })]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('actionstep.tokenUrl must be an http(s) URL with a host name (like https://example.com/...), got "http://"');
    const zone = await runCli(['config-check', '--config', write('zone.json', (c) => { c.migration = { ...c.migration, timeZone: 'Mars/Olympus_Mons' }; })]);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toContain('migration.timeZone: "Mars/Olympus_Mons" is not an IANA time zone name (like "Australia/Sydney", "Pacific/Auckland" or "UTC")');

    fs.mkdirSync(path.join(emu.dir, 'secrets'), { recursive: true });
    fs.writeFileSync(path.join(emu.dir, 'secrets', 'dataverse.txt'), `${String(emu.config.dataverse.clientSecret)}\n`, { mode: 0o600 });
    // The command runs from the repository root; the secret sits beside the config, in another folder.
    const relative = write('relative.json', (c) => { c.dataverse.clientSecret = { file: 'secrets/dataverse.txt' }; });
    const ok = await runCli(['discover', '--config', relative, '--json', '--run', 'relative-secret']);
    expect(ok.code).toBe(0);
    const missing = await runCli(['discover', '--config', write('missing-secret.json', (c) => { c.dataverse.clientSecret = { file: 'secrets/nope.txt' }; }), '--json']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`dataverse.clientSecret: cannot read secret file ${path.join(emu.dir, 'secrets', 'nope.txt')}`);
    const checked = await runCli(['config-check', '--config', relative]);
    expect(JSON.parse(checked.stdout).dataverse.clientSecret).toEqual({ file: path.join(emu.dir, 'secrets', 'dataverse.txt') });
  });

  test('extract before provision: the step says to provision first, exit 2 (not an unexpected error)', async () => {
    expect((await runCli(['discover', '--config', emu.configPath, '--run', 'not-provisioned'])).code).toBe(0);
    const r = await runCli(['extract', '--config', emu.configPath, '--run', 'not-provisioned']);
    expect([r.code, r.stderr]).toEqual([2, expect.stringContaining("the migration's tables (Migration Run and the others of the solution) are not in the Dynamics organisation at")]);
    expect(r.stderr).toContain('run `astep-migrate provision` first');
    expect(r.stderr).not.toContain('unexpected error');
  });

  test('an application user without the product\'s role is refused by Dataverse; the command says which role to assign', async () => {
    const config = write('other-app.json', (c) => {
      Object.assign(c.dataverse, { clientId: OTHER_APP.clientId, clientSecret: OTHER_APP.clientSecret });
      c.stateDir = path.join(emu.dir, 'other-app-state');
      c.actionstep.tokenStore!.path = path.join(emu.dir, 'other-app-state', 'tokens.enc');
    });
    // Reading the inventory is what a Salesperson may do; creating tables is not.
    expect((await runCli(['discover', '--config', config, '--json'])).code).toBe(0);
    const r = await runCli(['provision', '--config', config]);
    expect(r.code).toBe(2);
    // The step line says the step stopped (it must not read as done), then the message.
    expect(r.stderr).toMatch(/^✗ Creating tables and columns stopped /m);
    expect(r.stderr).not.toContain('✓');
    expect(r.stderr).toMatch(/^astep-migrate: Dataverse refused the application user of dataverse\.clientId: /m);
    expect(r.stderr).toMatch(/is missing prv\w+ privilege/);
    expect(r.stderr).toContain('An administrator must give it the "Actionstep Migration Administrator" role (and System Customizer to provision tables).');
  });
});
