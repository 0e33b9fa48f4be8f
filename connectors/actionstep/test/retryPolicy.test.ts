import { ActionstepClient } from '../src/actionstepClient';
import { StaticTokenProvider } from '../src/auth/tokenProvider';
import { ActionstepError } from '../src/errors';
import { abortableSleep } from '../src/pipeline/concurrencyLimiter';
import { parseRetryAfter } from '../src/pipeline/retryPolicy';
import { asError, empty, envelope, json, StubTransport } from './stubTransport';

const credential = new StaticTokenProvider({ accessToken: 'tok-SECRET-123', apiEndpoint: 'http://as.test/api/', expiresOnTimestamp: Date.now() + 3_600_000 });
const oneAction = envelope('actions', { id: 1, name: 'A', status: 'Active', isDeleted: 'F', links: {} }, { page: 1, pageCount: 1, recordCount: 1 });

function clientWith(transport: StubTransport, extra: Partial<ConstructorParameters<typeof ActionstepClient>[0]> = {}) {
  const sleeps: number[] = [];
  let clock = 1_000_000;
  const client = new ActionstepClient({
    credential,
    transport,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    now: () => clock,
    random: () => 0.5,
    ...extra,
  });
  return { client, sleeps };
}

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('retry strategies', () => {
  test('429 with Retry-After waits exactly what the server says, then succeeds', async () => {
    const t = new StubTransport((_r, i) => (i === 0 ? json(429, { errors: { title: 'Too Many Requests' } }, { 'retry-after': '3' }) : oneAction));
    const { client, sleeps } = clientWith(t);
    const items = await all(client.list('actions'));
    expect(items.map((m) => m.id)).toEqual(['1']);
    expect(sleeps).toEqual([3000]);
    expect(client.requestCount).toMatchObject({ retries: 1, byKind: { list: 2 } });
  });

  test('429 without Retry-After and 5xx back off exponentially with full jitter', async () => {
    const statuses = [429, 500, 502, 503, 504];
    const t = new StubTransport((_r, i) => (i < statuses.length ? json(statuses[i], {}) : oneAction));
    const { client, sleeps } = clientWith(t, { adaptivePacing: false });
    await all(client.list('actions'));
    // random()=0.5 of min(30s, 800 * 2^n)
    expect(sleeps).toEqual([400, 800, 1600, 3200, 6400]);
  });

  test('network errors and timeouts are retried', async () => {
    const t = new StubTransport((r, i) => {
      if (i === 0) throw new ActionstepError('reset', { kind: 'network', code: 'ECONNRESET' });
      if (i === 1) throw new ActionstepError('slow', { kind: 'timeout' });
      return oneAction;
    });
    const { client } = clientWith(t);
    expect((await all(client.list('actions'))).length).toBe(1);
    expect(t.requests.length).toBe(3);
  });

  test('retries are bounded by maxRetries and the error says why', async () => {
    const t = new StubTransport(() => asError(500, 'AS-1201', 'Server Error'));
    const { client } = clientWith(t, { retry: { maxRetries: 3 } });
    const err = (await all(client.list('actions')).catch((e) => e)) as ActionstepError;
    expect(err).toBeInstanceOf(ActionstepError);
    expect(err.status).toBe(500);
    expect(err.code).toBe('AS-1201');
    expect(err.message).toContain('after 3 retries');
    expect(t.requests.length).toBe(4);
  });

  test('client errors are not retried and carry status, code and headers but never the token', async () => {
    const t = new StubTransport(() => asError(400, 'AS-1302', 'Invalid filter'));
    const { client } = clientWith(t);
    const err = (await all(client.list('actions', { filter: { nope: 'x' } })).catch((e) => e)) as ActionstepError;
    expect(err.status).toBe(400);
    expect(err.code).toBe('AS-1302');
    expect(err.message).toContain('Invalid filter');
    expect(err.message).toContain('nope=x');
    expect(JSON.stringify({ ...err, m: err.message })).not.toContain('tok-SECRET-123');
    expect(t.requests.length).toBe(1);
  });

  test('a 401 that is not a token error fails at once', async () => {
    const t = new StubTransport(() => json(401, { error: 'access_denied' }));
    const { client } = clientWith(t);
    await expect(all(client.list('actions'))).rejects.toMatchObject({ status: 401 });
    expect(t.requests.length).toBe(1);
  });

  test('Retry-After as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('1.5', now)).toBe(1500);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('timing on a fake clock', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('never retries before Retry-After', async () => {
    const t = new StubTransport((_r, i) => (i === 0 ? json(429, {}, { 'retry-after': '3' }) : oneAction));
    const client = new ActionstepClient({ credential, transport: t, sleep: abortableSleep });
    const done = all(client.list('actions'));
    await jest.advanceTimersByTimeAsync(2999);
    expect(t.requests.length).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(done).resolves.toHaveLength(1);
    expect(t.requests.length).toBe(2);
  });

  test('abort during a backoff wait stops at once with an aborted error', async () => {
    const t = new StubTransport(() => json(503, {}, { 'retry-after': '60' }));
    const client = new ActionstepClient({ credential, transport: t, sleep: abortableSleep });
    const ac = new AbortController();
    const done = all(client.list('actions', { abortSignal: ac.signal })).catch((e) => e);
    await jest.advanceTimersByTimeAsync(1000);
    ac.abort();
    const err = (await done) as ActionstepError;
    expect(err.kind).toBe('aborted');
    await jest.advanceTimersByTimeAsync(120_000);
    expect(t.requests.length).toBe(1);
  });
});

test('empty collection (204) yields nothing', async () => {
  const t = new StubTransport(() => empty());
  const { client } = clientWith(t);
  expect(await all(client.list('tasks'))).toEqual([]);
  expect(t.requests.length).toBe(1);
});

test('a token rejected again after refresh is refreshed again, within the retry budget', async () => {
  let refreshes = 0;
  const provider = {
    async getToken(o: { staleAccessToken?: string } = {}) {
      if (o.staleAccessToken) refreshes++;
      return { accessToken: `t${refreshes}`, apiEndpoint: 'http://as.test/api/', expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  const t = new StubTransport(() => json(401, { error: 'expired_token' }));
  const client = new ActionstepClient({ credential: provider, transport: t, retry: { maxRetries: 2 }, sleep: async () => undefined });
  const err = (await all(client.list('actions')).catch((e) => e)) as ActionstepError;
  expect(err.status).toBe(401);
  expect(err.code).toBe('expired_token');
  expect(refreshes).toBe(3); // 1 free + 2 from the budget
  expect(t.requests.map((r) => r.headers.Authorization)).toEqual(['Bearer t0', 'Bearer t1', 'Bearer t2', 'Bearer t3']);
});

describe('client-wide throttling', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  test('a 429 with Retry-After pauses every request of the client, not only the refused one', async () => {
    let refused = false;
    const t = new StubTransport((req) => {
      if (!refused && req.url.includes('/actions')) {
        refused = true;
        return json(429, {}, { 'retry-after': '2' });
      }
      return empty();
    });
    const client = new ActionstepClient({ credential, transport: t, sleep: abortableSleep, adaptivePacing: false });
    const a = all(client.list('actions'));
    await jest.advanceTimersByTimeAsync(10);
    const b = all(client.list('tasks')); // starts while the client is throttled
    await jest.advanceTimersByTimeAsync(1000);
    expect(t.requests.map((r) => new URL(r.url).pathname)).toEqual(['/api/rest/actions']);
    await jest.advanceTimersByTimeAsync(1000);
    await Promise.all([a, b]);
    expect(t.requests).toHaveLength(3);
  });

  test('maxRequestsPerSecond paces requests', async () => {
    const t = new StubTransport(() => empty());
    const client = new ActionstepClient({ credential, transport: t, sleep: abortableSleep, maxRequestsPerSecond: 2 });
    const done = Promise.all([all(client.list('tasks')), all(client.list('bills')), all(client.list('steps'))]);
    await jest.advanceTimersByTimeAsync(0);
    expect(t.requests).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(500);
    expect(t.requests).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(500);
    await done;
    expect(t.requests).toHaveLength(3);
  });
});
