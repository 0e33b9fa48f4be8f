// Runs a TypeScript entry of the Dataverse connector (its benchmark): bundles it with esbuild (tsconfig paths resolve
// the @astep/* aliases) into a temp .cjs file and runs it with node, passing arguments and the exit code through.
// Usage: node scripts/dataverse-connector-run-ts.mjs <entry.ts> [args...]
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
  console.error('usage: node scripts/dataverse-connector-run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const abs = path.resolve(process.cwd(), entry);
const outDir = path.join(os.tmpdir(), 'astep-dataverse-run-ts');
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
  nodePaths: [path.join(root, 'node_modules')],
  logLevel: 'warning',
});
const child = spawn(process.execPath, ['--enable-source-maps', outfile, ...args], {
  stdio: 'inherit',
  env: { ...process.env, NODE_PATH: path.join(root, 'node_modules') },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
