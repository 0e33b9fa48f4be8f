// Matter → Account. A client organisation gets one account shared by all its matters; a solo client (a person) gets
// an account named after the matter. Trust and billing figures are summed over the account's matters. Organisations
// on a matter in another role (the other side's firm) get an account too.
import type { Participant } from '@astep/actionstep-connector/records';
import { emptyOutput, type MappingOutput, type TargetRow } from '../transform/targetRow';
import { convertEmail, fitText, type FieldProblem } from '../transform/values';
import { dataCollectionAttributes } from './dataCollections';
import { declareColumns, OWNER, targetTable, type ColumnSpec } from './declare';
import type { MappingLookups } from './lookups';
import {
  ADDRESS_SPECS, billedIn, HAS_DATA_COLLECTION_VALUE, HAS_MATTER_STATUS, HAS_MATTER_TYPE, matterStatusChoice, OWNED_BY_MATCHED_USER,
  phoneText, setAddress, setBillingTotal, setText, setTrust, type Attributes,
} from './shared';
import type { TableMapping } from './tableMapping';
import type { AccountGroup } from './units';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('account');

const trust: ColumnSpec = { conversion: 'trust' };
const C = declareColumns(TARGET, {
  name: { source: 'companyName|displayName|name', conversion: 'text' },
  astep_mattername: { source: 'name', conversion: 'text' },
  astep_matternumber: { source: 'reference', conversion: 'text' },
  astep_mattertype: { conversion: 'choice' },
  astep_matterstatus: { conversion: 'choice' },
  astep_trustin: trust, astep_trustout: trust, astep_trustbalance: trust,
  astep_totalbilled: { conversion: 'billingSum' },
  astep_createdbyuserid: { conversion: 'computed' },
  emailaddress1: { source: 'email', conversion: 'email' },
  telephone1: { conversion: 'phone' },
  websiteurl: { source: 'website', conversion: 'text' },
  ...ADDRESS_SPECS,
});

function clientAccount(group: AccountGroup, lookups: MappingLookups): MappingOutput {
  const out = emptyOutput();
  const { key, matters } = group;
  const latest = matters[matters.length - 1];
  const client = lookups.clientOf(latest.id);
  const org = client?.isCompany ? client : null;
  const problems: FieldProblem[] = [];
  const attributes: Attributes = {};

  const name = fitText(C.name.column, org ? organisationName(org) : latest.name, C.name.def.maxLength!);
  if (name.problem) problems.push(name.problem);
  attributes.name = name.value ?? unnamed(problems, `Matter ${latest.id}`, org ? `organisation ${org.id}` : `matter ${latest.id}`);
  setText(attributes, problems, C.astep_mattername, latest.name);
  setText(attributes, problems, C.astep_matternumber, latest.reference);
  attributes.astep_mattertype = lookups.matterTypeChoice(latest.actionTypeId);
  attributes.astep_matterstatus = matterStatusChoice(lookups, latest, problems);

  setTrust(attributes, problems, lookups, matters.map((m) => m.id));
  setBillingTotal(attributes, problems, lookups, C.astep_totalbilled.column, matters.map((m) => m.id));
  attributes.astep_createdbyuserid = lookups.actionstepUserIdOf(latest.assignedToParticipantId);

  if (org) contactDetails(org, attributes, problems);
  if (lookups.options.dataCollections === 'account') {
    // Oldest to latest: a later matter's value wins, and a value it overwrites is reported, never dropped silently.
    const merged: Record<string, { value: unknown; matterId: string }> = {};
    for (const m of matters) {
      for (const [column, value] of Object.entries(dataCollectionAttributes(lookups, m, 'account', problems))) {
        const prev = merged[column];
        if (prev && prev.value != null && value != null && JSON.stringify(prev.value) !== JSON.stringify(value)) {
          problems.push({ field: column, rule: 'one-value-per-account', value: prev.value, message: `matter ${prev.matterId}'s value ${JSON.stringify(prev.value)} is replaced by matter ${m.id}'s ${JSON.stringify(value)}: data collections on the account hold one value per client (choose astep_matter columns to keep both)` });
        }
        if (value != null || !prev) merged[column] = { value, matterId: m.id };
      }
    }
    for (const [column, v] of Object.entries(merged)) attributes[column] = v.value;
  }

  const row: TargetRow = {
    table: 'account',
    sourceResource: org ? 'participants' : 'actions',
    sourceId: org ? org.id : latest.id,
    key,
    attributes,
    binds: { ownerid: { table: 'systemuser', key: lookups.ownerOf(latest.assignedToParticipantId), byId: true } },
    problems,
  };
  out.rows.push(row);
  for (const m of matters) out.rollups.push({ sourceResource: 'actions', sourceId: m.id, table: 'account', key, note: 'figures summed on the client account' });
  return out;
}

/**
 * An organisation's name as the firm typed it: companyName. Actionstep's displayName of a company can be an upper-case
 * rendering ("KIWI HOLDINGS LIMITED" for "Kiwi Holdings Limited"), so it only stands in when companyName is empty.
 */
function organisationName(p: Participant): string {
  return p.companyName?.trim() || p.displayName;
}

/** Company participants that are not the client of any migrating matter (e.g. the other side's firm) get accounts too. */
function otherOrganisation(p: Participant, lookups: MappingLookups): MappingOutput {
  const out = emptyOutput();
  if (!p.isCompany || lookups.isClientAccount(`P-${p.id}`)) return out;
  if (!lookups.matterLinksOf(p.id).some((l) => lookups.migrates(l.actionId))) return out;
  const problems: FieldProblem[] = [];
  const attributes: Attributes = {};
  const name = fitText(C.name.column, organisationName(p), C.name.def.maxLength!);
  if (name.problem) problems.push(name.problem);
  attributes.name = name.value ?? unnamed(problems, `Organisation ${p.id}`, `organisation ${p.id}`);
  contactDetails(p, attributes, problems);
  out.rows.push({ table: 'account', sourceResource: 'participants', sourceId: p.id, key: `P-${p.id}`, attributes, binds: {}, problems });
  return out;
}

/** An account with no name in Actionstep gets a stand-in name, and the record says so. */
function unnamed(problems: FieldProblem[], standIn: string, what: string): string {
  problems.push({ field: 'name', rule: 'name-missing', value: null, message: `${what} has no name in Actionstep (empty, or only control characters): the account is named "${standIn}"` });
  return standIn;
}

function contactDetails(p: Participant, attributes: Attributes, problems: FieldProblem[]) {
  const email = convertEmail(C.emailaddress1.column, p.email);
  if (email.ok) attributes.emailaddress1 = email.value;
  else problems.push({ ...email.problem, message: `participant ${p.id}: ${email.problem.message}; email left empty` });
  const phone = p.phones[0];
  if (phone?.number) setText(attributes, problems, C.telephone1, phoneText(phone));
  setText(attributes, problems, C.websiteurl, p.website);
  setAddress(attributes, problems, p, C);
}

export const ACCOUNT: TableMapping = {
  target: TARGET,
  label: tableLabel('account'),
  key: { by: 'sourceId', format: 'P-<participant id> for a client organisation, M-<matter id> for a solo client' },
  feeds: [
    { resource: 'actions', grouping: 'clientAccount', map: clientAccount },
    { resource: 'participants', grouping: 'record', map: otherOrganisation },
  ],
  columns: Object.values(C),
  planColumns: 'dataCollections',
  lookups: [OWNER],
  // Organisations the firm already has in CRM, by name; solo-client accounts are named after matters, never matched.
  matchExisting: { column: 'name', when: (row) => row.key.startsWith('P-') },
  sample: { matters: (row, facts) => facts.accountMatters(row.key) },
  counts: [
    { mapping: MAPPING_NAMES.matterAccount },
    { mapping: MAPPING_NAMES.trust, when: (row) => Number(row.attributes.astep_trustin ?? 0) + Number(row.attributes.astep_trustout ?? 0) > 0 },
    HAS_MATTER_TYPE, HAS_MATTER_STATUS, billedIn('astep_totalbilled'), OWNED_BY_MATCHED_USER, HAS_DATA_COLLECTION_VALUE,
  ],
};
