// Rollback planning and execution, delta pickup and verification on plain objects: the small firm loaded into the
// in-memory sink, the engine's own in-memory store, a hand-made source.
import type { ResourceName, TrustLedgerRow } from '@astep/actionstep-connector/records';
import { MAPPINGS, type MappedFirm } from '../src/mappings';
import { MigrationEngine } from '../src/run/engine';
import { silentProgress, type SinkPort, type SourcePort } from '../src/ports';
import type { TargetRow } from '../src/transform/targetRow';
import { RollbackExecutor } from '../src/safety/rollback';
import { scanDelta } from '../src/safety/delta';
import { stagedRows } from '../src/run/trustExtraction';
import { verifyRun } from '../src/safety/verify';
import { contextFor, mapAll, matter, smallFirm } from './fixtures';
import { FakeSink, userEdit } from './fakeSink';
import { MemoryStore } from './memoryStore';

const PRE_EXISTING = { contactid: 'c-1', emailaddress1: 'jane.doe@example.com', firstname: 'J', lastname: 'Doe', astep_sourceid: null };

async function loaded() {
  const sink = new FakeSink();
  const store = new MemoryStore();
  sink.tables.set('contact', new Map([['c-1', { ...PRE_EXISTING }]]));
  const mapped = mapAll(contextFor(smallFirm()));
  const source = { downloadFile: async () => new Uint8Array([1, 2, 3]), filesUrl: () => 'x/', requestCount: () => 0 } as unknown as SourcePort;
  const engine = new MigrationEngine({ source, sink, store, progress: silentProgress });
  const { results } = await engine.loadRows('r1', 'run', mapped.rows);
  return { sink, store, mapped, results };
}

const rows = (sink: FakeSink) => MAPPINGS.names.reduce((n, t) => n + sink.rows(t).length, 0);
/** A row as Dataverse holds it: an empty column and a column never written read the same (null); the stamps
 *  Dataverse sets on every write (row version, modified on) are not data. */
const values = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).filter(([c, v]) => v !== null && c !== 'versionnumber' && c !== 'modifiedon'));

describe('rollback', () => {
  test('the plan: every completed create, update and close of the run, newest first', async () => {
    const { store } = await loaded();
    const plan = new RollbackExecutor(new FakeSink(), store, silentProgress).plan('r1');
    expect(plan.map((e) => e.seq)).toEqual([...plan.map((e) => e.seq)].sort((a, b) => b - a));
    expect(new Set(plan.map((e) => e.operation))).toEqual(new Set(['create', 'update', 'state']));
    // A row is closed once its table is loaded (tables load side by side): its close is undone before its create.
    for (const close of plan.filter((e) => e.operation === 'state')) {
      const create = plan.find((e) => e.operation === 'create' && e.table === close.table && e.key === close.key)!;
      expect(plan.indexOf(close)).toBeLessThan(plan.indexOf(create));
    }
    expect(plan.filter((e) => e.operation === 'update').map((e) => `${e.table} ${e.key}`)).toEqual(['contact P-200']);
  });

  test('deletes what the run created, restores what it updated, and a second rollback changes nothing', async () => {
    const { sink, store } = await loaded();
    const requestsBefore = sink.requestCount();
    const result = await new RollbackExecutor(sink, store, silentProgress).execute('r1');
    expect(result.complete).toBe(true);
    expect(result.counts.deleted).toBeGreaterThan(20);
    expect(result.counts.restored).toBe(1);
    expect(rows(sink)).toBe(1);
    expect(sink.rows('contact').map(values)).toEqual([values(PRE_EXISTING)]);
    // Batched like the load: the deletes of a table go in one call (here every table's records fit one page), not
    // one per record; every call the sink received is counted in the result.
    const tables = Object.values(result.tables).filter((t) => t.deleted > 0).length;
    expect(result.counts.deleted).toBeGreaterThan(2 * tables);
    // + the opportunity close records, removed once with the re-opens and once with the deletes
    expect(sink.removeCalls).toBeLessThanOrEqual(tables + 2);
    expect(result.dataverseRequests).toBe(sink.requestCount() - requestsBefore);
    expect(Object.values(result.tables).reduce((n, t) => n + t.deleted, 0)).toBe(result.counts.deleted);
    const writes = sink.writes;
    const again = await new RollbackExecutor(sink, store, silentProgress).execute('r1');
    expect(again.counts.deleted + again.counts.restored + again.counts.reopened).toBe(0);
    expect(sink.writes).toBe(writes);
  });

  test('a record changed after the run is a conflict: it stays, and so does the parent it points to, unless forced', async () => {
    const { sink, store } = await loaded();
    const entry = sink.rows('astep_timeentry').find((t) => t.astep_sourceid === '1')!;
    userEdit(entry, { astep_narrative: 'edited in CRM after the run' });
    const result = await new RollbackExecutor(sink, store, silentProgress).execute('r1');
    expect(result.complete).toBe(false);
    const conflict = result.items.find((i) => i.action === 'conflict' && i.table === 'astep_timeentry')!;
    expect(conflict.message).toContain('astep_narrative: run wrote "Drafting", now "edited in CRM after the run"');
    expect(sink.rows('astep_timeentry').map((t) => t.astep_sourceid)).toEqual(['1']);
    expect(sink.rows('astep_matter').map((m) => m.astep_sourceid)).toEqual(['1']);
    expect(result.items.find((i) => i.table === 'astep_matter' && i.key === '1')?.message).toContain('is referenced by a record that was changed after the run');
    const forced = await new RollbackExecutor(sink, store, silentProgress, { force: true }).execute('r1');
    expect(forced.complete).toBe(true);
    expect(rows(sink)).toBe(1);
  });

  test('a parent the run wrote twice, kept for an edited child: every write of it says why, none says it was changed', async () => {
    const { sink, store, mapped } = await loaded();
    // The delta renames matter 1: its record now has two writes of the run (the create, then the update).
    const renamed = new Map([...mapped.rows].map(([table, list]) => [table, list.map((r) => (table === 'astep_matter' && r.key === '1' ? { ...r, attributes: { ...r.attributes, astep_name: 'Renamed at cutover' } } : r))]));
    const engine = new MigrationEngine({ source: {} as SourcePort, sink, store, progress: silentProgress });
    const { results } = await engine.loadRows('r1', 'delta', renamed);
    expect(results.filter((r) => r.outcome === 'updated' || r.outcome === 'created').map((r) => `${r.row.table} ${r.row.key}`)).toEqual(['astep_matter 1']);
    userEdit(sink.rows('astep_timeentry').find((t) => t.astep_sourceid === '1')!, { astep_narrative: 'edited in CRM after the run' });
    const result = await new RollbackExecutor(sink, store, silentProgress).execute('r1');
    const matterItems = result.items.filter((i) => i.table === 'astep_matter' && i.key === '1');
    expect(matterItems.map((i) => i.action)).toEqual(['conflict', 'conflict']);
    // Nobody changed the matter after the run: both of its writes are left alone because the edited time entry points to it.
    for (const i of matterItems) expect(i.message).toMatch(/^Matter 1 is referenced by a record that was changed after the run \(Time Entry 1;/);
    expect(sink.rows('astep_matter').map((m) => m.astep_name)).toEqual(['Renamed at cutover']);
  });
});

describe('delta', () => {
  const staged = (store: MemoryStore, resource: string, records: Array<{ id: string }>) => store.stage(records.map((r) => ({ resource, id: r.id, json: JSON.stringify(r) })));

  test('changed and new records by modifiedSince, deletions by a rescan, the trust ledger compared row by row', async () => {
    const store = new MemoryStore();
    const firm = smallFirm();
    staged(store, 'actions', firm.actions);
    staged(store, 'actionparticipants', firm.actionparticipants);
    const ledger = (rows: typeof firm.trustLedger) => ({ source: 'trust-ledger.csv', format: 'csv' as const, header: [], rows: rows as TrustLedgerRow[], problems: [] });
    store.stage(stagedRows(ledger(firm.trustLedger)));
    const asked: Array<{ resource: string; modifiedSince?: string }> = [];
    const source = {
      async *pages(resource: ResourceName, options: { modifiedSince?: string } = {}) {
        asked.push({ resource, modifiedSince: options.modifiedSince });
        if (resource === 'actions') yield [{ ...firm.actions[0], name: 'Acme purchase (renamed)' }, matter('6', 'New matter')];
        if (resource === 'actionparticipants') yield firm.actionparticipants.slice(1);
      },
      // The rescan's count agrees with what it listed, so no second listing of ids is needed.
      count: async (resource: ResourceName) => (resource === 'actionparticipants' ? firm.actionparticipants.length - 1 : null),
      ids() { throw new Error('ids are listed again only when the count disagrees'); },
    } as unknown as SourcePort;
    // The firm gives a newer export: its first row now says 1,100.00 came in.
    const newer = { where: 'trust-ledger.csv', read: async () => ledger([{ ...firm.trustLedger[0], amountIn: 1100, balance: 1100 } as TrustLedgerRow, ...firm.trustLedger.slice(1)]) };
    const scan = await scanDelta(source, store, ['actions', 'actionparticipants'], '2026-01-01T00:00:00Z', '2026-02-01T00:00:00Z', silentProgress, 'r1:delta-seen', newer);
    expect(asked).toEqual([{ resource: 'actions', modifiedSince: '2026-01-01T00:00:00Z' }, { resource: 'actionparticipants', modifiedSince: undefined }]);
    expect(scan.resources).toEqual([
      { resource: 'actions', method: 'modifiedSince', added: ['6'], changed: ['1'], deleted: [] },
      { resource: 'actionparticipants', method: 'rescan', added: [], changed: [], deleted: [firm.actionparticipants[0].id] },
      { resource: 'trustledger', method: 'rescan', added: [], changed: ['L2'], deleted: [] },
    ]);
    // A modifiedSince read cannot see deletions: the unchanged matters stay staged; new and changed ones replace theirs.
    expect(store.stagedCount('actions')).toBe(6);
    expect(JSON.parse(store.staged('actions').find((s) => s.id === '1')!.json).name).toBe('Acme purchase (renamed)');
    expect(JSON.parse(store.staged('trustledger').find((s) => s.id === 'L2')!.json).amountIn).toBe(1100);
  });
});

/** The mapped rows of a table, as the engine hands them to verification. */
const rowsOf = (mapped: MappedFirm) => (table: string) => mapped.rows.get(table) ?? [];
const VERIFY = { ledger: 'r1:verify', slots: () => 4, maxRowsInFlight: 12_000, maxCellsInFlight: 288_000 };

describe('verify', () => {
  test('reads ahead no more rows than its bound, however many slots the sink has', async () => {
    const { store } = await loaded();
    let inFlight = 0, peak = 0, reads = 0;
    const sink = {
      async readByValues() {
        reads++;
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return [];
      },
    } as unknown as SinkPort;
    // 20,000 time entries (20 batches) with 100 slots free: only 3 batches of 1,000 may be read ahead at once.
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ table: 'astep_timeentry', sourceResource: 'timeentries', sourceId: String(i), key: String(i), attributes: {}, binds: {} }));
    const result = await verifyRun('r1', MAPPINGS, (t) => (t === 'astep_timeentry' ? rows as unknown as TargetRow[] : []), sink, store, {}, [], { ledger: 'r1:verify', slots: () => 100, maxRowsInFlight: 3_000, maxCellsInFlight: 288_000 });
    expect(reads).toBe(20);
    expect(peak).toBe(3);
    expect(result.tables).toEqual([expect.objectContaining({ table: 'astep_timeentry', expectedRows: 20_000, missingRows: 20_000 })]);
  });

  test('reads ahead fewer batches of wide rows: the values in flight (rows x columns) have their own bound', async () => {
    const { store } = await loaded();
    const peakOf = async (columns: number) => {
      // Reads are answered only once verify has stopped asking: it yields one event-loop turn (setImmediate) between
      // two batches it reads ahead, so three turns without a new read mean it is waiting for an answer. The peak is
      // then what verify asks ahead, however slowly this machine maps (a timer would make it depend on that).
      let inFlight = 0, peak = 0, asked = 0, settling = false;
      let waiting: Array<() => void> = [];
      const answerOnceQuiet = async () => {
        if (settling) return;
        settling = true;
        for (let seen = -1; seen !== asked;) {
          seen = asked;
          for (let turn = 0; turn < 3; turn++) await new Promise((r) => setImmediate(r));
        }
        settling = false;
        const answered = waiting;
        waiting = [];
        answered.forEach((w) => w());
      };
      const sink = {
        async readByValues(_info: unknown, _column: string, _values: string[], select: string[]) {
          expect(select).toHaveLength(columns + 2); // the row's columns, its id and astep_sourceid
          asked++;
          peak = Math.max(peak, ++inFlight);
          const answer = new Promise<void>((r) => waiting.push(r));
          void answerOnceQuiet();
          await answer;
          inFlight--;
          return [];
        },
      } as unknown as SinkPort;
      const attributes = Object.fromEntries(Array.from({ length: columns }, (_, c) => [`astep_dc_field${c}`, null]));
      const rows = Array.from({ length: 5_000 }, (_, i) => ({ table: 'astep_timeentry', sourceResource: 'timeentries', sourceId: String(i), key: String(i), attributes, binds: {} }));
      await verifyRun('r1', MAPPINGS, (t) => (t === 'astep_timeentry' ? rows as unknown as TargetRow[] : []), sink, store, {}, [], { ledger: 'r1:verify', slots: () => 100, maxRowsInFlight: 12_000, maxCellsInFlight: 100_000 });
      return peak;
    };
    // 48 columns + 2 = 50,000 values a batch: the second batch reaches the bound, so two are read at once.
    expect(await peakOf(48)).toBe(2);
    // 98 + 2 = 100,000 values: one batch at a time (one always goes, however wide).
    expect(await peakOf(98)).toBe(1);
    // 8 + 2 = 10,000 values: the values' bound would allow ten; all five batches go at once.
    expect(await peakOf(8)).toBe(5);
  });

  test('reads run ahead across tables: the next table is asked for while the first one is still being read', async () => {
    const { store } = await loaded();
    const asked: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const sink = {
      async readByValues(info: { logicalName: string }) {
        asked.push(info.logicalName);
        // Nothing comes back until both tables have been asked for: the old verification, which read a table only
        // after comparing the one before, never asked for the second and waited here forever.
        if (asked.includes('astep_timeentry') && asked.includes('task')) release();
        await gate;
        return [];
      },
    } as unknown as SinkPort;
    const row = (table: string, sourceResource: string, i: number) => ({ table, sourceResource, sourceId: String(i), key: String(i), attributes: {}, binds: {} });
    const byTable: Record<string, unknown[]> = {
      task: Array.from({ length: 1500 }, (_, i) => row('task', 'tasks', i)),
      astep_timeentry: Array.from({ length: 10 }, (_, i) => row('astep_timeentry', 'timeentries', i)),
    };
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      verifyRun('r1', MAPPINGS, (t) => (byTable[t] ?? []) as TargetRow[], sink, store, {}, [], VERIFY),
      new Promise<null>((r) => { timer = setTimeout(() => r(null), 2000); }),
    ]);
    clearTimeout(timer);
    expect(result).not.toBeNull();
    expect(asked.sort()).toEqual(['astep_timeentry', 'task', 'task']);
    expect(result!.tables.map((t) => [t.table, t.expectedRows, t.missingRows])).toEqual(
      MAPPINGS.names.filter((t) => byTable[t]).map((t) => [t, byTable[t].length, byTable[t].length]),
    );
  });

  test('a faithful load verifies with equal checksums; a value changed in Dataverse is listed and counted', async () => {
    const { sink, store, mapped } = await loaded();
    const clean = await verifyRun('r1', MAPPINGS, rowsOf(mapped), sink, store, {}, [], VERIFY);
    expect(clean).toMatchObject({ ok: true, unexplained: 0, differences: [] });
    for (const t of clean.tables) expect(t.actualChecksum).toBe(t.expectedChecksum);
    expect(clean.tables.map((t) => t.table)).toEqual(MAPPINGS.names.filter((t) => (mapped.rows.get(t) ?? []).length));

    sink.rows('contact').find((c) => c.astep_sourceid === 'P-200')!.firstname = 'Janet';
    const planted = await verifyRun('r1', MAPPINGS, rowsOf(mapped), sink, store, {}, [], VERIFY);
    expect(planted.ok).toBe(false);
    expect(planted.differences).toEqual([{ table: 'contact', key: 'P-200', column: 'firstname', expected: 'Jane', actual: 'Janet', reason: 'value differs from the source mapping', explained: false }]);
    const contact = planted.tables.find((t) => t.table === 'contact')!;
    expect(contact).toMatchObject({ differingRows: 1, missingRows: 0 });
    expect(contact.actualChecksum).not.toBe(contact.expectedChecksum);
    expect(planted.columns.find((c) => c.table === 'contact' && c.column === 'firstname')).toMatchObject({ differing: 1 });
  });

  test('a row the run reported failed is an explained difference; accounting compares extracted with the outcomes', async () => {
    const { sink, store, mapped } = await loaded();
    sink.tables.get('astep_timeentry')!.clear();
    store.setOutcomes('r1', [
      { resource: 'timeentries', id: '1', outcome: 'failed', message: 'time entry 1: a validation error', targets: null },
      { resource: 'timeentries', id: '2', outcome: 'migrated', message: null, targets: null },
    ]);
    const result = await verifyRun('r1', MAPPINGS, rowsOf(mapped), sink, store, { timeentries: 3 }, [], VERIFY);
    const entry1 = result.differences.find((d) => d.table === 'astep_timeentry' && d.key === '1')!;
    expect(entry1).toMatchObject({ column: null, explained: true, reason: 'failed in the run: time entry 1: a validation error' });
    expect(result.differences.filter((d) => d.table === 'astep_timeentry' && !d.explained).length).toBe(result.tables.find((t) => t.table === 'astep_timeentry')!.missingRows - 1);
    expect(result.accounting).toEqual([{ object: 'timeentries', extracted: 3, migrated: 1, skipped: 0, failed: 1, reconciles: false }]);
  });
});
