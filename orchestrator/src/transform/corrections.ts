// The admin's corrections from the sample review: per table and column, keep the proposal, send the value to another
// column, or leave the column out. Applied to every row of the full run, so what was approved is what runs.
import type { MappedFirm } from '../mappings/mapFirm';
import type { TargetRow } from './targetRow';

export interface FieldDecision {
  table: string;
  column: string;
  action: 'accept' | 'correct' | 'exclude';
  /** For `correct`: the target column (logical name) the value goes to instead, or a note when not a column name. */
  correction?: string;
}

const COLUMN_NAME = /^[a-z_][a-z0-9_]{0,99}$/;

/** Clear messages for decisions that cannot apply (unknown table, a column the map never writes, a bad target). */
export function validateDecisions(mapped: MappedFirm, decisions: FieldDecision[]): string[] {
  const columns = new Map<string, Set<string>>();
  for (const [table, rows] of mapped.rows) {
    const set = new Set<string>();
    for (const r of rows) for (const c of Object.keys(r.attributes)) set.add(c);
    columns.set(table, set);
  }
  return validateDecisionsAgainst(columns, decisions);
}

/** Applies the decisions to the mapped rows (in place). A correction that is a note, not a column name, changes nothing. */
export function applyDecisions(mapped: MappedFirm, decisions: FieldDecision[]): void {
  for (const rows of mapped.rows.values()) for (const r of rows) applyDecisionsToRow(r, decisions);
}

/** The decisions applied to one row as it is mapped (the streaming engine never holds the whole firm's rows). */
export function applyDecisionsToRow(r: TargetRow, decisions: readonly FieldDecision[]): TargetRow {
  for (const d of decisions) {
    if (d.action === 'accept' || d.table !== r.table || !(d.column in r.attributes)) continue;
    const value = r.attributes[d.column];
    if (d.action === 'exclude') delete r.attributes[d.column];
    else if (d.correction && COLUMN_NAME.test(d.correction)) {
      delete r.attributes[d.column];
      r.attributes[d.correction] = value;
    }
  }
  return r;
}

/**
 * The same checks as validateDecisions over what each table writes (every column some row of the table carries),
 * gathered while the firm is mapped once.
 */
export function validateDecisionsAgainst(columnsByTable: Map<string, Set<string>>, decisions: FieldDecision[]): string[] {
  const problems: string[] = [];
  decisions.forEach((d, i) => {
    const where = `decision ${i + 1} (${d.table}.${d.column})`;
    if (!['accept', 'correct', 'exclude'].includes(d.action)) problems.push(`${where}: action must be accept, correct or exclude, not "${d.action}"`);
    const columns = columnsByTable.get(d.table);
    if (!columns) {
      problems.push(`${where}: "${d.table}" is not a table the migration writes (${[...columnsByTable.keys()].join(', ')})`);
      return;
    }
    if (!columns.has(d.column)) problems.push(`${where}: the map writes no column "${d.column}" on ${d.table}`);
    if (d.action === 'correct' && d.correction && COLUMN_NAME.test(d.correction) && columns.has(d.correction) && d.correction !== d.column) {
      problems.push(`${where}: "${d.correction}" already receives another value; correcting onto it would overwrite that`);
    }
  });
  return problems;
}
