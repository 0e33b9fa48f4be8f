// Every value of every enumerated field the mappings read, counted at discovery, with the ones Actionstep does not
// document flagged and what the plan does with them. The documented sets are Actionstep's own (its OpenAPI files, kept
// in resources.ts as `enumValues`); a value outside them is a finding, never a silent default: the plan names the rule
// that applies (the options' unknown-value map) and every record that uses one gets a message when it is mapped.
import type { ResourceName } from '@astep/actionstep-connector/records';
import { RESOURCES } from '@astep/actionstep-connector/resources';
import type { MigrationOptions } from '../options';

export interface EnumField {
  resource: ResourceName;
  /** The field of the normalized record (also its wire name for these fields). */
  field: string;
  label: string;
  documented: readonly string[];
  /** What a value outside the documented set becomes, in the admin's words, under these options. */
  unknownRule(options: MigrationOptions): string;
}

const documented = (resource: ResourceName, field: string): readonly string[] =>
  RESOURCES[resource].fields.find((f) => f.name === field)?.enumValues ?? [];

/** The enumerated fields the mappings read (a boolean flag's values are true, false and empty). */
export const ENUM_FIELDS: readonly EnumField[] = [
  {
    resource: 'actions', field: 'status', label: 'Matter status', documented: documented('actions', 'status'),
    unknownRule: (o) => (o.unknownValueMap.matterStatus
      ? `the unknown-value map gives Matter Status "${o.unknownValueMap.matterStatus.matterStatus}" and opportunity outcome ${o.unknownValueMap.matterStatus.opportunity}`
      : 'Matter Status left empty and the opportunity left open (add the status to the status map to choose)'),
  },
  {
    resource: 'timeentries', field: 'billingBehavior', label: 'Time entry billing behaviour', documented: documented('timeentries', 'billingBehavior'),
    unknownRule: (o) => `kept as text on the time entry; counted as "${o.unknownValueMap.billingBehavior}" (${o.billingTotal === 'allEntries' ? 'the billing total counts every time entry, so its amount is in it either way' : o.unknownValueMap.billingBehavior === 'Bill' ? 'its amount stays in the billing total' : 'its amount is left out of the billing total, and the amount is stated'})`,
  },
  {
    resource: 'timeentries', field: 'isBillable', label: 'Time entry billable flag', documented: ['true', 'false'],
    unknownRule: () => 'an empty flag follows the billing behaviour',
  },
  {
    resource: 'tasks', field: 'status', label: 'Task status', documented: documented('tasks', 'status'),
    unknownRule: (o) => `the task is migrated as "${o.unknownValueMap.taskStatus}"${o.unknownValueMap.taskStatus === 'Incomplete' ? ' (left open)' : ''}`,
  },
  {
    resource: 'tasks', field: 'priority', label: 'Task priority', documented: documented('tasks', 'priority'),
    unknownRule: (o) => `the task gets priority ${o.unknownValueMap.taskPriority}`,
  },
  {
    resource: 'filenotes', field: 'source', label: 'File note source', documented: documented('filenotes', 'source'),
    unknownRule: (o) => (o.unknownValueMap.fileNoteSource === 'User' ? 'the note migrates as a person\'s note' : 'the note is treated as system-generated'
      + (o.skipSystemFileNotes ? ' (and skipped, as the plan skips those)' : '')),
  },
  {
    resource: 'datacollectionfields', field: 'dataType', label: 'Data collection field type', documented: documented('datacollectionfields', 'dataType'),
    unknownRule: () => 'the field becomes a text column and its values are kept as text',
  },
];

/** Whether a value is one Actionstep documents for the field (empty is no value, not an unknown one). */
export function isDocumented(field: EnumField, value: string | null): boolean {
  return value === null || field.documented.includes(value);
}

/** Values counted per field: `resource.field` → value (as text; null when empty) → records. */
export type EnumCounts = Record<string, Record<string, number>>;

export const enumKey = (f: Pick<EnumField, 'resource' | 'field'>) => `${f.resource}.${f.field}`;
export const EMPTY_VALUE = '(empty)';

/** A field's values as text for counting: booleans as true/false, nothing as "(empty)". */
export function enumValueText(value: unknown): string {
  return value === null || value === undefined || value === '' ? EMPTY_VALUE : String(value);
}

export interface EnumValuePlan {
  value: string;
  count: number;
  documented: boolean;
  /** What the run does with it (the documented values: mapped as usual). */
  becomes: string;
}

export interface EnumInventory {
  resource: ResourceName;
  field: string;
  label: string;
  documented: readonly string[];
  values: EnumValuePlan[];
  /** The values outside the documented set (each record using one gets a message). */
  unknown: string[];
}

/** The plan's section: every value of every enum the mappings read, counted, the unknown ones flagged with their rule. */
export function enumInventory(counts: EnumCounts, options: MigrationOptions): EnumInventory[] {
  return ENUM_FIELDS.map((f) => {
    const seen = counts[enumKey(f)] ?? {};
    const values = Object.entries(seen).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value, count]) => {
      const known = value === EMPTY_VALUE || f.documented.includes(value);
      return { value, count, documented: known, becomes: known ? 'mapped as documented' : f.unknownRule(options) };
    });
    return { resource: f.resource, field: f.field, label: f.label, documented: f.documented, values, unknown: values.filter((v) => !v.documented).map((v) => v.value) };
  });
}

/** Plan warnings, one per unknown value: the label, the value, how many records, and what becomes of them. */
export function enumWarnings(inventory: EnumInventory[]): string[] {
  // Matter statuses are warned about with the status map (a firm's own status may be mapped there).
  return inventory.filter((i) => !(i.resource === 'actions' && i.field === 'status')).flatMap((i) => i.values.filter((v) => !v.documented).map((v) =>
    `${i.label} "${v.value}" (${v.count} ${v.count === 1 ? 'record' : 'records'}) is not a value Actionstep documents (${i.documented.join(', ')}): ${v.becomes}; each record is reported`));
}
