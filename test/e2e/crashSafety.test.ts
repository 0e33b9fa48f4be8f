// A kill at any moment converges: `run` and `rollback` are SIGKILLed at 10 random points (5 each, seeded; printed
// with ASTEP_TEST_VERBOSE=1, and the seed is CRASH_SEED)
// and started again; the final Dataverse state equals an uninterrupted run's (no duplicates, nothing lost), every
// audit entry is completed, and after rollback Dataverse equals its snapshot from before the run.
import Database from 'better-sqlite3';
import path from 'node:path';
import { Rng } from '@astep/actionstep-emulator/generator';
import { runCli, snapshot, snapshotDiff, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(600_000);

const SEED = Number(process.env.CRASH_SEED ?? 20261126);
/** Where the kills fell and what faults were injected: printed on request only (a quiet run prints its result). */
const note = (line: string) => {
  if (process.env.ASTEP_TEST_VERBOSE) process.stderr.write(line);
};

type Emu = Awaited<ReturnType<typeof startTestEmulators>>;

/** Discover, provision, extract; returns the snapshot from before the run (which begins with the sample). */
async function prepare(emu: Emu) {
  for (const s of ['discover', 'provision', 'extract']) {
    const r = await runCli([s, '--config', emu.configPath, '--json']);
    expect([s, r.code, r.stderr.slice(-500)]).toEqual([s, 0, expect.any(String)]);
  }
  const before = await snapshot(emu);
  expect((await runCli(['sample', '--config', emu.configPath, '--json'])).code).toBe(0);
  expect((await runCli(['approve', '--config', emu.configPath, '--approved-by', 'crash test'])).code).toBe(0);
  return before;
}

/** Kills `step` at each of the given moments, then lets it finish. Returns how many kills hit a running process. */
async function killAndResume(emu: Emu, step: string[], killsAtMs: number[]): Promise<number> {
  let hits = 0;
  for (const ms of killsAtMs) {
    const r = await runCli([...step, '--config', emu.configPath, '--json'], { killAfterMs: ms });
    if (r.signal === 'SIGKILL') hits++;
  }
  const done = await runCli([...step, '--config', emu.configPath, '--json']);
  const why = done.code === 0 ? '' : `${done.stderr.slice(-800)}\n${JSON.stringify((done.json?.items ?? []).filter((i: { action: string }) => i.action === 'conflict' || i.action === 'failed')).slice(0, 2000)}`;
  expect([step.join(' '), done.code, why]).toEqual([step.join(' '), 0, '']);
  return hits;
}

/** The same edits in both environments: a matter renamed and a late time entry on it. */
function changeActionstep(emu: Emu): void {
  const truth = emu.actionstep.firm.groundTruth().records;
  const matter = truth.actions.find((m) => !m.isDeleted && m.status === 'Active')!;
  emu.actionstep.mutate.update('actions', matter.id, { name: `${matter.name} (renamed during cutover)` });
  const te = truth.timeentries.find((t) => t.actionId === matter.id)!;
  emu.actionstep.mutate.insert('timeentries', { ...te, id: '', description: 'Late entry during cutover', actualHours: 0.4 });
}

function pendingAudit(emu: Emu): number {
  const db = new Database(path.join(emu.config.stateDir, 'state.db'), { readonly: true });
  try {
    return (db.prepare("SELECT COUNT(*) n FROM audit WHERE status = 'pending'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('crash safety: SIGKILL at random points during run and rollback', () => {
  let baseline: Emu;
  let crashed: Emu;
  let faulty: Emu;
  let expected: Awaited<ReturnType<typeof snapshot>>;
  afterAll(async () => {
    await baseline?.close();
    await crashed?.close();
    await faulty?.close();
  });

  test('run and delta converge to the uninterrupted state, then rollback returns to the pre-run snapshot', async () => {
    // Uninterrupted reference run.
    baseline = await startTestEmulators({ firm: 'tiny', seed: 11 });
    await prepare(baseline);
    const t0 = Date.now();
    const ref = await runCli(['run', '--config', baseline.configPath, '--json', '--accept-failures']);
    const runMs = Date.now() - t0;
    expect(ref.code).toBe(0);
    expected = await snapshot(baseline);

    // The same firm, killed at random moments.
    crashed = await startTestEmulators({ firm: 'tiny', seed: 11 });
    const before = await prepare(crashed);
    const prng = new Rng(SEED);
    const random = () => prng.next();
    // Each attempt is killed this long after it starts (the process needs ~0.5 s to sign in and read its state),
    // so the five kills fall at random points spread over the work that is left.
    const runKills = Array.from({ length: 5 }, () => Math.round(400 + random() * Math.max(600, runMs / 4)));
    const rollbackKills = Array.from({ length: 5 }, () => Math.round(400 + random() * 1200));
    note(`crash points (seed ${SEED}): run ${runKills.join(', ')} ms; rollback ${rollbackKills.join(', ')} ms (uninterrupted run took ${runMs} ms)\n`);

    const runHits = await killAndResume(crashed, ['run', '--accept-failures'], runKills);
    expect(runHits).toBeGreaterThan(0);
    const afterRun = await snapshot(crashed);
    expect(snapshotDiff(expected, afterRun)).toEqual([]);
    expect(pendingAudit(crashed)).toBe(0);
    const audit = await webApi(crashed, 'GET', 'astep_auditentries?$select=astep_auditkey,_astep_migrationrunid_value&$count=true');
    expect(audit.json.value.length).toBeGreaterThan(0);
    expect(audit.json.value.every((a: { _astep_migrationrunid_value: string | null }) => !!a._astep_migrationrunid_value)).toBe(true);
    expect(new Set(audit.json.value.map((a: { astep_auditkey: string }) => a.astep_auditkey)).size).toBe(audit.json.value.length);

    // Changes in Actionstep after extraction, picked up by `delta`: uninterrupted on the baseline, killed here.
    changeActionstep(baseline);
    expect((await runCli(['delta', '--config', baseline.configPath, '--json', '--accept-failures'])).code).toBe(0);
    const expectedDelta = await snapshot(baseline);
    changeActionstep(crashed);
    const deltaKills = [0, 1, 2].map(() => Math.round(400 + random() * 600));
    const deltaHits = await killAndResume(crashed, ['delta', '--accept-failures'], deltaKills);
    expect(snapshotDiff(expectedDelta, await snapshot(crashed))).toEqual([]);
    expect(snapshotDiff(expected, expectedDelta).length).toBeGreaterThan(0); // the delta changed something

    const rollbackHits = await killAndResume(crashed, ['rollback'], rollbackKills);
    note(`kills that hit a running process: run ${runHits}/5, delta ${deltaHits}/3 at ${deltaKills.join(', ')} ms, rollback ${rollbackHits}/5\n`);
    expect(snapshotDiff(before, await snapshot(crashed))).toEqual([]);
    expect(pendingAudit(crashed)).toBe(0);
  });

  test('10% injected faults on both APIs (5xx, 429, resets, slow responses, expired tokens) give the same result', async () => {
    expect(expected).toBeDefined();
    faulty = await startTestEmulators({ firm: 'tiny', seed: 11, faults: 0.1 });
    await prepare(faulty);
    const r = await runCli(['run', '--config', faulty.configPath, '--json', '--accept-failures']);
    expect([r.code, r.stderr.slice(-800)]).toEqual([0, expect.any(String)]);
    const dv = faulty.dataverse.counters().faults;
    faulty.dataverse.setFaults({}); // the test's own reads go through clean
    expect(snapshotDiff(expected, await snapshot(faulty))).toEqual([]);
    const as = faulty.actionstep.counters() as unknown as { faults?: Record<string, number> };
    note(`faults injected: Dataverse ${JSON.stringify(dv)}, Actionstep ${JSON.stringify(as.faults ?? as)}\n`);
    expect(Object.values(dv).reduce((a, b) => a + b, 0)).toBeGreaterThan(10);
  });
});
