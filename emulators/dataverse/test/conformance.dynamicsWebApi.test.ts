// Conformance: the independent client dynamics-web-api 2.5.0, unchanged, against the emulator over real HTTP.
import { DynamicsWebApi } from 'dynamics-web-api';
import { DEFAULT_CLIENT } from '@astep/dataverse-emulator';
import { getToken, provisionSchema, startWithSchema, waitForKeys, type Api } from './helpers';

let api: Api;
let client: DynamicsWebApi;
let tokenCalls = 0;
beforeAll(async () => {
  api = await startWithSchema();
  await provisionSchema(api, undefined, ['account', 'contact']);
  await waitForKeys(api, 'account');
  client = new DynamicsWebApi({
    serverUrl: api.emu.url,
    dataApi: { version: '9.2' },
    onTokenRefresh: async () => {
      tokenCalls++;
      return getToken(api.emu, DEFAULT_CLIENT.clientId, DEFAULT_CLIENT.clientSecret);
    },
  });
});
afterAll(async () => api.emu.close());

test('create returns the new id; retrieve reads it back', async () => {
  const id = (await client.create({ collection: 'accounts', data: { name: 'DWA create' } })) as unknown as string;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  const rec = await client.retrieve<{ name: string }>({ collection: 'accounts', key: id, select: ['name'] });
  expect(rec.name).toBe('DWA create');
  expect(tokenCalls).toBeGreaterThan(0);
});

test('upsert by alternate key creates then updates the same row', async () => {
  type Row = { accountid: string; name: string };
  const created = (await client.upsert({ collection: 'accounts', key: "astep_sourceid='DWA-1'", data: { name: 'First' }, returnRepresentation: true, select: ['name'] })) as unknown as Row;
  const updated = (await client.upsert({ collection: 'accounts', key: "astep_sourceid='DWA-1'", data: { name: 'Second' }, returnRepresentation: true, select: ['name'] })) as unknown as Row;
  expect(updated.accountid).toBe(created.accountid);
  expect(updated.name).toBe('Second');
});

test('$batch with a change set and Content-ID reference', async () => {
  client.startBatch();
  client.create({ collection: 'accounts', data: { name: 'DWA batch parent' }, contentId: '1' });
  client.create({ collection: 'contacts', data: { lastname: 'DWA batch child', 'parentcustomerid_account@odata.bind': '$1' } });
  const results = await client.executeBatch();
  expect(results).toHaveLength(2);
  const childId = results[1] as string;
  const child = await client.retrieve<{ _parentcustomerid_value: string }>({ collection: 'contacts', key: childId, select: ['_parentcustomerid_value'] });
  expect(child._parentcustomerid_value).toBe(results[0]);
});

test('a failing change set surfaces the Dataverse error code and rolls back', async () => {
  client.startBatch();
  client.create({ collection: 'accounts', data: { name: 'DWA rollback', astep_sourceid: 'DWA-RB' } });
  client.create({ collection: 'accounts', data: { name: 'n'.repeat(161) } });
  let error: unknown;
  try {
    await client.executeBatch();
  } catch (e) {
    error = e;
  }
  // dynamics-web-api reports batch part errors with the Dataverse body under `error`.
  const first = (Array.isArray(error) ? error[0] : error) as { status?: number; error?: { code?: string } };
  expect(first.status).toBe(400);
  expect(first.error?.code).toBe('0x80044331');
  const left = await client.retrieveMultiple({ collection: 'accounts', filter: "astep_sourceid eq 'DWA-RB'" });
  expect(left.value).toHaveLength(0);
});

test('retrieveAll follows @odata.nextLink across pages', async () => {
  client.startBatch();
  for (let i = 0; i < 30; i++) client.create({ collection: 'contacts', data: { lastname: `DWA page ${i}` } });
  await client.executeBatch();
  const all = await client.retrieveAll<{ lastname: string }>({ collection: 'contacts', select: ['lastname'], filter: "startswith(lastname,'DWA page')", maxPageSize: 7 });
  expect(all.value).toHaveLength(30);
  expect(new Set(all.value.map((c) => c.lastname)).size).toBe(30);
});

test('metadata: createAttribute then write the new column', async () => {
  await client.createAttribute({
    entityKey: "LogicalName='account'",
    data: {
      '@odata.type': 'Microsoft.Dynamics.CRM.IntegerAttributeMetadata',
      SchemaName: 'astep_DwaCount',
      DisplayName: { LocalizedLabels: [{ Label: 'DWA count', LanguageCode: 1033 }] },
      RequiredLevel: { Value: 'None' },
      MinValue: 0,
      MaxValue: 10,
    },
  });
  const attr = await client.retrieveAttributes({ entityKey: "LogicalName='account'", select: ['LogicalName'], filter: "LogicalName eq 'astep_dwacount'" });
  expect(attr.value).toHaveLength(1);
  const id = await client.create({ collection: 'accounts', data: { name: 'DWA counted', astep_dwacount: 3 } });
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const stored = await client.retrieve({ collection: 'accounts', key: String(id), select: ['astep_dwacount'] });
  expect(stored.astep_dwacount).toBe(3);
  await expect(client.create({ collection: 'accounts', data: { name: 'DWA counted', astep_dwacount: 11 } })).rejects.toMatchObject({ status: 400 });
});
