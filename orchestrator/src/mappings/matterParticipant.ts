// Participant role → astep_matterparticipant: one row per matter × role × participant, so every role a person
// holds on every matter is kept (the contact carries the set of roles).
import type { ActionParticipant } from '@astep/actionstep-connector/records';
import { emptyOutput, type MappingOutput } from '../transform/targetRow';
import type { FieldProblem } from '../transform/values';
import { BY_SOURCE_MATTER, declareColumns, relationshipLookup, targetTable } from './declare';
import type { MappingLookups } from './lookups';
import { type Attributes, contactKeyOf, setText, skipped, unknownMatter } from './shared';
import type { TableMapping } from './tableMapping';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('astep_matterparticipant');

const C = declareColumns(TARGET, {
  astep_name: { conversion: 'computed' },
  astep_role: { source: 'participantTypeId', conversion: 'choice' },
  astep_rolename: { conversion: 'computed' },
  astep_participantnumber: { source: 'participantNumber', conversion: 'integer' },
});

function matterParticipant(ap: ActionParticipant, lookups: MappingLookups): MappingOutput {
  const skip = (reason: string) => skipped('actionparticipants', ap.id, reason);
  const matter = lookups.matterOf(ap.actionId);
  if (!matter) return skip(unknownMatter('matter participant', ap.id, ap.actionId));
  const why = lookups.matterSkipReason(matter);
  if (why) return skip(why);
  const p = lookups.participantOf(ap.participantId);
  if (!p) return skip(`links to participant ${ap.participantId}, which is not in Actionstep (orphan link)`);
  const out = emptyOutput();
  const problems: FieldProblem[] = [];
  const role = lookups.roleName(ap.participantTypeId);
  const attributes: Attributes = {};
  // The firm's own staff are no contact: the row keeps their role and name; they own records as Dynamics users.
  const staff = !p.isCompany && lookups.isFirmStaff(p.id);
  setText(attributes, problems, C.astep_name, `${role}: ${p.displayName}${staff ? ' (firm staff)' : ''} on ${matter.reference || matter.name}`);
  attributes.astep_role = lookups.roleChoice(ap.participantTypeId);
  setText(attributes, problems, C.astep_rolename, role);
  attributes.astep_participantnumber = ap.participantNumber;
  out.rows.push({
    table: 'astep_matterparticipant',
    sourceResource: 'actionparticipants',
    sourceId: ap.id,
    key: ap.id,
    attributes,
    binds: {
      astep_MatterId: { table: 'astep_matter', key: matter.id },
      astep_ContactId: p.isCompany || staff ? null : { table: 'contact', key: contactKeyOf(lookups, p.id, ap.participantTypeId) },
      astep_AccountId: p.isCompany ? { table: 'account', key: `P-${p.id}` } : { table: 'account', key: lookups.accountKeyOf(matter.id) },
    },
    problems,
  });
  return out;
}

export const MATTER_PARTICIPANT: TableMapping = {
  target: TARGET,
  label: tableLabel('astep_matterparticipant'),
  key: { by: 'sourceId', format: 'Actionstep actionparticipant id (matter--participant type--participant)' },
  feeds: [{ resource: 'actionparticipants', grouping: 'record', map: matterParticipant }],
  columns: Object.values(C),
  lookups: ['astep_MatterId', 'astep_ContactId', 'astep_AccountId'].map((nav) => relationshipLookup('astep_matterparticipant', nav)),
  sample: BY_SOURCE_MATTER,
  counts: [{ mapping: MAPPING_NAMES.roles }],
};
