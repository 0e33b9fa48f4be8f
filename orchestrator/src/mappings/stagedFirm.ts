// The streaming driver's lookups and units: every question a mapping asks is an indexed query on staging (records
// by id, by their matter, by their participant) or on tables derived once from staging (who the client of a matter
// is and which account it lands on, its billing and trust figures, the first matter where someone is the client,
// people's duplicate groups, each account's matters). Nothing proportional to the firm is held: small caches keep
// the records a few neighbouring units share. The derived tables are rebuilt when staging or the plan's options
// changed since they were built (a delta restages records; the admin may change the options).
import type {
  ActionParticipant, ActionType, DataCollectionRecordValue, Matter, Participant, ParticipantType, RecordsByResource, ResourceName, Task, User,
} from '@astep/actionstep-connector/records';
import type { ProgressReporter, StagingIndex, StateStore } from '../ports';
import type { MigrationPlan } from '../plan/migrationPlan';
import {
  accountKeyFor, billingOf, clientOfMatter, LowestIdUnion, matterTrust, numericOrder, personKeys,
  type BillingTotal, type MatterTrust, type StagedResource,
} from '../transform/firmData';
import { trustRowLine, type StagedTrustRow } from '../run/trustExtraction';
import { compareMatterAge } from './firmLookups';
import type { StagedUnit, UnitSource } from './firmUnits';
import { PlanLookups } from './planLookups';
import type { AccountGroup, MatterTasks, PersonGroup } from './units';

/** Records read per page while streaming a resource. */
const PAGE = 500;
/** Bump when what the derived tables hold changes: older ones are rebuilt. */
const DERIVED_FORMAT = 2;
const FINGERPRINT = 'derived:fingerprint';

/** What the derived `matter` table holds per staged matter. */
interface MatterInfo {
  accountKey: string;
  clientId: string | null;
  /** Whose matter it is for the opportunity: the organisation, the person after duplicates are merged, or none. */
  clientKey: string;
  migrates: boolean;
  created: string | null;
  billing: BillingTotal;
  trust: MatterTrust | null;
}

/** What the derived `account` table holds per account of migrating matters. */
interface AccountInfo {
  /** Its migrating matters, oldest first. */
  matters: string[];
}

/** A few hundred recently used values (records neighbouring units share: a matter's client, a person's links). */
class Recent<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string, load: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined || this.map.has(key)) {
      this.map.delete(key);
      this.map.set(key, hit as V);
      return hit as V;
    }
    const value = load();
    this.map.set(key, value);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as string);
    return value;
  }
}

function* pages(staging: StagingIndex, resource: string) {
  for (let after = 0; ;) {
    const page = staging.page(resource, after, PAGE);
    if (!page.length) return;
    yield page;
    after = page[page.length - 1].position;
  }
}

function* parsed<T>(staging: StagingIndex, resource: string): Generator<{ id: string; record: T; position: number }> {
  for (const page of pages(staging, resource)) for (const s of page) yield { id: s.id, record: JSON.parse(s.json) as T, position: s.position };
}

/** A derived table's rows in order, page by page. */
function* derivedRows(staging: StagingIndex, table: string) {
  for (let after = 0; ;) {
    const page = staging.derivedPage(table, after, PAGE);
    if (!page.length) return;
    after = page[page.length - 1].ord;
    yield* page;
  }
}

function all<T>(staging: StagingIndex, resource: string): T[] {
  return [...parsed<T>(staging, resource)].map((x) => x.record);
}

/**
 * Lookups and units over indexed staging. `open` builds (or reuses) the derived tables first.
 */
export class StagedFirm extends PlanLookups implements UnitSource {
  private readonly actionTypes: Map<string, ActionType>;
  private readonly participantTypes: Map<string, ParticipantType>;
  private readonly usersByParticipant: Map<string, User>;
  private readonly matters = new Recent<Matter | null>(2000);
  private readonly participants = new Recent<Participant | null>(4000);
  private readonly info = new Recent<MatterInfo | null>(4000);
  private readonly accounts = new Recent<AccountInfo | null>(2000);
  private readonly canonical = new Recent<string>(4000);
  private readonly links = new Recent<ActionParticipant[]>(1000);

  private constructor(private readonly staging: StagingIndex, plan: MigrationPlan, filesUrl: string, readonly trustLedgerGiven: boolean) {
    super(plan, filesUrl);
    // The firm's vocabularies and users: a few hundred records whatever its size.
    this.actionTypes = new Map(all<ActionType>(staging, 'actiontypes').map((t) => [t.id, t] as const));
    this.participantTypes = new Map(all<ParticipantType>(staging, 'participanttypes').map((t) => [t.id, t] as const));
    this.usersByParticipant = new Map(all<User>(staging, 'users').filter((u) => u.participantId).map((u) => [u.participantId as string, u] as const));
  }

  /**
   * The lookups and units of the staged firm, with the derived tables current for this staging and these options.
   * `trustLedgerGiven`: the extraction read a trust ledger export (else the trust columns are not written).
   */
  static open(store: StateStore & { staging: StagingIndex }, plan: MigrationPlan, filesUrl: string, trustLedgerGiven: boolean, progress?: ProgressReporter): StagedFirm {
    const firm = new StagedFirm(store.staging, plan, filesUrl, trustLedgerGiven);
    const fingerprint = JSON.stringify({ format: DERIVED_FORMAT, staging: store.staging.version(), options: plan.options });
    if (store.getCheckpoint(FINGERPRINT) !== fingerprint) {
      progress?.log('indexing the staged firm (people, clients, accounts, billing and trust per matter)');
      firm.derive();
      store.setCheckpoint(FINGERPRINT, fingerprint);
    }
    return firm;
  }

  // ---------------- derived tables ----------------

  private derive(): void {
    const staging = this.staging;
    // People: the keys that make two people one, then the groups of those who share one (only duplicates are kept).
    let ord = 0;
    staging.replaceDerived('personKey', (function* () {
      for (const { id, record } of parsed<Participant>(staging, 'participants')) {
        if (record.isCompany) continue;
        for (const k of personKeys(record)) yield { key: `${k}\u0000${id}`, group: k, ord: ++ord, value: id };
      }
    })());
    const groups = new LowestIdUnion();
    for (const { id, record } of parsed<Participant>(staging, 'participants')) {
      if (record.isCompany) continue;
      for (const k of personKeys(record)) {
        const same = staging.derivedGroup('personKey', k);
        if (same.length > 1) for (const s of same) if (s.value !== id) groups.union(s.value, id);
      }
    }
    ord = 0;
    staging.replaceDerived('person', groups.members().map((id) => ({ key: id, group: groups.find(id), ord: ++ord, value: id })));
    for (const root of new Set(groups.members().map((id) => groups.find(id)))) {
      if (!staging.derived('person', root)) throw new Error(`person group ${root} has no row of its own`);
    }

    // Matters: client, account, whether it migrates, billing and trust; primary participants of migrating matters.
    staging.replaceDerived('matter', this.matterRows());
    staging.replaceDerived('primary', this.primaryRows());

    // Accounts of migrating matters, in order of their first matter; migrating matters by client.
    staging.replaceDerived('account', this.groupRows('matter', (members) => ({ matters: members.map((m) => m.id) })));
    staging.replaceDerived('client', (function* () {
      for (const row of derivedRows(staging, 'matter')) {
        if (row.group !== null) yield { key: row.key, group: (JSON.parse(row.value) as MatterInfo).clientKey, ord: row.ord, value: '' };
      }
    })());
    // The matter of each client that gets the opportunity (per-client strategies). The seed: "the most recent or
    // highest-value Matter per client": per client, not per account (a person with several solo matters gets one).
    const strategy = this.plan.options.opportunityStrategy;
    staging.replaceDerived('opportunity', this.groupRows('client', (members) => {
      if (strategy === 'perClientLatest') return members[members.length - 1].id;
      let best = members[0];
      for (const m of members.slice(1)) if (m.billing.total > best.billing.total) best = m;
      return best.id;
    }, (chosen) => chosen));
  }

  /**
   * One row per group of a derived table whose keys are matter ids (in order of each group's first row): `summary`
   * of its matters oldest first, keyed by the group (or by what `keyOf` says).
   */
  private *groupRows<T>(table: string, summary: (members: Array<MatterInfo & { id: string }>) => T, keyOf?: (summary: T) => string) {
    const staging = this.staging;
    for (const row of derivedRows(staging, table)) {
      if (row.group === null) continue;
      const group = staging.derivedGroup(table, row.group);
      if (group[0].key !== row.key) continue;
      const members = group.map((g) => ({ id: g.key, ...(this.matterInfo(g.key) as MatterInfo) }))
        .sort((a, b) => compareMatterAge({ id: a.id, createdTimestamp: a.created } as Matter, { id: b.id, createdTimestamp: b.created } as Matter));
      const value = summary(members);
      yield { key: keyOf ? keyOf(value) : row.group, group: null, ord: row.ord, value: JSON.stringify(value) };
    }
  }

  private *matterRows() {
    for (const { id, record: m, position } of parsed<Matter>(this.staging, 'actions')) {
      const links = this.recordsWhere('actionparticipants', 'actionId', id);
      const client = clientOfMatter(m, (pid) => this.participantOf(pid), this.actionTypes.get(m.actionTypeId ?? ''), this.participantTypes.values(), links);
      // The export's rows of the matter in file order (its running order), unreadable rows included.
      const trustRows = this.staging.where('trustledger', 'actionId', id).sort((a, b) => trustRowLine(a.id) - trustRowLine(b.id)).map((s) => JSON.parse(s.json) as StagedTrustRow);
      const migrates = this.matterSkipReason(m) === null;
      const clientKey = !client ? `M-${id}` : client.isCompany ? `P-${client.id}` : `C-${this.canonicalPerson(client.id)}`;
      const info: MatterInfo = {
        accountKey: accountKeyFor(m, client), clientId: client?.id ?? null, clientKey, migrates, created: m.createdTimestamp ?? null,
        billing: billingOf(this.recordsWhere('timeentries', 'actionId', id), this.recordsWhere('disbursements', 'actionId', id), this.billingRule),
        trust: trustRows.length ? matterTrust(trustRows) : null,
      };
      yield { key: id, group: migrates ? info.accountKey : null, ord: position, value: JSON.stringify(info) };
    }
  }

  private *primaryRows() {
    for (const { id, record: m, position } of parsed<Matter>(this.staging, 'actions')) {
      if (this.matterSkipReason(m) !== null) continue;
      let i = 0;
      for (const pid of m.primaryParticipantIds) yield { key: `${pid}\u0000${id}`, group: pid, ord: position * 1000 + i++, value: id };
    }
  }

  /** One staged record by id, parsed, or null. */
  private stagedRecord<T>(resource: ResourceName, id: string): T | null {
    const [s] = this.staging.byIds(resource, [id]);
    return s ? (JSON.parse(s.json) as T) : null;
  }

  private recordsWhere<R extends ResourceName>(resource: R, field: 'actionId' | 'participantId', value: string): Array<RecordsByResource[R]> {
    return this.staging.where(resource, field, value).map((s) => JSON.parse(s.json) as RecordsByResource[R]);
  }

  private matterInfo(matterId: string): MatterInfo | null {
    return this.info.get(matterId, () => {
      const row = this.staging.derived('matter', matterId);
      return row ? (JSON.parse(row.value) as MatterInfo) : null;
    });
  }

  private account(accountKey: string): AccountInfo | null {
    return this.accounts.get(accountKey, () => {
      const row = this.staging.derived('account', accountKey);
      return row ? (JSON.parse(row.value) as AccountInfo) : null;
    });
  }

  // ---------------- MappingLookups ----------------

  matterOf(matterId: string | null): Matter | null {
    if (!matterId) return null;
    return this.matters.get(matterId, () => this.stagedRecord<Matter>('actions', matterId));
  }

  migrates(matterId: string): boolean {
    return this.matterInfo(matterId)?.migrates ?? false;
  }

  getsOpportunity(matterId: string): boolean {
    const strategy = this.plan.options.opportunityStrategy;
    if (strategy === 'none' || !this.migrates(matterId)) return false;
    if (strategy === 'perMatter') return true;
    return this.staging.derived('opportunity', matterId) !== null;
  }

  clientOf(matterId: string): Participant | null {
    const clientId = this.matterInfo(matterId)?.clientId;
    return clientId ? this.participantOf(clientId) : null;
  }

  accountKeyOf(matterId: string): string {
    return this.matterInfo(matterId)?.accountKey ?? `M-${matterId}`;
  }

  isClientAccount(accountKey: string): boolean {
    return this.account(accountKey) !== null;
  }

  billingTotal(matterId: string): BillingTotal {
    return this.matterInfo(matterId)?.billing ?? billingOf([], [], this.billingRule);
  }

  trustOf(matterId: string): MatterTrust | null {
    return this.matterInfo(matterId)?.trust ?? null;
  }

  dataCollectionValuesOf(matterId: string): readonly DataCollectionRecordValue[] {
    return this.recordsWhere('datacollectionrecordvalues', 'actionId', matterId);
  }

  participantOf(participantId: string | null): Participant | null {
    if (!participantId) return null;
    return this.participants.get(participantId, () => this.stagedRecord<Participant>('participants', participantId));
  }

  canonicalPerson(participantId: string): string {
    return this.canonical.get(participantId, () => this.staging.derived('person', participantId)?.group ?? participantId);
  }

  matterLinksOf(participantId: string): readonly ActionParticipant[] {
    return this.links.get(participantId, () => this.recordsWhere('actionparticipants', 'participantId', participantId));
  }

  firstClientMatter(participantId: string): { matterId: string; order: number } | null {
    const [first] = this.staging.derivedGroup('primary', participantId);
    return first ? { matterId: first.value, order: first.ord } : null;
  }

  userOfParticipant(participantId: string): User | null {
    return this.usersByParticipant.get(participantId) ?? null;
  }

  isFirmStaff(participantId: string): boolean {
    return this.usersByParticipant.has(participantId) && this.firstClientMatter(participantId) === null;
  }

  roleName(participantTypeId: string): string {
    return this.participantTypes.get(participantTypeId)?.name ?? `Participant type ${participantTypeId}`;
  }

  // ---------------- UnitSource ----------------

  *records<R extends ResourceName>(resource: R): Iterable<RecordsByResource[R]> {
    for (const { record } of parsed<RecordsByResource[R]>(this.staging, resource)) yield record;
  }

  *staged(resource: StagedResource): Iterable<StagedUnit> {
    for (const { id, record } of parsed<unknown>(this.staging, resource)) yield { id, record };
  }

  *clientAccounts(): Iterable<AccountGroup> {
    for (const row of derivedRows(this.staging, 'account')) {
      const ids = (JSON.parse(row.value) as AccountInfo).matters;
      const byId = new Map(this.staging.byIds('actions', ids).map((s) => [s.id, JSON.parse(s.json) as Matter] as const));
      yield { key: row.key, matters: ids.map((id) => byId.get(id)).filter((m): m is Matter => !!m) };
    }
  }

  /**
   * People on migrating matters (roles from actionparticipants, clients from primary participants), deduplicated; the
   * firm's own staff are not among them (they are users, not contacts of their clients).
   */
  *people(): Iterable<PersonGroup> {
    for (const { id, record: p } of parsed<Participant>(this.staging, 'participants')) {
      if (p.isCompany || this.canonicalPerson(id) !== id) continue;
      const memberIds = this.staging.derivedGroup('person', id).map((r) => r.key);
      const members: Participant[] = [];
      const roles = new Map<string, Set<string>>();
      for (const memberId of memberIds.length ? memberIds : [id]) {
        const member = memberId === id ? p : this.participantOf(memberId);
        if (!member || member.isCompany) continue;
        let on = false;
        for (const ap of this.isFirmStaff(memberId) ? [] : this.matterLinksOf(memberId)) {
          if (!this.migrates(ap.actionId)) continue;
          on = true;
          const set = roles.get(ap.participantTypeId) ?? new Set<string>();
          set.add(ap.actionId);
          roles.set(ap.participantTypeId, set);
        }
        // Primary participants (clients) count even without an actionparticipants row.
        if (on || this.staging.derivedGroup('primary', memberId).length) members.push(member);
      }
      if (!members.length) continue;
      members.sort((a, b) => numericOrder(a.id, b.id) || (a.id < b.id ? -1 : 1));
      yield { canonical: p, members, roles };
    }
  }

  *matterTasks(): Iterable<MatterTasks> {
    const unlinked: Task[] = [];
    for (const { id, record: t } of parsed<Task>(this.staging, 'tasks')) {
      if (t.actionId == null) {
        unlinked.push(t);
        continue;
      }
      // A matter's tasks come as one group, when its first task comes by.
      const group = this.recordsWhere('tasks', 'actionId', t.actionId);
      if (group[0]?.id === id) yield { matterId: t.actionId, tasks: group };
    }
    if (unlinked.length) yield { matterId: null, tasks: unlinked };
  }
}
