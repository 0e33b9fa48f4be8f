import { DataverseClient } from '../src/dataverseClient';
import { CredentialError, DataverseError } from '../src/errors';
import { dvError, json, noContent, staticToken, stubTransport, virtualClock, WEB_API } from './stubTransport';

describe('DataverseClient retry pipeline', () => {
  it('retries in order: 503 backs off, 429 waits exactly its Retry-After, then succeeds', async () => {
    const clock = virtualClock();
    const stub = stubTransport((_req, n) => {
      if (n === 1) return dvError(503, '0x80040216', 'Service unavailable');
      if (n === 2) return dvError(429, '0x80072322', 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.', { 'retry-after': '7' });
      return json(200, { UserId: 'u', BusinessUnitId: 'b', OrganizationId: 'o' }, { 'x-ms-dop-hint': '6' });
    }, clock);
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, retry: { clock, retryDelayInMs: 100 } });
    const who = await client.whoAmI();
    expect(who.dopHint).toBe(6);
    expect(stub.requests).toHaveLength(3);
    // 503: exponential backoff with jitter, between half and all of the first delay.
    const backoff = stub.requests[1].at - stub.requests[0].at;
    expect(backoff).toBeGreaterThanOrEqual(50);
    expect(backoff).toBeLessThanOrEqual(100);
    // 429: never before Retry-After.
    expect(stub.requests[2].at - stub.requests[1].at).toBeGreaterThanOrEqual(7000);
    expect(client.stats).toMatchObject({ requests: 3, retries: 2, throttled: 1 });
    expect(client.stats.byStatus).toMatchObject({ '503': 1, '429': 1, '200': 1 });
    expect(stub.requests[0].headers.Authorization).toBe('Bearer test-token');
    expect(client.concurrency.limit).toBe(6);
  });

  it('never retries a 4xx validation error and keeps the Dataverse code, status and headers', async () => {
    const stub = stubTransport(() => dvError(400, '0x80044331', "A validation error occurred. The length of the 'name' attribute of the 'account' entity exceeded the maximum allowed length of '160'.", { 'x-ms-service-request-id': 'r1' }));
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const err = await client.create('accounts', { name: 'x'.repeat(200) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataverseError);
    expect(err).toMatchObject({ status: 400, code: '0x80044331', headers: { 'x-ms-service-request-id': 'r1' } });
    expect((err as Error).message).toContain("'name' attribute");
    expect(stub.requests).toHaveLength(1);
  });

  it('retries network errors and SQL deadlocks with backoff, then gives up with a clear error', async () => {
    const clock = virtualClock();
    let n = 0;
    const stub = stubTransport(() => {
      n++;
      if (n === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      return dvError(500, '0x80044150', 'SQL deadlock');
    }, clock);
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, retry: { clock, maxRetries: 3 } });
    const err = (await client.delete('accounts', '00000000-0000-0000-0000-000000000001').catch((e: unknown) => e)) as DataverseError;
    expect(stub.requests).toHaveLength(4);
    expect(err.code).toBe('0x80044150');
    expect(client.stats.byStatus.network).toBe(1);
  });

  it('a refused credential fails the request at once with status 401 and code CredentialError; nothing is sent', async () => {
    const clock = virtualClock();
    const stub = stubTransport(() => noContent());
    const credential = { getToken: async () => { throw new CredentialError('Could not get a Dataverse token: invalid_client: AADSTS7000215: Invalid client secret provided.', false); } };
    const client = new DataverseClient({ webApiUrl: WEB_API, credential, transport: stub.transport, retry: { clock } });
    const err = (await client.create('accounts', { name: 'a' }).catch((e: unknown) => e)) as DataverseError;
    expect(err).toBeInstanceOf(DataverseError);
    expect(err).toMatchObject({ status: 401, code: 'CredentialError' });
    expect(err.message).toBe('POST /api/data/v9.2/accounts was not sent: Could not get a Dataverse token: invalid_client: AADSTS7000215: Invalid client secret provided.');
    expect(stub.requests).toHaveLength(0);
    expect(clock.sleeps).toEqual([]);
    expect(client.stats.requests).toBe(0);
  });

  it('a token endpoint that cannot be reached is retried with backoff like a network error', async () => {
    const clock = virtualClock();
    let calls = 0;
    const credential = { getToken: async () => { if (++calls < 3) throw new CredentialError('Could not get a Dataverse token: network_error', true); return 't'; } };
    const stub = stubTransport(() => noContent({ 'odata-entityid': `${WEB_API}accounts(00000000-0000-0000-0000-000000000009)` }));
    const client = new DataverseClient({ webApiUrl: WEB_API, credential, transport: stub.transport, retry: { clock } });
    await expect(client.create('accounts', { name: 'a' })).resolves.toBe('00000000-0000-0000-0000-000000000009');
    expect(clock.sleeps).toHaveLength(2);
    expect(stub.requests).toHaveLength(1);
  });

  it('refreshes the token once after a 401', async () => {
    let token = 'old';
    const credential = { getToken: async () => token, invalidate: () => { token = 'new'; } };
    const stub = stubTransport((req) => (req.headers.Authorization === 'Bearer new' ? noContent({ 'odata-entityid': `${WEB_API}accounts(00000000-0000-0000-0000-000000000009)` }) : dvError(401, '', 'expired')));
    const client = new DataverseClient({ webApiUrl: WEB_API, credential, transport: stub.transport });
    await expect(client.create('accounts', { name: 'a' })).resolves.toBe('00000000-0000-0000-0000-000000000009');
    expect(stub.requests).toHaveLength(2);
  });

  it('pauses every request of the client until a Retry-After has passed (real clock, concurrent sends)', async () => {
    let throttledAt = 0;
    const stub = stubTransport(async (req, n) => {
      await new Promise((r) => setTimeout(r, 5));
      if (n === 3) {
        throttledAt = Date.now();
        return dvError(429, '0x80072321', 'Combined execution time of incoming requests exceeded limit of 1,200,000 milliseconds over time window of 300 seconds.', { 'retry-after': '0.3' });
      }
      return json(200, { value: [] });
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, initialConcurrency: 2 });
    await Promise.all(Array.from({ length: 12 }, (_, i) => client.get(`accounts?$top=${i}`)));
    const after = stub.requests.filter((r) => r.at > throttledAt && throttledAt > 0);
    expect(after.length).toBeGreaterThan(0);
    // Nothing (neither the retry nor any other request) was sent inside the Retry-After window.
    for (const r of after) expect(r.at - throttledAt).toBeGreaterThanOrEqual(295);
    expect(client.stats.throttled).toBe(1);
  });

  it('follows @odata.nextLink page by page with Prefer odata.maxpagesize', async () => {
    const stub = stubTransport((req) => {
      if (req.url.includes('skiptoken=2')) return json(200, { value: [{ n: 3 }] });
      return json(200, { value: [{ n: 1 }, { n: 2 }], '@odata.nextLink': `${WEB_API}accounts?$select=name&$skiptoken=2` });
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const pages: unknown[][] = [];
    for await (const page of client.retrieveMultiple('accounts', { select: ['name'], filter: "name eq 'A B'", maxPageSize: 2 }).byPage()) pages.push(page);
    expect(pages).toEqual([[{ n: 1 }, { n: 2 }], [{ n: 3 }]]);
    expect(stub.requests[0].url).toBe(`${WEB_API}accounts?$select=name&$filter=name%20eq%20'A%20B'`);
    expect(stub.requests[0].headers.Prefer).toBe('odata.maxpagesize=2');
    const items: unknown[] = [];
    for await (const row of client.retrieveMultiple('accounts')) items.push(row);
    expect(items).toHaveLength(3);
  });

  it('retrieveByValues chunks values into Microsoft.Dynamics.CRM.In filters with escaped quotes', async () => {
    const stub = stubTransport((req) => json(200, { value: [{ url: req.url }] }));
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const values = Array.from({ length: 250 }, (_, i) => `v${i}`).concat(["O'Brien"]);
    const rows = await client.retrieveByValues('contacts', 'astep_sourceid', values, ['contactid']);
    expect(stub.requests.length).toBe(3);
    expect(rows).toHaveLength(3);
    const decoded = decodeURIComponent(stub.requests[2].url);
    expect(decoded).toContain("Microsoft.Dynamics.CRM.In(PropertyName='astep_sourceid',PropertyValues=[");
    expect(decoded).toContain("'O''Brien'");
  });

  it('returns null from retrieve when the row does not exist', async () => {
    const stub = stubTransport(() => dvError(404, '0x80040217', 'account With Id = 00000000-0000-0000-0000-000000000001 Does Not Exist'));
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    await expect(client.retrieve('accounts', '00000000-0000-0000-0000-000000000001')).resolves.toBeNull();
  });
});

describe('AdaptiveConcurrency in the client', () => {
  it('starts at the dop hint, grows with budget headers, never exceeds 52, halves on execution-time throttling', async () => {
    let budget = '1,200.00';
    const stub = stubTransport(async (req) => {
      await new Promise((r) => setTimeout(r, 3));
      if (req.url.endsWith('WhoAmI')) return json(200, { UserId: 'u', BusinessUnitId: 'b', OrganizationId: 'o' }, { 'x-ms-dop-hint': '4' });
      return json(200, { value: [] }, { 'x-ms-ratelimit-time-remaining-xrm-requests': budget });
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    await client.whoAmI();
    expect(client.concurrency.limit).toBe(4);
    await Promise.all(Array.from({ length: 200 }, () => client.get('accounts')));
    expect(stub.peak()).toBeLessThanOrEqual(52);
    expect(stub.peak()).toBeGreaterThan(4);
    expect(client.concurrency.limit).toBe(52);
    budget = '100.00'; // little execution time left: 100 s / 20 s horizon → 5
    await client.get('accounts');
    expect(client.concurrency.limit).toBe(5);
    client.concurrency.onThrottled('0x80072321');
    expect(client.concurrency.limit).toBe(2);
  });

  it('learns a lower ceiling from 0x80072326 and wins it back slowly', async () => {
    const { AdaptiveConcurrency } = await import('../src/adaptiveConcurrency');
    const c = new AdaptiveConcurrency({ initialConcurrency: 52 });
    const releases = await Promise.all(Array.from({ length: 30 }, () => c.acquire()));
    c.onThrottled('0x80072326');
    expect(c.limit).toBe(29);
    releases.forEach((r) => r());
    for (let i = 0; i < 100; i++) c.observe({ 'x-ms-ratelimit-time-remaining-xrm-requests': '1200' });
    expect(c.limit).toBe(31);
  });

  it('without budget headers grows additively from the hint', async () => {
    const stub = stubTransport(async () => {
      await new Promise((r) => setTimeout(r, 2));
      return json(200, { value: [] });
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, maxConcurrency: 10 });
    await Promise.all(Array.from({ length: 300 }, () => client.get('accounts')));
    expect(stub.peak()).toBeLessThanOrEqual(10);
    expect(client.concurrency.limit).toBe(10);
  });
});
