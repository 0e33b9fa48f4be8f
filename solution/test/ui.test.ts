import { join } from 'node:path';
import { packSolution } from '../src/pack/packSolution';
import { loadPackInputs } from '../src/pack/inputs';
import { SCHEMA } from '../src/schema';
import { FORMS } from '../src/ui/forms';
import { VIEWS } from '../src/ui/views';
import { APP } from '../src/ui/app';
import { adminRole, ROLE_ID, ROLE_NAME } from '../src/ui/role';
import { stableGuid } from '../src/pack/xml';
import { withPlatformDefaults } from '../src/ui/defaults';
import { ENVIRONMENT_VARIABLES } from '../src/ui/environmentVariables';

describe('UI definitions are consistent with the schema', () => {
  it("the role id written out for browser code is the packer's stable id of the role", () => {
    expect(ROLE_ID).toBe(stableGuid('role:astep_migrationadministrator'));
  });

  const { forms, views } = withPlatformDefaults(SCHEMA, FORMS, VIEWS);

  it('every subgrid names a relationship of the schema to its target table and a view of that table', () => {
    const subgrids = forms.flatMap((f) => f.tabs.flatMap((t) => t.sections.flatMap((s) => s.cells.map((c) => ({ f, c })))))
      .filter((x) => x.c.kind === 'subgrid');
    expect(subgrids.length).toBeGreaterThanOrEqual(4);
    for (const { f, c } of subgrids) {
      if (c.kind !== 'subgrid') continue;
      const rel = SCHEMA.relationships.find((r) => r.schemaName === c.relationship);
      expect({ form: f.name, rel: c.relationship, found: !!rel }).toEqual({ form: f.name, rel: c.relationship, found: true });
      expect(rel!.referencingEntity).toBe(c.targetEntity);
      expect(rel!.referencedEntity).toBe(f.table);
      expect(views.find((v) => v.id === c.viewId)?.table).toBe(c.targetEntity);
    }
  });

  it('every custom table gets a main form and default public, quick find, lookup, associated and advanced find views', () => {
    for (const t of SCHEMA.tables.filter((x) => x.isCustom)) {
      expect(forms.some((f) => f.table === t.logicalName)).toBe(true);
      for (const q of [0, 1, 2, 4, 64]) expect({ t: t.logicalName, q, ok: views.some((v) => v.table === t.logicalName && v.queryType === q && v.isDefault) }).toEqual({ t: t.logicalName, q, ok: true });
    }
    expect(new Set([...forms.map((f) => f.id), ...views.map((v) => v.id)]).size).toBe(forms.length + views.length);
  });

  it('the Migration Run form has the five tabs and the two PCF places', () => {
    const run = FORMS.find((f) => f.table === 'astep_migrationrun')!;
    expect(run.tabs.map((t) => t.label)).toEqual(['Plan', 'Mapping Wizard', 'Sample Diff', 'Progress', 'Audit']);
    const pcf = run.tabs.flatMap((t) => t.sections.flatMap((s) => s.cells)).filter((c) => c.kind === 'pcf');
    expect(pcf.map((c) => (c.kind === 'pcf' ? [c.control, c.field] : []))).toEqual([
      ['astep_Astep.MappingWizard', 'astep_mappingjson'],
      ['astep_Astep.DiffViewer', 'astep_diffjson'],
    ]);
  });

  it('the site map lists only tables of the schema', () => {
    const names = new Set(SCHEMA.tables.map((t) => t.logicalName));
    for (const s of APP.groups.flatMap((g) => g.subAreas)) expect(names.has(s.entity)).toBe(true);
    expect(APP.uniqueName).toBe('astep_ActionstepMigration');
  });

  it('the role grants what a run and a rollback need, and nothing broader', () => {
    const role = adminRole(SCHEMA);
    expect(role.name).toBe(ROLE_NAME);
    const names = role.privileges.map((p) => p.name);
    for (const t of SCHEMA.tables.filter((x) => x.isCustom)) {
      for (const p of ['Create', 'Read', 'Write', 'Delete', 'Append', 'AppendTo']) expect(names).toContain(`prv${p}${t.schemaName}`);
    }
    for (const p of ['prvCreateAccount', 'prvWriteContact', 'prvDeleteOpportunity', 'prvAssignActivity', 'prvReadNote', 'prvOverrideCreatedOnCreatedBy', 'prvReadUser']) {
      expect(names).toContain(p);
    }
    expect(names.some((n) => /Share|Customization|Entity$|Attribute$|prvCreateRole|prvWriteRole|prvImportCustomizations/.test(n))).toBe(false);
    expect(new Set(names).size).toBe(names.length);
  });

  it('environment variables have prefixed schema names and defaults of their type', () => {
    for (const v of ENVIRONMENT_VARIABLES) {
      expect(v.schemaName.startsWith('astep_')).toBe(true);
      if (v.type === 'Number' && v.defaultValue !== undefined) expect(Number.isFinite(Number(v.defaultValue))).toBe(true);
      if (v.type === 'JSON' && v.defaultValue !== undefined) expect(() => JSON.parse(v.defaultValue!)).not.toThrow();
    }
  });
});

describe('wiring of the in-CRM pieces', () => {
  const pkg = packSolution(SCHEMA, { version: '1.0.0.0', managed: false, inputs: loadPackInputs(join(__dirname, 'fixtures', 'repo')) });
  const xml = pkg.customizationsXml;

  test('the Diff Viewer binds the diff and writes the review decisions to astep_wizardstate', () => {
    expect(xml).toMatch(/<customControl formFactor="0" name="astep_Astep.DiffViewer">\s*<parameters>\s*<value type="Multiple">astep_diffjson<\/value>\s*<wizardState type="Multiple">astep_wizardstate<\/wizardState>/);
  });

  test('the contact and account forms run their on-load scripts with the execution context', () => {
    for (const [lib, fn] of [['astep_/js/ContactForm.js', 'Astep.ContactForm.onLoad'], ['astep_/js/AccountForm.js', 'Astep.AccountForm.onLoad']]) {
      expect(xml).toContain(`<Library name="${lib}"`);
      expect(xml).toMatch(new RegExp(`<Handler functionName="${fn.replace(/\./g, '\\.')}" libraryName="${lib.replace(/[./]/g, '\\$&')}" handlerUniqueId="\\{[0-9a-f-]{36}\\}" enabled="true" passExecutionContext="true"\\s*/>`));
    }
  });
});
