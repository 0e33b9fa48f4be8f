import { ActionstepClient } from '../src/actionstepClient';
import { StaticTokenProvider } from '../src/auth/tokenProvider';
import { envelope, query, StubTransport, empty } from './stubTransport';

const credential = new StaticTokenProvider({ accessToken: 't', apiEndpoint: 'http://as.test/api/', expiresOnTimestamp: Date.now() + 3_600_000 });

/** A fake collection of n matters served 200 a page with the real envelope quirks. */
function matters(n: number, delayMs = 2) {
  return new StubTransport(async (req) => {
    await new Promise((r) => setTimeout(r, delayMs));
    const q = query(req);
    const page = Number(q.get('page'));
    const size = Math.min(Number(q.get('pageSize')), 200);
    const pageCount = Math.ceil(n / size);
    if (n === 0 || page > pageCount) return empty();
    const recs = [];
    for (let i = (page - 1) * size + 1; i <= Math.min(n, page * size); i++) {
      recs.push({ id: i, name: `M${i}`, status: 'Active', isDeleted: 'F', priority: String(i % 3), isBillableOverride: '', links: { actionType: '7', primaryParticipants: ['10', 11], assignedTo: 12 } });
    }
    return envelope('actions', recs.length === 1 ? recs[0] : recs, { page, pageCount: String(pageCount) as unknown as number, recordCount: n, pageSize: size });
  });
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('pages are fetched with pageSize 200, concurrently up to maxConcurrency, and yielded in order', async () => {
  const t = matters(2001);
  const client = new ActionstepClient({ credential, transport: t, maxConcurrency: 3 });
  const items = await all(client.list('actions'));
  expect(items.map((m) => Number(m.id))).toEqual(Array.from({ length: 2001 }, (_, i) => i + 1));
  expect(t.requests).toHaveLength(11); // ceil(2001/200): no request past the end
  expect(t.maxInFlight).toBe(3);
  expect(t.requests.every((r) => query(r).get('pageSize') === '200')).toBe(true);
  expect(t.requests[0].headers.Accept).toBe('application/vnd.api+json');
});

test('normalizes quirks: bare single object, T/F and "", numbers as strings, string link ids', async () => {
  const client = new ActionstepClient({ credential, transport: matters(1) });
  const [m] = await all(client.list('actions'));
  expect(m).toMatchObject({ id: '1', priority: 1, isDeleted: false, isBillableOverride: null, actionTypeId: '7', primaryParticipantIds: ['10', '11'], assignedToParticipantId: '12' });
});

test('byPage pages carry paging info, a continuationToken that resumes, and linked sideloads', async () => {
  const t = matters(450);
  const client = new ActionstepClient({ credential, transport: t });
  const pages = await all(client.list('actions').byPage());
  expect(pages.map((p) => [p.pageNumber, p.length, p.continuationToken])).toEqual([[1, 200, '2'], [2, 200, '3'], [3, 50, undefined]]);
  expect(pages[0]).toMatchObject({ pageCount: 3, recordCount: 450 });
  const resumed = await all(client.list('actions').byPage({ continuationToken: '3' }));
  expect(resumed.map((p) => p[0].id)).toEqual(['401']);
});

test('users with include=participant get their displayName from the sideload, and linked is normalized', async () => {
  const t = new StubTransport(() =>
    envelope('users', [{ id: 5, emailAddress: 'a@x', isActive: 'T', hasAuthority: 'F', links: { participant: '50' } }, { id: 6, emailAddress: 'b@x', isActive: 'F', hasAuthority: 'F', links: { participant: '60' } }], { page: 1, pageCount: 1, recordCount: 2 }, {
      participants: [{ id: 50, displayName: 'Smith, Ann', isCompany: 'F', links: {} }, { id: 60, displayName: 'Lee, Bo', isCompany: 'F', links: {} }],
      divisions: { id: 1, name: 'Main' },
    }),
  );
  const client = new ActionstepClient({ credential, transport: t });
  const [page] = await all(client.list('users', { include: ['participant'] }).byPage());
  expect(query(t.requests[0]).get('include')).toBe('participant');
  expect(page.map((u) => u.displayName)).toEqual(['Smith, Ann', 'Lee, Bo']);
  expect(page.linked.participants?.map((p) => p.id)).toEqual(['50', '60']);
  expect(page.linkedRaw.divisions).toEqual([{ id: 1, name: 'Main' }]);
});

test('filters, modifiedSince on the resource modified field, fields and sort go on the query string', async () => {
  const t = matters(0);
  const client = new ActionstepClient({ credential, transport: t });
  await all(client.list('tasks', { filter: { 'action[id_eq]': '5', status_nteq: 'Complete' }, modifiedSince: '2026-01-01T00:00:00', fields: ['id', 'name'], sort: '-id' }));
  const url = t.requests[0].url;
  expect(url).toContain('action[id_eq]=5');
  const q = query(t.requests[0]);
  expect(q.get('lastModifiedTimestamp_gteq')).toBe('2026-01-01T00:00:00');
  expect(q.get('fields')).toBe('id,name');
  expect(q.get('sort')).toBe('-id');
  // The live API reads timestamp filters as UTC without an offset (integrators' notes): offsets are converted.
  await all(client.list('datacollectionrecordvalues', { modifiedSince: '2026-01-01T00:00:00Z' }));
  expect(query(t.requests[1]).get('last_modified_time_stamp_gteq')).toBe('2026-01-01T00:00:00');
  await all(client.list('actions', { modifiedSince: '2026-01-01T10:30:00+13:00' }));
  expect(query(t.requests[2]).get('modifiedTimestamp_gteq')).toBe('2025-12-31T21:30:00');
  await all(client.list('actions', { modifiedSince: '2026-01-01T10:30:00.250' }));
  expect(query(t.requests[3]).get('modifiedTimestamp_gteq')).toBe('2026-01-01T10:30:00');
  expect(() => client.list('actions', { modifiedSince: 'yesterday' })).toThrow(/modifiedTimestamp_gteq: "yesterday" is not a timestamp/);
});

test('modifiedSince on a resource without a modified field is a clear error', () => {
  const client = new ActionstepClient({ credential, transport: matters(0) });
  expect(() => client.list('timeentries', { modifiedSince: '2026-01-01' })).toThrow(/timeentries.*no modified timestamp/);
  expect(() => client.list('Actions' as 'actions')).toThrow(/Unknown Actionstep resource "Actions"/);
  expect(() => new ActionstepClient({ credential, pageSize: 500 })).toThrow(/at most|1 to 200/);
});

test("byPage's maxPageSize: a larger one is capped at 200, zero or a fraction is refused before any request", async () => {
  const t = matters(450);
  const client = new ActionstepClient({ credential, transport: t, pageSize: 50 });
  const sizes: number[] = [];
  for await (const page of client.list('actions').byPage({ maxPageSize: 1000 })) sizes.push(page.length);
  expect(sizes).toEqual([200, 200, 50]);
  expect(new Set(t.requests.map((r) => query(r).get('pageSize')))).toEqual(new Set(['200']));
  const before = t.requests.length;
  expect(() => client.list('actions').byPage({ maxPageSize: 0 })).toThrow(/maxPageSize must be an integer from 1 to 200.*got 0/);
  expect(() => client.list('actions').byPage({ maxPageSize: 2.5 })).toThrow(/maxPageSize.*got 2.5/);
  expect(t.requests.length).toBe(before);
});

test('breaking out early cancels prefetched pages', async () => {
  const t = matters(5000, 20);
  const client = new ActionstepClient({ credential, transport: t, maxConcurrency: 4 });
  let n = 0;
  for await (const _m of client.list('actions')) {
    if (++n === 10) break;
  }
  await new Promise((r) => setTimeout(r, 60));
  expect(t.requests.length).toBeLessThanOrEqual(5);
});

test('get by several ids encodes composite ids with special characters', async () => {
  const t = new StubTransport(() => envelope('datacollectionfields', [{ id: '3--a/b?c', name: 'a/b?c', dataType: 'Str255', required: 'F', links: { dataCollection: '3' } }], { page: 1, pageCount: 1, recordCount: 1 }));
  const client = new ActionstepClient({ credential, transport: t });
  const recs = await client.get('datacollectionfields', ['3--a/b?c', '3--x']);
  expect(t.requests[0].url).toBe('http://as.test/api/rest/datacollectionfields/3--a%2Fb%3Fc,3--x');
  expect(recs[0]).toMatchObject({ id: '3--a/b?c', dataCollectionId: '3', required: false });
});

test('abortSignal stops a listing mid-way with an aborted error', async () => {
  const t = matters(5000, 20);
  const client = new ActionstepClient({ credential, transport: t });
  const ac = new AbortController();
  let n = 0;
  const err = await (async () => {
    for await (const _m of client.list('actions', { abortSignal: ac.signal })) {
      if (++n === 250) ac.abort();
    }
  })().catch((e) => e);
  expect(err).toMatchObject({ kind: 'aborted' });
  expect(n).toBeLessThan(1000);
});

/** A collection that loses record 3 right after the first page was served (a user deletes it meanwhile). */
function shrinkingCollection() {
  const ids = Array.from({ length: 10 }, (_, i) => i + 1);
  let served = 0;
  return new StubTransport((req) => {
    const q = query(req);
    const size = Number(q.get('pageSize'));
    const after = q.get('id_gt');
    const pool = after ? ids.filter((id) => id > Number(after)) : ids;
    const page = Number(q.get('page'));
    const slice = pool.slice((page - 1) * size, page * size);
    const pageCount = Math.ceil(pool.length / size);
    if (served++ === 0) ids.splice(ids.indexOf(3), 1);
    if (slice.length === 0) return empty();
    return envelope('actions', slice.map((id) => ({ id, name: `M${id}`, status: 'Active', isDeleted: 'F', links: {} })), { page, pageCount, recordCount: pool.length, pageSize: size });
  });
}

test('offset paging skips a record shifted by a concurrent delete; keyset paging does not', async () => {
  const offset = new ActionstepClient({ credential, transport: shrinkingCollection(), pageSize: 4, maxConcurrency: 1 });
  const offsetIds = (await all(offset.list('actions'))).map((m) => Number(m.id));
  expect(offsetIds).not.toContain(5); // 5 moved onto page 1, which was already read
  const t = shrinkingCollection();
  const keyset = new ActionstepClient({ credential, transport: t, pageSize: 4, pagingMode: 'keyset' });
  const pages = await all(keyset.list('actions').byPage());
  expect(pages.flat().map((m) => Number(m.id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(t.requests.map((r) => query(r).get('id_gt'))).toEqual([null, '4', '8']);
  expect(t.requests.every((r) => query(r).get('sort') === 'id' && query(r).get('page') === '1')).toBe(true);
  expect(pages.map((p) => p.continuationToken)).toEqual(['after:4', 'after:8', undefined]);
  // Resume from a token.
  const resumed = await all(keyset.list('actions').byPage({ continuationToken: 'after:8' }));
  expect(resumed.flat().map((m) => m.id)).toEqual(['9', '10']);
  expect(() => keyset.list('actions', { sort: '-id' })).toThrow(/keyset/);
});

test('ranges of one listing: keyset up to an id (id_lteq), offset up to a page, nothing fetched past either end', async () => {
  const ids = Array.from({ length: 30 }, (_, i) => i + 1);
  const t = new StubTransport((req) => {
    const q = query(req);
    const size = Number(q.get('pageSize'));
    const after = Number(q.get('id_gt') ?? 0);
    const upTo = Number(q.get('id_lteq') ?? Infinity);
    const pool = ids.filter((id) => id > after && id <= upTo);
    const page = Number(q.get('page'));
    const slice = pool.slice((page - 1) * size, page * size);
    if (slice.length === 0) return empty();
    return envelope('actions', slice.map((id) => ({ id, name: `M${id}`, status: 'Active', isDeleted: 'F', links: {} })), { page, pageCount: Math.ceil(pool.length / size), recordCount: pool.length, pageSize: size });
  });
  const keyset = new ActionstepClient({ credential, transport: t, pageSize: 4, pagingMode: 'keyset' });
  const range = await all(keyset.list('actions', { idUpTo: '17' }).byPage({ continuationToken: 'after:8' }));
  expect(range.flat().map((m) => Number(m.id))).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
  expect(t.requests.map((r) => [query(r).get('id_gt'), query(r).get('id_lteq')])).toEqual([['8', '17'], ['12', '17'], ['16', '17']]);
  expect(range.map((p) => p.cursor)).toEqual(['after:12', 'after:16', 'after:17']);
  // A bound on a listing that is not keyset is a usage error, not a silently unbounded listing.
  expect(() => new ActionstepClient({ credential, transport: t }).list('actions', { idUpTo: '5' })).toThrow(/idUpTo/);

  const offsetTransport = matters(2001);
  const offset = new ActionstepClient({ credential, transport: offsetTransport, maxConcurrency: 4 });
  const pages = await all(offset.list('actions', { lastPage: 6 }).byPage({ continuationToken: '4' }));
  expect(pages.map((p) => [p.pageNumber, p.continuationToken])).toEqual([[4, '5'], [5, '6'], [6, undefined]]);
  expect(offsetTransport.requests.map((r) => query(r).get('page'))).toEqual(['4', '5', '6']);
  expect(pages[0].pageCount).toBe(11); // the listing's count of pages, not the range's
});

test('pace: the configured cap, answers counted and their mean latency (what the plan estimates from)', async () => {
  const client = new ActionstepClient({ credential, transport: matters(450, 15), maxRequestsPerSecond: 50, maxConcurrency: 2 });
  expect(client.pace).toMatchObject({ capPerSecond: 50, answered: 0, meanLatencyMs: undefined, throttled: 0, maxConcurrency: 2 });
  await all(client.list('actions'));
  expect(client.pace.answered).toBe(3);
  expect(client.pace.meanLatencyMs).toBeGreaterThanOrEqual(10);
  expect(client.pace.learnedPerSecond).toBeUndefined();
});
