// `astep-migrate emulate --clock-scale X`: the Dataverse emulator's virtual clock (service-protection window,
// execution costs, Retry-After) runs X times faster than real time. At 1 a create costs its full 288 ms of the
// emulator's cost model in real time (at the default 60 it would be ~5 ms); a bad value is a usage error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, spawnEmulate } from '../helpers/harness';

jest.setTimeout(120_000);

test('emulate --clock-scale 1 serves Dataverse in real time (a create takes its 288 ms)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-clock-test-'));
  const { child, info } = await spawnEmulate(['--firm', 'tiny', '--clock-scale', '1', '--state-dir', dir]);
  try {
    const config = JSON.parse(fs.readFileSync(info.config, 'utf8'));
    const token = await fetch(`${info.dataverse}/${config.dataverse.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: config.dataverse.clientId, client_secret: config.dataverse.clientSecret, scope: `${info.dataverse}/.default` }),
    });
    const auth = `Bearer ${((await token.json()) as { access_token: string }).access_token}`;
    const t0 = Date.now();
    const created = await fetch(`${config.dataverse.webApiUrl}accounts`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Clock' }) });
    expect(created.status).toBe(204);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a clock scale that is not a positive number is a usage error (exit 2), and --help documents the option', async () => {
  const bad = await runCli(['emulate', '--clock-scale', '0']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("option '--clock-scale <x>' argument '0' is invalid");
  const help = await runCli(['demo', '--help']);
  expect(help.code).toBe(0);
  expect(help.stdout).toMatch(/--clock-scale <x>\s+Dataverse emulator clock/);
  expect(help.stdout).toMatch(/--app-users <n>/);
});
