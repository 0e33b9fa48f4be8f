// Table facts the loader needs (entity sets, primary keys, lookup columns), from the schema plus the standard tables.
import { SCHEMA } from '@astep/solution/schema';
import type { TableInfo } from '../ports';
import type { TargetRow } from '../transform/targetRow';

const STANDARD: Record<string, TableInfo> = {
  systemuser: { logicalName: 'systemuser', entitySetName: 'systemusers', primaryIdAttribute: 'systemuserid' },
  annotation: { logicalName: 'annotation', entitySetName: 'annotations', primaryIdAttribute: 'annotationid' },
  opportunityclose: { logicalName: 'opportunityclose', entitySetName: 'opportunitycloses', primaryIdAttribute: 'activityid' },
};

export function tableInfo(logicalName: string): TableInfo {
  const t = SCHEMA.tables.find((x) => x.logicalName === logicalName);
  if (t) return { logicalName, entitySetName: t.entitySetName, primaryIdAttribute: t.primaryIdAttribute };
  const s = STANDARD[logicalName];
  if (!s) throw new Error(`no table information for ${logicalName}`);
  return s;
}

/** Tables addressed by a GUID we derive (no custom columns, so no alternate key): annotations. */
export const FIXED_ID_TABLES = new Set(['annotation']);

/** Read-side lookup attribute of a navigation property: `parentcustomerid_account` → `_parentcustomerid_value`. */
export function lookupAttributeOf(navigationProperty: string): string {
  if (navigationProperty.startsWith('astep_')) return `_${navigationProperty.toLowerCase()}_value`;
  return `_${navigationProperty.split('_')[0]}_value`;
}

/** Columns written on create only (Dataverse ignores or rejects them on update). */
export const CREATE_ONLY = new Set(['overriddencreatedon', 'documentbody']);

/** Escapes a string for an OData key literal: quotes doubled, then percent-encoded for the URL. */
export function keyLiteral(value: string): string {
  return `'${encodeURIComponent(value.replace(/'/g, "''"))}'`;
}

/** `@odata.bind` value for a lookup: through the alternate key, or by GUID. */
export function bindPath(table: string, key: string, byId = false): string {
  const info = tableInfo(table);
  return byId ? `/${info.entitySetName}(${key})` : `/${info.entitySetName}(astep_sourceid=${keyLiteral(key)})`;
}

/**
 * The columns to read to compare rows with what Dataverse holds: the primary key, the source key, every column the
 * rows write (create-only ones excepted) and the read side of every lookup they bind. The loader, the sample's
 * read-back and verification all compare through this one list.
 */
export function comparedColumns(table: string, rows: Iterable<Pick<TargetRow, 'attributes' | 'binds'>>): Set<string> {
  const info = tableInfo(table);
  const cols = new Set<string>([info.primaryIdAttribute]);
  if (!FIXED_ID_TABLES.has(table)) cols.add('astep_sourceid');
  for (const r of rows) {
    for (const c of Object.keys(r.attributes)) if (!CREATE_ONLY.has(c)) cols.add(c);
    for (const nav of Object.keys(r.binds)) cols.add(lookupAttributeOf(nav));
  }
  return cols;
}
