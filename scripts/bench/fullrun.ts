// Full-run benchmark (a script, not a test): for each firm size, both emulators in their own process (`astep-migrate
// emulate`, production service-protection limits on a scaled Dataverse clock), then every step as the command line
// runs it (the installed command, with its shebang's heap bound), each a separate process so its peak RSS is its own: discover → provision → extract → run → verify (and,
// for `medium`, rollback). Prints, measured in one run:
//   1. the peak RSS of each step per firm (target: every step < 512 MB; verify's the median of a few draws), and the growth of each step's RSS from the
//      smallest firm measured to the largest (target: <= +25 % from medium to xl);
//   2. the run step's throughput in the emulator's virtual time (target rows written per virtual second; the audit
//      rows mirrored to Dataverse counted apart) and its ratio to the sustained bound for the application users it
//      used (target >= 0.5);
//   3. the medium run's rollback time / run time (target <= 1.5), with both steps' Dataverse requests, the same ratio
//      at the limits' bound (per-record deletes against bulk writes: what no client can beat) and the plan's
//      rollback estimate / the measured rollback.
//   4. the plan's time estimate beside each step's measured duration (target within ±20 %), the projection at one
//      request every 2 s per Actionstep session, and the identities a 50,000-record firm of the same mix needs to go
//      from discover to verify in under 30 minutes.
//
// Usage: npm run bench:fullrun -- [--firm medium,large,xl] [--clock-scale 1] [--app-users 1] [--sessions 1] [--rate 60]
//        [--seed 1] [--no-rollback] [--verify-draws 3]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { DEFAULT_COST_MODEL, PRODUCTION_LIMITS, maxThroughputRecordsPerHour } from '@astep/dataverse-emulator';
import { isMirrored, projectScaledFirm, type MigrationPlan } from '@astep/orchestrator';
import { SqliteStateStore } from '../src/state/sqliteStateStore';

// Bundled to a temporary file by scripts/run-ts.mjs, so the repository is where npm runs the script from.
const ROOT = path.resolve(process.env.npm_config_local_prefix ?? process.cwd());
const CLI = path.join(ROOT, 'dist', 'cli.js');
/** The installed command (`npx astep-migrate`): each step runs as a user starts it, with the Node flags of its shebang. */
const BIN = path.join(ROOT, 'scripts', 'bin', 'astep-migrate.js');
const SIZES = ['tiny', 'demo', 'medium', 'large', 'xl'] as const;
type Firm = (typeof SIZES)[number];
const RSS_TARGET_MB = 512;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : String(process.argv[i + 1] ?? '');
}

function positive(name: string, fallback: number): number {
  const n = Number(option(name, String(fallback)));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number (got ${option(name, '')})`);
  return n;
}

const FIRMS = option('firm', 'medium,large,xl').split(',').map((f) => f.trim()) as Firm[];
for (const f of FIRMS) if (!SIZES.includes(f)) throw new Error(`--firm: "${f}" is not a firm size (${SIZES.join(', ')})`);
/**
 * Real time by default: the bound is then 2,778 rows per wall second per application user, about what the engine
 * and the emulator manage together on a small machine, so the limits are what the run meets (at ×5 the bound would
 * be five times what two cores can map and serve, and the ratio would measure the machine). Provisioning takes
 * minutes at ×1 (metadata operations cost virtual time).
 */
const CLOCK_SCALE = positive('clock-scale', 1);
const APP_USERS = positive('app-users', 1);
const SEED = positive('seed', 1);
/** Actionstep sign-ins (`emulate --actionstep-sessions`): each a different user with its own rate limit. */
const SESSIONS = positive('sessions', 1);
/**
 * Requests per second per sign-in, written to the config (`actionstep.requestsPerSecond`) so the client paces itself
 * and the plan prices the calls at it: the emulator's per-session limit under `emulate` (60/s, scripts/src/emulate.ts).
 */
const RATE = positive('rate', 60);
/** --no-rollback: leave the medium rollback out (it is bound by per-record deletes; see rollbackSection). */
const ROLLBACK = !process.argv.includes('--no-rollback');
/**
 * Verify reads and compares, and writes nothing to Dynamics, so it runs this many times per firm and its peak RSS is
 * the median of the draws (all printed). One draw is noisy: six verifies of one `large` state with one build peaked
 * anywhere from 213 to 271 MB (2026-12-05), as the garbage collector and malloc happened to meet the reads in flight,
 * which is more than the growth the target allows between two firms.
 */
const VERIFY_DRAWS = positive('verify-draws', 3);

interface StepRun {
  step: string;
  code: number | null;
  wallSeconds: number;
  peakRssMb: number;
  json: Record<string, unknown> | null;
  stderrTail: string;
  /** Every draw of a step that ran more than once (verify): its wall time and peak RSS are the draws' medians. */
  draws?: Array<{ wallSeconds: number; peakRssMb: number }>;
}

interface FirmRun {
  firm: Firm;
  steps: StepRun[];
  auditRowsMirrored: number;
  /** The run's per-table spans from the command's log. */
  runSpans: string[];
}

/** Written before each step: reports the process's peak RSS (kB on Linux, from getrusage) to a file on exit. */
const PRELOAD = path.join(os.tmpdir(), `astep-bench-peak-rss-${process.pid}.cjs`);
fs.writeFileSync(PRELOAD, "process.on('exit', () => { if (process.env.ASTEP_PEAK_RSS_FILE) require('fs').writeFileSync(process.env.ASTEP_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)); });\n");

function runStep(step: string, args: string[], config: string): Promise<StepRun> {
  const rssFile = path.join(os.tmpdir(), `astep-bench-rss-${process.pid}-${step}.txt`);
  fs.rmSync(rssFile, { force: true });
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    // Started as the installed command: its shebang's heap bound is part of what is measured (the preload goes
    // through NODE_OPTIONS, which the shebang's node reads too).
    const child = spawn(BIN, [step, '--config', config, '--json', ...args], {
      cwd: ROOT, env: { ...process.env, ASTEP_PEAK_RSS_FILE: rssFile, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${PRELOAD}`.trim() }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallSeconds = (performance.now() - t0) / 1000;
      const peakRssMb = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, 'utf8')) / 1024 : NaN;
      fs.rmSync(rssFile, { force: true });
      let json: Record<string, unknown> | null = null;
      try {
        json = JSON.parse(stdout) as Record<string, unknown>;
      } catch {
        json = null;
      }
      const run: StepRun = { step, code, wallSeconds, peakRssMb, json, stderrTail: stderr.slice(-600) };
      console.error(`  ${step}: exit ${code}, ${wallSeconds.toFixed(1)} s, peak RSS ${peakRssMb.toFixed(0)} MB`);
      resolve(run);
    });
  });
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A step that changes nothing it reads run `n` times: the first draw's outcome and output, the draws' median wall
 * time and peak RSS, and every draw. Stops at a draw whose exit differs from the first one's.
 */
async function drawn(n: number, once: () => Promise<StepRun>): Promise<StepRun> {
  const runs = [await once()];
  while (runs.length < n && runs[runs.length - 1].code === runs[0].code) runs.push(await once());
  if (runs.length === 1) return runs[0];
  const draws = runs.map((r) => ({ wallSeconds: r.wallSeconds, peakRssMb: r.peakRssMb }));
  return { ...runs[0], wallSeconds: median(draws.map((d) => d.wallSeconds)), peakRssMb: median(draws.map((d) => d.peakRssMb)), draws };
}

/** `astep-migrate emulate` in its own process; resolves with the config path it wrote, and a stop function. */
async function startEmulators(firm: Firm, stateDir: string): Promise<{ config: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'emulate', '--firm', firm, '--seed', String(SEED), '--clock-scale', String(CLOCK_SCALE), '--app-users', String(APP_USERS), '--actionstep-sessions', String(SESSIONS), '--state-dir', stateDir], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines = readline.createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`emulate exited with ${code} before it was ready`)));
  });
  lines.close();
  const { config } = JSON.parse(first) as { config: string };
  // The sign-ins' pace, as a firm that knows it would configure it.
  const written = JSON.parse(fs.readFileSync(config, 'utf8')) as { actionstep: Record<string, unknown> };
  written.actionstep.requestsPerSecond = RATE;
  fs.writeFileSync(config, JSON.stringify(written, null, 2), { mode: 0o600 });
  return {
    config,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Audit entries of the run phase that went to Dataverse (astep_auditentry rows: the mirror skips the skips). */
function auditRowsMirrored(config: string, runId: string): number {
  const { stateDir } = JSON.parse(fs.readFileSync(config, 'utf8')) as { stateDir: string };
  const db = path.join(stateDir, 'state.db');
  if (!fs.existsSync(db)) throw new Error(`${db} is missing: the run left no state to count its audit from`);
  const store = new SqliteStateStore(db);
  try {
    let n = 0;
    for (let after = 0; ;) {
      const page = store.auditPage(runId, { afterSeq: after, phase: 'run', limit: 10_000 });
      if (!page.length) return n;
      after = page[page.length - 1].seq;
      n += page.filter(isMirrored).length;
    }
  } finally {
    store.close();
  }
}

/** Where the run's time went: each table's span, as the command's log file has it (ProgressReporter.detail). */
function runSpans(config: string): string[] {
  const { stateDir } = JSON.parse(fs.readFileSync(config, 'utf8')) as { stateDir: string };
  const log = path.join(stateDir, 'astep-migrate.log');
  if (!fs.existsSync(log)) return [];
  const lines = fs.readFileSync(log, 'utf8').split('\n');
  const begins = lines.findIndex((l) => l.includes('step begins: Running the migration'));
  const ends = lines.findIndex((l, i) => i > begins && l.includes('step ends: Running the migration'));
  if (begins < 0) return [];
  // The run's lines only (the same log goes on with verify and rollback).
  return lines.slice(begins, ends < 0 ? undefined : ends + 1).filter((l) => / rows written from | done in | step ends: Running the migration/.test(l)).map((l) => l.replace(/^\S+ /, ''));
}

async function measureFirm(firm: Firm): Promise<FirmRun> {
  console.error(`${firm} firm: starting the emulators (clock ×${CLOCK_SCALE}, ${APP_USERS} application user${APP_USERS > 1 ? 's' : ''}, ${SESSIONS} Actionstep session${SESSIONS > 1 ? 's' : ''} at ${RATE} requests/s each)`);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `astep-bench-${firm}-`));
  const emulators = await startEmulators(firm, stateDir);
  const steps: StepRun[] = [];
  try {
    // The run skips the sample review (--force): the benchmark measures the load, not a person approving.
    const plan: Array<[string, string[]]> = [['discover', []], ['provision', []], ['extract', []], ['run', ['--force', '--accept-failures']], ['verify', []]];
    if (firm === 'medium' && ROLLBACK) plan.push(['rollback', []]);
    for (const [step, args] of plan) {
      const r = step === 'verify' ? await drawn(VERIFY_DRAWS, () => runStep(step, args, emulators.config)) : await runStep(step, args, emulators.config);
      steps.push(r);
      // verify exits 1 when it finds differences: still measured. Anything else stops this firm.
      if (r.code !== 0 && !(step === 'verify' && r.code === 1)) throw new Error(`${firm}: ${step} exited ${r.code}:\n${r.stderrTail}`);
    }
    const runId = String(steps.find((s) => s.step === 'run')?.json?.runId ?? '');
    return { firm, steps, auditRowsMirrored: runId ? auditRowsMirrored(emulators.config, runId) : 0, runSpans: runSpans(emulators.config) };
  } finally {
    await emulators.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const stepOf = (f: FirmRun, step: string) => f.steps.find((s) => s.step === step);
const mb = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : `${n.toFixed(0)} MB`);

/** Section 1: peak RSS per step and firm, and its growth from the smallest firm measured to the largest. */
function rssSection(runs: FirmRun[]): string[] {
  const steps = ['discover', 'provision', 'extract', 'run', 'verify', 'rollback'];
  const lines = [`Peak RSS per step (target < ${RSS_TARGET_MB} MB each)`, `  ${'step'.padEnd(10)}${runs.map((r) => r.firm.padStart(10)).join('')}`];
  for (const step of steps) {
    if (!runs.some((r) => stepOf(r, step))) continue;
    lines.push(`  ${step.padEnd(10)}${runs.map((r) => mb(stepOf(r, step)?.peakRssMb).padStart(10)).join('')}`);
  }
  for (const r of runs) {
    for (const s of r.steps) {
      if (s.draws) lines.push(`  ${r.firm} ${s.step}: the median of ${s.draws.length} draws (${s.draws.map((d) => `${mb(d.peakRssMb)} in ${d.wallSeconds.toFixed(1)} s`).join(', ')})`);
    }
  }
  const over = runs.flatMap((r) => r.steps.filter((s) => s.peakRssMb >= RSS_TARGET_MB).map((s) => `${r.firm} ${s.step} ${mb(s.peakRssMb)}`));
  lines.push(over.length ? `  over ${RSS_TARGET_MB} MB: ${over.join(', ')}` : `  every step under ${RSS_TARGET_MB} MB`);
  if (runs.length > 1) {
    const [small, big] = [runs[0], runs[runs.length - 1]];
    lines.push(`RSS growth from ${small.firm} to ${big.firm} (target <= +25 % from medium to xl)`);
    for (const step of steps) {
      const a = stepOf(small, step)?.peakRssMb;
      const b = stepOf(big, step)?.peakRssMb;
      if (a && b) lines.push(`  ${step.padEnd(10)} ${mb(a)} → ${mb(b)}: ${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %`);
    }
  }
  return lines;
}

/** Rows the run wrote (created or updated), from its summary. */
function rowsWritten(run: StepRun | undefined): number {
  const tables = (run?.json?.tables ?? []) as Array<{ created: number; updated: number }>;
  return tables.reduce((n, t) => n + t.created + t.updated, 0);
}

/**
 * The single-user sustained bound under the emulator's own cost model (2,778 records per virtual second at 1,000
 * records per bulk request: execution time binds; see connectors/dataverse/bench/loader.ts), times the users.
 */
const bulkBoundRowsPerSecond = () => APP_USERS * (maxThroughputRecordsPerHour('bulk', 1000, PRODUCTION_LIMITS, DEFAULT_COST_MODEL) / 3600);

/** Section 2: the run step's throughput in virtual time against the sustained bound for its application users. */
function throughputSection(runs: FirmRun[]): string[] {
  const bound = bulkBoundRowsPerSecond();
  const lines = [`Run step throughput in virtual time (clock ×${CLOCK_SCALE}; bound ${bound.toFixed(0)} rows/s for ${APP_USERS} application user${APP_USERS > 1 ? 's' : ''}; target >= 0.5)`];
  for (const r of runs) {
    const run = stepOf(r, 'run');
    if (!run) continue;
    const rows = rowsWritten(run);
    const virtualSeconds = run.wallSeconds * CLOCK_SCALE;
    const rate = rows / virtualSeconds;
    lines.push(`  ${r.firm.padEnd(8)} ${rows} rows written in ${virtualSeconds.toFixed(0)} virtual s (${run.wallSeconds.toFixed(1)} s wall): ${rate.toFixed(0)} rows/s / ${bound.toFixed(0)} = ${(rate / bound).toFixed(3)}; audit rows mirrored apart: ${r.auditRowsMirrored} (${(r.auditRowsMirrored / virtualSeconds).toFixed(0)}/s); Dataverse requests ${run.json?.dataverseRequests ?? '—'}`);
    // The audit rows go to Dataverse in the same step through the same users: the share of their capacity the run
    // used counts both (the target above counts the migrated rows alone).
    const all = rows + r.auditRowsMirrored;
    lines.push(`           targets and audit rows together: ${all} in ${virtualSeconds.toFixed(0)} virtual s = ${(all / virtualSeconds).toFixed(0)} rows/s / ${bound.toFixed(0)} = ${(all / virtualSeconds / bound).toFixed(3)} of the users' capacity`);
    if (r.runSpans.length) lines.push('           where the run went (its log):', ...r.runSpans.map((l) => `             ${l}`));
  }
  return lines;
}

/** Section 3: rollback time / run time of the medium firm, with both steps' Dataverse requests. */
function rollbackSection(runs: FirmRun[]): string[] {
  const medium = runs.find((r) => r.firm === 'medium');
  const run = medium && stepOf(medium, 'run');
  const rollback = medium && stepOf(medium, 'rollback');
  if (!run || !rollback) return [`Rollback: not measured (${ROLLBACK ? 'the medium firm was not part of this run' : '--no-rollback'})`];
  const counts = rollback.json?.counts as Record<string, number> | undefined;
  // What the limits allow each step at best, from what each did: the run's rows at the bulk bound; the rollback's
  // deletes at one request's execution each (288 ms: $batch DELETEs cost like single requests, and standard tables
  // have no faster delete), restores and re-opens likewise. No client can beat this ratio against these limits.
  const executionPerSecond = PRODUCTION_LIMITS.maxExecutionTimeMs / PRODUCTION_LIMITS.windowMs; // 4 s of server time per second
  const undone = counts ? (counts.deleted ?? 0) + (counts.restored ?? 0) + (counts.reopened ?? 0) : 0;
  const rollbackBound = (undone * DEFAULT_COST_MODEL.batchPerOperationMs) / 1000 / executionPerSecond / APP_USERS;
  const runBound = rowsWritten(run) / bulkBoundRowsPerSecond();
  const plan = (stepOf(medium, 'discover')?.json?.plan ?? null) as MigrationPlan | null;
  const estimate = plan?.time?.rollback;
  return [
    'Rollback of the medium run (target: rollback time / run time <= 1.5)',
    `  rollback ${rollback.wallSeconds.toFixed(1)} s / run ${run.wallSeconds.toFixed(1)} s = ${(rollback.wallSeconds / run.wallSeconds).toFixed(2)} (wall, clock ×${CLOCK_SCALE})`,
    `  Dataverse requests: rollback ${rollback.json?.dataverseRequests ?? '—'}, run ${run.json?.dataverseRequests ?? '—'}; steps ${counts ? Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ') : '—'}`,
    `  at the limits' bound for ${APP_USERS} application user${APP_USERS > 1 ? 's' : ''}: rollback ${undone} records deleted, restored or re-opened × ${DEFAULT_COST_MODEL.batchPerOperationMs} ms = ${rollbackBound.toFixed(0)} virtual s / run ${rowsWritten(run)} rows in bulk = ${runBound.toFixed(1)} virtual s = ${(rollbackBound / runBound).toFixed(0)} (the best any client can do on standard tables); the rollback's pace / the bound: ${(rollbackBound / (rollback.wallSeconds * CLOCK_SCALE)).toFixed(2)}`,
    estimate
      ? `  plan's rollback estimate ${(estimate.minutes * 60).toFixed(0)} virtual s / measured ${(rollback.wallSeconds * CLOCK_SCALE).toFixed(0)} virtual s = ${((estimate.minutes * 60) / (rollback.wallSeconds * CLOCK_SCALE)).toFixed(2)}${CLOCK_SCALE !== 1 ? ' (at this clock the command\'s own CPU time counts ×' + CLOCK_SCALE + ')' : ''}`
      : "  the plan has no rollback estimate",
  ];
}

/**
 * Section 4: the plan's time estimate (discover's, at the configured pace per session and the limits' sustained bound
 * per application user) beside each step's measured duration. The document downloads are priced in the step that
 * makes them (extract, for the command); Dataverse minutes are virtual, Actionstep's real: compared at clock ×1 only.
 */
function planSection(runs: FirmRun[]): string[] {
  const lines = [`Plan estimate / measured duration per step (${SESSIONS} Actionstep session${SESSIONS > 1 ? 's' : ''}, ${APP_USERS} application user${APP_USERS > 1 ? 's' : ''}; target 0.8..1.2)`];
  if (CLOCK_SCALE !== 1) lines.push(`  (clock ×${CLOCK_SCALE}: the plan's Dataverse minutes are virtual, Actionstep's real; the ratios below mix both)`);
  for (const r of runs) {
    const plan = (stepOf(r, 'discover')?.json?.plan ?? null) as MigrationPlan | null;
    const time = plan?.time;
    if (!plan || !time) {
      lines.push(`  ${r.firm}: the plan has no time section`);
      continue;
    }
    const vs = (label: string, minutes: number, step: StepRun | undefined) => {
      if (!step) return `${label} —`;
      const measured = step.wallSeconds;
      return `${label} ${(minutes * 60).toFixed(0)} s / ${measured.toFixed(0)} s = ${((minutes * 60) / measured).toFixed(2)}`;
    };
    // Documents are downloaded by the step the plan names (extract, where the command keeps them on disk).
    const documentsInExtract = time.actionstep.documentsDuring === 'extract';
    const runMinutes = time.dataverse.loadMinutes + (documentsInExtract ? 0 : time.actionstep.documentMinutes);
    // Extract reads Actionstep, then copies the staging to Dynamics (plans from before that was priced have no staging).
    const extractMinutes = time.actionstep.extractMinutes + (time.dataverse.staging?.minutes ?? 0) + (documentsInExtract ? time.actionstep.documentMinutes : 0);
    const total = ['discover', 'provision', 'extract', 'run', 'verify'].reduce((s, k) => s + (stepOf(r, k)?.wallSeconds ?? 0), 0);
    lines.push(`  ${r.firm.padEnd(8)} ${[
      vs('provision', time.provision?.minutes ?? 0, stepOf(r, 'provision')),
      vs('extract', extractMinutes, stepOf(r, 'extract')),
      vs('run', runMinutes, stepOf(r, 'run')),
      vs('verify', time.dataverse.verifyMinutes, stepOf(r, 'verify')),
    ].join('; ')}; whole plan ${(time.totalMinutes * 60).toFixed(0)} s / discover..verify ${total.toFixed(0)} s = ${((time.totalMinutes * 60) / total).toFixed(2)}`);
    lines.push(`           at one request every 2 s per session (the pace seen in production): Actionstep ${time.actionstep.atProductionPaceMinutes} min for this firm through ${time.actionstep.sessions.length} session(s)`);
    lines.push(`           ${fiftyThousand(plan)}`);
  }
  return lines;
}

/** The identities a 50,000-record firm of this firm's mix (every count scaled) needs for discover to verify in 30 min. */
function fiftyThousand(plan: MigrationPlan): string {
  const p = projectScaledFirm(plan.source.counts, plan.source.counts.actiondocuments ?? 0, 200, 50_000, plan.time?.provision?.metadataWrites ?? 0); // Actionstep's largest page
  return `a 50,000-record firm of this mix at that pace: 1 session + 1 application user ${p.alone.totalMinutes} min; under 30 min needs ${p.actionstepSessions} Actionstep sessions and ${p.applicationUsers} application user(s): ${p.recommended.totalMinutes} min`;
}

async function main(): Promise<void> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node scripts/build.mjs\` first (npm run bench:fullrun does)`);
  const t0 = performance.now();
  const runs: FirmRun[] = [];
  try {
    for (const firm of FIRMS) runs.push(await measureFirm(firm));
  } finally {
    fs.rmSync(PRELOAD, { force: true });
  }
  const report = runs.map((r) => ({
    firm: r.firm, auditRowsMirrored: r.auditRowsMirrored,
    steps: r.steps.map((s) => ({
      step: s.step, code: s.code, wallSeconds: +s.wallSeconds.toFixed(1), peakRssMb: Math.round(s.peakRssMb), dataverseRequests: s.json?.dataverseRequests,
      ...(s.draws ? { draws: s.draws.map((d) => ({ wallSeconds: +d.wallSeconds.toFixed(1), peakRssMb: Math.round(d.peakRssMb) })) } : {}),
    })),
  }));
  console.log(JSON.stringify({ clockScale: CLOCK_SCALE, appUsers: APP_USERS, seed: SEED, firms: report }, null, 2));
  console.log(['', ...rssSection(runs), '', ...throughputSection(runs), '', ...rollbackSection(runs), '', ...planSection(runs), '', `Benchmark wall time: ${((performance.now() - t0) / 1000).toFixed(0)} s`].join('\n'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
