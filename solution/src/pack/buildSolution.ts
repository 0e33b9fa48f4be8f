// `npm run build:solution`: writes dist/ActionstepMigration_<version>_{managed,unmanaged}.zip and refreshes
// solution/unpacked/ (the unmanaged package in the SolutionPackager layout, for review in source control).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SolutionSchema } from '../model';
import { SCHEMA } from '../schema';
import { tableBudget } from '../tableBudget';
import { EMPTY_INPUTS, loadPackInputs, type PackInputs } from './inputs';
import { solutionVersion } from './manifest';
import { checkSolutionManifest, checkZipLayout } from './verifyPackage';
import { DECLARED_WEB_RESOURCES } from '../ui/webResources';
import { packSolution, unpackedLayout, zipPackage, type PackedFile } from './packSolution';

export interface BuildResult {
  version: string;
  managedZip: string;
  unmanagedZip: string;
  omitted: string[];
  unpackedFiles: number;
}

export function repoVersion(repoRoot: string): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string };
  return solutionVersion(pkg.version ?? '');
}

/**
 * The unpacked source holds what this package owns: schema, UI, the ribbon and the metadata of the web resource it
 * calls. Web resource content, PCF bundles and the connector are other packages' build outputs, mapped in at pack
 * time (as SolutionPackager's /map does), so they are not copied; PCF bindings appear only in the zip, once built.
 */
export function unpackedSource(repoRoot: string, schema: SolutionSchema = SCHEMA): PackedFile[] {
  const webResources = DECLARED_WEB_RESOURCES.map((w) => ({ ...w, content: new Uint8Array(0) }));
  return unpackedLayout(schema, { version: repoVersion(repoRoot), inputs: { ...EMPTY_INPUTS, webResources }, mapContent: true });
}

export function writeFiles(dir: string, files: PackedFile[]): void {
  rmSync(dir, { recursive: true, force: true });
  for (const f of files) {
    const path = join(dir, ...f.path.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
}

/**
 * Writes both zips and the unpacked copy. With `requireAll` (what `npm run build:solution` uses, after building the
 * inputs) a component left out because its input is absent stops the build before anything is written.
 */
export async function buildSolution(repoRoot: string, inputs: PackInputs = loadPackInputs(repoRoot), options: { requireAll?: boolean } = {}): Promise<BuildResult> {
  const version = repoVersion(repoRoot);
  // Build-time check (reference section 9): the solution must fit the Sales Professional budget of 15 custom tables
  // on its own.
  const budget = tableBudget(SCHEMA, 'SalesProfessional');
  if (!budget.fits) throw new Error(`the solution's custom tables exceed the Sales Professional limit: ${budget.message}`);
  const dist = join(repoRoot, 'dist');
  mkdirSync(dist, { recursive: true });
  const base = `${SCHEMA.uniqueName}_${version}`;
  const result: Partial<BuildResult> = { version };
  let omitted: string[] = [];
  for (const managed of [true, false]) {
    const pkg = packSolution(SCHEMA, { version, managed, inputs });
    omitted = pkg.omitted;
    if (options.requireAll && omitted.length) throw new Error(`the solution would ship without:\n  ${omitted.join('\n  ')}`);
    const bytes = await zipPackage(pkg);
    const problems = [...checkSolutionManifest(pkg.solutionXml, pkg.customizationsXml), ...(await checkZipLayout(bytes))];
    if (problems.length) throw new Error(`the ${managed ? 'managed' : 'unmanaged'} package is malformed:\n  ${problems.join('\n  ')}`);
    const path = join(dist, `${base}_${managed ? 'managed' : 'unmanaged'}.zip`);
    writeFileSync(path, bytes);
    if (managed) result.managedZip = path;
    else result.unmanagedZip = path;
  }
  const unpacked = unpackedSource(repoRoot);
  writeFiles(join(repoRoot, 'solution', 'unpacked'), unpacked);
  return { ...(result as BuildResult), omitted, unpackedFiles: unpacked.length };
}

export async function main(repoRoot: string): Promise<number> {
  try {
    const r = await buildSolution(repoRoot, loadPackInputs(repoRoot), { requireAll: true });
    for (const line of r.omitted) process.stderr.write(`left out: ${line}\n`);
    process.stdout.write(`solution ${SCHEMA.uniqueName} ${r.version}\n  ${r.managedZip}\n  ${r.unmanagedZip}\n  solution/unpacked/ (${r.unpackedFiles} files)\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`build:solution failed: ${(e as Error).message}\n`);
    return 1;
  }
}
