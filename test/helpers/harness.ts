// End-to-end harness: both emulators in this process, the real command line in child processes talking HTTP to
// them, and snapshots of Dataverse read back through the Web API.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dataverseIdentities } from '@astep/cli/config';
import { startEmulators, type EmulateOptions, type RunningEmulators } from '@astep/cli/emulate';

export const ROOT = path.resolve(__dirname, '..', '..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Runs `astep-migrate <args>`; with `killAfterMs` the process is SIGKILLed at that moment (a crash), with `killWhen`
 * as soon as it returns true (checked every millisecond: for example once the emulator has served some request).
 */
export function runCli(args: string[], o: { killAfterMs?: number; killWhen?: () => boolean; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node scripts/build.mjs\` (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = o.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), o.killAfterMs) : null;
    const watcher = o.killWhen ? setInterval(() => o.killWhen?.() && child.kill('SIGKILL'), 1) : null;
    const timeout = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (killer) clearTimeout(killer);
      if (watcher) clearInterval(watcher);
      clearTimeout(timeout);
      let json: unknown = null;
      try {
        json = stdout.trim().startsWith('{') || stdout.trim().startsWith('[') ? JSON.parse(stdout) : null;
      } catch {
        json = null;
      }
      resolve({ code, signal, stdout, stderr, json });
    });
  });
}

/** Starts `astep-migrate emulate <args>` and resolves with the process and the JSON line it prints once serving. */
export async function spawnEmulate(args: string[]): Promise<{ child: ChildProcess; info: { actionstep: string; dataverse: string; config: string } }> {
  const child = spawn(process.execPath, [CLI, 'emulate', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.slice(0, buf.indexOf('\n')));
    });
    child.on('exit', (code) => reject(new Error(`emulate exited early with ${code}`)));
  });
  return { child, info: JSON.parse(line) };
}

export async function startTestEmulators(o: Partial<EmulateOptions> = {}): Promise<RunningEmulators & { dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-e2e-'));
  const emulators = await startEmulators({ firm: 'tiny', seed: 7, faults: 0, limits: 'off', stateDir: dir, ...o });
  const closeEmulators = emulators.close.bind(emulators);
  return Object.assign(emulators, {
    dir,
    close: async () => {
      await closeEmulators();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  });
}

/**
 * A person's token: the environment's administrator signs in through the device code flow (the emulator approves it
 * for its seeded admin), as someone at the firm would sign in to Dynamics. Not the migration's application user.
 */
export async function adminToken(e: Pick<RunningEmulators, 'config' | 'dataverse'>): Promise<string> {
  const base = `${e.dataverse.url}/${e.dataverse.tenantId}/oauth2/v2.0`;
  const form = (f: Record<string, string>) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(f) });
  const scope = `${e.dataverse.url}/.default`;
  const clientId = dataverseIdentities(e.config)[0].clientId;
  const code = (await (await fetch(`${base}/devicecode`, form({ client_id: clientId, scope }))).json()) as { device_code: string };
  for (let poll = 0; poll < 5; poll++) {
    const r = (await (await fetch(`${base}/token`, form({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: clientId, device_code: code.device_code }))).json()) as { access_token?: string };
    if (r.access_token) return r.access_token;
  }
  throw new Error('the device code sign-in did not complete');
}

export { dataverseToken, webApi, snapshot, snapshotDiff, snapshotSets } from '@astep/cli/snapshot';
