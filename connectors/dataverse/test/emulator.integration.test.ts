// Integration over real HTTP against the Dataverse emulator (@astep/dataverse-emulator), tokens from its Entra-style
// endpoint through msal-node.
import { startDataverseEmulator, type DataverseEmulator } from '@astep/dataverse-emulator';
import { SCHEMA } from '@astep/solution';
import { BulkWriter, type TableRef } from '../src/bulkWriter';
import { DataverseClient, type RequestRecord } from '../src/dataverseClient';
import { MetadataProvisioner } from '../src/metadataProvisioner';
import { createClientSecretCredential, createRedirectingNetworkClient } from '../src/msalCredentials';
import { createNodeTransport } from '../src/nodeTransport';
import { schemaSubset } from './schemaSubset';
import { packSolution, zipPackage } from '@astep/solution/pack/packSolution';
import type { SolutionSchema, TableDef } from '@astep/solution';

const CLIENT = { clientId: '3f1e0b8a-6a43-4c55-9f1e-0d5b8c1a2b3c', clientSecret: 'emulator-secret-value-123' };
const ACCOUNTS: TableRef = { logicalName: 'account', entitySetName: 'accounts', primaryIdAttribute: 'accountid' };
const CONTACTS: TableRef = { logicalName: 'contact', entitySetName: 'contacts', primaryIdAttribute: 'contactid' };
const TIME_ENTRIES: TableRef = { logicalName: 'astep_timeentry', entitySetName: 'astep_timeentries', primaryIdAttribute: 'astep_timeentryid' };
const TEST_SCHEMA = schemaSubset(SCHEMA, ['account', 'contact', 'astep_matter', 'astep_timeentry']);

function connect(emu: DataverseEmulator, secret = CLIENT.clientSecret): DataverseClient {
  const credential = createClientSecretCredential({
    tenantId: emu.tenantId,
    clientId: CLIENT.clientId,
    clientSecret: secret,
    scope: `${emu.url}/.default`,
    networkClient: createRedirectingNetworkClient(emu.url),
  });
  return new DataverseClient({ webApiUrl: emu.webApiUrl, credential, transport: createNodeTransport(), retry: { maxRetries: 2 } });
}

describe('DataverseClient, BulkWriter and MetadataProvisioner against the emulator', () => {
  let emu: DataverseEmulator;
  let client: DataverseClient;

  beforeAll(async () => {
    emu = await startDataverseEmulator({
      clients: [CLIENT],
      limits: 'off',
      clockScale: 1000,
      bulkSupportedTables: ['account', 'contact', 'opportunity', 'astep_matter'],
      metadataKeyActivationDelayMs: 2000,
    });
    client = connect(emu);
  });
  afterAll(async () => {
    await emu?.close();
  });

  it('gets a token with msal-node client credentials from the emulator token endpoint; a wrong secret fails without echoing it', async () => {
    const who = await client.whoAmI();
    expect(who.UserId).toMatch(/^[0-9a-f-]{36}$/);
    expect(who.dopHint).toBeGreaterThan(0);
    const bad = connect(emu, 'wrong-secret-do-not-log');
    const err = (await bad.whoAmI().catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/token/i);
    expect(err.message).not.toContain('wrong-secret-do-not-log');
  });

  it('provisioner: plan lists the changes, apply makes them, keys turn Active, re-apply changes nothing', async () => {
    const provisioner = new MetadataProvisioner(client, { pollIntervalMs: 20, keyWaitTimeoutMs: 20_000 });
    const plan = await provisioner.plan(TEST_SCHEMA);
    const kinds = new Set(plan.map((c) => c.kind));
    expect(kinds).toEqual(new Set(['createChoice', 'createTable', 'createColumn', 'createRelationship', 'createKey']));
    expect(plan).toEqual(expect.arrayContaining([
      expect.objectContaining({ kind: 'createChoice', name: 'astep_mattertype' }),
      expect.objectContaining({ kind: 'createTable', name: 'astep_matter' }),
      expect.objectContaining({ kind: 'createColumn', table: 'account', name: 'astep_sourceid' }),
      expect.objectContaining({ kind: 'createKey', table: 'account', name: 'astep_account_sourceid_key' }),
    ]));
    const dry = await provisioner.apply(TEST_SCHEMA, { dryRun: true });
    expect(dry).toEqual(plan);
    const progress: number[] = [];
    const applied = await provisioner.apply(TEST_SCHEMA, { onProgress: (done) => progress.push(done) });
    expect(applied).toEqual(plan);
    expect(progress[progress.length - 1]).toBe(plan.length);
    const keys = await client.get<{ value: Array<{ LogicalName: string; EntityKeyIndexStatus: string }> }>("EntityDefinitions(LogicalName='account')/Keys");
    expect(keys.value.find((k) => k.LogicalName === 'astep_account_sourceid_key')?.EntityKeyIndexStatus).toBe('Active');
    expect(await provisioner.plan(TEST_SCHEMA)).toEqual([]);
    expect(await provisioner.apply(TEST_SCHEMA)).toEqual([]);
    // The firm has a matter type the shipped choice lacks: only that value is inserted (InsertOptionValue).
    const withNewType: SolutionSchema = {
      ...TEST_SCHEMA,
      choices: TEST_SCHEMA.choices.map((c) => (c.name === 'astep_mattertype' ? { ...c, options: [...c.options, { value: 615200099, label: 'Maritime Law' }] } : c)),
    };
    const extra = await provisioner.plan(withNewType);
    expect(extra).toEqual([expect.objectContaining({ kind: 'insertChoiceValue', name: 'astep_mattertype=615200099' })]);
    expect(await provisioner.apply(withNewType)).toEqual(extra);
    const os = await client.get<{ Options: Array<{ Value: number }> }>("GlobalOptionSetDefinitions(Name='astep_mattertype')");
    expect(os.Options.map((o) => o.Value)).toContain(615200099);
    expect(await provisioner.plan(withNewType)).toEqual([]);
  });

  it('upserts 5,000 accounts by alternate key with UpsertMultiple, and a second run updates the same rows', async () => {
    const targets = (suffix: string) =>
      Array.from({ length: 5000 }, (_, i) => ({ key: { astep_sourceid: `acc-${i}` }, attributes: { name: `Client ${i}${suffix}`, astep_matternumber: `M${i}` }, ref: `participant:${i}` }));
    const writer = new BulkWriter(client);
    const first = await writer.upsertMany(ACCOUNTS, targets(''));
    expect(first.filter((r) => r.outcome === 'upserted')).toHaveLength(5000);
    const second = await writer.upsertMany(ACCOUNTS, targets(' (v2)'));
    expect(second.every((r) => r.outcome === 'upserted')).toBe(true);
    const snap = await emu.snapshot(['account']);
    const ours = snap.account.filter((r) => typeof r.astep_sourceid === 'string' && (r.astep_sourceid as string).startsWith('acc-'));
    expect(ours).toHaveLength(5000);
    expect(new Set(ours.map((r) => r.astep_sourceid)).size).toBe(5000);
    expect(ours.find((r) => r.astep_sourceid === 'acc-42')?.name).toBe('Client 42 (v2)');
    // Read back through the client: paging and In-filter lookups.
    const found = await client.retrieveByValues('accounts', 'astep_sourceid', Array.from({ length: 300 }, (_, i) => `acc-${i * 10}`), ['accountid', 'astep_sourceid']);
    expect(found).toHaveLength(300);
    let pages = 0;
    let rows = 0;
    for await (const page of client.retrieveMultiple('accounts', { select: ['accountid'], filter: "startswith(astep_sourceid,'acc-')", maxPageSize: 2000 }).byPage()) {
      pages++;
      rows += page.length;
    }
    expect(rows).toBe(5000);
    expect(pages).toBe(3);
    const one = await client.retrieve('accounts', { astep_sourceid: 'acc-7' }, { select: ['name'] });
    expect(one?.name).toBe('Client 7 (v2)');
  });

  it('isolates one over-long value in 1,000 bulk targets: 999 upserted, 1 failed with 0x80044331 naming the record', async () => {
    const targets = Array.from({ length: 1000 }, (_, i) => ({
      key: { astep_sourceid: `con-${i}` },
      attributes: { firstname: 'Pat', lastname: i === 617 ? 'L'.repeat(51) : `Lawyer ${i}` },
      ref: `participant:${i}`,
    }));
    const results = await new BulkWriter(client).upsertMany(CONTACTS, targets);
    expect(results.filter((r) => r.outcome === 'upserted')).toHaveLength(999);
    const failed = results.filter((r) => r.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ index: 617, ref: 'participant:617', errorCode: '0x80044331', status: 400 });
    expect(failed[0].message).toContain('participant:617');
    expect(failed[0].message).toContain('lastname');
  });

  it('falls back to $batch alternate-key upserts on a table without bulk messages, and keys with quotes work both ways', async () => {
    const log: RequestRecord[] = [];
    client.requestLog = log;
    const rows = Array.from({ length: 250 }, (_, i) => ({ key: { astep_sourceid: i === 3 ? "O'Brien--3" : `te-${i}` }, attributes: { astep_name: `Entry ${i}`, astep_hours: 1.5 }, ref: `timeentry:${i}` }));
    const results = await new BulkWriter(client).upsertMany(TIME_ENTRIES, rows);
    client.requestLog = undefined;
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
    expect(log.some((r) => r.path.endsWith('$batch'))).toBe(true);
    expect(log.some((r) => r.path.includes('UpsertMultiple'))).toBe(false);
    const again = await client.retrieve('astep_timeentries', { astep_sourceid: "O'Brien--3" }, { select: ['astep_name'] });
    expect(again?.astep_name).toBe('Entry 3');
    const snap = await emu.snapshot(['astep_timeentry']);
    expect(snap.astep_timeentry).toHaveLength(250);
    // Bulk path with a quote (and a character a URL key cannot carry) in the key.
    const bulk = await new BulkWriter(client).upsertMany(ACCOUNTS, [{ key: { astep_sourceid: "Smith & O'Neil" }, attributes: { name: 'Smith & O\'Neil' }, ref: 'q' }]);
    expect(bulk[0].outcome).toBe('upserted');
    // Found by its key the second time (in a different case: keys compare case-insensitively), updated, not repeated.
    const again2 = await new BulkWriter(client).upsertMany(ACCOUNTS, [{ key: { astep_sourceid: "SMITH & O'NEIL" }, attributes: { name: 'Smith and O\'Neil' }, ref: 'q2' }]);
    expect(again2[0]).toMatchObject({ outcome: 'upserted', id: bulk[0].id });
    const stored = (await emu.snapshot(['account'])).account.filter((r) => String(r.astep_sourceid).toLowerCase() === "smith & o'neil");
    expect(stored.map((r) => r.name)).toEqual(["Smith and O'Neil"]);
  });

  it('binds lookups by alternate key in bulk and writes money columns (base currency)', async () => {
    const matters: TableRef = { logicalName: 'astep_matter', entitySetName: 'astep_matters', primaryIdAttribute: 'astep_matterid' };
    const results = await new BulkWriter(client).upsertMany(matters, Array.from({ length: 200 }, (_, i) => ({
      key: { astep_sourceid: `mat-${i}` },
      attributes: { astep_name: `Matter ${i}`, astep_trustbalance: 1000.25 + i, 'astep_AccountId@odata.bind': `/accounts(astep_sourceid='acc-${i}')` },
      ref: `matter:${i}`,
    })));
    expect(results.filter((r) => r.outcome !== 'upserted')).toEqual([]);
    const row = await client.retrieve('astep_matters', { astep_sourceid: 'mat-5' }, { select: ['astep_trustbalance', '_astep_accountid_value'] });
    const account = await client.retrieve('accounts', { astep_sourceid: 'acc-5' }, { select: ['accountid'] });
    expect(row?._astep_accountid_value).toBe(account?.accountid);
    expect(row?.astep_trustbalance).toBeCloseTo(1005.25, 2);
    // A bind to a key that does not exist fails that record only, with the Dataverse code.
    const orphan = await new BulkWriter(client).upsertMany(matters, [
      { key: { astep_sourceid: 'mat-ok' }, attributes: { astep_name: 'ok' }, ref: 'ok' },
      { key: { astep_sourceid: 'mat-orphan' }, attributes: { astep_name: 'orphan', 'astep_AccountId@odata.bind': "/accounts(astep_sourceid='missing')" }, ref: 'orphan' },
    ]);
    expect(orphan[0].outcome).toBe('upserted');
    expect(orphan[1]).toMatchObject({ outcome: 'failed', errorCode: '0x80060891' });
    expect(orphan[1].message).toContain('orphan');
  });
});

describe('throttling under production limits with a scaled clock', () => {
  let emu: DataverseEmulator;
  afterAll(async () => {
    await emu?.close();
  });

  it('completes a $batch load that trips the execution-time limit, and never sends before a Retry-After', async () => {
    emu = await startDataverseEmulator({ clients: [CLIENT], limits: 'production', clockScale: 60, bulkSupportedTables: [], metadataKeyActivationDelayMs: 1000 });
    const client = connect(emu);
    await client.whoAmI();
    await new MetadataProvisioner(client, { pollIntervalMs: 20 }).apply(schemaSubset(SCHEMA, ['account']));
    const log: RequestRecord[] = [];
    client.requestLog = log;
    const targets = Array.from({ length: 8000 }, (_, i) => ({ key: { astep_sourceid: `t-${i}` }, attributes: { name: `Throttled ${i}` }, ref: `r${i}` }));
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, targets);
    expect(results.filter((r) => r.outcome === 'upserted')).toHaveLength(8000);
    const throttled = log.filter((r) => r.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(client.stats.throttled).toBe(throttled.length);
    // The emulator saw the same 429s (execution-time limit), and every one was answered by waiting.
    const seen = emu.counters().throttled;
    expect(Object.values(seen).reduce((a, b) => a + b, 0)).toBe(throttled.length);
    expect(throttled.every((t) => t.code === '0x80072321')).toBe(true);
    for (const t of throttled) {
      expect(t.retryAfterMs).toBeGreaterThan(0);
      const early = log.filter((r) => r.startedAt > t.endedAt && r.startedAt < t.endedAt + t.retryAfterMs!);
      expect(early).toEqual([]);
    }
    const snap = await emu.snapshot(['account']);
    expect(snap.account.filter((r) => String(r.astep_sourceid ?? '').startsWith('t-'))).toHaveLength(8000);
  });
});

describe('injected faults (503, connection resets, throttling, expired tokens, slow responses)', () => {
  let emu: DataverseEmulator;
  afterAll(async () => {
    await emu?.close();
  });

  it('loads every row exactly once through about 10% faults, in bulk and through $batch', async () => {
    emu = await startDataverseEmulator({ clients: [CLIENT], limits: 'off', clockScale: 1000, bulkSupportedTables: ['account'], metadataKeyActivationDelayMs: 500 });
    const client = connect(emu);
    await new MetadataProvisioner(client, { pollIntervalMs: 20 }).apply(schemaSubset(SCHEMA, ['account', 'astep_timeentry']));
    emu.setFaults({ seed: 7, serviceUnavailableRate: 0.03, connectionResetRate: 0.03, throttleRate: 0.02, expiredTokenRate: 0.02, slowRate: 0.02, slowResponseMs: 50 });
    const bulkClient = new DataverseClient({ webApiUrl: emu.webApiUrl, credential: createClientSecretCredential({ tenantId: emu.tenantId, clientId: CLIENT.clientId, clientSecret: CLIENT.clientSecret, scope: `${emu.url}/.default`, networkClient: createRedirectingNetworkClient(emu.url) }), transport: createNodeTransport(), retry: { retryDelayInMs: 20, maxRetryDelayInMs: 200, maxRetries: 8 } });
    const accounts = await new BulkWriter(bulkClient, { initialBatchSize: 100 }).upsertMany(ACCOUNTS, Array.from({ length: 3000 }, (_, i) => ({ key: { astep_sourceid: `f-${i}` }, attributes: { name: `Faulty ${i}` }, ref: `f${i}` })));
    const entries = await new BulkWriter(bulkClient, { batchOperationSize: 50 }).upsertMany(TIME_ENTRIES, Array.from({ length: 600 }, (_, i) => ({ key: { astep_sourceid: `fe-${i}` }, attributes: { astep_name: `Entry ${i}` }, ref: `fe${i}` })));
    const created = await new BulkWriter(bulkClient, { initialBatchSize: 100 }).createMany(ACCOUNTS, Array.from({ length: 1000 }, (_, i) => ({ attributes: { name: `Created ${i}`, astep_matternumber: 'CM' }, ref: `c${i}` })));
    emu.setFaults({});
    expect(created.filter((r) => r.outcome !== 'created')).toEqual([]);
    expect(accounts.filter((r) => r.outcome !== 'upserted')).toEqual([]);
    expect(entries.filter((r) => r.outcome !== 'upserted')).toEqual([]);
    const faults = emu.counters().faults;
    expect(faults.serviceUnavailable + faults.connectionReset + faults.throttle + faults.expiredToken).toBeGreaterThan(0);
    expect(bulkClient.stats.retries).toBeGreaterThan(0);
    const snap = await emu.snapshot(['account', 'astep_timeentry']);
    const ids = snap.account.map((r) => r.astep_sourceid).filter((v) => String(v).startsWith('f-'));
    expect(ids).toHaveLength(3000);
    expect(new Set(ids).size).toBe(3000);
    expect(snap.astep_timeentry).toHaveLength(600);
    const createdRows = snap.account.filter((r) => r.astep_matternumber === 'CM');
    expect(createdRows).toHaveLength(1000);
    expect(new Set(createdRows.map((r) => r.accountid))).toEqual(new Set(created.map((r) => r.id)));
  });
});

describe('provisioner edge cases', () => {
  let emu: DataverseEmulator;
  afterAll(async () => {
    await emu?.close();
  });

  it('reports a key that fails to activate because rows hold duplicate values, naming the key', async () => {
    emu = await startDataverseEmulator({ clients: [CLIENT], limits: 'off', clockScale: 1000, metadataKeyActivationDelayMs: 200 });
    const client = connect(emu);
    const base = schemaSubset(SCHEMA, ['astep_document']);
    const noKeys: SolutionSchema = { ...base, tables: base.tables.map((t: TableDef) => ({ ...t, keys: [] })) };
    const provisioner = new MetadataProvisioner(client, { pollIntervalMs: 20, keyWaitTimeoutMs: 10_000 });
    await provisioner.apply(noKeys);
    await client.create('astep_documents', { astep_name: 'a', astep_sourceid: 'dup' });
    await client.create('astep_documents', { astep_name: 'b', astep_sourceid: 'dup' });
    const err = (await provisioner.apply(base).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('astep_document_sourceid_key');
    expect(err.message).toMatch(/Failed/);
    expect(err.message).toContain('astep_sourceid');
    // After removing the duplicate, provisioning again reactivates the key.
    const rows = await client.retrieveAll('astep_documents', { select: ['astep_documentid'], filter: "astep_name eq 'b'" });
    await client.delete('astep_documents', rows[0].astep_documentid as string);
    const plan = await provisioner.plan(base);
    expect(plan).toEqual([expect.objectContaining({ kind: 'reactivateKey', name: 'astep_document_sourceid_key' })]);
    await provisioner.apply(base);
    expect(await provisioner.plan(base)).toEqual([]);
  });

  it('imports the packed solution zip with ImportSolution: the same tables as apply, keys Active', async () => {
    const emu2 = await startDataverseEmulator({ clients: [CLIENT], limits: 'off', clockScale: 1000, metadataKeyActivationDelayMs: 200 });
    try {
      const client = connect(emu2);
      const zip = await zipPackage(packSolution(SCHEMA, { version: '1.0.0.0', managed: false }));
      const provisioner = new MetadataProvisioner(client, { pollIntervalMs: 20, keyWaitTimeoutMs: 10_000 });
      await provisioner.importSolution(zip, { schema: SCHEMA });
      expect(await provisioner.plan(SCHEMA)).toEqual([]);
    } finally {
      await emu2.close();
    }
  });
});
