// Column value validation and coercion on write, and formatted values on read. Messages follow the platform's
// validation errors (0x80044331 for lengths; range / option errors marked [I] where the exact text is inferred).
import { DataverseError, CODES, err } from './errors';
import type { AttrMeta, EntityMeta, OptionSetMeta } from './metadataTypes';
import { isGuid } from './odataFilter';

const DATE_ONLY_RE = /^\d{4}-\d{2}-\d{2}$/;
// [I] Code for an out-of-range choice / number: 0x8004431a (OptionSet/range validation); message text inferred.
export const OUT_OF_RANGE_CODE = '0x8004431a';

function conversion(value: unknown, edmType: string): DataverseError {
  return err.payload(`Cannot convert the literal '${typeof value === 'string' ? value : JSON.stringify(value)}' to the expected type '${edmType}'.`);
}

export function normalizeDateTime(value: string): string | undefined {
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return undefined;
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function roundTo(n: number, precision: number): number {
  const f = 10 ** precision;
  return Math.round((n + Number.EPSILON * Math.sign(n)) * f) / f;
}

function rangeCheck(a: AttrMeta, e: EntityMeta, n: number): void {
  if ((a.minValue !== undefined && n < a.minValue) || (a.maxValue !== undefined && n > a.maxValue)) {
    throw new DataverseError(
      400,
      OUT_OF_RANGE_CODE,
      `A validation error occurred. The value ${n} of '${a.logicalName}' on record of type '${e.logicalName}' is outside the valid range. Accepted Values: ${a.minValue} to ${a.maxValue}.`,
    );
  }
}

/**
 * Validates and coerces one written value. Money and decimal values are rounded to the column precision. The
 * precision a money value is kept at is documented (MoneyAttributeMetadata.PrecisionSource, learn gg307574: the
 * attribute Precision, the organization pricing precision, or by default the currency's CurrencyPrecision, 2 for
 * our USD base currency); that the platform rounds rather than rejects extra digits is [I] (observed behaviour,
 * not stated by Microsoft).
 */
export function coerceValue(e: EntityMeta, a: AttrMeta, value: unknown, optionSet: (name: string) => OptionSetMeta | undefined): unknown {
  if (value === null) return null;
  switch (a.type) {
    case 'string':
    case 'memo': {
      if (typeof value !== 'string') throw conversion(value, 'Edm.String');
      if (a.maxLength !== undefined && value.length > a.maxLength) throw err.maxLength(a.logicalName, e.logicalName, a.maxLength);
      // Dataverse refuses control characters below 0x20 other than tab, line feed and carriage return (migration
      // practice: columbuscrm.blogspot.com/2018/05/bad-characters-messing-up-your.html; the XML 1.0 character range the
      // platform serialises through). [I] The exact text and code are not published: the .NET XmlConvert wording here.
      // eslint-disable-next-line no-control-regex -- these are the characters refused
      const bad = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.exec(value);
      if (bad) {
        const hex = `0x${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
        throw new DataverseError(400, CODES.validation, `A validation error occurred. The value of '${a.logicalName}' of the '${e.logicalName}' entity contains '${hex}', hexadecimal value ${hex}, is an invalid character.`);
      }
      return value;
    }
    case 'integer':
    case 'bigint': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw conversion(value, a.type === 'integer' ? 'Edm.Int32' : 'Edm.Int64');
      rangeCheck(a, e, value);
      return value;
    }
    case 'decimal':
    case 'double':
    case 'money': {
      const n = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw conversion(value, a.type === 'money' || a.type === 'decimal' ? 'Edm.Decimal' : 'Edm.Double');
      rangeCheck(a, e, n);
      return a.precision !== undefined ? roundTo(n, a.precision) : n;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw conversion(value, 'Edm.Boolean');
      return value;
    case 'datetime': {
      if (typeof value !== 'string') throw conversion(value, a.dateBehavior === 'DateOnly' ? 'Edm.Date' : 'Edm.DateTimeOffset');
      if (a.dateBehavior === 'DateOnly') {
        if (!DATE_ONLY_RE.test(value) || Number.isNaN(new Date(`${value}T00:00:00Z`).getTime())) throw conversion(value, 'Edm.Date');
        if (value < '1753-01-01') throw outOfDateRange(a, e, value);
        return value;
      }
      const norm = normalizeDateTime(value);
      if (!norm || !/^\d{4}-\d{2}-\d{2}(T.*)?$/.test(value)) throw conversion(value, 'Edm.DateTimeOffset');
      if (norm < '1753-01-01') throw outOfDateRange(a, e, value);
      return norm;
    }
    case 'picklist':
    case 'state':
    case 'status': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw conversion(value, 'Edm.Int32');
      const os = a.optionSet ? optionSet(a.optionSet) : undefined;
      if (os && !os.options.some((o) => o.value === value)) throw optionOutOfRange(a, e, String(value), os);
      return value;
    }
    case 'multiselectpicklist': {
      if (typeof value !== 'string') throw conversion(value, 'Edm.String');
      if (value === '') return null;
      const os = a.optionSet ? optionSet(a.optionSet) : undefined;
      const parts = value.split(',').map((s) => s.trim());
      const nums: number[] = [];
      for (const p of parts) {
        const n = Number(p);
        if (!/^-?\d+$/.test(p) || (os && !os.options.some((o) => o.value === n))) throw optionOutOfRange(a, e, p, os);
        if (!nums.includes(n)) nums.push(n);
      }
      return nums.join(',');
    }
    case 'uniqueidentifier':
      if (typeof value !== 'string' || !isGuid(value)) throw conversion(value, 'Edm.Guid');
      return value.toLowerCase();
    case 'entityname':
      if (typeof value !== 'string') throw conversion(value, 'Edm.String');
      return value;
    default:
      throw err.payload(`The property '${a.logicalName}' cannot be written directly.`);
  }
}

function outOfDateRange(a: AttrMeta, e: EntityMeta, v: string): DataverseError {
  return new DataverseError(400, OUT_OF_RANGE_CODE, `A validation error occurred. The value ${v} of '${a.logicalName}' on record of type '${e.logicalName}' is outside the valid range. Dates must be on or after 1753-01-01.`);
}

function optionOutOfRange(a: AttrMeta, e: EntityMeta, v: string, os: OptionSetMeta | undefined): DataverseError {
  return new DataverseError(
    400,
    OUT_OF_RANGE_CODE,
    `A validation error occurred. The value ${v} of '${a.logicalName}' on record of type '${e.logicalName}' is outside the valid range. Accepted Values: ${(os?.options ?? []).map((o) => o.value).join(',')}`,
  );
}

/** `@OData.Community.Display.V1.FormattedValue` for a stored value (en-US, USD base currency). */
export function formattedValue(a: AttrMeta, value: unknown, optionSet: (name: string) => OptionSetMeta | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  switch (a.type) {
    case 'money':
      return '$' + Number(value).toLocaleString('en-US', { minimumFractionDigits: a.precision ?? 2, maximumFractionDigits: a.precision ?? 2 });
    case 'decimal':
    case 'double':
    case 'integer':
    case 'bigint':
      return Number(value).toLocaleString('en-US', a.precision !== undefined ? { minimumFractionDigits: a.precision, maximumFractionDigits: a.precision } : {});
    case 'boolean': {
      const os = a.optionSet ? optionSet(a.optionSet) : undefined;
      return os?.options.find((o) => o.value === (value ? 1 : 0))?.label ?? (value ? 'Yes' : 'No');
    }
    case 'picklist':
    case 'state':
    case 'status': {
      const os = a.optionSet ? optionSet(a.optionSet) : undefined;
      return os?.options.find((o) => o.value === value)?.label;
    }
    case 'multiselectpicklist': {
      const os = a.optionSet ? optionSet(a.optionSet) : undefined;
      return String(value)
        .split(',')
        .map((v) => os?.options.find((o) => o.value === Number(v))?.label ?? v)
        .join('; ');
    }
    case 'datetime': {
      const s = String(value);
      const d = new Date(a.dateBehavior === 'DateOnly' ? `${s}T00:00:00Z` : s);
      const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`;
      if (a.dateBehavior === 'DateOnly') return date;
      const h = d.getUTCHours();
      const hh = h % 12 === 0 ? 12 : h % 12;
      return `${date} ${hh}:${String(d.getUTCMinutes()).padStart(2, '0')} ${h < 12 ? 'AM' : 'PM'}`;
    }
    default:
      return undefined;
  }
}

export { CODES };
