// The wizard's engine session (the code the Mapping Wizard runs in the browser), here in Node against the
// emulators: Discover → prepare (provision + extract) → proposals → sample → approve → run → delta → verify, state
// saved on the Migration Run row, and a second session on the same row (a reload) resumes with the approval and
// the staged firm.
import { WizardSession } from '@astep/orchestrator/wizard/wizardSession';
import { parseWizardState } from '@astep/orchestrator/wizard/wizardState';
import { silentProgress } from '@astep/orchestrator/ports';
import { SCHEMA } from '@astep/solution/schema';
import { loadConfig } from '../../scripts/src/config';
import { openSession } from '../../scripts/src/session';
import { startTestEmulators, webApi } from '../helpers/harness';

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
  const proposals = s.proposals();
  const people = proposals.find((p) => p.object === 'participants');
  expect(people?.fields.find((f) => f.sourceField === 'email')?.targetColumn).toBe('emailaddress1');
  const sample = await s.sample();
  expect(sample.diff.length).toBeGreaterThan(0);
  expect((await s.approve('admin@firm.example')).problems).toEqual([]);
  expect(s.state.approved).toBe(true);

  // A reload: a new session on the same row.
  const again = new WizardSession({ runId, source: cli.source, sink: cli.sink, progress: silentProgress });
  const state = await again.load();
  expect(state.step).toBe('run');
  expect(again.run?.approval?.approvedOn).toBeTruthy();
  expect(again.store.stagedCount('actions')).toBe(counts.actions);

  const summary = await again.runFull();
  expect(summary.reconciles).toBe(true);
  expect(summary.totals.migrated).toBeGreaterThan(0);
  const delta = await again.delta();
  expect(delta.summary.reconciles).toBe(true);
  const verify = await again.verify();
  expect(verify.unexplained).toBe(0);
  const row = await webApi(emu, 'GET', `astep_migrationruns?$select=astep_wizardstate,astep_currentstep&$filter=astep_runid eq '${runId}'`);
  const saved = parseWizardState(row.json.value[0].astep_wizardstate);
  expect(saved).toMatchObject({ step: 'verify', approved: true, licenseTier: 'SalesEnterprise' });
  expect(saved.runCompletedOn && saved.verifiedOn && saved.lastDeltaOn).toBeTruthy();
  cli.close();
});
