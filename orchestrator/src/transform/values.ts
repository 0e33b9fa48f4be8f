// Value conversions shared by the mappings: each returns a value or a problem, never throws, so a bad field becomes a
// clear per-record message instead of a crash.
import { DECIMAL_LIMIT, MONEY_LIMIT } from '@astep/solution/model';
import { nameGuid } from '@astep/solution/stableGuid';

export interface FieldProblem {
  field: string;
  rule: string;
  value: unknown;
  message: string;
}

export type Converted<T> = { ok: true; value: T } | { ok: false; problem: FieldProblem };

const ok = <T>(value: T): Converted<T> => ({ ok: true, value });
const bad = <T>(field: string, rule: string, value: unknown, message: string): Converted<T> => ({
  ok: false,
  problem: { field, rule, value, message },
});

/** RFC 5322 is too permissive for CRM use; this is the practical shape Dataverse email columns accept. */
const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(raw: string | null | undefined): string | null {
  if (raw == null) return null;
  const trimmed = raw.trim();
  return trimmed === '' ? null : trimmed.toLowerCase();
}

export function convertEmail(field: string, raw: string | null | undefined): Converted<string | null> {
  if (raw == null || raw.trim() === '') return ok(null);
  const v = raw.trim();
  if (v.length > 100) return bad(field, 'max-length-100', raw, `email is ${v.length} characters; the column holds 100`);
  if (!EMAIL.test(v)) return bad(field, 'email-format', raw, `"${v}" is not a valid email address`);
  return ok(v);
}

/** A real calendar date in YYYY-MM-DD (rejects 2023-02-30, 31/12/2020, 2020-13-01). */
export function convertDateOnly(field: string, raw: string | null | undefined): Converted<string | null> {
  if (raw == null || raw.trim() === '') return ok(null);
  const v = raw.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$/.exec(v);
  if (!m) return bad(field, 'date-format', raw, `"${v}" is not a date in YYYY-MM-DD form`);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== mo - 1 || dt.getUTCDate() !== d) {
    return bad(field, 'date-valid', raw, `"${v}" is not a real calendar date`);
  }
  if (y < 1753 || y > 9999) return bad(field, 'date-range', raw, `"${v}" is outside Dataverse's date range (1753-9999)`);
  return ok(`${m[1]}-${m[2]}-${m[3]}`);
}

/**
 * An Actionstep timestamp (ISO 8601 with the org's offset, or a date only) as a UTC instant for a Dataverse
 * UserLocal column. Dates without a time mean local midnight in the firm's time zone.
 */
export function convertTimestamp(field: string, raw: string | null | undefined, timeZone: string): Converted<string | null> {
  if (raw == null || raw.trim() === '') return ok(null);
  const v = raw.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    const d = convertDateOnly(field, v);
    if (!d.ok) return d;
    return ok(zonedDateTimeToUtc(d.value as string, '00:00:00', timeZone));
  }
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(v);
  if (!m) return bad(field, 'timestamp-format', raw, `"${v}" is not an ISO 8601 timestamp`);
  const date = convertDateOnly(field, m[1]);
  if (!date.ok) return date;
  const time = m[2].length === 5 ? `${m[2]}:00` : m[2];
  if (!m[3]) return ok(zonedDateTimeToUtc(m[1], time, timeZone));
  let offset = m[3];
  if (offset !== 'Z' && !offset.includes(':')) offset = offset.length === 3 ? `${offset}:00` : `${offset.slice(0, 3)}:${offset.slice(3)}`;
  const ms = Date.parse(`${m[1]}T${time}${offset}`);
  if (Number.isNaN(ms)) return bad(field, 'timestamp-valid', raw, `"${v}" is not a valid instant`);
  return ok(new Date(ms).toISOString().replace('.000Z', 'Z'));
}

/** The local calendar date of an Actionstep timestamp, as sent (the date part before the offset). */
export function localDateOf(field: string, raw: string | null | undefined): Converted<string | null> {
  if (raw == null || raw.trim() === '') return ok(null);
  return convertDateOnly(field, raw.trim().slice(0, 10));
}

/** Offset of `timeZone` from UTC, in minutes, at the given UTC instant (uses Intl, so DST is right). */
function zoneOffsetMinutes(utcMs: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - utcMs) / 60000);
}

/** Wall-clock date and time in a zone → UTC ISO string. */
export function zonedDateTimeToUtc(date: string, time: string, timeZone: string): string {
  const naive = Date.parse(`${date}T${time}Z`);
  // Two passes settle DST transitions (the offset at the guessed instant may differ from the final one).
  let guess = naive - zoneOffsetMinutes(naive, timeZone) * 60000;
  guess = naive - zoneOffsetMinutes(guess, timeZone) * 60000;
  return new Date(guess).toISOString().replace('.000Z', 'Z');
}

/** Money rounded to the column precision (Dataverse stores money at its precision). */
export function convertMoney(field: string, raw: number | string | null | undefined, precision = 2): Converted<number | null> {
  if (raw == null || raw === '') return ok(null);
  const n = typeof raw === 'number' ? raw : Number(String(raw).replace(/,/g, ''));
  if (!Number.isFinite(n)) return bad(field, 'money-format', raw, `"${String(raw)}" is not an amount`);
  if (Math.abs(n) > MONEY_LIMIT) return bad(field, 'money-range', raw, `${n} is outside the money range`);
  return ok(roundTo(n, precision));
}

export function convertDecimal(field: string, raw: number | string | null | undefined, precision = 2): Converted<number | null> {
  if (raw == null || raw === '') return ok(null);
  const n = typeof raw === 'number' ? raw : Number(String(raw).replace(/,/g, ''));
  if (!Number.isFinite(n)) return bad(field, 'number-format', raw, `"${String(raw)}" is not a number`);
  if (Math.abs(n) > DECIMAL_LIMIT) return bad(field, 'number-range', raw, `${n} is outside the column's range`);
  return ok(roundTo(n, precision));
}

export function roundTo(n: number, precision: number): number {
  const f = 10 ** precision;
  return Math.round((n + Number.EPSILON * Math.sign(n)) * f) / f;
}

/** C0 control characters Dataverse text refuses (tab, line feed and carriage return are text). */
// eslint-disable-next-line no-control-regex -- these are exactly the characters to find
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g;
const CONTROL_NAMES: Record<number, string> = { 0: 'NUL', 7: 'BEL', 8: 'BS', 11: 'VT', 12: 'FF', 27: 'ESC' };

/** Text with its control characters shown as \uXXXX: for messages and audit rows written to Dataverse. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Text for a column with a maximum length. Control characters are removed (Dataverse refuses them: only tab, line
 * feed and carriage return pass) and over-long text is cut to fit; either is a problem reported, so that the diff
 * and the audit say which record lost what (the full value stays in staging).
 */
export function fitText(field: string, raw: string | null | undefined, maxLength: number): { value: string | null; problem?: FieldProblem } {
  if (raw == null) return { value: null };
  const controls = raw.match(CONTROL) ?? [];
  const v = controls.length ? raw.replace(CONTROL, '') : raw;
  const named = [...new Set(controls.map((c) => CONTROL_NAMES[c.charCodeAt(0)] ?? `0x${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`))];
  const removed = controls.length ? `${controls.length} control character${controls.length > 1 ? 's' : ''} (${named.join(', ')}) removed: Dataverse text takes none but tab and line breaks` : null;
  const cleaned: FieldProblem | undefined = removed ? { field, rule: 'control-characters', value: raw, message: removed } : undefined;
  if (v === '') return { value: null, problem: cleaned };
  if (v.length <= maxLength) return { value: v, problem: cleaned };
  // Do not cut a surrogate pair (emoji) in half.
  let cut = maxLength - 1;
  const code = v.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return {
    value: v.slice(0, cut) + '…',
    problem: { field, rule: `max-length-${maxLength}`, value: `${v.length} characters`, message: `text is ${v.length} characters; the column holds ${maxLength}, so it was shortened${removed ? `; ${removed}` : ''}` },
  };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Plain text from Actionstep's HTML notes: block tags become line breaks, entities decoded, other tags dropped. */
export function htmlToText(html: string): string {
  return html
    .replace(/<\s*(br|\/p|\/div|\/li|\/h\d)\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
      if (e[0] === '#') {
        const cp = e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
        return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : m;
      }
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export function looksLikeHtml(s: string | null | undefined): boolean {
  return !!s && /<\/?[a-z][a-z0-9]*(\s[^>]*)?>/i.test(s);
}

/** Deterministic GUID of a record we address by primary key (annotations have no custom columns, so no alternate key). */
export function stableGuid(name: string): string {
  return nameGuid(`astep-record:${name}`);
}

/** Base64 length of n bytes: Dataverse's note limit applies to the encoded length. */
export const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

/** The base64 alphabet as character codes, and `=` (plain JavaScript: the web resources run with no global but Xrm). */
const B64 = Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
const PAD = 61;
/** Characters per String.fromCharCode call (well under engines' argument limits). */
const CHUNK = 8192;
/**
 * Base64 without Buffer, so the engine runs in the browser too. Encoded into character codes, then turned into text a
 * chunk at a time and joined once into one flat string: appending 4 characters at a time (`out += ...`) made V8 keep
 * every attachment as a rope of a node per 3 bytes, about 13 times its size in heap (the large firm's run ran out of
 * its heap bound on the notes in flight).
 */
export function toBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(base64Length(bytes.length));
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = B64[n >> 18];
    out[o++] = B64[(n >> 12) & 63];
    out[o++] = B64[(n >> 6) & 63];
    out[o++] = B64[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    out[o++] = B64[n >> 18];
    out[o++] = B64[(n >> 12) & 63];
    out[o++] = i + 1 < bytes.length ? B64[(n >> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  const parts: string[] = [];
  for (let c = 0; c < out.length; c += CHUNK) parts.push(String.fromCharCode(...out.subarray(c, c + CHUNK)));
  return parts.join('');
}

const MIME: Record<string, string> = {
  '.pdf': 'application/pdf', '.doc': 'application/msword', '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.txt': 'text/plain', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.msg': 'application/vnd.ms-outlook',
  '.eml': 'message/rfc822', '.csv': 'text/csv', '.html': 'text/html', '.zip': 'application/zip',
};

/** MIME type of a document: Actionstep's own when it gives one, else from the extension. */
export function mimeTypeOf(extension: string | null, fileType: string | null): string {
  if (fileType && fileType.includes('/')) return fileType;
  return (extension && MIME[extension.toLowerCase()]) || 'application/octet-stream';
}
