// What becomes of a staged record that no table mapping turns into a row of its own: rolled up into another row
// (a disbursement into its matter's billing total), resolved another way (a user as an owner), or skipped with the
// reason. With the table mappings this gives every staged record a disposition, so the counts reconcile exactly.
import type { DataCollectionRecordValue, Participant } from '@astep/actionstep-connector/records';
import type { StagedResource } from '../transform/firmData';
import { convertDcValue } from './dataCollections';
import type { MappingLookups } from './lookups';
import type { Disposition } from './mapFirm';
import { contactKeyOf, matterProblem } from './shared';
import { isUnreadable, type StagedTrustRow } from '../run/trustExtraction';
import { objectLabel } from '../vocabulary/objects';

export interface SourceAccounting {
  readonly resource: StagedResource;
  /** Plain English for people. */
  readonly label: string;
  /** The disposition of a record the table mappings left without one. */
  unmapped(record: unknown, id: string, lookups: MappingLookups): Disposition;
}

const matterRow = (lookups: MappingLookups, actionId: string | null) =>
  actionId && lookups.migrates(actionId) ? { table: 'astep_matter', key: actionId } : null;

/** Rolled up into the matter's row when the matter migrates; else skipped with the matter's reason. */
function intoMatter(what: string, note: string) {
  return (record: unknown, id: string, lookups: MappingLookups): Disposition => {
    const actionId = (record as { actionId: string | null }).actionId;
    const target = matterRow(lookups, actionId);
    return target ? { kind: 'rollup', ...target, note } : { kind: 'skipped', reason: matterProblem(lookups, what, id, actionId) ?? 'matter not migrated' };
  };
}

function participant(record: unknown, _id: string, lookups: MappingLookups): Disposition {
  const p = record as Participant;
  const linked = lookups.matterLinksOf(p.id).some((l) => lookups.migrates(l.actionId)) || lookups.firstClientMatter(p.id) !== null;
  const user = lookups.userOfParticipant(p.id);
  if (user && !p.isCompany && lookups.isFirmStaff(p.id)) {
    return { kind: 'rollup', table: null, key: null, note: `firm staff (Actionstep user ${user.id}): a record owner, not a contact; roles on matters kept on astep_matterparticipant` };
  }
  if (!p.isCompany && linked) {
    const canonical = lookups.canonicalPerson(p.id);
    return { kind: 'rollup', table: 'contact', key: contactKeyOf(lookups, canonical, null), note: `duplicate of participant ${canonical}: merged into one contact` };
  }
  if (p.isCompany && linked) return { kind: 'rollup', table: 'account', key: `P-${p.id}`, note: 'organisation account' };
  return user
    ? { kind: 'rollup', table: null, key: null, note: `user participant of user ${user.id}: resolved as a record owner` }
    : { kind: 'skipped', reason: `participant ${p.id} is not linked to any migrated matter` };
}

function dataCollectionValue(record: unknown, id: string, lookups: MappingLookups): Disposition {
  const v = record as DataCollectionRecordValue;
  const col = lookups.dataCollectionColumnOf(v.dataCollectionFieldId);
  const target = matterRow(lookups, v.actionId);
  if (!target) return { kind: 'skipped', reason: matterProblem(lookups, 'data collection value', id, v.actionId) ?? 'matter not migrated' };
  if (!col) return { kind: 'skipped', reason: `field ${v.dataCollectionFieldId} holds no data to migrate` };
  const converted = col.columnType === 'json' ? null : convertDcValue(col, v, lookups.options.timeZone);
  if (converted && !converted.ok) return { kind: 'failed', field: col.column, rule: converted.problem.rule, message: `data collection value ${id} (${col.collectionName}.${col.fieldName}): ${converted.problem.message}` };
  const rowKey = col.table === 'account' ? { table: 'account', key: lookups.accountKeyOf(v.actionId) } : target;
  return { kind: 'rollup', ...rowKey, note: `column ${col.column}` };
}

/** A row of the firm's trust ledger export: summed into its matter's figures, or failed by row and column when unreadable. */
function trustRow(record: unknown, id: string, lookups: MappingLookups): Disposition {
  const row = record as StagedTrustRow;
  if (isUnreadable(row)) return { kind: 'failed', field: row.unreadable.column, rule: row.unreadable.rule, message: row.unreadable.message };
  return intoMatter('trust ledger row', 'in the matter trust figures')(record, id, lookups);
}

export const SOURCES: readonly SourceAccounting[] = [
  { resource: 'participants', label: objectLabel('participants'), unmapped: participant },
  {
    resource: 'actiontypes', label: objectLabel('actiontypes'),
    unmapped: (_r, id, lookups) => {
      const plan = lookups.matterTypePlan(id);
      return plan ? { kind: 'rollup', table: null, key: null, note: `choice astep_mattertype value ${plan.choiceValue}` } : { kind: 'skipped', reason: `matter type ${id} is not in the plan` };
    },
  },
  {
    resource: 'participanttypes', label: objectLabel('participanttypes'),
    unmapped: (_r, id, lookups) => {
      const plan = lookups.rolePlan(id);
      return plan ? { kind: 'rollup', table: null, key: null, note: `choice astep_participantrole value ${plan.choiceValue}` } : { kind: 'skipped', reason: `role ${id} is not in the plan` };
    },
  },
  {
    resource: 'users', label: objectLabel('users'),
    unmapped: (record, id, lookups) => {
      const o = lookups.ownerMatchOf(id);
      if (o?.outcome === 'matched') return { kind: 'rollup', table: 'systemuser', key: o.systemUserId, note: `owner ${o.systemUserName ?? o.systemUserId}` };
      const email = (record as { emailAddress: string | null }).emailAddress;
      return { kind: 'skipped', reason: `user ${id} (${email ?? 'no email'}): ${o?.outcome === 'disabled' ? 'the matching Dynamics user is disabled' : o?.outcome === 'noEmail' ? 'has no email to match' : 'no Dynamics user has this email'}; the fallback owner owns their records` };
    },
  },
  {
    resource: 'datacollections', label: objectLabel('datacollections'),
    unmapped: (_r, id, lookups) => lookups.dataCollectionColumns().some((c) => c.dataCollectionId === id)
      ? { kind: 'rollup', table: null, key: null, note: 'columns provisioned' }
      : { kind: 'skipped', reason: `data collection ${id} has no migratable fields` },
  },
  {
    resource: 'datacollectionfields', label: objectLabel('datacollectionfields'),
    unmapped: (record, id, lookups) => {
      const c = lookups.dataCollectionColumnOf(id);
      return c ? { kind: 'rollup', table: c.table, key: null, note: `column ${c.table}.${c.column}` } : { kind: 'skipped', reason: `field ${id} (${(record as { dataType: string }).dataType}) holds no data to migrate` };
    },
  },
  { resource: 'datacollectionrecords', label: objectLabel('datacollectionrecords'), unmapped: intoMatter('data collection record', 'values as columns of the matter') },
  { resource: 'datacollectionrecordvalues', label: objectLabel('datacollectionrecordvalues'), unmapped: dataCollectionValue },
  { resource: 'disbursements', label: objectLabel('disbursements'), unmapped: intoMatter('disbursement', 'in the matter billing total') },
  {
    resource: 'bills', label: objectLabel('bills'),
    unmapped: (_r, id) => ({ kind: 'skipped', reason: `bill ${id}: invoices are not migrated; billing totals are computed from time entries and disbursements` }),
  },
  {
    resource: 'steps', label: objectLabel('steps'),
    unmapped: (_r, id) => ({ kind: 'skipped', reason: `step ${id} is a workflow definition: exported to the workflow reference document for rebuilding in Power Automate` }),
  },
  { resource: 'trustledger', label: objectLabel('trustledger'), unmapped: trustRow },
];
