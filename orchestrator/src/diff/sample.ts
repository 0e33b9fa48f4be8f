// The sample run: 100–300 representative records (every matter type, every role, time entries), and the
// field-level diff of source value, expected value and the value read back from Dataverse, with the reason they differ.
import type { FirmLookups } from '../mappings/firmLookups';
import type { MappedFirm } from '../mappings/mapFirm';
import type { MappingSet } from '../mappings/mappingSet';
import type { ColumnMapping, SampleFacts } from '../mappings/tableMapping';
import type { FirmIndex } from '../transform/firmData';
import type { TargetRow } from '../transform/targetRow';
import { sameValue } from '../load/compare';
import { createOnlyColumns } from '../load/tables';
import type { Row } from '../ports';
import { wireValuesOf } from '@astep/actionstep-connector/resources';

/** What the sample and its diff read: the mappings, the staged firm, and the lookups over it (with the plan). */
export interface SampleContext {
  mappings: MappingSet;
  index: FirmIndex;
  lookups: FirmLookups;
}

const recordMaps = new WeakMap<object, Map<string, Map<string, unknown>>>();
/** The staged source record a row came from. */
function sourceRecord(index: FirmIndex, row: { sourceResource: string; sourceId: string }): unknown {
  let maps = recordMaps.get(index);
  if (!maps) recordMaps.set(index, (maps = new Map()));
  let m = maps.get(row.sourceResource);
  if (!m) {
    const list = (index.data as unknown as Record<string, Array<{ id: string }>>)[row.sourceResource] ?? [];
    m = new Map(list.map((r) => [r.id, r] as const));
    maps.set(row.sourceResource, m);
  }
  return m.get(row.sourceId);
}

export interface SampleSelection {
  matterIds: string[];
  rows: Map<string, TargetRow[]>;
  rowCount: number;
  coverage: { matterTypes: string[]; roles: string[]; timeEntries: number; missingMatterTypes: string[]; missingRoles: string[] };
}

export function selectSample(ctx: SampleContext, mapped: MappedFirm, target = 200, max = 300, min = 100): SampleSelection {
  const { index: idx, lookups, mappings } = ctx;
  const accountMatters = new Map<string, string[]>();
  for (const [key, ms] of lookups.accountGroups()) accountMatters.set(key, ms.map((m) => m.id));
  for (const ap of idx.data.actionparticipants) {
    const p = idx.participants.get(ap.participantId);
    if (p?.isCompany) accountMatters.set(`P-${p.id}`, [...new Set([...(accountMatters.get(`P-${p.id}`) ?? []), ap.actionId])]);
  }
  // A contact is keyed P-<person> (or P-<person>-T-<role>): the matters of the person's roles, and where a client.
  const contactMatters = new Map<string, string[]>();
  const onMatter = (key: string, matterId: string) => {
    const list = contactMatters.get(key);
    if (list) list.push(matterId);
    else contactMatters.set(key, [matterId]);
  };
  for (const ap of idx.data.actionparticipants) {
    const canonical = idx.canonicalPerson.get(ap.participantId);
    if (!canonical) continue;
    for (const key of [`P-${canonical}`, `P-${canonical}-T-${ap.participantTypeId}`]) onMatter(key, ap.actionId);
  }
  for (const m of idx.data.actions) for (const pid of m.primaryParticipantIds) {
    const canonical = idx.canonicalPerson.get(pid);
    if (canonical) onMatter(`P-${canonical}`, m.id);
  }
  // Each table's declaration says which matters its rows stand for.
  const facts: SampleFacts = {
    record: (row) => sourceRecord(idx, row),
    accountMatters: (key) => accountMatters.get(key) ?? [],
    contactMatters: (key) => contactMatters.get(key) ?? [],
  };
  const byMatter = new Map<string, TargetRow[]>();
  for (const mapping of mappings.tables) for (const row of mapped.rows.get(mapping.target.logicalName) ?? []) {
    for (const mid of new Set(mapping.sample.matters(row, facts))) {
      const list = byMatter.get(mid);
      if (list) list.push(row);
      else byMatter.set(mid, [row]);
    }
  }
  const chosen: string[] = [];
  const included = new Set<TargetRow>();
  const types = new Set<string>();
  const roles = new Set<string>();
  let timeEntries = 0;
  const allTypes = new Set(lookups.plan.matterTypes.filter((t) => t.matters > 0).map((t) => t.actionTypeId));
  const allRoles = new Set(idx.data.actionparticipants.filter((ap) => lookups.migrates(ap.actionId)).map((ap) => ap.participantTypeId));
  const countsTime = new Set(mappings.tables.filter((m) => m.sample.timeEntries).map((m) => m.target.logicalName));
  const add = (mid: string) => {
    chosen.push(mid);
    for (const r of byMatter.get(mid) ?? []) {
      included.add(r);
      if (countsTime.has(r.table)) timeEntries++;
    }
    const m = idx.matters.get(mid)!;
    if (m.actionTypeId) types.add(m.actionTypeId);
    for (const ap of idx.participantsByMatter.get(mid) ?? []) roles.add(ap.participantTypeId);
  };
  const candidates = idx.data.actions.filter((m) => lookups.migrates(m.id)).map((m) => m.id).sort((a, b) => Number(a) - Number(b));
  const newRows = (mid: string) => (byMatter.get(mid) ?? []).filter((r) => !included.has(r)).length;
  // First pass: cover every matter type and role with the smallest matters that add something new.
  for (const mid of [...candidates].sort((a, b) => newRows(a) - newRows(b) || Number(a) - Number(b))) {
    const m = idx.matters.get(mid)!;
    const addsType = m.actionTypeId && !types.has(m.actionTypeId);
    const addsRole = (idx.participantsByMatter.get(mid) ?? []).some((ap) => !roles.has(ap.participantTypeId));
    const addsTime = timeEntries === 0 && (idx.timeByMatter.get(mid)?.length ?? 0) > 0;
    if ((addsType || addsRole || addsTime) && (included.size + newRows(mid) <= max || included.size < min)) add(mid);
  }
  // Second pass: fill up to the target size.
  for (const mid of candidates) {
    if (included.size >= target) break;
    if (chosen.includes(mid)) continue;
    if (included.size + newRows(mid) > max) continue;
    add(mid);
  }
  // Close over lookups: a sampled row's parent (say, the account of another matter a contact is a client on) is
  // written too, or the child would fail for a reason the full run does not have.
  const byKey = new Map<string, TargetRow>();
  for (const list of mapped.rows.values()) for (const r of list) byKey.set(`${r.table}|${r.key}`, r);
  const queue = [...included];
  while (queue.length) {
    const r = queue.pop() as TargetRow;
    for (const ref of Object.values(r.binds)) {
      if (!ref || ref.byId) continue;
      const parent = byKey.get(`${ref.table}|${ref.key}`);
      if (parent && !included.has(parent)) {
        included.add(parent);
        queue.push(parent);
      }
    }
  }
  const rows = new Map<string, TargetRow[]>([...mapped.rows].map(([t, list]) => [t, list.filter((r) => included.has(r))]));
  const name = (id: string) => idx.actionTypes.get(id)?.name ?? id;
  return {
    matterIds: chosen,
    rows,
    rowCount: included.size,
    coverage: {
      matterTypes: [...types].map(name),
      roles: [...roles].map((r) => idx.roleName(r)),
      timeEntries,
      missingMatterTypes: [...allTypes].filter((t) => !types.has(t)).map(name),
      missingRoles: [...allRoles].filter((r) => !roles.has(r)).map((r) => idx.roleName(r)),
    },
  };
}

export interface DiffEntry {
  table: string;
  key: string;
  targetId: string | null;
  sourceResource: string;
  sourceId: string;
  column: string;
  source: unknown;
  expected: unknown;
  actual: unknown;
  /** match: Dataverse holds the expected value; mismatch: it does not (an unexplained difference). */
  status: 'match' | 'mismatch';
  /** Why expected differs from the source value (or why they are the same). */
  reason: string;
}

/**
 * The declared source of a column (a path, with `|` alternatives), read from the staged record as Actionstep sent it:
 * the raw wire value where the extraction kept one (`$wire`: "1.50" for 1.5, "T" for true), else the record's own.
 */
function sourceValue(rec: unknown, path: string | undefined): unknown {
  if (!path || !rec) return undefined;
  const wire = wireValuesOf(rec);
  for (const alternative of path.split('|')) {
    const [head, ...rest] = alternative.split('.');
    let v: unknown = wire && head in wire ? wire[head] : (rec as Record<string, unknown>)[head];
    for (const f of rest) v = v == null ? undefined : (v as Record<string, unknown>)[f];
    if (v !== undefined && v !== null) return v;
  }
  return null;
}

/** Matters whose values a row carries: its own matter (astep_matter), or the account's matters, oldest first. */
function rowMatters(ctx: SampleContext, row: TargetRow): string[] {
  if (row.table === 'astep_matter') return [row.key];
  if (row.table === 'account') return (ctx.lookups.accountGroups().get(row.key) ?? []).map((m) => m.id);
  return [];
}

/**
 * The source of a column that is not declared on its table's mapping: a data collection value as Actionstep sent it
 * (its stringValue, "1,250,000.00"), the latest matter's where several matters share an account; for a multi-record
 * collection (one JSON column), every value as `field: value`. Undefined when the column is no data collection column.
 */
function dataCollectionSource(ctx: SampleContext, row: TargetRow, column: string): unknown {
  const fields = ctx.lookups.plan.dataCollectionColumns.filter((c) => c.column === column);
  if (!fields.length) return undefined;
  const ids = new Map(fields.map((f) => [f.fieldId, f] as const));
  let found: unknown = null;
  for (const matterId of rowMatters(ctx, row)) {
    const values = ctx.lookups.dataCollectionValuesOf(matterId).filter((v) => ids.has(v.dataCollectionFieldId) && v.stringValue != null);
    if (!values.length) continue;
    found = fields[0].columnType === 'json' ? values.map((v) => `${ids.get(v.dataCollectionFieldId)!.fieldName}: ${v.stringValue}`) : values[values.length - 1].stringValue;
  }
  return found;
}

/** The trust balance as the export printed it on the matter's last row ("$1,250.00"), for one matter. */
function trustSource(ctx: SampleContext, row: TargetRow, column: string): unknown {
  if (column !== 'astep_trustbalance' || !ctx.lookups.trustLedgerGiven) return undefined;
  const matters = rowMatters(ctx, row);
  const printed = matters.map((id) => ctx.lookups.trustOf(id)?.printedBalance).filter((p): p is string => !!p);
  return printed.length === 1 && matters.length === 1 ? printed[0] : printed.length ? printed : null;
}

function reasonFor(ctx: SampleContext, row: TargetRow, column: string, declared: ColumnMapping | undefined, source: unknown, expected: unknown): string {
  const problem = row.problems.find((p) => p.field === column);
  if (problem) return problem.message;
  const lookup = ctx.mappings.lookupByAttribute(row.table, column);
  if (lookup) {
    const ref = row.binds[lookup.navigation];
    if (!ref) return 'lookup cleared';
    if (ref.table === 'systemuser') {
      const owner = ctx.lookups.plan.owners.find((o) => o.ownerId === ref.key);
      return owner ? `owner resolved by email: ${owner.email ?? '?'} → ${owner.systemUserName ?? ref.key}` : 'fallback owner (Actionstep user unmatched or disabled)';
    }
    return `lookup bound through the alternate key: ${ref.table} ${ref.key}`;
  }
  switch (declared?.conversion) {
    case 'choice': return `choice value for "${String(source ?? '')}"`;
    case 'billing': {
      const b = ctx.lookups.billingTotal(row.key);
      return `billing total computed at extraction: time ${b.time.toFixed(2)} + disbursements ${b.disbursements.toFixed(2)}${b.excludedEntries ? ` (${b.excludedEntries} time entries worth ${b.excludedAmount.toFixed(2)} left out: the plan counts billed time only)` : ''}`;
    }
    case 'billingSum': return 'billing total summed over the account\'s matters';
    case 'trust': return trustReason(ctx, row);
  }
  // Columns the plan adds (data collection fields) are not in the table's own declaration.
  if (!declared && ctx.mappings.get(row.table)?.planColumns === 'dataCollections' && ctx.lookups.plan.dataCollectionColumns.some((c) => c.column === column)) {
    return 'data collection value converted to the column type';
  }
  if (typeof expected === 'string' && /T\d{2}:\d{2}/.test(expected) && typeof source === 'string' && source !== expected) return `converted to UTC from the firm's time (${ctx.lookups.options.timeZone}) / the source offset`;
  if (typeof expected === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(expected) && typeof source === 'string' && source !== expected) return 'date only (local date of the Actionstep value)';
  if (source === undefined) return 'computed by the mapping';
  return sameValue(column, expected, source) ? 'copied' : 'converted';
}

function trustReason(ctx: SampleContext, row: TargetRow): string {
  const source = ctx.index.data.trustLedgerSource ?? 'the trust ledger export';
  const rows = rowMatters(ctx, row).reduce((n, id) => n + (ctx.lookups.trustOf(id)?.rows ?? 0), 0);
  return rows ? `from ${source}: in and out summed over ${rows} rows, the balance as the report printed it` : `${source} has no rows for this record's matters: no trust money held`;
}

/** Field-level diff for written sample rows; `actual` holds what was read back, keyed by table and key. */
export function diffRows(ctx: SampleContext, rows: Array<{ row: TargetRow; targetId: string | null; actual: Row | null; registry: (table: string, key: string) => string | undefined }>): DiffEntry[] {
  const out: DiffEntry[] = [];
  for (const { row, targetId, actual, registry } of rows) {
    const mapping = ctx.mappings.require(row.table);
    const declared = new Map(mapping.columns.map((c) => [c.column, c] as const));
    const createOnly = createOnlyColumns(mapping);
    const rec = sourceRecord(ctx.index, row);
    const columns: Array<[string, unknown]> = Object.entries(row.attributes).filter(([c]) => !createOnly.has(c));
    for (const [nav, ref] of Object.entries(row.binds)) {
      columns.push([ctx.mappings.lookupByNavigation(row.table, nav)?.attribute ?? nav, ref ? (ref.byId ? ref.key : registry(ref.table, ref.key) ?? `(${ref.table} ${ref.key})`) : null]);
    }
    for (const p of row.problems) if (!columns.some(([c]) => c === p.field) && p.field !== 'status') columns.push([p.field, null]);
    for (const [column, expected] of columns) {
      const source = declared.get(column)?.source ? sourceValue(rec, declared.get(column)?.source) : dataCollectionSource(ctx, row, column) ?? trustSource(ctx, row, column);
      const got = actual ? actual[column] ?? null : null;
      out.push({
        table: row.table, key: row.key, targetId, sourceResource: row.sourceResource, sourceId: row.sourceId, column,
        source: source === undefined ? null : source, expected: expected ?? null, actual: got,
        status: actual && sameValue(column, expected, got) ? 'match' : 'mismatch',
        reason: reasonFor(ctx, row, column, declared.get(column), source, expected),
      });
    }
  }
  return out;
}
