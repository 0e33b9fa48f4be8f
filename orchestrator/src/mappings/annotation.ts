// Notes on the client's account: documents that fit the attachment limit (the file as the note's attachment) and
// file notes (with their original timestamps, HTML kept as text). Notes have no custom columns, so no alternate key:
// each is addressed by a GUID derived from its source.
import type { ActionDocument, FileNote } from '@astep/actionstep-connector/records';
import { emptyOutput, type MappingOutput } from '../transform/targetRow';
import { convertTimestamp, htmlToText, looksLikeHtml, mimeTypeOf, stableGuid, type FieldProblem } from '../transform/values';
import { BY_SOURCE_MATTER, declareColumns, platformLookup, targetTable } from './declare';
import { attachable, documentSkipReason, fileNameOf } from './documents';
import type { MappingLookups } from './lookups';
import { type Attributes, matterProblem, setText, skipped, unknownValue } from './shared';
import { RESOURCES } from '@astep/actionstep-connector/resources';

const NOTE_SOURCES = RESOURCES.filenotes.fields.find((f) => f.name === 'source')?.enumValues ?? [];
import type { TableMapping } from './tableMapping';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('annotation');

const C = declareColumns(TARGET, {
  subject: { source: 'name', conversion: 'text' },
  filename: { source: 'fileName', conversion: 'text' },
  mimetype: { conversion: 'computed' },
  isdocument: { conversion: 'computed' },
  notetext: { source: 'text', conversion: 'htmlText' },
  overriddencreatedon: { source: 'noteTimestamp|enteredTimestamp|createdTimestamp', conversion: 'timestamp', createOnly: true },
  documentbody: { conversion: 'computed', createOnly: true },
});

const NOTE_ON_ACCOUNT = 'objectid_account';

function attachedDocument(d: ActionDocument, lookups: MappingLookups): MappingOutput {
  const why = documentSkipReason(lookups, d);
  if (why) return skipped('actiondocuments', d.id, why);
  const out = emptyOutput();
  if (!attachable(lookups, d)) return out;
  const matter = lookups.matterOf(d.actionId)!;
  const problems: FieldProblem[] = [];
  const fileName = fileNameOf(d);
  const created = convertTimestamp(C.overriddencreatedon.column, d.createdTimestamp, lookups.options.timeZone);
  const a: Attributes = {};
  setText(a, problems, C.subject, d.name || fileName);
  setText(a, problems, C.filename, fileName);
  a.mimetype = mimeTypeOf(d.extension, d.fileType);
  a.isdocument = true;
  a.notetext = `Actionstep document ${d.id} from matter ${matter.reference || matter.id}`;
  if (created.ok && created.value) a.overriddencreatedon = created.value;
  out.rows.push({
    table: 'annotation', sourceResource: 'actiondocuments', sourceId: d.id, key: `D-${d.id}`, fixedId: stableGuid(`actiondocuments:${d.id}`),
    attributes: a, binds: { [NOTE_ON_ACCOUNT]: { table: 'account', key: lookups.accountKeyOf(matter.id) } }, problems,
    attachment: { fileId: d.file as string, size: d.fileSize ?? 0 },
  });
  return out;
}

function fileNote(n: FileNote, lookups: MappingLookups): MappingOutput {
  const why = matterProblem(lookups, 'file note', n.id, n.actionId);
  if (why) return skipped('filenotes', n.id, why);
  const out = emptyOutput();
  const problems: FieldProblem[] = [];
  let source = n.source;
  if (source && !NOTE_SOURCES.includes(source)) {
    const as = lookups.options.unknownValueMap.fileNoteSource;
    problems.push(unknownValue('notetext', `file note ${n.id}: source`, source, NOTE_SOURCES, as === 'User' ? 'the note migrates as a person\'s note' : 'the note is treated as system-generated'));
    source = as;
  }
  if (source === 'System' && lookups.options.skipSystemFileNotes) {
    return skipped('filenotes', n.id, `file note ${n.id} is system-generated (source=${n.source}${n.source !== 'System' ? ', counted as System by the unknown-value map' : ''}); the plan skips those`);
  }
  const a: Attributes = {};
  const when = n.noteTimestamp ?? n.enteredTimestamp;
  const typedLater = n.noteTimestamp && n.enteredTimestamp && n.enteredTimestamp.slice(0, 10) !== n.noteTimestamp.slice(0, 10) ? `(entered ${n.enteredTimestamp.slice(0, 10)})` : '';
  setText(a, problems, C.subject, ['File note', when?.slice(0, 10), n.enteredBy && `by ${n.enteredBy}`, typedLater].filter(Boolean).join(' '));
  let text = n.text ?? '';
  if (looksLikeHtml(text)) {
    text = htmlToText(text);
    problems.push({ field: 'notetext', rule: 'html-to-text', value: `${(n.text ?? '').length} characters of HTML`, message: `file note ${n.id} was HTML; kept as plain text` });
  }
  setText(a, problems, C.notetext, text);
  a.isdocument = false;
  // The note lands at the time it records (noteTimestamp: the call, the meeting), not when it was typed; the typing
  // time is said in the subject when it differs by a day or more.
  const created = convertTimestamp(C.overriddencreatedon.column, n.noteTimestamp ?? n.enteredTimestamp, lookups.options.timeZone);
  if (created.ok) {
    if (created.value) a.overriddencreatedon = created.value;
  } else problems.push({ ...created.problem, message: `file note ${n.id}: ${created.problem.message}; created on is the migration time` });
  out.rows.push({
    table: 'annotation', sourceResource: 'filenotes', sourceId: n.id, key: `N-${n.id}`, fixedId: stableGuid(`filenotes:${n.id}`),
    attributes: a, binds: { [NOTE_ON_ACCOUNT]: { table: 'account', key: lookups.accountKeyOf(n.actionId as string) } }, problems,
  });
  return out;
}

export const ANNOTATION: TableMapping = {
  target: TARGET,
  label: tableLabel('annotation'),
  key: { by: 'fixedId', format: 'D-<document id> or N-<file note id>; addressed by a GUID derived from the source' },
  feeds: [
    { resource: 'actiondocuments', grouping: 'record', map: attachedDocument },
    { resource: 'filenotes', grouping: 'record', map: fileNote },
  ],
  columns: Object.values(C),
  // The regarding object of a note is polymorphic: written through the navigation property named for the account.
  lookups: [platformLookup(NOTE_ON_ACCOUNT, 'objectid', 'account')],
  attachmentColumn: 'documentbody',
  sample: BY_SOURCE_MATTER,
  counts: [
    { mapping: MAPPING_NAMES.documents, when: (row) => row.sourceResource === 'actiondocuments' },
    { mapping: MAPPING_NAMES.fileNotes, when: (row) => row.sourceResource === 'filenotes' },
  ],
};
