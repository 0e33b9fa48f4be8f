// Bundles an entry point for the browser, as the web resources and PCF controls are bundled, and says what went in:
// the tests of each browser entry check that no Node built-in or Node-only module is part of it.
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(__dirname, '..', '..');

export interface BrowserBundle {
  /** Input files of the bundle (paths relative to the repository, `node:` built-ins as named). */
  inputs: string[];
  text: string;
}

export async function bundleForBrowser(entry: string): Promise<BrowserBundle> {
  const result = await build({
    entryPoints: [path.resolve(ROOT, entry)],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    tsconfig: path.join(ROOT, 'tsconfig.base.json'),
  });
  return { inputs: Object.keys(result.metafile.inputs), text: result.outputFiles[0].text };
}

/** `require("fs")`, `require("node:path")`, `"node:crypto"`: what a bundle that needs Node would contain. */
export const NODE_REQUIRE = /require\(["'](node:)?(fs|path|crypto|http|https|net|child_process|os|zlib)["']\)|["']node:[a-z_]+["']/;
