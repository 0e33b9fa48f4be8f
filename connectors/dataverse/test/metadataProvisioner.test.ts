import type { SolutionSchema } from '@astep/solution';
import { DataverseClient } from '../src/dataverseClient';
import { MetadataProvisioner } from '../src/metadataProvisioner';
import { dvError, json, noContent, staticToken, stubTransport, virtualClock, WEB_API } from './stubTransport';

const SCHEMA: SolutionSchema = {
  uniqueName: 'Test',
  friendlyName: 'Test',
  description: '',
  publisher: { uniqueName: 'p', friendlyName: 'p', description: '', customizationPrefix: 'astep', customizationOptionValuePrefix: 61520 },
  choices: [{ name: 'astep_kind', displayName: 'Kind', description: '', options: [{ value: 615200000, label: 'A' }, { value: 615200001, label: 'B' }] }],
  relationships: [],
  tables: [
    {
      logicalName: 'astep_thing',
      schemaName: 'astep_Thing',
      displayName: 'Thing',
      displayCollectionName: 'Things',
      description: 'A thing',
      entitySetName: 'astep_things',
      primaryIdAttribute: 'astep_thingid',
      primaryNameAttribute: 'astep_name',
      isCustom: true,
      ownership: 'UserOwned',
      hasNotes: false,
      hasActivities: false,
      columns: [
        { logicalName: 'astep_name', schemaName: 'astep_Name', displayName: 'Name', type: 'string', maxLength: 100, isPrimaryName: true, required: 'required' },
        { logicalName: 'astep_kind', schemaName: 'astep_Kind', displayName: 'Kind', type: 'picklist', optionSet: 'astep_kind' },
        { logicalName: 'astep_on', schemaName: 'astep_On', displayName: 'On', type: 'datetime', dateBehavior: 'DateOnly' },
      ],
      keys: [{ logicalName: 'astep_thing_key', schemaName: 'astep_thing_key', displayName: 'Key', columns: ['astep_name'] }],
    },
  ],
};

describe('MetadataProvisioner (stub transport)', () => {
  it('creates choice, table, columns and key in order, waits out a customization lock, publishes, polls keys until Active', async () => {
    const clock = virtualClock();
    let tableCreated = false;
    let lockedOnce = false;
    let keyPolls = 0;
    const stub = stubTransport((req) => {
      const url = decodeURIComponent(req.url.slice(WEB_API.length));
      if (req.method === 'GET' && url.startsWith("GlobalOptionSetDefinitions(Name='astep_kind')")) {
        return url.includes('MetadataId') ? json(200, { MetadataId: 'os-1' }) : dvError(404, '0x80040217', 'not found');
      }
      if (req.method === 'GET' && url.startsWith("EntityDefinitions(LogicalName='astep_thing')?")) {
        return tableCreated ? json(200, { LogicalName: 'astep_thing', Attributes: [{ LogicalName: 'astep_name' }], Keys: [] }) : dvError(404, '0x80040217', 'not found');
      }
      if (req.method === 'POST' && url === 'EntityDefinitions') {
        if (!lockedOnce) {
          lockedOnce = true;
          return dvError(400, '0x80071151', 'Cannot start the requested operation [EntityCustomization] because there is another [Import] running at this moment.');
        }
        tableCreated = true;
        return noContent();
      }
      if (req.method === 'GET' && url === "EntityDefinitions(LogicalName='astep_thing')/Keys") {
        keyPolls++;
        return json(200, { value: [{ LogicalName: 'astep_thing_key', KeyAttributes: ['astep_name'], EntityKeyIndexStatus: keyPolls < 3 ? 'Pending' : 'Active' }] });
      }
      if (req.method === 'POST') return noContent();
      throw new Error(`unexpected ${req.method} ${url}`);
    }, clock);
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, retry: { clock } });
    const provisioner = new MetadataProvisioner(client, { solutionUniqueName: 'Test', pollIntervalMs: 1000 });
    const planned = await provisioner.apply(SCHEMA, { dryRun: true });
    expect(stub.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(planned.map((c) => `${c.kind}:${c.name}`)).toEqual(['createChoice:astep_kind', 'createTable:astep_thing', 'createColumn:astep_kind', 'createColumn:astep_on', 'createKey:astep_thing_key']);
    const applied = await provisioner.apply(SCHEMA);
    expect(applied).toEqual(planned);
    const writes = stub.requests.filter((r) => r.method === 'POST').map((r) => decodeURIComponent(r.url.slice(WEB_API.length)));
    expect(writes).toEqual([
      'GlobalOptionSetDefinitions',
      'EntityDefinitions', // locked: waited and retried
      'EntityDefinitions',
      "EntityDefinitions(LogicalName='astep_thing')/Attributes",
      "EntityDefinitions(LogicalName='astep_thing')/Attributes",
      "EntityDefinitions(LogicalName='astep_thing')/Keys",
      'PublishXml',
    ]);
    const posts = stub.requests.filter((r) => r.method === 'POST');
    expect(posts.every((r) => r.url.endsWith('PublishXml') || r.headers['MSCRM.SolutionUniqueName'] === 'Test')).toBe(true);
    const table = posts[2].json as Record<string, unknown>;
    expect(table).toMatchObject({ '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata', SchemaName: 'astep_Thing', OwnershipType: 'UserOwned' });
    expect(table.Attributes).toEqual([expect.objectContaining({ SchemaName: 'astep_Name', IsPrimaryName: true, MaxLength: 100 })]);
    expect(posts[3].json).toMatchObject({ '@odata.type': 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata', 'GlobalOptionSet@odata.bind': '/GlobalOptionSetDefinitions(os-1)' });
    expect(posts[4].json).toMatchObject({ Format: 'DateOnly', DateTimeBehavior: { Value: 'DateOnly' } });
    expect(posts[5].json).toMatchObject({ SchemaName: 'astep_thing_key', KeyAttributes: ['astep_name'] });
    expect(posts[6].json).toEqual({ ParameterXml: '<importexportxml><entities><entity>astep_thing</entity></entities><optionsets><optionset>astep_kind</optionset></optionsets></importexportxml>' });
    expect(keyPolls).toBe(3);
  });

  it('times out waiting for a key with an error naming the key and its status', async () => {
    const clock = virtualClock();
    const stub = stubTransport((req) => {
      if (req.url.includes('/Keys')) return json(200, { value: [{ LogicalName: 'astep_thing_key', EntityKeyIndexStatus: 'InProgress' }] });
      throw new Error('unexpected');
    }, clock);
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, retry: { clock } });
    const provisioner = new MetadataProvisioner(client, { pollIntervalMs: 1000, keyWaitTimeoutMs: 5000 });
    await expect(provisioner.waitForKeys(SCHEMA)).rejects.toThrow(/Timed out after 5000 ms .*astep_thing\.astep_thing_key \(InProgress\)/);
  });

  it('imports with ImportSolutionAsync and polls the async operation; a failed import explains itself', async () => {
    const clock = virtualClock();
    let polls = 0;
    let fail = false;
    const stub = stubTransport((req) => {
      if (req.url.endsWith('ImportSolutionAsync')) return json(200, { AsyncOperationId: '00000000-0000-0000-0000-0000000000a1', ImportJobKey: 'k' });
      if (req.url.includes('asyncoperations(00000000-0000-0000-0000-0000000000a1)')) {
        polls++;
        if (polls < 3) return json(200, { statecode: 2, statuscode: 20 });
        return json(200, fail ? { statecode: 3, statuscode: 31, friendlymessage: 'Missing dependency: astep_matter' } : { statecode: 3, statuscode: 30 });
      }
      throw new Error(`unexpected ${req.url}`);
    }, clock);
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, retry: { clock } });
    const provisioner = new MetadataProvisioner(client, { pollIntervalMs: 1000 });
    await provisioner.importSolution(new Uint8Array([80, 75, 3, 4]));
    const body = stub.requests[0].json as Record<string, unknown>;
    expect(body.CustomizationFile).toBe('UEsDBA==');
    expect(body.OverwriteUnmanagedCustomizations).toBe(true);
    expect(polls).toBe(3);
    fail = true;
    polls = 0;
    await expect(provisioner.importSolution(new Uint8Array([1]))).rejects.toThrow(/Solution import failed: Missing dependency: astep_matter/);
  });
});
