// Bundles the command line into dist/cli.js with esbuild (tsconfig paths resolve the workspace packages).
// Native and heavy Node-only packages stay external and load from node_modules at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [path.join(root, 'scripts/src/cli.ts')],
  outfile: path.join(root, 'dist/cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  external: ['better-sqlite3', '@azure/msal-node', 'jszip', 'dynamics-web-api', 'exceljs'],
  logLevel: 'warning',
});
