import { BulkWriter, type TableRef, type UpsertTarget } from '../src/bulkWriter';
import { DataverseClient } from '../src/dataverseClient';
import { CredentialError } from '../src/errors';
import type { HttpResponse } from '../src/types';
import { dvError, json, noContent, staticToken, stubTransport, WEB_API, type RecordedRequest } from './stubTransport';

const ACCOUNTS: TableRef = { logicalName: 'account', entitySetName: 'accounts', primaryIdAttribute: 'accountid' };
const tooLong = (name: unknown) => typeof name === 'string' && name.length > 160;
const lengthError = () =>
  dvError(400, '0x80044331', "A validation error occurred. The length of the 'name' attribute of the 'account' entity exceeded the maximum allowed length of '160'.");

function targets(n: number, bad: number[] = []): UpsertTarget[] {
  return Array.from({ length: n }, (_, i) => ({ key: { astep_sourceid: `m-${i}` }, attributes: { name: bad.includes(i) ? 'x'.repeat(161) : `Matter ${i}`, astep_sourceid: `m-${i}` }, ref: `matter:${i}` }));
}

/** Parses the operations of a `$batch` request body (enough for these tests). */
function batchOps(req: RecordedRequest): Array<{ method: string; url: string; body?: Record<string, unknown> }> {
  const boundary = /boundary=(\S+)/.exec(req.headers['Content-Type'])![1];
  return req.body!.split(`--${boundary}`).slice(1, -1).map((part) => {
    const m = /\r\n\r\n(\w+) (\S+) HTTP\/1\.1\r\n[\s\S]*?\r\n\r\n([\s\S]*)$/.exec(part)!;
    const text = m[3].trim();
    return { method: m[1], url: m[2], body: text ? JSON.parse(text) : undefined };
  });
}

function batchReply(statuses: Array<{ status: number; error?: { code: string; message: string }; entityId?: string }>): HttpResponse {
  const b = 'batchresponse_test';
  const parts = statuses.map((s) => {
    const head = `HTTP/1.1 ${s.status} X\r\n${s.entityId ? `OData-EntityId: ${s.entityId}\r\n` : ''}${s.error ? 'Content-Type: application/json\r\n' : ''}\r\n`;
    return `--${b}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n${head}${s.error ? JSON.stringify({ error: s.error }) : ''}\r\n`;
  });
  return { status: 200, headers: { 'content-type': `multipart/mixed; boundary=${b}` }, bodyText: parts.join('') + `--${b}--\r\n` };
}

describe('BulkWriter', () => {
  it('isolates bad records by bisection: 3 over-long names in 1,000 → 997 upserted, 3 failed naming the record', async () => {
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{ sdkmessagefilterid: 'f' }] });
      const body = req.json as { Targets: Array<Record<string, unknown>> };
      // All-or-nothing like a standard table: one bad target fails the whole request.
      if (body.Targets.some((t) => tooLong(t.name))) return lengthError();
      return noContent();
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const progress: number[] = [];
    const writer = new BulkWriter(client, { onProgress: (done) => progress.push(done) });
    const results = await writer.upsertMany(ACCOUNTS, targets(1000, [3, 500, 999]));
    expect(results).toHaveLength(1000);
    expect(results.filter((r) => r.outcome === 'upserted')).toHaveLength(997);
    const failed = results.filter((r) => r.outcome === 'failed');
    expect(failed.map((r) => r.index)).toEqual([3, 500, 999]);
    expect(failed[0]).toMatchObject({ ref: 'matter:3', status: 400, errorCode: '0x80044331' });
    expect(failed[0].message).toContain('matter:3');
    expect(failed[0].message).toContain("astep_sourceid='m-3'");
    expect(failed[0].message).toContain("'name' attribute");
    results.forEach((r, i) => expect(r.index).toBe(i));
    // Bisection is logarithmic: far fewer than one request per record.
    const bulkCalls = stub.requests.filter((r) => r.url.endsWith('UpsertMultiple'));
    expect(bulkCalls.length).toBeLessThan(70);
    expect(progress[progress.length - 1]).toBe(1000);
    // Targets carry @odata.type and the key as @odata.id; the key column is not repeated in the body.
    const t0 = (bulkCalls[0].json as { Targets: Array<Record<string, unknown>> }).Targets[0];
    expect(t0['@odata.type']).toBe('Microsoft.Dynamics.CRM.account');
    expect(t0['@odata.id']).toBe("accounts(astep_sourceid='m-0')");
    expect(t0).not.toHaveProperty('astep_sourceid');
  });

  it('falls back to $batch alternate-key PATCH upserts with continue-on-error when the table has no bulk messages', async () => {
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [] });
      if (req.url.endsWith('$batch')) {
        expect(req.headers.Prefer).toBe('odata.continue-on-error');
        return batchReply(batchOps(req).map((op) => (tooLong(op.body?.name) ? { status: 400, error: { code: '0x80044331', message: "The length of the 'name' attribute exceeded 160" } } : { status: 204, entityId: `${WEB_API}accounts(00000000-0000-0000-0000-000000000001)` })));
      }
      throw new Error(`unexpected ${req.method} ${req.url}`);
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const writer = new BulkWriter(client, { batchOperationSize: 50 });
    const results = await writer.upsertMany(ACCOUNTS, targets(120, [7]));
    expect(results.filter((r) => r.outcome === 'upserted')).toHaveLength(119);
    expect(results[7]).toMatchObject({ outcome: 'failed', errorCode: '0x80044331', ref: 'matter:7' });
    const batches = stub.requests.filter((r) => r.url.endsWith('$batch'));
    expect(batches.every((b) => batchOps(b).length <= 50)).toBe(true);
    expect(batches.reduce((n, b) => n + batchOps(b).length, 0)).toBe(120);
    const ops = batchOps(batches[0]);
    expect(ops[0]).toMatchObject({ method: 'PATCH', url: `${WEB_API}accounts(astep_sourceid='m-0')` });
    expect(ops[0].body).not.toHaveProperty('astep_sourceid');
  });

  it('finds one-column keys a URL cannot carry with one read, then writes them by id in bulk beside the rest', async () => {
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      if (req.method === 'GET' && req.url.includes('$filter=')) {
        // Stored as 'X&Y': the key matches case-insensitively, as under Dataverse's default collation.
        return json(200, { value: decodeURIComponent(req.url).includes("'x&y'") ? [{ accountid: '00000000-0000-0000-0000-0000000000aa', astep_sourceid: 'X&Y' }] : [] });
      }
      if (req.url.endsWith('UpsertMultiple')) return noContent();
      throw new Error(`unexpected ${req.method} ${req.url}`);
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const t = targets(4);
    t[1].key = { astep_sourceid: 'a/b' };
    t[2].key = { astep_sourceid: 'x&y' };
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, t);
    expect(results.map((r) => r.outcome)).toEqual(['upserted', 'upserted', 'upserted', 'upserted']);
    expect(results[2].id).toBe('00000000-0000-0000-0000-0000000000aa');
    expect(results[1].id).toMatch(/^[0-9a-f-]{36}$/);
    // Both keys in one read, one In() over the key column; nothing sent one by one.
    const reads = stub.requests.filter((r) => r.method === 'GET' && r.url.includes('/accounts?'));
    expect(reads).toHaveLength(1);
    expect(decodeURIComponent(reads[0].url)).toContain("Microsoft.Dynamics.CRM.In(PropertyName='astep_sourceid',PropertyValues=['a/b','x&y'])");
    expect(stub.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/accounts'))).toHaveLength(0);
    expect(stub.requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
    const written = stub.requests.filter((r) => r.url.endsWith('UpsertMultiple')).flatMap((r) => (r.json as { Targets: Array<Record<string, unknown>> }).Targets);
    expect(written).toHaveLength(4);
    // The new row carries its key column and the id it is created with; the found row is addressed by its id.
    expect(written.find((x) => x.accountid === results[1].id)).toMatchObject({ astep_sourceid: 'a/b', name: 'Matter 1' });
    const found = written.find((x) => x.accountid === '00000000-0000-0000-0000-0000000000aa')!;
    expect(found).not.toHaveProperty('astep_sourceid');
    expect(found).not.toHaveProperty('@odata.id');
    expect(written.filter((x) => typeof x['@odata.id'] === 'string')).toHaveLength(2);
  });

  it('writes a row found by key alone again when its key was created elsewhere between the read and the write', async () => {
    let created = false;
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      if (req.method === 'GET' && req.url.includes('$filter=')) return json(200, { value: created ? [{ accountid: '00000000-0000-0000-0000-0000000000cc', astep_sourceid: 'a/b' }] : [] });
      if (req.url.endsWith('UpsertMultiple')) {
        // Another writer created 'a/b' after our read: the create by our new id meets the alternate key.
        created = true;
        return dvError(400, '0x80060892', 'A record that has the attribute values Source Id already exists.');
      }
      if (req.method === 'PATCH' && req.url.endsWith('accounts(00000000-0000-0000-0000-0000000000cc)')) return noContent();
      throw new Error(`unexpected ${req.method} ${req.url}`);
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, [{ key: { astep_sourceid: 'a/b' }, attributes: { name: 'AB' }, ref: 'ab' }]);
    expect(results[0]).toMatchObject({ outcome: 'upserted', id: '00000000-0000-0000-0000-0000000000cc' });
    const patch = stub.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.json).toMatchObject({ name: 'AB' });
    expect(patch.headers['If-Match']).toBe('*');
  });

  it('names a row found by key by that key when it fails', async () => {
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      if (req.method === 'GET') return json(200, { value: [] });
      return lengthError();
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, [{ key: { astep_sourceid: 'a/b' }, attributes: { name: 'x'.repeat(161) }, ref: 'ab' }]);
    expect(results[0]).toMatchObject({ outcome: 'failed', errorCode: '0x80044331' });
    expect(results[0].message).toContain("Record ab (astep_sourceid='a/b')");
  });

  it('still finds keys of several columns a URL cannot carry one by one: $filter query, then create or update by id', async () => {
    const TWO: TableRef = { logicalName: 'astep_timeentry', entitySetName: 'astep_timeentries', primaryIdAttribute: 'astep_timeentryid' };
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      if (req.method === 'GET' && req.url.includes('$filter=')) {
        const f = decodeURIComponent(req.url);
        return json(200, { value: f.includes("'x&y'") ? [{ astep_timeentryid: '00000000-0000-0000-0000-0000000000aa' }] : [] });
      }
      if (req.method === 'POST' && req.url.endsWith('/astep_timeentries')) return noContent({ 'odata-entityid': `${WEB_API}astep_timeentries(00000000-0000-0000-0000-0000000000bb)` });
      if (req.method === 'PATCH') return noContent();
      throw new Error(`unexpected ${req.method} ${req.url}`);
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const results = await new BulkWriter(client).upsertMany(TWO, [
      { key: { astep_sourceid: 'a/b', astep_runid: 'r1' }, attributes: { astep_name: 'one' }, ref: 'one' },
      { key: { astep_sourceid: 'x&y', astep_runid: 'r1' }, attributes: { astep_name: 'two' }, ref: 'two' },
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['upserted', 'upserted']);
    expect(results[0].id).toBe('00000000-0000-0000-0000-0000000000bb');
    expect(results[1].id).toBe('00000000-0000-0000-0000-0000000000aa');
    const post = stub.requests.find((r) => r.method === 'POST' && r.url.endsWith('/astep_timeentries'))!;
    expect(post.json).toMatchObject({ astep_sourceid: 'a/b', astep_runid: 'r1', astep_name: 'one' });
    const patch = stub.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.url).toBe(`${WEB_API}astep_timeentries(00000000-0000-0000-0000-0000000000aa)`);
    expect(patch.headers['If-Match']).toBe('*');
  });

  it('fails records with an unusable key (blank value, non-GUID id) before sending, and writes the rest in bulk', async () => {
    const stub = stubTransport((req) => (req.url.includes('sdkmessagefilters') ? json(200, { value: [{}] }) : noContent()));
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const t = targets(4);
    t[0].key = { astep_sourceid: '' };
    t[3].key = { id: 'not-a-guid' };
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, t);
    expect(results.map((r) => r.outcome)).toEqual(['failed', 'upserted', 'upserted', 'failed']);
    expect(results[0]).toMatchObject({ errorCode: 'InvalidKeyValue', ref: 'matter:0' });
    expect(results[0].message).toMatch(/matter:0.*cannot be blank/);
    expect(results[3].message).toMatch(/not a GUID/);
    const bulk = stub.requests.filter((r) => r.url.endsWith('UpsertMultiple'));
    expect(bulk.flatMap((r) => (r.json as { Targets: unknown[] }).Targets)).toHaveLength(2);
    // A bad id alone is caught too.
    const alone = await new BulkWriter(client).updateMany(ACCOUNTS, [{ id: 'nope', attributes: { name: 'x' }, ref: 'u1' }]);
    expect(alone[0]).toMatchObject({ outcome: 'failed', errorCode: 'InvalidKeyValue', ref: 'u1' });
  });

  it('writes repeated keys in later waves, in input order, so the last target for a key wins', async () => {
    const seenOrder: string[] = [];
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      const ts = (req.json as { Targets: Array<Record<string, unknown>> }).Targets;
      const ids = ts.map((t) => String(t['@odata.id']));
      if (new Set(ids).size !== ids.length) return dvError(400, '0x80060892', 'duplicate key in one request');
      for (const t of ts) seenOrder.push(`${t['@odata.id']}=${t.name}`);
      return noContent();
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const progress: Array<[number, number]> = [];
    const t = targets(5);
    t[3] = { key: { astep_sourceid: 'm-1' }, attributes: { name: 'second' }, ref: 'dup' };
    const results = await new BulkWriter(client, { onProgress: (d, n) => progress.push([d, n]) }).upsertMany(ACCOUNTS, t);
    expect(results.map((r) => r.outcome)).toEqual(['upserted', 'upserted', 'upserted', 'upserted', 'upserted']);
    expect(results[3].ref).toBe('dup');
    expect(seenOrder.indexOf("accounts(astep_sourceid='m-1')=second")).toBeGreaterThan(seenOrder.indexOf("accounts(astep_sourceid='m-1')=Matter 1"));
    expect(progress[progress.length - 1]).toEqual([5, 5]);
  });

  it('does not split a request rejected for authentication: every record fails once with the 401', async () => {
    const stub = stubTransport((req) => (req.url.includes('sdkmessagefilters') ? json(200, { value: [{}] }) : dvError(401, '', 'Bearer token expired')));
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, targets(200));
    expect(results.every((r) => r.outcome === 'failed' && r.status === 401)).toBe(true);
    expect(stub.requests.filter((r) => r.url.endsWith('UpsertMultiple'))).toHaveLength(1);
  });

  it('createMany is idempotent across a lost response: the retry finds its own ids and reports them created', async () => {
    const stored = new Set<string>();
    let dropped = false;
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      if (req.url.endsWith('CreateMultiple')) {
        const ids = (req.json as { Targets: Array<Record<string, unknown>> }).Targets.map((t) => String(t.accountid));
        if (ids.some((id) => stored.has(id))) return dvError(412, '0x80040237', 'Cannot insert duplicate key.');
        ids.forEach((id) => stored.add(id));
        if (!dropped) {
          dropped = true; // the server wrote the rows, then the connection dropped before the answer
          throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
        }
        return json(200, { Ids: ids });
      }
      if (req.method === 'GET' && req.url.includes('Microsoft.Dynamics.CRM.In')) {
        const asked = [...decodeURIComponent(req.url).matchAll(/'([0-9a-f-]{36})'/g)].map((m) => m[1]);
        return json(200, { value: asked.filter((id) => stored.has(id)).map((accountid) => ({ accountid })) });
      }
      throw new Error(`unexpected ${req.method} ${req.url}`);
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, retry: { retryDelayInMs: 1 } });
    const rows = Array.from({ length: 30 }, (_, i) => ({ attributes: { name: `n${i}` }, ref: `r${i}` }));
    const results = await new BulkWriter(client).createMany(ACCOUNTS, rows);
    expect(results.every((r) => r.outcome === 'created')).toBe(true);
    expect(stored.size).toBe(30);
    expect(new Set(results.map((r) => r.id)).size).toBe(30);
    results.forEach((r) => expect(stored.has(r.id!)).toBe(true));
  });

  it('retries transient per-operation failures inside a $batch', async () => {
    let first = true;
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [] });
      const ops = batchOps(req);
      const reply = batchReply(ops.map((_, i) => (first && i === 1 ? { status: 500, error: { code: '0x80044150', message: 'deadlock' } } : { status: 204 })));
      first = false;
      return reply;
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, targets(3));
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
    expect(stub.requests.filter((r) => r.url.endsWith('$batch'))).toHaveLength(2);
  });

  it('createMany returns ids in order from CreateMultiple; deleteMany uses $batch DELETE', async () => {
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      if (req.url.endsWith('CreateMultiple')) {
        const n = (req.json as { Targets: unknown[] }).Targets.length;
        return json(200, { Ids: Array.from({ length: n }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`) });
      }
      if (req.url.endsWith('$batch')) {
        const ops = batchOps(req);
        expect(ops.every((o) => o.method === 'DELETE')).toBe(true);
        return batchReply(ops.map((o, i) => (i === 0 ? { status: 404, error: { code: '0x80040217', message: `account With Id = ${o.url.slice(-37, -1)} Does Not Exist` } } : { status: 204 })));
      }
      throw new Error('unexpected');
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const writer = new BulkWriter(client);
    const created = await writer.createMany(ACCOUNTS, [{ attributes: { name: 'a' }, ref: 'a' }, { attributes: { name: 'b' }, ref: 'b' }]);
    expect(created).toEqual([
      { index: 0, ref: 'a', outcome: 'created', id: '00000000-0000-0000-0000-000000000000', status: 200 },
      { index: 1, ref: 'b', outcome: 'created', id: '00000000-0000-0000-0000-000000000001', status: 200 },
    ]);
    const deleted = await writer.deleteMany(ACCOUNTS, created.map((c) => ({ id: c.id!, ref: c.ref })));
    expect(deleted.map((d) => d.outcome)).toEqual(['failed', 'deleted']);
    expect(deleted[0].errorCode).toBe('0x80040217');
  });

  it('switches to $batch when the bulk action turns out not to exist', async () => {
    const stub = stubTransport((req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      if (req.url.endsWith('UpsertMultiple')) return dvError(404, '0x8006088a', "Resource not found for the segment 'UpsertMultiple'.");
      return batchReply(batchOps(req).map(() => ({ status: 204 })));
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    const results = await new BulkWriter(client).upsertMany(ACCOUNTS, targets(10));
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
  });

  it('honours Retry-After for the whole writer and shrinks batches under SQL timeouts', async () => {
    let throttledAt = 0;
    let n = 0;
    const stub = stubTransport(async (req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      n++;
      await new Promise((r) => setTimeout(r, 2));
      const size = (req.json as { Targets: unknown[] }).Targets.length;
      if (n === 2) {
        throttledAt = Date.now();
        return dvError(429, '0x80072321', 'Combined execution time exceeded', { 'retry-after': '0.25' });
      }
      if (size > 100) return dvError(500, '0x80044151', 'SQL timeout');
      return noContent();
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport, retry: { maxRetries: 0 } });
    const writer = new BulkWriter(client, { initialBatchSize: 400 });
    const results = await writer.upsertMany(ACCOUNTS, targets(1200));
    expect(results.every((r) => r.outcome === 'upserted')).toBe(true);
    // Requests over 100 targets hit the SQL timeout; the writer shrank its batches until they went through.
    const sizes = stub.requests.filter((r) => r.url.endsWith('UpsertMultiple')).map((r) => (r.json as { Targets: unknown[] }).Targets.length);
    expect(sizes.some((n) => n > 100)).toBe(true);
    expect(sizes.filter((n) => n <= 100).reduce((a, b) => a + b, 0)).toBe(1200);
    const after = stub.requests.filter((r) => r.at > throttledAt && !r.url.includes('sdkmessagefilters'));
    expect(after.length).toBeGreaterThan(0); // else the loop below checks nothing
    for (const r of after) expect(r.at - throttledAt).toBeGreaterThanOrEqual(245);
  });

  it('stops with an AbortError when aborted', async () => {
    const ac = new AbortController();
    const stub = stubTransport(async (req) => {
      if (req.url.includes('sdkmessagefilters')) return json(200, { value: [{}] });
      ac.abort();
      return noContent();
    });
    const client = new DataverseClient({ webApiUrl: WEB_API, credential: staticToken, transport: stub.transport });
    await expect(new BulkWriter(client, { abortSignal: ac.signal, initialBatchSize: 10 }).upsertMany(ACCOUNTS, targets(100))).rejects.toThrow(/aborted/);
  });

  it('stops with the sign-in error instead of failing every record when no token can be had', async () => {
    const stub = stubTransport(() => noContent());
    const credential = { getToken: async () => { throw new CredentialError('Could not get a Dataverse token: invalid_client: AADSTS7000215: Invalid client secret provided.', false); } };
    const client = new DataverseClient({ webApiUrl: WEB_API, credential, transport: stub.transport });
    await expect(new BulkWriter(client).upsertMany(ACCOUNTS, targets(2_000))).rejects.toMatchObject({ status: 401, code: 'CredentialError', message: expect.stringContaining('AADSTS7000215') });
    expect(stub.requests).toHaveLength(0);
  });
});
