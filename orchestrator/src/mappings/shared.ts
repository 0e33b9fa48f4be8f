// Rules more than one mapping applies: text fitted to its column, a child record's matter, the status map, the
// contact a person lands on, addresses and phones, and the report's count rules several tables share.
import type { Address, Matter, Participant, Phone } from '@astep/actionstep-connector/records';
import type { StatusRule } from '../options';
import { emptyOutput, type MappingOutput, type TargetRow } from '../transform/targetRow';
import { fitText, roundTo, type FieldProblem } from '../transform/values';
import type { MappingLookups } from './lookups';
import { DC_COLUMN_PREFIX } from './dataCollections';
import type { ColumnMapping, CountRule } from './tableMapping';
import { MAPPING_NAMES } from '../vocabulary/options';

export type Attributes = Record<string, unknown>;

/** Text fitted to the column's length from the schema; an over-long value is cut and reported. */
export function setText(attributes: Attributes, problems: FieldProblem[], column: ColumnMapping, value: string | null | undefined): void {
  const fitted = fitText(column.column, value, column.def.maxLength ?? Number.MAX_SAFE_INTEGER);
  if (fitted.problem) problems.push(fitted.problem);
  if (fitted.value !== null) attributes[column.column] = fitted.value;
}

/** The output for a record that does not migrate: one skip, with the reason. */
export function skipped(sourceResource: string, sourceId: string, reason: string): MappingOutput {
  const out = emptyOutput();
  out.skipped.push({ sourceResource, sourceId, reason });
  return out;
}

/**
 * Why a record linked to a matter Actionstep does not return cannot migrate. The extraction reads unlisted matters by
 * id, so a deleted matter is known (and says so); one still unknown is restricted or gone for good.
 */
export function unknownMatter(what: string, id: string, actionId: string): string {
  return `${what} ${id} links to matter ${actionId}, which Actionstep does not return even by id (restricted from the user who signed in, or removed for good): an orphan link`;
}

/** Why a child record of a matter cannot migrate (no link, an orphan link, a skipped matter), or null. */
export function matterProblem(lookups: MappingLookups, what: string, id: string, actionId: string | null): string | null {
  if (!actionId) return `${what} ${id} has no matter link`;
  const m = lookups.matterOf(actionId);
  if (!m) return unknownMatter(what, id, actionId);
  return lookups.matterSkipReason(m);
}

/** The rule for an Actionstep status: the status map's, else the unknown-value map's (`listed` says which), or none. */
export function statusRule(lookups: MappingLookups, status: string): { rule: StatusRule; listed: boolean } | undefined {
  const listed = lookups.options.statusMap[status];
  if (listed) return { rule: listed, listed: true };
  const fallback = lookups.options.unknownValueMap.matterStatus;
  return fallback ? { rule: fallback, listed: false } : undefined;
}

/** Matter status choice value; a status no map covers (or a rule naming no Matter Status value) is reported and left empty. */
export function matterStatusChoice(lookups: MappingLookups, m: Matter, problems: FieldProblem[]): number | null {
  const found = statusRule(lookups, m.status);
  const known = `known: ${Object.keys(lookups.options.statusMap).join(', ')}`;
  const value = found ? lookups.statusChoice(found.rule.matterStatus) : null;
  const problem = (message: string) => problems.push({ field: 'status', rule: 'status-map', value: m.status, message });
  if (!found) problem(`matter status "${m.status}" is not in the status map (${known}); the status column is left empty`);
  else if (value === null) problem(`the ${found.listed ? 'status map' : 'unknown-value map'} sends matter status "${m.status}" to Matter Status "${found.rule.matterStatus}", which is not a Matter Status value; the status column is left empty`);
  else if (!found.listed) problem(`matter status "${m.status}" is not in the status map (${known}); the unknown-value map gives it Matter Status "${found.rule.matterStatus}"`);
  return value;
}

/**
 * The billing total of matters into a column; when the plan counts billed time only, what it leaves out is said on the
 * row (never dropped without saying so).
 */
export function setBillingTotal(attributes: Attributes, problems: FieldProblem[], lookups: MappingLookups, column: string, matterIds: readonly string[]): void {
  let total = 0, entries = 0, amount = 0;
  for (const id of matterIds) {
    const b = lookups.billingTotal(id);
    total += b.total;
    entries += b.excludedEntries;
    amount += b.excludedAmount;
  }
  attributes[column] = roundTo(total, 2);
  if (entries) {
    problems.push({
      field: column, rule: 'billing total: time left out', value: roundTo(amount, 2),
      message: `${entries} time ${entries === 1 ? 'entry' : 'entries'} worth ${roundTo(amount, 2).toFixed(2)} ${entries === 1 ? 'is' : 'are'} left out of the billing total: the plan counts billed time only (Hide, No charge and not billable time are left out)`,
    });
  }
}

export const TRUST_COLUMNS = ['astep_trustin', 'astep_trustout', 'astep_trustbalance'] as const;

/**
 * Trust figures of one matter or summed over an account's matters. No ledger export given: the columns are not written
 * (the run reports the trust mapping as not migrated). A matter with a row the export could not read: unknown, so the
 * columns are emptied and the record says which row. A matter the export has no rows for holds no trust money: 0.00.
 */
export function setTrust(attributes: Attributes, problems: FieldProblem[], lookups: MappingLookups, matterIds: readonly string[]): void {
  if (!lookups.trustLedgerGiven) return;
  let trustIn = 0, trustOut = 0, balance = 0;
  const unknown: string[] = [];
  for (const id of matterIds) {
    const t = lookups.trustOf(id);
    if (!t) continue;
    if (t.unknown) {
      unknown.push(`matter ${id}: ${t.unknown}`);
      continue;
    }
    trustIn += t.in;
    trustOut += t.out;
    balance += t.balance;
    if (t.opening) problems.push({ field: 'astep_trustin', rule: 'trust ledger: opening balance', value: t.opening, message: `matter ${id}: the export starts with a balance brought forward of ${t.opening.toFixed(2)}, so trust in and out cover the report's period only (export the whole history to carry every movement)` });
    if (t.discrepancy) problems.push({ field: 'astep_trustbalance', rule: 'trust-reconcile', value: t.printedBalance, message: `matter ${id}: ${t.discrepancy}; the report's balance is used` });
  }
  if (unknown.length) {
    for (const column of TRUST_COLUMNS) attributes[column] = null;
    problems.push({ field: 'astep_trustbalance', rule: 'trust ledger: row not read', value: null, message: `${unknown.join('; ')}: the trust columns are left empty` });
    return;
  }
  attributes.astep_trustin = roundTo(trustIn, 2);
  attributes.astep_trustout = roundTo(trustOut, 2);
  attributes.astep_trustbalance = roundTo(balance, 2);
}

/** Rule of every value outside the set Actionstep documents (the plan lists them; each record gets this message). */
export const UNKNOWN_VALUE = 'unknown value';

/** A record's value Actionstep does not document, and what the plan's unknown-value map makes of it. */
export function unknownValue(column: string, what: string, value: unknown, documented: readonly string[], becomes: string): FieldProblem {
  return { field: column, rule: UNKNOWN_VALUE, value, message: `${what} "${String(value)}" is not a value Actionstep documents (${documented.join(', ')}): ${becomes} (the plan's unknown-value map)` };
}

/** The contact key (astep_sourceid) of a person on a matter role: one contact per person, or per person and role. */
export function contactKeyOf(lookups: MappingLookups, participantId: string, participantTypeId: string | null): string {
  const canonical = lookups.canonicalPerson(participantId);
  return lookups.options.contacts === 'perRole' && participantTypeId ? `P-${canonical}-T-${participantTypeId}` : `P-${canonical}`;
}

/** "+64 9 555 1234" from Actionstep's country, area and number parts. */
export function phoneText(ph: Phone): string {
  return [ph.country && `+${ph.country}`, ph.area, ph.number].filter(Boolean).join(' ');
}

type AddressColumns = Record<'address1_line1' | 'address1_line2' | 'address1_city' | 'address1_stateorprovince' | 'address1_postalcode' | 'address1_country', ColumnMapping>;

/** address1_* from the physical address, or the mailing address when the physical one is empty. */
export function setAddress(attributes: Attributes, problems: FieldProblem[], p: Participant, c: AddressColumns): void {
  const a: Address = p.physicalAddress.line1 || p.physicalAddress.city ? p.physicalAddress : p.mailingAddress;
  setText(attributes, problems, c.address1_line1, a.line1);
  setText(attributes, problems, c.address1_line2, a.line2);
  setText(attributes, problems, c.address1_city, a.city);
  setText(attributes, problems, c.address1_stateorprovince, a.stateProvince);
  setText(attributes, problems, c.address1_postalcode, a.postCode);
  setText(attributes, problems, c.address1_country, a.country);
}

/** The address columns' declarations, shared by the tables that carry a participant's address. */
export const ADDRESS_SPECS = {
  address1_line1: { conversion: 'text' }, address1_line2: { conversion: 'text' }, address1_city: { conversion: 'text' },
  address1_stateorprovince: { conversion: 'text' }, address1_postalcode: { conversion: 'text' }, address1_country: { conversion: 'text' },
} as const;

// ---- count rules several tables share ----

const positive = (v: unknown) => Number(v ?? 0) > 0;

/** Owned by the Actionstep user's own Dynamics user (matched by email), not the fallback owner. */
export const OWNED_BY_MATCHED_USER: CountRule = {
  mapping: MAPPING_NAMES.owners,
  when: (row, facts) => !!row.binds.ownerid && row.binds.ownerid.key !== facts.fallbackOwnerId,
};

export const HAS_MATTER_TYPE: CountRule = { mapping: MAPPING_NAMES.matterTypes, when: (row) => row.attributes.astep_mattertype != null };
export const HAS_MATTER_STATUS: CountRule = { mapping: MAPPING_NAMES.matterStatuses, when: (row) => row.attributes.astep_matterstatus != null };

/** A billing total above zero in the named column. */
export const billedIn = (column: string): CountRule => ({ mapping: MAPPING_NAMES.billing, when: (row) => positive(row.attributes[column]) });

/** At least one data collection value landed in the row. */
export const HAS_DATA_COLLECTION_VALUE: CountRule = {
  mapping: MAPPING_NAMES.dataCollections,
  when: (row: TargetRow) => Object.keys(row.attributes).some((c) => c.startsWith(DC_COLUMN_PREFIX) && row.attributes[c] != null),
};
