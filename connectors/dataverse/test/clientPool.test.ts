// DataverseClientPool: several application users behind the BulkWriter and the engine's sink. Each identity has its
// own stub server here (limits are per user), so the tests see which identity sent what and when.
import { BulkWriter, type TableRef, type UpsertTarget } from '../src/bulkWriter';
import { DataverseClientPool } from '../src/clientPool';
import { DataverseClient } from '../src/dataverseClient';
import { DataverseSink } from '../src/engineSink';
import { CredentialError, DataverseError } from '../src/errors';
import type { HttpResponse, TokenProvider } from '../src/types';
import { dvError, json, noContent, staticToken, stubTransport, WEB_API, type RecordedRequest } from './stubTransport';

const ACCOUNTS: TableRef = { logicalName: 'account', entitySetName: 'accounts', primaryIdAttribute: 'accountid' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function targets(n: number): UpsertTarget[] {
  return Array.from({ length: n }, (_, i) => ({ key: { astep_sourceid: `m-${i}` }, attributes: { name: `Matter ${i}` }, ref: `matter:${i}` }));
}

/** Source ids a bulk request carried. */
function keysOf(req: RecordedRequest): string[] {
  const body = req.json as { Targets?: Array<Record<string, unknown>> } | undefined;
  return (body?.Targets ?? []).map((t) => String(t['@odata.id']));
}

interface Identity {
  name: string;
  client: DataverseClient;
  requests: RecordedRequest[];
  bulk: () => RecordedRequest[];
}

/**
 * One application user on its own stub server. `bulk` decides the answer to each UpsertMultiple (default 204 after
 * `latencyMs`); WhoAmI answers with this user's id and DOP hint.
 */
function identity(name: string, o: { dopHint?: number; maxConcurrency?: number; latencyMs?: number; credential?: TokenProvider; bulk?: (req: RecordedRequest, n: number) => HttpResponse | undefined } = {}): Identity {
  let bulkCount = 0;
  const stub = stubTransport(async (req) => {
    if (req.url.endsWith('/WhoAmI')) return json(200, { UserId: `user-${name}`, BusinessUnitId: 'bu', OrganizationId: 'org' }, { 'x-ms-dop-hint': String(o.dopHint ?? 4) });
    if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{ sdkmessagefilterid: 'f' }] });
    if (req.method === 'GET' && req.url.startsWith(`${WEB_API}accounts?`)) return json(200, { value: [] });
    if (req.url.endsWith('UpsertMultiple')) {
      const answer = o.bulk?.(req, ++bulkCount);
      if (answer) return answer;
      await sleep(o.latencyMs ?? 5);
      return noContent();
    }
    throw new Error(`unexpected ${req.method} ${req.url}`);
  });
  const client = new DataverseClient({ webApiUrl: WEB_API, credential: o.credential ?? staticToken, transport: stub.transport, maxConcurrency: o.maxConcurrency });
  return { name, client, requests: stub.requests, bulk: () => stub.requests.filter((r) => r.url.endsWith('UpsertMultiple')) };
}

const poolOf = (ids: Identity[], logger?: { warn: (m: string) => void }) => new DataverseClientPool(ids.map((i) => ({ name: i.name, client: i.client })), { logger });

describe('DataverseClientPool', () => {
  it('signs every identity in first, each with its own DOP hint, and spreads bulk requests by free room', async () => {
    const a = identity('A', { dopHint: 2, maxConcurrency: 2, latencyMs: 20 });
    const b = identity('B', { dopHint: 6, maxConcurrency: 6, latencyMs: 20 });
    const pool = poolOf([a, b]);
    const who = await pool.whoAmI();
    expect(who.UserId).toBe('user-A');
    expect(pool.identities().map((s) => [s.name, s.userId, s.dopHint, s.limit])).toEqual([['A', 'user-A', 2, 2], ['B', 'user-B', 6, 6]]);
    expect(pool.capacity).toBe(8);

    const results = await new BulkWriter(pool, { initialBatchSize: 100, maxBatchSize: 100 }).upsertMany(ACCOUNTS, targets(16_000));
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
    // Every record was sent exactly once, by one identity or the other.
    const sent = [...a.bulk(), ...b.bulk()].flatMap(keysOf);
    expect(sent).toHaveLength(16_000);
    expect(new Set(sent).size).toBe(16_000);
    // Work follows each identity's limit (2 vs 6 slots at equal latency: about a quarter to A).
    const shareA = a.bulk().length / (a.bulk().length + b.bulk().length);
    expect(shareA).toBeGreaterThan(0.15);
    expect(shareA).toBeLessThan(0.35);
  });

  it('one identity throttled: its Retry-After is respected while the others continue, and its refused batch goes to another', async () => {
    let throttledAt = 0;
    const a = identity('A', {
      latencyMs: 30,
      bulk: (_req, n) => {
        if (n !== 2) return undefined;
        throttledAt = Date.now();
        return dvError(429, '0x80072321', 'Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds.', { 'retry-after': '0.25' });
      },
    });
    const b = identity('B', { latencyMs: 30 });
    const c = identity('C', { latencyMs: 30 });
    const pool = poolOf([a, b, c]);
    const results = await new BulkWriter(pool, { initialBatchSize: 100, maxBatchSize: 100 }).upsertMany(ACCOUNTS, targets(20_000));
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);

    const refused = a.bulk()[1];
    expect(throttledAt).toBeGreaterThan(0);
    // The pause runs from when A's client read the 429 (not from when the stub wrote it: on a busy machine the answer
    // can wait a while in the event loop, and A's requests sent meanwhile were not yet told to stop).
    const resumeAt = a.client.gate.resumeAt;
    const pausedAt = resumeAt - 250;
    expect(pausedAt).toBeGreaterThanOrEqual(throttledAt);
    // A sent nothing until its Retry-After had passed. Requests that had passed A's gate before the 429 was read are
    // on their way and still leave; only microtasks separate them from the transport, but a busy machine can stall
    // the process that long, so the first 50 ms are left out (without the pause, A would send about 25 requests in
    // the 200 ms still checked)...
    expect(a.bulk().filter((r) => r.at > pausedAt + 50 && r.at < resumeAt)).toEqual([]);
    expect(a.bulk().filter((r) => r.at >= resumeAt).length).toBeGreaterThan(0);
    // ... while B and C kept sending during the pause.
    const duringPause = [...b.bulk(), ...c.bulk()].filter((r) => r.at > pausedAt && r.at < resumeAt);
    expect(duringPause.length).toBeGreaterThan(4);
    // The refused batch was sent again by B or C (A was paused), not by A after its pause.
    const again = [...b.bulk(), ...c.bulk()].filter((r) => keysOf(r)[0] === keysOf(refused)[0]);
    expect(again).toHaveLength(1);
    expect(again[0].at).toBeLessThan(resumeAt);
    // Each record upserted once (the refused request wrote nothing).
    const written = [a, b, c].flatMap((i) => i.bulk().filter((r) => r !== refused)).flatMap(keysOf);
    expect(written).toHaveLength(20_000);
    expect(new Set(written).size).toBe(20_000);
    expect(pool.stats.throttled).toBe(1);
  });

  it('rebalances: an identity paused for a long Retry-After gets nothing more and the load finishes on the others', async () => {
    let throttledAt = 0;
    const a = identity('A', {
      bulk: (_req, n) => {
        if (n !== 1) return undefined;
        throttledAt = Date.now();
        return dvError(429, '0x80072322', 'Number of requests exceeded the limit of 8000 over time window of 300 seconds.', { 'retry-after': '600' });
      },
    });
    const b = identity('B');
    const pool = poolOf([a, b]);
    const t0 = Date.now();
    const results = await new BulkWriter(pool, { initialBatchSize: 100, maxBatchSize: 100 }).upsertMany(ACCOUNTS, targets(5_000));
    expect(Date.now() - t0).toBeLessThan(10_000); // nowhere near the 600 s pause
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
    // A's first answer was the 429: it got nothing after that (only the requests already on their way, see above).
    // The pause runs from when A's client read the 429, which on a busy machine can be a while after the stub wrote it.
    const pausedAt = a.client.gate.resumeAt - 600_000;
    expect(pausedAt).toBeGreaterThanOrEqual(throttledAt);
    expect(a.bulk().filter((r) => r.at > pausedAt + 50)).toEqual([]);
    expect(b.bulk().length).toBeGreaterThan(a.bulk().length);
    const written = [...a.bulk().slice(1), ...b.bulk()].flatMap(keysOf);
    expect(written).toHaveLength(5_000);
    expect(new Set(written).size).toBe(5_000);
    const status = pool.identities();
    expect(status[0].pausedUntil).toBeGreaterThan(Date.now() + 500_000);
    expect(status[0].inFlight).toBe(0);
  });

  it('no request waits forever when every identity is throttled: they resume when the first Retry-After ends', async () => {
    const throttleFirst = (seconds: string) => (_req: RecordedRequest, n: number) => (n === 1 ? dvError(429, '0x80072322', 'Number of requests exceeded the limit.', { 'retry-after': seconds }) : undefined);
    const a = identity('A', { maxConcurrency: 1, bulk: throttleFirst('0.3') });
    const b = identity('B', { maxConcurrency: 1, bulk: throttleFirst('30') });
    const pool = poolOf([a, b]);
    const t0 = Date.now();
    const results = await new BulkWriter(pool, { initialBatchSize: 100, maxBatchSize: 100 }).upsertMany(ACCOUNTS, targets(1_000));
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(10_000);
    expect(b.bulk()).toHaveLength(1);
  });

  it('an identity whose sign-in is refused stops the pool before anything is written, naming it', async () => {
    const refused: TokenProvider = {
      getToken: async () => {
        throw new CredentialError('Could not get a Dataverse token: invalid_client: AADSTS7000215: Invalid client secret provided.', false);
      },
    };
    const a = identity('application user 1 (client id aaaa)');
    const b = identity('application user 2 (client id bbbb)', { credential: refused });
    const pool = poolOf([a, b]);
    const sink = new DataverseSink(pool, WEB_API);
    const err = (await sink.upsert({ ...ACCOUNTS, logicalName: 'account' } as never, targets(10)).catch((e: unknown) => e)) as DataverseError;
    expect(err).toBeInstanceOf(DataverseError);
    expect(err).toMatchObject({ status: 401, code: 'CredentialError' });
    expect(err.message).toContain('1 of 2 Dataverse application users could not sign in');
    expect(err.message).toContain('application user 2 (client id bbbb)');
    expect(err.message).toContain('AADSTS7000215');
    expect(err.message).not.toContain('application user 1');
    // Refused at once (not retried as if the network had failed), and nothing but WhoAmI was sent.
    expect(b.requests).toHaveLength(0);
    expect(a.requests.map((r) => r.url.replace(WEB_API, ''))).toEqual(['WhoAmI']);
  });

  it('an identity whose credentials fail mid-run is retired with a warning naming it; the others finish the load', async () => {
    let tokens = 0;
    const expiring: TokenProvider = {
      getToken: async () => {
        if (++tokens > 3) throw new CredentialError('Could not get a Dataverse token: invalid_client: AADSTS7000222: The provided client secret keys are expired.', false);
        return 'b-token';
      },
    };
    const a = identity('A');
    const b = identity('B', { credential: expiring });
    const warnings: string[] = [];
    const pool = poolOf([a, b], { warn: (m) => warnings.push(m) });
    const results = await new BulkWriter(pool, { initialBatchSize: 100, maxBatchSize: 100 }).upsertMany(ACCOUNTS, targets(3_000));
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Dataverse application user B can no longer sign in \(.*AADSTS7000222.*\); its requests go to the other 1\.$/);
    expect(pool.identities()[1].retired).toContain('AADSTS7000222');
    const written = [...a.bulk(), ...b.bulk()].flatMap(keysOf);
    expect(new Set(written).size).toBe(3_000);
    expect(written).toHaveLength(3_000);
    // When the last identity fails too, the error names every one.
    tokens = 0;
    const lone = identity('C', { credential: expiring });
    const single = poolOf([lone]);
    await single.whoAmI();
    await single.get('WhoAmI');
    await single.get('WhoAmI');
    const err = (await single.get('WhoAmI').catch((e: unknown) => e)) as DataverseError;
    expect(err.message).toMatch(/^No Dataverse application user can sign in any more:\n {2}- C: .*AADSTS7000222/);
  });

  it('counts every request of every identity: requestCount() = the sum the servers saw, retries and 429s included', async () => {
    const a = identity('A', { bulk: (_req, n) => (n === 1 ? dvError(429, '0x80072322', 'Number of requests exceeded the limit.', { 'retry-after': '0.05' }) : undefined) });
    const b = identity('B', { bulk: (_req, n) => (n === 2 ? dvError(503, '0x80040216', 'Service unavailable', { 'retry-after': '0.01' }) : undefined) });
    const c = identity('C');
    const pool = poolOf([a, b, c]);
    const sink = new DataverseSink(pool, WEB_API);
    await sink.upsert(ACCOUNTS as never, targets(4_000));
    await sink.readByValues(ACCOUNTS as never, 'astep_sourceid', ['x'], ['accountid']);
    const seen = a.requests.length + b.requests.length + c.requests.length;
    expect(seen).toBeGreaterThan(3 + 4 + 1); // 3 WhoAmI, bulk-support query, the bulk requests, the 429, the 503, the read
    expect(sink.requestCount()).toBe(seen);
    expect(pool.stats.byStatus['429']).toBe(1);
    expect(pool.stats.byStatus['503']).toBe(1);
  });
});
