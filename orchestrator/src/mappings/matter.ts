// Matter → astep_matter: every migrating matter with its number, type, status, dates, trust and billing figures and,
// when the plan puts them here, its data collection columns.
import type { Matter } from '@astep/actionstep-connector/records';
import { emptyOutput, type MappingOutput } from '../transform/targetRow';
import { convertTimestamp, localDateOf, type FieldProblem } from '../transform/values';
import { dataCollectionAttributes } from './dataCollections';
import { BY_OWN_KEY, declareColumns, OWNER, relationshipLookup, targetTable, type ColumnSpec } from './declare';
import type { MappingLookups } from './lookups';
import {
  billedIn, HAS_DATA_COLLECTION_VALUE, HAS_MATTER_STATUS, HAS_MATTER_TYPE, matterStatusChoice, OWNED_BY_MATCHED_USER, setBillingTotal, setText, setTrust, skipped, type Attributes,
} from './shared';
import type { TableMapping } from './tableMapping';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('astep_matter');

const trust: ColumnSpec = { conversion: 'trust' };
const C = declareColumns(TARGET, {
  astep_name: { source: 'name', conversion: 'text' },
  astep_matternumber: { source: 'reference', conversion: 'text' },
  astep_mattertype: { source: 'actionTypeId', conversion: 'choice' },
  astep_matterstatus: { source: 'status', conversion: 'choice' },
  astep_openedon: { source: 'createdTimestamp', conversion: 'localDate' },
  astep_statuschangedon: { source: 'statusTimestamp', conversion: 'timestamp' },
  astep_trustin: trust, astep_trustout: trust, astep_trustbalance: trust,
  astep_totalbilled: { conversion: 'billing' },
  astep_totalhours: { conversion: 'computed' },
  astep_createdbyuserid: { conversion: 'computed' },
});

function matter(m: Matter, lookups: MappingLookups): MappingOutput {
  const skip = lookups.matterSkipReason(m);
  if (skip) return skipped('actions', m.id, skip);
  const out = emptyOutput();
  const problems: FieldProblem[] = [];
  const a: Attributes = {};
  setText(a, problems, C.astep_name, m.name || `Matter ${m.id}`);
  setText(a, problems, C.astep_matternumber, m.reference);
  a.astep_mattertype = lookups.matterTypeChoice(m.actionTypeId);
  a.astep_matterstatus = matterStatusChoice(lookups, m, problems);
  const opened = localDateOf(C.astep_openedon.column, m.createdTimestamp);
  if (opened.ok) a.astep_openedon = opened.value;
  else problems.push({ ...opened.problem, message: `matter ${m.id}: ${opened.problem.message}; opened date left empty` });
  const changed = convertTimestamp(C.astep_statuschangedon.column, m.statusTimestamp, lookups.options.timeZone);
  if (changed.ok) a.astep_statuschangedon = changed.value;
  else problems.push({ ...changed.problem, message: `matter ${m.id}: ${changed.problem.message}; left empty` });
  setTrust(a, problems, lookups, [m.id]);
  setBillingTotal(a, problems, lookups, C.astep_totalbilled.column, [m.id]);
  a.astep_totalhours = lookups.billingTotal(m.id).hours;
  a.astep_createdbyuserid = lookups.actionstepUserIdOf(m.assignedToParticipantId);
  if (lookups.options.dataCollections === 'matterTable') Object.assign(a, dataCollectionAttributes(lookups, m, 'astep_matter', problems));
  out.rows.push({
    table: 'astep_matter',
    sourceResource: 'actions',
    sourceId: m.id,
    key: m.id,
    attributes: a,
    binds: {
      astep_AccountId: { table: 'account', key: lookups.accountKeyOf(m.id) },
      astep_OpportunityId: lookups.getsOpportunity(m.id) ? { table: 'opportunity', key: m.id } : null,
      ownerid: { table: 'systemuser', key: lookups.ownerOf(m.assignedToParticipantId), byId: true },
    },
    problems,
  });
  return out;
}

export const MATTER: TableMapping = {
  target: TARGET,
  label: tableLabel('astep_matter'),
  key: { by: 'sourceId', format: 'Actionstep matter id' },
  feeds: [{ resource: 'actions', grouping: 'record', map: matter }],
  columns: Object.values(C),
  planColumns: 'dataCollections',
  lookups: [relationshipLookup('astep_matter', 'astep_AccountId'), relationshipLookup('astep_matter', 'astep_OpportunityId'), OWNER],
  mapEditor: true,
  sample: BY_OWN_KEY,
  counts: [HAS_MATTER_TYPE, HAS_MATTER_STATUS, billedIn('astep_totalbilled'), OWNED_BY_MATCHED_USER, HAS_DATA_COLLECTION_VALUE],
};
