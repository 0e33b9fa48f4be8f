// Table facts the loader needs beyond the mappings' declarations: the entity sets and primary keys of the tables the
// solution or the platform defines (the engine's own tables, owners), key literals, bind paths, and the columns to
// read to compare a table's rows with what Dataverse holds.
import { PLATFORM_TABLES } from '@astep/solution/platformColumns';
import { SCHEMA } from '@astep/solution/schema';
import type { TableInfo } from '../ports';
import type { TableMapping } from '../mappings/tableMapping';
import type { TargetRow } from '../transform/targetRow';

export function tableInfo(logicalName: string): TableInfo {
  const t = SCHEMA.tables.find((x) => x.logicalName === logicalName) ?? PLATFORM_TABLES[logicalName];
  if (!t) throw new Error(`no table information for ${logicalName}`);
  return { logicalName, entitySetName: t.entitySetName, primaryIdAttribute: t.primaryIdAttribute };
}

/** Escapes a string for an OData key literal: quotes doubled, then percent-encoded for the URL. */
export function keyLiteral(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

/** `@odata.bind` value for a lookup: through the alternate key, or by GUID. */
export function bindPath(target: TableInfo, key: string, byId = false): string {
  return byId ? `/${target.entitySetName}(${key})` : `/${target.entitySetName}(astep_sourceid=${keyLiteral(key)})`;
}

/** Columns the declaration writes on create only: never compared (Dataverse does not take them on update). */
export function createOnlyColumns(mapping: TableMapping): Set<string> {
  const set = new Set(mapping.columns.filter((c) => c.createOnly).map((c) => c.column));
  if (mapping.attachmentColumn) set.add(mapping.attachmentColumn);
  return set;
}

/**
 * The columns to read to compare rows with what Dataverse holds: the primary key, the source key, every column the
 * rows write (create-only ones excepted) and the read side of every lookup they bind. The loader, the sample's
 * read-back and verification all compare through this one list.
 */
export function comparedColumns(mapping: TableMapping, rows: Iterable<Pick<TargetRow, 'attributes' | 'binds'>>): Set<string> {
  const cols = new Set<string>([mapping.target.primaryIdAttribute]);
  if (mapping.key.by === 'sourceId') cols.add('astep_sourceid');
  const createOnly = createOnlyColumns(mapping);
  const attributeOf = new Map(mapping.lookups.map((l) => [l.navigation, l.attribute] as const));
  for (const r of rows) {
    for (const c of Object.keys(r.attributes)) if (!createOnly.has(c)) cols.add(c);
    for (const nav of Object.keys(r.binds)) cols.add(attributeOf.get(nav) ?? nav);
  }
  return cols;
}
