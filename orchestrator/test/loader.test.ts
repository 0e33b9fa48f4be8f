import { KeyRegistry, RowLoader } from '../src/load/rowLoader';
import { MAPPINGS } from '../src/mappings';
import { MigrationEngine } from '../src/run/engine';
import { silentProgress } from '../src/ports';
import { contextFor, mapAll, smallFirm, task } from './fixtures';
import { FakeSink } from './fakeSink';
import { MemoryStore } from './memoryStore';

async function loadAll(sink: FakeSink, store: MemoryStore, runId = 'r1') {
  const ctx = contextFor(smallFirm());
  const mapped = mapAll(ctx);
  const files = async () => new Uint8Array([1, 2, 3, 4, 5]);
  const engine = new MigrationEngine({ source: { downloadFile: files, filesUrl: () => 'x/', requestCount: () => 0 } as never, sink, store, progress: silentProgress });
  return engine.loadRows(runId, 'run', mapped.rows as never);
}

describe('row loader', () => {
  test('loads parents before children, binds lookups, closes won opportunities and completed tasks', async () => {
    const sink = new FakeSink();
    const store = new MemoryStore();
    const { results } = await loadAll(sink, store);
    expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
    const acme = sink.rows('account').find((a) => a.astep_sourceid === 'P-100')!;
    const lease = sink.rows('opportunity').find((o) => o.astep_sourceid === '2')!;
    expect(lease._customerid_value).toBe(acme.accountid);
    expect(lease.statecode).toBe(1);
    const task1 = sink.rows('task').find((t) => t.astep_sourceid === '1')!;
    expect([task1.statecode, task1.statuscode]).toEqual([1, 5]);
    const note = sink.rows('annotation').find((n) => n.filename === 'doc1.pdf')!;
    expect(note.documentbody).toBe('AQIDBAU=');
    expect(store.auditRows.every((a) => a.status === 'done')).toBe(true);
    expect(store.auditRows.filter((a) => a.operation === 'create').length).toBe(results.filter((r) => r.outcome === 'created').length);
  });

  test('a file extract kept is read from there; a file kept at another size (the document changed) is downloaded', async () => {
    const mapped = mapAll(contextFor(smallFirm()));
    const notes = (mapped.rows as unknown as Map<string, Array<{ attachment?: { fileId: string; size: number } }>>).get('annotation') ?? [];
    const [file] = notes.filter((n) => n.attachment).map((n) => n.attachment!);
    expect(file).toBeDefined();
    const runWith = async (keptSize: number) => {
      const downloaded: string[] = [];
      const documentFiles = {
        has: async () => false,
        write: async () => {},
        read: async (id: string, size: number | null) => (id === file.fileId && size === keptSize ? new Uint8Array([9, 9]) : null),
      };
      const source = { downloadFile: async (id: string) => (downloaded.push(id), new Uint8Array([1, 2, 3, 4, 5])), filesUrl: () => 'x/', requestCount: () => 0 };
      const sink = new FakeSink();
      const engine = new MigrationEngine({ source: source as never, sink, store: new MemoryStore(), progress: silentProgress, documentFiles });
      await engine.loadRows('r1', 'run', mapped.rows as never);
      return { downloaded, bodies: sink.rows('annotation').map((n) => n.documentbody).filter(Boolean) };
    };
    expect(await runWith(file.size)).toEqual({ downloaded: [], bodies: ['CQk='] }); // [9, 9], read from disk
    expect(await runWith(file.size + 1)).toEqual({ downloaded: [file.fileId], bodies: ['AQIDBAU='] });
  });

  test("each table's span goes to the log file only (detail), never to the lines people see (log)", async () => {
    const ctx = contextFor(smallFirm());
    const mapped = mapAll(ctx);
    const seen = { log: [] as string[], detail: [] as string[] };
    const progress = { ...silentProgress, log: (m: string) => seen.log.push(m), detail: (m: string) => seen.detail.push(m) };
    const engine = new MigrationEngine({ source: { downloadFile: async () => new Uint8Array([1]), filesUrl: () => 'x/', requestCount: () => 0 } as never, sink: new FakeSink(), store: new MemoryStore(), progress });
    await engine.loadRows('r1', 'run', mapped.rows as never);
    const span = /^[A-Z][a-z ]+: \d+ rows written from [\d.]+ s to [\d.]+ s, finished by [\d.]+ s$/;
    expect(seen.detail.some((m) => m.startsWith('Matters: ') && span.test(m))).toBe(true);
    expect(seen.log.filter((m) => span.test(m) || /rows written from/.test(m))).toEqual([]);
  });

  test('closes many pages of a table side by side: every row closed once, every close audited with its after-image', async () => {
    const firm = smallFirm();
    for (let i = 0; i < 4321; i++) firm.tasks.push(task(`7${i}`, '1', 'Complete'));
    const mapped = mapAll(contextFor(firm));
    const sink = new FakeSink();
    const store = new MemoryStore();
    let inFlight = 0;
    let most = 0;
    const readByValues = sink.readByValues.bind(sink);
    // The closes' reads of the tasks' states (by activityid; the loader's own reads go by astep_sourceid).
    sink.readByValues = async (...args: Parameters<FakeSink['readByValues']>) => {
      if (args[0].logicalName !== 'task' || args[1] !== 'activityid') return readByValues(...args);
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      try {
        return await readByValues(...args);
      } finally {
        inFlight--;
      }
    };
    const engine = new MigrationEngine({ source: { downloadFile: async () => new Uint8Array([1]), filesUrl: () => 'x/', requestCount: () => 0 } as never, sink, store, progress: silentProgress });
    const { results } = await engine.loadRows('r1', 'run', mapped.rows as never);
    expect(results.filter((r) => r.outcome === 'failed')).toEqual([]);
    const completed = sink.rows('task').filter((t) => String(t.astep_sourceid).startsWith('7') && t.statecode === 1 && t.statuscode === 5);
    expect(completed).toHaveLength(4321);
    const closes = store.auditRows.filter((a) => a.table === 'task' && a.operation === 'state' && a.key.startsWith('7'));
    expect(closes).toHaveLength(4321);
    expect(closes.every((a) => a.status === 'done' && (a.after as { statecode?: number } | null)?.statecode === 1)).toBe(true);
    expect(most).toBeGreaterThan(1); // pages of 1,000 rows went side by side
  });

  test('a second run writes nothing', async () => {
    const sink = new FakeSink();
    const store = new MemoryStore();
    await loadAll(sink, store);
    const writes = sink.writes;
    const { results } = await loadAll(sink, store, 'r2');
    expect(sink.writes).toBe(writes);
    expect(new Set(results.map((r) => r.outcome))).toEqual(new Set(['skipped']));
  });

  test('a pre-existing contact with the same email is matched, updated, and its before values audited', async () => {
    const sink = new FakeSink();
    const store = new MemoryStore();
    sink.tables.set('contact', new Map([['c-1', { contactid: 'c-1', emailaddress1: 'jane.doe@example.com', firstname: 'J', lastname: 'Doe', astep_sourceid: null }]]));
    await loadAll(sink, store);
    const contacts = sink.rows('contact').filter((c) => c.lastname === 'Doe');
    expect(contacts).toHaveLength(1);
    expect(contacts[0]).toMatchObject({ contactid: 'c-1', astep_sourceid: 'P-200', firstname: 'Jane' });
    const entry = store.auditRows.find((a) => a.table === 'contact' && a.key === 'P-200')!;
    expect(entry.operation).toBe('update');
    expect(entry.before).toMatchObject({ contactid: 'c-1', firstname: 'J', astep_sourceid: null });
  });

  test('batches loaded side by side never match one existing contact twice', async () => {
    const sink = new FakeSink();
    const store = new MemoryStore();
    sink.tables.set('contact', new Map([['c-1', { contactid: 'c-1', emailaddress1: 'jane.doe@example.com', firstname: 'J', lastname: 'Doe', astep_sourceid: null }]]));
    // Without the account lookup (its account is not loaded here): the contact table alone.
    const jane = { ...mapAll(contextFor(smallFirm())).rows.get('contact')!.find((r) => r.key === 'P-200')!, binds: {} };
    const twin = { ...jane, key: 'P-201', sourceId: '201', attributes: { ...jane.attributes, astep_sourceid: 'P-201' } };
    // One row per batch, two batches at once (as the pipeline sends them): both read the existing contact before either writes its key.
    const loader = new RowLoader(sink, store, silentProgress, MAPPINGS, { runId: 'r1', phase: 'run', ledger: 'r1:run', matchExisting: true });
    const results = (await Promise.all([loader.loadBatch('contact', [jane]), loader.loadBatch('contact', [twin])])).flat();
    expect(results.map((r) => r.outcome).sort()).toEqual(['created', 'updated']);
    const does = sink.rows('contact').filter((c) => String(c.emailaddress1).toLowerCase() === 'jane.doe@example.com');
    expect(does).toHaveLength(2);
    expect(does.filter((c) => c.contactid === 'c-1')).toHaveLength(1);
  });

  test('a crash after the write keeps the first before-image and converges on resume', async () => {
    const sink = new FakeSink();
    const store = new MemoryStore();
    sink.tables.set('contact', new Map([['c-1', { contactid: 'c-1', emailaddress1: 'jane.doe@example.com', firstname: 'J', lastname: 'Doe', astep_sourceid: null }]]));
    sink.crashAfterWrites = 5;
    await expect(loadAll(sink, store)).rejects.toThrow('simulated crash');
    sink.crashAfterWrites = null;
    await loadAll(sink, store);
    expect(store.pendingAudit('r1')).toEqual([]);
    const entries = store.auditRows.filter((a) => a.table === 'contact' && a.key === 'P-200');
    expect(entries).toHaveLength(1);
    expect(entries[0].before).toMatchObject({ firstname: 'J' });
    expect(sink.rows('account').length).toBe(new Set(sink.rows('account').map((a) => a.astep_sourceid)).size);
  });

  test('one bad record fails alone with the Dataverse code; its children fail with a message naming the parent', async () => {
    const sink = new FakeSink();
    const store = new MemoryStore();
    sink.failKeys.add('1'); // opportunity/astep_matter 1 … the astep_matter row of matter 1 fails
    const { results } = await loadAll(sink, store);
    const failed = results.filter((r) => r.outcome === 'failed');
    expect(failed.find((r) => r.row.table === 'astep_matter' && r.row.key === '1')?.errorCode).toBe('0x80044331');
    const child = failed.find((r) => r.row.table === 'astep_timeentry' && r.row.key === '1')!;
    expect(child.message).toContain('astep_matter 1 was not written');
    expect(results.filter((r) => r.outcome !== 'failed').length).toBeGreaterThan(20);
  });

  test('KeyRegistry remembers GUIDs per table', () => {
    const reg = new KeyRegistry();
    reg.set('account', 'P-1', 'g1');
    expect(reg.get('account', 'P-1')).toBe('g1');
    expect(reg.get('contact', 'P-1')).toBeUndefined();
  });
});

describe('provisioning and the licence tier', () => {
  test('a plan over the Sales Professional table budget is not provisioned unless forced', async () => {
    const { contextFor, smallFirm } = await import('./fixtures');
    const plan = contextFor(smallFirm(), {}, 'SalesProfessional').plan;
    const over = { ...plan, tableBudget: { ...plan.tableBudget, fits: false, message: '8 custom tables plus 9 already in the environment = 17, over the 15 allowed with Dynamics 365 Sales Professional by 2.' } };
    const store = new MemoryStore();
    store.saveRun({ runId: 'p1', createdOn: '2026-01-01', status: 'Discovered', plan: over, extractionStartedOn: null, extractionCompletedOn: null, sample: null, approval: null, summary: null, rolledBackOn: null });
    const sink = new FakeSink();
    let provisioned = 0;
    sink.provision = async (): Promise<string[]> => (provisioned++, ['x']);
    const engine = new MigrationEngine({ source: {} as never, sink, store, progress: silentProgress });
    await expect(engine.provision('p1')).rejects.toThrow('provisioning stopped: 8 custom tables plus 9 already in the environment = 17, over the 15 allowed');
    expect(provisioned).toBe(0);
    expect(await engine.provision('p1', true)).toEqual(['x']); // a dry run only lists
    expect(await engine.provision('p1', false, { force: true })).toEqual(['x']);
  });
});
