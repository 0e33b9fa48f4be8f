// npm run build:solution — bundles the solution packer with esbuild and runs it (see solution/README.md).
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
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
