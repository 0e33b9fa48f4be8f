import { formatKey, keyLiteral, idFromEntityUrl } from '../src/formatKey';
import { KeyFormatError } from '../src/errors';

describe('formatKey', () => {
  it('addresses a GUID as (guid), lower-cased, braces removed', () => {
    expect(formatKey('{1B1D1C0B-0000-0000-0000-00000000000A}')).toBe('(1b1d1c0b-0000-0000-0000-00000000000a)');
  });

  it('quotes strings, doubles single quotes and leaves numbers bare', () => {
    expect(formatKey({ astep_sourceid: "O'Brien" })).toBe("(astep_sourceid='O''Brien')");
    expect(formatKey({ key1: 2, key2: 'x' })).toBe("(key1=2,key2='x')");
  });

  it('percent-encodes spaces, commas, equals and non-ASCII so the literal cannot break the URL', () => {
    expect(formatKey({ name: 'Smith, Jones = Partners' })).toBe("(name='Smith%2C%20Jones%20%3D%20Partners')");
    expect(formatKey({ name: 'Zoë' })).toBe("(name='Zo%C3%AB')");
    // Composite Actionstep ids stay readable.
    expect(formatKey({ astep_sourceid: '12--27--10' })).toBe("(astep_sourceid='12--27--10')");
  });

  it.each(['/', '<', '>', '*', '%', '&', ':', '\\', '?', '+', '#'])('refuses %s with a clear error naming the value', (ch) => {
    const value = `abc${ch}def`;
    let error: unknown;
    try {
      formatKey({ astep_sourceid: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KeyFormatError);
    const e = error as KeyFormatError;
    expect(e.message).toContain(JSON.stringify(value));
    expect(e.message).toContain('astep_sourceid');
    expect(e.column).toBe('astep_sourceid');
    expect(e.value).toBe(value);
  });

  it('rejects empty values, bad column names and non-GUID strings', () => {
    expect(() => formatKey({ astep_sourceid: '' })).toThrow(/cannot be blank/);
    expect(() => formatKey({ 'bad name': 'x' })).toThrow(/not a valid key column name/);
    expect(() => formatKey('not-a-guid')).toThrow(/not a GUID/);
    expect(() => formatKey({})).toThrow(/at least one column/);
  });

  it('writes raw literals for JSON bodies (@odata.id) where URL rules do not apply', () => {
    expect(keyLiteral('k', "a/b's", { percentEncode: false, checkForbidden: false })).toBe("'a/b''s'");
  });

  it('reads ids from OData-EntityId', () => {
    expect(idFromEntityUrl('https://x/api/data/v9.2/accounts(00000000-0000-0000-0000-000000000001)')).toBe('00000000-0000-0000-0000-000000000001');
    expect(idFromEntityUrl(undefined)).toBeUndefined();
  });
});
