// The browser entry must bundle for the browser with no Node modules and no msal-node.
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '../../..');

describe('browser entry', () => {
  it('bundles with esbuild for the browser without Node built-ins or msal-node', async () => {
    const result = await build({
      entryPoints: [path.join(__dirname, '../src/browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      tsconfig: path.join(root, 'tsconfig.base.json'),
    });
    const inputs = Object.keys(result.metafile!.inputs);
    expect(inputs.some((i) => /msal-node|nodeTransport|msalCredentials/.test(i))).toBe(false);
    expect(inputs.some((i) => i.startsWith('node:'))).toBe(false);
    const text = result.outputFiles![0].text;
    expect(text).toContain('UpsertMultiple');
    expect(text).not.toMatch(/require\("node:/);
  });
});
