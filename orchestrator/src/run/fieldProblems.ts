// Field-level problems of every record, sample or not: a record migrates with a value adjusted or left empty (a bad
// email, an impossible date, a status no map covers), and that must never go unsaid. Each problem becomes a finding of
// the run summary (grouped by rule, with counts and examples) and a line of the CSV beside the report, written as it
// is met (a loader's error file), never gathered in memory.
import type { TargetRow } from '../transform/targetRow';
import type { FindingLog } from './findings';
import { columnLabel, tableRecordName } from '../vocabulary/objects';

/** One line of field-problems.csv. */
export interface FieldProblemRecord {
  /** The Actionstep record: resource and id. */
  resource: string;
  id: string;
  /** The Dataverse row it became: table, its key (astep_sourceid), and the column. */
  table: string;
  key: string;
  column: string;
  rule: string;
  value: unknown;
  message: string;
}

export const FIELD_PROBLEM_COLUMNS = ['resource', 'id', 'target table', 'target key', 'column', 'rule', 'value', 'message'] as const;

/** Where a run's field problems are written, problem by problem (the command line: field-problems.csv beside the report). */
export interface FieldProblemWriter {
  write(problem: FieldProblemRecord): void | Promise<void>;
  close(): Promise<void>;
}

/** Opens the writer of one run or delta (the command line's CSV; none in the wizard, where the summary carries them). */
export type FieldProblemSink = (runId: string, phase: 'run' | 'delta') => FieldProblemWriter | Promise<FieldProblemWriter>;

/** The CSV cells of one problem (value as text: JSON for anything that is not a string). */
export function fieldProblemCells(p: FieldProblemRecord): string[] {
  const value = p.value === null || p.value === undefined ? '' : typeof p.value === 'string' ? p.value : JSON.stringify(p.value);
  return [p.resource, p.id, p.table, p.key, p.column, p.rule, value, p.message];
}

/**
 * Every problem of every row into the findings (and the writer, when there is one); returns how many. The finding's
 * message names the row and column in the admin's words ("Contact P-22, Email"); the CSV keeps the logical names.
 */
export async function recordFieldProblems(rows: Iterable<TargetRow>, log: FindingLog, writer?: FieldProblemWriter): Promise<number> {
  let n = 0;
  for (const row of rows) {
    for (const p of row.problems) {
      const record: FieldProblemRecord = {
        resource: row.sourceResource, id: row.sourceId, table: row.table, key: row.key, column: p.field, rule: p.rule, value: p.value, message: p.message,
      };
      log.add(p.rule, { resource: row.sourceResource, id: row.sourceId, field: `${row.table}.${p.field}`, value: p.value ?? null, message: `${tableRecordName(row.table, row.key)}, ${columnLabel(row.table, p.field)}: ${p.message}` });
      if (writer) await writer.write(record);
      n++;
    }
  }
  return n;
}
