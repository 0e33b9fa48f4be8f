// What a mapping produces: one intended Dataverse row, keyed by its source, with the problems met on the way.
import type { FieldProblem } from './values';

export interface TargetRow {
  /** Logical name of the target table. */
  table: string;
  /** Actionstep resource and id the row comes from (for audit, diff and messages). */
  sourceResource: string;
  sourceId: string;
  /** Value of astep_sourceid (the upsert key); for annotations (no custom columns) the deterministic GUID is the key. */
  key: string;
  /** Primary key to use when the table has no alternate key (annotations, opportunityclose). */
  fixedId?: string;
  /** Column values (logical names). */
  attributes: Record<string, unknown>;
  /** Lookups: navigation property → target table + key (bound through the alternate key or GUID at load time). */
  binds: Record<string, LookupRef | null>;
  /** Field problems: the record migrates, with these fields adjusted or left empty. */
  problems: FieldProblem[];
  /** State change applied after every row is written (won/lost opportunity, completed task): see the lifecycle. */
  finalState?: FinalState;
  /** A file to download and carry as the row's attachment (written on create). */
  attachment?: { fileId: string; size: number };
}

export interface LookupRef {
  table: string;
  /** astep_sourceid of the target, or a GUID when `byId`. */
  key: string;
  byId?: boolean;
}

/** A closed state the table's lifecycle declares (`won`, `completed`...), with the values its close carries. */
export interface FinalState {
  state: string;
  values?: Record<string, unknown>;
}

/** A source record that does not become a row, with the reason. */
export interface SkippedRecord {
  sourceResource: string;
  sourceId: string;
  reason: string;
}

/** A source record that cannot migrate: a clear message naming the record, the field and the rule. */
export interface FailedRecord {
  sourceResource: string;
  sourceId: string;
  field: string | null;
  rule: string;
  message: string;
}

/** A source record that becomes part of another record's row (a matter summed on its client's account). */
export interface RolledUpRecord {
  sourceResource: string;
  sourceId: string;
  table: string;
  key: string;
  note: string;
}

export interface MappingOutput {
  rows: TargetRow[];
  skipped: SkippedRecord[];
  failed: FailedRecord[];
  rollups: RolledUpRecord[];
}

export function emptyOutput(): MappingOutput {
  return { rows: [], skipped: [], failed: [], rollups: [] };
}
