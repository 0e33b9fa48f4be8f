import { ActionstepClient, FILE_PART_SIZE_IN_BYTES } from '../src/actionstepClient';
import { StaticTokenProvider } from '../src/auth/tokenProvider';
import { parseTrustLedgerCsv, type TrustLedgerRowError } from '../src/trust/trustLedgerCsv';
import { StubTransport } from './stubTransport';

const credential = new StaticTokenProvider({ accessToken: 't', apiEndpoint: 'http://as.test/api/', expiresOnTimestamp: Date.now() + 3_600_000 });
const CSV = [
  'Matter ID,Matter Reference,Date,Transaction Type,Reference,Description,Deposit,Withdrawal,Balance',
  '12,SMI-001,2024-01-05,Receipt,R1,"Deposit, ""initial""",1000.00,,1000.00',
  '12,SMI-001,2024-02-01,Payment,P1,Search fees,,"1,250.50",-250.50',
  '13,,07/03/2024,Receipt,,,5,,5',
].join('\r\n');

test('trust ledger CSV parses to entries (quotes, thousands separators, DD/MM/YYYY, empty as 0 / null)', () => {
  expect(parseTrustLedgerCsv(CSV)).toEqual([
    { actionId: '12', matterReference: 'SMI-001', date: '2024-01-05', transactionType: 'Receipt', reference: 'R1', description: 'Deposit, "initial"', amountIn: 1000, amountOut: 0, balance: 1000 },
    { actionId: '12', matterReference: 'SMI-001', date: '2024-02-01', transactionType: 'Payment', reference: 'P1', description: 'Search fees', amountIn: 0, amountOut: 1250.5, balance: -250.5 },
    { actionId: '13', matterReference: null, date: '2024-03-07', transactionType: 'Receipt', reference: null, description: null, amountIn: 5, amountOut: 0, balance: 5 },
  ]);
});

test('a bad trust row names the row, the matter, the column and the rule; onInvalidRow skips and reports', () => {
  const bad = `${CSV}\r\n14,X,2024-02-30,Receipt,,,abc,,1`;
  expect(() => parseTrustLedgerCsv(bad)).toThrow('trust ledger CSV row 5 (matter 14), column "Date": "2024-02-30" is not a date');
  const errors: TrustLedgerRowError[] = [];
  const rows = parseTrustLedgerCsv(`${CSV}\r\n14,X,2024-02-03,Receipt,,,abc,,1`, { onInvalidRow: (e) => errors.push(e) });
  expect(rows).toHaveLength(3);
  expect(errors.map((e) => [e.row, e.column])).toEqual([[5, 'Deposit']]);
  expect(() => parseTrustLedgerCsv('Matter ID,Date\r\n1,2024-01-01')).toThrow(/lacks the column\(s\) transactionType, amountIn, amountOut, balance/);
});

test('getTrustLedger downloads the report from the configurable path', async () => {
  const t = new StubTransport(() => ({ status: 200, headers: { 'content-type': 'text/csv' }, body: Buffer.from(CSV) }));
  const client = new ActionstepClient({ credential, transport: t, trustLedgerPath: 'reports/custom.csv' });
  expect(await client.getTrustLedger()).toHaveLength(3);
  expect(t.requests[0].url).toBe('http://as.test/api/reports/custom.csv');
  expect(client.requestCount.byKind.report).toBe(1);
});

test('downloadFile fetches every 5 MB part with the id unencoded', async () => {
  const size = FILE_PART_SIZE_IN_BYTES * 2 + 10;
  const t = new StubTransport((req) => {
    const k = Number(new URL(req.url).searchParams.get('part_number'));
    const start = (k - 1) * FILE_PART_SIZE_IN_BYTES;
    const len = Math.max(0, Math.min(FILE_PART_SIZE_IN_BYTES, size - start));
    return { status: 200, headers: {}, body: Buffer.alloc(len, k) };
  });
  const client = new ActionstepClient({ credential, transport: t });
  const buf = await client.downloadFile('DL::Actions::15::127;report v2.pdf', { fileSize: size });
  expect(buf.length).toBe(size);
  expect(t.requests.map((r) => r.url)).toEqual([1, 2, 3].map((k) => `http://as.test/api/rest/files/DL::Actions::15::127;report%20v2.pdf?part_number=${k}`));
  // Size unknown: stops at the first short part.
  const t2 = new StubTransport(() => ({ status: 200, headers: {}, body: Buffer.from('hello') }));
  const c2 = new ActionstepClient({ credential, transport: t2 });
  expect((await c2.downloadFile('DL::Actions::1::2')).toString()).toBe('hello');
  expect(t2.requests).toHaveLength(1);
});

test('downloadFile without a size uses X-Part-Count, or stops at an out-of-range answer', async () => {
  const full = (k: number) => ({ status: 200, headers: { 'x-part-count': '2' }, body: Buffer.alloc(FILE_PART_SIZE_IN_BYTES, k) });
  const t = new StubTransport((req) => full(Number(new URL(req.url).searchParams.get('part_number'))));
  const client = new ActionstepClient({ credential, transport: t });
  expect((await client.downloadFile('DL::Actions::1::3')).length).toBe(2 * FILE_PART_SIZE_IN_BYTES);
  expect(t.requests).toHaveLength(2);
  // No header, size an exact multiple of 5 MB: the server's 400 for part 3 ends the download.
  const t2 = new StubTransport((req) => {
    const k = Number(new URL(req.url).searchParams.get('part_number'));
    if (k > 2) return { status: 400, headers: {}, body: Buffer.from('{"errors":{"title":"part_number out of range"}}') };
    return { status: 200, headers: {}, body: Buffer.alloc(FILE_PART_SIZE_IN_BYTES, k) };
  });
  const c2 = new ActionstepClient({ credential, transport: t2 });
  expect((await c2.downloadFile('DL::Actions::1::4')).length).toBe(2 * FILE_PART_SIZE_IN_BYTES);
  expect(t2.requests).toHaveLength(3);
});
