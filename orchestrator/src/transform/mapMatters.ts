// Matter → astep_matter (every matter, with its figures and, when planned, its data collection columns) and
// Matter → Opportunity (optional, by strategy), closed as won or lost through the real actions.
import type { MappingContext } from './context';
import { dataCollectionAttributes } from './mapDataCollections';
import { setText } from './mapAccounts';
import { emptyOutput, type FinalState, type MappingOutput } from './targetRow';
import { convertDateOnly, convertTimestamp, localDateOf, type FieldProblem } from './values';

export function mapMatters(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const m of ctx.index.data.actions) {
    const skip = ctx.matterSkipReason(m);
    if (skip) {
      out.skipped.push({ sourceResource: 'actions', sourceId: m.id, reason: skip });
      continue;
    }
    const problems: FieldProblem[] = [];
    const a: Record<string, unknown> = {};
    setText(a, problems, 'astep_name', m.name || `Matter ${m.id}`, 400);
    setText(a, problems, 'astep_matternumber', m.reference, 100);
    a.astep_mattertype = ctx.matterTypeChoice(m);
    a.astep_matterstatus = ctx.matterStatusChoice(m, problems);
    const opened = convertDateOnly('astep_openedon', m.createdTimestamp ? m.createdTimestamp.slice(0, 10) : null);
    if (opened.ok) a.astep_openedon = opened.value;
    else problems.push({ ...opened.problem, message: `matter ${m.id}: ${opened.problem.message}; opened date left empty` });
    const changed = convertTimestamp('astep_statuschangedon', m.statusTimestamp, ctx.options.timeZone);
    if (changed.ok) a.astep_statuschangedon = changed.value;
    else problems.push({ ...changed.problem, message: `matter ${m.id}: ${changed.problem.message}; left empty` });
    const trust = ctx.index.trustByMatter.get(m.id);
    a.astep_trustin = trust?.in ?? 0;
    a.astep_trustout = trust?.out ?? 0;
    a.astep_trustbalance = trust?.balance ?? 0;
    if (trust?.discrepancy) problems.push({ field: 'astep_trustbalance', rule: 'trust-reconcile', value: m.id, message: `${trust.discrepancy}; the report's balance is used` });
    const billing = ctx.index.billingTotal(m.id);
    a.astep_totalbilled = billing.total;
    a.astep_totalhours = billing.hours;
    a.astep_createdbyuserid = ctx.actionstepUserIdOf(m.assignedToParticipantId);
    if (ctx.options.dataCollections === 'matterTable') Object.assign(a, dataCollectionAttributes(ctx, m, 'astep_matter', problems));
    out.rows.push({
      table: 'astep_matter',
      sourceResource: 'actions',
      sourceId: m.id,
      key: m.id,
      attributes: a,
      binds: {
        astep_AccountId: { table: 'account', key: ctx.index.accountKeyOf(m) },
        astep_OpportunityId: ctx.opportunityMatters.has(m.id) ? { table: 'opportunity', key: m.id } : null,
        ownerid: { table: 'systemuser', key: ctx.ownerOf(m.assignedToParticipantId), byId: true },
      },
      problems,
    });
  }
  return out;
}

export function mapOpportunities(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const m of ctx.index.data.actions) {
    if (!ctx.opportunityMatters.has(m.id)) continue;
    const problems: FieldProblem[] = [];
    const a: Record<string, unknown> = {};
    setText(a, problems, 'name', `${m.name || 'Matter'} (${m.reference || m.id})`, 300);
    const billing = ctx.index.billingTotal(m.id);
    a.estimatedvalue = billing.total;
    setText(a, problems, 'astep_matternumber', m.reference, 100);
    a.astep_matterstatus = ctx.matterStatusChoice(m, []);
    const rule = ctx.options.statusMap[m.status];
    let finalState: FinalState | undefined;
    const closedOn = localDateOf('actualclosedate', m.statusTimestamp);
    const actualEnd = closedOn.ok ? closedOn.value : null;
    const outcome = rule?.opportunity ?? 'open';
    if (!rule) problems.push({ field: 'statecode', rule: 'status-map', value: m.status, message: `matter status "${m.status}" is not in the status map; the opportunity stays open` });
    if (outcome === 'onHold') a.statuscode = 2;
    else if (outcome === 'open') a.statuscode = 1;
    else if (outcome === 'won' || (outcome === 'wonIfBilled' && billing.total > 0)) finalState = { kind: 'opportunityWon', actualRevenue: billing.total, actualEnd };
    else finalState = { kind: 'opportunityLost', actualEnd };
    out.rows.push({
      table: 'opportunity',
      sourceResource: 'actions',
      sourceId: m.id,
      key: m.id,
      attributes: a,
      binds: {
        customerid_account: { table: 'account', key: ctx.index.accountKeyOf(m) },
        ownerid: { table: 'systemuser', key: ctx.ownerOf(m.assignedToParticipantId), byId: true },
      },
      problems,
      finalState,
    });
  }
  return out;
}
