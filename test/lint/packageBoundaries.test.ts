// Package boundaries by declaration: each workspace package's exports map says what siblings may import; `npm run
// lint` refuses a deep import (a subpath the map does not export, or a relative path into another package's folder)
// and a sibling the importer does not declare; the tsconfig paths and the jest module map follow the exports.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { workspacePackages, expectedPaths, PATH_TSCONFIGS } = require('@astep/cli/workspace-exports');

/** Lints `code` as if it were the file at `file` (relative to the repository), with the repository's eslint config. */
function lint(file: string, code: string): string[] {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--stdin', '--stdin-filename', file, '--format', 'json'], { cwd: ROOT, input: code, encoding: 'utf8' });
  const [result] = JSON.parse(run.stdout) as Array<{ messages: Array<{ ruleId: string; message: string }> }>;
  return result.messages.filter((m) => m.ruleId === 'astep/package-boundaries').map((m) => m.message);
}

describe('the lint rule', () => {
  test('a relative import into another package\'s src/ fails, naming what that package exports', () => {
    expect(lint('pcf-controls/MappingWizard/MappingWizard/fixture.ts', "import { ACCOUNT } from '../../../orchestrator/src/mappings/account';\nexport { ACCOUNT };\n")).toEqual([
      expect.stringMatching(/^"\.\.\/\.\.\/\.\.\/orchestrator\/src\/mappings\/account" reaches into @astep\/orchestrator \(orchestrator\) by a relative path: import what it exports instead \(@astep\/orchestrator, @astep\/orchestrator\/options, /),
    ]);
  });

  test('a subpath the package does not export fails; an exported one passes', () => {
    expect(lint('scripts/src/fixture.ts', "import { ACCOUNT } from '@astep/orchestrator/mappings/account';\nexport { ACCOUNT };\n")).toEqual([
      expect.stringMatching(/^"@astep\/orchestrator\/mappings\/account" is not exported by @astep\/orchestrator: its package.json exports @astep\/orchestrator, /),
    ]);
    expect(lint('scripts/src/fixture.ts', "import { MAPPINGS } from '@astep/orchestrator';\nexport { MAPPINGS };\n")).toEqual([]);
  });

  test('a sibling the importing package does not declare fails', () => {
    expect(lint('emulators/dataverse/src/fixture.ts', "import { MAPPINGS } from '@astep/orchestrator';\nexport { MAPPINGS };\n")).toEqual([
      '@astep/dataverse-emulator imports @astep/orchestrator without declaring it: add it to emulators/dataverse/package.json dependencies.',
    ]);
  });
});

describe('exports, paths and the module map agree', () => {
  const packages = workspacePackages(ROOT) as Array<{ dir: string; name: string; exports: Map<string, string> }>;

  test('every workspace package has an exports map, and every exported file exists', () => {
    for (const p of packages) {
      const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, p.dir, 'package.json'), 'utf8'));
      expect({ name: p.name, hasExports: typeof pkg.exports === 'object' }).toEqual({ name: p.name, hasExports: true });
      for (const target of p.exports.values()) expect({ file: path.posix.join(p.dir, target), exists: fs.existsSync(path.join(ROOT, p.dir, target)) }).toEqual({ file: path.posix.join(p.dir, target), exists: true });
    }
  });

  test('the tsconfig paths are exactly the exported subpaths (run `node scripts/sync-paths.mjs` when this fails)', () => {
    for (const file of PATH_TSCONFIGS as string[]) {
      expect({ file, paths: JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8')).compilerOptions.paths }).toEqual({ file, paths: expectedPaths(ROOT) });
    }
  });

  test('jest resolves exactly the exported subpaths', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { moduleNameMapper } = require('../../jest.config.js');
    expect(Object.keys(moduleNameMapper).length).toBe(Object.keys(expectedPaths(ROOT)).length);
    expect(moduleNameMapper['^@astep/orchestrator/options$']).toBe('<rootDir>/orchestrator/src/options.ts');
  });
});
