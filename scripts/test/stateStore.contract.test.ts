// One contract, two state stores: the SQLite file the command line keeps and the in-memory store the wizard keeps
// (and rollback from CRM rebuilds). Staging, checkpoints, runs, the write-ahead audit and the outcomes behave the same.
import { DataverseStagingStore, MemoryStateStore, type AuditEntry, type RunState, type SinkPort, type StateStore } from '@astep/orchestrator';
import { SqliteStateStore } from '../src/state/sqliteStateStore';

const stores: Array<[string, () => StateStore & { close?: () => void }]> = [
  ['SQLite', () => new SqliteStateStore(':memory:')],
  ['memory', () => new MemoryStateStore()],
];

const run = (runId: string, createdOn: string): RunState => ({
  runId, createdOn, status: 'Draft', plan: null, extractionStartedOn: null, extractionCompletedOn: null, sample: null, approval: null, summary: null, rolledBackOn: null,
});

const pending = (key: string, over: Partial<AuditEntry> = {}): Omit<AuditEntry, 'seq'> => ({
  runId: 'r1', phase: 'run', operation: 'update', table: 'contact', key, targetId: `id-${key}`, sourceResource: 'participants', sourceId: key,
  before: { firstname: 'Before' }, after: null, errorCode: null, message: null, status: 'pending', occurredOn: '2026-01-01T00:00:00.000Z', ...over,
});

describe.each(stores)('%s state store', (_name, make) => {
  let store: ReturnType<typeof make>;
  beforeEach(() => (store = make()));
  afterEach(() => store.close?.());

  test('staging: a record staged again replaces the first, in the place it was first staged; count, clear, unstage', () => {
    store.stage([{ resource: 'actions', id: '2', json: '{"v":1}' }, { resource: 'actions', id: '1', json: '{"v":1}' }, { resource: 'tasks', id: '1', json: '{}' }]);
    store.stage([{ resource: 'actions', id: '2', json: '{"v":2}' }, { resource: 'actions', id: '3', json: '{"v":1}' }]);
    expect(store.staged('actions')).toEqual([
      { resource: 'actions', id: '2', json: '{"v":2}' }, { resource: 'actions', id: '1', json: '{"v":1}' }, { resource: 'actions', id: '3', json: '{"v":1}' },
    ]);
    expect(store.stagedCount('actions')).toBe(3);
    store.unstage('actions', ['1', 'nope']);
    expect(store.staged('actions').map((s) => s.id)).toEqual(['2', '3']);
    store.clearStaged('actions');
    expect([store.stagedCount('actions'), store.stagedCount('tasks'), store.staged('nothing')]).toEqual([0, 1, []]);
  });

  test('one extraction step: clear, unstage, stage, then its checkpoints', async () => {
    store.stage([{ resource: 'actions', id: '1', json: '{}' }, { resource: 'actions', id: '2', json: '{}' }, { resource: 'tasks', id: '9', json: '{}' }]);
    await store.commitStaging({ unstage: { resource: 'actions', ids: ['1'] }, stage: [{ resource: 'actions', id: '3', json: '{"v":1}' }], checkpoints: { 'extract:r1:actions:pages': '{"p":2}', gone: null } });
    expect([store.stagedIds('actions'), store.getCheckpoint('extract:r1:actions:pages'), store.getCheckpoint('gone')]).toEqual([['2', '3'], '{"p":2}', null]);
    await store.commitStaging({ clear: 'actions', stage: [{ resource: 'actions', id: '4', json: '{}' }] });
    expect([store.stagedIds('actions'), store.stagedIds('tasks')]).toEqual([['4'], ['9']]);
  });

  test('checkpoints: set, overwrite, clear with null', () => {
    expect(store.getCheckpoint('extract:r1:actions')).toBeNull();
    store.setCheckpoint('extract:r1:actions', '10');
    store.setCheckpoint('extract:r1:actions', '12');
    expect(store.getCheckpoint('extract:r1:actions')).toBe('12');
    store.setCheckpoint('extract:r1:actions', null);
    expect(store.getCheckpoint('extract:r1:actions')).toBeNull();
  });

  test('runs: saved and read back as copies; the latest is the one created last', () => {
    store.saveRun(run('b', '2026-01-02T00:00:00Z'));
    store.saveRun(run('a', '2026-01-01T00:00:00Z'));
    expect(store.latestRunId()).toBe('b');
    store.saveRun({ ...run('a', '2026-01-01T00:00:00Z'), status: 'Discovered' });
    const a = store.getRun('a')!;
    expect(a.status).toBe('Discovered');
    a.status = 'changed by the caller';
    expect(store.getRun('a')!.status).toBe('Discovered');
    expect(store.getRun('missing')).toBeNull();
    expect(store.latestRunId()).toBe('b');
  });

  test('write-ahead audit: sequence per run; a pending entry written again is the first one (its before-image kept)', () => {
    const [first, second] = store.addPendingAudit([pending('P-1'), pending('P-2')]);
    expect([first.seq, second.seq]).toEqual([1, 2]);
    const [again] = store.addPendingAudit([pending('P-1', { before: { firstname: 'After a crash' } })]);
    expect(again).toMatchObject({ seq: 1, before: { firstname: 'Before' } });
    expect(store.addPendingAudit([pending('P-1', { runId: 'r2' })])[0].seq).toBe(1);
    expect(store.pendingAudit('r1').map((e) => e.seq)).toEqual([1, 2]);
    expect(store.firstPendingAuditSeq('r1')).toBe(1);

    store.completeAudit('r1', 1, { after: { firstname: 'Jane' }, targetId: 'g-1' });
    expect(store.firstPendingAuditSeq('r1')).toBe(2);
    store.completeAudit('r1', 2, { operation: 'error', errorCode: '0x80044331', message: 'A validation error occurred.' });
    expect(store.pendingAudit('r1')).toEqual([]);
    expect(store.firstPendingAuditSeq('r1')).toBeNull();
    expect(store.firstPendingAuditSeq('r2')).toBe(1);
    expect(store.audit('r1')).toEqual([
      { ...pending('P-1'), seq: 1, status: 'done', targetId: 'g-1', after: { firstname: 'Jane' } },
      { ...pending('P-2'), seq: 2, status: 'done', operation: 'error', errorCode: '0x80044331', message: 'A validation error occurred.' },
    ]);
    // Once done, the same record's next write is a new entry.
    expect(store.addPendingAudit([pending('P-1')])[0].seq).toBe(3);
    const done = store.addPendingAudit([pending('P-9', { phase: 'rollback', operation: 'delete', status: 'done', before: null })]);
    expect(done[0].seq).toBe(4);
    expect(store.audit('r1', 'rollback').map((e) => e.key)).toEqual(['P-9']);
    expect(store.pendingAudit('r1').map((e) => e.seq)).toEqual([3]);
  });

  test('audit reads a page at a time, by key and by target (any case), in sequence order', () => {
    store.addPendingAudit([pending('a'), pending('b', { phase: 'sample', targetId: 'ID-B' }), pending('c', { table: 'account' }), pending('d')]);
    expect(store.auditPage('r1', { limit: 2 }).map((e) => e.key)).toEqual(['a', 'b']);
    expect(store.auditPage('r1', { afterSeq: 2, limit: 10 }).map((e) => e.key)).toEqual(['c', 'd']);
    expect(store.auditPage('r1', { descending: true, beforeSeq: 4, notPhase: 'sample', limit: 10 }).map((e) => e.key)).toEqual(['c', 'a']);
    expect(store.auditPage('r1', { phase: 'sample', limit: 10 }).map((e) => e.key)).toEqual(['b']);
    expect(store.auditByKeys('r1', 'run', 'contact', ['d', 'a', 'c', 'x']).map((e) => e.key)).toEqual(['a', 'd']);
    expect(store.auditByKeys('r1', 'run', null, ['c']).map((e) => e.table)).toEqual(['account']);
    expect(store.auditByTargets('r1', ['id-b', 'ID-D']).map((e) => e.key)).toEqual(['b', 'd']);
    expect(store.auditByTargets('r2', ['id-b'])).toEqual([]);
  });

  test('audit entries read back are copies', () => {
    store.addPendingAudit([pending('P-1')]);
    store.audit('r1')[0].before!.firstname = 'changed by the caller';
    store.pendingAudit('r1')[0].key = 'changed by the caller';
    expect(store.audit('r1')[0]).toMatchObject({ key: 'P-1', before: { firstname: 'Before' } });
  });

  test('outcomes: replaced per run, listed by resource and id', () => {
    store.setOutcomes('r1', [
      { resource: 'tasks', id: '2', outcome: 'migrated', message: null, targets: 'task:g' },
      { resource: 'actions', id: '9', outcome: 'skipped', message: 'a template', targets: null },
      { resource: 'actions', id: '10', outcome: 'failed', message: 'bad', targets: null },
    ]);
    expect(store.outcomes('r1').map((o) => `${o.resource}:${o.id}`)).toEqual(['actions:10', 'actions:9', 'tasks:2']);
    store.setOutcomes('r1', [{ resource: 'tasks', id: '2', outcome: 'failed', message: 'again', targets: null }]);
    expect(store.outcomes('r1')).toEqual([{ resource: 'tasks', id: '2', outcome: 'failed', message: 'again', targets: null }]);
    expect(store.outcomes('r2')).toEqual([]);
  });

  test('outcomes in pages: added (the first call replacing the run\'s earlier ones), read back a page at a time in (resource, id) order', () => {
    const o = (resource: string, id: string, outcome: 'migrated' | 'skipped' = 'migrated') => ({ resource, id, outcome, message: null, targets: null });
    store.setOutcomes('r1', [o('tasks', '99')]);
    store.addOutcomes('r1', [o('tasks', '2'), o('actions', '9')], true);
    store.addOutcomes('r1', [o('actions', '10'), o('tasks', '2', 'skipped')], false);
    const first = store.outcomesPage('r1', null, 2);
    const rest = store.outcomesPage('r1', first[first.length - 1], 10);
    expect([...first, ...rest].map((x) => `${x.resource}:${x.id}:${x.outcome}`)).toEqual(['actions:10:migrated', 'actions:9:migrated', 'tasks:2:skipped']);
    expect(store.outcomesPage('r1', rest[rest.length - 1], 10)).toEqual([]);
    // A cursor between records (the record it names was removed since): the page starts at the next one.
    expect(store.outcomesPage('r1', { resource: 'actions', id: '95' }, 10).map((x) => `${x.resource}:${x.id}`)).toEqual(['tasks:2']);
    expect(store.outcomes('r1')).toHaveLength(3);
  });

  test('outcomes paged by cursor over many pages: each record once, in (resource, id) order', () => {
    const all = Array.from({ length: 2345 }, (_, i) => ({ resource: i % 3 ? 'tasks' : 'actions', id: String(i), outcome: 'migrated' as const, message: null, targets: null }));
    store.addOutcomes('r1', all.slice(0, 1200), true);
    store.addOutcomes('r1', all.slice(1200), false);
    const seen: string[] = [];
    let pages = 0;
    for (let after: { resource: string; id: string } | null = null; ;) {
      const page = store.outcomesPage('r1', after, 100);
      if (!page.length) break;
      pages++;
      seen.push(...page.map((o) => `${o.resource}:${o.id}`));
      after = page[page.length - 1];
    }
    expect(pages).toBe(24);
    expect(seen).toEqual(store.outcomes('r1').map((o) => `${o.resource}:${o.id}`));
    expect(new Set(seen).size).toBe(2345);
  });

  test('a pass\'s ledger: dispositions by record in reading order, loaded rows by key and in the order first put, cleared per ledger', () => {
    store.addDispositions('r1:run', [
      { resource: 'actions', id: '1', rank: 2, json: '"accounting"' },
      { resource: 'actions', id: '1', rank: 0, json: '"row"' },
      { resource: 'actions', id: '2', rank: 1, json: '"rollup"' },
      { resource: 'actions', id: '1', rank: 0, json: '"second row"' },
    ]);
    store.addDispositions('r1:delta', [{ resource: 'actions', id: '1', rank: 0, json: '"other pass"' }]);
    const of = (id: string) => store.dispositions('r1:run', 'actions', [id, 'missing']).map((d) => d.json);
    expect([of('1'), of('2')]).toEqual([['"row"', '"second row"', '"accounting"'], ['"rollup"']]);

    const row = (key: string, outcome: 'created' | 'failed', targetId: string | null) => ({ table: 'contact', key, outcome, targetId, json: '{}' });
    store.putLoadedRows('r1:run', [row('P-2', 'created', 'g2'), row('P-1', 'failed', null)]);
    store.putLoadedRows('r1:run', [row('P-3', 'created', 'g3'), row('P-2', 'failed', 'g2')]);
    expect(store.loadedRows('r1:run', 'contact', ['P-2', 'P-9']).map((r) => [r.key, r.outcome, r.targetId])).toEqual([['P-2', 'failed', 'g2']]);
    expect(store.loadedRows('r1:run', 'account', ['P-2'])).toEqual([]);
    const page = store.loadedRowsPage('r1:run', 'contact', 0, 2);
    const next = store.loadedRowsPage('r1:run', 'contact', page[page.length - 1].position, 2);
    expect([...page, ...next].map((r) => r.key)).toEqual(['P-2', 'P-1', 'P-3']);

    store.clearLedger('r1:run');
    expect([store.dispositions('r1:run', 'actions', ['1']), store.loadedRows('r1:run', 'contact', ['P-2'])]).toEqual([[], []]);
    expect(store.dispositions('r1:delta', 'actions', ['1'])).toHaveLength(1);
  });

  test('a transaction returns what its body returns', () => {
    expect(store.transaction(() => 42)).toBe(42);
  });
});

test('SQLite: a step that fails part way leaves neither its staging nor its checkpoints (a killed extract resumes at that page)', async () => {
  const store = new SqliteStateStore(':memory:');
  try {
    store.setCheckpoint('extract:r1:actions:pages', 'page 1');
    // The second record fails (as a process killed there would stop) after the first was written inside the transaction.
    const broken = { resource: 'actions', id: '2', get json(): string { throw new Error('stopped at the second record'); } };
    await expect(store.commitStaging({ stage: [{ resource: 'actions', id: '1', json: '{}' }, broken], checkpoints: { 'extract:r1:actions:pages': 'page 2' } })).rejects.toThrow('stopped at the second record');
    expect([store.stagedCount('actions'), store.getCheckpoint('extract:r1:actions:pages')]).toEqual([0, 'page 1']);
  } finally {
    store.close();
  }
});

test('the wizard\'s store (staging in Dataverse) has the ledgers and paged outcomes of the memory store, and no staging index', () => {
  // The streaming engine falls back to the firm in memory when a store has no index; its ledgers stay in the tab.
  const sink = {} as SinkPort; // no staging call is made here: the ledgers never reach Dataverse
  const store = new DataverseStagingStore('r1', sink);
  expect((store as StateStore).staging).toBeUndefined();
  store.putLoadedRows('r1:run', [{ table: 'contact', key: 'P-1', outcome: 'created', targetId: 'g1', json: '{}' }]);
  store.addDispositions('r1:run', [{ resource: 'participants', id: '1', rank: 0, json: '{}' }]);
  store.addOutcomes('r1', [{ resource: 'participants', id: '1', outcome: 'migrated', message: null, targets: 'contact:g1' }], true);
  expect(store.loadedRows('r1:run', 'contact', ['P-1'])[0].targetId).toBe('g1');
  expect(store.dispositions('r1:run', 'participants', ['1'])).toHaveLength(1);
  expect(store.outcomesPage('r1', null, 10).map((o) => o.id)).toEqual(['1']);
  expect(() => store.staged('participants')).toThrow(/use stagedPages/);
});
