// What an import leaves in the org besides tables (environment variables, web resources, the custom connector with
// its platform-assigned API name), the browser session the org's own pages call the Web API with, the org's
// environment id, and money columns created alike by the Metadata API and by an import.
import { packSolution, zipPackage } from '@astep/solution/pack/packSolution';
import type { PackInputs } from '@astep/solution/pack/inputs';
import { SCHEMA, startApi, type Api } from './helpers';

const INPUTS: PackInputs = {
  webResources: [
    { name: 'astep_/html/Page.html', displayName: 'Page', type: 1, content: new TextEncoder().encode('<!doctype html><p>hello</p>') },
    { name: 'astep_/js/Page.js', displayName: 'Page script', type: 3, content: new TextEncoder().encode('console.log(1);') },
  ],
  controls: [],
  connector: {
    name: 'astep_actionstep', displayName: 'Actionstep', description: 'Actionstep REST API', iconBrandColor: '#0072bc',
    openApiDefinition: '{"swagger":"2.0","info":{"title":"Actionstep","version":"1.0"},"paths":{}}', connectionParameters: '{}',
  },
};

async function importZip(api: Api): Promise<void> {
  const zip = await zipPackage(packSolution(SCHEMA, { version: '1.0.0.0', managed: false, inputs: INPUTS }));
  const r = await api.call('POST', 'ImportSolution', { CustomizationFile: Buffer.from(zip).toString('base64') });
  expect(r.status).toBe(204);
}

describe('ImportSolution: environment variables, web resources, the connector', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi({ metadataKeyActivationDelayMs: 0, environmentId: 'a1b2c3d4-0000-4000-8000-00000000e001' });
    await importZip(api);
  });
  afterAll(() => api.emu.close());

  test('each environment variable definition becomes a row; a value an admin sets survives a re-import', async () => {
    const q = "environmentvariabledefinitions?$select=schemaname,displayname,type,defaultvalue,isrequired&$filter=schemaname eq 'astep_SampleSize'&$expand=environmentvariabledefinition_environmentvariablevalue($select=value)";
    const before = (await api.call('GET', q)).json.value;
    expect(before).toEqual([expect.objectContaining({ schemaname: 'astep_SampleSize', displayname: 'Sample Size', type: 100000001, defaultvalue: '200', environmentvariabledefinition_environmentvariablevalue: [] })]);
    const set = await api.call('POST', 'environmentvariablevalues', {
      schemaname: 'astep_SampleSize', value: '150', 'EnvironmentVariableDefinitionId@odata.bind': `/environmentvariabledefinitions(${before[0].environmentvariabledefinitionid})`,
    });
    expect(set.status).toBe(204);
    await importZip(api);
    const after = (await api.call('GET', q)).json.value;
    expect(after).toHaveLength(1);
    expect(after[0].environmentvariabledefinition_environmentvariablevalue.map((v: { value: string }) => v.value)).toEqual(['150']);
  });

  test('the connector gets an environment-specific API name (connectorinternalid), kept on re-import', async () => {
    const read = async () => (await api.call('GET', "connectors?$select=name,connectorinternalid&$filter=name eq 'astep_actionstep'")).json.value;
    const [first] = await read();
    expect(first.connectorinternalid).toMatch(/^shared_astep-5factionstep-5f[0-9a-f]{16}$/);
    await importZip(api);
    expect((await read())[0].connectorinternalid).toBe(first.connectorinternalid);
    const other = await startApi({ environmentId: 'a1b2c3d4-0000-4000-8000-00000000e002' });
    try {
      await importZip(other);
      const [elsewhere] = (await other.call('GET', "connectors?$select=connectorinternalid&$filter=name eq 'astep_actionstep'")).json.value;
      expect(elsewhere.connectorinternalid).not.toBe(first.connectorinternalid);
    } finally {
      await other.emu.close();
    }
  });

  test('RetrieveCurrentOrganization names the environment and the tenant', async () => {
    const r = await api.call('GET', "RetrieveCurrentOrganization(AccessType=@p1)?@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Default'");
    expect(r.status).toBe(200);
    expect(r.json.Detail).toMatchObject({ EnvironmentId: 'a1b2c3d4-0000-4000-8000-00000000e001', TenantId: api.emu.tenantId });
    expect((await api.call('GET', 'RetrieveCurrentOrganization(AccessType=@p1)?@p1=1')).status).toBe(400);
  });

  test('web resources are served to signed-in browser sessions only, with their type', async () => {
    const url = `${api.emu.url}/WebResources/astep_/html/Page.html`;
    expect((await fetch(url)).status).toBe(401);
    const cookie = api.emu.browserSession('admin@emulator.local');
    const r = await fetch(url, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await r.text()).toBe('<!doctype html><p>hello</p>');
    expect((await fetch(`${api.emu.url}/WebResources/astep_/js/Missing.js`, { headers: { cookie: `${cookie.name}=${cookie.value}` } })).status).toBe(404);
  });
});

describe('browser sessions', () => {
  let api: Api;
  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.emu.close());

  test('a same-origin call with the session cookie runs as the signed-in user; another origin and no session are refused', async () => {
    const cookie = api.emu.browserSession('admin@emulator.local');
    const headers = { cookie: `${cookie.name}=${cookie.value}`, accept: 'application/json' };
    const who = await fetch(`${api.emu.webApiUrl}WhoAmI`, { headers });
    expect(who.status).toBe(200);
    const byBearer = (await api.call('GET', 'WhoAmI')).json.UserId;
    expect((await who.json()).UserId).not.toBe(byBearer); // the admin, not the application user
    const sameOrigin = await fetch(`${api.emu.webApiUrl}accounts`, { method: 'POST', headers: { ...headers, origin: api.emu.url, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'From the form' }) });
    expect(sameOrigin.status).toBe(204);
    const crossSite = await fetch(`${api.emu.webApiUrl}WhoAmI`, { headers: { ...headers, origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await fetch(`${api.emu.webApiUrl}WhoAmI`, { headers: { cookie: `${cookie.name}=forged`, accept: 'application/json' } })).status).toBe(403);
    expect((await fetch(`${api.emu.webApiUrl}WhoAmI`, { headers: { accept: 'application/json' } })).status).toBe(401);
    expect(() => api.emu.browserSession('nobody@example.com')).toThrow(/no systemuser/);
  });
});

describe('money columns: the Metadata API and an import create the same currency columns', () => {
  test('astep_matter and account carry transactioncurrencyid, exchangerate and a _base twin per money column either way', async () => {
    const viaImport = await startApi({ metadataKeyActivationDelayMs: 0 });
    const viaMetadata = await startApi({ metadataKeyActivationDelayMs: 0 });
    try {
      await importZip(viaImport);
      for (const t of SCHEMA.tables) {
        if (!t.isCustom) continue;
        const r = await viaMetadata.call('POST', 'EntityDefinitions', {
          SchemaName: t.schemaName, DisplayName: { LocalizedLabels: [{ Label: t.displayName, LanguageCode: 1033 }] },
          DisplayCollectionName: { LocalizedLabels: [{ Label: t.displayCollectionName, LanguageCode: 1033 }] }, OwnershipType: t.ownership, HasNotes: t.hasNotes, HasActivities: t.hasActivities,
          Attributes: [{ '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata', SchemaName: t.columns.find((c) => c.isPrimaryName)!.schemaName, IsPrimaryName: true, MaxLength: 400, DisplayName: { LocalizedLabels: [{ Label: 'Name', LanguageCode: 1033 }] } }],
        });
        expect(r.status).toBeLessThan(300);
      }
      const money = (m: { type: string }) => m.type === 'money';
      for (const table of ['astep_matter', 'account']) {
        const moneyColumns = SCHEMA.tables.find((t) => t.logicalName === table)!.columns.filter(money);
        expect(moneyColumns.length).toBeGreaterThan(0);
        for (const c of moneyColumns) {
          const r = await viaMetadata.call('POST', `EntityDefinitions(LogicalName='${table}')/Attributes`, {
            '@odata.type': 'Microsoft.Dynamics.CRM.MoneyAttributeMetadata', SchemaName: c.schemaName, PrecisionSource: 0, Precision: c.precision ?? 2,
            DisplayName: { LocalizedLabels: [{ Label: c.displayName, LanguageCode: 1033 }] },
          });
          expect(r.status).toBeLessThan(300);
        }
        const names = async (a: Api) => (await a.call('GET', `EntityDefinitions(LogicalName='${table}')/Attributes?$select=LogicalName`)).json.value.map((x: { LogicalName: string }) => x.LogicalName) as string[];
        const expected = ['transactioncurrencyid', 'exchangerate', ...moneyColumns.flatMap((c) => [c.logicalName, `${c.logicalName}_base`])];
        expect(await names(viaImport)).toEqual(expect.arrayContaining(expected));
        expect(await names(viaMetadata)).toEqual(expect.arrayContaining(expected));
      }
    } finally {
      await viaImport.emu.close();
      await viaMetadata.emu.close();
    }
  });
});
