// Task → task activity: subject, description, dates (UTC from the firm's time), priority, and a valid state pair;
// completed and canceled tasks are created open and closed once every row exists (closed activities are read-only).
import type { Task } from '@astep/actionstep-connector/records';
import { emptyOutput, type FinalState, type MappingOutput } from '../transform/targetRow';
import { convertTimestamp, htmlToText, looksLikeHtml, type FieldProblem } from '../transform/values';
import { BY_SOURCE_MATTER, declareColumns, OWNER, platformLookup, targetTable } from './declare';
import type { MappingLookups } from './lookups';
import { matterProblem, OWNED_BY_MATCHED_USER, setText, unknownValue, type Attributes } from './shared';
import { RESOURCES } from '@astep/actionstep-connector/resources';
import type { TableMapping } from './tableMapping';
import type { MatterTasks } from './units';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('task');

const C = declareColumns(TARGET, {
  subject: { source: 'name', conversion: 'text' },
  description: { source: 'description', conversion: 'htmlText' },
  scheduledend: { source: 'dueTimestamp', conversion: 'timestamp' },
  actualstart: { source: 'startedTimestamp', conversion: 'timestamp' },
  actualend: { source: 'completedTimestamp', conversion: 'timestamp' },
  prioritycode: { source: 'priority', conversion: 'choice' },
  statecode: { conversion: 'choice' },
  statuscode: { source: 'status', conversion: 'choice' },
});

const PRIORITY: Record<string, number> = { Low: 0, Normal: 1, High: 2 };
const STATUSES = RESOURCES.tasks.fields.find((f) => f.name === 'status')?.enumValues ?? [];
const PRIORITIES = RESOURCES.tasks.fields.find((f) => f.name === 'priority')?.enumValues ?? [];

/** Task state: Actionstep status → Dataverse statuscode of an open task, or the closed state it ends in. */
function taskState(status: string, started: boolean): { statuscode: number; final?: FinalState } {
  switch (status) {
    case 'Complete': return { statuscode: 2, final: { state: 'completed' } };
    case 'Hidden': return { statuscode: 2, final: { state: 'canceled' } };
    default: return { statuscode: started ? 3 : 2 };
  }
}

/** A matter's tasks in workflow order: by step, then due date, then id (astep_step keeps this order). */
export function orderedTasks(tasks: readonly Task[]): Task[] {
  return [...tasks].sort((a, b) => (a.completeDuringStep ?? 1e9) - (b.completeDuringStep ?? 1e9) || (a.dueTimestamp ?? '').localeCompare(b.dueTimestamp ?? '') || Number(a.id) - Number(b.id));
}

/** Why a task does not migrate (no matter, a skipped matter, deleted in Actionstep), or null. */
export function taskSkipReason(lookups: MappingLookups, t: Task, matterId: string | null): string | null {
  return matterProblem(lookups, 'task', t.id, matterId) ?? (t.status === 'Deleted' ? `task ${t.id} is deleted in Actionstep` : null);
}

function tasks(group: MatterTasks, lookups: MappingLookups): MappingOutput {
  const out = emptyOutput();
  for (const t of orderedTasks(group.tasks)) {
    const why = taskSkipReason(lookups, t, group.matterId);
    if (why) {
      out.skipped.push({ sourceResource: 'tasks', sourceId: t.id, reason: why });
      continue;
    }
    const problems: FieldProblem[] = [];
    const a: Attributes = {};
    setText(a, problems, C.subject, t.name || `Task ${t.id}`);
    const descr = t.description && looksLikeHtml(t.description) ? htmlToText(t.description) : t.description;
    setText(a, problems, C.description, [descr, t.assignedBy ? `Assigned by ${t.assignedBy}` : null].filter(Boolean).join('\n\n') || null);
    for (const [col, raw] of [[C.scheduledend, t.dueTimestamp], [C.actualstart, t.startedTimestamp], [C.actualend, t.completedTimestamp]] as const) {
      const c = convertTimestamp(col.column, raw, lookups.options.timeZone);
      if (c.ok) a[col.column] = c.value;
      else problems.push({ ...c.problem, message: `task ${t.id}: ${c.problem.message}; left empty` });
    }
    const map = lookups.options.unknownValueMap;
    let priority = t.priority;
    if (priority != null && !PRIORITIES.includes(priority)) {
      problems.push(unknownValue('prioritycode', `task ${t.id}: priority`, priority, PRIORITIES, `the task gets priority ${map.taskPriority}`));
      priority = map.taskPriority;
    }
    a.prioritycode = priority != null ? PRIORITY[priority] : 1;
    let status = t.status;
    if (!STATUSES.includes(status)) {
      problems.push(unknownValue('statuscode', `task ${t.id}: status`, status, STATUSES, `the task is migrated as ${map.taskStatus}${map.taskStatus === 'Incomplete' ? ' (left open)' : ''}`));
      status = map.taskStatus;
    }
    const state = taskState(status, !!t.startedTimestamp);
    // Closed tasks are created open and closed afterwards (closed activities are read-only).
    if (!state.final) {
      a.statecode = 0;
      a.statuscode = state.statuscode;
    }
    out.rows.push({
      table: 'task', sourceResource: 'tasks', sourceId: t.id, key: t.id, attributes: a,
      binds: {
        regardingobjectid_account_task: { table: 'account', key: lookups.accountKeyOf(group.matterId as string) },
        ownerid: { table: 'systemuser', key: lookups.ownerOf(t.assigneeParticipantId), byId: true },
      },
      problems, finalState: state.final,
    });
  }
  return out;
}

export const TASK: TableMapping = {
  target: TARGET,
  label: tableLabel('task'),
  key: { by: 'sourceId', format: 'Actionstep task id' },
  feeds: [{ resource: 'tasks', grouping: 'matterTasks', map: tasks }],
  columns: Object.values(C),
  // The regarding lookup is polymorphic: written through the navigation property named for the account.
  lookups: [platformLookup('regardingobjectid_account_task', 'regardingobjectid', 'account'), OWNER],
  lifecycle: {
    reopen: { statecode: 0, statuscode: 2 },
    closed: {
      completed: { statecode: 1, statuscode: 5, via: { kind: 'update' } },
      canceled: { statecode: 2, statuscode: 6, via: { kind: 'update' } },
    },
  },
  mapEditor: true,
  sample: BY_SOURCE_MATTER,
  counts: [{ mapping: MAPPING_NAMES.steps }, OWNED_BY_MATCHED_USER],
};
