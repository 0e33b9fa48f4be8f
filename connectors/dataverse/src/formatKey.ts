// Builds the `(…)` segment that addresses a row by GUID or by alternate key in a Web API URL.
import { KeyFormatError } from './errors';
import type { KeyValues } from './types';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/**
 * Characters with which retrieve/update/upsert by alternate key "don't work" (define-alternate-keys-entity.md), plus
 * `#` (400 "Error in query syntax", powerapps-docs#1895). Percent-encoding does not help (powerapps-docs#117), so we
 * refuse them before sending rather than build a URL that fails or, worse, addresses another row.
 */
export const FORBIDDEN_KEY_CHARACTERS = ['/', '<', '>', '*', '%', '&', ':', '\\', '?', '+', '#'];
const COLUMN_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** A new random GUID: Web Crypto where there is one (Node 20, secure browser pages), else a version-4 layout from Math.random. */
export function randomGuid(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (ch) => {
    const r = (Math.random() * 16) | 0;
    return (ch === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}

/** Which forbidden characters a key value holds (empty when it can be addressed in a URL). */
export function forbiddenKeyCharacters(value: string): string[] {
  return FORBIDDEN_KEY_CHARACTERS.filter((c) => value.includes(c));
}

/**
 * The OData literal of one key part: numbers bare, strings quoted with `'` doubled. With `percentEncode` the literal is
 * percent-encoded for a URL path (spaces, non-ASCII, quotes); without it (an `@odata.id` in a JSON body) it is raw.
 */
export function keyLiteral(column: string, value: string | number, options: { percentEncode?: boolean; checkForbidden?: boolean } = {}): string {
  const { percentEncode = true, checkForbidden = true } = options;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new KeyFormatError(`Key column '${column}' has the non-finite number ${value}.`, column, value);
    return String(value);
  }
  if (typeof value !== 'string') {
    throw new KeyFormatError(`Key column '${column}' must be a string or a number, got ${typeof value}.`, column, String(value));
  }
  if (value.length === 0) throw new KeyFormatError(`Key column '${column}' is empty: an alternate key value cannot be blank.`, column, value);
  if (checkForbidden) {
    const bad = forbiddenKeyCharacters(value);
    if (bad.length > 0) {
      throw new KeyFormatError(
        `Key value ${JSON.stringify(value)} of '${column}' contains ${bad.map((c) => `'${c}'`).join(', ')}: Dataverse cannot ` +
          `address a row by an alternate key holding / < > * % & : \\ ? + or # in a URL. Address it by id or in a bulk request body.`,
        column,
        value,
      );
    }
  }
  const quoted = `'${value.replace(/'/g, "''")}'`;
  // encodeURIComponent leaves `'` literal (as Microsoft's examples send it) and encodes spaces, `=`, `,` and non-ASCII.
  return percentEncode ? encodeURIComponent(quoted) : quoted;
}

/**
 * GUID → `(guid)`; key → `(a='x''y',b=2)`, escaped and percent-encoded. Throws KeyFormatError naming the value when
 * the key cannot be expressed in a URL.
 */
export function formatKey(key: string | KeyValues, options: { percentEncode?: boolean; checkForbidden?: boolean } = {}): string {
  if (typeof key === 'string') {
    const trimmed = key.replace(/^\{|\}$/g, '');
    if (!isGuid(trimmed)) {
      throw new KeyFormatError(`${JSON.stringify(key)} is not a GUID; pass alternate keys as an object ({ column: value }).`, '(id)', key);
    }
    return `(${trimmed.toLowerCase()})`;
  }
  if (!key || typeof key !== 'object') throw new KeyFormatError('A key must be a GUID string or an object of key columns.', '(key)', String(key));
  const entries = Object.entries(key);
  if (entries.length === 0) throw new KeyFormatError('An alternate key needs at least one column.', '(key)', '');
  const parts = entries.map(([column, value]) => {
    if (!COLUMN_NAME.test(column)) throw new KeyFormatError(`'${column}' is not a valid key column name.`, column, value);
    return `${column}=${keyLiteral(column, value, options)}`;
  });
  return `(${parts.join(',')})`;
}

/** Reads the id out of an `OData-EntityId` / `Location` header: `…/accounts(0000…)`. */
export function idFromEntityUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const m = /\(([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)\s*$/i.exec(url);
  return m ? m[1].toLowerCase() : undefined;
}
