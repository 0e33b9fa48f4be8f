// Structural checks of a packed solution that no XSD covers: solution.xml (there is no solution.xsd) and the zip
// layout. The build runs them on every zip it writes; each problem is one sentence naming the part and the rule.
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import { COMPONENT_TYPE } from './manifest';

type Node = Record<string, unknown>;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, isArray: (_n, _p, _l, attr) => !attr });
const first = (v: unknown): Node | undefined => (Array.isArray(v) ? (v[0] as Node) : undefined);
const textOf = (v: unknown): string | undefined => {
  const n = Array.isArray(v) ? v[0] : v;
  if (n === undefined || n === null) return undefined;
  if (typeof n === 'object') return (n as Node)['#text'] === undefined ? '' : String((n as Node)['#text']);
  return String(n);
};
const list = (parent: Node | undefined, container: string, item: string): Node[] =>
  (first(parent?.[container])?.[item] as Node[] | undefined) ?? [];

/** solution.xml against customizations.xml: manifest fields, publisher, and a root component for every component. */
export function checkSolutionManifest(solutionXml: string, customizationsXml: string): string[] {
  const problems: string[] = [];
  const sm = first(first((parser.parse(solutionXml) as Node).ImportExportXml)?.SolutionManifest);
  if (!sm) return ['solution.xml: <ImportExportXml><SolutionManifest> is missing'];
  const need = (cond: boolean, msg: string) => {
    if (!cond) problems.push(`solution.xml: ${msg}`);
  };
  need(/^[A-Za-z_][A-Za-z0-9_]*$/.test(textOf(sm.UniqueName) ?? ''), 'UniqueName must be letters, digits and underscores');
  need(list(sm, 'LocalizedNames', 'LocalizedName').some((n) => n['@languagecode'] === '1033' && !!n['@description']), 'LocalizedNames needs a 1033 LocalizedName');
  need(/^\d+(\.\d+){1,3}$/.test(textOf(sm.Version) ?? ''), `Version "${textOf(sm.Version)}" must be major.minor[.build[.revision]]`);
  need(['0', '1'].includes(textOf(sm.Managed) ?? ''), 'Managed must be 0 or 1');
  const pub = first(sm.Publisher);
  need(!!pub, 'Publisher is missing');
  if (pub) {
    need(!!textOf(pub.UniqueName), 'Publisher/UniqueName is required');
    need(list(pub, 'LocalizedNames', 'LocalizedName').length > 0, 'Publisher/LocalizedNames needs a LocalizedName');
    const prefix = textOf(pub.CustomizationPrefix) ?? '';
    need(/^[a-z][a-z0-9]{1,7}$/.test(prefix) && !prefix.startsWith('mscrm'), `Publisher/CustomizationPrefix "${prefix}" must be 2-8 lower-case letters or digits, not mscrm`);
    const ovp = Number(textOf(pub.CustomizationOptionValuePrefix));
    need(Number.isInteger(ovp) && ovp >= 10000 && ovp <= 99999, 'Publisher/CustomizationOptionValuePrefix must be 10000..99999');
    need(list(pub, 'Addresses', 'Address').length === 2, 'Publisher/Addresses must hold two Address blocks, as exports do');
  }
  const roots = list(sm, 'RootComponents', 'RootComponent').map((r) => ({
    type: Number(r['@type']),
    key: String(r['@schemaName'] ?? r['@id'] ?? '').toLowerCase(),
    id: String(r['@id'] ?? '').toLowerCase(),
    behavior: String(r['@behavior'] ?? ''),
  }));
  for (const r of roots) {
    need(Object.values(COMPONENT_TYPE).includes(r.type as never), `RootComponent type ${r.type} is not a component type this solution ships`);
    need(['0', '1', '2'].includes(r.behavior), `RootComponent ${r.key}: behavior must be 0, 1 or 2`);
  }
  const has = (type: number, key: string) => roots.some((r) => r.type === type && (r.key === key.toLowerCase() || r.id === key.toLowerCase()));
  const cust = first((parser.parse(customizationsXml) as Node).ImportExportXml);
  if (!cust) return [...problems, 'customizations.xml: <ImportExportXml> root is missing'];
  const expect = (type: number, key: string | undefined, what: string) => {
    if (key && !has(type, key)) problems.push(`solution.xml: ${what} ${key} has no RootComponent of type ${type}`);
  };
  for (const e of list(cust, 'Entities', 'Entity')) expect(COMPONENT_TYPE.Entity, textOf(e.Name)?.toLowerCase(), 'table');
  for (const o of list(cust, 'optionsets', 'optionset')) expect(COMPONENT_TYPE.OptionSet, String(o['@Name']), 'global choice');
  for (const r of list(cust, 'Roles', 'Role')) expect(COMPONENT_TYPE.Role, String(r['@id']), 'role');
  for (const w of list(cust, 'WebResources', 'WebResource')) expect(COMPONENT_TYPE.WebResource, textOf(w.Name), 'web resource');
  for (const c of list(cust, 'CustomControls', 'CustomControl')) expect(COMPONENT_TYPE.CustomControl, textOf(c.Name), 'custom control');
  for (const s of list(cust, 'AppModuleSiteMaps', 'AppModuleSiteMap')) expect(COMPONENT_TYPE.SiteMap, textOf(s.SiteMapUniqueName), 'site map');
  for (const a of list(cust, 'AppModules', 'AppModule')) expect(COMPONENT_TYPE.AppModule, textOf(a.UniqueName), 'app');
  for (const c of list(cust, 'Connectors', 'Connector')) expect(COMPONENT_TYPE.Connector, textOf(c.name), 'connector');
  return problems;
}

/** The zip: root entries, forward slashes, no folders, a Content_Types Default per extension, referenced files present. */
export async function checkZipLayout(zipBytes: Uint8Array): Promise<string[]> {
  const problems: string[] = [];
  const zip = await JSZip.loadAsync(zipBytes);
  const names = Object.keys(zip.files);
  for (const root of ['[Content_Types].xml', 'solution.xml', 'customizations.xml']) {
    if (!names.includes(root)) problems.push(`zip: ${root} is missing at the root`);
  }
  for (const n of names) {
    if (n.includes('\\')) problems.push(`zip: entry ${n} uses a backslash`);
    if (n.startsWith('/')) problems.push(`zip: entry ${n} starts with a slash`);
    if (zip.files[n].dir) problems.push(`zip: ${n} is a folder entry (exports have none)`);
  }
  const types = (await zip.file('[Content_Types].xml')?.async('string')) ?? '';
  const exts = new Set(names.map((n) => n.split('/').pop() ?? '').filter((n) => n.includes('.')).map((n) => n.split('.').pop()!.toLowerCase()));
  for (const ext of exts) {
    if (!new RegExp(`<Default Extension="${ext}" ContentType="[^"]+"\\s*/>`).test(types)) problems.push(`zip: [Content_Types].xml has no Default for .${ext}`);
  }
  const cust = (await zip.file('customizations.xml')?.async('string')) ?? '';
  const refs = [...cust.matchAll(/<(?:FileName|openapidefinition|connectionparameters|policytemplateinstances)>\/([^<]+)</g)].map((m) => m[1]);
  for (const r of refs) if (!names.includes(r)) problems.push(`zip: customizations.xml refers to /${r}, which is not in the zip`);
  const sol = (await zip.file('solution.xml')?.async('string')) ?? '';
  for (const m of sol.matchAll(/<RootComponent type="380" schemaName="([^"]+)"/g)) {
    const path = `environmentvariabledefinitions/${m[1]}/environmentvariabledefinition.xml`;
    if (!names.includes(path)) problems.push(`zip: environment variable ${m[1]} has no ${path}`);
  }
  return problems;
}
