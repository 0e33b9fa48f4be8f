// Extraction benchmark (a script, not a timed test): `npm run bench:extract`.
//  1. large firm: full extraction (every resource, users with their participant sideloaded, every file
//     part) and the ratio requests used / minimum possible. Minimum = Σ ceil(visible records / 200) + file parts
//     + token calls (1: the code exchange; the emulator's token lifetime outlasts the run).
//  2. xl firm: peak RSS of this (extracting) process while records are counted, not kept. The emulator runs in a
//     child process so its memory is not counted.
// `npm run bench:extract -- --sessions 1,2 [--firm large] [--rate R]`: the migration's own extraction (the engine's,
// spread across sessions and checkpointed per page, staging every record) plus every document's file through the
// same sessions (what `run` downloads), once per session count, against an emulator that limits each user session to
// R requests/s (the client is told the same pace, as a firm that knows its pace configures it). Prints requests used
// / minimum and the wall time of each, and wall time with the most sessions / with the fewest.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  ActionstepClient,
  ActionstepOAuthClient,
  ActionstepOAuthCredential,
  ActionstepSessionPool,
  ActionstepSource,
  FILE_PART_SIZE_IN_BYTES,
  MAX_PAGE_SIZE,
  MemoryTokenStore,
  extractFirm,
  followAuthorizeRedirect,
} from '@astep/actionstep-connector';
import type { ActionDocument } from '@astep/actionstep-connector/records';
import {
  EXTRACTION_ORDER, MemoryStateStore, PRODUCTION_PACE_PER_SECOND, dataverseRecordsFor, estimateTime, extractResources, projectScaledFirm, stageUnlistedMatters, type ProgressReporter,
} from '@astep/orchestrator';

interface ChildInfo {
  authorizeUrl: string;
  tokenUrl: string;
  apiEndpoint: string;
  clientId: string;
  clientSecret: string;
  totalRecords: number;
  loadMs: number;
  userEmails: Array<string | null>;
}

const root = process.env.ASTEP_REPO_ROOT ?? process.cwd();

function startEmulatorChild(size: string, options: Record<string, unknown> = {}): Promise<{ child: ChildProcess; info: ChildInfo }> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/run-ts.mjs'), path.join(root, 'connectors/actionstep/bench/emulatorProcess.ts'), size, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: root,
  });
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as ChildInfo & { ready?: boolean };
        if (msg.ready) resolve({ child, info: msg });
      } catch {
        // not our line
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator child exited with ${code} before it was ready`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function signedInClient(info: ChildInfo, o: { loginHint?: string; maxRequestsPerSecond?: number } = {}): Promise<ActionstepClient> {
  const oauthClient = new ActionstepOAuthClient({ clientId: info.clientId, clientSecret: info.clientSecret, authorizeUrl: info.authorizeUrl, tokenUrl: info.tokenUrl, scopes: ['all'] });
  const credential = new ActionstepOAuthCredential({ oauthClient, store: new MemoryTokenStore() });
  await credential.signIn({ openUrl: followAuthorizeRedirect, loginHint: o.loginHint });
  return new ActionstepClient({ credential, maxConcurrency: 4, maxRequestsPerSecond: o.maxRequestsPerSecond });
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function benchRequests(size: string): Promise<void> {
  const { child, info } = await startEmulatorChild(size);
  try {
    process.stderr.write(`[${size}] emulator loaded ${info.totalRecords} records in ${(info.loadMs / 1000).toFixed(1)} s\n`);
    const client = await signedInClient(info);
    const t0 = Date.now();
    const summary = await extractFirm(client, { includeFiles: true });
    const secs = (Date.now() - t0) / 1000;
    const used = client.requestCount;
    const minimumTokenCalls = 1;
    const minimum = summary.minimumApiRequests + minimumTokenCalls;
    const records = Object.values(summary.records).reduce((a, b) => a + b, 0);
    console.log(`[${size}] extracted ${records} records + ${summary.files} files (${summary.fileParts} parts, ${mb(summary.fileBytes)}) in ${secs.toFixed(1)} s`);
    console.log(`[${size}] requests used ${used.total} (list ${used.byKind.list}, file ${used.byKind.file}, token ${used.token}, retries ${used.retries})`);
    console.log(`[${size}] minimum possible ${minimum} (Σ ceil(records/200) + file parts = ${summary.minimumApiRequests}, + ${minimumTokenCalls} token call)`);
    console.log(`[${size}] REQUESTS USED / MINIMUM = ${(used.total / minimum).toFixed(4)} (target <= 1.05)`);
  } finally {
    await stopChild(child);
  }
}

async function benchMemory(size: string): Promise<void> {
  const { child, info } = await startEmulatorChild(size);
  try {
    process.stderr.write(`[${size}] emulator loaded ${info.totalRecords} records in ${(info.loadMs / 1000).toFixed(1)} s\n`);
    const client = await signedInClient(info);
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 25);
    const t0 = Date.now();
    let n = 0;
    const summary = await extractFirm(client, {
      onPage: (_r, page) => {
        n += page.length; // counted, not kept
        if (n % 100_000 < page.length) process.stderr.write(`[${size}] ${n} records...\n`);
      },
    });
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const maxRss = process.resourceUsage().maxRSS * 1024; // kB -> bytes; lifetime peak of this process
    const records = Object.values(summary.records).reduce((a, b) => a + b, 0);
    console.log(`[${size}] extracted ${records} records in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${client.requestCount.total} requests`);
    console.log(`[${size}] PEAK RSS of the extracting process = ${mb(Math.max(peak, maxRss))} (sampled ${mb(peak)}, getrusage maxRSS ${mb(maxRss)}; target < 512 MB)`);
  } finally {
    await stopChild(child);
  }
}

interface SessionsRun {
  sessions: number;
  seconds: number;
  used: number;
  minimum: number;
  records: number;
  parts: number;
  throttled: number;
  perSession: number[];
  counts: Record<string, number>;
}

/** Every record staged and every file part downloaded through `n` sessions, under `rate` requests/s per session. */
async function benchSessions(size: string, n: number, rate: number, users: number): Promise<SessionsRun> {
  // The same users are nominated on every restricted matter in every run, so each run reads exactly the same firm.
  const nominated = Array.from({ length: users }, (_, i) => String(i + 1));
  const rateLimit = { sessionPerSecond: rate, sessionBurst: Math.max(2, Math.ceil(rate / 4)), orgPerSecond: rate * 10, orgBurst: rate * 10, ipPerSecond: rate * 10, ipBurst: rate * 10 };
  const { child, info } = await startEmulatorChild(size, { rateLimit, nominatedOnAllMatters: nominated });
  try {
    process.stderr.write(`[${size} ×${n}] emulator loaded ${info.totalRecords} records in ${(info.loadMs / 1000).toFixed(1)} s\n`);
    const sources: ActionstepSource[] = [];
    for (let i = 0; i < n; i++) {
      const client = await signedInClient(info, { loginHint: info.userEmails[i] ?? undefined, maxRequestsPerSecond: rate });
      sources.push(new ActionstepSource(client, info.apiEndpoint, null, { name: `session ${i + 1}` }));
    }
    const pool = new ActionstepSessionPool(sources);
    const store = new MemoryStateStore();
    let pages = 0;
    const progress: ProgressReporter = {
      start() {}, done() {}, log: (m) => process.stderr.write(`[${size} ×${n}] ${m}\n`),
      tick() {
        if (++pages % 250 === 0) process.stderr.write(`[${size} ×${n}] ${pages} pages...\n`);
      },
    };
    const t0 = Date.now();
    // What `extract` does (engine.extract): with several sessions it first asks each which user it is.
    if (n > 1) await Promise.all(pool.sessions().map((s) => s.currentUser()));
    await extractResources({ sessions: pool.sessions(), store, progress }, EXTRACTION_ORDER, 'bench');
    const unlisted = await stageUnlistedMatters({ source: pool, store, progress });
    const extractSeconds = (Date.now() - t0) / 1000;
    // Then every document's file, as `run` downloads them: through the session with the fewest in flight.
    const files = store.staged('actiondocuments').map((s) => JSON.parse(s.json) as ActionDocument).filter((d) => d.file);
    let parts = 0;
    let next = 0;
    const lanes = pool.sessions().reduce((k, s) => k + s.lanes, 0);
    await Promise.all(Array.from({ length: lanes }, async () => {
      while (next < files.length) {
        const d = files[next++];
        await pool.downloadFile(d.file as string, { fileSize: d.fileSize });
        parts += d.fileSize === null ? 1 : Math.max(1, Math.ceil(d.fileSize / FILE_PART_SIZE_IN_BYTES));
      }
    }));
    const seconds = (Date.now() - t0) / 1000;
    let minimum = parts + n; // file parts, one code exchange per session (the trust ledger is a file the firm exports)
    let records = 0;
    for (const r of EXTRACTION_ORDER) {
      const listed = store.stagedCount(r) - (r === 'actions' ? unlisted : 0);
      records += store.stagedCount(r);
      minimum += Math.ceil(listed / MAX_PAGE_SIZE);
    }
    minimum += Math.ceil(unlisted / MAX_PAGE_SIZE); // deleted matters: one listing of them (isDeleted=T) at best
    const perSession = pool.sessions().map((s) => s.pace().answered);
    const throttled = pool.sessions().reduce((k, s) => k + s.pace().throttled, 0);
    const used = pool.requestCount();
    // The plan's estimate for the same counts and the same sessions (discover prices the calls at each one's pace).
    const counts = Object.fromEntries(EXTRACTION_ORDER.map((r) => [r, store.stagedCount(r)]));
    const plan = estimateTime({
      counts, documentParts: parts, dataverseRecords: 0, applicationUsers: 1, licences: 0, pageSize: MAX_PAGE_SIZE,
      sessions: pool.sessions().map((s) => ({ name: s.name, lanes: s.lanes, pace: s.pace() })),
    }).actionstep;
    const vs = (label: string, estimateMin: number, measuredS: number) =>
      `${label} plan ${(estimateMin * 60).toFixed(0)} s / measured ${measuredS.toFixed(0)} s = ${(estimateMin * 60 / measuredS).toFixed(3)}`;
    console.log(`[${size} ×${n}] PLAN ESTIMATE VS MEASURED (target 0.8..1.2): ${vs('extract', plan.extractMinutes, extractSeconds)}; ${vs('document downloads', plan.documentMinutes, seconds - extractSeconds)}; plan's calls ${plan.extractCalls + plan.documentCalls} vs used ${used}`);
    console.log(`[${size} ×${n}] ${records} records staged + ${files.length} files (${parts} parts) in ${seconds.toFixed(1)} s; requests used ${used} (per session answered ${perSession.join(' / ')}, 429s ${throttled}), minimum ${minimum}: REQUESTS USED / MINIMUM = ${(used / minimum).toFixed(4)} (target <= 1.05)`);
    return { sessions: n, seconds, used, minimum, records, parts, throttled, perSession, counts };
  } finally {
    await stopChild(child);
  }
}

async function mainSessions(args: string[]): Promise<void> {
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const counts = (value('--sessions') ?? '1,2').split(',').map(Number);
  if (counts.some((c) => !Number.isInteger(c) || c < 1 || c > 3)) throw new Error('--sessions takes session counts from 1 to 3, e.g. 1,2');
  const size = value('--firm') ?? 'large';
  const rate = Number(value('--rate') ?? 20);
  console.log(`extraction through 1..${Math.max(...counts)} Actionstep sessions, ${size} firm, each session limited by the emulator to ${rate} requests/s (the client paced at the same rate)`);
  const runs: SessionsRun[] = [];
  for (const c of counts) runs.push(await benchSessions(size, c, rate, Math.max(...counts)));
  const fewest = runs[0];
  for (const r of runs.slice(1)) {
    console.log(`[${size}] WALL TIME ${r.sessions} SESSIONS / ${fewest.sessions} = ${r.seconds.toFixed(1)} s / ${fewest.seconds.toFixed(1)} s = ${(r.seconds / fewest.seconds).toFixed(3)} (target <= 0.6 for 2 / 1)`);
  }
  projectAtProductionPace(runs[runs.length - 1]);
}

/**
 * The plan's projection at one request every 2 s per session (the pace seen in production): this firm through the
 * sessions measured, and a 50,000-record firm of the same mix (every count scaled), with the identities the plan
 * recommends for discover to verify in under 30 minutes (Dataverse at the default limits' bound, one user to start).
 */
function projectAtProductionPace(run: SessionsRun): void {
  const atPace = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `session ${i + 1}`, lanes: 4, pace: { configuredPerSecond: PRODUCTION_PACE_PER_SECOND, answered: 0, throttled: 0 } }));
  const here = estimateTime({ counts: run.counts, documentParts: run.parts, dataverseRecords: dataverseRecordsFor(run.counts), sessions: atPace(run.sessions), applicationUsers: 1, licences: 0, pageSize: MAX_PAGE_SIZE });
  console.log(`PROJECTION at one request every 2 s per session: this firm (${run.records} records) through ${run.sessions} session(s): Actionstep ${here.actionstep.atProductionPaceMinutes} min, discover to verify about ${here.totalMinutes} min`);
  const p = projectScaledFirm(run.counts, run.parts, MAX_PAGE_SIZE);
  const recommended = p.recommended;
  console.log(`PROJECTION for a 50,000-record firm of this mix (${recommended.actionstep.documentCalls} document parts): 1 session + 1 application user ${p.alone.totalMinutes} min; `
    + `UNDER 30 MINUTES NEEDS ${p.actionstepSessions} ACTIONSTEP SESSIONS AND ${p.applicationUsers} APPLICATION USER(S): ${recommended.totalMinutes} min (Actionstep ${Math.round((recommended.actionstep.extractMinutes + recommended.actionstep.documentMinutes) * 10) / 10}, Dataverse ${Math.round((recommended.dataverse.loadMinutes + recommended.dataverse.verifyMinutes) * 10) / 10}); entitlement ${recommended.entitlement.days} days of a 500,000 pool`);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--sessions')) return mainSessions(args);
  const requestsFirm = args[0] ?? 'large';
  const memoryFirm = args[1] ?? 'xl';
  await benchRequests(requestsFirm);
  if (memoryFirm !== 'none') await benchMemory(memoryFirm);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
