// The lookups over the in-memory FirmIndex and the plan: what the engine uses today (a streaming engine implements
// the same MappingLookups with indexed queries on staging).
import type { DataCollectionRecordValue, Matter, Participant } from '@astep/actionstep-connector/records';
import type { MigrationPlan } from '../plan/migrationPlan';
import type { BillingTotal, FirmIndex, MatterTrust } from '../transform/firmData';
import { PlanLookups } from './planLookups';

export class FirmLookups extends PlanLookups {
  /** matter id → whether it migrates (not a template, not deleted, visible). */
  private readonly migrating: Set<string>;
  private readonly opportunityMatters: Set<string>;
  /** participant id → the first migrating matter (in source order) where it is a primary participant. */
  private readonly firstClient = new Map<string, { matterId: string; order: number }>();
  private readonly accountKeys = new Map<string, string>();
  private groups: Map<string, Matter[]> | null = null;

  constructor(readonly index: FirmIndex, plan: MigrationPlan, filesUrl: string) {
    super(plan, filesUrl);
    this.migrating = new Set(index.data.actions.filter((m) => this.matterSkipReason(m) === null).map((m) => m.id));
    this.opportunityMatters = this.chooseOpportunityMatters();
    index.data.actions.forEach((m, order) => {
      if (!this.migrating.has(m.id)) return;
      for (const pid of m.primaryParticipantIds) if (!this.firstClient.has(pid)) this.firstClient.set(pid, { matterId: m.id, order });
    });
  }

  matterOf(matterId: string | null): Matter | null {
    return (matterId && this.index.matters.get(matterId)) || null;
  }

  migrates(matterId: string): boolean {
    return this.migrating.has(matterId);
  }

  getsOpportunity(matterId: string): boolean {
    return this.opportunityMatters.has(matterId);
  }

  clientOf(matterId: string): Participant | null {
    const m = this.index.matters.get(matterId);
    return m ? this.index.clientOf(m) : null;
  }

  accountKeyOf(matterId: string): string {
    let key = this.accountKeys.get(matterId);
    if (key === undefined) {
      const m = this.index.matters.get(matterId);
      key = m ? this.index.accountKeyOf(m) : `M-${matterId}`;
      this.accountKeys.set(matterId, key);
    }
    return key;
  }

  isClientAccount(accountKey: string): boolean {
    return this.accountGroups().has(accountKey);
  }

  billingTotal(matterId: string): BillingTotal {
    return this.index.billingTotal(matterId, this.billingRule);
  }

  get trustLedgerGiven(): boolean {
    return this.index.data.trustLedgerGiven;
  }

  trustOf(matterId: string): MatterTrust | null {
    return this.index.trustByMatter.get(matterId) ?? null;
  }

  dataCollectionValuesOf(matterId: string): readonly DataCollectionRecordValue[] {
    return this.index.dcValuesByMatter.get(matterId) ?? [];
  }

  participantOf(participantId: string | null): Participant | null {
    return (participantId && this.index.participants.get(participantId)) || null;
  }

  canonicalPerson(participantId: string): string {
    return this.index.canonicalPerson.get(participantId) ?? participantId;
  }

  matterLinksOf(participantId: string) {
    return this.index.matterLinksByParticipant.get(participantId) ?? [];
  }

  firstClientMatter(participantId: string): { matterId: string; order: number } | null {
    return this.firstClient.get(participantId) ?? null;
  }

  userOfParticipant(participantId: string) {
    return this.index.usersByParticipant.get(participantId) ?? null;
  }

  isFirmStaff(participantId: string): boolean {
    return this.index.usersByParticipant.has(participantId) && !this.firstClient.has(participantId);
  }

  roleName(participantTypeId: string): string {
    return this.index.roleName(participantTypeId);
  }

  /** Migrating matters of each account, oldest first (the in-memory driver's client-account groups). */
  accountGroups(): Map<string, Matter[]> {
    if (this.groups) return this.groups;
    const map = new Map<string, Matter[]>();
    for (const m of this.index.data.actions) {
      if (!this.migrating.has(m.id)) continue;
      const key = this.accountKeyOf(m.id);
      const list = map.get(key);
      if (list) list.push(m);
      else map.set(key, [m]);
    }
    for (const list of map.values()) list.sort(compareMatterAge);
    this.groups = map;
    return map;
  }

  /**
   * Migrating matters of each client, oldest first. The seed: "the most recent or highest-value Matter per client
   * generating a corresponding Opportunity": per client, not per account, so a person who is the client on several
   * solo matters (one account per matter) gets one opportunity. The client is the organisation, or the person after
   * duplicates are merged; a matter with no client is its own group.
   */
  private clientGroups(): Map<string, Matter[]> {
    const map = new Map<string, Matter[]>();
    for (const m of this.index.data.actions) {
      if (!this.migrating.has(m.id)) continue;
      const client = this.index.clientOf(m);
      const key = !client ? `M-${m.id}` : client.isCompany ? `P-${client.id}` : `C-${this.canonicalPerson(client.id)}`;
      const list = map.get(key);
      if (list) list.push(m);
      else map.set(key, [m]);
    }
    for (const list of map.values()) list.sort(compareMatterAge);
    return map;
  }

  private chooseOpportunityMatters(): Set<string> {
    const strategy = this.plan.options.opportunityStrategy;
    const chosen = new Set<string>();
    if (strategy === 'none') return chosen;
    if (strategy === 'perMatter') return new Set(this.migrating);
    for (const list of this.clientGroups().values()) {
      if (strategy === 'perClientLatest') chosen.add(list[list.length - 1].id);
      else {
        let best = list[0];
        let bestTotal = this.billingTotal(best.id).total;
        for (const m of list.slice(1)) {
          const t = this.billingTotal(m.id).total;
          if (t > bestTotal) {
            best = m;
            bestTotal = t;
          }
        }
        chosen.add(best.id);
      }
    }
    return chosen;
  }
}

/** Oldest first: by created date, then numeric id. */
export function compareMatterAge(a: Matter, b: Matter): number {
  const ca = a.createdTimestamp ?? '', cb = b.createdTimestamp ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  return Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
