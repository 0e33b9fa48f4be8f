// The synthetic law firm. Every record is a pure function of (seed, resource, index): the per-resource iterables
// recompute what they need and hold nothing, so an xl firm (>= 1,000,000 records) streams with flat memory.
//
// Id scheme: matter m (0-based) has action id m+1; its children of any resource have ids (m+1)*100 + j (j < 100),
// so ids ascend with the matter and a child id tells its matter. Participants 1..U are the users' own participant
// records, then a pool of professionals (other-side lawyers, agents, referrers: they appear on many matters), then the
// general public (people and companies; clients come from there).
import type {
  ActionDocument, ActionParticipant, ActionType, Bill, DataCollection, DataCollectionField,
  DataCollectionRecordValue, Disbursement, FileNote, Matter, Participant, ParticipantType, RecordsByResource,
  ResourceName, Step, Task, TimeEntry, TrustLedgerEntry, User,
} from '@astep/actionstep-connector/records';
import { Rng, hash32 } from './random';
import { DAY_MS, FIRM_TIME_ZONE, dayMs, localDate, localMidnight, localTimestamp } from './time';
import {
  ACTION_TYPES, CITIES, COMPANY_KINDS, COMPANY_WORDS, DISBURSEMENT_DESCRIPTIONS, DOC_KINDS, DOC_NAMES, EMOJI_NOTES,
  FIRST_NAMES, HTML_NOTES, LAST_NAMES, MESSY_COMPANY_NAMES, MESSY_DC_FIELDS, MESSY_FIRST_NAMES, MESSY_LAST_NAMES,
  NOTE_TEXTS, OCCUPATIONS, PARTICIPANT_TYPES, PT, STREETS, TIME_DESCRIPTIONS, type ActionTypeDef, type DcFieldDef,
} from './vocabulary';

export type FirmSize = 'tiny' | 'demo' | 'medium' | 'large' | 'xl';

export interface GenerateFirmOptions {
  size: FirmSize;
  seed?: number;
  /** Share of records that carry a planted anomaly, per anomaly kind (default 0.03). */
  messyRate?: number;
}

export type AnomalyKind =
  | 'duplicate-person' | 'invalid-email' | 'invalid-date' | 'overlong-text' | 'html' | 'emoji' | 'odata-special'
  | 'orphan-link' | 'unknown-enum';

export interface PlantedAnomaly {
  resource: ResourceName | 'trustledger';
  id: string;
  field: string;
  kind: AnomalyKind;
  detail: string;
}

export interface DataverseDirectoryUser {
  fullname: string;
  email: string;
  isDisabled: boolean;
}

export interface MatterAccess {
  actionId: string;
  /** Users (ids) who may see a restricted matter: its creator and nominated users. */
  userIds: string[];
}

export interface GeneratedFile {
  fileId: string;
  documentId: string;
  size: number;
  /** Bytes [start, end) generated on demand from the seed (large files are never held in memory). */
  read(start: number, end: number): Buffer;
}

export interface GroundTruth {
  actingUserId: string;
  records: { [R in ResourceName]: Array<RecordsByResource[R]> };
  /** Trust ledger rows of matters the acting user can see (what the report export gives that user). */
  trustLedger: TrustLedgerEntry[];
  /** Planted anomalies on records in `records` (firm.iterateAnomalies() lists all of them). */
  anomalies: PlantedAnomaly[];
  /** Matters the acting user cannot see (restricted to others): a correct client cannot return them. */
  hiddenActionIds: string[];
  /** Soft-deleted matters: excluded from the default `actions` listing (see README). */
  deletedActionIds: string[];
}

export interface GeneratedFirm {
  size: FirmSize;
  seed: number;
  messyRate: number;
  orgKey: string;
  timeZone: string;
  /** Exact number of records iterate() yields per resource (computed in O(matters), without building records). */
  counts: Record<ResourceName, number> & { trustledger: number };
  totalRecords: number;
  users: User[];
  /** The firm's first administrator: default consenting user of the emulator's authorize endpoint. */
  adminUserId: string;
  userEmail(userId: string): string | null;
  dataverseUsers: DataverseDirectoryUser[];
  iterate<R extends ResourceName>(resource: R): Iterable<RecordsByResource[R]>;
  iterateTrustLedger(): Iterable<TrustLedgerEntry>;
  iterateAnomalies(): Iterable<PlantedAnomaly>;
  iterateRestrictedMatters(): Iterable<MatterAccess>;
  file(fileId: string): GeneratedFile | null;
  /** Normalized records a correct client returns for the acting user (tiny and demo only). */
  groundTruth(actingUserId?: string): GroundTruth;
}

interface SizeSpec {
  matters: number;
  users: number;
  pros: number;
}
const SIZES: Record<FirmSize, SizeSpec> = {
  tiny: { matters: 50, users: 8, pros: 12 },
  demo: { matters: 600, users: 20, pros: 40 },
  medium: { matters: 2450, users: 40, pros: 80 },
  large: { matters: 7300, users: 80, pros: 150 },
  xl: { matters: 24500, users: 150, pros: 300 },
};

const SLOT = 100;
const FIRM_DOMAIN = 'harbourlaw.example';
const LARGE_FILE_MIN = 4 * 1024 * 1024 + 1;
/** Matter status values; `Pending Review` is the planted unknown one. */
const UNKNOWN_MATTER_STATUS = 'Pending Review';
const UNKNOWN_TASK_STATUS = 'Waiting';
/** Planted values outside the sets Actionstep documents (drawn last, so the record's other values do not change). */
const UNKNOWN_BILLING_BEHAVIOUR = 'Written off';
const UNKNOWN_TASK_PRIORITY = 'Urgent';
const UNKNOWN_NOTE_SOURCE = 'Email import';

/** Seconds into the (local) day within business hours, 08:00-18:00. */
function businessSeconds(r: Rng): number {
  return 28800 + r.int(0, 36000);
}

export function childId(actionIndex: number, j: number): number {
  return (actionIndex + 1) * SLOT + j;
}

interface RoleRow {
  typeId: number;
  participantId: number;
}
interface DcRecordPlan {
  recordId: number;
  dcId: number;
}
interface MatterPlan {
  m: number;
  actionId: number;
  type: ActionTypeDef;
  createdDay: number;
  assignedUser: number;
  restrictedTo: number[] | null;
  deleted: boolean;
  roles: RoleRow[];
  clientIds: number[];
  times: number;
  disbs: number;
  bills: number;
  notes: number;
  tasks: number;
  docs: number;
  trustRows: number;
  stepNumber: number;
  dcRecords: DcRecordPlan[];
}

interface DcMeta {
  id: number;
  actionTypeId: number;
  name: string;
  label: string;
  multipleRecords: boolean;
  order: number;
  fields: DcFieldDef[];
}

interface UserDef {
  id: number;
  first: string;
  last: string;
  email: string;
  isActive: boolean;
  hasAuthority: boolean;
  isAdmin: boolean;
}

export function generateFirm(options: GenerateFirmOptions): GeneratedFirm {
  const spec = SIZES[options.size];
  if (!spec) throw new Error(`Unknown firm size "${String(options.size)}": expected tiny, demo, medium, large or xl.`);
  const seed = (options.seed ?? 1) >>> 0;
  const messy = options.messyRate ?? 0.03;
  if (!(messy >= 0 && messy <= 1)) throw new Error(`messyRate must be between 0 and 1, got ${messy}.`);
  return new SyntheticFirm(options.size, spec, seed, messy);
}

class SyntheticFirm implements GeneratedFirm {
  readonly orgKey: string;
  readonly timeZone = FIRM_TIME_ZONE;
  readonly users: User[];
  readonly adminUserId = '1';
  readonly dataverseUsers: DataverseDirectoryUser[];
  private readonly userDefs: UserDef[];
  private readonly dcs: DcMeta[];
  private readonly M: number;
  private readonly U: number;
  private readonly P0: number; // first general participant id
  private readonly G: number; // general participants
  private readonly typeWeights: number;
  private countsCache: (Record<ResourceName, number> & { trustledger: number }) | null = null;

  constructor(readonly size: FirmSize, spec: SizeSpec, readonly seed: number, readonly messyRate: number) {
    this.orgKey = `harbourlaw${seed}`;
    this.M = spec.matters;
    this.U = spec.users;
    this.P0 = spec.users + spec.pros + 1;
    this.G = Math.ceil(spec.matters * 2);
    this.typeWeights = ACTION_TYPES.reduce((s, t) => s + t.weight, 0);
    this.userDefs = this.buildUsers();
    this.users = this.userDefs.map((u) => ({
      id: String(u.id), emailAddress: u.email, isActive: u.isActive, hasAuthority: u.hasAuthority,
      participantId: String(u.id), displayName: `${u.last}, ${u.first}`,
    }));
    this.dataverseUsers = this.buildDataverseUsers();
    this.dcs = this.buildDataCollections();
  }

  // ------------------------------------------------------------------ users and directory
  private buildUsers(): UserDef[] {
    const out: UserDef[] = [];
    for (let k = 1; k <= this.U; k++) {
      const r = Rng.for(this.seed, 'user', k);
      const first = k === 1 ? 'Firm' : r.pick(FIRST_NAMES);
      const last = k === 1 ? 'Admin' : r.pick(LAST_NAMES);
      out.push({
        id: k, first, last,
        email: k === 1 ? `admin@${FIRM_DOMAIN}` : `${first}.${last}${k}@${FIRM_DOMAIN}`.toLowerCase(),
        isActive: k <= 3 || r.chance(0.85),
        hasAuthority: k !== 1 && r.chance(0.6),
        isAdmin: k <= 2,
      });
    }
    return out;
  }

  private buildDataverseUsers(): DataverseDirectoryUser[] {
    const out: DataverseDirectoryUser[] = [];
    for (const u of this.userDefs) {
      const r = Rng.for(this.seed, 'dvuser', u.id);
      const fullname = `${u.first} ${u.last}`;
      if (u.isActive) {
        if (u.id <= 3 || r.chance(0.8)) {
          // Some directory emails differ only in case from Actionstep's.
          const email = r.chance(0.3) ? u.email.replace(/^./, (c) => c.toUpperCase()).replace(`@${FIRM_DOMAIN}`, `@${FIRM_DOMAIN.toUpperCase()}`) : u.email;
          out.push({ fullname, email, isDisabled: u.id > 3 && r.chance(0.12) });
        }
      } else if (r.chance(0.5)) {
        out.push({ fullname, email: u.email, isDisabled: true });
      }
    }
    for (let k = 1; k <= 3; k++) out.push({ fullname: `Sales User ${k}`, email: `sales${k}@${FIRM_DOMAIN}`, isDisabled: false });
    return out;
  }

  userEmail(userId: string): string | null {
    return this.userDefs.find((u) => String(u.id) === userId)?.email ?? null;
  }

  // ------------------------------------------------------------------ data collections (small, held)
  private buildDataCollections(): DcMeta[] {
    const out: DcMeta[] = [];
    let id = 1;
    for (const t of ACTION_TYPES) {
      t.collections.forEach((c, i) => {
        const fields = [...c.fields];
        // Planted: odd field names end up inside composite ids.
        if (this.messyRate > 0 && t.id === 1 && i === 0) fields.push(...MESSY_DC_FIELDS);
        out.push({ id: id++, actionTypeId: t.id, name: c.name, label: c.label, multipleRecords: c.multipleRecords, order: i + 1, fields });
      });
    }
    return out;
  }

  private dcsOf(typeId: number): DcMeta[] {
    return this.dcs.filter((d) => d.actionTypeId === typeId);
  }

  // ------------------------------------------------------------------ matter plan (pure function of m)
  private plan(m: number): MatterPlan {
    const r = Rng.for(this.seed, 'matter', m);
    let w = r.next() * this.typeWeights;
    let type = ACTION_TYPES[0];
    for (const t of ACTION_TYPES) {
      w -= t.weight;
      if (w < 0) {
        type = t;
        break;
      }
    }
    const createdDay = Math.min(2900, Math.floor((m / this.M) * 2800) + r.int(0, 6));
    const lawyers = this.userDefs.filter((u) => u.id !== 1);
    const assignedUser = r.pick(lawyers).id;
    let restrictedTo: number[] | null = null;
    if (r.chance(0.05)) {
      const set = new Set<number>([assignedUser, r.pick(lawyers).id]);
      if (r.chance(0.5)) set.add(1);
      restrictedTo = [...set].sort((a, b) => a - b);
    }
    const deleted = r.chance(0.02);
    const roles: RoleRow[] = [];
    const add = (typeId: number, participantId: number): void => {
      if (!roles.some((x) => x.typeId === typeId && x.participantId === participantId)) roles.push({ typeId, participantId });
    };
    const clientIds: number[] = [];
    const kind = r.next();
    if (kind < 0.4) {
      clientIds.push(this.pickCompany(r)); // organisation client: shared by its matters
    } else if (kind < 0.75) {
      clientIds.push(this.pickPerson(r)); // solo client: one person is the only client
    } else {
      clientIds.push(this.pickPerson(r), this.pickPerson(r)); // couple
    }
    for (const c of clientIds) add(PT.client, c);
    add(PT.lawyer, assignedUser);
    if (r.chance(0.5)) add(PT.paralegal, r.pick(lawyers).id);
    const pros = this.P0 - this.U - 1;
    for (const role of type.extraRoles) {
      if (!r.chance(0.6)) continue;
      const professional = role === PT.otherSideLawyer || role === PT.agent || role === PT.referrer;
      add(role, professional ? this.U + 1 + r.int(0, pros - 1) : this.pickAny(r));
    }
    if (r.chance(0.1)) add(PT.witness, clientIds[0] === undefined ? this.pickPerson(r) : this.pickPerson(r));
    const dcRecords: DcRecordPlan[] = [];
    let j = 0;
    for (const dc of this.dcsOf(type.id)) {
      const n = dc.multipleRecords ? r.int(0, 3) : r.chance(0.85) ? 1 : 0;
      for (let k = 0; k < n; k++) dcRecords.push({ recordId: childId(m, j++), dcId: dc.id });
    }
    const closedStep = type.steps.length;
    const ageDays = 2900 - createdDay;
    return {
      m, actionId: m + 1, type, createdDay, assignedUser, restrictedTo, deleted, roles, clientIds,
      times: r.int(0, 14), disbs: r.int(0, 4), bills: r.int(0, 2), notes: r.int(1, 8), tasks: r.int(1, 5),
      docs: r.int(0, 4), trustRows: r.chance(0.35) ? r.int(1, 6) : 0,
      stepNumber: ageDays > 900 && r.chance(0.7) ? closedStep : r.int(1, closedStep - 1),
      dcRecords,
    };
  }

  private isCompany(p: number): boolean {
    return p >= this.P0 && hash32(this.seed, 'pco', p) / 4294967296 < 0.25;
  }
  /** Planted duplicates sit at odd offsets and copy the (even, never duplicated) participant before them. */
  private isDuplicate(p: number): boolean {
    return p > this.P0 && (p - this.P0) % 2 === 1 && !this.isCompany(p) && !this.isCompany(p - 1) &&
      hash32(this.seed, 'dup', p) / 4294967296 < Math.min(1, 2 * this.messyRate);
  }

  private pickCompany(r: Rng): number {
    const span = Math.max(1, Math.floor(this.G * 0.3));
    for (let i = 0; i < 30; i++) {
      const p = this.P0 + r.int(0, span - 1);
      if (this.isCompany(p)) return p;
    }
    return this.P0;
  }
  private pickPerson(r: Rng): number {
    for (let i = 0; i < 30; i++) {
      const p = this.P0 + r.int(0, this.G - 1);
      if (!this.isCompany(p)) return p;
    }
    return this.P0 + 1;
  }
  private pickAny(r: Rng): number {
    return this.P0 + r.int(0, this.G - 1);
  }

  // ------------------------------------------------------------------ counts
  get counts(): Record<ResourceName, number> & { trustledger: number } {
    if (this.countsCache) return this.countsCache;
    const c = {
      actions: this.M, actiontypes: ACTION_TYPES.length, participants: this.P0 - 1 + this.G,
      participanttypes: PARTICIPANT_TYPES.length, actionparticipants: 0, datacollections: this.dcs.length,
      datacollectionfields: this.dcs.reduce((s, d) => s + d.fields.length, 0), datacollectionrecords: 0,
      datacollectionrecordvalues: 0, timeentries: 0, disbursements: 0, bills: 0, filenotes: 0, tasks: 0,
      actiondocuments: 0, users: this.U, steps: ACTION_TYPES.reduce((s, t) => s + t.steps.length, 0), trustledger: 0,
    };
    for (let m = 0; m < this.M; m++) {
      const p = this.plan(m);
      c.actionparticipants += p.roles.length;
      c.datacollectionrecords += p.dcRecords.length;
      for (const rec of p.dcRecords) c.datacollectionrecordvalues += this.valueFieldsOf(rec).length;
      c.timeentries += p.times;
      c.disbursements += p.disbs;
      c.bills += p.bills;
      c.filenotes += p.notes;
      c.tasks += p.tasks;
      c.actiondocuments += p.docs;
      c.trustledger += p.trustRows;
    }
    this.countsCache = c;
    return c;
  }

  get totalRecords(): number {
    const c = this.counts;
    return (Object.keys(c) as Array<keyof typeof c>).filter((k) => k !== 'trustledger').reduce((s, k) => s + c[k], 0);
  }

  // ------------------------------------------------------------------ iteration
  iterate<R extends ResourceName>(resource: R): Iterable<RecordsByResource[R]> {
    return this.records(resource, null) as Iterable<RecordsByResource[R]>;
  }

  *iterateAnomalies(): Iterable<PlantedAnomaly> {
    const sink: PlantedAnomaly[] = [];
    const resources: ResourceName[] = ['participants', 'actions', 'datacollectionfields', 'datacollectionrecordvalues',
      'timeentries', 'filenotes', 'tasks'];
    for (const res of resources) {
      for (const rec of this.records(res, sink)) {
        void rec;
        if (sink.length) yield* sink.splice(0, sink.length);
      }
    }
  }

  *iterateRestrictedMatters(): Iterable<MatterAccess> {
    for (let m = 0; m < this.M; m++) {
      const p = this.plan(m);
      if (p.restrictedTo) yield { actionId: String(p.actionId), userIds: p.restrictedTo.map(String) };
    }
  }

  private *records(resource: ResourceName, sink: PlantedAnomaly[] | null): Iterable<unknown> {
    switch (resource) {
      case 'actiontypes':
        for (const t of ACTION_TYPES) yield this.actionType(t);
        return;
      case 'steps':
        for (const t of ACTION_TYPES) for (let n = 1; n <= t.steps.length; n++) yield this.step(t, n);
        return;
      case 'participanttypes':
        for (const t of PARTICIPANT_TYPES) yield this.participantType(t.id);
        return;
      case 'users':
        yield* this.users;
        return;
      case 'datacollections':
        for (const d of this.dcs) yield this.dataCollection(d);
        return;
      case 'datacollectionfields':
        for (const d of this.dcs) for (const f of d.fields) yield this.dataCollectionField(d, f, sink);
        return;
      case 'participants':
        for (let p = 1; p < this.P0 + this.G; p++) yield this.participant(p, sink);
        return;
      default:
        break;
    }
    for (let m = 0; m < this.M; m++) {
      const p = this.plan(m);
      switch (resource) {
        case 'actions':
          yield this.matter(p, sink);
          break;
        case 'actionparticipants':
          for (let i = 0; i < p.roles.length; i++) yield this.actionParticipant(p, i);
          break;
        case 'datacollectionrecords':
          for (const rec of p.dcRecords) yield { id: String(rec.recordId), actionId: String(p.actionId), dataCollectionId: String(rec.dcId) };
          break;
        case 'datacollectionrecordvalues':
          for (const rec of p.dcRecords) for (const f of this.valueFieldsOf(rec)) yield this.value(p, rec, f, sink);
          break;
        case 'timeentries':
          for (let j = 0; j < p.times; j++) yield this.timeEntry(p, j, sink);
          break;
        case 'disbursements':
          for (let j = 0; j < p.disbs; j++) yield this.disbursement(p, j);
          break;
        case 'bills':
          for (let j = 0; j < p.bills; j++) yield this.bill(p, j);
          break;
        case 'filenotes':
          for (let j = 0; j < p.notes; j++) yield this.fileNote(p, j, sink);
          break;
        case 'tasks':
          for (let j = 0; j < p.tasks; j++) yield this.task(p, j, sink);
          break;
        case 'actiondocuments':
          for (let j = 0; j < p.docs; j++) yield this.document(p, j);
          break;
        default:
          throw new Error(`No generator for resource "${resource}".`);
      }
    }
  }

  *iterateTrustLedger(): Iterable<TrustLedgerEntry> {
    for (let m = 0; m < this.M; m++) {
      const p = this.plan(m);
      if (!p.trustRows) continue;
      const r = Rng.for(this.seed, 'trust', m);
      let balance = 0;
      let day = p.createdDay;
      const ref = this.matterReference(p);
      let lastReceipt = 0;
      for (let j = 0; j < p.trustRows; j++) {
        day += r.int(1, 40);
        // A dishonoured cheque: the receipt before is reversed, a negative amount in (printed in brackets).
        if (lastReceipt > 0 && lastReceipt <= balance && r.chance(0.06)) {
          balance = Math.round((balance - lastReceipt) * 100) / 100;
          yield {
            actionId: String(p.actionId), matterReference: ref, date: localDate(dayMs(day, 36000)), transactionType: 'Receipt reversal',
            reference: `RV${childId(m, j)}`, description: 'Cheque dishonoured', amountIn: -lastReceipt, amountOut: 0, balance,
          };
          lastReceipt = 0;
          continue;
        }
        const receipt = j === 0 || balance < 50 || r.chance(0.3);
        const amount = receipt ? r.money(200, 60000) : Math.min(balance, r.money(50, Math.max(60, balance)));
        balance = Math.round((balance + (receipt ? amount : -amount)) * 100) / 100;
        lastReceipt = receipt ? amount : 0;
        yield {
          actionId: String(p.actionId), matterReference: ref, date: localDate(dayMs(day, 36000)),
          transactionType: receipt ? 'Receipt' : 'Payment', reference: `${receipt ? 'R' : 'P'}${childId(m, j)}`,
          description: receipt ? 'Funds received from client' : r.pick(['Settlement funds paid', 'Fees transferred', 'Disbursement paid']),
          amountIn: receipt ? amount : 0, amountOut: receipt ? 0 : amount, balance,
        };
      }
    }
  }

  // ------------------------------------------------------------------ record builders
  private actionType(t: ActionTypeDef): ActionType {
    return { id: String(t.id), name: t.name, description: t.description, isDisabled: false, isBillable: t.id !== 4,
      trackActualTime: true, trackBillableTime: t.id !== 4, primaryParticipantTypeId: String(PT.client) };
  }

  private step(t: ActionTypeDef, n: number): Step {
    return { id: `${t.id}--${n}`, actionTypeId: String(t.id), stepNumber: n, stepName: t.steps[n - 1],
      description: `${t.name}: ${t.steps[n - 1]}`, isClosedStep: n === t.steps.length };
  }

  private participantType(id: number): ParticipantType {
    const t = PARTICIPANT_TYPES.find((x) => x.id === id);
    if (!t) throw new Error(`participant type ${id}`);
    return { id: String(t.id), name: t.name, displayName: t.name, description: null, isBaseParticipantType: t.isBase, companyFlag: t.companyFlag };
  }

  private dataCollection(d: DcMeta): DataCollection {
    return { id: String(d.id), name: d.name, label: d.label, description: null, multipleRecords: d.multipleRecords,
      order: d.order, actionTypeId: String(d.actionTypeId) };
  }

  private dataCollectionField(d: DcMeta, f: DcFieldDef, sink: PlantedAnomaly[] | null): DataCollectionField {
    const id = `${d.id}--${f.name}`;
    if (sink && MESSY_DC_FIELDS.includes(f)) {
      sink.push({ resource: 'datacollectionfields', id, field: 'name', kind: 'odata-special', detail: `field name ${JSON.stringify(f.name)} has quotes or OData-special characters and is part of composite ids` });
    }
    return { id, dataCollectionId: String(d.id), name: f.name, label: f.label, dataType: f.dataType,
      required: f.required ?? false, formOrder: d.fields.indexOf(f) + 1, description: null };
  }

  private participant(p: number, sink: PlantedAnomaly[] | null): Participant {
    const r = Rng.for(this.seed, 'participant', p);
    const id = String(p);
    const created = dayMs(Math.floor((p / (this.P0 + this.G)) * 2800), r.int(30000, 60000));
    const base: Participant = {
      id, displayName: '', isCompany: false, companyName: null, salutation: null, firstName: null, middleName: null,
      lastName: null, preferredName: null, email: null, website: null, occupation: null, phones: [],
      physicalAddress: this.address(r), mailingAddress: r.chance(0.3) ? this.address(r) : emptyAddress(),
      birthTimestamp: null, createdTimestamp: localTimestamp(created),
      modifiedTimestamp: localTimestamp(created + r.int(0, 400) * DAY_MS), divisionId: '1',
    };
    if (p <= this.U) {
      const u = this.userDefs[p - 1];
      return { ...base, displayName: `${u.last}, ${u.first}`, firstName: u.first, lastName: u.last, email: u.email,
        occupation: 'Lawyer', phones: [{ label: 'Work', country: 64, area: 9, number: `555 ${1000 + p}` }] };
    }
    if (this.isCompany(p)) {
      const messyName = r.chance(this.messyRate);
      const name = messyName ? r.pick(MESSY_COMPANY_NAMES) : `${r.pick(COMPANY_WORDS)} ${r.pick(COMPANY_KINDS)}`;
      if (messyName) sink?.push({ resource: 'participants', id, field: 'companyName', kind: 'odata-special', detail: `company name ${JSON.stringify(name)} has quotes or OData-special characters` });
      // Integrators see a company's displayName in capitals beside its companyName as typed (issue 11: "KIWI HOLDINGS
      // LIMITED"); every fourth company is so, chosen by id so no random draw moves.
      return { ...base, isCompany: true, displayName: p % 4 === 0 ? name.toUpperCase() : name, companyName: name,
        email: `info${p}@${name.replace(/[^A-Za-z]/g, '').toLowerCase() || 'company'}.example`,
        website: r.chance(0.5) ? `https://www.company${p}.example` : null,
        phones: [{ label: 'Business', country: 64, area: r.pick([3, 4, 7, 9]), number: `${r.int(200, 999)} ${r.int(1000, 9999)}` }] };
    }
    // Planted duplicate: same person as p-1 (when p-1 is a plain person), email differing only in case.
    const prev = p - 1;
    if (this.isDuplicate(p)) {
      const original = this.participant(prev, null); // never a duplicate itself: no chains, no deep recursion
      if (original.email) {
        const email = original.email.toUpperCase();
        sink?.push({ resource: 'participants', id, field: 'email', kind: 'duplicate-person', detail: `duplicate of participant ${prev} (email differs only in case: ${email})` });
        return { ...original, id, email, createdTimestamp: base.createdTimestamp, modifiedTimestamp: base.modifiedTimestamp };
      }
    }
    return this.person(p, r, base, sink);
  }

  private person(p: number, r: Rng, base: Participant, sink: PlantedAnomaly[] | null): Participant {
    const id = String(p);
    const professional = p < this.P0;
    const odd = r.chance(this.messyRate);
    const first = odd ? r.pick(MESSY_FIRST_NAMES) : r.pick(FIRST_NAMES);
    const last = odd ? r.pick(MESSY_LAST_NAMES) : r.pick(LAST_NAMES);
    if (odd) sink?.push({ resource: 'participants', id, field: 'lastName', kind: /\p{Extended_Pictographic}/u.test(first + last) ? 'emoji' : 'odata-special', detail: `name ${JSON.stringify(`${last}, ${first}`)} has quotes, accents, emoji or OData-special characters` });
    let email: string | null = `${first}.${last}.${p}@${professional ? 'lawpartners' : 'mail'}.example`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    if (r.chance(0.08)) email = null;
    else if (r.chance(this.messyRate)) {
      email = r.pick([`${first}.${last}@@mail.example`, `${first} ${last}@mail`, `${first}.mail.example`]);
      sink?.push({ resource: 'participants', id, field: 'email', kind: 'invalid-email', detail: `invalid email ${JSON.stringify(email)}` });
    }
    let birth: string | null = r.chance(0.6) ? `${r.int(1940, 2004)}-${pad2(r.int(1, 12))}-${pad2(r.int(1, 28))}` : null;
    if (r.chance(this.messyRate)) {
      birth = r.pick(['2023-02-30', '31/12/2020', '1985-13-01']);
      sink?.push({ resource: 'participants', id, field: 'birthTimestamp', kind: 'invalid-date', detail: `invalid date ${JSON.stringify(birth)}` });
    }
    return {
      ...base, displayName: `${last}, ${first}`, firstName: first, lastName: last,
      salutation: r.pick(['Mr', 'Ms', 'Mrs', 'Dr', null]), middleName: r.chance(0.2) ? r.pick(FIRST_NAMES) : null,
      preferredName: r.chance(0.1) ? first.slice(0, 3) : null, email, occupation: professional ? 'Lawyer' : r.pick(OCCUPATIONS),
      phones: r.chance(0.85)
        ? [{ label: 'Mobile', country: 64, area: r.pick([21, 22, 27]), number: `${r.int(100, 999)} ${r.int(1000, 9999)}` },
          ...(r.chance(0.3) ? [{ label: 'Home', country: 64, area: 9, number: `${r.int(200, 999)} ${r.int(1000, 9999)}` }] : [])]
        : [],
      birthTimestamp: birth,
    };
  }

  private address(r: Rng): Participant['physicalAddress'] {
    return { line1: `${r.int(1, 400)} ${r.pick(STREETS)}`, line2: r.chance(0.1) ? `Unit ${r.int(1, 30)}` : null,
      city: r.pick(CITIES), stateProvince: null, postCode: String(r.int(1010, 9800)), country: 'NZ' };
  }

  private matterReference(p: MatterPlan): string {
    return `${p.type.name.slice(0, 4).toUpperCase()}-${String(p.actionId).padStart(5, '0')}`;
  }

  private matter(p: MatterPlan, sink: PlantedAnomaly[] | null): Matter {
    const r = Rng.for(this.seed, 'matterfields', p.m);
    const id = String(p.actionId);
    const clientName = this.clientName(p.clientIds[0]);
    const created = dayMs(p.createdDay, businessSeconds(r));
    const closed = p.stepNumber === p.type.steps.length;
    let status = closed ? 'Closed' : r.chance(0.1) ? 'Inactive' : 'Active';
    if (r.chance(0.005)) status = 'Template';
    if (r.chance(this.messyRate)) {
      status = UNKNOWN_MATTER_STATUS;
      sink?.push({ resource: 'actions', id, field: 'status', kind: 'unknown-enum', detail: `unknown matter status ${JSON.stringify(status)}` });
    }
    const statusDays = r.int(0, 300);
    const modified = created + (statusDays + r.int(0, 300)) * DAY_MS;
    let createdTs = localDate(created);
    if (r.chance(this.messyRate / 2)) {
      createdTs = r.pick(['31/12/2020', '2021-02-29']);
      sink?.push({ resource: 'actions', id, field: 'createdTimestamp', kind: 'invalid-date', detail: `invalid date ${JSON.stringify(createdTs)}` });
    }
    const admin = this.userDefs[0];
    return {
      id, name: `${clientName} - ${p.type.name}`, reference: this.matterReference(p), priority: r.int(0, 3), status,
      statusTimestamp: localTimestamp(created + statusDays * DAY_MS), createdTimestamp: createdTs,
      modifiedTimestamp: localTimestamp(modified), isBillableOverride: r.chance(0.5) ? null : r.chance(0.2),
      isDeleted: p.deleted, deletedBy: p.deleted ? `${admin.last}, ${admin.first}` : null,
      deletedTimestamp: p.deleted ? localTimestamp(modified) : null, actionTypeId: String(p.type.id),
      assignedToParticipantId: String(p.assignedUser), primaryParticipantIds: p.clientIds.map(String), divisionId: '1',
      stepId: `${p.type.id}--${p.stepNumber}`,
    };
  }

  private clientName(p: number | undefined): string {
    return p === undefined ? 'Unknown client' : this.participant(p, null).displayName;
  }

  private actionParticipant(p: MatterPlan, i: number): ActionParticipant {
    const row = p.roles[i];
    const sameType = p.roles.slice(0, i + 1).filter((x) => x.typeId === row.typeId).length;
    return { id: `${p.actionId}--${row.typeId}--${row.participantId}`, actionId: String(p.actionId),
      participantTypeId: String(row.typeId), participantId: String(row.participantId), participantNumber: sameType };
  }

  private valueFieldsOf(rec: DcRecordPlan): DcFieldDef[] {
    const dc = this.dcs[rec.dcId - 1];
    return dc.fields.filter((f) => hash32(this.seed, 'dcv', rec.recordId, f.name) / 4294967296 < 0.7);
  }

  private value(p: MatterPlan, rec: DcRecordPlan, f: DcFieldDef, sink: PlantedAnomaly[] | null): DataCollectionRecordValue {
    const r = Rng.for(this.seed, 'dcvalue', rec.recordId, f.name);
    const id = `${rec.dcId}--${f.name}--${rec.recordId}`;
    const day = p.createdDay + r.int(0, 200);
    let v: string | null;
    switch (f.dataType) {
      case 'Date':
      case 'DateNM':
        v = localDate(dayMs(day));
        if (r.chance(this.messyRate)) {
          v = r.pick(['2023-02-30', '31/12/2020']);
          sink?.push({ resource: 'datacollectionrecordvalues', id, field: 'stringValue', kind: 'invalid-date', detail: `invalid date ${JSON.stringify(v)} in a ${f.dataType} field` });
        }
        break;
      case 'DateTime':
      case 'DateTimeNM':
        v = localTimestamp(dayMs(day, r.int(32400, 61200)));
        break;
      case 'Money':
        v = r.money(100, 900000).toFixed(2);
        break;
      case 'Number':
        v = String(r.int(0, 12));
        break;
      case 'Boolean':
        v = r.chance(0.5) ? 'T' : 'F';
        break;
      case 'DropDown':
        v = r.pick(['Option A', 'Option B', 'Option C']);
        break;
      case 'Participant':
        v = String(this.U + 1 + r.int(0, this.P0 - this.U - 2));
        break;
      case 'TextArea':
        v = r.pick(NOTE_TEXTS);
        if (r.chance(this.messyRate)) {
          v = 'Long narrative. '.repeat(300);
          sink?.push({ resource: 'datacollectionrecordvalues', id, field: 'stringValue', kind: 'overlong-text', detail: `text of ${v.length} characters (over 4000)` });
        }
        break;
      default:
        v = `${r.pick(COMPANY_WORDS)} ${r.int(1, 999)}`;
    }
    return { id, actionId: String(p.actionId), dataCollectionId: String(rec.dcId), dataCollectionFieldId: `${rec.dcId}--${f.name}`,
      dataCollectionRecordId: String(rec.recordId), stringValue: v, lastModifiedTimestamp: localTimestamp(dayMs(day, r.int(30000, 60000))) };
  }

  private userParticipantFor(r: Rng, p: MatterPlan): string {
    return String(r.chance(0.7) ? p.assignedUser : r.int(2, this.U));
  }

  private timeEntry(p: MatterPlan, j: number, sink: PlantedAnomaly[] | null): TimeEntry {
    const r = Rng.for(this.seed, 'time', p.m, j);
    const id = String(childId(p.m, j));
    const day = p.createdDay + r.int(0, 300);
    const actual = r.int(1, 60) / 10;
    const behaviour = r.chance(0.85) ? 'Bill' : r.chance(0.5) ? 'No charge' : 'Hide';
    const billable = behaviour === 'Bill' ? Math.round(actual * (r.chance(0.8) ? 1 : 0.5) * 10) / 10 : 0;
    const rate = r.pick([180, 250, 275, 320, 450]);
    let actionId: string | null = String(p.actionId);
    if (r.chance(this.messyRate)) {
      actionId = String(this.M + 1_000_000 + p.m);
      sink?.push({ resource: 'timeentries', id, field: 'links.action', kind: 'orphan-link', detail: `time entry points to missing matter ${actionId}` });
    }
    let description = r.pick(TIME_DESCRIPTIONS);
    if (r.chance(this.messyRate)) {
      description = `${description}: ${'detailed narrative '.repeat(230)}`;
      sink?.push({ resource: 'timeentries', id, field: 'description', kind: 'overlong-text', detail: `text of ${description.length} characters (over 4000)` });
    }
    const owner = this.userParticipantFor(r, p);
    const entry: TimeEntry = {
      id, actionId, timestampDate: localMidnight(dayMs(day, 43200)), description, actualHours: actual, billableHours: billable,
      billableAmount: Math.round(billable * rate * 100) / 100, rateUnitPrice: rate, billingBehavior: behaviour,
      isBillable: behaviour === 'Bill', startTime: `${pad2(r.int(8, 17))}:${pad2(r.int(0, 59))}:00`,
      createdTimestamp: localTimestamp(dayMs(day, r.int(61200, 72000))), ownerParticipantId: owner, createdByParticipantId: owner,
    };
    if (r.chance(this.messyRate)) {
      // A behaviour Actionstep does not document, on time that has an amount (its billable flag left empty).
      entry.billingBehavior = UNKNOWN_BILLING_BEHAVIOUR;
      entry.billableHours = actual;
      entry.billableAmount = Math.round(actual * rate * 100) / 100;
      entry.isBillable = null;
      sink?.push({ resource: 'timeentries', id, field: 'billingBehavior', kind: 'unknown-enum', detail: `unknown billing behaviour ${JSON.stringify(UNKNOWN_BILLING_BEHAVIOUR)} on ${entry.billableAmount.toFixed(2)}` });
    }
    return entry;
  }

  private disbursement(p: MatterPlan, j: number): Disbursement {
    const r = Rng.for(this.seed, 'disb', p.m, j);
    const day = p.createdDay + r.int(0, 300);
    return { id: String(childId(p.m, j)), actionId: String(p.actionId), date: localDate(dayMs(day, 43200)),
      description: r.pick(DISBURSEMENT_DESCRIPTIONS), quantity: r.int(1, 3), unitPrice: r.money(5, 400),
      unitPriceIncludesTax: r.chance(0.3), enteredTimestamp: localTimestamp(dayMs(day, r.int(30000, 60000))),
      enteredByParticipantId: this.userParticipantFor(r, p) };
  }

  private bill(p: MatterPlan, j: number): Bill {
    const r = Rng.for(this.seed, 'bill', p.m, j);
    const day = p.createdDay + 30 + r.int(0, 300);
    const excl = r.money(200, 25000);
    const tax = Math.round(excl * 15) / 100;
    const incl = Math.round((excl + tax) * 100) / 100;
    const status = r.pick(['Closed', 'Closed', 'Open', 'Draft', 'Deleted']);
    const paid = status === 'Closed' ? incl : status === 'Open' ? Math.round(incl * r.int(0, 5) * 10) / 100 : 0;
    const span = p.m + 1 < this.M && r.chance(0.05);
    return {
      id: String(childId(p.m, j)), actionIds: span ? [String(p.actionId), String(p.actionId + 1)] : [String(p.actionId)], status,
      ourReference: `INV-${childId(p.m, j)}`, currency: 'NZD', invoiceDate: localDate(dayMs(day, 43200)),
      dueDate: localDate(dayMs(day + 20, 43200)), totalInclusive: incl, totalExclusive: excl, totalSalesTax: tax,
      totalPaid: paid, totalDue: Math.round((incl - paid) * 100) / 100, createdTimestamp: localTimestamp(dayMs(day, 36000)),
      modifiedTimestamp: localTimestamp(dayMs(day + r.int(0, 60), 50000)),
    };
  }

  private fileNote(p: MatterPlan, j: number, sink: PlantedAnomaly[] | null): FileNote {
    const r = Rng.for(this.seed, 'note', p.m, j);
    const id = String(childId(p.m, j));
    const day = p.createdDay + r.int(0, 300);
    const system = r.chance(0.3);
    let text = system ? `Step changed to "${p.type.steps[Math.min(j, p.type.steps.length - 1)]}"` : r.pick(NOTE_TEXTS);
    if (!system) {
      const roll = r.next();
      if (roll < this.messyRate) {
        text = r.pick(HTML_NOTES);
        sink?.push({ resource: 'filenotes', id, field: 'text', kind: 'html', detail: 'note text contains HTML markup' });
      } else if (roll < 2 * this.messyRate) {
        text = r.pick(EMOJI_NOTES);
        sink?.push({ resource: 'filenotes', id, field: 'text', kind: 'emoji', detail: 'note text contains emoji and typographic quotes' });
      } else if (roll < 3 * this.messyRate) {
        text = `Meeting notes. ${'The client explained the background at length. '.repeat(100)}`;
        sink?.push({ resource: 'filenotes', id, field: 'text', kind: 'overlong-text', detail: `text of ${text.length} characters (over 4000)` });
      }
    }
    const author = this.userDefs[Number(this.userParticipantFor(r, p)) - 1];
    const at = dayMs(day, r.int(30000, 60000));
    const ts = localTimestamp(at);
    // noteTimestamp is the time the note records (the call, the meeting), often before it was typed: a third of the
    // dated notes were typed a day or two later (chosen by position, so no random draw moves).
    const recorded = localTimestamp(at - (j % 3) * 26 * 3_600_000);
    const note: FileNote = { id, actionId: String(p.actionId), enteredTimestamp: ts, noteTimestamp: r.chance(0.7) ? recorded : null, text,
      enteredBy: system ? 'System' : `${author.last}, ${author.first}`, source: system ? 'System' : 'User',
      participantId: system ? null : String(author.id), documentId: null };
    if (!system && r.chance(this.messyRate)) {
      note.source = UNKNOWN_NOTE_SOURCE;
      sink?.push({ resource: 'filenotes', id, field: 'source', kind: 'unknown-enum', detail: `unknown file note source ${JSON.stringify(UNKNOWN_NOTE_SOURCE)}` });
    }
    return note;
  }

  private task(p: MatterPlan, j: number, sink: PlantedAnomaly[] | null): Task {
    const r = Rng.for(this.seed, 'task', p.m, j);
    const id = String(childId(p.m, j));
    const day = p.createdDay + r.int(0, 200);
    const stepDuring = Math.min(p.type.steps.length - 1, 1 + (j % (p.type.steps.length - 1)));
    const done = stepDuring < p.stepNumber || r.chance(0.2);
    let status = done ? 'Complete' : r.chance(0.05) ? 'Hidden' : 'Incomplete';
    if (r.chance(this.messyRate)) {
      status = UNKNOWN_TASK_STATUS;
      sink?.push({ resource: 'tasks', id, field: 'status', kind: 'unknown-enum', detail: `unknown task status ${JSON.stringify(status)}` });
    }
    const assigner = this.userDefs[p.assignedUser - 1];
    const task: Task = {
      id, actionId: String(p.actionId), name: p.type.taskNames[j % p.type.taskNames.length], status,
      priority: r.pick(['Low', 'Normal', 'Normal', 'High']), dueTimestamp: localTimestamp(dayMs(day + 14, 61200)),
      startedTimestamp: r.chance(0.5) ? localTimestamp(dayMs(day, 32400)) : null,
      completedTimestamp: done && status === 'Complete' ? localTimestamp(dayMs(day + r.int(1, 20), 50000)) : null,
      lastModifiedTimestamp: localTimestamp(dayMs(day + 21, 40000)), description: r.chance(0.4) ? `${p.type.name} task` : null,
      assignedBy: `${assigner.last}, ${assigner.first}`, assigneeParticipantId: this.userParticipantFor(r, p), completeDuringStep: stepDuring,
    };
    if (r.chance(this.messyRate)) {
      task.priority = UNKNOWN_TASK_PRIORITY;
      sink?.push({ resource: 'tasks', id, field: 'priority', kind: 'unknown-enum', detail: `unknown task priority ${JSON.stringify(UNKNOWN_TASK_PRIORITY)}` });
    }
    return task;
  }

  private docPlan(m: number, j: number): { kind: (typeof DOC_KINDS)[number]; size: number; name: string } {
    const r = Rng.for(this.seed, 'doc', m, j);
    const kind = r.pick(DOC_KINDS);
    // A few documents are larger than 4 MB (Dataverse note attachment limits); generated on read, never stored.
    const big = j === 0 && m % 40 === 7;
    const size = big ? LARGE_FILE_MIN + r.int(0, 2 * 1024 * 1024) : r.int(300, 4096);
    return { kind, size, name: r.pick(DOC_NAMES) };
  }

  private document(p: MatterPlan, j: number): ActionDocument {
    const r = Rng.for(this.seed, 'docfields', p.m, j);
    const d = this.docPlan(p.m, j);
    const id = String(childId(p.m, j));
    const day = p.createdDay + r.int(0, 300);
    const deleted = r.chance(0.03);
    return {
      id, actionId: String(p.actionId), name: d.name, fileName: `${d.name.replace(/\s+/g, '_')}_${id}${d.kind.ext}`,
      extension: d.kind.ext, fileType: d.kind.type, fileSize: d.size, file: `DL::Actions::${p.actionId}::${id}`,
      sharepointUrl: null, status: 'uploaded', isDeleted: deleted, createdTimestamp: localTimestamp(dayMs(day, 36000)),
      modifiedTimestamp: localTimestamp(dayMs(day + r.int(0, 30), 50000)), folderId: null,
      createdByParticipantId: this.userParticipantFor(r, p),
    };
  }

  file(fileId: string): GeneratedFile | null {
    const match = /^DL::Actions::(\d+)::(\d+)$/.exec(fileId);
    if (!match) return null;
    const actionId = Number(match[1]);
    const docId = Number(match[2]);
    const m = Math.floor(docId / SLOT) - 1;
    const j = docId % SLOT;
    if (m !== actionId - 1 || m < 0 || m >= this.M || j >= this.plan(m).docs) return null;
    const d = this.docPlan(m, j);
    const docSeed = hash32(this.seed, 'filebytes', docId);
    const prefix = Buffer.from(d.kind.prefix, 'latin1');
    return {
      fileId, documentId: String(docId), size: d.size,
      read: (start: number, end: number): Buffer => fileBytes(docSeed, prefix, d.size, start, end),
    };
  }

  // ------------------------------------------------------------------ ground truth
  groundTruth(actingUserId: string = this.adminUserId): GroundTruth {
    if (this.size !== 'tiny' && this.size !== 'demo') {
      throw new Error(`groundTruth is only produced for tiny and demo firms (this firm is ${this.size}).`);
    }
    const hidden = new Set<string>();
    for (const a of this.iterateRestrictedMatters()) if (!a.userIds.includes(actingUserId)) hidden.add(a.actionId);
    const deleted: string[] = [];
    const visible = (actionId: string | null): boolean => actionId === null || !hidden.has(actionId);
    const records = {} as GroundTruth['records'];
    const all = records as unknown as Record<ResourceName, unknown[]>;
    for (const res of RESOURCE_ORDER) {
      const out: unknown[] = [];
      for (const rec of this.iterate(res)) {
        const r = rec as unknown as Record<string, unknown>;
        if (res === 'actions') {
          if (hidden.has(r.id as string)) continue;
          if (r.isDeleted) {
            deleted.push(r.id as string);
            continue;
          }
        } else if (res === 'bills') {
          if (!visible((r.actionIds as string[])[0] ?? null)) continue;
        } else if ('actionId' in r && !visible(r.actionId as string | null)) {
          continue;
        }
        out.push(rec);
      }
      all[res] = out;
    }
    // Only anomalies on records the acting user can extract: the others are unreachable for a correct client.
    const present = new Map<string, Set<string>>();
    for (const res of RESOURCE_ORDER) present.set(res, new Set(all[res].map((x) => (x as { id: string }).id)));
    const anomalies = [...this.iterateAnomalies()].filter((a) => present.get(a.resource)?.has(a.id));
    return {
      actingUserId, records, anomalies,
      trustLedger: [...this.iterateTrustLedger()].filter((t) => !hidden.has(t.actionId)),
      hiddenActionIds: [...hidden].sort((a, b) => Number(a) - Number(b)), deletedActionIds: deleted,
    };
  }
}

export const RESOURCE_ORDER: ResourceName[] = [
  'users', 'participanttypes', 'actiontypes', 'steps', 'datacollections', 'datacollectionfields', 'participants',
  'actions', 'actionparticipants', 'datacollectionrecords', 'datacollectionrecordvalues', 'timeentries',
  'disbursements', 'bills', 'filenotes', 'tasks', 'actiondocuments',
];

function emptyAddress(): Participant['physicalAddress'] {
  return { line1: null, line2: null, city: null, stateProvince: null, postCode: null, country: null };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

const imul = Math.imul;

function mix32(x: number): number {
  x = imul(x ^ (x >>> 16), 0x7feb352d);
  x = imul(x ^ (x >>> 15), 0x846ca68b);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Deterministic file bytes with random access: byte i depends only on (docSeed, i). Printable ASCII after a magic
 *  prefix so small files look like documents in a hex dump. */
function fileBytes(docSeed: number, prefix: Buffer, size: number, start: number, end: number): Buffer {
  const s = Math.max(0, Math.min(start, size));
  const e = Math.max(s, Math.min(end, size));
  const out = Buffer.allocUnsafe(e - s);
  for (let i = s; i < e; i++) {
    if (i < prefix.length) {
      out[i - s] = prefix[i];
      continue;
    }
    const word = mix32(docSeed ^ imul(i >>> 2, 0x9e3779b1));
    out[i - s] = 32 + (((word >>> ((i & 3) * 8)) & 0xff) % 95);
  }
  return out;
}
