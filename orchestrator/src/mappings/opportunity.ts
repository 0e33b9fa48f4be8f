// Matter → Opportunity (optional, by the plan's strategy): named "matter (number)", valued at the billing total, and
// closed as won or lost through the real actions once every row exists.
import type { Matter } from '@astep/actionstep-connector/records';
import { emptyOutput, type FinalState, type MappingOutput } from '../transform/targetRow';
import { localDateOf, type FieldProblem } from '../transform/values';
import { BY_OWN_KEY, declareColumns, lookupAttribute, OWNER, platformLookup, targetTable } from './declare';
import type { MappingLookups } from './lookups';
import { billedIn, matterStatusChoice, OWNED_BY_MATCHED_USER, setBillingTotal, setText, statusRule, type Attributes } from './shared';
import type { CloseVia, TableMapping } from './tableMapping';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('opportunity');

const C = declareColumns(TARGET, {
  name: { conversion: 'computed' },
  estimatedvalue: { conversion: 'billing' },
  astep_matternumber: { source: 'reference', conversion: 'text' },
  astep_matterstatus: { source: 'status', conversion: 'choice' },
  statuscode: { conversion: 'choice' },
});

function opportunity(m: Matter, lookups: MappingLookups): MappingOutput {
  const out = emptyOutput();
  if (!lookups.getsOpportunity(m.id)) return out;
  const problems: FieldProblem[] = [];
  const a: Attributes = {};
  setText(a, problems, C.name, `${m.name || 'Matter'} (${m.reference || m.id})`);
  const billing = lookups.billingTotal(m.id);
  setBillingTotal(a, problems, lookups, C.estimatedvalue.column, [m.id]);
  setText(a, problems, C.astep_matternumber, m.reference);
  // The status map's problem is reported once, on the matter; here it says what became of the opportunity.
  a.astep_matterstatus = matterStatusChoice(lookups, m, []);
  const found = statusRule(lookups, m.status);
  let finalState: FinalState | undefined;
  const closedOn = localDateOf('actualclosedate', m.statusTimestamp);
  const actualEnd = closedOn.ok ? closedOn.value : null;
  const end = actualEnd ? { actualend: actualEnd } : {};
  const outcome = found?.rule.opportunity ?? 'open';
  if (!found) problems.push({ field: 'statecode', rule: 'status-map', value: m.status, message: `matter status "${m.status}" is not in the status map; the opportunity stays open` });
  else if (!found.listed) problems.push({ field: 'statecode', rule: 'status-map', value: m.status, message: `matter status "${m.status}" is not in the status map; the unknown-value map's outcome (${outcome}) applies` });
  if (outcome === 'onHold') a.statuscode = 2;
  else if (outcome === 'open') a.statuscode = 1;
  else if (outcome === 'won' || (outcome === 'wonIfBilled' && billing.total > 0)) finalState = { state: 'won', values: { actualrevenue: billing.total, ...end } };
  else finalState = { state: 'lost', values: end };
  out.rows.push({
    table: 'opportunity',
    sourceResource: 'actions',
    sourceId: m.id,
    key: m.id,
    attributes: a,
    binds: {
      customerid_account: { table: 'account', key: lookups.accountKeyOf(m.id) },
      ownerid: { table: 'systemuser', key: lookups.ownerOf(m.assignedToParticipantId), byId: true },
    },
    problems,
    finalState,
  });
  return out;
}

/**
 * Won and lost go through WinOpportunity / LoseOpportunity (a closed opportunity cannot be updated into its state);
 * each creates an opportunityclose activity carrying the revenue and close date.
 * learn.microsoft.com/previous-versions/dynamicscrm-2016/developers-guide/mt607971(v=crm.8) (WinOpportunity Action)
 */
const closeAction = (name: string, subject: string): CloseVia => ({
  kind: 'action',
  name,
  body: (row, targetId, state) => ({
    Status: state.statuscode,
    OpportunityClose: { subject, 'opportunityid@odata.bind': `/${TARGET.entitySetName}(${targetId})`, ...row.finalState?.values },
  }),
});

export const OPPORTUNITY: TableMapping = {
  target: TARGET,
  label: tableLabel('opportunity'),
  key: { by: 'sourceId', format: 'Actionstep matter id' },
  feeds: [{ resource: 'actions', grouping: 'record', map: opportunity }],
  columns: Object.values(C),
  lookups: [platformLookup('customerid_account', 'customerid', 'account'), OWNER],
  lifecycle: {
    reopen: { statecode: 0, statuscode: 1 },
    closed: {
      won: { statecode: 1, statuscode: 3, via: closeAction('WinOpportunity', 'Won (migrated from Actionstep)') },
      lost: { statecode: 2, statuscode: 4, via: closeAction('LoseOpportunity', 'Lost (migrated from Actionstep)') },
    },
    closeRecords: { table: 'opportunityclose', attribute: lookupAttribute('opportunityid') },
  },
  sample: BY_OWN_KEY,
  counts: [
    { mapping: MAPPING_NAMES.matterOpportunity },
    { mapping: MAPPING_NAMES.matterStatuses, when: (row) => row.attributes.astep_matterstatus != null || !!row.finalState },
    billedIn('estimatedvalue'), OWNED_BY_MATCHED_USER,
  ],
};
