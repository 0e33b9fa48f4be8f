import { parse } from 'csv-parse/sync';
import { FILE_PART_BYTES, TRUST_LEDGER_COLUMNS, type ActionstepEmulator } from '@astep/actionstep-emulator';
import { api, login, start } from './helpers';

describe('document downloads', () => {
  let em: ActionstepEmulator;
  let token: string;
  beforeAll(async () => {
    em = await start({ firm: 'tiny', seed: 4 });
    token = (await login(em)).access_token;
  });
  afterAll(() => em.close());

  const download = (file: string, part?: number) =>
    fetch(`${em.apiEndpoint}rest/files/${file}${part ? `?part_number=${part}` : ''}`, { headers: { Authorization: `Bearer ${token}` } });

  it('serves raw bytes of a small document in one part', async () => {
    const hidden = new Set(em.firm.groundTruth('1').hiddenActionIds);
    const doc = [...em.firm.iterate('actiondocuments')].find((d) => (d.fileSize ?? 0) < 5000 && !hidden.has(d.actionId!))!;
    const res = await download(doc.file!, 1);
    expect(res.status).toBe(200);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(doc.fileSize);
    expect(bytes.equals(em.firm.file(doc.file!)!.read(0, doc.fileSize!))).toBe(true);
  });

  it('serves a document over 4 MB in 5 MB parts that reassemble exactly', async () => {
    const hidden = new Set(em.firm.groundTruth('1').hiddenActionIds);
    const doc = [...em.firm.iterate('actiondocuments')].find((d) => (d.fileSize ?? 0) > FILE_PART_BYTES && !hidden.has(d.actionId!));
    const big = doc ?? [...em.firm.iterate('actiondocuments')].find((d) => (d.fileSize ?? 0) > 4 * 1024 * 1024 && !hidden.has(d.actionId!))!;
    const parts = Math.ceil(big.fileSize! / FILE_PART_BYTES);
    let total = 0;
    for (let p = 1; p <= parts; p++) {
      const res = await download(big.file!, p);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-part-count')).toBe(String(parts));
      const buf = Buffer.from(await res.arrayBuffer());
      expect(buf.equals(em.firm.file(big.file!)!.read((p - 1) * FILE_PART_BYTES, p * FILE_PART_BYTES))).toBe(true);
      total += buf.length;
    }
    expect(total).toBe(big.fileSize);
    expect((await download(big.file!, parts + 1)).status).toBe(400);
  });

  it('does not find a download id whose "::" is percent-encoded, nor one without a token', async () => {
    const hidden = new Set(em.firm.groundTruth('1').hiddenActionIds);
    const doc = [...em.firm.iterate('actiondocuments')].find((d) => !hidden.has(d.actionId!))!;
    expect((await download(encodeURIComponent(doc.file!))).status).toBe(404);
    expect((await download(`${doc.file!};${encodeURIComponent('my file.pdf')}`)).status).toBe(200);
    expect((await fetch(`${em.apiEndpoint}rest/files/${doc.file}`)).status).toBe(401);
  });
});

describe('trust ledger report export (no public trust API)', () => {
  let em: ActionstepEmulator;
  beforeAll(async () => {
    em = await start({ firm: 'tiny', seed: 4 }); // seed 4: matter 14 has trust rows and is restricted to users 4 and 7
  });
  afterAll(() => em.close());

  it('needs a bearer token and exports CSV with running balances per matter, hiding restricted matters', async () => {
    expect((await fetch(em.trustLedgerUrl)).status).toBe(401);
    const token = (await login(em)).access_token;
    const r = await api(em, token, 'reports/trustledger.csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(r.text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.keys(rows[0])).toEqual(TRUST_LEDGER_COLUMNS);
    const truth = em.firm.groundTruth('1');
    expect(truth.trustLedger.length).toBeLessThan(em.firm.counts.trustledger); 
    expect(rows.map((r) => r.Reference)).toEqual(truth.trustLedger.map((t) => t.reference));
    const balance = new Map<string, number>();
    for (const row of rows) {
      const b = Math.round(((balance.get(row['Matter ID']) ?? 0) + Number(row.Deposit) - Number(row.Withdrawal)) * 100) / 100;
      expect(Number(row.Balance)).toBeCloseTo(b, 2);
      expect(b).toBeGreaterThanOrEqual(0);
      balance.set(row['Matter ID'], b);
    }
  });
});
