// One run, two places: a firm `astep-migrate extract` staged (mirrored to astep_stagingrow) is continued by the
// wizard's session, and a firm the wizard staged in Dataverse is continued by the command line, which adopts the run.
// Neither side asks Actionstep again for what is staged, and the counts reconcile with what was extracted.
import { WizardSession } from '@astep/orchestrator/wizard/wizardSession';
import { silentProgress } from '@astep/orchestrator/ports';
import { SCHEMA } from '@astep/solution/schema';
import { loadConfig } from '@astep/cli/config';
import { openSession } from '@astep/cli/session';
import { runCli, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(300_000);

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

test('CLI extract, then the wizard samples, approves and runs the same run; the counts reconcile', async () => {
  const emu = await startTestEmulators({ firm: 'tiny', seed: 31 });
  try {
    const discover = await runCli(['discover', '--config', emu.configPath, '--json']);
    expect(discover.code).toBe(0);
    const runId: string = discover.json.runId;
    expect((await runCli(['provision', '--config', emu.configPath, '--run', runId, '--json'])).code).toBe(0);
    const extract = await runCli(['extract', '--config', emu.configPath, '--run', runId, '--json']);
    expect(extract.code).toBe(0);
    const counts = extract.json.counts as Record<string, number>;
    expect(extract.json.stagedInDataverse).toBe(total(counts));
    // The run row the form opens: plan (with its schema) and the extraction, as the command line mirrored them.
    const row = (await webApi(emu, 'GET', `astep_migrationruns?$select=astep_currentstep,astep_extractionstartedon&$filter=astep_runid eq '${runId}'`)).json.value[0];
    expect(row).toMatchObject({ astep_currentstep: 'Extracted', astep_extractionstartedon: expect.any(String) });

    const cli = await openSession(loadConfig(emu.configPath), silentProgress);
    try {
      const opened = cli.source.requestCount(); // (opening a command-line session checks the Actionstep sign-in)
      const s = new WizardSession({ runId, source: cli.source, sink: cli.sink, progress: silentProgress });
      const state = await s.load();
      expect(state).toMatchObject({ step: 'map', licenseTier: 'SalesEnterprise', extractedOn: row.astep_extractionstartedon });
      expect(await s.stagedCounts()).toEqual(counts);
      expect((await s.proposals()).length).toBeGreaterThan(0);
      expect(cli.source.requestCount()).toBe(opened); // nothing staged was read from Actionstep again
      await s.sample(); // (document bytes are not staged: notes with attachments download them)
      expect((await s.approve('admin@firm.example')).problems).toEqual([]);
      const summary = await s.runFull();
      expect(summary.reconciles).toBe(true);
      expect(summary.totals.extracted).toBe(total(counts));
      for (const o of summary.objects) expect({ object: o.object, extracted: o.extracted }).toEqual({ object: o.object, extracted: counts[o.object] });
    } finally {
      cli.close();
    }
  } finally {
    await emu.close();
  }
});

test('the wizard stages, then the command line adopts the run and samples, approves and runs it; the counts reconcile', async () => {
  const emu = await startTestEmulators({ firm: 'tiny', seed: 32 });
  try {
    const runId = 'crm-handoff-1';
    const cli = await openSession(loadConfig(emu.configPath), silentProgress);
    let counts: Record<string, number>;
    try {
      await cli.sink.provision(SCHEMA);
      await webApi(emu, 'POST', 'astep_migrationruns', { astep_name: 'Staged in CRM', astep_runid: runId });
      const s = new WizardSession({ runId, source: cli.source, sink: cli.sink, progress: silentProgress });
      await s.load();
      await s.discover('SalesEnterprise', {});
      counts = await s.prepare();
    } finally {
      cli.close();
    }
    // A state folder that never saw the run: the command line adopts it from Dataverse.
    const sample = await runCli(['sample', '--config', emu.configPath, '--run', runId, '--json']);
    expect({ code: sample.code, stderr: sample.code === 0 ? '' : sample.stderr }).toEqual({ code: 0, stderr: '' });
    expect(sample.stderr).toMatch(new RegExp(`adopted run ${runId} from Dataverse: ${total(counts)} staged records`));
    expect((await runCli(['approve', '--config', emu.configPath, '--run', runId])).code).toBe(0);
    const run = await runCli(['run', '--config', emu.configPath, '--run', runId, '--json', '--accept-failures']);
    expect(run.code).toBe(0);
    expect(run.json.reconciles).toBe(true);
    expect(run.json.totals.extracted).toBe(total(counts));
    // An unknown run is refused by name, not created empty.
    const unknown = await runCli(['sample', '--config', emu.configPath, '--run', 'no-such-run', '--json']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run no-such-run in the state store, and it cannot be continued from Dataverse: no migration run no-such-run in Dataverse/);
  } finally {
    await emu.close();
  }
});
