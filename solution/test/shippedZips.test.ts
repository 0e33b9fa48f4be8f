// What the built zips ship for the in-CRM experience: both PCF controls, the three web resources, the Migration Run
// form binding the Mapping Wizard (with its further bound properties) and the Diff Viewer, the contact and account
// form scripts, and the "Start run" / "Roll back run" buttons. Checked on both the managed and the unmanaged zip, once
// from the test fixtures and once from the repository's real build outputs.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import { buildSolution } from '../src/pack/buildSolution';
import { loadPackInputs, readControlManifest, type PackInputs } from '../src/pack/inputs';
import { NON_XSD_ELEMENTS } from '../src/pack/packSolution';
import { COMPONENT_TYPE } from '../src/pack/manifest';
import { FORM_IDS } from '../src/ui/forms';
import { REPO_ROOT, xmllint, xsdPart } from './xsd';

const WEB_RESOURCES = ['astep_/js/ContactForm.js', 'astep_/js/AccountForm.js', 'astep_/js/MigrationRunCommands.js', 'astep_/js/SignInRedirect.js', 'astep_/html/SignInRedirect.html', 'astep_/html/ConnectionSignedIn.html'];
const CONTROLS = ['astep_Astep.DiffViewer', 'astep_Astep.MappingWizard'];
/** The Migration Run columns the Mapping Wizard's bound properties read and write (forms.ts). */
const WIZARD_COLUMNS: Record<string, string> = { mappingJson: 'astep_mappingjson', wizardState: 'astep_wizardstate', runId: 'astep_runid' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking parsed XML in assertions
type Any = any;
const parse = (xml: string): Any => new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (_n, _p, _l, isAttribute) => !isAttribute }).parse(xml);

interface Built {
  managed: JSZip;
  unmanaged: JSZip;
  omitted: string[];
}

async function build(inputs: PackInputs): Promise<Built> {
  const root = mkdtempSync(join(tmpdir(), 'astep-shipped-'));
  try {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '1.0.0' }));
    const r = await buildSolution(root, inputs);
    return {
      managed: await JSZip.loadAsync(readFileSync(r.managedZip)),
      unmanaged: await JSZip.loadAsync(readFileSync(r.unmanagedZip)),
      omitted: r.omitted,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The Mapping Wizard's bound properties (name → of-type) as its manifest declares them. */
function wizardBoundProperties(inputs: PackInputs): Array<{ name: string; type: string }> {
  const c = inputs.controls.find((x) => x.name === 'astep_Astep.MappingWizard')!;
  const manifest = c.files.find((f) => f.path === 'ControlManifest.xml')!;
  return readControlManifest(Buffer.from(manifest.content).toString('utf8'), 'MappingWizard/ControlManifest.xml').boundProperties;
}

async function checkZip(zip: JSZip, inputs: PackInputs, flavor: string): Promise<void> {
  const names = Object.keys(zip.files);
  const customizations = await zip.file('customizations.xml')!.async('string');
  const solution = await zip.file('solution.xml')!.async('string');
  // Still valid against CustomizationsSolution.xsd (which includes RibbonCore.xsd and FormXml.xsd).
  const lint = xmllint(xsdPart(customizations, NON_XSD_ELEMENTS));
  expect({ flavor, xsd: lint.output.trim().split('\n').pop() }).toEqual({ flavor, xsd: expect.stringContaining('validates') });
  const cust = parse(customizations).ImportExportXml[0];
  const roots = (parse(solution).ImportExportXml[0].SolutionManifest[0].RootComponents[0].RootComponent as Any[]).map((r) => `${r['@type']}:${r['@schemaName']}`);

  // Web resources: content in the zip, a WebResource entry, a root component.
  for (const w of WEB_RESOURCES) {
    expect({ flavor, w, inZip: names.includes(`WebResources/${w}`) }).toEqual({ flavor, w, inZip: true });
    expect(cust.WebResources[0].WebResource.map((x: Any) => x.Name[0])).toContain(w);
    expect(roots).toContain(`${COMPONENT_TYPE.WebResource}:${w}`);
  }
  const commands = await zip.file('WebResources/astep_/js/MigrationRunCommands.js')!.async('string');
  expect(commands).toContain('startRun');
  expect(commands).toContain('rollback');

  // PCF controls: manifest and bundle in the zip, a CustomControl entry, a root component.
  for (const c of CONTROLS) {
    for (const f of ['ControlManifest.xml', 'bundle.js']) expect({ flavor, file: `Controls/${c}/${f}`, inZip: names.includes(`Controls/${c}/${f}`) }).toEqual({ flavor, file: `Controls/${c}/${f}`, inZip: true });
    expect(cust.CustomControls[0].CustomControl.map((x: Any) => x.Name[0])).toContain(c);
    expect(roots).toContain(`${COMPONENT_TYPE.CustomControl}:${c}`);
  }

  // The Migration Run form: the Mapping Wizard bound on web, tablet and phone, first property to the field map,
  // every further bound property its manifest declares to its column.
  const run = cust.Entities[0].Entity.find((e: Any) => e.Name[0]['#text'] === 'astep_Migrationrun');
  const form = run.FormXml[0].forms[0].systemform.find((f: Any) => f.formid[0] === `{${FORM_IDS.migrationRun}}`);
  const descriptions = form.form[0].controlDescriptions[0].controlDescription as Any[];
  const wizard = descriptions.flatMap((d) => d.customControl).filter((c: Any) => c['@name'] === 'astep_Astep.MappingWizard');
  expect(wizard.map((c: Any) => c['@formFactor'])).toEqual(['0', '1', '2']);
  const declared = wizardBoundProperties(inputs);
  expect(declared[0]).toEqual({ name: 'mappingJson', type: 'Multiple' });
  // The wizard's state must reach it: "Start run" leaves its request there.
  expect(declared.map((p) => p.name)).toContain('wizardState');
  for (const c of wizard) {
    const params = c.parameters[0];
    const bound = Object.keys(params).filter((k) => !k.startsWith('@') && k !== '#text');
    // Each bound property of the manifest is bound on the form: a property left unbound would read null forever.
    expect(bound).toEqual(declared.map((p) => p.name));
    for (const p of declared) {
      expect({ property: p.name, column: params[p.name][0]['#text'], type: params[p.name][0]['@type'] }).toEqual({ property: p.name, column: WIZARD_COLUMNS[p.name], type: p.type });
    }
  }
  // The Diff Viewer beside it, with the review decisions going to the wizard state.
  const diff = descriptions.flatMap((d) => d.customControl).filter((c: Any) => c['@name'] === 'astep_Astep.DiffViewer');
  expect(diff).toHaveLength(3);
  expect(diff[0].parameters[0].wizardState[0]['#text']).toBe('astep_wizardstate');

  // Contact and account forms run their scripts on load.
  for (const [lib, fn] of [['astep_/js/ContactForm.js', 'Astep.ContactForm.onLoad'], ['astep_/js/AccountForm.js', 'Astep.AccountForm.onLoad']]) {
    expect(customizations).toContain(`<Library name="${lib}"`);
    expect(customizations).toContain(`<Handler functionName="${fn}" libraryName="${lib}"`);
  }

  // The ribbon: both commands on the form (PrimaryControl) and the home grid (selected ids + grid), one library,
  // the administrator display rule, the enable rules, and the labels.
  const ribbon = run.RibbonDiffXml[0];
  const defs = ribbon.CommandDefinitions[0].CommandDefinition as Any[];
  const summary = defs.map((d) => ({
    id: d['@Id'],
    fn: d.Actions[0].JavaScriptFunction[0]['@FunctionName'],
    library: d.Actions[0].JavaScriptFunction[0]['@Library'],
    params: d.Actions[0].JavaScriptFunction[0].CrmParameter.map((p: Any) => p['@Value']),
    enable: d.EnableRules[0].EnableRule.map((r: Any) => r['@Id']),
    display: d.DisplayRules[0].DisplayRule[0]['@Id'],
  }));
  const lib = '$webresource:astep_/js/MigrationRunCommands.js';
  const admin = 'astep.astep_migrationrun.AdministratorOnly';
  // Enabled by the scripts' own rule (canManageRuns) and the record/selection rule.
  const manages = 'astep.astep_migrationrun.ManagesRuns';
  expect(summary).toEqual([
    { id: 'astep.astep_migrationrun.StartRun.Form.Command', fn: 'Astep.MigrationRun.startRun', library: lib, params: ['PrimaryControl'], enable: [manages, 'astep.astep_migrationrun.ExistingRecord'], display: admin },
    { id: 'astep.astep_migrationrun.StartRun.Grid.Command', fn: 'Astep.MigrationRun.startRun', library: lib, params: ['SelectedControlSelectedItemIds', 'PrimaryControl'], enable: [manages, 'astep.astep_migrationrun.OneSelected'], display: admin },
    { id: 'astep.astep_migrationrun.Rollback.Form.Command', fn: 'Astep.MigrationRun.rollback', library: lib, params: ['PrimaryControl'], enable: [manages, 'astep.astep_migrationrun.ExistingRecord'], display: admin },
    { id: 'astep.astep_migrationrun.Rollback.Grid.Command', fn: 'Astep.MigrationRun.rollback', library: lib, params: ['SelectedControlSelectedItemIds', 'PrimaryControl'], enable: [manages, 'astep.astep_migrationrun.OneSelected'], display: admin },
  ]);
  const buttons = (ribbon.CustomActions[0].CustomAction as Any[]).map((a) => [a['@Location'], a.CommandUIDefinition[0].Button[0]['@Command'], a.CommandUIDefinition[0].Button[0]['@LabelText']]);
  expect(buttons).toEqual([
    ['Mscrm.Form.astep_migrationrun.MainTab.Save.Controls._children', 'astep.astep_migrationrun.StartRun.Form.Command', '$LocLabels:astep.astep_migrationrun.StartRun.Label'],
    ['Mscrm.HomepageGrid.astep_migrationrun.MainTab.Actions.Controls._children', 'astep.astep_migrationrun.StartRun.Grid.Command', '$LocLabels:astep.astep_migrationrun.StartRun.Label'],
    ['Mscrm.Form.astep_migrationrun.MainTab.Save.Controls._children', 'astep.astep_migrationrun.Rollback.Form.Command', '$LocLabels:astep.astep_migrationrun.Rollback.Label'],
    ['Mscrm.HomepageGrid.astep_migrationrun.MainTab.Actions.Controls._children', 'astep.astep_migrationrun.Rollback.Grid.Command', '$LocLabels:astep.astep_migrationrun.Rollback.Label'],
  ]);
  const rules = ribbon.RuleDefinitions[0];
  expect(rules.DisplayRules[0].DisplayRule[0].EntityPrivilegeRule[0]).toMatchObject({ '@PrivilegeType': 'Delete', '@PrivilegeDepth': 'Global', '@EntityName': 'astep_migrationrun' });
  const enableRules = Object.fromEntries((rules.EnableRules[0].EnableRule as Any[]).map((r) => [r['@Id'], r]));
  expect(enableRules['astep.astep_migrationrun.ExistingRecord'].FormStateRule[0]['@State']).toBe('Existing');
  expect(enableRules['astep.astep_migrationrun.OneSelected'].SelectionCountRule[0]).toMatchObject({ '@Minimum': '1', '@Maximum': '1' });
  // The same function the scripts check before they act, from the same library.
  expect(enableRules[manages].CustomRule[0]).toMatchObject({ '@FunctionName': 'Astep.MigrationRun.canManageRuns', '@Library': lib, '@Default': 'false' });
  const labels = Object.fromEntries((ribbon.LocLabels[0].LocLabel as Any[]).map((l) => [l['@Id'], l.Titles[0].Title[0]['@description']]));
  expect(labels['astep.astep_migrationrun.StartRun.Label']).toBe('Start run');
  expect(labels['astep.astep_migrationrun.Rollback.Label']).toBe('Roll back run');
}

describe('the zips ship the controls, the web resources and their wiring', () => {
  test('from the test fixtures (every input present): managed and unmanaged', async () => {
    const inputs = loadPackInputs(join(__dirname, 'fixtures', 'repo'));
    const built = await build(inputs);
    expect(built.omitted).toEqual([]);
    await checkZip(built.managed, inputs, 'managed');
    await checkZip(built.unmanaged, inputs, 'unmanaged');
  });

  test("from the repository's build outputs (npm run build, then npm run build:solution): managed and unmanaged", async () => {
    // Each input is another package's build; a missing one is named with the command that makes it.
    const needed: Array<[string, string]> = [
      ['plugins-ts/dist/webresources/webresources.json', 'npm run build -w plugins-ts'],
      ['pcf-controls/DiffViewer/out/controls/DiffViewer/ControlManifest.xml', 'npm run build -w pcf-controls/DiffViewer'],
      ['pcf-controls/MappingWizard/out/controls/MappingWizard/ControlManifest.xml', 'npm run build -w pcf-controls/MappingWizard'],
    ];
    const missing = needed.filter(([file]) => !existsSync(join(REPO_ROOT, file))).map(([file, command]) => `${file} is missing: run \`${command}\``);
    expect(missing).toEqual([]);
    const inputs = loadPackInputs(REPO_ROOT);
    const built = await build(inputs);
    expect(built.omitted).toEqual([]);
    await checkZip(built.managed, inputs, 'managed');
    await checkZip(built.unmanaged, inputs, 'unmanaged');
  });
});
