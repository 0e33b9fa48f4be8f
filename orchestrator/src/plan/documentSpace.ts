// What the notes' files will take on the disk of the computer that keeps them, told at discover, before extract
// downloads anything: from the sizes of the first page of documents Actionstep lists. Discover reads no more of that
// list (it is as long as the firm's documents, and extract reads it whole anyway), so the figure is an estimate and the
// plan says from how many documents. Extract checks the exact bytes again before its first download
// (run/documentPrefetch.ts), with the same reserve.
import type { ActionDocument } from '@astep/actionstep-connector/records';
import { keptForNote } from '../mappings/documents';
import type { MappingLookups } from '../mappings/lookups';
import type { SourcePort } from '../ports';
import { formatBytes, formatCount, plural } from '../vocabulary/format';

/**
 * Room left over when the files are kept: the state database, its journal and the logs grow beside them during the
 * run, and a disk filled to the last byte fails whatever writes next.
 */
export const DISK_RESERVE_BYTES = 256 * 1024 * 1024;

export interface DocumentSpace {
  /** Documents Actionstep counts. */
  documents: number;
  /** Of them, the ones whose sizes the estimate is from (the first page Actionstep lists). */
  sampled: number;
  /** Of the sample, the files that would be kept to attach to notes. */
  keptInSample: number;
  /** What every document's file would take at the sample's bytes per document. */
  estimatedBytes: number;
  /** Free space where the files are kept when discover ran, and that place (absent when they are not kept on a disk). */
  free?: { bytes: number; where: string };
}

/** `bytes` of files and the reserve fit in `freeBytes`. */
export function fitsWithReserve(bytes: number, freeBytes: number): boolean {
  return bytes + DISK_RESERVE_BYTES <= freeBytes;
}

/** The first page of documents Actionstep lists (one request; the listing stops there). */
export async function firstDocuments(source: SourcePort): Promise<ActionDocument[]> {
  for await (const page of source.pages('actiondocuments')) return [...page];
  return [];
}

/** The estimate from `sample` (the first documents listed) for `documents` documents in all. */
export function estimateDocumentSpace(
  documents: number, sample: readonly ActionDocument[], rule: Pick<MappingLookups, 'options' | 'maxUploadFileSize'>,
  free: { freeBytes: number; where: string } | null,
): DocumentSpace {
  const kept = sample.filter((d) => keptForNote(rule, d));
  const bytes = kept.reduce((n, d) => n + (d.fileSize ?? 0), 0);
  return {
    documents, sampled: sample.length, keptInSample: kept.length,
    estimatedBytes: sample.length ? Math.round((bytes / sample.length) * documents) : 0,
    ...(free ? { free: { bytes: free.freeBytes, where: free.where } } : {}),
  };
}

/** The plan's sentence about the files, in the admin's words. */
export function documentSpaceSentence(s: DocumentSpace): string {
  const from = s.sampled < s.documents ? `estimated from the sizes of the first ${formatCount(s.sampled)} of ${plural(s.documents, 'document')} Actionstep lists` : `the sizes of all ${plural(s.documents, 'document')}`;
  const need = `The notes' files need about ${formatBytes(s.estimatedBytes)} on the computer that runs extract (${from}), and ${formatBytes(DISK_RESERVE_BYTES)} more for the run's own files`;
  return s.free ? `${need}; ${s.free.where} has ${formatBytes(s.free.bytes)} free.` : `${need}.`;
}

/** A warning when the estimate and the reserve do not fit the free space, else null. */
export function documentSpaceWarning(s: DocumentSpace): string | null {
  if (!s.free || !s.estimatedBytes || fitsWithReserve(s.estimatedBytes, s.free.bytes)) return null;
  return `${documentSpaceSentence(s)} Extract would stop before downloading them: free some space there, or move the state folder (stateDir in the config) to a larger disk before extract.`;
}
