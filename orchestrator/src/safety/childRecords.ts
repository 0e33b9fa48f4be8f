// Rows that point at a record rollback is about to delete. Deleting a parent cascades to its parental children
// (contacts and opportunities of a customer, notes, activities regarding it, our Cascade relationships) and clears
// the others' lookups (RemoveLink), so a record with a child the run did not create is never deleted: the child is
// someone's work. Relationship behaviour: "Entity relationship behavior" (learn.microsoft.com/dynamics365/
// customerengagement/on-premises/developer/entity-relationship-behavior): opportunity_customer_accounts cascades the
// delete; activities and notes regarding a record are deleted with it.
import { RELATIONSHIPS } from '@astep/solution/schema';
import type { Row, SinkPort, TableInfo } from '../ports';
import { tableInfo } from '../load/tables';

export interface ChildLookup {
  table: TableInfo;
  /** Read side of the lookup: `_parentcustomerid_value`. */
  attribute: string;
  /** What a person calls the child: "a note", "a contact". */
  noun: string;
}

/** Every activity type regarding a record, through the activitypointer view (use-activitypointer-entity). */
const ACTIVITIES: TableInfo = { logicalName: 'activitypointer', entitySetName: 'activitypointers', primaryIdAttribute: 'activityid' };

const NOUNS: Record<string, string> = {
  annotation: 'a note', activitypointer: 'an activity', task: 'a task', contact: 'a contact', opportunity: 'an opportunity', account: 'an account',
};

const ENGINE_TABLES = new Set(['astep_stagingrow', 'astep_auditentry', 'astep_migrationrun']);

/** The lookups that can point at a row of `table` (standard relationships, then ours from the solution schema). */
export function childLookups(table: string): ChildLookup[] {
  const out: ChildLookup[] = [];
  const add = (child: TableInfo, attribute: string) => out.push({ table: child, attribute, noun: NOUNS[child.logicalName] ?? `a ${child.logicalName} row` });
  if (table !== 'annotation') add(tableInfo('annotation'), '_objectid_value');
  if (!['task', 'opportunityclose', 'annotation'].includes(table)) add(ACTIVITIES, '_regardingobjectid_value');
  if (table === 'account' || table === 'contact') {
    add(tableInfo('contact'), '_parentcustomerid_value');
    add(tableInfo('opportunity'), '_customerid_value');
  }
  if (table === 'account') {
    add(tableInfo('account'), '_parentaccountid_value');
    add(tableInfo('opportunity'), '_parentaccountid_value');
  }
  if (table === 'contact') {
    add(tableInfo('account'), '_primarycontactid_value');
    add(tableInfo('opportunity'), '_parentcontactid_value');
  }
  for (const r of RELATIONSHIPS) {
    if (r.referencedEntity !== table || ENGINE_TABLES.has(r.referencingEntity)) continue;
    add(tableInfo(r.referencingEntity), `_${r.referencingAttribute}_value`);
  }
  return out;
}

export interface ChildRow {
  table: string;
  id: string;
  attribute: string;
  noun: string;
  parentId: string;
  createdBy: string | null;
  createdOn: string | null;
}

/**
 * Children of the given parents, by parent id (lower case). A child table that does not exist in this environment
 * (a plan that did not need it) has no rows; activitypointer falls back to tasks where the service has no such view.
 */
export async function findChildren(sink: SinkPort, table: string, parentIds: string[]): Promise<Map<string, ChildRow[]>> {
  const byParent = new Map<string, ChildRow[]>();
  if (!parentIds.length) return byParent;
  for (const candidate of childLookups(table)) {
    let lookup = candidate;
    let rows: Row[];
    try {
      rows = await sink.readByValues(lookup.table, lookup.attribute, parentIds, [lookup.table.primaryIdAttribute, lookup.attribute, '_createdby_value', 'createdon']);
    } catch (e) {
      if (!missingTable(e)) throw e;
      if (lookup.table !== ACTIVITIES) continue;
      // [I] An environment without the activitypointer view (our emulator): tasks are the activities we know of.
      lookup = { ...lookup, table: tableInfo('task'), noun: NOUNS.task };
      rows = await sink.readByValues(lookup.table, lookup.attribute, parentIds, [lookup.table.primaryIdAttribute, lookup.attribute, '_createdby_value', 'createdon']);
    }
    for (const r of rows) {
      const parentId = String(r[lookup.attribute] ?? '').toLowerCase();
      if (!parentId) continue;
      const list = byParent.get(parentId) ?? [];
      list.push({
        table: lookup.table.logicalName,
        id: String(r[lookup.table.primaryIdAttribute]).toLowerCase(), attribute: lookup.attribute, noun: lookup.noun, parentId,
        createdBy: (r._createdby_value as string | null) ?? null, createdOn: (r.createdon as string | null) ?? null,
      });
      byParent.set(parentId, list);
    }
  }
  return byParent;
}

/** A table or entity set this environment does not have: 404 "Resource not found for the segment". */
function missingTable(e: unknown): boolean {
  const err = e as { status?: number; code?: string; message?: string };
  return err.status === 404 && !/Does Not Exist/i.test(err.message ?? '');
}
