// The staged firm, indexed for the mappings. Built once from staging; every mapping reads it, none changes it.
import type {
  ActionDocument, ActionParticipant, ActionType, Bill, DataCollection, DataCollectionField, DataCollectionRecord,
  DataCollectionRecordValue, Disbursement, FileNote, Matter, Participant, ParticipantType, RecordsByResource, Step,
  Task, TimeEntry, TrustLedgerRow, User,
} from '@astep/actionstep-connector/records';
import { isUnreadable, type StagedTrustRow } from '../run/trustExtraction';
import { RESOURCES } from '@astep/actionstep-connector/resources';
import type { BillingTotalRule } from '../options';
import { normalizeEmail, convertEmail, roundTo } from './values';

export interface FirmData {
  actions: Matter[];
  actiontypes: ActionType[];
  participants: Participant[];
  participanttypes: ParticipantType[];
  actionparticipants: ActionParticipant[];
  datacollections: DataCollection[];
  datacollectionfields: DataCollectionField[];
  datacollectionrecords: DataCollectionRecord[];
  datacollectionrecordvalues: DataCollectionRecordValue[];
  timeentries: TimeEntry[];
  disbursements: Disbursement[];
  bills: Bill[];
  filenotes: FileNote[];
  tasks: Task[];
  actiondocuments: ActionDocument[];
  users: User[];
  steps: Step[];
  /** Rows of the trust ledger export in file order (unreadable rows included), when the firm gave one. */
  trustLedger: StagedTrustRow[];
  /** The firm gave a trust ledger export: without one the trust columns are not written at all. */
  trustLedgerGiven: boolean;
  /** The export's file name, for reasons ("from trust-ledger.csv: ..."). */
  trustLedgerSource?: string | null;
}

export type StagedResource = keyof RecordsByResource | 'trustledger';

export function emptyFirmData(): FirmData {
  return {
    actions: [], actiontypes: [], participants: [], participanttypes: [], actionparticipants: [], datacollections: [],
    datacollectionfields: [], datacollectionrecords: [], datacollectionrecordvalues: [], timeentries: [], disbursements: [],
    bills: [], filenotes: [], tasks: [], actiondocuments: [], users: [], steps: [], trustLedger: [], trustLedgerGiven: false,
  };
}

function groupBy<T>(items: T[], key: (t: T) => string | null): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    if (k == null) continue;
    const list = m.get(k);
    if (list) list.push(it);
    else m.set(k, [it]);
  }
  return m;
}

const byId = <T extends { id: string }>(items: T[]) => new Map(items.map((x) => [x.id, x] as const));
export const numericOrder = (a: string, b: string) => {
  const na = Number(a), nb = Number(b);
  return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
};

/** A matter's trust figures from the ledger export. */
export interface MatterTrust {
  /** Why the figures are unknown (a row of the matter could not be read), or null: then the columns stay empty. */
  unknown: string | null;
  /** A balance brought forward at the start of the report's period (0 when the ledger starts from nothing). */
  opening: number;
  in: number;
  out: number;
  /** The closing balance the report printed on the matter's last row. */
  balance: number;
  /** That closing balance as printed ("$1,250.00"). */
  printedBalance: string | null;
  rows: number;
  /** Set when opening + in − out differs from the report's closing balance. */
  discrepancy: string | null;
}

/** Billing of one matter: time plus disbursements (the total), the hours worked, and what the plan's rule left out. */
export interface BillingTotal {
  total: number;
  time: number;
  disbursements: number;
  hours: number;
  /** Time entries the rule left out of the total (billed time only: Hide, No charge, not billable) and their amount. */
  excludedEntries: number;
  excludedAmount: number;
}

/** Which time entries count: every one (the seed's sum), or billed time only; an unknown behaviour counts as the map says. */
export interface BillingRule {
  billingTotal: BillingTotalRule;
  unknownBillingBehavior: 'Bill' | 'No charge';
}

/** Actionstep's documented billing behaviours (its OpenAPI timeentries file, kept in resources.ts). */
export const BILLING_BEHAVIOUR_VALUES: readonly string[] = RESOURCES.timeentries.fields.find((f) => f.name === 'billingBehavior')?.enumValues ?? [];

/** Whether a time entry is billed time: behaviour Bill (an unknown one as the rule says) and not marked not billable. */
export function isBilledTime(t: TimeEntry, rule: BillingRule): boolean {
  const behaviour = t.billingBehavior && !BILLING_BEHAVIOUR_VALUES.includes(t.billingBehavior) ? rule.unknownBillingBehavior : t.billingBehavior;
  return (!behaviour || behaviour === 'Bill') && t.isBillable !== false;
}

export class FirmIndex {
  readonly matters: Map<string, Matter>;
  readonly actionTypes: Map<string, ActionType>;
  readonly participants: Map<string, Participant>;
  readonly participantTypes: Map<string, ParticipantType>;
  readonly usersByParticipant: Map<string, User>;
  readonly usersById: Map<string, User>;
  readonly participantsByMatter: Map<string, ActionParticipant[]>;
  readonly matterLinksByParticipant: Map<string, ActionParticipant[]>;
  readonly timeByMatter: Map<string, TimeEntry[]>;
  readonly disbursementsByMatter: Map<string, Disbursement[]>;
  readonly tasksByMatter: Map<string, Task[]>;
  readonly trustByMatter: Map<string, MatterTrust>;
  readonly dcFields: Map<string, DataCollectionField>;
  readonly dataCollections: Map<string, DataCollection>;
  readonly dcRecords: Map<string, DataCollectionRecord>;
  readonly dcValuesByMatter: Map<string, DataCollectionRecordValue[]>;
  readonly documents: Map<string, ActionDocument>;
  /** participant id → id of the canonical participant of its duplicate group (itself when unique). */
  readonly canonicalPerson: Map<string, string>;

  constructor(readonly data: FirmData) {
    this.matters = byId(data.actions);
    this.actionTypes = byId(data.actiontypes);
    this.participants = byId(data.participants);
    this.participantTypes = byId(data.participanttypes);
    this.usersById = byId(data.users);
    this.usersByParticipant = new Map(data.users.filter((u) => u.participantId).map((u) => [u.participantId as string, u]));
    this.participantsByMatter = groupBy(data.actionparticipants, (x) => x.actionId);
    this.matterLinksByParticipant = groupBy(data.actionparticipants, (x) => x.participantId);
    this.timeByMatter = groupBy(data.timeentries, (x) => x.actionId);
    this.disbursementsByMatter = groupBy(data.disbursements, (x) => x.actionId);
    this.tasksByMatter = groupBy(data.tasks, (x) => x.actionId);
    this.dcFields = byId(data.datacollectionfields);
    this.dataCollections = byId(data.datacollections);
    this.dcRecords = byId(data.datacollectionrecords);
    this.dcValuesByMatter = groupBy(data.datacollectionrecordvalues, (x) => x.actionId);
    this.documents = byId(data.actiondocuments);
    this.trustByMatter = computeTrust(data.trustLedger);
    this.canonicalPerson = dedupePeople(data.participants);
  }

  /** The matter's client: its first primary participant, else the lowest-numbered participant in the Client role. */
  clientOf(matter: Matter): Participant | null {
    return clientOfMatter(matter, (id) => this.participants.get(id), this.actionTypes.get(matter.actionTypeId ?? ''), this.participantTypes.values(), this.participantsByMatter.get(matter.id) ?? []);
  }

  /** astep_sourceid of the account a matter lands on: the client organisation's, or the matter's own (solo client). */
  accountKeyOf(matter: Matter): string {
    return accountKeyFor(matter, this.clientOf(matter));
  }

  /** Billing total of a matter under the plan's rule (billingOf). */
  billingTotal(matterId: string, rule: BillingRule): BillingTotal {
    return billingOf(this.timeByMatter.get(matterId) ?? [], this.disbursementsByMatter.get(matterId) ?? [], rule);
  }

  roleName(participantTypeId: string): string {
    return this.participantTypes.get(participantTypeId)?.name ?? `Participant type ${participantTypeId}`;
  }
}

/** Amount of a time entry: its billable amount, else billable hours × rate. */
export function timeEntryAmount(t: TimeEntry): number | null {
  if (t.billableAmount != null) return t.billableAmount;
  if (t.billableHours != null && t.rateUnitPrice != null) return roundTo(t.billableHours * t.rateUnitPrice, 2);
  return null;
}

// The rules below are shared by the in-memory FirmIndex and the streaming driver over indexed staging.

/**
 * The matter's client: its first primary participant, else the lowest-numbered participant in the Client role
 * (the matter type's primary participant type, or any type named Client). `links` are the matter's participants.
 */
export function clientOfMatter(
  matter: Matter, participantOf: (id: string) => Participant | null | undefined, type: ActionType | undefined,
  participantTypes: Iterable<ParticipantType>, links: readonly ActionParticipant[],
): Participant | null {
  for (const pid of matter.primaryParticipantIds) {
    const p = participantOf(pid);
    if (p) return p;
  }
  const clientTypeIds = new Set<string>();
  if (type?.primaryParticipantTypeId) clientTypeIds.add(type.primaryParticipantTypeId);
  for (const t of participantTypes) if (t.name.toLowerCase() === 'client') clientTypeIds.add(t.id);
  const candidates = links
    .filter((l) => clientTypeIds.has(l.participantTypeId))
    .sort((a, b) => (a.participantNumber ?? 0) - (b.participantNumber ?? 0) || numericOrder(a.participantId, b.participantId));
  for (const l of candidates) {
    const p = participantOf(l.participantId);
    if (p) return p;
  }
  return null;
}

/** astep_sourceid of the account a matter lands on: the client organisation's, or the matter's own (solo client). */
export function accountKeyFor(matter: Matter, client: Participant | null): string {
  return client?.isCompany ? `P-${client.id}` : `M-${matter.id}`;
}

/**
 * Billing total, computed at extraction (Actionstep stores no total): "the sum of time entries and disbursements"
 * (the seed), every time entry whatever its flags unless the rule counts billed time only; then what it leaves out is
 * counted, so the report can state it.
 */
export function billingOf(timeEntries: readonly TimeEntry[], disbursements: readonly Disbursement[], rule: BillingRule): BillingTotal {
  let time = 0, hours = 0, excludedEntries = 0, excludedAmount = 0;
  for (const t of timeEntries) {
    hours += t.actualHours ?? 0;
    const amount = timeEntryAmount(t) ?? 0;
    if (rule.billingTotal === 'billedOnly' && !isBilledTime(t, rule)) {
      excludedEntries++;
      excludedAmount += amount;
      continue;
    }
    time += amount;
  }
  let disb = 0;
  for (const d of disbursements) disb += (d.quantity ?? 1) * (d.unitPrice ?? 0);
  return {
    total: roundTo(time + disb, 2), time: roundTo(time, 2), disbursements: roundTo(disb, 2), hours: roundTo(hours, 2),
    excludedEntries, excludedAmount: roundTo(excludedAmount, 2),
  };
}

/** One matter's trust figures from its rows of the export in file order (reconciled against the closing balance). */
export function matterTrust(list: readonly StagedTrustRow[]): MatterTrust {
  const bad = list.find(isUnreadable);
  // The report's own order is its running order (each balance follows the row above): file order, not date order.
  const rows = list.filter((r): r is TrustLedgerRow => !isUnreadable(r));
  const opening = roundTo(rows.filter((r) => r.opening).reduce((s, r) => s + r.balance, 0), 2);
  const inSum = roundTo(rows.reduce((s, r) => s + (r.opening ? 0 : r.amountIn), 0), 2);
  const outSum = roundTo(rows.reduce((s, r) => s + (r.opening ? 0 : r.amountOut), 0), 2);
  const last = rows[rows.length - 1];
  const balance = last ? roundTo(last.balance, 2) : 0;
  const computed = roundTo(opening + inSum - outSum, 2);
  return {
    unknown: bad && isUnreadable(bad) ? `row ${bad.line} of the trust ledger export could not be read (${bad.unreadable.message}), so this matter's trust figures are unknown` : null,
    opening, in: inSum, out: outSum, balance, printedBalance: last?.printed.balance ?? null, rows: rows.length,
    discrepancy: !last || computed === balance ? null
      : `trust ledger ${opening ? `opening ${opening.toFixed(2)} + ` : ''}in ${inSum.toFixed(2)} − out ${outSum.toFixed(2)} = ${computed.toFixed(2)}, but the report's closing balance (row ${last.line}) is ${balance.toFixed(2)}`,
  };
}

function computeTrust(staged: StagedTrustRow[]): Map<string, MatterTrust> {
  const result = new Map<string, MatterTrust>();
  for (const [matterId, list] of groupBy(staged, (r) => r.actionId)) result.set(matterId, matterTrust(list));
  return result;
}

const digits = (s: string | null | undefined) => (s ?? '').replace(/\D/g, '');

/**
 * What makes two people one (dedupePeople): a valid email (case-insensitive), and first + last name with each phone's
 * digits (at least 6). People sharing any key are the same person.
 */
export function personKeys(p: Participant): string[] {
  const keys: string[] = [];
  const email = convertEmail('email', p.email).ok ? normalizeEmail(p.email) : null;
  if (email) keys.push(`e|${email}`);
  const name = `${(p.firstName ?? '').trim().toLowerCase()}|${(p.lastName ?? '').trim().toLowerCase()}`;
  for (const ph of p.phones) {
    const d = digits(`${ph.country ?? ''}${ph.area ?? ''}${ph.number ?? ''}`);
    if (d.length < 6 || name === '|') continue;
    keys.push(`n|${name}|${d}`);
  }
  return keys;
}

/** Union-find whose root is the lowest id (numeric order) of each group; ids never united are their own root. */
export class LowestIdUnion {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let r = x;
    for (let p = this.parent.get(r); p !== undefined && p !== r; p = this.parent.get(r)) r = p;
    let c = x;
    while (c !== r) {
      const n = this.parent.get(c) as string;
      this.parent.set(c, r);
      c = n;
    }
    return r;
  }
  private readonly seen = new Set<string>();
  union(a: string, b: string): void {
    this.seen.add(a);
    this.seen.add(b);
    const ra = this.find(a), rb = this.find(b);
    if (ra === rb) return;
    if (numericOrder(ra, rb) <= 0) this.parent.set(rb, ra);
    else this.parent.set(ra, rb);
  }
  /** Every id that was united with another (roots included). */
  members(): string[] {
    return [...this.seen];
  }
}

/**
 * Duplicate people: same valid email (case-insensitive), else same first + last name and same phone digits.
 * Union-find so chains (A~B by email, B~C by name+phone) collapse into one group; the lowest id is canonical.
 */
export function dedupePeople(participants: Participant[]): Map<string, string> {
  const groups = new LowestIdUnion();
  const people = participants.filter((p) => !p.isCompany);
  const firstWith = new Map<string, string>();
  for (const p of people) {
    for (const k of personKeys(p)) {
      const seen = firstWith.get(k);
      if (seen) groups.union(seen, p.id);
      else firstWith.set(k, p.id);
    }
  }
  const out = new Map<string, string>();
  for (const p of people) out.set(p.id, groups.find(p.id));
  return out;
}
