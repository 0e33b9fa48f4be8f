// Runs libxml2's xmllint against Microsoft's solution XSDs (9.0.0.2090, patched for libxml2; see shared/schemas).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

export function schemasDir(): string {
  const candidates = [resolve(REPO_ROOT, '..', 'shared', 'schemas'), '/work/shared/schemas'];
  const found = candidates.find((d) => existsSync(join(d, 'dataverse-9.0.0.2090', 'CustomizationsSolution.xsd')));
  if (!found) throw new Error(`Dataverse XSDs not found in ${candidates.join(' or ')}`);
  return join(found, 'dataverse-9.0.0.2090');
}

export interface XmlLintResult {
  ok: boolean;
  output: string;
}

/** Validates an XML text against CustomizationsSolution.xsd (or another XSD of the set, or an XSD at an absolute path). */
export function xmllint(xml: string, xsd = 'CustomizationsSolution.xsd'): XmlLintResult {
  const dir = mkdtempSync(join(tmpdir(), 'astep-xsd-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--schema', isAbsolute(xsd) ? xsd : join(schemasDir(), xsd), file], { encoding: 'utf8' });
    if (r.error) throw new Error(`xmllint could not run (apt-get install -y libxml2-utils): ${r.error.message}`);
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** customizations.xml without the elements newer than the 2090 XSD (validated separately). */
export function xsdPart(customizationsXml: string, elements: string[]): string {
  let out = customizationsXml;
  for (const name of elements) out = out.replace(new RegExp(`\\s*<${name}>[\\s\\S]*?</${name}>`, 'g'), '');
  return out;
}
