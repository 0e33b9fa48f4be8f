// Writes the TypeScript path aliases of the workspace packages from their exports maps: one alias per exported
// subpath, into tsconfig.base.json and the PCF controls' tsconfigs (which cannot extend it). The aliases are exact,
// so the compiler refuses a deep import as the lint rule does; jest builds its module map from the same exports.
// A test fails when a tsconfig is out of step: run `node scripts/sync-paths.mjs`.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import exportsModule from './workspace-exports.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

for (const file of exportsModule.PATH_TSCONFIGS) {
  const full = path.join(root, file);
  const config = JSON.parse(fs.readFileSync(full, 'utf8'));
  config.compilerOptions.paths = exportsModule.expectedPaths(root);
  // Arrays of plain values on one line, as the files were written by hand.
  const text = JSON.stringify(config, null, 2).replace(/\[\n\s+([^[\]{}]*?)\n\s+\]/g, (_m, inner) => `[${inner.split(/,\n\s+/).join(', ')}]`);
  fs.writeFileSync(full, `${text}\n`);
  process.stdout.write(`${file}: ${Object.keys(config.compilerOptions.paths).length} aliases\n`);
}
