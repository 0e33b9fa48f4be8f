// Bundles the command line into dist/cli.js with esbuild (tsconfig paths resolve the workspace packages).
// Native and heavy Node-only packages stay external and load from node_modules at run time.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Externals loaded on first use rather than when the bundle loads. exceljs reads and writes trust ledger workbooks
 * only (the extract of a firm that has one, and the Actionstep emulator's export), yet as a plain external every step
 * paid for it: about 29 MB of RSS and 18 MB of heap at start-up (of 91 MB and 26 MB for `--help`), counted inside
 * each step's heap bound and its peak. The stand-in is a Proxy that requires the package on the first property read;
 * `__esModule` answers undefined without loading it (esbuild's default-import helper asks; exceljs is plain CommonJS).
 * The browser bundles (pcf-scripts) import exceljs as they did.
 */
const LAZY_EXTERNALS = ['exceljs'];
const lazyExternals = {
  name: 'lazy-externals',
  setup(b) {
    const escape = (name) => name.replace(/[.*+?^$()|[\]\\/{}]/g, '\\$&');
    const filter = new RegExp(`^(${LAZY_EXTERNALS.map(escape).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-external' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy-external' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-external' }, (args) => ({
      loader: 'js',
      contents: `let loaded;
const load = () => (loaded ??= require(${JSON.stringify(args.path)}));
module.exports = new Proxy({}, {
  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),
  has: (_, key) => key in load(),
});`,
    }));
  },
};
await build({
  entryPoints: [path.join(root, 'scripts/src/cli.ts')],
  outfile: path.join(root, 'dist/cli.js'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  external: ['better-sqlite3', '@azure/msal-node', 'jszip', 'dynamics-web-api'],
  plugins: [lazyExternals],
  logLevel: 'warning',
});
