// Value profiles of source fields, built from staged sample records: what the proposer knows about a field
// beyond its name (share of nulls, distinct values, inferred type, what the values look like).

export type InferredType = 'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'datetime' | 'empty' | 'mixed';

/** Share (0..1) of the non-empty values that look like each kind. */
export interface LooksLike {
  email: number;
  phone: number;
  date: number;
  money: number;
  url: number;
}

export interface SourceFieldProfile {
  name: string;
  inferredType: InferredType;
  /** Share (0..1) of records where the field is null, missing or an empty string. */
  nullShare: number;
  distinctCount: number;
  /** Up to five distinct example values, as text. */
  sampleValues: string[];
  /** Longest value as text (characters). */
  maxLength: number;
  looksLike: LooksLike;
}

export interface SourceObjectProfile {
  /** Source object (Actionstep resource), e.g. `participants`. */
  object: string;
  recordCount: number;
  fields: SourceFieldProfile[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const URL_RE = /^(https?:\/\/|www\.)[^\s]+$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const LOCAL_DATE = /^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/;
const MONEY = /^-?[$€£]?\s?-?(\d{1,3}(,\d{3})+|\d+)(\.\d{2})$|^-?[$€£]\s?-?(\d{1,3}(,\d{3})+|\d+)(\.\d{1,2})?$/;
const NUMERIC = /^-?\d+(\.\d+)?$/;

function looksLikePhone(s: string): boolean {
  if (!/^\+?[\d\s().-]{7,24}$/.test(s)) return false;
  const digits = s.replace(/\D/g, '').length;
  // A bare number with no separators is more likely an id or an amount than a phone number.
  return digits >= 7 && digits <= 15 && (/[\s().-]/.test(s) || s.startsWith('+') || s.startsWith('0'));
}

const isEmpty = (v: unknown): boolean => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

function typeOf(v: unknown): Exclude<InferredType, 'empty' | 'mixed'> {
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'decimal';
  const s = String(v).trim();
  if (ISO_DATE.test(s)) return 'date';
  if (ISO_DATETIME.test(s)) return 'datetime';
  if (/^(true|false)$/i.test(s)) return 'boolean';
  if (NUMERIC.test(s) && !/^0\d/.test(s)) return s.includes('.') ? 'decimal' : 'integer';
  return 'string';
}

/** Profiles one field over the values it takes in the sample records. */
export function profileField(name: string, values: readonly unknown[]): SourceFieldProfile {
  const present = values.filter((v) => !isEmpty(v));
  const texts = present.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v).trim()));
  const types = new Set(present.map(typeOf));
  let inferredType: InferredType;
  if (types.size === 0) inferredType = 'empty';
  else if (types.size === 1) inferredType = [...types][0];
  else if ([...types].every((t) => t === 'integer' || t === 'decimal')) inferredType = 'decimal';
  else if ([...types].every((t) => t === 'date' || t === 'datetime')) inferredType = 'datetime';
  else inferredType = [...types].every((t) => t !== 'string') ? 'mixed' : 'string';
  const share = (test: (s: string) => boolean) => (texts.length ? texts.filter(test).length / texts.length : 0);
  const distinct = [...new Set(texts)];
  return {
    name,
    inferredType,
    nullShare: values.length ? 1 - present.length / values.length : 1,
    distinctCount: distinct.length,
    sampleValues: distinct.slice(0, 5),
    maxLength: texts.reduce((m, s) => Math.max(m, s.length), 0),
    looksLike: {
      email: share((s) => EMAIL.test(s)),
      phone: share(looksLikePhone),
      date: share((s) => ISO_DATE.test(s) || ISO_DATETIME.test(s) || LOCAL_DATE.test(s)),
      money: share((s) => MONEY.test(s)),
      url: share((s) => URL_RE.test(s)),
    },
  };
}

/** Profiles every field that appears in any of the records (nested objects are profiled as JSON text). */
export function profileObject(object: string, records: ReadonlyArray<Record<string, unknown>>): SourceObjectProfile {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const r of records) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); names.push(k); }
  return { object, recordCount: records.length, fields: names.map((n) => profileField(n, records.map((r) => r[n]))) };
}
