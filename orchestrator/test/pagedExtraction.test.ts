// The extraction spread across sessions and checkpointed per page, over an in-memory firm that pages like Actionstep
// (keyset by id where ids are integers, offset pages where they are composite). The end-to-end version, with the
// command killed at random pages, is test/e2e/extractResume.test.ts.
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { PageSpan, SourcePage, SourcePort, SourceSession } from '../src/ports';
import { silentProgress } from '../src/ports';
import { extractResources, extractionKeys, SPAN_PAGES } from '../src/run/pagedExtraction';
import { MemoryStore } from './memoryStore';

const PAGE = 10;
type Rec = { id: string };

/** A firm of `participants` (integer ids) and `actionparticipants` (composite ids), read by `sessions` users. */
class FakeActionstep {
  readonly data: Record<string, Rec[]> = {
    participants: Array.from({ length: 1000 }, (_, i) => ({ id: String(i * 3 + 1) })),
    actionparticipants: Array.from({ length: 700 }, (_, i) => ({ id: `${String(i).padStart(4, '0')}--1--2` })),
  };
  readonly requests: Record<string, number> = {};
  /** Throws on this request (counting all sessions' page requests), like a process killed there. */
  failAt: number | null = null;
  pageRequests = 0;

  session(name: string): SourceSession {
    return sessionOf(this, name);
  }
}

function sessionOf(fake: FakeActionstep, name: string): SourceSession {
  const count = (kind: string) => {
    fake.requests[name] = (fake.requests[name] ?? 0) + 1;
    if (kind === 'page' && ++fake.pageRequests === fake.failAt) throw new Error(`killed at page request ${fake.failAt}`);
  };
  const source: SourcePort = {
    async *pages(resource: ResourceName, options: { span?: PageSpan } = {}) {
      const all = fake.data[resource];
      const span = options.span ?? {};
      if (resource === 'participants') {
        let after = span.after === undefined ? -Infinity : Number(span.after);
        for (;;) {
          count('page');
          const pool = all.filter((r) => Number(r.id) > after && (span.upToId === undefined || Number(r.id) <= Number(span.upToId)));
          const recs = pool.slice(0, PAGE);
          if (!recs.length) return;
          after = Number(recs[recs.length - 1].id);
          yield Object.assign(recs.map((r) => ({ ...r })), { recordCount: pool.length, cursor: `after:${after}` }) as SourcePage<never>;
          if (pool.length <= PAGE) return;
        }
      }
      const pageCount = Math.ceil(all.length / PAGE);
      for (let p = span.fromPage ?? 1; p <= Math.min(pageCount, span.toPage ?? Infinity); p++) {
        count('page');
        yield Object.assign(all.slice((p - 1) * PAGE, p * PAGE).map((r) => ({ ...r })), { recordCount: all.length, pageNumber: p, pageCount }) as SourcePage<never>;
      }
    },
    async lastId(resource: ResourceName) {
      count('lastId');
      return resource === 'participants' ? fake.data.participants[fake.data.participants.length - 1].id : null;
    },
    async count(resource: ResourceName) {
      count('count');
      return fake.data[resource].length;
    },
    async *ids(resource: ResourceName) {
      for (let i = 0; i < fake.data[resource].length; i += PAGE) {
        count('ids');
        yield fake.data[resource].slice(i, i + PAGE).map((r) => r.id);
      }
    },
    async byIds(resource: ResourceName, ids: string[]) {
      count('byIds');
      return fake.data[resource].filter((r) => ids.includes(r.id)) as never[];
    },
  } as unknown as SourcePort;
  return { name, source, lanes: 2, currentUser: async () => ({ id: name, displayName: name, email: null }), pace: () => ({ answered: 0, throttled: 0 }) };
}

const RESOURCES: ResourceName[] = ['participants', 'actionparticipants'];
const staged = (store: MemoryStore, r: string) => store.staged(r).map((s) => s.id).sort();

test('two sessions share the pages of each resource: every record once, both sessions busy, few extra requests', async () => {
  const fake = new FakeActionstep();
  const store = new MemoryStore();
  const counts = await extractResources({ sessions: [fake.session('a'), fake.session('b')], store, progress: silentProgress }, RESOURCES, 'run1');
  expect(counts).toEqual({ participants: 1000, actionparticipants: 700 });
  for (const r of RESOURCES) expect(staged(store, r)).toEqual(fake.data[r].map((x) => x.id).sort());
  expect(store.getCheckpoint(extractionKeys('run1', 'participants').findings)).toBeNull();
  expect(store.getCheckpoint(extractionKeys('run1', 'participants').progress)).toBeNull();
  expect(store.getCheckpoint(extractionKeys('run1', 'participants').done)).toBe('1000');
  // Both users read a fair share (pages are spread in spans of SPAN_PAGES).
  expect(fake.requests.a).toBeGreaterThan(30);
  expect(fake.requests.b).toBeGreaterThan(30);
  // Pages: 100 + 70. Besides them: per resource one count at the end, one highest-id request for the split id listing,
  // a part page per id span, and the id listing the composite resource always gets (70).
  const spans = Math.ceil((100 - 1) / SPAN_PAGES);
  expect(fake.pageRequests).toBeLessThanOrEqual(100 + 70 + spans);
});

test('a failure at any page, then a second start: each span resumes at its next page, nothing read twice or missed', async () => {
  const clean = new FakeActionstep();
  await extractResources({ sessions: [clean.session('a'), clean.session('b')], store: new MemoryStore(), progress: silentProgress }, RESOURCES, 'run1');
  for (const failAt of [1, 7, 33, 90, 150]) {
    const fake = new FakeActionstep();
    const store = new MemoryStore();
    fake.failAt = failAt;
    const deps = { sessions: [fake.session('a'), fake.session('b')], store, progress: silentProgress };
    await expect(extractResources(deps, RESOURCES, 'run1')).rejects.toThrow(`killed at page request ${failAt}`);
    await extractResources(deps, RESOURCES, 'run1');
    for (const r of RESOURCES) {
      expect({ failAt, r, ids: staged(store, r) }).toEqual({ failAt, r, ids: fake.data[r].map((x) => x.id).sort() });
      // A page read twice would be a "record on two pages" finding.
      const findings = store.getCheckpoint(extractionKeys('run1', r).findings);
      expect({ failAt, r, findings }).toEqual({ failAt, r, findings: null });
    }
    // The second start did not begin again: only the pages in flight when it failed (one per lane) are asked twice.
    expect(fake.pageRequests).toBeLessThanOrEqual(clean.pageRequests + 4);
  }
});

test('records deleted while a resumed listing is read leave staging and are named; nothing is lost', async () => {
  const fake = new FakeActionstep();
  const store = new MemoryStore();
  fake.failAt = 60;
  const deps = { sessions: [fake.session('a'), fake.session('b')], store, progress: silentProgress };
  await expect(extractResources(deps, RESOURCES, 'run1')).rejects.toThrow('killed');
  // Deleted between the kill and the second start: one record already staged, one not yet read, in each resource.
  const gone: Record<string, string[]> = {};
  for (const r of RESOURCES) {
    const read = new Set(staged(store, r));
    const readOne = fake.data[r].find((x) => read.has(x.id))!;
    const unread = [...fake.data[r]].reverse().find((x) => !read.has(x.id))!;
    gone[r] = [readOne.id, unread.id];
    fake.data[r] = fake.data[r].filter((x) => !gone[r].includes(x.id));
  }
  await extractResources(deps, RESOURCES, 'run1');
  for (const r of RESOURCES) {
    expect(staged(store, r)).toEqual(fake.data[r].map((x) => x.id).sort());
    const findings = JSON.parse(store.getCheckpoint(extractionKeys('run1', r).findings) ?? '[]') as Array<{ rule: string; examples: Array<{ id: string }> }>;
    const byRule = Object.fromEntries(findings.map((f) => [f.rule, f.examples.map((e) => e.id)]));
    expect(byRule['deleted in Actionstep during extraction']).toEqual([gone[r][0]]);
    // Offset pages shift when a record before the reader goes: what moved onto a page already read is read by id.
    // Keyset spans cannot shift, so the id resource has nothing else to report.
    if (r === 'participants') expect(Object.keys(byRule)).toEqual(['deleted in Actionstep during extraction']);
  }
});
