// Extraction benchmark (a script, not a timed test): `npm run bench:extract`.
//  1. large firm: full extraction (every resource, users with their participant sideloaded, every file
//     part) and the ratio requests used / minimum possible. Minimum = Σ ceil(visible records / 200) + file parts
//     + token calls (1: the code exchange; the emulator's token lifetime outlasts the run).
//  2. xl firm: peak RSS of this (extracting) process while records are counted, not kept. The emulator runs in a
//     child process so its memory is not counted.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  ActionstepClient,
  ActionstepOAuthClient,
  ActionstepOAuthCredential,
  MemoryTokenStore,
  extractFirm,
  followAuthorizeRedirect,
} from '@astep/actionstep-connector';

interface ChildInfo {
  authorizeUrl: string;
  tokenUrl: string;
  apiEndpoint: string;
  clientId: string;
  clientSecret: string;
  totalRecords: number;
  loadMs: number;
}

const root = process.env.ASTEP_REPO_ROOT ?? process.cwd();

function startEmulatorChild(size: string): Promise<{ child: ChildProcess; info: ChildInfo }> {
  const child = spawn(process.execPath, [path.join(root, 'scripts/run-ts.mjs'), path.join(root, 'connectors/actionstep/bench/emulatorProcess.ts'), size], {
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

async function signedInClient(info: ChildInfo): Promise<ActionstepClient> {
  const oauthClient = new ActionstepOAuthClient({ clientId: info.clientId, clientSecret: info.clientSecret, authorizeUrl: info.authorizeUrl, tokenUrl: info.tokenUrl, scopes: ['all'] });
  const credential = new ActionstepOAuthCredential({ oauthClient, store: new MemoryTokenStore() });
  await credential.signIn({ openUrl: followAuthorizeRedirect });
  return new ActionstepClient({ credential, maxConcurrency: 4 });
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

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const requestsFirm = args[0] ?? 'large';
  const memoryFirm = args[1] ?? 'xl';
  await benchRequests(requestsFirm);
  if (memoryFirm !== 'none') await benchMemory(memoryFirm);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
