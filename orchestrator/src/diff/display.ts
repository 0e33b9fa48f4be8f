// A diff entry as people read it: the field's display name, the record's name, and values in the reader's
// locale (dates, money in the firm's currency), choices and looked-up records by their labels, never a GUID or a
// choice number. Shared by report.html and the Diff Viewer. Browser-safe.
import type { DiffEntry, DiffLabels } from './sample';
import { labelKey } from './sample';
import { columnLabel, tableRecordName } from '../vocabulary/objects';
import { formatCount, formatDate, formatDateTime, formatMoney, isIsoDate, isIsoDateTime, type LocaleSettings } from '../vocabulary/format';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function fieldText(e: Pick<DiffEntry, 'table' | 'column'>, labels?: DiffLabels): string {
  return labels?.fields[labelKey(e.table, e.column)]?.label ?? columnLabel(e.table, e.column);
}

export function recordText(e: Pick<DiffEntry, 'table' | 'key' | 'sourceId'>, labels?: DiffLabels): string {
  return labels?.records[labelKey(e.table, e.key)] ?? tableRecordName(e.table, e.sourceId || e.key);
}

/** The value as text; null when empty (the caller shows its own word for "empty"). */
export function valueDisplay(e: DiffEntry, which: 'source' | 'expected' | 'actual', labels: DiffLabels | undefined, s: LocaleSettings = {}): string | null {
  const v = e[which];
  if (v === null || v === undefined || v === '') return null;
  const kind = labels?.fields[labelKey(e.table, e.column)]?.kind ?? (/^_.+_value$/.test(e.column) ? 'lookup' : 'text');
  if (kind === 'lookup' || (typeof v === 'string' && GUID.test(v))) {
    const label = labels?.values[String(v).toLowerCase()];
    if (label) return label;
    // "(account P-1)": a lookup the sample could not resolve to an id; anything else is an id nobody can read.
    return typeof v === 'string' && !GUID.test(v) ? v : 'A linked record';
  }
  if (kind === 'choice' && which !== 'source') return labels?.values[labelKey(labelKey(e.table, e.column), String(v))] ?? String(v);
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (kind === 'money' && (typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))))) return formatMoney(Number(v), { ...s, currency: s.currency ?? labels?.currency });
  if (typeof v === 'number') return formatCount(v, s);
  if (isIsoDate(v)) return formatDate(v, s);
  if (isIsoDateTime(v)) return kind === 'date' ? formatDate(v.slice(0, 10), s) : formatDateTime(v, s);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/**
 * Kind of a reason (the words before the first colon): what the reasons chart and the Reason filter group by.
 * Reasons such as "lookup bound through the alternate key: Account M-3" name a record; one per record would be noise.
 */
export function reasonKind(reason: string): string {
  const i = reason.indexOf(': ');
  return (i > 0 ? reason.slice(0, i) : reason).trim();
}
