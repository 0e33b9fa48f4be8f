// The Map step's proposals: for each source object the wizard shows, profile the staged records (names, types,
// value shapes) and let the deterministic proposer pick a target column per field, with confidence and reasons.
// The objects and their tables follow the engine's mappings (SPEC §2): people → contact, matters → astep_matter,
// time entries → astep_timeentry, steps → astep_step, tasks → task.
import type { SolutionSchema, TableDef } from '@astep/solution/model';
import { profileObject } from '../proposer/fieldProfile';
import { proposeMaps, type ObjectProposal } from '../proposer/proposeMap';
import { targetColumnsFor } from '../proposer/targetColumns';
import type { FieldDecision } from '../transform/corrections';
import type { MapEdit } from './wizardState';

export const MAPPED_OBJECTS: ReadonlyArray<{ object: string; table: string; label: string }> = [
  { object: 'participants', table: 'contact', label: 'People → Contact' },
  { object: 'actions', table: 'astep_matter', label: 'Matters → Matter' },
  { object: 'timeentries', table: 'astep_timeentry', label: 'Time entries → Time Entry' },
  { object: 'steps', table: 'astep_step', label: 'Steps → Matter Step' },
  { object: 'tasks', table: 'task', label: 'Tasks → Task' },
];

/** Fields that are links or bookkeeping, not values: the engine resolves them as lookups. */
const NOT_VALUES = /^(id|links|.*Id|.*Ids)$/;
/** Profiles use at most this many records per object: proposals need shapes, not every row. */
export const PROFILE_RECORDS = 500;

function tableDef(schema: SolutionSchema, table: string): TableDef {
  return schema.tables.find((t) => t.logicalName === table) ?? { logicalName: table, columns: [] } as unknown as TableDef;
}

/** Proposals for the objects that have staged records. `staged` gives an object's records (parsed). */
export function proposeFromStaged(schema: SolutionSchema, staged: (object: string) => ReadonlyArray<Record<string, unknown>>): ObjectProposal[] {
  const objects = MAPPED_OBJECTS.flatMap((m) => {
    const records = staged(m.object).slice(0, PROFILE_RECORDS).map((r) => {
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (!NOT_VALUES.test(k) && (v === null || typeof v !== 'object')) values[k] = v;
      return values;
    });
    if (!records.length) return [];
    return [{ source: profileObject(m.object, records), target: targetColumnsFor(tableDef(schema, m.table)) }];
  });
  return proposeMaps(objects);
}

/**
 * The admin's edits as decisions the engine applies to every row (the same machinery as the review's corrections):
 * an edit that clears a proposed column excludes it; one that moves a field to another column corrects it there.
 * An edit of a field that had no proposal names a column the map does not write yet, which the engine's validation
 * reports by name instead of dropping.
 */
export function decisionsFromMapEdits(proposals: readonly ObjectProposal[], edits: readonly MapEdit[]): { decisions: FieldDecision[]; problems: string[] } {
  const decisions: FieldDecision[] = [];
  const problems: string[] = [];
  for (const e of edits) {
    const p = proposals.find((x) => x.object === e.object);
    const f = p?.fields.find((x) => x.sourceField === e.sourceField);
    if (!p || !f) {
      problems.push(`map edit ${e.object}.${e.sourceField}: the staged data has no such field`);
      continue;
    }
    if (f.targetColumn === e.targetColumn) continue;
    if (!f.targetColumn) {
      problems.push(`map edit ${e.object}.${e.sourceField} → ${p.table}.${e.targetColumn}: the engine's mapping does not write this field yet; it is recorded in the field map but not applied`);
      continue;
    }
    decisions.push(e.targetColumn === null
      ? { table: p.table, column: f.targetColumn, action: 'exclude' }
      : { table: p.table, column: f.targetColumn, action: 'correct', correction: e.targetColumn });
  }
  return { decisions, problems };
}
