import {
  toBase64, base64Length,
  convertDateOnly, convertEmail, convertMoney, convertTimestamp, fitText, htmlToText, localDateOf, stableGuid, zonedDateTimeToUtc,
} from '../src/transform/values';

describe('value conversions', () => {
  test.each([
    ['2023-02-28', true], ['2024-02-29', true], ['2023-02-30', false], ['31/12/2020', false], ['2020-13-01', false], ['1700-01-01', false],
  ])('date %s valid=%s', (raw, valid) => {
    const r = convertDateOnly('birthdate', raw);
    expect(r.ok).toBe(valid);
    if (!r.ok) expect(r.problem.message).toContain(raw);
  });

  test('timestamps with an offset become UTC instants', () => {
    expect(convertTimestamp('x', '2019-05-03T15:59:58+12:00', 'UTC')).toEqual({ ok: true, value: '2019-05-03T03:59:58Z' });
    expect(convertTimestamp('x', '2022-05-03T00:00:00+1200', 'UTC')).toEqual({ ok: true, value: '2022-05-02T12:00:00Z' });
  });

  test('dates without a time are midnight in the firm time zone, DST included', () => {
    // Auckland: +13:00 in January (daylight time), +12:00 in July.
    expect(convertTimestamp('x', '2021-01-05', 'Pacific/Auckland')).toEqual({ ok: true, value: '2021-01-04T11:00:00Z' });
    expect(convertTimestamp('x', '2021-07-05', 'Pacific/Auckland')).toEqual({ ok: true, value: '2021-07-04T12:00:00Z' });
    expect(zonedDateTimeToUtc('2021-07-05', '09:30:00', 'Australia/Sydney')).toBe('2021-07-04T23:30:00Z');
  });

  test('local date of a timestamp keeps the date Actionstep showed', () => {
    expect(localDateOf('d', '2022-05-03T00:00:00+12:00')).toEqual({ ok: true, value: '2022-05-03' });
    expect(localDateOf('d', '2022-02-30T00:00:00+12:00').ok).toBe(false);
  });

  test('emails: valid kept, invalid reported with the value', () => {
    expect(convertEmail('e', ' Jane.Doe@Example.com ')).toEqual({ ok: true, value: 'Jane.Doe@Example.com' });
    const bad = convertEmail('emailaddress1', 'jane@@example');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problem).toMatchObject({ field: 'emailaddress1', rule: 'email-format' });
  });

  test('money rounds to the column precision and rejects text', () => {
    expect(convertMoney('m', '1,234.565')).toEqual({ ok: true, value: 1234.57 });
    expect(convertMoney('m', 0.1 + 0.2)).toEqual({ ok: true, value: 0.3 });
    expect(convertMoney('m', 'abc').ok).toBe(false);
  });

  test('over-long text is shortened without splitting an emoji, and says so', () => {
    const text = 'a'.repeat(8) + '😀' + 'b';
    const f = fitText('subject', text, 10);
    expect(f.value).toBe('a'.repeat(8) + '…');
    expect(f.problem?.rule).toBe('max-length-10');
    expect(fitText('subject', 'short', 10)).toEqual({ value: 'short' });
  });

  test('HTML notes become plain text', () => {
    expect(htmlToText('<p>Called <b>client</b> &amp; agreed</p><p>Next&nbsp;step &#8211; file</p>')).toBe('Called client & agreed\nNext step – file');
  });

  test('stable GUIDs are deterministic, distinct and well-formed', () => {
    const a = stableGuid('filenotes:1');
    expect(a).toBe(stableGuid('filenotes:1'));
    expect(a).not.toBe(stableGuid('filenotes:2'));
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

test('toBase64 encodes every length and byte as Node does (documents are sent to Dataverse as base64)', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 255;
  for (let n = 0; n < 300; n++) {
    const bytes = Uint8Array.from({ length: n }, next);
    const b64 = toBase64(bytes);
    expect(b64).toBe(Buffer.from(bytes).toString('base64'));
    expect(b64.length).toBe(base64Length(n));
  }
  const all = Uint8Array.from({ length: 256 * 3 }, (_, i) => i % 256);
  expect(toBase64(all)).toBe(Buffer.from(all).toString('base64'));
});
