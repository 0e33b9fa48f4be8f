/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field */
import { packSolution, zipPackage } from '@astep/solution/pack/packSolution';
import { SCHEMA, attributeBody, provisionSchema, startApi, startWithSchema, waitForKeys, type Api } from './helpers';

const lbl = (text: string) => ({ LocalizedLabels: [{ Label: text, LanguageCode: 1033 }] });
const table = (schemaName: string, extra: Record<string, unknown> = {}) => ({
  '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
  SchemaName: schemaName,
  DisplayName: lbl(schemaName),
  DisplayCollectionName: lbl(`${schemaName}s`),
  OwnershipType: 'UserOwned',
  HasNotes: false,
  HasActivities: false,
  Attributes: [{ '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata', SchemaName: `${schemaName.split('_')[0]}_Name`, IsPrimaryName: true, MaxLength: 100, RequiredLevel: { Value: 'ApplicationRequired' }, DisplayName: lbl('Name') }],
  ...extra,
});

describe('Metadata API', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startWithSchema();
  });
  afterAll(async () => api.emu.close());

  test('custom tables exist only after they are created; the whole product schema provisions through the API', async () => {
    expect((await api.call('GET', 'astep_matters')).json.error.code).toBe('0x8006088a');
    expect((await api.call('GET', "EntityDefinitions(LogicalName='astep_matter')")).status).toBe(404);
    await provisionSchema(api);
    const r = await api.call('GET', "EntityDefinitions(LogicalName='astep_matter')?$select=LogicalName,EntitySetName,PrimaryIdAttribute,IsCustomEntity&$expand=Attributes($select=LogicalName,AttributeType),Keys");
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ LogicalName: 'astep_matter', EntitySetName: 'astep_matters', PrimaryIdAttribute: 'astep_matterid', IsCustomEntity: true });
    const attrs = r.json.Attributes.map((a: any) => a.LogicalName);
    expect(attrs).toEqual(expect.arrayContaining(['astep_name', 'astep_sourceid', 'astep_accountid', 'astep_trustbalance', 'ownerid', 'statecode', 'createdon']));
    expect(r.json.Keys[0].KeyAttributes).toEqual(['astep_sourceid']);
    const acc = await api.call('GET', "EntityDefinitions(LogicalName='account')/Attributes(LogicalName='astep_mattertype')");
    expect(acc.json.AttributeType).toBe('Picklist');
    expect(acc.json.GlobalOptionSet.Name).toBe('astep_mattertype');
    const picklists = await api.call('GET', "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet");
    expect(picklists.json.value.map((a: any) => a.LogicalName)).toEqual(expect.arrayContaining(['industrycode', 'astep_mattertype']));
    expect(picklists.json.value.every((a: any) => a['@odata.type'] === '#Microsoft.Dynamics.CRM.PicklistAttributeMetadata')).toBe(true);
    const list = await api.call('GET', `EntityDefinitions?$select=LogicalName&$filter=${encodeURIComponent('IsCustomEntity eq true')}`);
    expect(list.json.value.map((e: any) => e.LogicalName).sort()).toEqual(SCHEMA.tables.filter((t) => t.isCustom).map((t) => t.logicalName).sort());
  });

  test('duplicate names give the platform codes', async () => {
    const dupTable = await api.call('POST', 'EntityDefinitions', table('astep_Matter'));
    expect(dupTable.json.error.code).toBe('0x80047010');
    const col = SCHEMA.tables[0].columns.find((c) => c.logicalName === 'astep_sourceid')!;
    const dupCol = await api.call('POST', "EntityDefinitions(LogicalName='account')/Attributes", attributeBody(col));
    expect(dupCol.json.error.code).toBe('0x80047013');
    const dupChoice = await api.call('POST', 'GlobalOptionSetDefinitions', { Name: 'astep_mattertype', Options: [] });
    expect(dupChoice.json.error.code).toBe('0x80047010');
  });

  test('global choices, InsertOptionValue, relationships, publish', async () => {
    const c = await api.call('GET', "GlobalOptionSetDefinitions(Name='astep_mattertype')");
    expect(c.json.Options[0].Value).toBe(615200000);
    const ins = await api.call('POST', 'InsertOptionValue', { OptionSetName: 'astep_mattertype', Label: lbl('Immigration') });
    expect(ins.status).toBe(200);
    expect(ins.json.NewOptionValue).toBe(615200007);
    const rec = await api.call('POST', 'accounts', { name: 'Choice user', astep_mattertype: 615200007 });
    expect(rec.status).toBe(204);
    const bad = await api.call('POST', 'accounts', { name: 'Choice user', astep_mattertype: 615299999 });
    expect(bad.status).toBe(400);
    const rel = await api.call('GET', "RelationshipDefinitions(SchemaName='astep_account_astep_matter_accountid')");
    expect(rel.json).toMatchObject({ ReferencedEntity: 'account', ReferencingEntity: 'astep_matter', ReferencingEntityNavigationPropertyName: 'astep_AccountId' });
    expect((await api.call('POST', 'PublishXml', { ParameterXml: '<importexportxml><entities><entity>astep_matter</entity></entities></importexportxml>' })).status).toBe(204);
    expect((await api.call('POST', 'PublishAllXml')).status).toBe(204);
  });

  test('new column via Attributes POST is writable at once; DateOnly takes YYYY-MM-DD only', async () => {
    const r = await api.call('POST', "EntityDefinitions(LogicalName='contact')/Attributes", {
      '@odata.type': 'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata',
      SchemaName: 'astep_FirstSeen',
      Format: 'DateOnly',
      DateTimeBehavior: { Value: 'DateOnly' },
      DisplayName: lbl('First seen'),
    });
    expect(r.status).toBe(204);
    expect((await api.call('POST', 'contacts', { lastname: 'D', astep_firstseen: '2024-02-29' })).status).toBe(204);
    const bad = await api.call('POST', 'contacts', { lastname: 'D', astep_firstseen: '2024-02-29T10:00:00Z' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain("'Edm.Date'");
  });
});

describe('alternate key activation', () => {
  test('keys go Pending → InProgress → Active on the scaled clock; key addressing waits for Active', async () => {
    const api = await startApi({ metadataKeyActivationDelayMs: 600, clockScale: 1 });
    try {
      await provisionSchema(api, SCHEMA, ['account']);
      const first = await api.call('GET', "EntityDefinitions(LogicalName='account')/Keys(LogicalName='astep_account_sourceid_key')?$select=EntityKeyIndexStatus");
      expect(first.json.EntityKeyIndexStatus).toMatch(/Pending|InProgress/);
      const early = await api.call('PATCH', "accounts(astep_sourceid='early')", { name: 'x' });
      expect(early.status).toBe(400);
      expect(early.json.error.message).toContain('is not active');
      const seen = new Set<string>([first.json.EntityKeyIndexStatus]);
      for (let i = 0; i < 100 && !seen.has('Active'); i++) {
        await new Promise((r) => setTimeout(r, 25));
        seen.add((await api.call('GET', "EntityDefinitions(LogicalName='account')?$expand=Keys($select=EntityKeyIndexStatus)")).json.Keys[0].EntityKeyIndexStatus);
      }
      expect([...seen]).toEqual(expect.arrayContaining(['InProgress', 'Active']));
      expect((await api.call('PATCH', "accounts(astep_sourceid='early')", { name: 'x' })).status).toBe(204);
    } finally {
      await api.emu.close();
    }
  });

  test('a key fails to activate when existing rows hold duplicate values', async () => {
    const api = await startApi({ metadataKeyActivationDelayMs: 0 });
    try {
      await provisionSchema(api, { ...SCHEMA, tables: SCHEMA.tables.map((t) => ({ ...t, keys: [] })) }, ['account']);
      await api.call('POST', 'accounts', { name: 'a', astep_sourceid: 'SAME' });
      await api.call('POST', 'accounts', { name: 'b', astep_sourceid: 'SAME' });
      await api.call('POST', "EntityDefinitions(LogicalName='account')/Keys", { SchemaName: 'astep_account_sourceid_key', DisplayName: lbl('k'), KeyAttributes: ['astep_sourceid'] });
      await waitForKeys(api, 'account');
      const k = await api.call('GET', "EntityDefinitions(LogicalName='account')/Keys(LogicalName='astep_account_sourceid_key')");
      expect(k.json.EntityKeyIndexStatus).toBe('Failed');
      // fix the data, then ReactivateEntityKey rebuilds the index
      const dupes = await api.call('GET', `accounts?$select=accountid&$filter=${encodeURIComponent("astep_sourceid eq 'SAME'")}`);
      await api.call('DELETE', `accounts(${dupes.json.value[0].accountid})`);
      expect((await api.call('POST', 'ReactivateEntityKey', { EntityLogicalName: 'account', EntityKeyLogicalName: 'astep_account_sourceid_key' })).status).toBe(204);
      await waitForKeys(api, 'account');
      const again = await api.call('GET', "EntityDefinitions(LogicalName='account')/Keys(LogicalName='astep_account_sourceid_key')");
      expect(again.json.EntityKeyIndexStatus).toBe('Active');
    } finally {
      await api.emu.close();
    }
  });
});

describe('Sales Professional', () => {
  test('creating a 16th custom table fails with 0x80048547', async () => {
    const api = await startApi({ salesProfessional: true });
    try {
      for (let i = 0; i < 15; i++) expect((await api.call('POST', 'EntityDefinitions', table(`new_T${i}`))).status).toBe(204);
      const r = await api.call('POST', 'EntityDefinitions', table('new_T15'));
      expect(r.status).toBe(400);
      expect(r.json.error.code).toBe('0x80048547');
    } finally {
      await api.emu.close();
    }
  });
});

describe('ImportSolution', () => {
  test('imports the packed solution zip, records it, and serves its tables', async () => {
    const api = await startApi({ metadataKeyActivationDelayMs: 0 });
    try {
      const zip = await zipPackage(packSolution(SCHEMA, { version: '1.2.3.4', managed: false }));
      const r = await api.call('POST', 'ImportSolution', { CustomizationFile: Buffer.from(zip).toString('base64'), OverwriteUnmanagedCustomizations: true, PublishWorkflows: true, ImportJobId: '00000000-0000-0000-0000-00000000abcd' });
      expect(r.status).toBe(204);
      const s = await api.call('GET', `solutions?$select=uniquename,version,ismanaged&$filter=${encodeURIComponent("uniquename eq 'ActionstepMigration'")}`);
      expect(s.json.value).toEqual([expect.objectContaining({ uniquename: 'ActionstepMigration', version: '1.2.3.4', ismanaged: false })]);
      await waitForKeys(api, 'astep_timeentry');
      const set = (await api.call('GET', "EntityDefinitions(LogicalName='astep_timeentry')?$select=EntitySetName")).json.EntitySetName;
      const w = await api.call('PATCH', `${set}(astep_sourceid='T-1')`, { astep_name: 'Time', astep_hours: 1.255 }, { Prefer: 'return=representation' });
      expect(w.status).toBe(201);
      expect(w.json.astep_hours).toBe(1.26);
      const bad = await api.call('POST', 'ImportSolution', { CustomizationFile: Buffer.from('not a zip').toString('base64') });
      expect(bad.status).toBe(400);
    } finally {
      await api.emu.close();
    }
  });
});
