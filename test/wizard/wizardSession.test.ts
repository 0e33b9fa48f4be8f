// The wizard's engine session (the code the Mapping Wizard runs in the browser), here in Node against the
// emulators: Discover → prepare (provision + extract, staged in astep_stagingrow) → proposals → sample → approve →
// run → delta → verify, state saved on the Migration Run row, and a second session on the same row (a reload)
// resumes with the approval and the staged firm without one Actionstep request.
import fs from 'node:fs';
import path from 'node:path';
import { newestRunAttachment, RUN_NOTE_TRUST_LEDGER, WizardSession } from '@astep/orchestrator/wizard/wizardSession';
import { parseTrustLedgerFile, TrustLedgerFileSource } from '@astep/actionstep-connector';
import { parseWizardState } from '@astep/orchestrator/wizard/wizardState';
import { silentProgress } from '@astep/orchestrator/ports';
import { SCHEMA } from '@astep/solution/schema';
import { loadConfig } from '@astep/cli/config';
import { openSession } from '@astep/cli/session';
import { rollbackFromDataverse } from '@astep/orchestrator/safety/rollbackFromDataverse';
import { snapshot, snapshotDiff, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(240_000);
let emu: Awaited<ReturnType<typeof startTestEmulators>>;
afterAll(async () => emu?.close());

test('Discover to Verify, then a reload resumes from the row', async () => {
  emu = await startTestEmulators({ firm: 'tiny', seed: 11 });
  const cli = await openSession(loadConfig(emu.configPath), silentProgress);
  // What importing the solution does in a real org: the engine's tables exist before the wizard opens.
  await cli.sink.provision(SCHEMA);
  const runId = 'wizard-run-1';
  // The admin created the row in CRM (the form needs its run id).
  await webApi(emu, 'POST', 'astep_migrationruns', { astep_name: 'Wizard run', astep_runid: runId });
  const s = new WizardSession({ runId, source: cli.source, sink: cli.sink, progress: silentProgress });
  await s.load();
  const plan = await s.discover('SalesEnterprise', { opportunityStrategy: 'perMatter' });
  expect(plan.options.opportunityStrategy).toBe('perMatter');
  const counts = await s.prepare();
  expect(counts.actions).toBeGreaterThan(0);
  const proposals = await s.proposals();
  const people = proposals.find((p) => p.object === 'participants');
  expect(people?.fields.find((f) => f.sourceField === 'email')?.targetColumn).toBe('emailaddress1');
  const beforeSample = await snapshot(emu);
  const sample = await s.sample();
  expect(sample.diff.length).toBeGreaterThan(0);
  expect((await s.approve('admin@firm.example')).problems).toEqual([]);
  expect(s.state.approved).toBe(true);

  // Staged in Dataverse, one row per record, keyed run|resource|id.
  const stagedRows = await webApi(emu, 'GET', `astep_stagingrows?$select=astep_stagingkey&$filter=startswith(astep_stagingkey,'${runId}|actions|')`);
  expect(stagedRows.json.value.length).toBe(counts.actions);
  expect(s.store.getRun(runId)).toBeTruthy();
  expect(() => s.store.staged('actions')).toThrow(/keeps staging in Dataverse/);

  // A reload: a new session on the same row reads plan and staging from Dataverse, not from Actionstep.
  const requestsBefore = cli.source.requestCount();
  const again = new WizardSession({ runId, source: cli.source, sink: cli.sink, progress: silentProgress });
  const state = await again.load();
  expect(state.step).toBe('run');
  expect(again.run?.approval?.approvedOn).toBeTruthy();
  expect((again.run?.plan as { options: { opportunityStrategy: string } }).options.opportunityStrategy).toBe('perMatter');
  expect(await again.store.stagedCountAsync('actions')).toBe(counts.actions);
  expect(await again.stagedCounts()).toEqual(counts);
  expect((await again.proposals()).length).toBe(proposals.length);
  expect(cli.source.requestCount()).toBe(requestsBefore);

  const summary = await again.runFull();
  expect(summary.reconciles).toBe(true);
  expect(summary.totals.migrated).toBeGreaterThan(0);
  expect(summary.totals.extracted).toBe(Object.values(counts).reduce((a, b) => a + b, 0));
  const delta = await again.delta();
  expect(delta.summary.reconciles).toBe(true);
  const verify = await again.verify();
  expect(verify.unexplained).toBe(0);
  const row = await webApi(emu, 'GET', `astep_migrationruns?$select=astep_wizardstate,astep_currentstep&$filter=astep_runid eq '${runId}'`);
  const saved = parseWizardState(row.json.value[0].astep_wizardstate);
  expect(saved).toMatchObject({ step: 'verify', approved: true, licenseTier: 'SalesEnterprise' });
  expect(saved.runCompletedOn && saved.verifiedOn && saved.lastDeltaOn).toBeTruthy();
  // The audit continued across the reload (no sequence reused), so a rollback from CRM undoes the sample too.
  const rolledBack = await rollbackFromDataverse(cli.sink, runId, silentProgress);
  expect(rolledBack.complete).toBe(true);
  expect(snapshotDiff(beforeSample, await snapshot(emu))).toEqual([]);
  cli.close();
});

test('pause holds every write until resume, and the run then completes', async () => {
  const e = await startTestEmulators({ firm: 'tiny', seed: 12 });
  try {
    const cli = await openSession(loadConfig(e.configPath), silentProgress);
    await cli.sink.provision(SCHEMA);
    const s = new WizardSession({ runId: 'wizard-run-2', source: cli.source, sink: cli.sink, progress: silentProgress });
    await s.load();
    await s.discover('SalesEnterprise', {});
    await s.prepare();
    await s.sample();
    await s.approve('admin');
    await s.pause();
    let finished = false;
    const run = s.runFull().then((r) => ((finished = true), r));
    // The run maps the firm, reads what exists, then reaches its first write, which waits at the gate.
    for (let i = 0; i < 100 && s.gate.held === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(s.gate.held).toBeGreaterThan(0);
    const requests = cli.sink.requestCount();
    const contacts = (await webApi(e, 'GET', 'contacts?$select=contactid')).json.value.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(finished).toBe(false);
    expect(cli.sink.requestCount()).toBe(requests);
    expect((await webApi(e, 'GET', 'contacts?$select=contactid')).json.value.length).toBe(contacts);
    expect(s.state.paused).toBe(true);
    await s.resume();
    const summary = await run;
    expect(summary.reconciles).toBe(true);
    expect(s.gate.held).toBe(0);
    expect(cli.sink.requestCount()).toBeGreaterThan(requests);
    expect((await webApi(e, 'GET', 'contacts?$select=contactid')).json.value.length).toBeGreaterThan(contacts);
    cli.close();
  } finally {
    await e.close();
  }
});

test('saves of the wizard state made at the same time apply one after another (none writes back an older state)', async () => {
  const e = await startTestEmulators({ firm: 'tiny', seed: 13 });
  try {
    const cli = await openSession(loadConfig(e.configPath), silentProgress);
    await cli.sink.provision(SCHEMA);
    await webApi(e, 'POST', 'astep_migrationruns', { astep_name: 'Concurrent saves', astep_runid: 'wizard-run-3' });
    const s = new WizardSession({ runId: 'wizard-run-3', source: cli.source, sink: cli.sink, progress: silentProgress });
    await s.load();
    await s.saveState({ runRequest: { requestedOn: '2026-11-26T00:00:00Z', requestedBy: 'admin' } });
    // As when "Pause" is clicked while the run's first save (which clears the request) is still on the wire.
    await Promise.all([s.saveState({ runRequest: null, step: 'run' }), s.saveState({ paused: true })]);
    const row = await webApi(e, 'GET', "astep_migrationruns?$select=astep_wizardstate&$filter=astep_runid eq 'wizard-run-3'");
    expect(parseWizardState(row.json.value[0].astep_wizardstate)).toMatchObject({ runRequest: null, step: 'run', paused: true });
    cli.close();
  } finally {
    await e.close();
  }
});

test('the trust ledger export attached to the run\'s row as a note is what the wizard stages; without one, trust is not migrated', async () => {
  const e = await startTestEmulators({ firm: 'tiny', seed: 14 });
  try {
    const cli = await openSession(loadConfig(e.configPath), silentProgress);
    await cli.sink.provision(SCHEMA);
    const runId = 'wizard-run-4';
    await webApi(e, 'POST', 'astep_migrationruns', { astep_name: 'Trust from a note', astep_runid: runId });
    const session = () => new WizardSession({
      runId, source: cli.source, sink: cli.sink, progress: silentProgress,
      trustLedger: new TrustLedgerFileSource(RUN_NOTE_TRUST_LEDGER, () => newestRunAttachment(cli.sink, runId)),
    });
    const bare = session();
    await bare.load();
    await bare.discover('SalesEnterprise', {});
    await bare.prepare();
    expect(bare.engine.trustLedgerStatus(runId)).toMatchObject({ given: false, source: RUN_NOTE_TRUST_LEDGER });
    expect(await bare.store.stagedCountAsync('trustledger')).toBe(0);

    // The admin attaches the export Actionstep gave them to the row (a note with a file, on the row's timeline).
    const file = e.config.actionstep.trustLedgerFile!;
    const bytes = fs.readFileSync(file);
    const [row] = (await webApi(e, 'GET', `astep_migrationruns?$select=astep_migrationrunid&$filter=astep_runid eq '${runId}'`)).json.value;
    const note = await webApi(e, 'POST', 'annotations', {
      subject: 'Trust ledger export', filename: path.basename(file), mimetype: 'text/csv', documentbody: bytes.toString('base64'),
      'objectid_astep_migrationrun@odata.bind': `/astep_migrationruns(${row.astep_migrationrunid})`,
    });
    expect(note.status).toBeLessThan(300);
    const parsed = await parseTrustLedgerFile({ name: path.basename(file), bytes });
    const attached = session();
    await attached.load();
    await attached.discover('SalesEnterprise', {});
    await attached.prepare({ force: true });
    expect(attached.engine.trustLedgerStatus(runId)).toMatchObject({ given: true, rows: parsed.rows.length });
    expect(await attached.store.stagedCountAsync('trustledger')).toBeGreaterThanOrEqual(parsed.rows.length);
    expect(parsed.rows.length).toBeGreaterThan(0);
    cli.close();
  } finally {
    await e.close();
  }
});
