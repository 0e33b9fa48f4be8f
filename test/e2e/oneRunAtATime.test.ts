// One run at a time. Two `run`s on one state folder: the second is refused at once (exit 2) naming the first
// (pid, host, user, command, since) and the first finishes with the right data and summary. A runner elsewhere (the
// wizard in Dynamics) holding the run's lease on its Migration Run row: the command line is refused naming it, and
// runs once the lease is released.
import { dataverseIdentities } from '@astep/cli/config';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { DataverseClient, DataverseSink, createClientSecretCredential, createNodeTransport, createRedirectingNetworkClient } from '@astep/dataverse-connector';
import { RunLease } from '@astep/orchestrator';
import { CLI, ROOT, runCli, startTestEmulators, webApi } from '../helpers/harness';
import { LOCK_FILE } from '@astep/cli/state/stateLock';

jest.setTimeout(300_000);

describe('one run at a time', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  const step = (name: string, ...extra: string[]) => runCli([name, '--config', emu.configPath, '--json', ...extra]);

  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 11 });
    for (const s of ['discover', 'provision', 'extract']) expect((await step(s)).code).toBe(0);
  });
  afterAll(async () => emu?.close());

  test('a second `run` on the same state folder exits 2 naming the first; the first one\'s data and summary are right', async () => {
    const lockFile = path.join(emu.config.stateDir, LOCK_FILE);
    const first = spawn(process.execPath, [CLI, 'run', '--config', emu.configPath, '--json', '--force', '--accept-failures'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let firstOut = '';
    first.stdout.on('data', (d) => (firstOut += d));
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve));
    while (!fs.existsSync(lockFile)) await new Promise((r) => setTimeout(r, 10));

    const second = await step('run', '--force', '--accept-failures');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`^astep-migrate: the state folder \\S+ is in use by \`astep-migrate run\` \\(pid ${first.pid} on ${os.hostname()}, user \\S+\\) since \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\. Wait for it to finish`));
    expect(second.stdout).toBe('');

    expect(await firstDone).toBe(0);
    const summary = JSON.parse(firstOut);
    expect(summary.reconciles).toBe(true);
    expect(summary.tables.reduce((n: number, t: { created: number }) => n + t.created, 0)).toBeGreaterThan(100);
    expect(fs.existsSync(lockFile)).toBe(false);
    // What a run alone would say: a second run finds nothing to write, and the same records failed for the same reasons.
    const alone = await step('run', '--force', '--accept-failures');
    expect(alone.code).toBe(0);
    expect(alone.json.totals).toEqual(summary.totals);
    expect(alone.json.tables.every((t: { created: number; updated: number }) => t.created === 0 && t.updated === 0)).toBe(true);
    expect((await step('verify')).json.unexplained).toBe(0);
  });

  test('a lock left by a killed process is taken over with a message', async () => {
    const lockFile = path.join(emu.config.stateDir, LOCK_FILE);
    fs.writeFileSync(lockFile, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), user: 'someone', command: 'run', startedOn: '2026-01-01T00:00:00.000Z' }));
    const r = await step('verify');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`Taking over the lock on ${emu.config.stateDir} left by \`astep-migrate run\` (pid ${2 ** 22 + 12345} on ${os.hostname()}, user someone) since 2026-01-01T00:00:00.000Z: that process is no longer running.`);
    expect(fs.existsSync(lockFile)).toBe(false);
  });

  test('while the wizard holds the run\'s lease the command line is refused naming it; after release it runs', async () => {
    const d = emu.config.dataverse;
    const app = dataverseIdentities(emu.config)[0];
    const credential = createClientSecretCredential({
      tenantId: app.tenantId, clientId: app.clientId, clientSecret: String(app.clientSecret), scope: `${emu.dataverse.url}/.default`,
      networkClient: createRedirectingNetworkClient(d.tokenEndpointOrigin!),
    });
    const sink = new DataverseSink(new DataverseClient({ webApiUrl: emu.dataverse.webApiUrl, credential, transport: createNodeTransport() }), emu.dataverse.webApiUrl);
    const runId = (await step('verify')).json.runId as string;
    const lease = await RunLease.acquire(sink, runId, { id: 'wizard:test-session', name: 'the Mapping Wizard (Ann Smith)' });
    const row = (await webApi(emu, 'GET', `astep_migrationruns?$select=astep_leasesince,astep_leaseholder&$filter=astep_runid eq '${runId}'`)).json.value[0];
    expect(row.astep_leaseholder).toBe('the Mapping Wizard (Ann Smith)');

    const refused = await step('run', '--force', '--accept-failures');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`run ${runId} is being run by the Mapping Wizard (Ann Smith) since ${row.astep_leasesince}`);
    const rolledBack = await step('rollback');
    expect(rolledBack.code).toBe(2);

    await lease.release();
    expect((await step('run', '--force', '--accept-failures')).code).toBe(0);
    const cleared = (await webApi(emu, 'GET', `astep_migrationruns?$select=astep_leaseholderid,astep_leaseuntil&$filter=astep_runid eq '${runId}'`)).json.value[0];
    expect(cleared).toMatchObject({ astep_leaseholderid: null, astep_leaseuntil: null });
  });
});
