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
import { choiceLabel, choiceLabelsOf, columnLabel, tableLabel, tableRecordName, type ChoiceLabels } from '../vocabulary/objects';
import { lowerFirst, OWNER_OUTCOMES } from '../vocabulary/options';
import { SCHEMA } from '@astep/solution/schema';

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

/** The Actionstep user a row belongs to, from the fields the mappings read its owner from. */
function actionstepOwner(ctx: SampleContext, row: TargetRow) {
  const rec = sourceRecord(ctx.index, row) as Record<string, unknown> | undefined;
  const pid = rec ? ['assignedToParticipantId', 'ownerParticipantId', 'assigneeParticipantId'].map((f) => rec[f]).find((v) => typeof v === 'string' && v) : undefined;
  return pid ? ctx.lookups.plan.owners.find((o) => o.participantId === pid) : undefined;
}

/** Whose user owns the row and why: the Actionstep user's own match, or the fallback owner and the reason for it. */
function ownerReason(ctx: SampleContext, row: TargetRow, ownerId: string): string {
  const plan = ctx.lookups.plan;
  const name = (id: string) => plan.owners.find((o) => o.ownerId === id && o.outcome === 'matched')?.systemUserName
    ?? (id === plan.destination.callerId ? "the migration's own user" : 'the fallback owner');
  const user = actionstepOwner(ctx, row);
  if (user?.outcome === 'matched' && user.ownerId === ownerId) return `owner resolved by email: ${user.email ?? '?'} → ${user.systemUserName ?? name(ownerId)}`;
  if (user) return `fallback owner: Actionstep user ${user.displayName ?? user.email ?? user.actionstepUserId} (${lowerFirst(OWNER_OUTCOMES[user.outcome])}) → ${name(ownerId)}`;
  // No Actionstep user on the record itself (an organisation's account): say only what is certain.
  const matched = plan.owners.filter((o) => o.outcome === 'matched' && o.ownerId === ownerId);
  if (ownerId === plan.fallbackOwnerId && !matched.length) return `fallback owner: the record names no matched Actionstep user → ${name(ownerId)}`;
  return `owner: ${name(ownerId)}`;
}

/** Which choice value the row holds and what in Actionstep it stands for. */
function choiceReason(ctx: SampleContext, row: TargetRow, column: string, source: unknown, expected: unknown): string {
  const label = choiceLabel(row.table, column, expected, planChoices(ctx)) ?? String(expected ?? '(none)');
  const rec = sourceRecord(ctx.index, row) as Record<string, unknown> | undefined;
  const from = (() => {
    switch (column) {
      case 'astep_mattertype': {
        // A matter names its type; an organisation's account takes its latest matter's.
        const typeId = typeof rec?.actionTypeId === 'string' ? rec.actionTypeId : null;
        return typeId ? `the matter type "${ctx.index.actionTypes.get(typeId)?.name ?? typeId}"` : "the type of the client's latest matter";
      }
      case 'astep_matterstatus': return typeof source === 'string' && source ? `the matter status "${source}"` : "the matter's status";
      case 'astep_role': return `the participant type "${ctx.index.roleName(String(source ?? ''))}"`;
      case 'astep_participantroles': return 'every participant type the person holds on a matter';
      case 'prioritycode': return typeof source === 'string' && source ? `the task priority "${source}"` : 'the default priority';
      default: return typeof source === 'string' && source ? `the task status "${source}"` : "the task's status";
    }
  })();
  return `choice value: "${label}" from ${from}`;
}

const choiceCache = new WeakMap<object, ChoiceLabels>();
function planChoices(ctx: SampleContext): ChoiceLabels {
  const plan = ctx.lookups.plan;
  let c = choiceCache.get(plan);
  if (!c) choiceCache.set(plan, (c = choiceLabelsOf(plan.schema?.choices ?? SCHEMA.choices)));
  return c;
}

function reasonFor(ctx: SampleContext, row: TargetRow, column: string, declared: ColumnMapping | undefined, source: unknown, expected: unknown): string {
  const problem = row.problems.find((p) => p.field === column);
  if (problem) return problem.message;
  const lookup = ctx.mappings.lookupByAttribute(row.table, column);
  if (lookup) {
    const ref = row.binds[lookup.navigation];
    if (!ref) return 'lookup cleared';
    if (ref.table === 'systemuser') return ownerReason(ctx, row, ref.key);
    return `lookup bound through the alternate key: ${tableRecordName(ref.table, ref.key)}`;
  }
  switch (declared?.conversion) {
    case 'choice': return choiceReason(ctx, row, column, source, expected);
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

/** How a value is shown: dates and money in the reader's locale, choices and lookups by their labels. */
export type ValueKind = 'text' | 'number' | 'money' | 'date' | 'datetime' | 'boolean' | 'choice' | 'lookup';

/**
 * What people see instead of internal names, once per document (not per entry, which would double the size of
 * astep_diffjson): each field's display name and kind, each record's name, and the labels of choice values and
 * looked-up records (by value; record ids are unique).
 */
export interface DiffLabels {
  /** The organisation's base currency (ISO 4217): money is shown in it. */
  currency?: string | null;
  fields: Record<string, { label: string; kind: ValueKind }>;
  records: Record<string, string>;
  values: Record<string, string>;
}

export const labelKey = (table: string, keyOrColumn: string): string => `${table}|${keyOrColumn}`;

const STANDARD_KINDS: Record<string, ValueKind> = {
  birthdate: 'date', scheduledend: 'datetime', actualstart: 'datetime', actualend: 'datetime', overriddencreatedon: 'datetime',
  estimatedvalue: 'money', estimatedclosedate: 'date', prioritycode: 'choice', statuscode: 'choice', statecode: 'choice',
};

function kindOf(table: string, column: string, dcTypes: Map<string, string>): ValueKind {
  if (/^_.+_value$/.test(column)) return 'lookup';
  const dc = dcTypes.get(column);
  if (dc) return dc === 'dateonly' ? 'date' : dc === 'datetime' ? 'datetime' : dc === 'money' ? 'money' : dc === 'decimal' ? 'number' : dc === 'boolean' ? 'boolean' : 'text';
  const def = SCHEMA.tables.find((t) => t.logicalName === table)?.columns.find((c) => c.logicalName === column);
  if (!def) return STANDARD_KINDS[column] ?? 'text';
  switch (def.type) {
    case 'money': return 'money';
    case 'datetime': return def.dateBehavior === 'DateOnly' ? 'date' : 'datetime';
    case 'decimal': case 'integer': return 'number';
    case 'boolean': return 'boolean';
    case 'picklist': case 'multiselectpicklist': return 'choice';
    default: return 'text';
  }
}

/** A row's name as its table shows it, else the table's word and the Actionstep id. */
function recordName(row: TargetRow): string {
  const a = row.attributes;
  const person = [a.firstname, a.lastname].filter((x) => typeof x === 'string' && x).join(' ');
  const name = [a.name, a.fullname, person, a.subject, a.astep_name, a.filename].find((x) => typeof x === 'string' && x.trim());
  return typeof name === 'string' ? name.trim() : tableRecordName(row.table, row.sourceId);
}

/** The labels of a sample's diff (see DiffLabels). */
export function diffLabels(ctx: SampleContext, rows: Array<{ row: TargetRow; registry: (table: string, key: string) => string | undefined }>, entries: DiffEntry[]): DiffLabels {
  const plan = ctx.lookups.plan;
  const dcTypes = new Map(plan.dataCollectionColumns.map((c) => [c.column, c.columnType] as const));
  const dcLabels = Object.fromEntries(plan.dataCollectionColumns.map((c) => [c.column, c.columnType === 'json' ? `${c.collectionName} (records)` : `${c.collectionName}: ${c.label}`]));
  const labels: DiffLabels = { currency: plan.destination.currency ?? null, fields: {}, records: {}, values: {} };
  const byKey = new Map<string, TargetRow>();
  for (const { row } of rows) {
    byKey.set(labelKey(row.table, row.key), row);
    labels.records[labelKey(row.table, row.key)] = recordName(row);
  }
  // Looked-up records: the row's own name when the sample wrote it, else the table's word and its key.
  for (const { row, registry } of rows) for (const ref of Object.values(row.binds)) {
    if (!ref) continue;
    if (ref.table === 'systemuser') {
      const name = plan.owners.find((o) => o.ownerId === ref.key && o.outcome === 'matched')?.systemUserName
        ?? (ref.key === plan.destination.callerId ? "The migration's own user" : 'The fallback owner');
      labels.values[ref.key.toLowerCase()] = name;
      continue;
    }
    const id = ref.byId ? ref.key : registry(ref.table, ref.key);
    const target = byKey.get(labelKey(ref.table, ref.key));
    if (id) labels.values[id.toLowerCase()] = `${tableLabel(ref.table, 1)}: ${target ? recordName(target) : ref.key}`;
  }
  const choices = planChoices(ctx);
  for (const e of entries) {
    const f = labelKey(e.table, e.column);
    if (!labels.fields[f]) labels.fields[f] = { label: columnLabel(e.table, e.column, dcLabels), kind: kindOf(e.table, e.column, dcTypes) };
    if (labels.fields[f].kind === 'choice') {
      for (const v of [e.expected, e.actual]) {
        const l = choiceLabel(e.table, e.column, v, choices);
        if (l) labels.values[labelKey(f, String(v))] = l;
      }
    }
  }
  return labels;
}
