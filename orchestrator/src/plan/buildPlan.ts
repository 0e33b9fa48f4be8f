// Discovery's decisions: from the inventory of both sides, the Data Migration Plan with a recommended default for
// every option. Pure: the engine gathers the inventory, this decides.
import type { ActionParticipant, ActionType, DataCollection, DataCollectionField, Matter, Participant, ParticipantType, User } from '@astep/actionstep-connector/records';
import { CHOICES, SCHEMA } from '@astep/solution/schema';
import { DECIMAL_LIMIT, MONEY_LIMIT, type ChoiceDef, type ColumnDef, type SolutionSchema, type TableDef } from '@astep/solution/model';
import { FILE_PART_SIZE_IN_BYTES, MAX_PAGE_SIZE } from '@astep/actionstep-connector/limits';
import { tableBudget } from '@astep/solution/tableBudget';
import { BILLING_TOTALS, CONTACT_IDENTITIES, DATA_COLLECTION_PLACEMENTS, DEFAULT_OPTIONS, defaultOptions, OPPORTUNITY_STRATEGIES, type DataCollectionPlacement, type LicenseTier, type MigrationOptions } from '../options';
import { columnTypeFor, dataCollectionColumnName, DC_MEMO_MAX, DC_STRING_MAX } from '../mappings/dataCollections';
import { normalizeEmail } from '../transform/values';
import { MAPPINGS, type MappingSet } from '../mappings';
import type { DataCollectionColumnPlan, MigrationPlan, OwnerMatch, PlanOption } from './migrationPlan';
import { dataverseRecordsFor } from './timeEstimate';
import { enumInventory, enumWarnings, type EnumCounts } from './enumInventory';
import { lowerFirst, OWNER_OUTCOMES, optionTitle } from '../vocabulary/options';

/** What the plan reads of each matter, participant and role link: discover keeps only these of every record (a
 *  firm's whole list of them, so the fewer fields the less memory; see Engine.discover). */
export type MatterFacts = Pick<Matter, 'id' | 'isDeleted' | 'status' | 'actionTypeId' | 'primaryParticipantIds'>;
export type ParticipantFacts = Pick<Participant, 'id' | 'isCompany'>;
export type RoleLinkFacts = Pick<ActionParticipant, 'participantTypeId' | 'participantId'>;

export interface SourceInventory {
  orgkey: string | null;
  counts: Record<string, number>;
  actions: MatterFacts[];
  actiontypes: ActionType[];
  participanttypes: ParticipantType[];
  actionparticipants: RoleLinkFacts[];
  /** Participants, to tell organisations from solo clients. */
  participants: ParticipantFacts[];
  datacollections: DataCollection[];
  datacollectionfields: DataCollectionField[];
  users: User[];
  documentBytes: number;
  /** Every value of every enumerated field the mappings read, counted (see enumInventory.ts). */
  enumCounts?: EnumCounts;
}

export interface SystemUserInfo {
  systemuserid: string;
  fullname: string | null;
  internalemailaddress: string | null;
  isdisabled: boolean;
}

export interface DestinationInventory {
  webApiUrl: string;
  licenseTier: LicenseTier;
  existingCustomTables: string[];
  systemUsers: SystemUserInfo[];
  maxUploadFileSize: number;
  callerId: string;
  /** ISO code of the organisation's base currency (money is shown in it), when known. */
  currency?: string | null;
}

/** Custom tables a plan needs against the licence tier; tables of ours already in the environment count once. */
export function countTableBudget(schema: SolutionSchema, tier: LicenseTier, existing: string[]) {
  const ours = new Set(schema.tables.filter((t) => t.isCustom).map((t) => t.logicalName));
  return tableBudget(schema, tier, existing.filter((t) => !ours.has(t)).length);
}

function choiceValues(choice: ChoiceDef, labels: Array<{ id: string; name: string }>): Map<string, { value: number; added: boolean }> {
  const byLabel = new Map(choice.options.map((o) => [o.label.toLowerCase(), o.value] as const));
  let next = Math.max(...choice.options.map((o) => o.value)) + 1;
  const out = new Map<string, { value: number; added: boolean }>();
  for (const { id, name } of labels) {
    const key = name.trim().toLowerCase();
    const existing = byLabel.get(key);
    if (existing !== undefined) out.set(id, { value: existing, added: false });
    else {
      byLabel.set(key, next);
      out.set(id, { value: next++, added: true });
    }
  }
  return out;
}

export function buildPlan(src: SourceInventory, dst: DestinationInventory, overrides: Partial<MigrationOptions> = {}, now = new Date(), mappings: MappingSet = MAPPINGS): MigrationPlan {
  const warnings: string[] = [];
  const participantsById = new Map(src.participants.map((p) => [p.id, p] as const));
  const liveMatters = src.actions.filter((m) => !m.isDeleted && m.status !== 'Template');

  // Matters per client organisation decide whether data collection columns can live on the account.
  const mattersPerOrg = new Map<string, number>();
  for (const m of liveMatters) {
    const client = m.primaryParticipantIds.map((id) => participantsById.get(id)).find(Boolean);
    if (client?.isCompany) mattersPerOrg.set(client.id, (mattersPerOrg.get(client.id) ?? 0) + 1);
  }
  const maxMattersPerOrg = Math.max(0, ...mattersPerOrg.values());
  const dcById = new Map(src.datacollections.map((d) => [d.id, d] as const));
  const fieldCount = src.datacollectionfields.length;
  const hasMulti = src.datacollections.some((d) => d.multipleRecords);
  const dcRecommended: DataCollectionPlacement = fieldCount >= 50 || maxMattersPerOrg > 1 || hasMulti ? 'matterTable' : 'account';
  const dcWhy = `${fieldCount} data collection fields across ${src.datacollections.length} collections; up to ${maxMattersPerOrg} matters per client organisation${hasMulti ? '; some collections hold several records per matter' : ''}: ` +
    (dcRecommended === 'matterTable' ? "account columns would be overwritten by the client's other matters or crowd the account form, so one row per matter in the Matter table holds them" : 'few fields and one matter per client fit on the account');

  const fallbackUser = overrides.fallbackOwnerEmail
    ? dst.systemUsers.find((u) => !u.isdisabled && normalizeEmail(u.internalemailaddress) === normalizeEmail(overrides.fallbackOwnerEmail))
    : undefined;
  if (overrides.fallbackOwnerEmail && !fallbackUser) warnings.push(`fallback owner ${overrides.fallbackOwnerEmail} is not an enabled Dynamics user; the migration's own user owns unmatched records instead`);
  const fallbackOwnerId = fallbackUser?.systemuserid ?? dst.callerId;

  const options: MigrationOptions = defaultOptions({ dataCollections: dcRecommended, ...overrides });
  const optionChoices: Array<PlanOption<unknown>> = [
    { name: 'dataCollections', title: optionTitle('dataCollections'), recommended: dcRecommended, chosen: options.dataCollections, alternatives: [...DATA_COLLECTION_PLACEMENTS], why: dcWhy },
    { name: 'contacts', title: optionTitle('contacts'), recommended: DEFAULT_OPTIONS.contacts, chosen: options.contacts, alternatives: [...CONTACT_IDENTITIES], why: 'one contact per person keeps one record to maintain; every role on every matter is kept in the Matter Participants table' },
    { name: 'opportunityStrategy', title: optionTitle('opportunityStrategy'), recommended: DEFAULT_OPTIONS.opportunityStrategy, chosen: options.opportunityStrategy, alternatives: [...OPPORTUNITY_STRATEGIES], why: 'pipeline visibility without one opportunity per historic matter: per client (the organisation, or the person across all the matters they are the client on, as the seed says "the most recent or highest-value Matter per client"), not per account; the Matter table keeps every matter' },
    {
      name: 'billingTotal', title: optionTitle('billingTotal'), recommended: DEFAULT_OPTIONS.billingTotal, chosen: options.billingTotal, alternatives: [...BILLING_TOTALS],
      why: 'Actionstep stores no billing total: it is the sum of time entries and disbursements (the seed), every entry whatever its billing behaviour; billed time only leaves out Hide, No charge and not billable time, and the run states the amount it leaves out',
    },
    { name: 'fallbackOwnerEmail', title: optionTitle('fallbackOwnerEmail'), recommended: null, chosen: options.fallbackOwnerEmail, alternatives: dst.systemUsers.filter((u) => !u.isdisabled && u.internalemailaddress).slice(0, 10).map((u) => u.internalemailaddress), why: "owns the records of Actionstep users who are disabled or missing in Dynamics; by default the migration's own user" },
  ];

  // The type map folds a firm's type into another label (an existing one, or a new one added once for all its types).
  const typeLabel = (name: string) => options.typeMap[name] ?? name;
  const typeValues = choiceValues(choiceDef('astep_mattertype'), [...src.actiontypes].sort(byNumericId).map((t) => ({ id: t.id, name: typeLabel(t.name) })));
  const roleValues = choiceValues(choiceDef('astep_participantrole'), [...src.participanttypes].sort(byNumericId).map((t) => ({ id: t.id, name: t.name })));
  const matterTypes = [...src.actiontypes].sort(byNumericId).map((t) => ({
    actionTypeId: t.id, name: t.name, choiceLabel: typeLabel(t.name), matters: liveMatters.filter((m) => m.actionTypeId === t.id).length,
    choiceValue: typeValues.get(t.id)!.value, added: typeValues.get(t.id)!.added,
  }));
  for (const name of Object.keys(options.typeMap)) if (!src.actiontypes.some((t) => t.name === name)) warnings.push(`the type map lists matter type "${name}", which this firm does not have`);
  const roles = [...src.participanttypes].sort(byNumericId).map((t) => {
    const links = src.actionparticipants.filter((l) => l.participantTypeId === t.id);
    return { participantTypeId: t.id, name: t.name, links: links.length, people: new Set(links.map((l) => l.participantId)).size, choiceValue: roleValues.get(t.id)!.value, added: roleValues.get(t.id)!.added };
  });
  const statusValues = Object.fromEntries(choiceDef('astep_matterstatus').options.map((o) => [o.label, o.value]));
  const matterStatuses: Record<string, number> = {};
  for (const m of src.actions) matterStatuses[m.status] = (matterStatuses[m.status] ?? 0) + 1;
  const unknownRule = options.unknownValueMap.matterStatus;
  for (const s of Object.keys(matterStatuses)) {
    if (options.statusMap[s]) continue;
    warnings.push(unknownRule
      ? `matter status "${s}" (${matterStatuses[s] === 1 ? '1 matter' : `${matterStatuses[s]} matters`}) is not in the status map: the unknown-value map gives those matters Matter Status "${unknownRule.matterStatus}" and opportunity outcome ${unknownRule.opportunity}`
      : `matter status "${s}" (${matterStatuses[s] === 1 ? '1 matter' : `${matterStatuses[s]} matters`}) is not in the status map: those matters keep an empty status and open opportunities`);
  }
  for (const [status, rule] of Object.entries(options.statusMap)) {
    if (statusValues[rule.matterStatus] === undefined) warnings.push(`the status map sends "${status}" to Matter Status "${rule.matterStatus}", which is not a Matter Status value (${Object.keys(statusValues).join(', ')}): those matters keep an empty status`);
  }

  // Every enumerated value the mappings read, the unknown ones flagged with the rule that applies.
  const enums = enumInventory(src.enumCounts ?? {}, options);
  warnings.push(...enumWarnings(enums));

  // Data collection columns.
  const dcTable = options.dataCollections === 'account' ? 'account' : 'astep_matter';
  const taken = new Set<string>();
  const multiColumn = new Map<string, string>();
  const dataCollectionColumns: DataCollectionColumnPlan[] = [];
  for (const f of [...src.datacollectionfields].sort((a, b) => Number(a.dataCollectionId) - Number(b.dataCollectionId) || (a.formOrder ?? 0) - (b.formOrder ?? 0) || (a.name < b.name ? -1 : 1))) {
    const dc = dcById.get(f.dataCollectionId);
    const { type, note } = columnTypeFor(f.dataType, !!dc?.multipleRecords);
    if (!type) continue;
    let column: string;
    if (type === 'json') {
      column = multiColumn.get(f.dataCollectionId) ?? dataCollectionColumnName(dc?.name ?? f.dataCollectionId, 'records', taken);
      multiColumn.set(f.dataCollectionId, column);
    } else column = dataCollectionColumnName(dc?.name ?? f.dataCollectionId, f.name, taken);
    dataCollectionColumns.push({
      fieldId: f.id, dataCollectionId: f.dataCollectionId, collectionName: dc?.name ?? f.dataCollectionId, fieldName: f.name,
      label: f.label || f.name, dataType: f.dataType, table: dcTable, column, columnType: type, note,
    });
  }

  // Owners.
  const usersByEmail = new Map<string, SystemUserInfo[]>();
  for (const u of dst.systemUsers) {
    const e = normalizeEmail(u.internalemailaddress);
    if (e) usersByEmail.set(e, [...(usersByEmail.get(e) ?? []), u]);
  }
  const owners: OwnerMatch[] = [...src.users].sort(byNumericId).map((u) => {
    const email = normalizeEmail(u.emailAddress);
    const candidates = email ? usersByEmail.get(email) ?? [] : [];
    const enabled = candidates.find((c) => !c.isdisabled);
    const outcome: OwnerMatch['outcome'] = !email ? 'noEmail' : enabled ? 'matched' : candidates.length ? 'disabled' : 'unmatched';
    const match = enabled ?? candidates[0];
    return {
      actionstepUserId: u.id, participantId: u.participantId, email: u.emailAddress, displayName: u.displayName, actionstepActive: u.isActive,
      systemUserId: match?.systemuserid ?? null, systemUserName: match?.fullname ?? null, outcome,
      ownerId: enabled ? enabled.systemuserid : fallbackOwnerId,
    };
  });
  const unmatched = owners.filter((o) => o.outcome !== 'matched');
  if (unmatched.length) warnings.push(`${unmatched.length === 1 ? '1 Actionstep user has' : `${unmatched.length} Actionstep users have`} no enabled Dynamics user (${unmatched.map((o) => `${o.email ?? o.displayName ?? `user ${o.actionstepUserId}`}: ${lowerFirst(OWNER_OUTCOMES[o.outcome])}`).join('; ')}); their records go to the fallback owner`);

  // The mappings may write tables of their own (a firm's extra mapping): provisioned with the rest.
  const schema = mappings.extendSchema(planSchema(dataCollectionColumns, matterTypes.filter((t) => t.added).map((t) => ({ value: t.choiceValue, label: t.choiceLabel })), roles.filter((r) => r.added).map((r) => ({ value: r.choiceValue, label: r.name }))));
  const tableBudget = countTableBudget(schema, dst.licenseTier, dst.existingCustomTables);
  if (!tableBudget.fits) warnings.push(`custom table budget: ${tableBudget.message}`);

  // Estimates. Actionstep publishes no numeric rate limit; assume a conservative 2 requests/s sustained.
  const pageCalls = Object.values(src.counts).reduce((s, n) => s + Math.max(1, Math.ceil(n / MAX_PAGE_SIZE)), 0);
  const docCalls = Math.ceil(src.documentBytes / FILE_PART_SIZE_IN_BYTES) + (src.counts.actiondocuments ?? 0);
  const actionstepCalls = pageCalls + docCalls + 2;
  const dataverseRecords = dataverseRecordsFor(src.counts);
  // Bulk writes in batches of up to 1,000, plus a read-before-write query per batch of 250 keys and the audit rows.
  const dataverseRequests = Math.ceil(dataverseRecords / 500) * 2 + Math.ceil(dataverseRecords / 250) + 50;
  // ~9.7M records/hour/user with bulk actions under the 1,200 s per 300 s execution budget (reference section 4).
  const dataverseMinutes = Math.max(1, Math.ceil((dataverseRecords * 2) / 2688 / 60));

  return {
    version: 1,
    generatedAt: now.toISOString(),
    source: {
      orgkey: src.orgkey,
      counts: src.counts,
      matterStatuses,
      restrictedNote: 'Actionstep shows each user only the matters they may see: run the migration as a user who can see every matter (restricted matters are invisible to others and would be missed).',
    },
    destination: {
      webApiUrl: dst.webApiUrl, licenseTier: dst.licenseTier, existingCustomTables: dst.existingCustomTables,
      systemUsers: dst.systemUsers.length, maxUploadFileSize: dst.maxUploadFileSize, callerId: dst.callerId, currency: dst.currency ?? null,
    },
    options,
    optionChoices,
    matterTypes,
    roles,
    statusValues,
    enums,
    dataCollectionColumns,
    owners,
    fallbackOwnerId,
    tableBudget,
    estimates: {
      actionstepCalls,
      actionstepMinutes: Math.max(1, Math.ceil(actionstepCalls / 2 / 60)),
      dataverseRequests,
      dataverseRecords,
      dataverseMinutes,
      notes: [
        `Actionstep: pages of ${MAX_PAGE_SIZE}, sideloads instead of per-record calls; its rate limit is unpublished, so 2 requests/s is assumed.`,
        'Dataverse: UpsertMultiple in batches up to 1,000 under the service protection limits (6,000 requests, 1,200 s execution, 52 concurrent per 300 s per user).',
      ],
    },
    schema,
    warnings,
  };
}

function choiceDef(name: string): ChoiceDef {
  const c = CHOICES.find((x) => x.name === name);
  if (!c) throw new Error(`schema has no choice ${name}`);
  return c;
}

const byNumericId = (a: { id: string }, b: { id: string }) => Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The solution's schema plus this firm's data collection columns and choice values. */
function planSchema(columns: DataCollectionColumnPlan[], extraMatterTypes: Array<{ value: number; label: string }>, extraRoles: Array<{ value: number; label: string }>): SolutionSchema {
  const tables: TableDef[] = SCHEMA.tables.map((t) => ({ ...t, columns: [...t.columns], keys: [...t.keys] }));
  const seen = new Set<string>();
  for (const c of columns) {
    if (seen.has(c.column)) continue;
    seen.add(c.column);
    const table = tables.find((t) => t.logicalName === c.table)!;
    table.columns.push(dcColumnDef(c));
  }
  const choices = SCHEMA.choices.map((ch) => ({
    ...ch,
    options: [...ch.options, ...(ch.name === 'astep_mattertype' ? extraMatterTypes : ch.name === 'astep_participantrole' ? extraRoles : [])],
  }));
  return { ...SCHEMA, tables, choices };
}

function dcColumnDef(c: DataCollectionColumnPlan): ColumnDef {
  const base = {
    logicalName: c.column,
    schemaName: c.column.replace(/^astep_/, 'astep_'),
    displayName: c.columnType === 'json' ? `${c.collectionName} (records)` : `${c.collectionName}: ${c.label}`.slice(0, 100),
    description: `Actionstep data collection ${c.collectionName}, field ${c.fieldName} (${c.dataType}).`,
    required: 'none' as const,
  };
  switch (c.columnType) {
    case 'decimal': return { ...base, type: 'decimal', precision: 4, minValue: -DECIMAL_LIMIT, maxValue: DECIMAL_LIMIT };
    case 'money': return { ...base, type: 'money', precision: 2, minValue: -MONEY_LIMIT, maxValue: MONEY_LIMIT };
    case 'boolean': return { ...base, type: 'boolean' };
    case 'dateonly': return { ...base, type: 'datetime', dateBehavior: 'DateOnly' };
    case 'datetime': return { ...base, type: 'datetime', dateBehavior: 'UserLocal' };
    case 'memo': case 'json': return { ...base, type: 'memo', maxLength: DC_MEMO_MAX, format: 'textarea' };
    default: return { ...base, type: 'string', maxLength: DC_STRING_MAX, format: 'text' };
  }
}
