// The audit's last entries go to Dataverse while the run does its accounting, not after it: once the load is over
// every entry is done, so the mirror sends the rest (the short last chunk too) while the run counts its outcomes, and
// the run is recorded as completed with its audit already in Dataverse (astep_auditentry), nothing sent twice.
import { MigrationEngine, isMirrored, silentProgress, type RunState } from '@astep/orchestrator';
import { loadConfig } from '@astep/cli/config';
import { openSession, type Session } from '@astep/cli/session';
import { startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(300_000);

describe('the audit mirror at the end of a run', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  let session: Session;
  afterAll(async () => {
    session?.close();
    await emu?.close();
  });

  test('every audit row is in Dataverse before the run is recorded as completed, each once', async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7 });
    session = await openSession(loadConfig(emu.configPath), silentProgress, { command: 'test' });
    const { sink, store } = session;
    const sent: string[] = [];
    const upsert = sink.upsert.bind(sink);
    sink.upsert = async (info, targets, options) => {
      if (info.logicalName === 'astep_auditentry') sent.push(...targets.map((t) => String((t.key as { astep_auditkey: string }).astep_auditkey)));
      return upsert(info, targets, options);
    };
    // How many audit rows had gone when the run was recorded as completed.
    let sentWhenCompleted = -1;
    const saveRun = store.saveRun.bind(store);
    store.saveRun = (run: RunState) => {
      // The first time only: the run is saved again once its request count is known.
      if (sentWhenCompleted < 0 && (run.status === 'Completed' || run.status === 'Completed With Errors')) sentWhenCompleted = sent.length;
      saveRun(run);
    };
    const engine = new MigrationEngine({ source: session.source, sink, store, progress: silentProgress });
    await engine.discover(undefined, 'SalesEnterprise');
    await engine.provision();
    await engine.extract();
    const before = sent.length;
    const summary = await engine.run(undefined, { force: true });
    const runId = store.latestRunId()!;

    let mirrorable = 0;
    for (let after = 0; ;) {
      const page = store.auditPage(runId, { afterSeq: after, phase: 'run', limit: 5000 });
      if (!page.length) break;
      after = page[page.length - 1].seq;
      mirrorable += page.filter(isMirrored).length;
    }
    // The tiny firm's audit ends with a short chunk (under 1,000 entries), which the mirror while the run writes
    // (whole chunks only) never sends: it goes with the accounting, or (before) after the run was recorded.
    expect(summary.totals.migrated).toBeGreaterThan(50);
    expect(mirrorable % 1000).toBeGreaterThan(0);
    expect(sentWhenCompleted - before).toBe(mirrorable);
    expect(sent.length - before).toBe(mirrorable);
    expect(new Set(sent).size).toBe(sent.length);
    const audit = await webApi(emu, 'GET', 'astep_auditentries?$select=astep_auditkey');
    expect(audit.json.value.map((a: { astep_auditkey: string }) => a.astep_auditkey).sort()).toEqual([...sent].sort());
  });
});
