// End-to-end harness: both emulators in this process, the real command line in child processes talking HTTP to
// them, and snapshots of Dataverse read back through the Web API.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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

/** Runs `astep-migrate <args>`; with `killAfterMs` the process is SIGKILLed at that moment (a crash). */
export function runCli(args: string[], o: { killAfterMs?: number; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node scripts/build.mjs\` (npm test does)`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, env: { ...process.env, ...o.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = o.killAfterMs !== undefined ? setTimeout(() => child.kill('SIGKILL'), o.killAfterMs) : null;
    const timeout = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (killer) clearTimeout(killer);
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

export { dataverseToken, webApi, snapshot, snapshotDiff, snapshotSets } from '@astep/cli/snapshot';
