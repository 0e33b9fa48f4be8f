// `npm start`'s command on the tiny firm with rollback, and `astep-migrate emulate` as a long-running server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, spawnEmulate } from '../helpers/harness';

jest.setTimeout(300_000);

test('demo --rollback --json: the run reconciles per object, every mapping lands, rollback returns Dataverse to its pre-run snapshot', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-demo-test-'));
  try {
    const r = await runCli(['demo', '--firm', 'tiny', '--seed', '3', '--rollback', '--json', '--out', out]);
    expect([r.code, r.stderr.slice(-1000)]).toEqual([0, expect.any(String)]);
    const d = r.json;
    expect(d.reconciles).toBe(true);
    for (const o of d.objects) expect(o.extracted).toBe(o.migrated + o.skipped + o.failed);
    expect(d.totals.extracted).toBeGreaterThan(2000);
    for (const [mapping, n] of Object.entries(d.mappings)) expect([mapping, (n as number) > 0]).toEqual([mapping, true]);
    expect(d.sample.mismatches).toBe(0);
    expect(d.rollback).toMatchObject({ complete: true, snapshotEqual: true, differenceCount: 0 });
    expect(d.rollback.counts.deleted).toBeGreaterThan(1000);
    expect(d.rollback.counts.restored).toBeGreaterThan(0); // the demo's pre-existing CRM records, matched and updated
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('Outcome per Actionstep object');
    expect(html).not.toMatch(/<script/i); // source data is escaped, never markup
    expect(JSON.stringify(d.config)).toContain('***');
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test('emulate serves both APIs, prints one JSON line, and exits cleanly on SIGTERM', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-emulate-test-'));
  const { child, info } = await spawnEmulate(['--firm', 'tiny', '--limits', 'off', '--state-dir', dir]);
  try {
    expect(Object.keys(info).sort()).toEqual(['actionstep', 'config', 'dataverse']);
    const config = JSON.parse(fs.readFileSync(info.config, 'utf8'));
    // Dataverse: no token, no data; a client-credentials token opens it.
    expect((await fetch(`${config.dataverse.webApiUrl}accounts`)).status).toBe(401);
    const token = await fetch(`${info.dataverse}/${config.dataverse.tenantId}/oauth2/v2.0/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: config.dataverse.clientId, client_secret: config.dataverse.clientSecret, scope: `${info.dataverse}/.default` }),
    });
    expect(token.status).toBe(200);
    const accounts = await fetch(`${config.dataverse.webApiUrl}accounts?$top=1`, { headers: { authorization: `Bearer ${((await token.json()) as { access_token: string }).access_token}` } });
    expect(accounts.status).toBe(200);
    // Actionstep: the authorize endpoint consents at once and redirects with code and state.
    const auth = await fetch(`${config.actionstep.authorizeUrl}?response_type=code&client_id=${config.actionstep.clientId}&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/callback')}&scope=all&state=xyz`, { redirect: 'manual' });
    expect(auth.status).toBe(302);
    expect(auth.headers.get('location')).toMatch(/^http:\/\/127\.0\.0\.1:9\/callback\?code=[^&]+&state=xyz$/);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
