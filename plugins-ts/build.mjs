// Bundles each form script into one IIFE under the Astep namespace (Astep.ContactForm.onLoad, ...), writes
// dist/webresources/js/<Name>.js and webresources.json, the list the solution packer reads.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// ASTEP_WEBRESOURCES_OUT: another folder (tests build their own copy while others read dist/).
const out = process.env.ASTEP_WEBRESOURCES_OUT ? path.resolve(process.env.ASTEP_WEBRESOURCES_OUT) : path.join(here, 'dist', 'webresources');

/** One entry per web resource: the solution name, the global it defines, and its source. */
export const WEB_RESOURCES = [
  { name: 'astep_/js/ContactForm.js', displayName: 'Contact Form (Actionstep)', globalName: 'Astep.ContactForm', entry: 'src/forms/contactForm.ts' },
  { name: 'astep_/js/AccountForm.js', displayName: 'Account Form (Actionstep)', globalName: 'Astep.AccountForm', entry: 'src/forms/accountForm.ts' },
  { name: 'astep_/js/MigrationRunCommands.js', displayName: 'Migration Run commands', globalName: 'Astep.MigrationRun', entry: 'src/commands/migrationRunCommands.ts' },
];

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const manifest = [];
for (const r of WEB_RESOURCES) {
  const file = r.name.replace(/^astep_\//, '');
  await build({
    entryPoints: [path.join(here, r.entry)],
    outfile: path.join(out, file),
    bundle: true,
    format: 'iife',
    // A dotted global name extends an existing `Astep` object, so several scripts on one form share it.
    globalName: r.globalName,
    platform: 'browser',
    target: 'es2017',
    tsconfig: path.join(here, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  });
  manifest.push({ name: r.name, displayName: r.displayName, type: 'JScript', file });
}
writeFileSync(path.join(out, 'webresources.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`plugins-ts: ${manifest.length} web resources in ${path.relative(process.cwd(), out) || out}`);
