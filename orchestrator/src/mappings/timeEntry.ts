// Time entry → astep_timeentry: date (local to the firm), user, hours, rate, amount and narrative. The same entries
// sum into the matter's billing total (a lookup).
import type { TimeEntry } from '@astep/actionstep-connector/records';
import { BILLING_BEHAVIOUR_VALUES, timeEntryAmount } from '../transform/firmData';
import { emptyOutput, type MappingOutput } from '../transform/targetRow';
import { htmlToText, localDateOf, looksLikeHtml, type FieldProblem } from '../transform/values';
import { BY_SOURCE_MATTER, declareColumns, OWNER, relationshipLookup, targetTable } from './declare';
import type { MappingLookups } from './lookups';
import { type Attributes, matterProblem, OWNED_BY_MATCHED_USER, setText, skipped, unknownValue } from './shared';
import type { TableMapping } from './tableMapping';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('astep_timeentry');

const C = declareColumns(TARGET, {
  astep_entrydate: { source: 'timestampDate', conversion: 'localDate' },
  astep_name: { conversion: 'computed' },
  astep_userid: { source: 'ownerParticipantId', conversion: 'computed' },
  astep_username: { conversion: 'computed' },
  astep_hours: { source: 'actualHours', conversion: 'copy' },
  astep_billablehours: { source: 'billableHours', conversion: 'copy' },
  astep_rate: { source: 'rateUnitPrice', conversion: 'copy' },
  astep_amount: { conversion: 'computed' },
  astep_billingbehavior: { source: 'billingBehavior', conversion: 'text' },
  astep_narrative: { source: 'description', conversion: 'htmlText' },
});

function timeEntry(t: TimeEntry, lookups: MappingLookups): MappingOutput {
  const why = matterProblem(lookups, 'time entry', t.id, t.actionId);
  if (why) return skipped('timeentries', t.id, why);
  const out = emptyOutput();
  const matterId = t.actionId as string;
  const problems: FieldProblem[] = [];
  const a: Attributes = {};
  const owner = lookups.participantOf(t.ownerParticipantId);
  const date = localDateOf(C.astep_entrydate.column, t.timestampDate);
  if (date.ok) a.astep_entrydate = date.value;
  else problems.push({ ...date.problem, message: `time entry ${t.id}: ${date.problem.message}; date left empty` });
  setText(a, problems, C.astep_name, `${date.ok && date.value ? date.value : 'undated'} · ${owner?.displayName ?? 'unknown user'} · ${t.actualHours ?? 0} h`);
  a.astep_userid = lookups.actionstepUserIdOf(t.ownerParticipantId) ?? t.ownerParticipantId;
  setText(a, problems, C.astep_username, owner?.displayName ?? null);
  a.astep_hours = t.actualHours;
  a.astep_billablehours = t.billableHours;
  a.astep_rate = t.rateUnitPrice;
  a.astep_amount = timeEntryAmount(t);
  setText(a, problems, C.astep_billingbehavior, t.billingBehavior);
  if (t.billingBehavior && !BILLING_BEHAVIOUR_VALUES.includes(t.billingBehavior)) {
    const counted = lookups.options.billingTotal === 'allEntries' || lookups.options.unknownValueMap.billingBehavior === 'Bill';
    problems.push(unknownValue(C.astep_billingbehavior.column, `time entry ${t.id}: billing behaviour`, t.billingBehavior, BILLING_BEHAVIOUR_VALUES,
      `kept as text and counted as "${lookups.options.unknownValueMap.billingBehavior}": its amount ${(timeEntryAmount(t) ?? 0).toFixed(2)} is ${counted ? 'in' : 'left out of'} the matter's billing total`));
  }
  setText(a, problems, C.astep_narrative, t.description && looksLikeHtml(t.description) ? htmlToText(t.description) : t.description);
  out.rows.push({
    table: 'astep_timeentry',
    sourceResource: 'timeentries',
    sourceId: t.id,
    key: t.id,
    attributes: a,
    binds: {
      astep_MatterId: { table: 'astep_matter', key: matterId },
      astep_AccountId: { table: 'account', key: lookups.accountKeyOf(matterId) },
      ownerid: { table: 'systemuser', key: lookups.ownerOf(t.ownerParticipantId), byId: true },
    },
    problems,
  });
  return out;
}

export const TIME_ENTRY: TableMapping = {
  target: TARGET,
  label: tableLabel('astep_timeentry'),
  key: { by: 'sourceId', format: 'Actionstep time entry id' },
  feeds: [{ resource: 'timeentries', grouping: 'record', map: timeEntry }],
  columns: Object.values(C),
  lookups: [relationshipLookup('astep_timeentry', 'astep_MatterId'), relationshipLookup('astep_timeentry', 'astep_AccountId'), OWNER],
  mapEditor: true,
  sample: { ...BY_SOURCE_MATTER, timeEntries: true },
  counts: [{ mapping: MAPPING_NAMES.timeEntries }, OWNED_BY_MATCHED_USER],
};
