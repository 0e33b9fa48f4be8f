// Small builders for the declarations: columns whose type and length come from the schema (the solution's tables and
// platform columns), lookups whose attribute and target come from the schema's relationships.
import type { ColumnDef, RelationshipDef, TableDef } from '@astep/solution/model';
import { RELATIONSHIPS, TABLES } from '@astep/solution/schema';
import { PLATFORM_TABLES, platformColumns, type PlatformColumnDef } from '@astep/solution/platformColumns';
import type { ColumnMapping, Conversion, LookupMapping, SampleCoverage } from './tableMapping';

export interface ColumnSpec {
  source?: string;
  conversion: Conversion;
  createOnly?: boolean;
}

/** A table the migration writes, as the solution defines it (ours or extended) or as the platform has it (notes). */
export function targetTable(logicalName: string): TableDef {
  const t = TABLES.find((x) => x.logicalName === logicalName) ?? PLATFORM_TABLES[logicalName];
  if (!t) throw new Error(`neither the solution schema nor the platform tables define ${logicalName}`);
  return t;
}

/** The table's column definition: one we add (schema), else a platform column; a column neither has is a bug. */
function columnDef(target: TableDef, column: string): ColumnDef | PlatformColumnDef {
  const def = target.columns.find((c) => c.logicalName === column) ?? platformColumns(target.logicalName).find((c) => c.logicalName === column);
  if (!def) throw new Error(`the ${target.logicalName} mapping declares column ${column}, which neither the solution schema nor the platform columns define`);
  return def;
}

/** Declared columns by name, each with its definition from the schema. */
export function declareColumns<K extends string>(target: TableDef, specs: Record<K, ColumnSpec>): Record<K, ColumnMapping> {
  const out = {} as Record<K, ColumnMapping>;
  for (const column of Object.keys(specs) as K[]) out[column] = { column, ...specs[column], def: columnDef(target, column) };
  return out;
}

/** Read-side attribute of a lookup column: `_<column>_value`. */
export const lookupAttribute = (column: string) => `_${column}_value`;

/** A lookup defined by one of the solution's relationships (or a relationship given with the mapping). */
export function relationshipLookup(table: string, navigation: string, relationships: readonly RelationshipDef[] = RELATIONSHIPS): LookupMapping {
  const rel = relationships.find((r) => r.referencingEntity === table && r.referencingNavigationProperty === navigation);
  if (!rel) throw new Error(`the ${table} mapping binds ${navigation}, which no relationship of the schema defines`);
  return { navigation, attribute: lookupAttribute(rel.referencingAttribute), table: rel.referencedEntity, by: 'sourceId', relationship: rel };
}

/**
 * A lookup column of the platform (`parentcustomerid` of contact). Polymorphic lookups (customer, regarding, owner)
 * are written through a navigation property named for the target table; they are read back as the one attribute.
 */
export function platformLookup(navigation: string, column: string, table: string, by: LookupMapping['by'] = 'sourceId'): LookupMapping {
  return { navigation, attribute: lookupAttribute(column), table, by };
}

/** The owner: a systemuser bound by its GUID. */
export const OWNER: LookupMapping = platformLookup('ownerid', 'ownerid', 'systemuser', 'id');

/** Rows of a matter's records: the matter the staged record links to. */
export const BY_SOURCE_MATTER: SampleCoverage = {
  matters: (row, facts) => {
    const actionId = (facts.record(row) as { actionId?: string | null } | undefined)?.actionId;
    return actionId ? [actionId] : [];
  },
};

/** Rows keyed by their matter id (astep_matter, opportunity). */
export const BY_OWN_KEY: SampleCoverage = { matters: (row) => [row.key] };
