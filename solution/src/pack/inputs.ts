// What other builds hand to the packer: web resources (plugins-ts), PCF controls (pcf-controls) and the Actionstep
// custom connector (connectors/actionstep). Each is optional; an absent input leaves its component out.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { XMLParser } from 'fast-xml-parser';

export interface WebResourceInput {
  /** Unique name with the publisher prefix, e.g. `astep_/js/MigrationRunCommands.js`. */
  name: string;
  displayName: string;
  /** WebResourceType: 1 HTML, 2 CSS, 3 JS, 4 XML, 5 PNG, 6 JPG, 7 GIF, 8 XAP, 9 XSL, 10 ICO, 11 SVG, 12 RESX. */
  type: number;
  content: Uint8Array;
}

export interface PcfControlInput {
  /** Solution name of the control: `<prefix>_<namespace>.<constructor>`, e.g. `astep_Astep.MappingWizard`. */
  name: string;
  /** The manifest's first bound property (the field the form binds to it). */
  boundProperty: string;
  /** Its `of-type` (e.g. `Multiple`, `SingleLine.Text`). */
  boundType: string;
  /** Every bound property of the manifest (the first is boundProperty), for forms that bind more than one field. */
  boundProperties: Array<{ name: string; type: string }>;
  /** Files of the built control (`out/controls/<Name>/`), paths relative to it with forward slashes. */
  files: { path: string; content: Uint8Array }[];
}

export interface ConnectorInput {
  /** Connector name in the solution (prefix_name). */
  name: string;
  displayName: string;
  description: string;
  iconBrandColor: string;
  /** apiDefinition.swagger.json text. */
  openApiDefinition: string;
  /** apiProperties.json properties.connectionParameters, serialised. */
  connectionParameters: string;
  /** apiProperties.json properties.policyTemplateInstances, serialised (absent when none). */
  policyTemplateInstances?: string;
}

export interface PackInputs {
  webResources: WebResourceInput[];
  controls: PcfControlInput[];
  connector?: ConnectorInput;
}

export const EMPTY_INPUTS: PackInputs = { webResources: [], controls: [] };

const WEB_RESOURCE_TYPES: Record<string, number> = {
  html: 1, htm: 1, css: 2, js: 3, jscript: 3, xml: 4, png: 5, jpg: 6, jpeg: 6, gif: 7, xap: 8, xsl: 9, xslt: 9, ico: 10, svg: 11, resx: 12,
};

/** A web resource type from a number, a type name (`JScript`, `css`) or the file extension. */
export function webResourceType(type: unknown, name: string): number {
  if (typeof type === 'number' && type >= 1 && type <= 12) return type;
  if (typeof type === 'string') {
    const t = WEB_RESOURCE_TYPES[type.toLowerCase()];
    if (t) return t;
    if (/^\d+$/.test(type)) return webResourceType(Number(type), name);
  }
  const ext = name.split('.').pop()?.toLowerCase() ?? '';
  const byExt = WEB_RESOURCE_TYPES[ext];
  if (!byExt) throw new Error(`Web resource ${name}: unknown type ${JSON.stringify(type)} and no known file extension`);
  return byExt;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else out.push(full);
  }
  return out;
}

/**
 * Reads `<dir>/webresources.json`: an array (or `{ webResources: [...] }`) of `{ name, displayName, type, file? }`;
 * `file` defaults to the name without the `<prefix>_/` folder. Throws naming the entry when a file is missing.
 */
export function loadWebResources(dir: string): WebResourceInput[] {
  const manifestPath = join(dir, 'webresources.json');
  if (!existsSync(manifestPath)) return [];
  const raw = JSON.parse(readFileSync(manifestPath, 'utf8')) as unknown;
  const list = (Array.isArray(raw) ? raw : (raw as { webResources?: unknown[] }).webResources ?? []) as Record<string, unknown>[];
  return list.map((e, i) => {
    const name = e.name;
    if (typeof name !== 'string' || !name) throw new Error(`${manifestPath} entry ${i}: "name" is required`);
    const file = typeof e.file === 'string' ? e.file : typeof e.path === 'string' ? e.path : name.replace(/^[^/]+_\//, '');
    const path = join(dir, file);
    if (!existsSync(path)) throw new Error(`${manifestPath} entry ${name}: file ${file} does not exist in ${dir}`);
    return {
      name,
      displayName: typeof e.displayName === 'string' ? e.displayName : typeof e.displayname === 'string' ? e.displayname : name.split('/').pop() ?? name,
      type: webResourceType(e.type, name),
      content: new Uint8Array(readFileSync(path)),
    };
  });
}

/** Reads a built PCF control folder (`out/controls/<Name>/` with ControlManifest.xml), or undefined when absent. */
export function loadPcfControl(dir: string, prefix: string): PcfControlInput | undefined {
  const manifestPath = join(dir, 'ControlManifest.xml');
  if (!existsSync(manifestPath)) return undefined;
  const files = listFiles(dir).map((f) => ({ path: relative(dir, f).split(sep).join('/'), content: new Uint8Array(readFileSync(f)) }));
  const { namespace, constructor, boundProperty, boundType, boundProperties } = readControlManifest(readFileSync(manifestPath, 'utf8'), manifestPath);
  return { name: `${prefix}_${namespace}.${constructor}`, boundProperty, boundType, boundProperties, files };
}

export function readControlManifest(
  xml: string,
  where: string,
): { namespace: string; constructor: string; boundProperty: string; boundType: string; boundProperties: Array<{ name: string; type: string }> } {
  // '@_' prefix: the manifest's `constructor` attribute must not become a plain object key.
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', isArray: (n) => n === 'property' }).parse(xml) as {
    manifest?: { control?: Record<string, unknown> & { property?: Record<string, string>[] } };
  };
  const control = parsed.manifest?.control;
  const namespace = control?.['@_namespace'];
  const ctor = control?.['@_constructor'];
  if (typeof namespace !== 'string' || typeof ctor !== 'string' || !namespace || !ctor) {
    throw new Error(`${where}: <manifest><control> needs namespace and constructor attributes`);
  }
  const bound = (control?.property ?? []).find((p) => p['@_usage'] === 'bound');
  if (!bound?.['@_name']) throw new Error(`${where}: the control has no property with usage="bound" for the form field`);
  const boundProperties = (control?.property ?? []).filter((p) => p['@_usage'] === 'bound' && p['@_name']).map((p) => ({ name: p['@_name'], type: p['@_of-type'] ?? 'Multiple' }));
  return { namespace, constructor: ctor, boundProperty: bound['@_name'], boundType: bound['@_of-type'] ?? 'Multiple', boundProperties };
}

/** Reads `apiDefinition.swagger.json` + `apiProperties.json` from the connector folder, or undefined when absent. */
export function loadConnector(dir: string, prefix: string): ConnectorInput | undefined {
  const defPath = join(dir, 'apiDefinition.swagger.json');
  const propsPath = join(dir, 'apiProperties.json');
  if (!existsSync(defPath) || !existsSync(propsPath)) return undefined;
  const openApiDefinition = readFileSync(defPath, 'utf8');
  const swagger = JSON.parse(openApiDefinition) as { info?: { title?: string; description?: string } };
  const props = (JSON.parse(readFileSync(propsPath, 'utf8')) as { properties?: Record<string, unknown> }).properties ?? {};
  const policies = props.policyTemplateInstances as unknown[] | undefined;
  return {
    name: `${prefix}_actionstep`,
    displayName: swagger.info?.title ?? 'Actionstep',
    description: swagger.info?.description ?? 'Actionstep REST API',
    iconBrandColor: typeof props.iconBrandColor === 'string' ? props.iconBrandColor : '#0F4C81',
    openApiDefinition,
    connectionParameters: JSON.stringify(props.connectionParameters ?? {}, null, 2),
    policyTemplateInstances: policies && policies.length ? JSON.stringify(policies, null, 2) : undefined,
  };
}

/** All inputs from their places in the repository (see the brief): anything missing is simply absent. */
export function loadPackInputs(repoRoot: string, prefix = 'astep'): PackInputs {
  const controls: PcfControlInput[] = [];
  const pcfRoot = join(repoRoot, 'pcf-controls');
  if (existsSync(pcfRoot)) {
    for (const name of readdirSync(pcfRoot).sort()) {
      // pcf-scripts writes out/controls/<constructor>/; the project folder usually has the same name, but not always.
      const outRoot = join(pcfRoot, name, 'out', 'controls');
      const candidates = existsSync(join(outRoot, name)) ? [name] : existsSync(outRoot) ? readdirSync(outRoot).sort() : [];
      for (const folder of candidates) {
        const c = loadPcfControl(join(outRoot, folder), prefix);
        if (c && !controls.some((x) => x.name === c.name)) controls.push(c);
      }
    }
  }
  return {
    webResources: loadWebResources(join(repoRoot, 'plugins-ts', 'dist', 'webresources')),
    controls,
    connector: loadConnector(join(repoRoot, 'connectors', 'actionstep'), prefix),
  };
}
