// The half of MappingLookups that the plan answers alone (owners, choice values, the data collection columns): the
// same for the in-memory driver (firmLookups.ts) and the streaming one over indexed staging (stagedFirm.ts).
import type { DataCollectionRecordValue, Matter, Participant, User, ActionParticipant } from '@astep/actionstep-connector/records';
import type { MigrationOptions } from '../options';
import type { DataCollectionColumnPlan, MatterTypePlan, MigrationPlan, OwnerMatch, RolePlan } from '../plan/migrationPlan';
import type { BillingRule, BillingTotal, MatterTrust } from '../transform/firmData';
import type { MappingLookups } from './lookups';

export abstract class PlanLookups implements MappingLookups {
  private readonly ownerByParticipant = new Map<string, string>();
  private readonly userIdByParticipant = new Map<string, string>();
  private readonly matterTypeValue = new Map<string, number>();
  private readonly roleValue = new Map<string, number>();
  private readonly matterTypePlans: Map<string, MatterTypePlan>;
  private readonly rolePlans: Map<string, RolePlan>;
  private readonly ownerMatches: Map<string, OwnerMatch>;
  private readonly dcColumns: Map<string, DataCollectionColumnPlan>;

  constructor(readonly plan: MigrationPlan, readonly filesUrl: string) {
    for (const o of plan.owners) {
      if (o.participantId) {
        this.ownerByParticipant.set(o.participantId, o.ownerId);
        this.userIdByParticipant.set(o.participantId, o.actionstepUserId);
      }
    }
    for (const t of plan.matterTypes) this.matterTypeValue.set(t.actionTypeId, t.choiceValue);
    for (const r of plan.roles) this.roleValue.set(r.participantTypeId, r.choiceValue);
    this.matterTypePlans = new Map(plan.matterTypes.map((t) => [t.actionTypeId, t] as const));
    this.rolePlans = new Map(plan.roles.map((r) => [r.participantTypeId, r] as const));
    this.ownerMatches = new Map(plan.owners.map((o) => [o.actionstepUserId, o] as const));
    this.dcColumns = new Map(plan.dataCollectionColumns.map((c) => [c.fieldId, c] as const));
  }

  get options(): MigrationOptions {
    return this.plan.options;
  }

  /** Which time entries count in a matter's billing total (the plan's options). */
  protected get billingRule(): BillingRule {
    return { billingTotal: this.plan.options.billingTotal, unknownBillingBehavior: this.plan.options.unknownValueMap.billingBehavior };
  }

  get maxUploadFileSize(): number {
    return this.plan.destination.maxUploadFileSize;
  }

  matterSkipReason(m: Matter): string | null {
    if (m.isDeleted) return `matter ${m.id} is deleted in Actionstep (deleted ${m.deletedTimestamp ?? 'at an unknown time'} by ${m.deletedBy ?? 'unknown'})`;
    if (m.status === 'Template' && this.plan.options.skipTemplateMatters) return `matter ${m.id} is a workflow template (status Template), not client work`;
    return null;
  }

  ownerOf(participantId: string | null): string {
    return (participantId && this.ownerByParticipant.get(participantId)) || this.plan.fallbackOwnerId;
  }

  actionstepUserIdOf(participantId: string | null): string | null {
    return (participantId && this.userIdByParticipant.get(participantId)) || null;
  }

  matterTypeChoice(actionTypeId: string | null): number | null {
    return actionTypeId ? this.matterTypeValue.get(actionTypeId) ?? null : null;
  }

  statusChoice(label: string): number | null {
    return this.plan.statusValues[label] ?? null;
  }

  roleChoice(participantTypeId: string): number | null {
    return this.roleValue.get(participantTypeId) ?? null;
  }

  matterTypePlan(actionTypeId: string): MatterTypePlan | null {
    return this.matterTypePlans.get(actionTypeId) ?? null;
  }

  rolePlan(participantTypeId: string): RolePlan | null {
    return this.rolePlans.get(participantTypeId) ?? null;
  }

  ownerMatchOf(actionstepUserId: string): OwnerMatch | null {
    return this.ownerMatches.get(actionstepUserId) ?? null;
  }

  dataCollectionColumns(): readonly DataCollectionColumnPlan[] {
    return this.plan.dataCollectionColumns;
  }

  dataCollectionColumnOf(fieldId: string): DataCollectionColumnPlan | null {
    return this.dcColumns.get(fieldId) ?? null;
  }

  // ---- what the staged firm answers (in memory, or from indexed staging) ----
  abstract matterOf(matterId: string | null): Matter | null;
  abstract migrates(matterId: string): boolean;
  abstract getsOpportunity(matterId: string): boolean;
  abstract clientOf(matterId: string): Participant | null;
  abstract accountKeyOf(matterId: string): string;
  abstract isClientAccount(accountKey: string): boolean;
  abstract billingTotal(matterId: string): BillingTotal;
  abstract readonly trustLedgerGiven: boolean;
  abstract trustOf(matterId: string): MatterTrust | null;
  abstract dataCollectionValuesOf(matterId: string): readonly DataCollectionRecordValue[];
  abstract participantOf(participantId: string | null): Participant | null;
  abstract canonicalPerson(participantId: string): string;
  abstract matterLinksOf(participantId: string): readonly ActionParticipant[];
  abstract firstClientMatter(participantId: string): { matterId: string; order: number } | null;
  abstract userOfParticipant(participantId: string): User | null;
  abstract isFirmStaff(participantId: string): boolean;
  abstract roleName(participantTypeId: string): string;
}
