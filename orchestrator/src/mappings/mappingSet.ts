// The mappings a run uses, in load order, with the source accounting: what every step asks of "the mappings". A new
// mapping is one more TableMapping in the list; the steps find its table, keys, lookups and lifecycle here.
import type { RelationshipDef, SolutionSchema, TableDef } from '@astep/solution/model';
import type { TableInfo } from '../ports';
import { tableInfo as knownTableInfo } from '../load/tables';
import type { SourceAccounting } from './sources';
import type { LookupMapping, TableMapping } from './tableMapping';

export const infoOf = (t: TableDef): TableInfo => ({ logicalName: t.logicalName, entitySetName: t.entitySetName, primaryIdAttribute: t.primaryIdAttribute });

export class MappingSet {
  private readonly byName: Map<string, TableMapping>;

  constructor(readonly tables: readonly TableMapping[], readonly sources: readonly SourceAccounting[]) {
    this.byName = new Map();
    for (const m of tables) {
      const name = m.target.logicalName;
      if (this.byName.has(name)) throw new Error(`two mappings write ${name}: one table mapping per target table`);
      // Parents before children: a row binds through the alternate key only to a row already written.
      for (const l of m.lookups) {
        if (l.by === 'sourceId' && !this.byName.has(l.table)) throw new Error(`the ${name} mapping binds ${l.navigation} to ${l.table}, which is not loaded before it`);
      }
      this.byName.set(name, m);
    }
  }

  /** Target tables in load order. */
  get names(): string[] {
    return this.tables.map((m) => m.target.logicalName);
  }

  get(table: string): TableMapping | undefined {
    return this.byName.get(table);
  }

  require(table: string): TableMapping {
    const m = this.byName.get(table);
    if (!m) throw new Error(`no mapping writes ${table} (the mappings write ${this.names.join(', ')})`);
    return m;
  }

  /** Entity set and primary key of a mapped table, or of a table the solution or the platform defines. */
  tableInfo(table: string): TableInfo {
    const m = this.byName.get(table);
    return m ? infoOf(m.target) : knownTableInfo(table);
  }

  lookupByNavigation(table: string, navigation: string): LookupMapping | undefined {
    return this.byName.get(table)?.lookups.find((l) => l.navigation === navigation);
  }

  lookupByAttribute(table: string, attribute: string): LookupMapping | undefined {
    return this.byName.get(table)?.lookups.find((l) => l.attribute === attribute);
  }

  /** The same mappings with `mapping` loaded right after `after` (a firm's own table, or a test's). */
  with(mapping: TableMapping, after: string): MappingSet {
    const i = this.tables.findIndex((m) => m.target.logicalName === after);
    if (i < 0) throw new Error(`no mapping writes ${after}`);
    return new MappingSet([...this.tables.slice(0, i + 1), mapping, ...this.tables.slice(i + 1)], this.sources);
  }

  /** The schema plus the custom tables and relationships mappings declare that it does not have yet. */
  extendSchema(schema: SolutionSchema): SolutionSchema {
    const tables = [...schema.tables];
    const relationships: RelationshipDef[] = [...schema.relationships];
    for (const m of this.tables) {
      if (m.target.isCustom && !tables.some((t) => t.logicalName === m.target.logicalName)) tables.push(m.target);
      for (const l of m.lookups) {
        if (l.relationship && !relationships.some((r) => r.schemaName === l.relationship!.schemaName)) relationships.push(l.relationship);
      }
    }
    return { ...schema, tables, relationships };
  }
}
