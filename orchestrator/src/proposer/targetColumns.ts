// Target columns the proposer may choose from: the platform's own columns of the standard tables (as the solution
// package records them, with the lengths Dataverse documents) plus the columns our solution adds (the schema model).
import type { ColumnType, StringFormat, TableDef } from '@astep/solution/model';
import { platformColumns } from '@astep/solution/platformColumns';

export interface TargetColumn {
  logicalName: string;
  displayName?: string;
  type: ColumnType;
  maxLength?: number;
  format?: StringFormat;
  /** Set by the engine; never proposed for a source field. */
  systemOnly?: boolean;
}

export interface TargetTableColumns {
  table: string;
  columns: TargetColumn[];
}

/** Columns the engine sets itself (state, priority, attachment bookkeeping): never proposed for a source field. */
const ENGINE_SET = new Set(['statecode', 'statuscode', 'prioritycode', 'overriddencreatedon', 'documentbody', 'isdocument', 'mimetype']);

/** A table's candidate columns: platform columns first, then ours; the engine's bookkeeping columns are marked. */
export function targetColumnsFor(table: TableDef): TargetTableColumns {
  const ours: TargetColumn[] = table.columns.map((c) => ({
    logicalName: c.logicalName, displayName: c.displayName, type: c.type, maxLength: c.maxLength, format: c.format,
    systemOnly: c.logicalName === 'astep_sourceid' || c.logicalName.endsWith('createdbyuserid'),
  }));
  const known = new Set(ours.map((c) => c.logicalName));
  const platform: TargetColumn[] = platformColumns(table.logicalName).filter((c) => !known.has(c.logicalName)).map((c) => ({
    logicalName: c.logicalName, displayName: c.displayName, type: c.type, maxLength: c.maxLength, format: c.format, systemOnly: ENGINE_SET.has(c.logicalName),
  }));
  return { table: table.logicalName, columns: [...platform, ...ours] };
}
