// Runs a TypeScript entry file of the workspace: bundles it with esbuild (tsconfig paths resolve the @astep/*
// aliases) into a temp .cjs file and runs that with node, passing the remaining arguments and the exit code through.
// Usage: node scripts/run-ts.mjs <entry.ts> [args...]
import { build } from 'esbuild';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error('usage: node scripts/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const abs = path.resolve(process.cwd(), entry);
const outDir = path.join(os.tmpdir(), 'astep-run-ts');
mkdirSync(outDir, { recursive: true });
const outfile = path.join(outDir, `${path.basename(abs, '.ts')}-${createHash('sha1').update(abs).digest('hex').slice(0, 8)}.cjs`);
await build({
  entryPoints: [abs],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  external: ['better-sqlite3', '@azure/msal-node', 'jszip', 'dynamics-web-api'],
  // Native modules resolve from the repo's node_modules even though the bundle lives in the temp dir.
  nodePaths: [path.join(root, 'node_modules')],
  logLevel: 'warning',
});
const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...args], {
  stdio: 'inherit',
  env: { ...process.env, NODE_PATH: path.join(root, 'node_modules'), ASTEP_REPO_ROOT: root },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
