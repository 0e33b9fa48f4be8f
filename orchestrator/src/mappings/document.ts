// Document → astep_document: a document that is not attached as a note (too large, no file, or the plan keeps
// documents as links), with its URL and why it was not attached.
import type { ActionDocument } from '@astep/actionstep-connector/records';
import { emptyOutput, type MappingOutput } from '../transform/targetRow';
import { base64Length, convertTimestamp, mimeTypeOf, type FieldProblem } from '../transform/values';
import { BY_SOURCE_MATTER, declareColumns, relationshipLookup, targetTable } from './declare';
import { attachable, documentSkipReason, fileNameOf } from './documents';
import type { MappingLookups } from './lookups';
import { type Attributes, setText, skipped } from './shared';
import type { TableMapping } from './tableMapping';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('astep_document');

const C = declareColumns(TARGET, {
  astep_name: { source: 'name', conversion: 'text' },
  astep_filename: { source: 'fileName', conversion: 'text' },
  astep_url: { source: 'sharepointUrl|file', conversion: 'computed' },
  astep_filesize: { source: 'fileSize', conversion: 'copy' },
  astep_mimetype: { conversion: 'computed' },
  astep_uploadedon: { source: 'createdTimestamp', conversion: 'timestamp' },
  astep_reason: { conversion: 'computed' },
});

function document(d: ActionDocument, lookups: MappingLookups): MappingOutput {
  const why = documentSkipReason(lookups, d);
  if (why) return skipped('actiondocuments', d.id, why);
  const out = emptyOutput();
  if (attachable(lookups, d)) return out;
  const matterId = d.actionId as string;
  const problems: FieldProblem[] = [];
  const size = d.fileSize ?? 0;
  const fileName = fileNameOf(d);
  const created = convertTimestamp(C.astep_uploadedon.column, d.createdTimestamp, lookups.options.timeZone);
  const a: Attributes = {};
  setText(a, problems, C.astep_name, d.name || fileName);
  setText(a, problems, C.astep_filename, fileName);
  setText(a, problems, C.astep_url, d.sharepointUrl || (d.file ? `${lookups.filesUrl}${d.file}` : null));
  a.astep_filesize = d.fileSize;
  a.astep_mimetype = mimeTypeOf(d.extension, d.fileType);
  a.astep_uploadedon = created.ok ? created.value : null;
  a.astep_reason = !lookups.options.attachDocuments
    ? 'the plan keeps documents as links'
    : !d.file
      ? 'the document has no downloadable file in Actionstep'
      : `${size} bytes is ${base64Length(size)} characters of base64, over the note attachment limit of ${lookups.maxUploadFileSize}`;
  out.rows.push({
    table: 'astep_document', sourceResource: 'actiondocuments', sourceId: d.id, key: d.id, attributes: a,
    binds: { astep_MatterId: { table: 'astep_matter', key: matterId }, astep_AccountId: { table: 'account', key: lookups.accountKeyOf(matterId) } },
    problems,
  });
  return out;
}

export const DOCUMENT: TableMapping = {
  target: TARGET,
  label: tableLabel('astep_document'),
  key: { by: 'sourceId', format: 'Actionstep action document id' },
  feeds: [{ resource: 'actiondocuments', grouping: 'record', map: document }],
  columns: Object.values(C),
  lookups: [relationshipLookup('astep_document', 'astep_MatterId'), relationshipLookup('astep_document', 'astep_AccountId')],
  sample: BY_SOURCE_MATTER,
  counts: [{ mapping: MAPPING_NAMES.documents }],
};
