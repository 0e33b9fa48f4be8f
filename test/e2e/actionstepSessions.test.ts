// Several Actionstep sign-ins, through the real command line against the emulator: discover checks that they are
// different users who see the same matters and names the one that does not; extraction spreads its pages across
// them (each sign-in answers a share) and stages exactly what one sign-in stages; the single form keeps working.
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startTestEmulators } from '../helpers/harness';
import { stagedRows, variant } from '../helpers/stagedFirm';

jest.setTimeout(300_000);

type Emu = Awaited<ReturnType<typeof startTestEmulators>>;

const tokenStore = (emu: Emu, dir: string, n: number) => ({ path: path.join(emu.dir, dir, `tokens-${n}.enc`), passphrase: `pass-${n}-of-${dir}` });

describe('several Actionstep sign-ins', () => {
  let emu: Emu;
  afterAll(async () => emu?.close());

  test('two users who see the same matters: extraction is spread across them and stages what one sign-in stages', async () => {
    // Seed 11: three restricted matters (37: users 2 and 4; 43: 1, 2 and 3; 48: 4 and 8).
    emu = await startTestEmulators({ firm: 'tiny', seed: 11, actionstepSessions: 2, appUsers: 2 });
    const sessions = emu.config.actionstep.sessions!;
    expect(sessions.map((x) => x.loginHint)).toEqual([emu.actionstep.firm.userEmail('1'), emu.actionstep.firm.userEmail('2')]);
    // Pages of 10 so that every resource has several and the larger ones are cut into spans.
    const two = variant(emu, 'two', (c) => {
      c.actionstep.pageSize = 10;
      c.actionstep.requestsPerSecond = 30;
    });
    const discover = await runCli(['discover', '--config', two.file, '--json']);
    expect([discover.code, discover.stderr.slice(-400)]).toEqual([0, expect.any(String)]);
    const checks = discover.json.plan.source.sessions;
    expect(checks.map((c: { name: string; userId: string; sameMatters: boolean }) => [c.name, c.userId, c.sameMatters])).toEqual([
      [`actionstep.sessions[0] (${sessions[0].loginHint})`, '1', true],
      [`actionstep.sessions[1] (${sessions[1].loginHint})`, '2', true],
    ]);
    // The plan's time section prices the calls at each sign-in's configured pace, the writes across both application users.
    const time = discover.json.plan.time;
    expect(time.actionstep.sessions.map((x: { name: string; requestsPerSecond: number; basis: string }) => [x.name, x.requestsPerSecond, x.basis]))
      .toEqual(checks.map((c: { name: string }) => [c.name, 30, 'configured (actionstep.requestsPerSecond)']));
    expect(time.actionstep.requestsPerSecond).toBe(60);
    expect(time.dataverse.applicationUsers).toBe(2);
    expect(time.entitlement.days).toBeGreaterThan(0);
    // Extract's copy of every staged record to Dynamics, and provisioning's schema changes on this fresh environment.
    expect(time.dataverse.staging.records).toBe(Object.values(discover.json.plan.source.counts as Record<string, number>).reduce((a, b) => a + b, 0));
    expect(time.provision.metadataWrites).toBeGreaterThan(50);
    expect(time.recommendation.message).toMatch(/Actionstep sign-in/);
    const planHtml = fs.readFileSync(path.join(two.config.outDir!, 'plan.html'), 'utf8');
    expect(planHtml).toContain('<h2>How long it takes</h2>');
    expect(planHtml).toContain('Daily request entitlement');
    // Extract mirrors its staging to the solution's astep_stagingrow table: provisioned once.
    expect((await runCli(['provision', '--config', two.file])).code).toBe(0);
    const extract = await runCli(['extract', '--config', two.file, '--json']);
    expect([extract.code, extract.stderr.slice(-400)]).toEqual([0, expect.any(String)]);
    const answered = extract.json.sessions.map((x: { answered: number }) => x.answered);
    // Both carry a real share (neither did it all): the pages are spread, each under its own user's limit.
    expect(Math.min(...answered) / (answered[0] + answered[1])).toBeGreaterThan(0.25);

    // The same firm through one sign-in (the single form) stages exactly the same records.
    const one = variant(emu, 'one', (c) => {
      delete c.actionstep.sessions;
      c.actionstep.tokenStore = tokenStore(emu, 'one', 1);
      c.actionstep.loginHint = sessions[0].loginHint;
    });
    const discoverOne = await runCli(['discover', '--config', one.file, '--json']);
    expect(discoverOne.code).toBe(0);
    // One sign-in with no pace configured: one request every 2 s assumed, so twice the time of two sign-ins at that pace.
    const timeOne = discoverOne.json.plan.time.actionstep;
    expect(timeOne.sessions[0].basis).toMatch(/^assumed: one request every 2 s/);
    expect(Math.abs(timeOne.atProductionPaceMinutes - 2 * time.actionstep.atProductionPaceMinutes)).toBeLessThanOrEqual(0.2);
    expect((await runCli(['extract', '--config', one.file, '--json'])).code).toBe(0);
    const reference = stagedRows(one.config);
    expect(reference.length).toBeGreaterThan(1000);
    // The restricted matters are there: both users were nominated on them.
    expect(reference.filter((r) => r.resource === 'actions' && ['37', '43', '48'].includes(r.id)).length).toBe(3);
    expect(stagedRows(two.config)).toEqual(reference);
  });

  test('a sign-in that does not see the same matters is named by discover, and extract will not read through it', async () => {
    // User 3 is not nominated on every restricted matter: it sees 43 but not 37 or 48, which user 1 (nominated) sees.
    const mixed = variant(emu, 'mixed', (c) => {
      c.actionstep.sessions = [
        { loginHint: emu.actionstep.firm.userEmail('1')!, tokenStore: tokenStore(emu, 'mixed', 1) },
        { loginHint: emu.actionstep.firm.userEmail('3')!, tokenStore: tokenStore(emu, 'mixed', 2) },
      ];
    });
    const discover = await runCli(['discover', '--config', mixed.file, '--json']);
    expect(discover.code).toBe(0);
    const second = discover.json.plan.source.sessions[1];
    expect(second).toMatchObject({ userId: '3', sameMatters: false, notSeen: ['37', '48'], onlyThisSees: [] });
    const name = `actionstep.sessions[1] (${emu.actionstep.firm.userEmail('3')})`;
    expect(discover.json.plan.warnings.find((w: string) => w.startsWith(name))).toMatch(/does not see the same matters as actionstep\.sessions\[0\]/);
    const extract = await runCli(['extract', '--config', mixed.file, '--json']);
    expect(extract.code).toBe(2);
    expect(extract.stderr).toContain(`extraction stopped before reading: ${name}`);
    expect(fs.existsSync(path.join(mixed.config.stateDir, 'state.db')) && stagedRows(mixed.config)).toEqual([]);
  });

  test('two sign-ins of one user are refused: they would share one rate limit', async () => {
    // No login hint: the emulator consents as the firm's administrator both times.
    const twice = variant(emu, 'twice', (c) => {
      c.actionstep.sessions = [{ tokenStore: tokenStore(emu, 'twice', 1) }, { tokenStore: tokenStore(emu, 'twice', 2) }];
    });
    const discover = await runCli(['discover', '--config', twice.file]);
    expect(discover.code).toBe(2);
    expect(discover.stderr).toContain('actionstep.sessions[1] signs in as the same Actionstep user as actionstep.sessions[0]');
    expect(discover.stderr).toContain('a second sign-in of one user adds no capacity');
  });
});
