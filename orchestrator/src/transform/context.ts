// What every mapping reads: the indexed firm, the plan's decisions, and small helpers that apply them.
import type { Matter } from '@astep/actionstep-connector/records';
import type { MigrationPlan } from '../plan/migrationPlan';
import type { MigrationOptions } from '../options';
import { FirmIndex } from './firmData';
import type { FieldProblem } from './values';

export class MappingContext {
  private readonly ownerByParticipant = new Map<string, string>();
  private readonly userIdByParticipant = new Map<string, string>();
  private readonly matterTypeValue = new Map<string, number>();
  private readonly roleValue = new Map<string, number>();
  /** matter id → whether it migrates (not a template, not deleted, visible). */
  readonly migratingMatters: Set<string>;
  /** matter ids that get an opportunity (by the plan's strategy). */
  readonly opportunityMatters: Set<string>;
  /** participant id → the first migrating matter (in source order) where it is a primary participant (client). */
  readonly firstClientMatter = new Map<string, { matter: Matter; order: number }>();

  constructor(readonly index: FirmIndex, readonly plan: MigrationPlan) {
    for (const o of plan.owners) {
      if (o.participantId) {
        this.ownerByParticipant.set(o.participantId, o.ownerId);
        this.userIdByParticipant.set(o.participantId, o.actionstepUserId);
      }
    }
    for (const t of plan.matterTypes) this.matterTypeValue.set(t.actionTypeId, t.choiceValue);
    for (const r of plan.roles) this.roleValue.set(r.participantTypeId, r.choiceValue);
    this.migratingMatters = new Set(index.data.actions.filter((m) => this.matterSkipReason(m) === null).map((m) => m.id));
    this.opportunityMatters = chooseOpportunityMatters(this);
    index.data.actions.forEach((m, order) => {
      if (!this.migratingMatters.has(m.id)) return;
      for (const pid of m.primaryParticipantIds) if (!this.firstClientMatter.has(pid)) this.firstClientMatter.set(pid, { matter: m, order });
    });
  }

  get options(): MigrationOptions {
    return this.plan.options;
  }

  /** Why a record linked to a matter Actionstep does not return cannot migrate. The extraction reads unlisted matters
   *  by id, so a deleted matter is known (and says so); one still unknown is restricted or gone for good. */
  unknownMatter(what: string, id: string, actionId: string): string {
    return `${what} ${id} links to matter ${actionId}, which Actionstep does not return even by id (restricted from the user who signed in, or removed for good): an orphan link`;
  }

  /** Why a matter does not migrate, or null. */
  matterSkipReason(m: Matter): string | null {
    if (m.isDeleted) return `matter ${m.id} is deleted in Actionstep (deleted ${m.deletedTimestamp ?? 'at an unknown time'} by ${m.deletedBy ?? 'unknown'})`;
    if (m.status === 'Template' && this.plan.options.skipTemplateMatters) return `matter ${m.id} is a workflow template (status Template), not client work`;
    return null;
  }

  /** Systemuser that owns records of an Actionstep user (by participant id): the match, else the fallback owner. */
  ownerOf(participantId: string | null | undefined): string {
    return (participantId && this.ownerByParticipant.get(participantId)) || this.plan.fallbackOwnerId;
  }

  actionstepUserIdOf(participantId: string | null | undefined): string | null {
    return (participantId && this.userIdByParticipant.get(participantId)) || null;
  }

  matterTypeChoice(m: Matter): number | null {
    return m.actionTypeId ? this.matterTypeValue.get(m.actionTypeId) ?? null : null;
  }

  roleChoice(participantTypeId: string): number | null {
    return this.roleValue.get(participantTypeId) ?? null;
  }

  /** Matter status choice value; an unknown Actionstep status is reported and left empty. */
  matterStatusChoice(m: Matter, problems: FieldProblem[]): number | null {
    const rule = this.plan.options.statusMap[m.status];
    const value = rule ? this.plan.statusValues[rule.matterStatus] : undefined;
    if (value === undefined) {
      problems.push({
        field: 'status',
        rule: 'status-map',
        value: m.status,
        message: `matter status "${m.status}" is not in the status map (known: ${Object.keys(this.plan.options.statusMap).join(', ')}); the status column is left empty`,
      });
      return null;
    }
    return value;
  }

  /** Matters of each account, in creation order. */
  mattersByAccount(): Map<string, Matter[]> {
    const map = new Map<string, Matter[]>();
    for (const m of this.index.data.actions) {
      if (!this.migratingMatters.has(m.id)) continue;
      const key = this.index.accountKeyOf(m);
      const list = map.get(key);
      if (list) list.push(m);
      else map.set(key, [m]);
    }
    for (const list of map.values()) list.sort(compareMatterAge);
    return map;
  }
}

/** Oldest first: by created date, then numeric id. */
export function compareMatterAge(a: Matter, b: Matter): number {
  const ca = a.createdTimestamp ?? '', cb = b.createdTimestamp ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  return Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function chooseOpportunityMatters(ctx: MappingContext): Set<string> {
  const strategy = ctx.plan.options.opportunityStrategy;
  const chosen = new Set<string>();
  if (strategy === 'none') return chosen;
  if (strategy === 'perMatter') return new Set(ctx.migratingMatters);
  for (const list of ctx.mattersByAccount().values()) {
    if (strategy === 'perClientLatest') chosen.add(list[list.length - 1].id);
    else {
      let best = list[0];
      let bestTotal = ctx.index.billingTotal(best.id).total;
      for (const m of list.slice(1)) {
        const t = ctx.index.billingTotal(m.id).total;
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
