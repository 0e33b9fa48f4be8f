// The Map step's proposals: for each table the declarations open to the map editor, profile the staged records of
// the resource that feeds it (names, types, value shapes). The fields the mapping declares are proposed as what they
// are (the migration writes them there); for the others the deterministic proposer suggests a free column of the
// table, with confidence and reasons.
import type { SolutionSchema, TableDef } from '@astep/solution/model';
import { MAPPINGS, type MappingSet } from '../mappings';
import type { Conversion, TableMapping } from '../mappings/tableMapping';
import { profileObject } from '../proposer/fieldProfile';
import { proposeMap, type DeclaredPair, type ObjectProposal } from '../proposer/proposeMap';
import { targetColumnsFor } from '../proposer/targetColumns';
import type { FieldDecision } from '../transform/corrections';
import type { MapEdit } from './wizardState';

/** The objects the Map step shows: each table open to the map editor, for the records of its first feed. */
function mappedObjects(mappings: MappingSet = MAPPINGS): Array<{ object: string; table: string; label: string; mapping: TableMapping }> {
  return mappings.tables.filter((m) => m.mapEditor).map((m) => ({ object: m.feeds[0].resource, table: m.target.logicalName, label: m.label, mapping: m }));
}

export const MAPPED_OBJECTS = mappedObjects();

const CONVERSION_WORDS: Partial<Record<Conversion, string>> = {
  text: 'as text', htmlText: 'as plain text (HTML converted)', email: 'as an email address', dateOnly: 'as a date',
  localDate: 'as the local date', timestamp: 'as a UTC time from the firm\'s time zone', money: 'as an amount', choice: 'as a choice value',
};

/** The fields a table's declaration maps: the first field of each column's source path. */
function declaredPairs(mapping: TableMapping): DeclaredPair[] {
  return mapping.columns.filter((c) => c.source).map((c) => {
    const field = (c.source as string).split('|')[0].split('.')[0];
    const length = c.def.maxLength && (c.def.type === 'string' || c.def.type === 'memo') ? `, up to ${c.def.maxLength} characters` : '';
    return { sourceField: field, column: c.column, reason: `the migration writes ${field} to ${c.column} ${CONVERSION_WORDS[c.conversion] ?? 'as it is'}${length}` };
  });
}

/** Fields that are links or bookkeeping, not values: the engine resolves them as lookups. */
const NOT_VALUES = /^(id|links|.*Id|.*Ids)$/;
/** Profiles use at most this many records per object: proposals need shapes, not every row. */
export const PROFILE_RECORDS = 500;

function tableDef(schema: SolutionSchema, table: string): TableDef {
  return schema.tables.find((t) => t.logicalName === table) ?? { logicalName: table, columns: [] } as unknown as TableDef;
}

/** Proposals for the objects that have staged records. `staged` gives an object's records (parsed). */
export function proposeFromStaged(schema: SolutionSchema, staged: (object: string) => ReadonlyArray<Record<string, unknown>>, mappings: MappingSet = MAPPINGS): ObjectProposal[] {
  return mappedObjects(mappings).flatMap((m) => {
    const records = staged(m.object).slice(0, PROFILE_RECORDS).map((r) => {
      const values: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) if (!NOT_VALUES.test(k) && (v === null || typeof v !== 'object')) values[k] = v;
      return values;
    });
    if (!records.length) return [];
    // Columns the mapping computes (names, figures, lookups' companions) are not free for a source field.
    const computed = m.mapping.columns.filter((c) => !c.source).map((c) => c.column);
    return [proposeMap(profileObject(m.object, records), targetColumnsFor(tableDef(schema, m.table)), { declared: declaredPairs(m.mapping), computed })];
  });
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
    if (!f.declared || !f.targetColumn) {
      problems.push(`map edit ${e.object}.${e.sourceField} → ${p.table}.${e.targetColumn ?? '(not migrated)'}: the migration's mapping does not write this field; it is recorded in the field map but not applied`);
      continue;
    }
    decisions.push(e.targetColumn === null
      ? { table: p.table, column: f.targetColumn, action: 'exclude' }
      : { table: p.table, column: f.targetColumn, action: 'correct', correction: e.targetColumn });
  }
  return { decisions, problems };
}
