// The engine runs in the browser too (inside the wizard): it must bundle for the browser with no Node modules.
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '../..');

test('the orchestrator bundles for the browser without Node built-ins, SQLite or msal-node', async () => {
  const result = await build({
    entryPoints: [path.join(__dirname, '../src/index.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    tsconfig: path.join(root, 'tsconfig.base.json'),
  });
  const inputs = Object.keys(result.metafile!.inputs);
  expect(inputs.filter((i) => /better-sqlite3|msal-node|node_modules\/jszip|^node:/.test(i))).toEqual([]);
  const text = result.outputFiles![0].text;
  expect(text).toContain('WinOpportunity');
  expect(text).not.toMatch(/require\("(node:)?(fs|path|crypto|http|child_process)"\)/);
});
