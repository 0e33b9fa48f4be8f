// The in-memory driver: every table mapping in load order maps its units (records or groups) with the lookups, and
// every staged record gets its dispositions (the rows it became, the rows it is part of, or why it was skipped or
// failed), so that extracted = migrated + skipped + failed holds to the record.
import type { TargetRow } from '../transform/targetRow';
import type { MappingLookups } from './lookups';
import type { MappingSet } from './mappingSet';
import type { Feed, TableMapping } from './tableMapping';
import type { StagedUnit, UnitSource } from './firmUnits';
import type { StagedResource } from '../transform/firmData';

export type Disposition =
  | { kind: 'row'; table: string; key: string }
  | { kind: 'rollup'; table: string | null; key: string | null; note: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; field: string | null; rule: string; message: string };

export interface MappedFirm {
  /** Rows per target table, tables in load order. */
  rows: Map<string, TargetRow[]>;
  /** "resource:id" → what became of the record (several rows: e.g. a task → task + astep_step). */
  dispositions: Map<string, Disposition[]>;
}

export const recordRef = (resource: string, id: string) => `${resource}:${id}`;

function unitsOf(feed: Feed, units: UnitSource): Iterable<unknown> {
  switch (feed.grouping) {
    case 'record': return units.records(feed.resource);
    case 'clientAccount': return units.clientAccounts();
    case 'person': return units.people();
    case 'matterTasks': return units.matterTasks();
  }
}

/** A row may only carry what its declaration names: the rest of the engine reads the declaration, not the row. */
function checkDeclared(mapping: TableMapping, row: TargetRow, allowed: Set<string>, lookups: Set<string>): void {
  const name = mapping.target.logicalName;
  if (row.table !== name) throw new Error(`the ${name} mapping produced a row for ${row.table}`);
  for (const c of Object.keys(row.attributes)) {
    if (!allowed.has(c)) throw new Error(`the ${name} mapping wrote column ${c}, which its declaration does not list`);
  }
  for (const nav of Object.keys(row.binds)) {
    if (!lookups.has(nav)) throw new Error(`the ${name} mapping bound ${nav}, which its declaration does not list`);
  }
  const state = row.finalState?.state;
  if (state !== undefined && !mapping.lifecycle?.closed[state]) throw new Error(`the ${name} mapping closes a row as "${state}", a state its lifecycle does not declare`);
}

/** Where a mapping pass sends what became of each record: rank 0 a mapping's own, 1 a roll-up, 2 the accounting's. */
export type DispositionSink = (resource: string, id: string, d: Disposition, rank: 0 | 1 | 2) => void;

/**
 * One table's rows, unit by unit, as the mapping produces them (nothing is kept): each row and each skip or
 * failure is reported to `record` as it comes.
 */
export function* mapTable(mapping: TableMapping, lookups: MappingLookups, units: UnitSource, record: DispositionSink): Generator<TargetRow> {
  const planColumns = new Set(lookups.dataCollectionColumns().map((c) => c.column));
  const allowed = new Set([...mapping.columns.map((c) => c.column), ...(mapping.planColumns ? planColumns : [])]);
  const navigations = new Set(mapping.lookups.map((l) => l.navigation));
  for (const feed of mapping.feeds) {
    const map = feed.map as (unit: unknown, lookups: MappingLookups) => ReturnType<Feed['map']>;
    for (const unit of unitsOf(feed, units)) {
      const out = map(unit, lookups);
      for (const r of out.rows) {
        checkDeclared(mapping, r, allowed, navigations);
        record(r.sourceResource, r.sourceId, { kind: 'row', table: r.table, key: r.key }, 0);
      }
      for (const s of out.skipped) record(s.sourceResource, s.sourceId, { kind: 'skipped', reason: s.reason }, 0);
      for (const f of out.failed) record(f.sourceResource, f.sourceId, { kind: 'failed', field: f.field, rule: f.rule, message: f.message }, 0);
      // Read after every row of every table: a record's own row comes first in its dispositions (its failure is the one reported).
      for (const u of out.rollups) record(u.sourceResource, u.sourceId, { kind: 'rollup', table: u.table, key: u.key, note: u.note }, 1);
      yield* out.rows;
    }
  }
}

/**
 * After every table: the source accounting gives each staged record that no table mapping disposed of its
 * disposition (rolled up, resolved another way, or skipped with the reason). `disposed` says which of a page of
 * ids already have one.
 */
export function accountSources(mappings: MappingSet, lookups: MappingLookups, stagedPages: (resource: string) => Iterable<StagedUnit[]>, disposed: (resource: string, ids: string[]) => Set<string>, record: DispositionSink): void {
  for (const source of mappings.sources) {
    for (const page of stagedPages(source.resource)) {
      const done = disposed(source.resource, page.map((u) => u.id));
      for (const { id, record: rec } of page) if (!done.has(id)) record(source.resource, id, source.unmapped(rec, id, lookups), 2);
    }
  }
}

/**
 * A record's dispositions in reading order: its own rows, skips and failures, then roll-ups, then the accounting's.
 * Two mappings of one resource (documents: notes and astep_document) report the same skip once.
 */
export function readingOrder(list: Array<{ d: Disposition; rank: number }>): Disposition[] {
  const out: Disposition[] = [];
  for (const { d } of [...list].sort((a, b) => a.rank - b.rank)) {
    if (d.kind === 'skipped' && out.some((x) => x.kind === 'skipped' && x.reason === d.reason)) continue;
    out.push(d);
  }
  return out;
}

/** Every table mapped in memory, with every record's dispositions (the in-memory driver; tests and small firms). */
export function mapFirm(mappings: MappingSet, lookups: MappingLookups, units: UnitSource): MappedFirm {
  const collected = new Map<string, Array<{ d: Disposition; rank: number }>>();
  const record: DispositionSink = (resource, id, d, rank) => {
    const k = recordRef(resource, id);
    const list = collected.get(k);
    if (list) list.push({ d, rank });
    else collected.set(k, [{ d, rank }]);
  };
  const rows = new Map<string, TargetRow[]>(mappings.tables.map((m) => [m.target.logicalName, [...mapTable(m, lookups, units, record)]]));
  const pages = function* (resource: string) {
    const page: StagedUnit[] = [...units.staged(resource as StagedResource)];
    if (page.length) yield page;
  };
  accountSources(mappings, lookups, pages, (resource, ids) => new Set(ids.filter((id) => collected.has(recordRef(resource, id)))), record);
  const dispositions = new Map<string, Disposition[]>();
  for (const [k, list] of collected) dispositions.set(k, readingOrder(list));
  return { rows, dispositions };
}
