// The workspace packages and what each lets its siblings import (its package.json `exports` map) and declares it
// uses (`dependencies`, `devDependencies`): read by the jest module map, the tsconfig paths sync and the lint rule.
const fs = require('node:fs');
const path = require('node:path');

/** Every workspace package: folder (relative, forward slashes), name, exports (subpath → file), declared siblings. */
function workspacePackages(root) {
  const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  return rootPkg.workspaces.map((dir) => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8'));
    return {
      dir,
      name: pkg.name,
      exports: new Map(Object.entries(pkg.exports ?? {})),
      declares: new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]),
    };
  });
}

/** Import specifier → file (relative to the root) for every exported subpath: `@astep/orchestrator/options`. */
function exportedModules(root) {
  const out = {};
  for (const p of workspacePackages(root)) {
    for (const [subpath, target] of p.exports) out[subpath === '.' ? p.name : `${p.name}/${subpath.slice(2)}`] = path.posix.join(p.dir, target);
  }
  return out;
}

/** Every tsconfig that resolves workspace packages through `paths` (baseUrl at the root): kept in step by sync-paths.mjs. */
const PATH_TSCONFIGS = ['tsconfig.base.json', 'pcf-controls/DiffViewer/tsconfig.json', 'pcf-controls/MappingWizard/tsconfig.json'];

/** The `paths` those tsconfigs hold: one exact alias per exported subpath (no wildcard, so deep imports do not compile). */
function expectedPaths(root) {
  return Object.fromEntries(Object.entries(exportedModules(root)).map(([alias, file]) => [alias, [file]]));
}

module.exports = { workspacePackages, exportedModules, expectedPaths, PATH_TSCONFIGS };
