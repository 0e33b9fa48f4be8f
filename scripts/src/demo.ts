// `astep-migrate demo` (what `npm start` runs): both emulators on loopback, a generated firm, every step with the
// sample approved automatically, a summary table and out/report.html.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { escapeHtml, page, planHtml, sampleHtml, summaryHtml, workflowsHtml, type RunSummary } from '@astep/orchestrator';
import { redactConfig } from './config';
import { startEmulators, type FirmSize } from './emulate';
import { createProgress } from './progress';
import { openSession } from './session';
import { snapshot, snapshotDiff } from './snapshot';
import { seedExistingCrmData } from './seedCrm';
import { migrationOverrides, formatSummary } from './format';

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
  const progress = createProgress();
  const timings: Record<string, number> = {};
  const time = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      timings[name] = (Date.now() - t0) / 1000;
      progress.log(`${name}: ${timings[name].toFixed(1)} s`);
    }
  };
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-demo-'));
  fs.mkdirSync(o.outDir, { recursive: true });
  const emulators = await time('start emulators', () => startEmulators({ firm: o.firm, seed: o.seed, faults: o.faults, limits: 'production', stateDir, clockScale: o.clockScale, appUsers: o.appUsers }));
  try {
    const config = emulators.config;
    const session = await time('sign in', () => openSession(config, progress));
    try {
      const { engine } = session;
      const plan = await time('discover', () => engine.discover(undefined, config.dataverse.licenseTier ?? 'SalesEnterprise', migrationOverrides(config)));
      const runId = engine.requireRun().runId;
      const changes = await time('provision', () => engine.provision(runId));
      // A real CRM is not empty: a few records exist that the migration will match (same email, same name) and update.
      const preExisting = await seedExistingCrmData(session.dataverse, emulators.actionstep.firm);
      const before = o.rollback ? await snapshot(emulators) : null;
      const counts = await time('extract', () => engine.extract(runId));
      const sample = await time('sample', () => engine.sample(runId));
      engine.approve(runId, 'demo (approved automatically)');
      const requestsBeforeRun = session.sink.requestCount();
      const summary: RunSummary = await time('run', () => engine.run(runId));
      const runRequests = session.sink.requestCount() - requestsBeforeRun;
      const workflows = await time('export-workflows', () => engine.exportWorkflows(runId));
      let rollback: Record<string, unknown> | null = null;
      if (o.rollback && before) {
        const result = await time('rollback', () => engine.rollback(runId));
        const differences = snapshotDiff(before, await snapshot(emulators));
        // Rollback goes at the speed of the run: both timed in this one demo, with every Dataverse request each sent.
        const speed = { rollbackSeconds: timings.rollback, runSeconds: timings.run, ratio: +(timings.rollback / timings.run).toFixed(2), rollbackRequests: result.dataverseRequests, runRequests };
        rollback = { counts: result.counts, complete: result.complete, snapshotEqual: differences.length === 0, differences: differences.slice(0, 20), differenceCount: differences.length, ...speed };
        if (!o.json) {
          process.stdout.write(`Rollback: ${Object.entries(result.counts).map(([k, v]) => `${k} ${v}`).join(', ')}; Dataverse ${differences.length === 0 ? 'equals' : 'DIFFERS FROM'} the snapshot taken before the run${differences.length ? ` (${differences.length} differences)` : ''}.\n`);
          process.stdout.write(`Rollback time / run time: ${speed.rollbackSeconds.toFixed(1)} s / ${speed.runSeconds.toFixed(1)} s = ${speed.ratio}; Dataverse requests: rollback ${speed.rollbackRequests}, run ${speed.runRequests}.\n`);
        }
      }

      fs.writeFileSync(path.join(o.outDir, 'plan.json'), JSON.stringify(plan, null, 2));
      fs.writeFileSync(path.join(o.outDir, 'sample-diff.json'), JSON.stringify(sample, null, 2));
      fs.writeFileSync(path.join(o.outDir, 'run-summary.json'), JSON.stringify(summary, null, 2));
      fs.writeFileSync(path.join(o.outDir, 'workflows.html'), page('Actionstep workflow reference', workflowsHtml(workflows)));
      fs.writeFileSync(path.join(o.outDir, 'report.html'), page(`Actionstep → Dynamics 365 demo migration (${o.firm} firm)`, [
        '<h2>Timings</h2><table>' + Object.entries(timings).map(([k, v]) => `<tr><td>${escapeHtml(k)}</td><td>${v.toFixed(1)} s</td></tr>`).join('') + '</table>',
        `<h2>Provisioning</h2><p>${changes.length} changes.</p>`,
        '<h2>Run</h2>', summaryHtml(summary),
        '<h2>Sample</h2>', sampleHtml(sample),
        '<h2>Plan</h2>', planHtml(plan),
      ].join('\n')));

      const ok = summary.reconciles && (!rollback || (rollback.snapshotEqual as boolean));
      if (!o.json) {
        process.stdout.write(formatSummary(summary) + '\n\n');
        process.stdout.write(`Sample: ${sample.rowCount} records, ${sample.diff.length} fields compared, ${sample.mismatches} unexplained differences.\n`);
        process.stdout.write(`Requests: Actionstep ${summary.actionstepRequests}, Dataverse ${summary.dataverseRequests}.\n`);
        process.stdout.write(`Report: ${path.join(o.outDir, 'report.html')}\n`);
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
