// The in-memory driver: every table mapping in load order maps its units (records or groups) with the lookups, and
// every staged record gets its dispositions (the rows it became, the rows it is part of, or why it was skipped or
// failed), so that extracted = migrated + skipped + failed holds to the record.
import type { TargetRow } from '../transform/targetRow';
import type { MappingLookups } from './lookups';
import type { MappingSet } from './mappingSet';
import type { Feed, TableMapping } from './tableMapping';
import type { UnitSource } from './firmUnits';

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

export function mapFirm(mappings: MappingSet, lookups: MappingLookups, units: UnitSource): MappedFirm {
  const rows = new Map<string, TargetRow[]>(mappings.tables.map((m) => [m.target.logicalName, []]));
  const dispositions = new Map<string, Disposition[]>();
  const add = (resource: string, id: string, d: Disposition) => {
    const k = recordRef(resource, id);
    const list = dispositions.get(k);
    // Two mappings of one resource (documents: notes and astep_document) report the same skip once.
    if (list && d.kind === 'skipped' && list.some((x) => x.kind === 'skipped' && x.reason === d.reason)) return;
    if (list) list.push(d);
    else dispositions.set(k, [d]);
  };
  const rollups: Array<[string, string, Disposition]> = [];
  const planColumns = new Set(lookups.dataCollectionColumns().map((c) => c.column));

  for (const mapping of mappings.tables) {
    const table = mapping.target.logicalName;
    const list = rows.get(table)!;
    const allowed = new Set([...mapping.columns.map((c) => c.column), ...(mapping.planColumns ? planColumns : [])]);
    const navigations = new Set(mapping.lookups.map((l) => l.navigation));
    for (const feed of mapping.feeds) {
      const map = feed.map as (unit: unknown, lookups: MappingLookups) => ReturnType<Feed['map']>;
      for (const unit of unitsOf(feed, units)) {
        const out = map(unit, lookups);
        for (const r of out.rows) {
          checkDeclared(mapping, r, allowed, navigations);
          list.push(r);
          add(r.sourceResource, r.sourceId, { kind: 'row', table: r.table, key: r.key });
        }
        for (const s of out.skipped) add(s.sourceResource, s.sourceId, { kind: 'skipped', reason: s.reason });
        for (const f of out.failed) add(f.sourceResource, f.sourceId, { kind: 'failed', field: f.field, rule: f.rule, message: f.message });
        for (const u of out.rollups) rollups.push([u.sourceResource, u.sourceId, { kind: 'rollup', table: u.table, key: u.key, note: u.note }]);
      }
    }
  }
  // After every row: a record's own row comes first in its dispositions (its failure is the one reported).
  for (const [resource, id, d] of rollups) add(resource, id, d);
  for (const source of mappings.sources) {
    for (const { id, record } of units.staged(source.resource)) {
      if (!dispositions.has(recordRef(source.resource, id))) add(source.resource, id, source.unmapped(record, id, lookups));
    }
  }
  return { rows, dispositions };
}
