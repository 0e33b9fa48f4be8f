import { readBatch, writeBatch } from '../src/batchCodec';

const API = 'https://org.example/api/data/v9.2/';

describe('$batch codec', () => {
  it('writes CRLF multipart with absolute URLs and JSON entries', () => {
    const { contentType, body } = writeBatch(API, [
      { method: 'PATCH', url: "accounts(astep_sourceid='1')", body: { name: 'A' } },
      { method: 'GET', url: 'accounts?$select=name' },
    ]);
    const boundary = /boundary=(\S+)/.exec(contentType)![1];
    expect(body.startsWith(`--${boundary}\r\n`)).toBe(true);
    expect(body.endsWith(`--${boundary}--\r\n`)).toBe(true);
    expect(body.replace(/\r\n/g, '')).not.toContain('\n');
    expect(body).toContain(`PATCH ${API}accounts(astep_sourceid='1') HTTP/1.1\r\nContent-Type: application/json; type=entry\r\n\r\n{"name":"A"}`);
    expect(body).toContain(`GET ${API}accounts?$select=name HTTP/1.1\r\nAccept: application/json`);
  });

  it('puts writes in one change set with Content-IDs, GETs outside', () => {
    const { body } = writeBatch(API, [
      { method: 'POST', url: 'accounts', body: { name: 'A' } },
      { method: 'POST', url: 'contacts', body: { lastname: 'B', 'parentcustomerid_account@odata.bind': '$1' } },
      { method: 'GET', url: 'WhoAmI' },
    ], { changeSet: true });
    expect(body).toMatch(/Content-Type: multipart\/mixed; boundary=changeset_/);
    expect(body).toContain('Content-ID: 1\r\n');
    expect(body).toContain('Content-ID: 2\r\n');
    expect(body.indexOf('GET ')).toBeGreaterThan(body.lastIndexOf('changeset_'));
  });

  it('reads responses, nested change sets and errors in order', () => {
    const b = 'batchresponse_1';
    const cs = 'changesetresponse_2';
    const text = [
      `--${b}`,
      `Content-Type: multipart/mixed; boundary=${cs}`,
      '',
      `--${cs}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      'Content-ID: 1',
      '',
      'HTTP/1.1 204 No Content',
      'OData-Version: 4.0',
      'OData-EntityId: https://org.example/api/data/v9.2/accounts(00000000-0000-0000-0000-000000000001)',
      '',
      '',
      `--${cs}--`,
      `--${b}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 400 Bad Request',
      'Content-Type: application/json; odata.metadata=minimal',
      '',
      '{"error":{"code":"0x80044331","message":"A validation error occurred."}}',
      `--${b}`,
      'Content-Type: application/http',
      'Content-Transfer-Encoding: binary',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json',
      '',
      '{"value":[{"name":"x"}]}',
      `--${b}--`,
      '',
    ].join('\r\n');
    const parts = readBatch(`multipart/mixed; boundary=${b}`, text);
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatchObject({ status: 204, contentId: '1' });
    expect(parts[0].headers['odata-entityid']).toContain('accounts(00000000-0000-0000-0000-000000000001)');
    expect(parts[1]).toMatchObject({ status: 400, error: { code: '0x80044331', message: 'A validation error occurred.' } });
    expect(parts[2].body).toEqual({ value: [{ name: 'x' }] });
  });
});
