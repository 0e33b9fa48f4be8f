// npm run build:solution — builds what the solution packs (the web resources and the two PCF controls), then bundles
// the solution packer with esbuild and runs it (see solution/README.md). A build that fails stops here with its
// command and exit code: a zip without the controls or the command buttons would import, and nothing would work.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Workspace → what the solution loses without it. */
const INPUT_BUILDS = [
  ['plugins-ts', 'the web resources (command-bar scripts, form scripts, sign-in pages) and the Start run / Roll back run buttons'],
  ['pcf-controls/DiffViewer', 'the Diff Viewer control'],
  ['pcf-controls/MappingWizard', 'the Mapping Wizard control'],
];

if (!process.argv.includes('--no-input-builds')) {
  for (const [workspace, what] of INPUT_BUILDS) {
    console.error(`build:solution: npm run build -w ${workspace}`);
    const r = spawnSync('npm', ['run', 'build', '-w', workspace], { cwd: repoRoot, stdio: 'inherit' });
    if (r.status !== 0) {
      console.error(`build:solution stopped: \`npm run build -w ${workspace}\` failed (${r.error ? r.error.message : `exit ${r.status}`}); the solution would ship without ${what}. Fix that build and run npm run build:solution again.`);
      process.exit(1);
    }
  }
}

const outDir = mkdtempSync(join(tmpdir(), 'astep-build-solution-'));
const outfile = join(outDir, 'build-solution.cjs');
try {
  await build({
    entryPoints: [join(repoRoot, 'solution/src/pack/buildSolution.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    logLevel: 'warning',
    // Resolve jszip / fast-xml-parser from the repository's node_modules.
    nodePaths: [join(repoRoot, 'node_modules')],
  });
  const { main } = createRequire(import.meta.url)(outfile);
  process.exitCode = await main(repoRoot);
} finally {
  rmSync(outDir, { recursive: true, force: true });
}
