// Time entries → astep_timeentry; steps and tasks → task activities (+ astep_step for order and assignee);
// documents → notes with attachments (within the upload limit) or astep_document rows with their URL;
// file notes → notes with their original timestamps.
import type { MappingContext } from './context';
import { setText } from './mapAccounts';
import { timeEntryAmount } from './firmData';
import { emptyOutput, type FinalState, type MappingOutput, type TargetRow } from './targetRow';
import { convertTimestamp, htmlToText, localDateOf, looksLikeHtml, stableGuid, type FieldProblem } from './values';

/** Why a child record of a matter cannot migrate (orphan or skipped matter), or null. */
function matterProblem(ctx: MappingContext, resource: string, id: string, actionId: string | null): string | null {
  if (!actionId) return `${resource} ${id} has no matter link`;
  const m = ctx.index.matters.get(actionId);
  if (!m) return ctx.unknownMatter(resource, id, actionId);
  return ctx.matterSkipReason(m);
}

export function mapTimeEntries(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const t of ctx.index.data.timeentries) {
    const why = matterProblem(ctx, 'time entry', t.id, t.actionId);
    if (why) {
      out.skipped.push({ sourceResource: 'timeentries', sourceId: t.id, reason: why });
      continue;
    }
    const m = ctx.index.matters.get(t.actionId as string)!;
    const problems: FieldProblem[] = [];
    const a: Record<string, unknown> = {};
    const owner = t.ownerParticipantId ? ctx.index.participants.get(t.ownerParticipantId) : undefined;
    const date = localDateOf('astep_entrydate', t.timestampDate);
    if (date.ok) a.astep_entrydate = date.value;
    else problems.push({ ...date.problem, message: `time entry ${t.id}: ${date.problem.message}; date left empty` });
    setText(a, problems, 'astep_name', `${date.ok && date.value ? date.value : 'undated'} · ${owner?.displayName ?? 'unknown user'} · ${t.actualHours ?? 0} h`, 400);
    a.astep_userid = ctx.actionstepUserIdOf(t.ownerParticipantId) ?? t.ownerParticipantId;
    setText(a, problems, 'astep_username', owner?.displayName ?? null, 200);
    a.astep_hours = t.actualHours;
    a.astep_billablehours = t.billableHours;
    a.astep_rate = t.rateUnitPrice;
    a.astep_amount = timeEntryAmount(t);
    setText(a, problems, 'astep_billingbehavior', t.billingBehavior, 50);
    const narrative = t.description && looksLikeHtml(t.description) ? htmlToText(t.description) : t.description;
    setText(a, problems, 'astep_narrative', narrative, 100000);
    out.rows.push({
      table: 'astep_timeentry',
      sourceResource: 'timeentries',
      sourceId: t.id,
      key: t.id,
      attributes: a,
      binds: {
        astep_MatterId: { table: 'astep_matter', key: m.id },
        astep_AccountId: { table: 'account', key: ctx.index.accountKeyOf(m) },
        ownerid: { table: 'systemuser', key: ctx.ownerOf(t.ownerParticipantId), byId: true },
      },
      problems,
    });
  }
  return out;
}

const PRIORITY: Record<string, number> = { Low: 0, Normal: 1, High: 2 };

/** Task state: Actionstep status → Dataverse statecode/statuscode (always a valid pair). */
export function taskState(status: string, started: boolean): { statuscode: number; final?: FinalState; problem?: string } {
  switch (status) {
    case 'Incomplete': return { statuscode: started ? 3 : 2 };
    case 'Complete': return { statuscode: 2, final: { kind: 'taskCompleted' } };
    case 'Hidden': return { statuscode: 2, final: { kind: 'taskCanceled' } };
    default: return { statuscode: 2, problem: `task status "${status}" is unknown; the task stays open (Not Started)` };
  }
}

export function mapTasks(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const [matterId, tasks] of ctx.index.tasksByMatter) {
    const ordered = [...tasks].sort((a, b) => (a.completeDuringStep ?? 1e9) - (b.completeDuringStep ?? 1e9) || (a.dueTimestamp ?? '').localeCompare(b.dueTimestamp ?? '') || Number(a.id) - Number(b.id));
    ordered.forEach((t, order) => {
      const why = matterProblem(ctx, 'task', t.id, matterId);
      if (why) {
        out.skipped.push({ sourceResource: 'tasks', sourceId: t.id, reason: why });
        return;
      }
      if (t.status === 'Deleted') {
        out.skipped.push({ sourceResource: 'tasks', sourceId: t.id, reason: `task ${t.id} is deleted in Actionstep` });
        return;
      }
      const m = ctx.index.matters.get(matterId)!;
      const problems: FieldProblem[] = [];
      const a: Record<string, unknown> = {};
      setText(a, problems, 'subject', t.name || `Task ${t.id}`, 200);
      const descr = t.description && looksLikeHtml(t.description) ? htmlToText(t.description) : t.description;
      setText(a, problems, 'description', [descr, t.assignedBy ? `Assigned by ${t.assignedBy}` : null].filter(Boolean).join('\n\n') || null, 2000);
      for (const [col, raw] of [['scheduledend', t.dueTimestamp], ['actualstart', t.startedTimestamp], ['actualend', t.completedTimestamp]] as const) {
        const c = convertTimestamp(col, raw, ctx.options.timeZone);
        if (c.ok) a[col] = c.value;
        else problems.push({ ...c.problem, message: `task ${t.id}: ${c.problem.message}; left empty` });
      }
      if (t.priority != null) {
        if (t.priority in PRIORITY) a.prioritycode = PRIORITY[t.priority];
        else problems.push({ field: 'prioritycode', rule: 'choice', value: t.priority, message: `task priority "${t.priority}" is unknown; Normal is used` });
      }
      a.prioritycode ??= 1;
      const state = taskState(t.status, !!t.startedTimestamp);
      // Closed tasks are created open and closed afterwards (closed activities are read-only).
      if (!state.final) {
        a.statecode = 0;
        a.statuscode = state.statuscode;
      }
      if (state.problem) problems.push({ field: 'statuscode', rule: 'choice', value: t.status, message: `task ${t.id}: ${state.problem}` });
      const ownerBind = { table: 'systemuser', key: ctx.ownerOf(t.assigneeParticipantId), byId: true };
      out.rows.push({
        table: 'task', sourceResource: 'tasks', sourceId: t.id, key: t.id, attributes: a,
        binds: { regardingobjectid_account_task: { table: 'account', key: ctx.index.accountKeyOf(m) }, ownerid: ownerBind },
        problems, finalState: state.final,
      });
      const s: Record<string, unknown> = {};
      const stepProblems: FieldProblem[] = [];
      setText(s, stepProblems, 'astep_name', t.name || `Task ${t.id}`, 400);
      s.astep_stepnumber = t.completeDuringStep;
      s.astep_order = order + 1;
      const assignee = t.assigneeParticipantId ? ctx.index.participants.get(t.assigneeParticipantId) : undefined;
      setText(s, stepProblems, 'astep_assignee', assignee?.displayName ?? null, 200);
      setText(s, stepProblems, 'astep_status', t.status, 50);
      const done = convertTimestamp('astep_completedon', t.completedTimestamp, ctx.options.timeZone);
      s.astep_completedon = done.ok ? done.value : null;
      out.rows.push({
        table: 'astep_step', sourceResource: 'tasks', sourceId: t.id, key: t.id, attributes: s,
        binds: { astep_MatterId: { table: 'astep_matter', key: m.id }, astep_TaskId: { table: 'task', key: t.id }, ownerid: ownerBind },
        problems: stepProblems,
      });
    });
  }
  // Tasks without a matter link are grouped under no key above; report them.
  for (const t of ctx.index.data.tasks) if (!t.actionId) out.skipped.push({ sourceResource: 'tasks', sourceId: t.id, reason: `task ${t.id} has no matter link` });
  return out;
}

const MIME: Record<string, string> = {
  '.pdf': 'application/pdf', '.doc': 'application/msword', '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel', '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.txt': 'text/plain', '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.msg': 'application/vnd.ms-outlook',
  '.eml': 'message/rfc822', '.csv': 'text/csv', '.html': 'text/html', '.zip': 'application/zip',
};

export function mimeTypeOf(extension: string | null, fileType: string | null): string {
  if (fileType && fileType.includes('/')) return fileType;
  return (extension && MIME[extension.toLowerCase()]) || 'application/octet-stream';
}

/** Base64 length of n bytes: Dataverse's note limit applies to the encoded length. */
export const base64Length = (bytes: number) => 4 * Math.ceil(bytes / 3);

export interface AttachmentRow extends TargetRow {
  attachment?: { fileId: string; size: number };
}

export function mapDocuments(ctx: MappingContext, actionstepFilesUrl: string): MappingOutput {
  const out = emptyOutput();
  for (const d of ctx.index.data.actiondocuments) {
    const why = matterProblem(ctx, 'document', d.id, d.actionId);
    if (why) {
      out.skipped.push({ sourceResource: 'actiondocuments', sourceId: d.id, reason: why });
      continue;
    }
    if (d.isDeleted) {
      out.skipped.push({ sourceResource: 'actiondocuments', sourceId: d.id, reason: `document ${d.id} is deleted in Actionstep` });
      continue;
    }
    const m = ctx.index.matters.get(d.actionId as string)!;
    const problems: FieldProblem[] = [];
    const size = d.fileSize ?? 0;
    const fileName = d.fileName || `${d.name}${d.extension ?? ''}`;
    const fits = ctx.options.attachDocuments && !!d.file && base64Length(size) <= ctx.plan.destination.maxUploadFileSize;
    const created = convertTimestamp('overriddencreatedon', d.createdTimestamp, ctx.options.timeZone);
    if (fits) {
      const a: Record<string, unknown> = {};
      setText(a, problems, 'subject', d.name || fileName, 500);
      setText(a, problems, 'filename', fileName, 255);
      a.mimetype = mimeTypeOf(d.extension, d.fileType);
      a.isdocument = true;
      a.notetext = `Actionstep document ${d.id} from matter ${m.reference || m.id}`;
      if (created.ok && created.value) a.overriddencreatedon = created.value;
      const row: AttachmentRow = {
        table: 'annotation', sourceResource: 'actiondocuments', sourceId: d.id, key: `D-${d.id}`, fixedId: stableGuid(`actiondocuments:${d.id}`),
        attributes: a, binds: { objectid_account: { table: 'account', key: ctx.index.accountKeyOf(m) } }, problems,
        attachment: { fileId: d.file as string, size },
      };
      out.rows.push(row);
      continue;
    }
    const a: Record<string, unknown> = {};
    setText(a, problems, 'astep_name', d.name || fileName, 400);
    setText(a, problems, 'astep_filename', fileName, 400);
    setText(a, problems, 'astep_url', d.sharepointUrl || (d.file ? `${actionstepFilesUrl}${d.file}` : null), 2000);
    a.astep_filesize = d.fileSize;
    a.astep_mimetype = mimeTypeOf(d.extension, d.fileType);
    a.astep_uploadedon = created.ok ? created.value : null;
    a.astep_reason = !ctx.options.attachDocuments
      ? 'the plan keeps documents as links'
      : !d.file
        ? 'the document has no downloadable file in Actionstep'
        : `${size} bytes is ${base64Length(size)} characters of base64, over the note attachment limit of ${ctx.plan.destination.maxUploadFileSize}`;
    out.rows.push({
      table: 'astep_document', sourceResource: 'actiondocuments', sourceId: d.id, key: d.id, attributes: a,
      binds: { astep_MatterId: { table: 'astep_matter', key: m.id }, astep_AccountId: { table: 'account', key: ctx.index.accountKeyOf(m) } },
      problems,
    });
  }
  return out;
}

export function mapFileNotes(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const n of ctx.index.data.filenotes) {
    const why = matterProblem(ctx, 'file note', n.id, n.actionId);
    if (why) {
      out.skipped.push({ sourceResource: 'filenotes', sourceId: n.id, reason: why });
      continue;
    }
    if (n.source === 'System' && ctx.options.skipSystemFileNotes) {
      out.skipped.push({ sourceResource: 'filenotes', sourceId: n.id, reason: `file note ${n.id} is system-generated (source=System); the plan skips those` });
      continue;
    }
    const m = ctx.index.matters.get(n.actionId as string)!;
    const problems: FieldProblem[] = [];
    const a: Record<string, unknown> = {};
    const when = n.noteTimestamp ?? n.enteredTimestamp;
    setText(a, problems, 'subject', `File note ${when ? when.slice(0, 10) : ''} ${n.enteredBy ? `by ${n.enteredBy}` : ''}`.trim(), 500);
    let text = n.text ?? '';
    if (looksLikeHtml(text)) {
      text = htmlToText(text);
      problems.push({ field: 'notetext', rule: 'html-to-text', value: `${(n.text ?? '').length} characters of HTML`, message: `file note ${n.id} was HTML; kept as plain text` });
    }
    setText(a, problems, 'notetext', text, 100000);
    a.isdocument = false;
    const created = convertTimestamp('overriddencreatedon', n.enteredTimestamp ?? n.noteTimestamp, ctx.options.timeZone);
    if (created.ok) {
      if (created.value) a.overriddencreatedon = created.value;
    } else problems.push({ ...created.problem, message: `file note ${n.id}: ${created.problem.message}; created on is the migration time` });
    out.rows.push({
      table: 'annotation', sourceResource: 'filenotes', sourceId: n.id, key: `N-${n.id}`, fixedId: stableGuid(`filenotes:${n.id}`),
      attributes: a, binds: { objectid_account: { table: 'account', key: ctx.index.accountKeyOf(m) } }, problems,
    });
  }
  return out;
}
