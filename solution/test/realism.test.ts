// The zips against what a real import expects beyond customizations.xml's own XSD: each form, site map and ribbon
// fragment against its own schema (FormXml.xsd, SiteMap.xsd, RibbonCore.xsd), custom tables carrying the platform
// columns real exports carry, and every money column with its currency relationship.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { SCHEMA } from '../src/schema';
import { loadPackInputs } from '../src/pack/inputs';
import { packSolution } from '../src/pack/packSolution';
import { schemasDir, xmllint } from './xsd';

const inputs = loadPackInputs(join(__dirname, 'fixtures', 'repo'));
const packages = [false, true].map((managed) => ({ flavor: managed ? 'managed' : 'unmanaged', xml: packSolution(SCHEMA, { version: '1.0.0.0', managed, inputs }).customizationsXml }));

/** Every non-overlapping `<tag ...>...</tag>` of a document (forms, site maps and ribbons do not nest). */
function fragments(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>[\\s\\S]*?</${tag}>`, 'g'))].map((m) => m[0]);
}

/**
 * An entity's RibbonDiffXml is RibbonCore.xsd's RibbonEntityDiffXmlType, while the schema's root element of that
 * name has the global type: validate through a one-line wrapper schema that includes RibbonCore.xsd unchanged.
 */
function lintEntityRibbon(fragment: string): ReturnType<typeof xmllint> {
  const dir = mkdtempSync(join(tmpdir(), 'astep-ribbon-xsd-'));
  try {
    const wrapper = join(dir, 'EntityRibbon.xsd');
    writeFileSync(wrapper, `<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:include schemaLocation="${join(schemasDir(), 'RibbonCore.xsd')}" />
  <xs:element name="EntityRibbonDiffXml" type="RibbonEntityDiffXmlType" />
</xs:schema>`);
    return xmllint(fragment.replace(/^<RibbonDiffXml/, '<EntityRibbonDiffXml').replace(/<\/RibbonDiffXml>$/, '</EntityRibbonDiffXml>'), wrapper);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(packages)('$flavor zip: fragments against their own XSDs', ({ xml }) => {
  test('every form (FormXml.xsd), the site map (SiteMap.xsd) and every entity ribbon (RibbonCore.xsd) validate', () => {
    const forms = fragments(xml, 'form');
    const siteMaps = fragments(xml, 'SiteMap');
    const ribbons = fragments(xml, 'RibbonDiffXml');
    expect(forms.length).toBeGreaterThanOrEqual(4);
    expect(siteMaps).toHaveLength(1);
    expect(ribbons.some((r) => r.includes('<CustomAction'))).toBe(true);
    for (const f of forms) expect({ fragment: 'form', lint: xmllint(f, 'FormXml.xsd').output.trim().split('\n').pop() }).toEqual({ fragment: 'form', lint: expect.stringContaining('validates') });
    for (const s of siteMaps) expect(xmllint(s, 'SiteMap.xsd').output).toContain('validates');
    for (const r of ribbons) expect(lintEntityRibbon(r).output).toContain('validates');
  });

  test('a broken fragment fails its XSD (the checks can fail)', () => {
    expect(xmllint('<form><tabs><tab><bogus/></tab></tabs></form>', 'FormXml.xsd').ok).toBe(false);
    expect(xmllint('<SiteMap><Area/></SiteMap>', 'SiteMap.xsd').ok).toBe(false);
    expect(lintEntityRibbon('<RibbonDiffXml><CommandDefinitions><CommandDefinition/></CommandDefinitions></RibbonDiffXml>').ok).toBe(false);
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking parsed XML in assertions
type Any = any;
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['Entity', 'attribute', 'state', 'status'].includes(name) });

describe.each(packages)('$flavor zip: the columns a real export carries', ({ xml }) => {
  const entities: Any[] = parser.parse(xml).ImportExportXml.Entities.Entity;
  const attributesOf = (schemaName: string): Any[] => entities.find((e) => e.Name['#text'] === schemaName).EntityInfo.entity.attributes.attribute;

  test.each(SCHEMA.tables.filter((t) => t.isCustom).map((t) => [t.logicalName, t] as const))('%s: who and when, owner, state and status', (_name, t) => {
    const attributes = attributesOf(t.schemaName);
    const byName = new Map(attributes.map((a: Any) => [String(a.LogicalName), a]));
    for (const name of ['createdon', 'createdby', 'modifiedon', 'modifiedby', 'createdonbehalfby', 'modifiedonbehalfby', 'overriddencreatedon', 'versionnumber', 'statecode', 'statuscode']) {
      expect({ table: t.logicalName, column: name, present: byName.has(name) }).toEqual({ table: t.logicalName, column: name, present: true });
      expect(String(byName.get(name).IsCustomField)).toBe('0');
    }
    const owner = t.ownership === 'UserOwned' ? ['ownerid', 'owninguser', 'owningteam', 'owningbusinessunit'] : ['organizationid'];
    for (const name of owner) expect(byName.has(name)).toBe(true);
    expect(byName.get('ownerid')?.Type).toBe(t.ownership === 'UserOwned' ? 'owner' : undefined);
    const states = byName.get('statecode').optionset.states.state.map((s: Any) => [s['@value'], s['@defaultstatus'], s['@invariantname']]);
    expect(states).toEqual([['0', '1', 'Active'], ['1', '2', 'Inactive']]);
    const statuses = byName.get('statuscode').optionset.statuses.status.map((s: Any) => [s['@value'], s['@state']]);
    expect(statuses).toEqual([['1', '0'], ['2', '1']]);
  });

  test('every money column (custom tables and our columns on platform tables) has its currency relationship and base amount', () => {
    const withMoney = SCHEMA.tables.filter((t) => t.columns.some((c) => c.type === 'money'));
    expect(withMoney.filter((t) => t.isCustom).length).toBeGreaterThan(0);
    for (const t of withMoney) {
      const byName = new Map(attributesOf(t.schemaName).map((a: Any) => [String(a.LogicalName), a]));
      if (t.isCustom) {
        expect({ table: t.logicalName, currency: byName.get('transactioncurrencyid')?.Type, rate: byName.get('exchangerate')?.Type }).toEqual({ table: t.logicalName, currency: 'lookup', rate: 'decimal' });
      }
      for (const c of t.columns.filter((x) => x.type === 'money')) {
        const base = byName.get(`${c.logicalName}_base`);
        expect({ column: `${t.logicalName}.${c.logicalName}_base`, type: base?.Type, of: base?.CalculationOf, create: String(base?.ValidForCreateApi) })
          .toEqual({ column: `${t.logicalName}.${c.logicalName}_base`, type: 'money', of: c.logicalName, create: '0' });
      }
    }
    for (const t of SCHEMA.tables.filter((x) => x.isCustom && !x.columns.some((c) => c.type === 'money'))) {
      expect(attributesOf(t.schemaName).some((a: Any) => a.LogicalName === 'transactioncurrencyid')).toBe(false);
    }
  });
});
