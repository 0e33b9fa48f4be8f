/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field */
import { parseBatch, serializeBatchRequest, type BatchItem, type BatchRequest } from '@astep/dataverse-emulator';
import { provisionSchema, startWithSchema, waitForKeys, type Api } from './helpers';

let api: Api;
beforeAll(async () => {
  api = await startWithSchema({ bulkSupportedTables: ['account', 'contact', 'astep_matter'] });
  await provisionSchema(api);
  for (const t of ['account', 'contact', 'astep_matter']) await waitForKeys(api, t);
});
afterAll(async () => api.emu.close());

async function batch(items: BatchItem[], prefer?: string, raw?: string) {
  const boundary = 'batch_test123';
  const body = raw ?? serializeBatchRequest(items, boundary);
  const r = await api.call('POST', '$batch', body, { 'Content-Type': `multipart/mixed; boundary=${boundary}`, ...(prefer ? { Prefer: prefer } : {}) });
  const ct = r.headers.get('content-type') ?? '';
  const parts = ct.startsWith('multipart/mixed') ? parseResponse(r.text, ct) : [];
  return { ...r, parts, ct };
}
/** Minimal response parser (independent of the emulator's serializer) returning status + body per part. */
function parseResponse(text: string, ct: string): Array<{ status: number; body: any; headers: string; contentId?: string }> {
  const boundary = /boundary=([^;]+)/.exec(ct)![1];
  const out: Array<{ status: number; body: any; headers: string; contentId?: string }> = [];
  const walk = (t: string, b: string) => {
    for (const part of t.split(`--${b}`).slice(1)) {
      if (part.startsWith('--')) break;
      const inner = /boundary=(changesetresponse_[0-9a-f-]+)/.exec(part);
      if (inner) {
        walk(part, inner[1]);
        continue;
      }
      const m = /HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(part);
      if (!m) continue;
      const body = m[3].trim();
      const cid = /Content-ID: (\S+)/.exec(part.slice(0, part.indexOf('HTTP/1.1')));
      out.push({ status: Number(m[1]), headers: m[2], body: body ? JSON.parse(body) : undefined, contentId: cid?.[1] });
    }
  };
  walk(text, boundary);
  return out;
}
const req = (method: string, url: string, body?: unknown, contentId?: string): BatchRequest => ({
  method,
  url,
  headers: body !== undefined ? { 'Content-Type': 'application/json; type=entry' } : ({} as Record<string, string>),
  body: body !== undefined ? JSON.stringify(body) : '',
  contentId,
});

describe('$batch', () => {
  test('parser reads change sets, Content-ID and bodies (CRLF)', () => {
    const text = serializeBatchRequest([{ kind: 'changeset', requests: [req('POST', 'accounts', { name: 'a' }, '1')] }, { kind: 'request', request: req('GET', 'accounts?$top=1') }], 'batch_x');
    const items = parseBatch(text, 'multipart/mixed; boundary="batch_x"');
    expect(items[0].kind).toBe('changeset');
    expect(items[0].kind === 'changeset' && items[0].requests[0]).toMatchObject({ method: 'POST', url: '/api/data/v9.2/accounts', contentId: '1', body: '{"name":"a"}' });
    expect(items[1]).toMatchObject({ kind: 'request', request: { method: 'GET' } });
  });

  test('change set with Content-ID references in URL and @odata.bind; GET outside; response boundary batchresponse_', async () => {
    const r = await batch([
      {
        kind: 'changeset',
        requests: [
          req('POST', 'accounts', { name: 'Batch parent', astep_sourceid: 'B-P' }, '1'),
          req('POST', 'contacts', { lastname: 'Batch child', 'parentcustomerid_account@odata.bind': '$1' }, '2'),
          req('PATCH', '$1', { telephone1: '777' }, '3'),
        ],
      },
      { kind: 'request', request: req('GET', `accounts?$select=telephone1&$filter=${encodeURIComponent("astep_sourceid eq 'B-P'")}`) },
    ]);
    expect(r.status).toBe(200);
    expect(r.ct).toMatch(/^multipart\/mixed; boundary=batchresponse_[0-9a-f-]{36}$/);
    expect(r.parts.map((p) => p.status)).toEqual([204, 204, 204, 200]);
    expect(r.parts[0].contentId).toBe('1');
    expect(r.parts[3].body.value[0].telephone1).toBe('777');
  });

  test('a failing change set rolls back entirely and stops the batch', async () => {
    const r = await batch([
      { kind: 'changeset', requests: [req('POST', 'accounts', { name: 'Rollback me', astep_sourceid: 'RB-1' }, '1'), req('POST', 'accounts', { name: 'x'.repeat(161) }, '2')] },
      { kind: 'request', request: req('POST', 'accounts', { name: 'never' }) },
    ]);
    expect(r.status).toBe(400);
    expect(r.parts).toHaveLength(1);
    expect(r.parts[0].body.error.code).toBe('0x80044331');
    const check = await api.call('GET', "accounts?$filter=astep_sourceid eq 'RB-1' or name eq 'never'");
    expect(check.json.value).toHaveLength(0);
  });

  test('Prefer: odata.continue-on-error runs every part', async () => {
    const r = await batch(
      [
        { kind: 'request', request: req('POST', 'accounts', { name: 'ok 1' }) },
        { kind: 'request', request: req('POST', 'accounts', { Name: 'bad' }) },
        { kind: 'request', request: req('POST', 'accounts', { name: 'ok 2' }) },
      ],
      'odata.continue-on-error',
    );
    expect(r.status).toBe(200);
    expect(r.parts.map((p) => p.status)).toEqual([204, 400, 204]);
  });

  test('LF-only bodies, unknown Content-ID, GET inside a change set and > 1000 operations are rejected', async () => {
    const lf = serializeBatchRequest([{ kind: 'request', request: req('GET', 'accounts?$top=1') }], 'batch_test123').replace(/\r\n/g, '\n');
    const r1 = await batch([], undefined, lf);
    expect(r1.status).toBe(400);
    expect(r1.json.error.code).toBe('0x80048d19');
    expect(r1.json.error.message).toContain('Stream was not readable');
    const workaround = await batch([], undefined, lf + '\n\n');
    expect(workaround.status).toBe(200);
    const r2 = await batch([{ kind: 'changeset', requests: [req('PATCH', '$9', { name: 'x' }, '1')] }]);
    expect(r2.parts[0].body.error.message).toBe("Content-ID Reference: '$9' does not exist in the batch context.");
    const r3 = await batch([{ kind: 'changeset', requests: [req('GET', 'accounts')] }]);
    expect(r3.parts[0].status).toBe(400);
    const many = Array.from({ length: 1001 }, () => ({ kind: 'request' as const, request: req('GET', 'WhoAmI') }));
    const r4 = await batch(many);
    expect(r4.status).toBe(400);
    expect(r4.json.error.message).toContain("A maximum number of '1000' operations");
  });
});

describe('bulk actions', () => {
  const t = (o: Record<string, unknown>, table = 'account') => ({ '@odata.type': `Microsoft.Dynamics.CRM.${table}`, ...o });

  test('CreateMultiple returns Ids in order; UpdateMultiple by primary key', async () => {
    const r = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: [t({ name: 'Bulk 1' }), t({ name: 'Bulk 2' })] });
    expect(r.status).toBe(200);
    expect(r.json['@odata.context']).toContain('Microsoft.Dynamics.CRM.CreateMultipleResponse');
    expect(r.json.Ids).toHaveLength(2);
    const u = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.UpdateMultiple', { Targets: r.json.Ids.map((id: string, i: number) => t({ accountid: id, telephone1: `u${i}` })) });
    expect(u.status).toBe(204);
    expect((await api.call('GET', `accounts(${r.json.Ids[1]})?$select=telephone1`)).json.telephone1).toBe('u1');
  });

  test('all-or-nothing: one bad target fails the request with its error and writes nothing', async () => {
    const r = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: [t({ name: 'AON ok', astep_sourceid: 'AON-1' }), t({ name: 'y'.repeat(200) })] });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toBe('0x80044331');
    expect((await api.call('GET', "accounts?$filter=astep_sourceid eq 'AON-1'")).json.value).toHaveLength(0);
    const noType = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: [{ name: 'no type' }] });
    expect(noType.status).toBe(400);
    expect(noType.json.error.message).toContain("'@odata.type' annotation is required");
  });

  test('UpsertMultiple by @odata.id alternate key and by primary key; repeating the key column on create → 0x80040216', async () => {
    const r = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', {
      Targets: [t({ '@odata.id': "accounts(astep_sourceid='UM-1')", name: 'UM one' }), t({ accountid: '12121212-3434-4565-8787-909090909090', name: 'UM pk' })],
    });
    expect(r.status).toBe(204);
    const again = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: [t({ '@odata.id': "accounts(astep_sourceid='UM-1')", name: 'UM one v2', astep_sourceid: 'UM-1' })] });
    expect(again.status).toBe(204); // the update path tolerates the repeated key column
    const got = await api.call('GET', "accounts?$select=name&$filter=astep_sourceid eq 'UM-1'");
    expect(got.json.value).toEqual([expect.objectContaining({ name: 'UM one v2' })]);
    const bad = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.UpsertMultiple', { Targets: [t({ '@odata.id': "accounts(astep_sourceid='UM-2')", name: 'x', astep_sourceid: 'UM-2' })] });
    expect(bad.json.error).toEqual({ code: '0x80040216', message: 'An unexpected error occurred.' });
  });

  test('DeleteMultiple on a standard table is not implemented; availability follows sdkmessagefilters', async () => {
    const d = await api.call('POST', 'accounts/Microsoft.Dynamics.CRM.DeleteMultiple', { Targets: [] });
    expect(d.json.error.message).toBe('DeleteMultiple has not yet been implemented.');
    const q = (table: string) => api.call('GET', `sdkmessagefilters?$select=sdkmessagefilterid&$filter=${encodeURIComponent(`sdkmessageid/name eq 'CreateMultiple' and primaryobjecttypecode eq '${table}'`)}`);
    expect((await q('account')).json.value).toHaveLength(1);
    expect((await q('task')).json.value).toHaveLength(0);
    const task = await api.call('POST', 'tasks/Microsoft.Dynamics.CRM.CreateMultiple', { Targets: [t({ subject: 's' }, 'task')] });
    expect(task.status).toBe(400);
    expect(task.json.error.message).toContain("does not support entities of type 'task'");
  });
});

describe('defaults, counters and snapshot', () => {
  test('default page size is 5,000; counters and snapshot report what was written', async () => {
    api.emu.resetCounters();
    const Targets = Array.from({ length: 5100 }, (_, i) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.astep_matter', astep_name: `Bulk matter ${i}`, astep_sourceid: `BM-${i}` }));
    const r = await api.call('POST', 'astep_matters/Microsoft.Dynamics.CRM.CreateMultiple', { Targets });
    expect(r.status).toBe(200);
    const page = await api.call('GET', 'astep_matters?$select=astep_name');
    expect(page.json.value).toHaveLength(5000);
    expect(page.json['@odata.nextLink']).toBeTruthy();
    const rest = await api.call('GET', page.json['@odata.nextLink']);
    expect(rest.json.value.length).toBeGreaterThanOrEqual(100);
    const c = api.emu.counters();
    expect(c.recordsWritten).toBe(5100);
    expect(c.byKind.bulk).toBe(1);
    expect(c.byKind.read).toBe(2);
    expect(c.byStatus['200']).toBe(3);
    const snap = await api.emu.snapshot(['astep_matter']);
    expect(snap.astep_matter.filter((m) => String(m.astep_sourceid).startsWith('BM-'))).toHaveLength(5100);
    expect(Object.keys(snap.astep_matter[0]).some((k) => k.includes('@'))).toBe(false);
  });
});
