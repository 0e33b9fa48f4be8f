// Bundles each form script into one IIFE under the Astep namespace (Astep.ContactForm.onLoad, ...), writes
// dist/webresources/js/<Name>.js and webresources.json, the list the solution packer reads.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// ASTEP_WEBRESOURCES_OUT: another folder (tests build their own copy while others read dist/).
const out = process.env.ASTEP_WEBRESOURCES_OUT ? path.resolve(process.env.ASTEP_WEBRESOURCES_OUT) : path.join(here, 'dist', 'webresources');

/** One entry per script web resource: the solution name, the global it defines (if any), and its source. */
export const WEB_RESOURCES = [
  { name: 'astep_/js/ContactForm.js', displayName: 'Contact Form (Actionstep)', globalName: 'Astep.ContactForm', entry: 'src/forms/contactForm.ts' },
  { name: 'astep_/js/AccountForm.js', displayName: 'Account Form (Actionstep)', globalName: 'Astep.AccountForm', entry: 'src/forms/accountForm.ts' },
  { name: 'astep_/js/MigrationRunCommands.js', displayName: 'Migration Run commands', globalName: 'Astep.MigrationRun', entry: 'src/commands/migrationRunCommands.ts' },
  // The wizard's Microsoft sign-in lands on SignInRedirect.html, which runs this (msal-browser's redirect bridge).
  { name: 'astep_/js/SignInRedirect.js', displayName: 'Mapping Wizard sign-in (script)', entry: 'src/pages/signInRedirect.ts' },
];

/** Pages copied as they are: the sign-in redirect (registered in Entra) and where the Actionstep consent ends. */
export const PAGES = [
  { name: 'astep_/html/SignInRedirect.html', displayName: 'Mapping Wizard sign-in', source: 'src/pages/html/SignInRedirect.html' },
  { name: 'astep_/html/ConnectionSignedIn.html', displayName: 'Actionstep connection signed in', source: 'src/pages/html/ConnectionSignedIn.html' },
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
    ...(r.globalName ? { globalName: r.globalName } : {}),
    platform: 'browser',
    target: 'es2017',
    tsconfig: path.join(here, 'tsconfig.json'),
    legalComments: 'none',
    logLevel: 'warning',
  });
  manifest.push({ name: r.name, displayName: r.displayName, type: 'JScript', file });
}
for (const p of PAGES) {
  const file = p.name.replace(/^astep_\//, '');
  mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
  copyFileSync(path.join(here, p.source), path.join(out, file));
  manifest.push({ name: p.name, displayName: p.displayName, type: 'Webpage (HTML)', file });
}
writeFileSync(path.join(out, 'webresources.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`plugins-ts: ${manifest.length} web resources in ${path.relative(process.cwd(), out) || out}`);
