import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import SwaggerParser from '@apidevtools/swagger-parser';
import { join } from 'node:path';
import { SCHEMA } from '../src/schema';
import type { SolutionSchema } from '../src/model';
import { EMPTY_INPUTS, loadPackInputs, type PackInputs } from '../src/pack/inputs';
import { COMPONENT_TYPE } from '../src/pack/manifest';
import { NON_XSD_ELEMENTS, packSolution, zipPackage, type SolutionPackage } from '../src/pack/packSolution';
import { ROLE_ID } from '../src/ui/role';
import { VIEW_IDS } from '../src/ui/views';
import { FORM_IDS } from '../src/ui/forms';
import { REPO_ROOT, xmllint, xsdPart } from './xsd';

const FIXTURES = join(__dirname, 'fixtures', 'repo');
const VERSION = '1.2.3.0';
const fixtureInputs: PackInputs = loadPackInputs(FIXTURES);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking parsed XML in assertions
type Any = any;
const attrs = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (_n, _p, _leaf, isAttribute) => !isAttribute });

function pack(managed: boolean, inputs: PackInputs = fixtureInputs, schema: SolutionSchema = SCHEMA): SolutionPackage {
  return packSolution(schema, { version: VERSION, managed, inputs });
}

describe('customizations.xml against CustomizationsSolution.xsd (9.0.0.2090)', () => {
  it.each([
    ['unmanaged, with every input', false, fixtureInputs],
    ['managed, with every input', true, fixtureInputs],
    ['unmanaged, without built inputs', false, EMPTY_INPUTS],
  ])('%s validates (forms, ribbon, site map included)', (_name, managed, inputs) => {
    const pkg = pack(managed, inputs);
    const r = xmllint(xsdPart(pkg.customizationsXml, NON_XSD_ELEMENTS));
    expect(r.output).toContain('validates');
    expect(r.ok).toBe(true);
  });

  it('the validated document really holds forms, views, the ribbon button, the site map, the app and the PCF bindings', () => {
    const xml = pack(false).customizationsXml;
    expect(xml).toContain(`<formid>{${FORM_IDS.migrationRun}}</formid>`);
    expect(xml).toContain(`<savedqueryid>{${VIEW_IDS.auditOfRun}}</savedqueryid>`);
    expect(xml).toContain('FunctionName="Astep.MigrationRun.rollback" Library="$webresource:astep_/js/MigrationRunCommands.js"');
    expect(xml).toContain('<CrmParameter Value="SelectedControlSelectedItemIds"/>');
    expect(xml).toContain('<EntityPrivilegeRule PrivilegeType="Delete" PrivilegeDepth="Global" EntityName="astep_migrationrun"');
    expect(xml).toContain('<SiteMapUniqueName>astep_ActionstepMigration</SiteMapUniqueName>');
    expect(xml).toMatch(/<customControl formFactor="2" name="astep_Astep.MappingWizard">\s*<parameters>\s*<mappingJson type="Multiple">astep_mappingjson<\/mappingJson>/);
    expect(xml).toContain('name="astep_Astep.DiffViewer"');
    expect(xml).toContain(`<Role id="{${ROLE_ID}}" name="Actionstep Migration Administrator">`);
  });

  it('fails on a column with an invalid type', () => {
    const xml = xsdPart(pack(false).customizationsXml, NON_XSD_ELEMENTS).replace('<Type>nvarchar</Type>', '<Type>varchar2</Type>');
    const r = xmllint(xml);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/varchar2/);
  });

  it('fails on top-level elements out of order', () => {
    const xml = xsdPart(pack(false).customizationsXml, NON_XSD_ELEMENTS);
    const roles = /\s*<Roles>[\s\S]*?<\/Roles>/.exec(xml)![0];
    const moved = xml.replace(roles, '').replace('<Languages>', `${roles.trim()}\n  <Languages>`);
    const r = xmllint(moved);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/Roles/);
  });

  it("fails when an entity's Name has no LocalizedName", () => {
    const xml = xsdPart(pack(false).customizationsXml, NON_XSD_ELEMENTS).replace(/<Name LocalizedName="[^"]*" OriginalName/, '<Name OriginalName');
    const r = xmllint(xml);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/LocalizedName/);
  });

  it('fails on a form control without its required structure (a cell control with a bad classid)', () => {
    const xml = xsdPart(pack(false).customizationsXml, NON_XSD_ELEMENTS).replace('classid="{4273EDBD-AC1D-40d3-9FB2-095C621B552D}"', 'classid="not-a-guid"');
    expect(xmllint(xml).ok).toBe(false);
  });

  it('fails on a definition the packer lets through but the XSD does not: an alternate key without columns', () => {
    const broken = structuredClone(SCHEMA);
    broken.tables.find((t) => t.logicalName === 'astep_matter')!.keys[0].columns = [];
    const r = xmllint(xsdPart(pack(false, EMPTY_INPUTS, broken).customizationsXml, NON_XSD_ELEMENTS));
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/EntityKeyAttributes/);
  });

  it('refuses a web resource over the 5 MB upload limit, naming it', () => {
    const big: PackInputs = { ...fixtureInputs, webResources: [{ ...fixtureInputs.webResources[0], content: new Uint8Array(5 * 1024 * 1024 + 1) }] };
    expect(() => pack(false, big)).toThrow(/Web resource astep_\/js\/MigrationRunCommands.js is 5242881 bytes, over the 5 MB/);
  });

  it('refuses a PCF control whose bound property type does not fit the field', () => {
    const wrong: PackInputs = { ...fixtureInputs, controls: fixtureInputs.controls.map((c) => ({ ...c, boundType: 'Whole.None' })) };
    expect(() => pack(false, wrong)).toThrow(/PCF control astep_Astep.MappingWizard binds a Whole.None property, but astep_mappingjson is a memo column/);
  });

  it('the packer itself refuses a definition with an invalid column type or a missing display name', () => {
    const broken = structuredClone(SCHEMA);
    (broken.tables[4].columns[1] as { type: string }).type = 'varchar2';
    expect(() => pack(false, EMPTY_INPUTS, broken)).toThrow(/unknown column type "varchar2"/);
    const unnamed = structuredClone(SCHEMA);
    unnamed.tables[0].columns[0].displayName = '';
    expect(() => pack(false, EMPTY_INPUTS, unnamed)).toThrow(/account\.astep_sourceid: displayName/);
  });
});

describe('parts newer than the 2090 XSD, validated separately', () => {
  it('the connector: <Connectors> entry, its files in the zip, and a valid Swagger 2.0 definition', async () => {
    const pkg = pack(false);
    const connectors = /<Connectors>[\s\S]*?<\/Connectors>/.exec(pkg.customizationsXml)![0];
    const c = (new XMLParser().parse(connectors) as { Connectors: { Connector: Record<string, string> } }).Connectors.Connector;
    expect(c.name).toBe('astep_actionstep');
    expect(c.connectorid).toMatch(/^[0-9a-f-]{36}$/);
    expect(String(c.connectortype)).toBe('1');
    const byPath = new Map(pkg.files.map((f) => [`/${f.path}`, f.content]));
    expect(byPath.has(c.openapidefinition)).toBe(true);
    expect(byPath.has(c.connectionparameters)).toBe(true);
    const swagger = JSON.parse(String(byPath.get(c.openapidefinition)));
    await expect(SwaggerParser.validate(swagger)).resolves.toBeTruthy();
    expect(JSON.parse(String(byPath.get(c.connectionparameters)))).toHaveProperty('token');
    // The Connectors element sits where real exports put it: after EntityDataProviders, before Languages.
    expect(pkg.customizationsXml.indexOf('<EntityDataProviders/>')).toBeLessThan(pkg.customizationsXml.indexOf('<Connectors>'));
    expect(pkg.customizationsXml.indexOf('</Connectors>')).toBeLessThan(pkg.customizationsXml.indexOf('<Languages>'));
  });

  it('environment variable definitions: one file each, with schema name, type code and labels', () => {
    const pkg = pack(false);
    const files = pkg.files.filter((f) => f.path.startsWith('environmentvariabledefinitions/'));
    expect(files.map((f) => f.path)).toContain('environmentvariabledefinitions/astep_ActionstepApiBaseUrl/environmentvariabledefinition.xml');
    for (const f of files) {
      const d = (new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(String(f.content)) as { environmentvariabledefinition: Record<string, unknown> }).environmentvariabledefinition;
      expect(f.path).toContain(`/${String(d['@schemaname'])}/`);
      expect([100000000, 100000001, 100000002, 100000003]).toContain(d.type);
      expect(d.displayname).toBeDefined();
      expect(d.description).toBeDefined();
    }
  });
});

describe('solution.xml', () => {
  it.each([false, true])('managed=%s: publisher, version, managed flag and a root component for every component', (managed) => {
    const pkg = pack(managed);
    const doc = attrs.parse(pkg.solutionXml) as Record<string, Any>;
    const sm = doc.ImportExportXml[0].SolutionManifest[0];
    expect(sm.UniqueName[0]).toBe('ActionstepMigration');
    expect(String(sm.Version[0])).toBe(VERSION);
    expect(String(sm.Managed[0])).toBe(managed ? '1' : '0');
    const pub = sm.Publisher[0];
    expect(pub.UniqueName[0]).toBe('astepmigration');
    expect(pub.CustomizationPrefix[0]).toBe('astep');
    expect(Number(pub.CustomizationOptionValuePrefix[0])).toBe(61520);
    expect(pub.LocalizedNames[0].LocalizedName[0]['@description']).toBe('Actionstep Migration');
    expect(pub.Addresses[0].Address).toHaveLength(2);

    const roots = (sm.RootComponents[0].RootComponent as Record<string, string>[]).map((r) => ({ type: Number(r['@type']), name: r['@schemaName'], id: r['@id'], behavior: r['@behavior'] }));
    const has = (type: number, key: string) => roots.some((r) => r.type === type && (r.name === key || r.id === key));
    for (const t of SCHEMA.tables) {
      const root = roots.find((r) => r.type === COMPONENT_TYPE.Entity && r.name === t.logicalName);
      expect(root?.behavior).toBe(t.isCustom ? '0' : '2');
    }
    for (const c of SCHEMA.choices) expect(has(COMPONENT_TYPE.OptionSet, c.name)).toBe(true);
    expect(has(COMPONENT_TYPE.Role, `{${ROLE_ID}}`)).toBe(true);
    expect(has(COMPONENT_TYPE.WebResource, 'astep_/js/MigrationRunCommands.js')).toBe(true);
    expect(has(COMPONENT_TYPE.CustomControl, 'astep_Astep.MappingWizard')).toBe(true);
    expect(has(COMPONENT_TYPE.CustomControl, 'astep_Astep.DiffViewer')).toBe(true);
    expect(has(COMPONENT_TYPE.SiteMap, 'astep_ActionstepMigration')).toBe(true);
    expect(has(COMPONENT_TYPE.AppModule, 'astep_ActionstepMigration')).toBe(true);
    expect(has(COMPONENT_TYPE.Connector, 'astep_actionstep')).toBe(true);
    expect(has(COMPONENT_TYPE.EnvironmentVariableDefinition, 'astep_ActionstepApiBaseUrl')).toBe(true);
    // Forms on the standard tables travel as their own root components.
    for (const id of [FORM_IDS.account, FORM_IDS.contact, FORM_IDS.opportunity]) expect(has(COMPONENT_TYPE.SystemForm, `{${id}}`)).toBe(true);

    // Every component in customizations.xml has its root component.
    const cust = attrs.parse(pkg.customizationsXml) as Record<string, Any>;
    const root = cust.ImportExportXml[0];
    for (const w of root.WebResources[0].WebResource) expect(has(COMPONENT_TYPE.WebResource, w.Name[0])).toBe(true);
    for (const c of root.CustomControls[0].CustomControl) expect(has(COMPONENT_TYPE.CustomControl, c.Name[0])).toBe(true);
    for (const o of root.optionsets[0].optionset) expect(has(COMPONENT_TYPE.OptionSet, o['@Name'])).toBe(true);
    for (const e of root.Entities[0].Entity) expect(has(COMPONENT_TYPE.Entity, String(e.Name[0]['#text']).toLowerCase())).toBe(true);
  });

  it('managed packages carry locked managed properties, unmanaged ones do not', () => {
    const m = pack(true).customizationsXml;
    const u = pack(false).customizationsXml;
    expect(m).toMatch(/<Role id="[^"]+" name="Actionstep Migration Administrator">\s*<IsCustomizable>0<\/IsCustomizable>/);
    expect(u).toMatch(/<Role id="[^"]+" name="Actionstep Migration Administrator">\s*<IsCustomizable>1<\/IsCustomizable>/);
    expect(m).toMatch(/<Name>astep_\/js\/MigrationRunCommands.js<\/Name>[\s\S]*?<IsCustomizable>0<\/IsCustomizable>\s*<CanBeDeleted>0<\/CanBeDeleted>/);
    // Global choices stay customizable in both: provisioning adds the firm's matter types and roles.
    expect(m).toMatch(/<optionset Name="astep_mattertype"[^>]*>\s*<OptionSetType>picklist<\/OptionSetType>\s*<IsGlobal>1<\/IsGlobal>\s*<IntroducedVersion>1.0.0.0<\/IntroducedVersion>\s*<IsCustomizable>1/);
  });
});

describe('zip layout', () => {
  it('has the root entries, payload folders, forward slashes and a Content_Types Default for every extension', async () => {
    const bytes = await zipPackage(pack(false));
    const zip = await JSZip.loadAsync(bytes);
    const names = Object.keys(zip.files);
    expect(names.slice(0, 3)).toEqual(['[Content_Types].xml', 'solution.xml', 'customizations.xml']);
    expect(names).toContain('WebResources/astep_/js/MigrationRunCommands.js');
    expect(names).toContain('Controls/astep_Astep.MappingWizard/ControlManifest.xml');
    expect(names).toContain('Controls/astep_Astep.MappingWizard/bundle.js');
    expect(names).toContain('Controls/astep_Astep.DiffViewer/css/DiffViewer.css');
    expect(names).toContain('Connector/astep_actionstep_openapidefinition.json');
    expect(names.every((n) => !n.includes('\\') && !n.startsWith('/'))).toBe(true);
    expect(names.every((n) => !zip.files[n].dir)).toBe(true);
    const types = await zip.file('[Content_Types].xml')!.async('string');
    const exts = new Set(names.map((n) => n.split('/').pop()!).filter((n) => n.includes('.')).map((n) => n.split('.').pop()!.toLowerCase()));
    for (const ext of exts) expect(types).toContain(`<Default Extension="${ext}" ContentType="application/octet-stream"/>`);
    // FileName of every web resource and control points at an entry of the zip.
    const cust = await zip.file('customizations.xml')!.async('string');
    for (const m of cust.matchAll(/<FileName>\/([^<]+)<\/FileName>/g)) expect(names).toContain(m[1]);
    // Raw (not base64) web resource content.
    expect(await zip.file('WebResources/astep_/js/MigrationRunCommands.js')!.async('string')).toContain('Astep.MigrationRun');
  });

  it('is byte-for-byte deterministic: two packs of the same input are identical', async () => {
    const a = await zipPackage(pack(true));
    const b = await zipPackage(pack(true));
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const c = await zipPackage(pack(false));
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });
});

describe('absent inputs', () => {
  it('leaves out what needs them, says so, and keeps nothing that references them', () => {
    const pkg = pack(false, EMPTY_INPUTS);
    expect(pkg.omitted.join('\n')).toMatch(/astep_Astep.MappingWizard is not built/);
    expect(pkg.omitted.join('\n')).toMatch(/astep_Astep.DiffViewer is not built/);
    expect(pkg.omitted.join('\n')).toMatch(/MigrationRunCommands.js is absent: the "Start run" and "Roll back run" command-bar buttons are left out/);
    expect(pkg.omitted.join('\n')).toMatch(/connector left out/);
    expect(pkg.customizationsXml).not.toContain('RibbonDiffXml');
    expect(pkg.customizationsXml).not.toContain('controlDescription');
    expect(pkg.customizationsXml).not.toContain('astep_Astep.');
    expect(pkg.customizationsXml).not.toContain('<Connectors>');
    expect(pkg.files.some((f) => f.path.startsWith('WebResources/') || f.path.startsWith('Controls/') || f.path.startsWith('Connector/'))).toBe(false);
    // The fields stay on the form as plain fields.
    expect(pkg.customizationsXml).toContain('datafieldname="astep_mappingjson"');
  });

  it('with every input present nothing is left out', () => {
    expect(pack(false).omitted).toEqual([]);
  });
});

describe("the repository's current inputs", () => {
  it('pack into a customizations.xml that validates, with whatever web resources, controls and connector exist now', async () => {
    const inputs = loadPackInputs(REPO_ROOT);
    const pkg = pack(true, inputs);
    const r = xmllint(xsdPart(pkg.customizationsXml, NON_XSD_ELEMENTS));
    expect(r.output).toContain('validates');
    if (inputs.connector) {
      await expect(SwaggerParser.validate(JSON.parse(inputs.connector.openApiDefinition))).resolves.toBeTruthy();
    }
  });
});

describe('schema subsets (a schema that leaves tables out)', () => {
  it('packs the engine tables and the extensions alone, without subgrids over missing tables, and validates', () => {
    const subset: SolutionSchema = {
      ...SCHEMA,
      tables: SCHEMA.tables.filter((t) => !t.isCustom || ['astep_migrationrun', 'astep_stagingrow', 'astep_auditentry'].includes(t.logicalName)),
      relationships: SCHEMA.relationships.filter((r) => r.referencingEntity.startsWith('astep_migr') || ['astep_stagingrow', 'astep_auditentry'].includes(r.referencingEntity)),
    };
    const pkg = pack(false, fixtureInputs, subset);
    expect(pkg.customizationsXml).not.toContain('astep_matterparticipant');
    expect(xmllint(xsdPart(pkg.customizationsXml, NON_XSD_ELEMENTS)).ok).toBe(true);
  });

  it('refuses a lookup to a custom table the subset leaves out, naming the column', () => {
    const subset: SolutionSchema = { ...SCHEMA, tables: SCHEMA.tables.filter((t) => t.logicalName !== 'astep_matter') };
    expect(() => pack(false, EMPTY_INPUTS, subset)).toThrow(/astep_matterparticipant\.astep_matterid: it looks up astep_matter, which is not a table of this schema/);
  });
});
