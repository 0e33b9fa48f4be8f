// All 13 mappings together: the rows to write in load order (parents before children), and for every staged source
// record exactly one disposition, so that extracted = migrated + skipped + failed holds to the record.
import type { MappingContext } from './context';
import { mapAccounts, mapOtherOrganisations } from './mapAccounts';
import { mapContacts, mapMatterParticipants, contactKeyOf } from './mapContacts';
import { convertDcValue } from './mapDataCollections';
import { mapMatters, mapOpportunities } from './mapMatters';
import { mapDocuments, mapFileNotes, mapTasks, mapTimeEntries } from './mapActivities';
import type { FailedRecord, MappingOutput, SkippedRecord, TargetRow } from './targetRow';

/** Tables in load order. */
export const LOAD_ORDER = [
  'account', 'opportunity', 'contact', 'astep_matter', 'astep_matterparticipant', 'astep_timeentry', 'task', 'astep_step',
  'astep_document', 'annotation',
] as const;
export type TargetTable = (typeof LOAD_ORDER)[number];

export type Disposition =
  | { kind: 'row'; table: string; key: string }
  | { kind: 'rollup'; table: string | null; key: string | null; note: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'failed'; field: string | null; rule: string; message: string };

export interface MappedFirm {
  rows: Map<TargetTable, TargetRow[]>;
  /** "resource:id" → what became of the record (several rows: e.g. a task → task + astep_step). */
  dispositions: Map<string, Disposition[]>;
}

export const recordRef = (resource: string, id: string) => `${resource}:${id}`;

export function mapFirm(ctx: MappingContext, actionstepFilesUrl: string): MappedFirm {
  const rows = new Map<TargetTable, TargetRow[]>(LOAD_ORDER.map((t) => [t, []]));
  const dispositions = new Map<string, Disposition[]>();
  const add = (resource: string, id: string, d: Disposition) => {
    const k = recordRef(resource, id);
    const list = dispositions.get(k);
    if (list) list.push(d);
    else dispositions.set(k, [d]);
  };
  const take = (out: MappingOutput) => {
    for (const r of out.rows) {
      rows.get(r.table as TargetTable)!.push(r);
      add(r.sourceResource, r.sourceId, { kind: 'row', table: r.table, key: r.key });
    }
    for (const s of out.skipped) add(s.sourceResource, s.sourceId, { kind: 'skipped', reason: s.reason });
    for (const f of out.failed) add(f.sourceResource, f.sourceId, { kind: 'failed', field: f.field, rule: f.rule, message: f.message });
  };

  const accounts = mapAccounts(ctx);
  take(accounts);
  const clientKeys = new Set(accounts.rows.map((r) => r.key));
  take(mapOtherOrganisations(ctx, clientKeys));
  take(mapOpportunities(ctx));
  take(mapContacts(ctx));
  take(mapMatters(ctx));
  take(mapMatterParticipants(ctx));
  take(mapTimeEntries(ctx));
  take(mapTasks(ctx));
  take(mapDocuments(ctx, actionstepFilesUrl));
  take(mapFileNotes(ctx));

  const idx = ctx.index;
  const matterRow = (actionId: string | null): { table: string; key: string } | null =>
    actionId && ctx.migratingMatters.has(actionId) ? { table: 'astep_matter', key: actionId } : null;
  const orphanOrSkipped = (what: string, id: string, actionId: string | null): string => {
    if (!actionId) return `${what} ${id} has no matter link`;
    const m = idx.matters.get(actionId);
    return m ? ctx.matterSkipReason(m) ?? 'matter not migrated' : ctx.unknownMatter(what, id, actionId);
  };

  // Matters that landed on a client organisation's account are also represented there.
  for (const m of idx.data.actions) {
    if (ctx.migratingMatters.has(m.id)) add('actions', m.id, { kind: 'rollup', table: 'account', key: idx.accountKeyOf(m), note: 'figures summed on the client account' });
  }
  // Participants: people merged into a canonical contact, companies as accounts, the rest unlinked.
  for (const p of idx.data.participants) {
    if (dispositions.has(recordRef('participants', p.id))) continue;
    const linked = (idx.matterLinksByParticipant.get(p.id) ?? []).some((l) => ctx.migratingMatters.has(l.actionId))
      || ctx.firstClientMatter.has(p.id);
    if (!p.isCompany && linked) {
      const canonical = idx.canonicalPerson.get(p.id) ?? p.id;
      add('participants', p.id, { kind: 'rollup', table: 'contact', key: contactKeyOf(ctx, canonical, null), note: `duplicate of participant ${canonical}: merged into one contact` });
    } else if (p.isCompany && linked) {
      add('participants', p.id, { kind: 'rollup', table: 'account', key: `P-${p.id}`, note: 'organisation account' });
    } else {
      const user = idx.usersByParticipant.get(p.id);
      add('participants', p.id, user
        ? { kind: 'rollup', table: null, key: null, note: `user participant of user ${user.id}: resolved as a record owner` }
        : { kind: 'skipped', reason: `participant ${p.id} is not linked to any migrated matter` });
    }
  }
  for (const t of idx.data.actiontypes) {
    const plan = ctx.plan.matterTypes.find((x) => x.actionTypeId === t.id);
    add('actiontypes', t.id, plan
      ? { kind: 'rollup', table: null, key: null, note: `choice astep_mattertype value ${plan.choiceValue}` }
      : { kind: 'skipped', reason: `matter type ${t.id} is not in the plan` });
  }
  for (const t of idx.data.participanttypes) {
    const plan = ctx.plan.roles.find((x) => x.participantTypeId === t.id);
    add('participanttypes', t.id, plan
      ? { kind: 'rollup', table: null, key: null, note: `choice astep_participantrole value ${plan.choiceValue}` }
      : { kind: 'skipped', reason: `role ${t.id} is not in the plan` });
  }
  for (const u of idx.data.users) {
    const o = ctx.plan.owners.find((x) => x.actionstepUserId === u.id);
    if (o?.outcome === 'matched') add('users', u.id, { kind: 'rollup', table: 'systemuser', key: o.systemUserId, note: `owner ${o.systemUserName ?? o.systemUserId}` });
    else add('users', u.id, { kind: 'skipped', reason: `user ${u.id} (${u.emailAddress ?? 'no email'}): ${o?.outcome === 'disabled' ? 'the matching Dynamics user is disabled' : o?.outcome === 'noEmail' ? 'has no email to match' : 'no Dynamics user has this email'}; the fallback owner owns their records` });
  }
  const columnsByField = new Map(ctx.plan.dataCollectionColumns.map((c) => [c.fieldId, c] as const));
  for (const dc of idx.data.datacollections) {
    const any = ctx.plan.dataCollectionColumns.some((c) => c.dataCollectionId === dc.id);
    add('datacollections', dc.id, any ? { kind: 'rollup', table: null, key: null, note: 'columns provisioned' } : { kind: 'skipped', reason: `data collection ${dc.id} has no migratable fields` });
  }
  for (const f of idx.data.datacollectionfields) {
    const c = columnsByField.get(f.id);
    add('datacollectionfields', f.id, c ? { kind: 'rollup', table: c.table, key: null, note: `column ${c.table}.${c.column}` } : { kind: 'skipped', reason: `field ${f.id} (${f.dataType}) holds no data to migrate` });
  }
  for (const r of idx.data.datacollectionrecords) {
    const target = matterRow(r.actionId);
    add('datacollectionrecords', r.id, target ? { kind: 'rollup', ...target, note: 'values as columns of the matter' } : { kind: 'skipped', reason: orphanOrSkipped('data collection record', r.id, r.actionId) });
  }
  for (const v of idx.data.datacollectionrecordvalues) {
    const col = columnsByField.get(v.dataCollectionFieldId);
    const target = matterRow(v.actionId);
    if (!target) add('datacollectionrecordvalues', v.id, { kind: 'skipped', reason: orphanOrSkipped('data collection value', v.id, v.actionId) });
    else if (!col) add('datacollectionrecordvalues', v.id, { kind: 'skipped', reason: `field ${v.dataCollectionFieldId} holds no data to migrate` });
    else {
      const converted = col.columnType === 'json' ? null : convertDcValue(col, v, ctx.options.timeZone);
      const rowKey = col.table === 'account' ? { table: 'account', key: idx.accountKeyOf(idx.matters.get(v.actionId)!) } : target;
      if (converted && !converted.ok) add('datacollectionrecordvalues', v.id, { kind: 'failed', field: col.column, rule: converted.problem.rule, message: `data collection value ${v.id} (${col.collectionName}.${col.fieldName}): ${converted.problem.message}` });
      else add('datacollectionrecordvalues', v.id, { kind: 'rollup', ...rowKey, note: `column ${col.column}` });
    }
  }
  for (const d of idx.data.disbursements) {
    const target = matterRow(d.actionId);
    add('disbursements', d.id, target ? { kind: 'rollup', ...target, note: 'in the matter billing total' } : { kind: 'skipped', reason: orphanOrSkipped('disbursement', d.id, d.actionId) });
  }
  for (const b of idx.data.bills) {
    add('bills', b.id, { kind: 'skipped', reason: `bill ${b.id}: invoices are not migrated; billing totals are computed from time entries and disbursements` });
  }
  for (const s of idx.data.steps) {
    add('steps', s.id, { kind: 'skipped', reason: `step ${s.id} is a workflow definition: exported to the workflow reference document for rebuilding in Power Automate` });
  }
  idx.data.trustLedger.forEach((t, i) => {
    const id = trustRowId(t.actionId, i);
    const target = matterRow(t.actionId);
    add('trustledger', id, target ? { kind: 'rollup', ...target, note: 'in the matter trust figures' } : { kind: 'skipped', reason: orphanOrSkipped('trust ledger row', id, t.actionId) });
  });
  return { rows, dispositions };
}

export const trustRowId = (actionId: string, index: number) => `${actionId}-${index + 1}`;

export type { SkippedRecord, FailedRecord };
