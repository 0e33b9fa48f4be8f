// The packer: schema + UI definitions + optional built inputs → the files of a solution zip and of the unpacked
// (SolutionPackager) source layout.
import JSZip from 'jszip';
import type { SolutionSchema, TableDef } from '../model';
import { APP } from '../ui/app';
import { ENV_VAR_TYPE_CODE, ENVIRONMENT_VARIABLES } from '../ui/environmentVariables';
import { FORMS } from '../ui/forms';
import { adminRole } from '../ui/role';
import type { AppDef, EnvironmentVariableDef, FormDef, ViewDef } from '../ui/types';
import { VIEWS } from '../ui/views';
import { withPlatformDefaults } from '../ui/defaults';
import { entityInfoXml, optionSetXml, relationshipXml } from './entities';
import type { PackFlavor } from './flavor';
import { EMPTY_INPUTS, type ConnectorInput, type PackInputs, type PcfControlInput, type WebResourceInput } from './inputs';
import { COMPONENT_TYPE, solutionManifestXml, type RootComponent } from './manifest';
import {
  appModuleXml,
  formXml,
  roleXml,
  MIGRATION_RUN_COMMANDS_LIBRARY,
  migrationRunRibbonXml,
  siteMapXml,
  viewXml,
  type ControlBinding,
} from './uiXml';
import { braced, el, fragmentXml, stableGuid, text, toXml, type XmlNode } from './xml';

export interface UiDefinitions {
  forms: FormDef[];
  views: ViewDef[];
  app: AppDef;
  environmentVariables: EnvironmentVariableDef[];
}

export const DEFAULT_UI: UiDefinitions = { forms: FORMS, views: VIEWS, app: APP, environmentVariables: ENVIRONMENT_VARIABLES };

export interface PackOptions {
  /** Solution version x.y.z.w. */
  version: string;
  managed: boolean;
  inputs?: PackInputs;
  ui?: UiDefinitions;
}

export interface PackedFile {
  path: string;
  content: string | Uint8Array;
}

export interface SolutionPackage {
  /** Zip entries in write order (forward slashes, no folder entries). */
  files: PackedFile[];
  /** The customizations.xml text (also in files). */
  customizationsXml: string;
  solutionXml: string;
  /** Components left out because an input they need is absent, one sentence each. */
  omitted: string[];
  /** Root components written to solution.xml. */
  rootComponents: RootComponent[];
}

/** customizations.xml elements newer than the 9.0.0.2090 XSD; tests validate them separately. */
export const NON_XSD_ELEMENTS = ['Connectors'];

function checkSchema(schema: SolutionSchema): void {
  const prefix = `${schema.publisher.customizationPrefix}_`;
  for (const t of schema.tables) {
    if (t.isCustom && !t.logicalName.startsWith(prefix)) throw new Error(`Table ${t.logicalName}: custom tables need the prefix ${prefix}`);
    const primary = t.columns.filter((c) => c.isPrimaryName);
    if (t.isCustom && primary.length !== 1) throw new Error(`Table ${t.logicalName}: needs exactly one primary name column, has ${primary.length}`);
    for (const c of t.columns) {
      if (!c.logicalName.startsWith(prefix)) throw new Error(`Column ${t.logicalName}.${c.logicalName}: our columns need the prefix ${prefix}`);
      if (!c.displayName) throw new Error(`Column ${t.logicalName}.${c.logicalName}: displayName (LocalizedName) is required`);
      if ((c.type === 'picklist' || c.type === 'multiselectpicklist') && !schema.choices.some((x) => x.name === c.optionSet)) {
        throw new Error(`Column ${t.logicalName}.${c.logicalName}: choice ${String(c.optionSet)} is not defined in the schema`);
      }
    }
    for (const c of t.columns.filter((x) => x.type === 'lookup')) {
      const r = schema.relationships.find((x) => x.schemaName === c.relationship);
      if (!r) throw new Error(`Column ${t.logicalName}.${c.logicalName}: relationship ${String(c.relationship)} is not defined in the schema`);
      const target = schema.tables.find((x) => x.logicalName === r.referencedEntity);
      if (!target && r.referencedEntity.startsWith(prefix)) {
        throw new Error(`Column ${t.logicalName}.${c.logicalName}: it looks up ${r.referencedEntity}, which is not a table of this schema`);
      }
    }
    for (const k of t.keys) {
      for (const kc of k.columns) {
        if (!t.columns.some((c) => c.logicalName === kc)) throw new Error(`Key ${t.logicalName}.${k.logicalName}: column ${kc} is not a column of the table`);
      }
    }
  }
}

/**
 * Organization.MaxUploadFileSize defaults to 5 MB and caps web resources (PCF resources are stored the same way);
 * an import with a larger file fails, so the build fails first, naming the file.
 */
export const MAX_WEB_RESOURCE_BYTES = 5 * 1024 * 1024;

function checkSize(what: string, content: Uint8Array): void {
  if (content.byteLength > MAX_WEB_RESOURCE_BYTES) {
    throw new Error(`${what} is ${content.byteLength} bytes, over the 5 MB web resource limit (MaxUploadFileSize): build it minified (production)`);
  }
}

function entityName(t: TableDef): XmlNode {
  return el('Name', { LocalizedName: t.displayName, OriginalName: t.displayName }, t.schemaName);
}

function webResourceXml(w: WebResourceInput, flavor: PackFlavor): XmlNode {
  return el('WebResource', null,
    text('WebResourceId', braced(stableGuid(`webresource:${w.name}`))),
    text('Name', w.name),
    text('DisplayName', w.displayName),
    text('WebResourceType', w.type),
    text('IntroducedVersion', '1.0.0.0'),
    text('IsEnabledForMobileClient', false),
    text('IsAvailableForMobileOffline', false),
    // Managed: our script is not edited in place (a change would silently alter rollback).
    text('IsCustomizable', !flavor.managed),
    text('CanBeDeleted', !flavor.managed),
    text('IsHidden', false),
    text('FileName', `/WebResources/${w.name}`),
  );
}

function connectorXml(c: ConnectorInput): XmlNode {
  const base = `/Connector/${c.name}`;
  return el('Connector', null,
    text('connectorid', stableGuid(`connector:${c.name}`)),
    text('description', c.description),
    text('displayname', c.displayName),
    text('iconbrandcolor', c.iconBrandColor),
    text('name', c.name),
    text('connectortype', 1),
    text('openapidefinition', `${base}_openapidefinition.json`),
    text('connectionparameters', `${base}_connectionparameters.json`),
    c.policyTemplateInstances ? text('policytemplateinstances', `${base}_policytemplateinstances.json`) : null,
  );
}

function environmentVariableXml(v: EnvironmentVariableDef, flavor: PackFlavor): XmlNode {
  return el('environmentvariabledefinition', { schemaname: v.schemaName },
    v.defaultValue === undefined ? null : text('defaultvalue', v.defaultValue),
    el('description', { default: v.description }, el('label', { description: v.description, languagecode: 1033 })),
    el('displayname', { default: v.displayName }, el('label', { description: v.displayName, languagecode: 1033 })),
    text('introducedversion', '1.0.0.0'),
    text('iscustomizable', !flavor.managed),
    text('isrequired', v.isRequired),
    text('secretstore', 0),
    text('type', ENV_VAR_TYPE_CODE[v.type]),
  );
}

/** Everything a pack decides, shared by the zip and the unpacked layout. */
interface Parts {
  entities: { table: TableDef; name: XmlNode; info: XmlNode; forms: { form: FormDef; xml: XmlNode }[]; views: { view: ViewDef; xml: XmlNode }[]; ribbon?: XmlNode }[];
  role: ReturnType<typeof adminRole>;
  roleXml: XmlNode;
  relationships: XmlNode[];
  optionSets: { name: string; xml: XmlNode }[];
  webResources: { input: WebResourceInput; xml: XmlNode }[];
  controls: { input: PcfControlInput; xml: XmlNode }[];
  siteMap: XmlNode;
  appModule: XmlNode;
  connector?: { input: ConnectorInput; xml: XmlNode };
  environmentVariables: { def: EnvironmentVariableDef; xml: XmlNode }[];
  roots: RootComponent[];
  omitted: string[];
}

function buildParts(schema: SolutionSchema, options: PackOptions): Parts {
  checkSchema(schema);
  const flavor: PackFlavor = { managed: options.managed };
  const inputs = options.inputs ?? EMPTY_INPUTS;
  const ui = options.ui ?? DEFAULT_UI;
  const omitted: string[] = [];
  const tableNames = new Set(schema.tables.map((t) => t.logicalName));

  const controlBindings = new Map<string, ControlBinding>();
  for (const c of inputs.controls) controlBindings.set(c.name, { name: c.name, boundProperty: c.boundProperty, boundType: c.boundType, boundProperties: c.boundProperties ?? [{ name: c.boundProperty, type: c.boundType }] });
  for (const f of ui.forms) {
    for (const cell of f.tabs.flatMap((t) => t.sections.flatMap((s) => s.cells))) {
      if (cell.kind === 'pcf' && !controlBindings.has(cell.control)) {
        omitted.push(`PCF control ${cell.control} is not built: form "${f.name}" shows ${cell.field} as a plain field (no controlDescription)`);
      } else if (cell.kind === 'pcf') {
        const declared = controlBindings.get(cell.control)!.boundProperties;
        for (const [property, field] of Object.entries(cell.extraBindings ?? {})) {
          if (!declared.some((p) => p.name === property)) omitted.push(`PCF control ${cell.control} declares no bound property ${property}: form "${f.name}" does not bind ${field} to it`);
        }
      }
    }
  }
  const webResourceNames = new Set(inputs.webResources.map((w) => w.name));
  for (const f of ui.forms) {
    for (const s of f.scripts ?? []) if (!webResourceNames.has(s.library)) omitted.push(`Web resource ${s.library} is absent: form "${f.name}" runs without its on-load script ${s.onLoad}`);
  }
  const withRibbon = webResourceNames.has(MIGRATION_RUN_COMMANDS_LIBRARY) && tableNames.has('astep_migrationrun');
  if (!withRibbon) omitted.push(`Web resource ${MIGRATION_RUN_COMMANDS_LIBRARY} is absent: the "Start run" and "Roll back run" command-bar buttons are left out`);

  const withDefaults = withPlatformDefaults(schema, ui.forms, ui.views);
  const forms = withDefaults.forms.filter((f) => tableNames.has(f.table));
  const views = withDefaults.views.filter((v) => tableNames.has(v.table));
  const entities = schema.tables.map((t) => ({
    table: t,
    name: entityName(t),
    info: entityInfoXml(t, flavor),
    forms: forms.filter((f) => f.table === t.logicalName).map((form) => ({ form, xml: formXml(form, schema, controlBindings, flavor, webResourceNames) })),
    views: views.filter((v) => v.table === t.logicalName).map((view) => ({ view, xml: viewXml(view, schema, flavor) })),
    ribbon: withRibbon && t.logicalName === 'astep_migrationrun' ? migrationRunRibbonXml() : undefined,
  }));

  const role = adminRole(schema);
  const app: AppDef = {
    ...ui.app,
    groups: ui.app.groups
      .map((g) => ({ ...g, subAreas: g.subAreas.filter((s) => tableNames.has(s.entity)) }))
      .filter((g) => g.subAreas.length > 0),
  };
  const appEntities = app.groups.flatMap((g) => g.subAreas.map((s) => s.entity));

  const controls = inputs.controls.map((input) => {
    if (!input.name.startsWith(`${schema.publisher.customizationPrefix}_`)) {
      throw new Error(`PCF control ${input.name}: its name must carry the publisher prefix ${schema.publisher.customizationPrefix}_`);
    }
    return { input, xml: el('CustomControl', null, text('Name', input.name), text('FileName', `/Controls/${input.name}/ControlManifest.xml`)) };
  });
  if (!inputs.connector) omitted.push('Custom connector: connectors/actionstep/apiDefinition.swagger.json + apiProperties.json are absent; connector left out');

  const roots: RootComponent[] = [
    ...schema.tables.map((t): RootComponent => ({ type: COMPONENT_TYPE.Entity, schemaName: t.logicalName, behavior: t.isCustom ? 0 : 2 })),
    ...schema.choices.map((c): RootComponent => ({ type: COMPONENT_TYPE.OptionSet, schemaName: c.name, behavior: 0 })),
    // Forms on standard tables travel on their own (their table is only a shell in this solution).
    ...forms.filter((f) => !schema.tables.find((t) => t.logicalName === f.table)?.isCustom)
      .map((f): RootComponent => ({ type: COMPONENT_TYPE.SystemForm, id: braced(f.id), behavior: 0 })),
    { type: COMPONENT_TYPE.Role, id: braced(role.id), behavior: 0 },
    ...inputs.webResources.map((w): RootComponent => ({ type: COMPONENT_TYPE.WebResource, schemaName: w.name, behavior: 0 })),
    ...controls.map((c): RootComponent => ({ type: COMPONENT_TYPE.CustomControl, schemaName: c.input.name, behavior: 0 })),
    { type: COMPONENT_TYPE.SiteMap, schemaName: app.uniqueName, behavior: 0 },
    { type: COMPONENT_TYPE.AppModule, schemaName: app.uniqueName, behavior: 0 },
    ...ui.environmentVariables.map((v): RootComponent => ({ type: COMPONENT_TYPE.EnvironmentVariableDefinition, schemaName: v.schemaName, behavior: 0 })),
    ...(inputs.connector
      ? [{ type: COMPONENT_TYPE.Connector, id: braced(stableGuid(`connector:${inputs.connector.name}`)), schemaName: inputs.connector.name, behavior: 0 } as RootComponent]
      : []),
  ];

  for (const w of inputs.webResources) checkSize(`Web resource ${w.name}`, w.content);
  for (const c of inputs.controls) for (const f of c.files) checkSize(`PCF control ${c.name} file ${f.path}`, f.content);

  return {
    entities,
    role,
    roleXml: roleXml(role, flavor),
    relationships: schema.relationships.filter((r) => tableNames.has(r.referencingEntity)).map((r) => relationshipXml(r, schema, flavor)),
    optionSets: schema.choices.map((c) => ({ name: c.name, xml: optionSetXml(c) })),
    webResources: inputs.webResources.map((input) => ({ input, xml: webResourceXml(input, flavor) })),
    controls,
    siteMap: siteMapXml(app),
    appModule: appModuleXml(app, { entities: appEntities, formIds: forms.map((f) => f.id), viewIds: views.map((v) => v.id) }, role.id),
    connector: inputs.connector ? { input: inputs.connector, xml: connectorXml(inputs.connector) } : undefined,
    environmentVariables: ui.environmentVariables.map((def) => ({ def, xml: environmentVariableXml(def, flavor) })),
    roots,
    omitted,
  };
}

function entityXml(e: Parts['entities'][number]): XmlNode {
  return el('Entity', null,
    e.name,
    e.info,
    e.forms.length ? el('FormXml', null, el('forms', { type: 'main' }, e.forms.map((f) => f.xml))) : null,
    e.views.length ? el('SavedQueries', null, el('savedqueries', null, e.views.map((v) => v.xml))) : null,
    e.ribbon ?? null,
  );
}

const XSI = 'http://www.w3.org/2001/XMLSchema-instance';

function customizationsXml(p: Parts): string {
  return toXml(
    el('ImportExportXml', { 'xmlns:xsi': XSI },
      el('Entities', null, p.entities.map(entityXml)),
      el('Roles', null, p.roleXml),
      el('Workflows'),
      el('FieldSecurityProfiles'),
      el('Templates'),
      el('EntityMaps'),
      el('EntityRelationships', null, p.relationships),
      el('OrganizationSettings'),
      el('optionsets', null, p.optionSets.map((o) => o.xml)),
      el('WebResources', null, p.webResources.map((w) => w.xml)),
      el('CustomControls', null, p.controls.map((c) => c.xml)),
      el('AppModuleSiteMaps', null, p.siteMap),
      el('AppModules', null, p.appModule),
      el('EntityDataProviders'),
      // Newer than the 9.0.0.2090 XSD: real exports put <Connectors> here; tests strip it before xmllint.
      p.connector ? el('Connectors', null, p.connector.xml) : null,
      el('Languages', null, text('Language', 1033)),
    ),
  );
}

function extensionOf(path: string): string {
  const name = path.split('/').pop() ?? path;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** [Content_Types].xml with one Default per extension present (and xml always), as exports write it. */
export function contentTypesXml(paths: string[]): string {
  const exts = [...new Set(['xml', ...paths.map(extensionOf).filter(Boolean)])].sort();
  return toXml(
    el('Types', { xmlns: 'http://schemas.openxmlformats.org/package/2006/content-types' },
      exts.map((e) => el('Default', { Extension: e, ContentType: 'application/octet-stream' })),
    ),
  );
}

/** Builds the files of one solution zip (managed or unmanaged). */
export function packSolution(schema: SolutionSchema, options: PackOptions): SolutionPackage {
  const p = buildParts(schema, options);
  const customizations = customizationsXml(p);
  const solution = toXml(solutionManifestXml(schema, options.version, options.managed, p.roots));
  const payload: PackedFile[] = [];
  for (const w of p.webResources) payload.push({ path: `WebResources/${w.input.name}`, content: w.input.content });
  for (const c of p.controls) for (const f of c.input.files) payload.push({ path: `Controls/${c.input.name}/${f.path}`, content: f.content });
  for (const v of p.environmentVariables) {
    payload.push({ path: `environmentvariabledefinitions/${v.def.schemaName}/environmentvariabledefinition.xml`, content: toXml(v.xml) });
  }
  if (p.connector) {
    const c = p.connector.input;
    payload.push({ path: `Connector/${c.name}_openapidefinition.json`, content: c.openApiDefinition });
    payload.push({ path: `Connector/${c.name}_connectionparameters.json`, content: c.connectionParameters });
    if (c.policyTemplateInstances) payload.push({ path: `Connector/${c.name}_policytemplateinstances.json`, content: c.policyTemplateInstances });
  }
  const files: PackedFile[] = [
    { path: '[Content_Types].xml', content: contentTypesXml(['solution.xml', 'customizations.xml', ...payload.map((f) => f.path)]) },
    { path: 'solution.xml', content: solution },
    { path: 'customizations.xml', content: customizations },
    ...payload,
  ];
  return { files, customizationsXml: customizations, solutionXml: solution, omitted: p.omitted, rootComponents: p.roots };
}

/** Fixed entry timestamp: the same input gives the same bytes (jszip writes DOS times from UTC fields). */
const FIXED_DATE = new Date(Date.UTC(2020, 0, 1, 0, 0, 0));

export async function zipPackage(pkg: SolutionPackage): Promise<Uint8Array> {
  const zip = new JSZip();
  for (const f of pkg.files) {
    if (f.path.includes('\\')) throw new Error(`Zip entry ${f.path}: backslashes break import; use forward slashes`);
    zip.file(f.path, f.content, { date: FIXED_DATE, createFolders: false, binary: typeof f.content !== 'string' });
  }
  return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'DOS' });
}

/**
 * The unpacked (SolutionPackager) layout of the unmanaged package: path → text or bytes. With `mapContent`, web
 * resource and control files are not copied (only their `.data.xml`): their content comes from a build at pack time.
 */
export function unpackedLayout(schema: SolutionSchema, options: Omit<PackOptions, 'managed'> & { mapContent?: boolean }): PackedFile[] {
  const p = buildParts(schema, { ...options, managed: false });
  const out: PackedFile[] = [];
  const add = (path: string, node: XmlNode) => out.push({ path, content: fragmentXml(node) });
  out.push({ path: 'Other/Solution.xml', content: toXml(solutionManifestXml(schema, options.version, false, p.roots)) });
  out.push({
    path: 'Other/Customizations.xml',
    content: toXml(
      el('ImportExportXml', { 'xmlns:xsi': XSI },
        el('Entities'), el('Roles'), el('Workflows'), el('FieldSecurityProfiles'), el('Templates'), el('EntityMaps'),
        el('EntityRelationships'), el('OrganizationSettings'), el('optionsets'), el('CustomControls'), el('EntityDataProviders'),
        p.connector ? el('Connectors', null, p.connector.xml) : null,
        el('Languages', null, text('Language', 1033)),
      ),
    ),
  });
  add('Other/Relationships.xml', el('EntityRelationships', { 'xmlns:xsi': XSI }, p.relationships));
  for (const e of p.entities) {
    const dir = `Entities/${e.table.schemaName}`;
    add(`${dir}/Entity.xml`, el('Entity', { 'xmlns:xsi': XSI }, e.name, e.info));
    for (const f of e.forms) add(`${dir}/FormXml/main/${braced(f.form.id)}.xml`, el('forms', { 'xmlns:xsi': XSI }, f.xml));
    for (const v of e.views) add(`${dir}/SavedQueries/${braced(v.view.id)}.xml`, el('savedqueries', { 'xmlns:xsi': XSI }, v.xml));
    if (e.ribbon) add(`${dir}/RibbonDiff.xml`, e.ribbon);
  }
  for (const o of p.optionSets) add(`OptionSets/${o.name}.xml`, o.xml);
  add(`Roles/${p.role.name}.xml`, p.roleXml);
  add(`AppModuleSiteMaps/${APP.uniqueName}/AppModuleSiteMap.xml`, p.siteMap);
  add(`AppModules/${APP.uniqueName}/AppModule.xml`, p.appModule);
  for (const w of p.webResources) {
    if (!options.mapContent) out.push({ path: `WebResources/${w.input.name}`, content: w.input.content });
    add(`WebResources/${w.input.name}.data.xml`, w.xml);
  }
  for (const c of p.controls) {
    if (!options.mapContent) for (const f of c.input.files) out.push({ path: `Controls/${c.input.name}/${f.path}`, content: f.content });
    add(`Controls/${c.input.name}/ControlManifest.xml.data.xml`, c.xml);
  }
  for (const v of p.environmentVariables) add(`environmentvariabledefinitions/${v.def.schemaName}/environmentvariabledefinition.xml`, v.xml);
  if (p.connector) {
    const c = p.connector.input;
    out.push({ path: `Connectors/${c.name}_openapidefinition.json`, content: c.openApiDefinition });
    out.push({ path: `Connectors/${c.name}_connectionparameters.json`, content: c.connectionParameters });
    if (c.policyTemplateInstances) out.push({ path: `Connectors/${c.name}_policytemplateinstances.json`, content: c.policyTemplateInstances });
  }
  return out;
}
