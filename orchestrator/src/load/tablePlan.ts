// One table's declaration as the row loader and verification read it, the bulk read of a batch's rows by the value
// they are found by, and the GUIDs of the parent rows a batch binds to (from a pass's ledger): one copy, so the load
// and its verification find and compare rows the same way.
import type { Row, SinkPort, StateStore, TableInfo } from '../ports';
import type { MappingSet } from '../mappings/mappingSet';
import type { TableMapping } from '../mappings/tableMapping';
import type { TargetRow } from '../transform/targetRow';
import { createOnlyColumns } from './tables';

/** astep_sourceid → GUID per table, filled as tables are read and written (children compare lookups by GUID). */
export class KeyRegistry {
  private readonly map = new Map<string, Map<string, string>>();
  set(table: string, key: string, id: string) {
    let m = this.map.get(table);
    if (!m) this.map.set(table, (m = new Map()));
    m.set(key, id);
  }
  get(table: string, key: string): string | undefined {
    return this.map.get(table)?.get(key);
  }
}

/** What the loader and verification read from one table's declaration. */
export interface TablePlan {
  mapping: TableMapping;
  info: TableInfo;
  fixed: boolean;
  createOnly: Set<string>;
  attributeOf: Map<string, string>;
}

/** `mapping`'s plan (a table mapped twice has a plan per mapping: their columns differ). */
export function tablePlan(mappings: MappingSet, mapping: TableMapping): TablePlan {
  return {
    mapping, info: mappings.tableInfo(mapping.target.logicalName), fixed: mapping.key.by === 'fixedId', createOnly: createOnlyColumns(mapping),
    attributeOf: new Map(mapping.lookups.map((l) => [l.navigation, l.attribute] as const)),
  };
}

/** The value a row is found by: its astep_sourceid, or the GUID it is addressed by. */
export function addressOf(t: TablePlan, row: TargetRow): string {
  return t.fixed ? (row.fixedId as string) : row.key;
}

/** The rows Dataverse holds for `rows` (one bulk read of `select`), by their address in lower case. */
export async function readByAddress(sink: SinkPort, t: TablePlan, rows: TargetRow[], select: string[]): Promise<Map<string, Row>> {
  const { info } = t;
  const found = await sink.readByValues(info, t.fixed ? info.primaryIdAttribute : 'astep_sourceid', rows.map((r) => addressOf(t, r)), select);
  const byKey = new Map<string, Row>();
  for (const f of found) {
    const k = (t.fixed ? f[info.primaryIdAttribute] : f.astep_sourceid) as string | null | undefined;
    if (k) byKey.set(k.toLowerCase(), f);
  }
  return byKey;
}

/** GUIDs of the parent rows `rows` bind to through an alternate key, from `ledger` (their tables were done before). */
export function parentIds(store: StateStore, ledger: string, rows: TargetRow[]): KeyRegistry {
  const wanted = new Map<string, Set<string>>();
  for (const r of rows) {
    for (const ref of Object.values(r.binds)) {
      if (!ref || ref.byId) continue;
      let keys = wanted.get(ref.table);
      if (!keys) wanted.set(ref.table, (keys = new Set()));
      keys.add(ref.key);
    }
  }
  const registry = new KeyRegistry();
  for (const [table, keys] of wanted) {
    for (const loaded of store.loadedRows(ledger, table, [...keys])) if (loaded.targetId) registry.set(table, loaded.key, loaded.targetId);
  }
  return registry;
}
