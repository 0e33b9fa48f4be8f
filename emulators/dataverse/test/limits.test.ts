import { DEFAULT_COST_MODEL, PRODUCTION_LIMITS, maxThroughputRecordsPerHour, responseDelayMs, startDataverseEmulator } from '@astep/dataverse-emulator';
import { getToken, startApi } from './helpers';

async function pool<T>(n: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

describe('cost model', () => {
  test('the published throughput figures come out of the production limits', () => {
    expect(Math.round(maxThroughputRecordsPerHour('single'))).toBe(50_000);
    expect(maxThroughputRecordsPerHour('bulk', 1000) / 1e6).toBeCloseTo(10, 1);
    // $batch gives no per-operation efficiency: same as single requests
    expect(Math.round(maxThroughputRecordsPerHour('batch', 100))).toBe(50_000);
    expect(PRODUCTION_LIMITS).toEqual({ maxRequests: 6000, maxExecutionTimeMs: 1_200_000, maxConcurrent: 52, windowMs: 300_000 });
    expect(DEFAULT_COST_MODEL.requestMs).toBe(288);
  });

  test('responses are delayed by their execution cost (288 ms for a create at clockScale 1) and carry the rate headers', async () => {
    const api = await startApi({ limits: 'production', clockScale: 1 });
    try {
      const t0 = Date.now();
      const r = await api.call('POST', 'accounts', { name: 'slow' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
      expect(r.headers.get('x-ms-dop-hint')).toBe('4');
      expect(r.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests')).toBe('5999');
      expect(r.headers.get('x-ms-ratelimit-time-remaining-xrm-requests')).toBe('1,199.71');
    } finally {
      await api.emu.close();
    }
  });

  test('a bulk request of 1,000 rows is answered no sooner than its 1,440 ms of execution at clock x1, the emulator\'s own work inside it', async () => {
    const api = await startApi({ limits: 'production', clockScale: 1 });
    try {
      const targets = Array.from({ length: 1000 }, (_, i) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', name: `Bulk ${i}` }));
      const t0 = performance.now();
      const r = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: targets });
      expect(r.status).toBe(200);
      expect(r.json.Ids).toHaveLength(1000);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(1430);
    } finally {
      await api.emu.close();
    }
  });

  test("a response waits for its modelled execution time less the emulator's own work on it, never more", () => {
    // A bulk request of 1,000 rows: 288 + 1,152 = 1,440 ms of execution at clock x1.
    const bulk = DEFAULT_COST_MODEL.bulkBaseMs + 1000 * DEFAULT_COST_MODEL.bulkPerRecordMs;
    // 300 ms of the emulator's work (SQLite, JSON) are part of the 1,440 ms, not on top of them.
    expect(responseDelayMs(bulk, 1, 300)).toBeCloseTo(1140, 6);
    // Work that took longer than the modelled time: the answer goes as soon as it is ready (slower than modelled).
    expect(responseDelayMs(bulk, 1, 2000)).toBe(0);
    // The scaled clock: 1,440 ms at x60 is 24 ms of real time.
    expect(responseDelayMs(bulk, 60, 0)).toBeCloseTo(24, 6);
    expect(responseDelayMs(bulk, 60, 10)).toBeCloseTo(14, 6);
  });
});

describe('service protection limits (production numbers, scaled clock)', () => {
  test('6,000 requests per 300 s window: the 6,001st gets 429 0x80072322 with a Retry-After that grows while throttled', async () => {
    // clockScale 4: the 300 s window lasts 75 s of real time (room for a slow, shared machine to send 6,000).
    const api = await startApi({ limits: 'production', clockScale: 4, costModel: { readBaseMs: 1, readPerRowMs: 0 } });
    try {
      const statuses = await pool(6000, 24, async () => (await api.call('GET', 'WhoAmI')).status);
      expect(statuses.every((s) => s === 200)).toBe(true);
      const r = await api.call('GET', 'WhoAmI');
      expect(r.status).toBe(429);
      expect(r.json.error).toEqual({ code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' });
      const first = Number(r.headers.get('retry-after'));
      expect(first).toBeGreaterThan(0);
      expect(first).toBeLessThanOrEqual(75);
      const again = await api.call('GET', 'WhoAmI');
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(first);
      expect(api.emu.counters().throttled['0x80072322']).toBe(2);
    } finally {
      await api.emu.close();
    }
  }, 60_000);

  test('1,200,000 ms of combined execution time: the next request gets 429 0x80072321', async () => {
    // clockScale 100 (window 3 s); each GET costs 100 s of execution (1 s real).
    const api = await startApi({ limits: 'production', clockScale: 100, costModel: { readBaseMs: 100_000 } });
    try {
      const first = await Promise.all(Array.from({ length: 12 }, () => api.call('GET', 'WhoAmI')));
      expect(first.every((r) => r.status === 200)).toBe(true);
      const r = await api.call('GET', 'WhoAmI');
      expect(r.status).toBe(429);
      expect(r.json.error.code).toBe('0x80072321');
      expect(r.json.error.message).toBe(
        'Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.',
      );
      expect(r.headers.get('retry-after')).toMatch(/^\d+\.\d{3}$/);
    } finally {
      await api.emu.close();
    }
  });

  test('52 concurrent requests: the 53rd gets 429 0x80072326', async () => {
    // clockScale 100: each GET holds its slot for 3 s of real time, so all 60 arrive while the first are running.
    const api = await startApi({ limits: 'production', clockScale: 100, costModel: { readBaseMs: 300_000 } });
    try {
      const all = await Promise.all(Array.from({ length: 60 }, () => api.call('GET', 'WhoAmI')));
      const throttled = all.filter((r) => r.status === 429);
      expect(all.filter((r) => r.status === 200)).toHaveLength(52);
      expect(throttled).toHaveLength(8);
      expect(throttled[0].json.error).toEqual({ code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' });
    } finally {
      await api.emu.close();
    }
  });

  test('limits are per user: a second application user is not throttled by the first', async () => {
    const emu = await startDataverseEmulator({
      limits: { maxRequests: 3, maxExecutionTimeMs: 1e9, maxConcurrent: 52, windowMs: 300_000 },
      clients: [
        { clientId: 'app-one', clientSecret: 's1' },
        { clientId: 'app-two', clientSecret: 's2' },
      ],
      costModel: { readBaseMs: 0 },
    });
    try {
      const t1 = await getToken(emu, 'app-one', 's1');
      const t2 = await getToken(emu, 'app-two', 's2');
      const who = (t: string) => fetch(`${emu.webApiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${t}` } });
      const first = [await who(t1), await who(t1), await who(t1), await who(t1)];
      expect(first.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      const second = await who(t2);
      expect(second.status).toBe(200);
      // Its own budget: the first user's three requests are not counted against it.
      expect(second.headers.get('x-ms-ratelimit-burst-remaining-xrm-requests')).toBe('2');
      // Each client is its own application user (a systemuser with the app's id, non-interactive access mode).
      const ids = [((await first[0].json()) as { UserId: string }).UserId, ((await second.json()) as { UserId: string }).UserId];
      expect(ids).toEqual([emu.applicationUserId('app-one'), emu.applicationUserId('app-two')]);
      const users = (await emu.snapshot(['systemuser'])).systemuser.filter((u) => ids.includes(String(u.systemuserid)));
      expect(users.map((u) => [u.applicationid, u.accessmode]).sort()).toEqual([['app-one', 4], ['app-two', 4]]);
    } finally {
      await emu.close();
    }
  });
});
