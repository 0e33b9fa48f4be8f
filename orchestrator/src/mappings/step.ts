// Task → astep_step beside the task activity: its place in the matter's workflow (step and order), the assignee
// and the Actionstep status, which a task activity cannot hold.
import { emptyOutput, type MappingOutput } from '../transform/targetRow';
import { convertTimestamp, type FieldProblem } from '../transform/values';
import { BY_SOURCE_MATTER, declareColumns, OWNER, relationshipLookup, targetTable } from './declare';
import type { MappingLookups } from './lookups';
import { OWNED_BY_MATCHED_USER, setText, type Attributes } from './shared';
import type { TableMapping } from './tableMapping';
import { orderedTasks, taskSkipReason } from './task';
import type { MatterTasks } from './units';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('astep_step');

const C = declareColumns(TARGET, {
  astep_name: { source: 'name', conversion: 'text' },
  astep_stepnumber: { source: 'completeDuringStep', conversion: 'integer' },
  astep_order: { conversion: 'computed' },
  astep_assignee: { conversion: 'computed' },
  astep_status: { source: 'status', conversion: 'text' },
  astep_completedon: { source: 'completedTimestamp', conversion: 'timestamp' },
});

function steps(group: MatterTasks, lookups: MappingLookups): MappingOutput {
  const out = emptyOutput();
  orderedTasks(group.tasks).forEach((t, order) => {
    // The task mapping reports the tasks that do not migrate; a step row exists only beside a task row.
    if (taskSkipReason(lookups, t, group.matterId)) return;
    const s: Attributes = {};
    const problems: FieldProblem[] = [];
    setText(s, problems, C.astep_name, t.name || `Task ${t.id}`);
    s.astep_stepnumber = t.completeDuringStep;
    s.astep_order = order + 1;
    setText(s, problems, C.astep_assignee, lookups.participantOf(t.assigneeParticipantId)?.displayName ?? null);
    setText(s, problems, C.astep_status, t.status);
    const done = convertTimestamp(C.astep_completedon.column, t.completedTimestamp, lookups.options.timeZone);
    s.astep_completedon = done.ok ? done.value : null;
    out.rows.push({
      table: 'astep_step', sourceResource: 'tasks', sourceId: t.id, key: t.id, attributes: s,
      binds: {
        astep_MatterId: { table: 'astep_matter', key: group.matterId as string },
        astep_TaskId: { table: 'task', key: t.id },
        ownerid: { table: 'systemuser', key: lookups.ownerOf(t.assigneeParticipantId), byId: true },
      },
      problems,
    });
  });
  return out;
}

export const STEP: TableMapping = {
  target: TARGET,
  label: tableLabel('astep_step'),
  key: { by: 'sourceId', format: 'Actionstep task id' },
  feeds: [{ resource: 'tasks', grouping: 'matterTasks', map: steps }],
  columns: Object.values(C),
  lookups: [relationshipLookup('astep_step', 'astep_MatterId'), relationshipLookup('astep_step', 'astep_TaskId'), OWNER],
  sample: BY_SOURCE_MATTER,
  counts: [{ mapping: MAPPING_NAMES.steps }, OWNED_BY_MATCHED_USER],
};
