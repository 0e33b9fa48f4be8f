import { parseTrustLedgerFile, type TrustLedgerEntry } from '@astep/actionstep-connector';
import { FILE_PART_BYTES, type ActionstepEmulator } from '@astep/actionstep-emulator';
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

describe('trust ledger: a report the firm exports, not an API', () => {
  let em: ActionstepEmulator;
  beforeAll(async () => {
    em = await start({ firm: 'tiny', seed: 4 }); // seed 4: matter 14 has trust rows and is restricted to users 4 and 7
  });
  afterAll(() => em.close());

  it('serves no trust endpoint (Actionstep has none): the old report path is an unknown route', async () => {
    const token = (await login(em)).access_token;
    expect((await api(em, token, 'reports/trustledger.csv')).status).toBe(404);
    expect((await fetch(`${em.url}api/reports/trustledger.csv`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it.each([
    ['csv', 'deposits'], ['csv', 'clientLedger'], ['xlsx', 'deposits'], ['xlsx', 'clientLedger'],
  ] as const)('writes the export as %s (%s layout): read back, it is the firm\'s ledger as the admin sees it, and the planted misprint is named', async (format, layout) => {
    const exported = await em.exportTrustLedger({ format, layout });
    const truth = em.firm.groundTruth('1').trustLedger;
    expect(truth.length).toBeLessThan(em.firm.counts.trustledger); // restricted matters are left out of the admin's export
    expect(truth.some((t) => t.amountIn < 0)).toBe(true); // a reversal, printed in brackets
    const parsed = await parseTrustLedgerFile({ name: exported.fileName, bytes: exported.bytes });
    expect(parsed.format).toBe(format);
    const planted = exported.planted!;
    // The Matter Accounts Ledger layout has no reference or type column: the matter heads its table, the amounts say the type.
    const shown = (e: TrustLedgerEntry) => (layout === 'deposits' ? e : { ...e, matterReference: null, transactionType: e.amountIn > 0 ? 'Receipt' : e.amountIn < 0 ? 'Receipt reversal' : 'Payment' });
    expect(parsed.rows.map(({ line: _l, printed: _p, ...e }) => e)).toEqual(truth.map((t, i) => shown(
      t.actionId === planted.actionId && i === truth.map((x) => x.actionId).lastIndexOf(planted.actionId) ? { ...t, balance: planted.printedBalance } : t)));
    expect(parsed.problems.map((p) => [p.line, p.actionId, p.rule])).toEqual([[planted.line, planted.actionId, 'trust ledger: running balance does not add up']]);
    if (format === 'csv') {
      const text = new TextDecoder().decode(exported.bytes);
      expect(text).toMatch(/^Trust Account Ledgers Report/);
      expect(text).toMatch(/"\$\d{1,3},\d{3}\.\d{2}"/); // thousands separators and a currency symbol
      expect(text).toMatch(/\(\$[\d,]+\.\d{2}\)/); // a negative amount in brackets
      expect(text).toMatch(/,\d{2}\/\d{2}\/20\d{2},/); // day-first dates
    }
  });
});
