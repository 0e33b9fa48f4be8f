// `astep-migrate demo` (what `npm start` runs): both emulators on loopback, a generated firm, every step with the
// sample approved automatically, a summary table and out/report.html.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { page, plural, ProgressTimeline, reportHtml, workflowsHtml, type ProgressReporter, type RunSummary } from '@astep/orchestrator';
import { redactConfig } from './config';
import { startEmulators, type FirmSize } from './emulate';
import { createProgress } from './progress';
import { openSession } from './session';
import { ensurePrivateFile, privateDir, writePrivateFile } from './state/privateFiles';
import { snapshot, snapshotDiff } from './snapshot';
import { seedExistingCrmData } from './seedCrm';
import { migrationOverrides, formatSummary, nextCommand } from './format';
import { colorsFor } from './colors';

export interface DemoOptions {
  firm: FirmSize;
  seed: number;
  faults: number;
  json: boolean;
  outDir: string;
  rollback: boolean;
  /** Dataverse emulator clock scale (default 60). */
  clockScale?: number;
  /** Dataverse application users (default 1). */
  appUsers?: number;
}

export interface DemoResult {
  ok: boolean;
  json: Record<string, unknown>;
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  privateDir(o.outDir);
  // The log keeps what the screen leaves out (every task by its internal name); the screen gets a line per step.
  const logFile = path.join(o.outDir, 'demo.log');
  ensurePrivateFile(logFile);
  const progress = createProgress({ logFile });
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, what: string, fn: () => Promise<T> | T): Promise<T> => {
    progress.beginStep(name);
    let stopped = true;
    try {
      const result = await fn();
      stopped = false;
      return result;
    } finally {
      timings[name] = progress.endStep(what, stopped).seconds;
    }
  };
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-demo-'));
  const emulators = await time('Starting the emulators', '', () => startEmulators({ firm: o.firm, seed: o.seed, faults: o.faults, limits: 'production', stateDir, clockScale: o.clockScale, appUsers: o.appUsers }));
  try {
    const config = emulators.config;
    // While the full run writes, its ticks also feed a timeline (the report's progress chart).
    let timeline: ProgressTimeline | null = null;
    const through = () => timeline?.reporter ?? progress;
    const reporter: ProgressReporter = {
      start: (t, n) => through().start(t, n), tick: (t, n) => through().tick(t, n), done: (t) => through().done(t), log: (m) => through().log(m),
    };
    const session = await time('Signing in', '', () => openSession(config, reporter, { outDir: o.outDir }));
    try {
      const { engine } = session;
      const plan = await time('Reading the plan', '', () => engine.discover(undefined, config.dataverse.licenseTier ?? 'SalesEnterprise', migrationOverrides(config)));
      const runId = engine.requireRun().runId;
      const changes = await time('Creating tables and columns', 'changes', () => engine.provision(runId));
      for (const c of changes) progress.detail(`provision: ${c}`);
      // A real CRM is not empty: a few records exist that the migration will match (same email, same name) and update.
      const preExisting = await seedExistingCrmData(session.dataverse, emulators.actionstep.firm);
      const before = o.rollback ? await snapshot(emulators) : null;
      const counts = await time('Reading Actionstep', 'records', () => engine.extract(runId));
      await time('Downloading documents', 'files', () => engine.keepDocumentFiles(runId));
      const sample = await time('Running the sample', 'rows', () => engine.sample(runId));
      await engine.approve(runId, 'demo (approved automatically)');
      // The full run's rows over time, for the progress chart in the report.
      const runTimeline = (timeline = new ProgressTimeline(progress));
      const requestsBeforeRun = session.sink.requestCount();
      const summary: RunSummary = await time('Running the migration', 'rows', () => engine.run(runId));
      const runRequests = session.sink.requestCount() - requestsBeforeRun;
      timeline = null;
      const workflows = await time('Writing the workflow reference', '', () => engine.exportWorkflows(runId));
      let rollback: Record<string, unknown> | null = null;
      if (o.rollback && before) {
        const result = await time('Rolling back', 'changes', () => engine.rollback(runId));
        const differences = snapshotDiff(before, await snapshot(emulators));
        // Rollback goes at the speed of the run: both timed in this one demo, with every Dynamics request each sent.
        const [rollbackSeconds, runSeconds] = [timings['Rolling back'], timings['Running the migration']];
        const speed = { rollbackSeconds, runSeconds, ratio: +(rollbackSeconds / runSeconds).toFixed(2), rollbackRequests: result.dataverseRequests, runRequests };
        rollback = { counts: result.counts, complete: result.complete, snapshotEqual: differences.length === 0, differences: differences.slice(0, 20), differenceCount: differences.length, ...speed };
        if (!o.json) {
          process.stdout.write(`Rollback: ${Object.entries(result.counts).map(([k, v]) => `${k} ${v}`).join(', ')}; Dynamics ${differences.length === 0 ? 'equals' : 'DIFFERS FROM'} the snapshot taken before the run${differences.length ? ` (${plural(differences.length, 'difference')})` : ''}.\n`);
          process.stdout.write(`Rollback time / run time: ${rollbackSeconds.toFixed(1)} s / ${runSeconds.toFixed(1)} s = ${speed.ratio}; Dynamics requests: rollback ${speed.rollbackRequests}, run ${runRequests}.\n`);
        }
      }

      writePrivateFile(path.join(o.outDir, 'plan.json'), JSON.stringify(plan, null, 2));
      writePrivateFile(path.join(o.outDir, 'sample-diff.json'), JSON.stringify(sample, null, 2));
      writePrivateFile(path.join(o.outDir, 'run-summary.json'), JSON.stringify(summary, null, 2));
      writePrivateFile(path.join(o.outDir, 'workflows.html'), page('Actionstep workflow reference', workflowsHtml(workflows)));
      writePrivateFile(path.join(o.outDir, 'report.html'), reportHtml({
        title: `Actionstep → Dynamics 365 demo migration (${o.firm} firm)`, summary, sample, plan, provisioningChanges: changes.length, timings,
        runProgress: { points: runTimeline.points(), total: runTimeline.expected() },
        files: ['plan.json', 'sample-diff.json', 'run-summary.json', 'workflows.html (the Actionstep workflow reference)', 'demo.log'],
      }, { timeZone: config.migration?.timeZone }));

      const ok = summary.reconciles && (!rollback || (rollback.snapshotEqual as boolean));
      if (!o.json) {
        const c = colorsFor(process.stdout);
        process.stdout.write('\n' + formatSummary(summary, { colors: c }) + '\n\n');
        process.stdout.write(`Sample: ${plural(sample.rowCount, 'record')}, ${plural(sample.diff.length, 'field')} compared, ${plural(sample.mismatches, 'unexplained difference')}.\n`);
        process.stdout.write(`Requests: Actionstep ${summary.actionstepRequests.toLocaleString()}, Dynamics ${summary.dataverseRequests.toLocaleString()}.\n`);
        process.stdout.write(`${c.bold('Report:')} ${path.join(o.outDir, 'report.html')}\n`);
        process.stdout.write(nextCommand('emulate', null, 'rehearse the steps one by one against the emulators; the README goes on from there to your own firm', c) + '\n');
      }
      return {
        ok,
        json: {
          firm: o.firm, seed: o.seed, runId, timings, extracted: counts,
          objects: summary.objects, tables: summary.tables, totals: summary.totals, reconciles: summary.reconciles, mappings: summary.mappings,
          sample: { rowCount: sample.rowCount, fields: sample.diff.length, mismatches: sample.mismatches, coverage: sample.coverage },
          provisioningChanges: changes.length, warnings: plan.warnings, preExisting, rollback,
          actionstepRequests: summary.actionstepRequests, dataverseRequests: summary.dataverseRequests,
          emulatorCounters: { actionstep: emulators.actionstep.counters(), dataverse: emulators.dataverse.counters() },
          report: path.join(o.outDir, 'report.html'),
          config: redactConfig(config),
        },
      };
    } finally {
      session.close();
    }
  } finally {
    await emulators.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
