// Data collection fields → columns, on the account or on astep_matter (the planner decides where). Values arrive as
// strings of every type; each is converted to its column's type, and a value that cannot be is reported and left out.
import type { DataCollectionRecordValue, Matter } from '@astep/actionstep-connector/records';
import type { DataCollectionColumnPlan } from '../plan/migrationPlan';
import { convertDateOnly, convertDecimal, convertMoney, convertTimestamp, fitText, type Converted, type FieldProblem } from '../transform/values';
import type { MappingLookups } from './lookups';
import { RESOURCES } from '@astep/actionstep-connector/resources';
import { unknownValue } from './shared';

const DC_TYPES = RESOURCES.datacollectionfields.fields.find((f) => f.name === 'dataType')?.enumValues ?? [];

export type DcColumnType = 'string' | 'memo' | 'decimal' | 'money' | 'boolean' | 'dateonly' | 'datetime' | 'json';

/** Column type for an Actionstep data collection field type (unknown types keep their text). */
export function columnTypeFor(dataType: string, multipleRecords: boolean): { type: DcColumnType | null; note: string | null } {
  if (multipleRecords) return { type: 'json', note: 'multi-record collection: all its records are kept as JSON in one column' };
  switch (dataType) {
    case 'Str255': case 'Str255Protected': case 'DropDown': case 'AutoNumber': case 'AutoNumberDC': case 'Participant':
      return { type: 'string', note: null };
    case 'TextArea': case 'DropDownMulti':
      return { type: 'memo', note: null };
    case 'Number': return { type: 'decimal', note: null };
    case 'Money': return { type: 'money', note: null };
    case 'Boolean': return { type: 'boolean', note: null };
    case 'Date': case 'DateNM': return { type: 'dateonly', note: null };
    case 'DateTime': case 'DateTimeNM': case 'Appointment': return { type: 'datetime', note: null };
    case 'HtmlReadOnly': return { type: null, note: 'read-only HTML shown on the form; it holds no data' };
    default: return { type: 'string', note: `unknown data type "${dataType}": kept as text` };
  }
}

/** Prefix of every data collection column (`astep_dc_<collection>_<field>`). */
export const DC_COLUMN_PREFIX = 'astep_dc_';
export const DC_STRING_MAX = 4000;
export const DC_MEMO_MAX = 1048576;

/** Column name for a collection field: prefix, collection and field, only [a-z0-9_], at most 50 characters, unique. */
export function dataCollectionColumnName(collectionName: string, fieldName: string, taken: Set<string>): string {
  const clean = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '').slice(0, 20) || 'x';
  const base = `${DC_COLUMN_PREFIX}${clean(collectionName)}_${clean(fieldName)}`.slice(0, 46);
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`;
  taken.add(name);
  return name;
}

export function convertDcValue(column: DataCollectionColumnPlan, value: DataCollectionRecordValue, timeZone: string): Converted<unknown> {
  const raw = value.stringValue;
  const field = column.column;
  const type = column.columnType as DcColumnType;
  if (raw == null || raw === '') return { ok: true, value: null };
  switch (type) {
    case 'decimal': return convertDecimal(field, raw, 4);
    case 'money': return convertMoney(field, raw, 2);
    case 'dateonly': return convertDateOnly(field, raw);
    case 'datetime': return convertTimestamp(field, raw, timeZone);
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['t', 'true', 'yes', 'y', '1'].includes(v)) return { ok: true, value: true };
      if (['f', 'false', 'no', 'n', '0'].includes(v)) return { ok: true, value: false };
      return { ok: false, problem: { field, rule: 'boolean-format', value: raw, message: `"${raw}" is not a yes/no value` } };
    }
    case 'memo': {
      const f = fitText(field, raw, DC_MEMO_MAX);
      return f.problem ? { ok: false, problem: f.problem } : { ok: true, value: f.value };
    }
    default: {
      const f = fitText(field, raw, DC_STRING_MAX);
      return f.problem ? { ok: false, problem: f.problem } : { ok: true, value: f.value };
    }
  }
}

/** The matter's data collection columns for `table`, with a problem for each value that cannot be converted. */
export function dataCollectionAttributes(lookups: MappingLookups, matter: Matter, table: 'account' | 'astep_matter', problems: FieldProblem[]): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const columns = new Map(lookups.dataCollectionColumns().filter((c) => c.table === table).map((c) => [c.fieldId, c] as const));
  if (columns.size === 0) return attributes;
  const multi = new Map<string, Record<string, Record<string, string | null>>>();
  const values = [...lookups.dataCollectionValuesOf(matter.id)].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const v of values) {
    const col = columns.get(v.dataCollectionFieldId);
    if (!col) continue;
    if (col.columnType === 'json') {
      const byRecord = multi.get(col.column) ?? {};
      const rec = (byRecord[v.dataCollectionRecordId] ??= {});
      rec[col.fieldName] = v.stringValue;
      multi.set(col.column, byRecord);
      continue;
    }
    if (!DC_TYPES.includes(col.dataType)) {
      problems.push(unknownValue(col.column, `data collection value ${v.id} (${col.collectionName}.${col.fieldName}): field type`, col.dataType, DC_TYPES, 'its value is kept as text'));
    }
    const converted = convertDcValue(col, v, lookups.options.timeZone);
    if (converted.ok) attributes[col.column] = converted.value;
    else problems.push({ ...converted.problem, message: `data collection value ${v.id} (${col.collectionName}.${col.fieldName}): ${converted.problem.message}; left empty` });
  }
  for (const [column, byRecord] of multi) {
    const records = Object.keys(byRecord).sort().map((id) => ({ record: id, ...byRecord[id] }));
    attributes[column] = JSON.stringify(records);
  }
  return attributes;
}
