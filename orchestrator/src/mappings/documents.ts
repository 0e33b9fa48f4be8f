// Document references: a document whose file fits Dataverse's note attachment limit (and that the plan attaches)
// becomes a note with the file (annotation.ts); any other becomes an astep_document row with its link and the
// reason it was not attached (document.ts). Both mappings read the same rule, so each document lands exactly once.
import type { ActionDocument } from '@astep/actionstep-connector/records';
import { base64Length } from '../transform/values';
import type { MappingLookups } from './lookups';
import { matterProblem } from './shared';

/** Why a document does not migrate at all (no matter, a skipped matter, deleted in Actionstep), or null. */
export function documentSkipReason(lookups: MappingLookups, d: ActionDocument): string | null {
  return matterProblem(lookups, 'document', d.id, d.actionId) ?? (d.isDeleted ? `document ${d.id} is deleted in Actionstep` : null);
}

/** The document is carried as a note attachment: the plan attaches documents, it has a file, and it fits. */
export function attachable(lookups: Pick<MappingLookups, 'options' | 'maxUploadFileSize'>, d: ActionDocument): boolean {
  return lookups.options.attachDocuments && !!d.file && base64Length(d.fileSize ?? 0) <= lookups.maxUploadFileSize;
}

/** The document's file is kept on disk for its note: not deleted in Actionstep, and attachable. */
export function keptForNote(lookups: Pick<MappingLookups, 'options' | 'maxUploadFileSize'>, d: ActionDocument): boolean {
  return !d.isDeleted && attachable(lookups, d);
}

/** The file name Actionstep shows: its own, else the document's name and extension. */
export const fileNameOf = (d: ActionDocument) => d.fileName || `${d.name}${d.extension ?? ''}`;
