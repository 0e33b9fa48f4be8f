// Extraction that cannot miss, over a scripted source (the emulator version is test/e2e/extractionCompleteness):
// a record on two pages, a count that moves while paging, a delete and an insert between the same two offset pages
// (no count shows it), wire values that did not parse, and a firm that keeps changing (an open finding).
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { SourcePage, SourcePort } from '../src/ports';
import { FindingLog } from '../src/run/findings';
import { FINDING } from '../src/run/resourceExtraction';
import { extractResources, singleSession } from '../src/run/pagedExtraction';
import { silentProgress, type StateStore } from '../src/ports';
import { MemoryStore } from './memoryStore';

type Rec = { id: string; name?: string | null };
/** A source serving scripted pages, then what Actionstep holds at the end for the count, the ids and reads by id. */
function scripted(pages: Array<SourcePage<Rec>>, end: Rec[], o: { countAfterReread?: number } = {}): SourcePort & { byIdCalls: string[][] } {
  let counts = 0;
  const src = {
    byIdCalls: [] as string[][],
    async *pages() { for (const p of pages) yield p; },
    async count() {
      counts++;
      return counts > 1 && o.countAfterReread !== undefined ? o.countAfterReread : end.length;
    },
    async *ids() { yield end.map((r) => r.id); },
    async byIds(_r: ResourceName, ids: string[]) {
      src.byIdCalls.push(ids);
      return end.filter((r) => ids.includes(r.id));
    },
  };
  return src as unknown as SourcePort & { byIdCalls: string[][] };
}
/** One resource extracted through one session; its findings as the run keeps them. */
async function extractResource(deps: { source: SourcePort; store: StateStore }, resource: ResourceName, log: FindingLog): Promise<number> {
  const counts = await extractResources({ sessions: [singleSession(deps.source)], store: deps.store, progress: silentProgress }, [resource], 'r1');
  const saved = deps.store.getCheckpoint(`findings:r1:${resource}`);
  log.merge(saved ? JSON.parse(saved) : []);
  return counts[resource];
}
const page = (recs: Rec[], extra: Partial<SourcePage<Rec>> = {}): SourcePage<Rec> => Object.assign(recs, extra);
const ids = (store: MemoryStore, r: string) => store.stagedIds(r).sort();

test('offset paging: one deleted and one added between the same two pages (no count moves) is found, by id', async () => {
  // Actionstep held 1..6; after page 1 (1,2,3), 2 was deleted and 7 added: page 2 starts at 5, so 4 is never listed.
  const source = scripted([page([{ id: '1' }, { id: '2' }, { id: '3' }], { recordCount: 6 }), page([{ id: '5' }, { id: '6' }, { id: '7' }], { recordCount: 6 })],
    [{ id: '1' }, { id: '3' }, { id: '4' }, { id: '5' }, { id: '6' }, { id: '7' }]);
  const store = new MemoryStore();
  const log = new FindingLog();
  expect(await extractResource({ source, store }, 'actionparticipants', log)).toBe(6);
  expect(ids(store, 'actionparticipants')).toEqual(['1', '3', '4', '5', '6', '7']);
  expect(source.byIdCalls).toEqual([['4']]);
  expect(log.list()).toEqual([
    { rule: FINDING.deleted, count: 1, open: false, examples: [expect.objectContaining({ resource: 'actionparticipants', id: '2', message: 'Matter participant 2 was read, then deleted in Actionstep before the extraction ended: it is not staged' })] },
    { rule: FINDING.missed, count: 1, open: false, examples: [expect.objectContaining({ id: '4', message: 'Matter participant 4 was not on the pages read (added meanwhile, or passed over when the listing shifted): read by id and staged' })] },
  ]);
});

test('keyset paging: nothing is re-read when every count agrees; a record on two pages and a moving count are', async () => {
  const quiet = scripted([page([{ id: '1' }, { id: '2' }], { recordCount: 3, cursor: 'after:2' }), page([{ id: '3' }], { recordCount: 3, cursor: 'after:3' })], [{ id: '1' }, { id: '2' }, { id: '3' }]);
  const store = new MemoryStore();
  const log = new FindingLog();
  expect(await extractResource({ source: quiet, store }, 'participants', log)).toBe(3);
  expect(quiet.byIdCalls).toEqual([]);
  expect(log.size).toBe(0);

  const shifting = scripted([page([{ id: '1' }, { id: '2' }], { recordCount: 3, cursor: 'after:2' }), page([{ id: '2' }, { id: '3' }], { recordCount: 4, cursor: 'after:3' })],
    [{ id: '1' }, { id: '2' }, { id: '3' }, { id: '4' }]);
  const store2 = new MemoryStore();
  const log2 = new FindingLog();
  expect(await extractResource({ source: shifting, store: store2 }, 'participants', log2)).toBe(4);
  expect(log2.list().map((f) => [f.rule, f.examples.map((e) => e.message)])).toEqual([
    [FINDING.duplicate, ['Person or organisation 2 came on two pages: the listing shifted while it was read (staged once)']],
    [FINDING.missed, ['Person or organisation 4 was not on the pages read (added meanwhile, or passed over when the listing shifted): read by id and staged']],
  ]);
});

test('wire values that did not parse are findings naming the record, the field and the value', async () => {
  const source = scripted([page([{ id: '7', name: null }], {
    recordCount: 1, cursor: 'after:7',
    issues: [{ resource: 'timeentries', id: '7', field: 'actualHours', rule: 'expected a number', value: '1,234.5' }, { resource: 'timeentries', id: '7', field: 'billableHours', rule: 'expected a number', value: 'NaN' }],
  })], [{ id: '7' }]);
  const log = new FindingLog();
  await extractResource({ source, store: new MemoryStore() }, 'timeentries', log);
  expect(log.list()).toEqual([{
    rule: 'value not understood: expected a number', count: 2, open: false,
    examples: [
      { resource: 'timeentries', id: '7', field: 'actualHours', value: '1,234.5', message: 'timeentries 7: actualHours "1,234.5" is not understood (expected a number); it was left empty' },
      { resource: 'timeentries', id: '7', field: 'billableHours', value: 'NaN', message: 'timeentries 7: billableHours "NaN" is not understood (expected a number); it was left empty' },
    ],
  }]);
});

test('a firm still changing after the second read leaves an open finding with both counts', async () => {
  const source = scripted([page([{ id: '1' }], { recordCount: 2, cursor: 'after:1' })], [{ id: '1' }, { id: '2' }], { countAfterReread: 5 });
  const log = new FindingLog();
  await extractResource({ source, store: new MemoryStore() }, 'tasks', log);
  const open = log.list().find((f) => f.rule === FINDING.countDiffers)!;
  expect(open).toMatchObject({ open: true, count: 1, examples: [{ resource: 'tasks', value: { actionstep: 5, staged: 2 }, message: 'Actionstep counts 5 tasks but 2 are staged after reading what moved (the firm is still changing): extract again when it is quiet' }] });
});
