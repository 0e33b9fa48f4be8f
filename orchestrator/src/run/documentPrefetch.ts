// Extract downloads the files that notes will carry (documents that fit Dataverse's attachment limit) and keeps them
// beside the staging, so the run only writes to Dynamics. Actionstep is the slow side: it limits requests per user
// session and publishes no numbers (reference actionstep-api.md §6; one production integration runs one request
// every 2 s), and a firm's documents are most of its requests. Downloading them while the firm still works in
// Actionstep keeps the run (when Dynamics is being written) short, and a retried or resumed run downloads nothing again.
//
// The kept files are the checkpoint: a killed extract resumes with the files not yet kept (each is written whole or
// not at all). A download that fails is not fatal here: the run downloads that file again as its note goes, and
// reports it against the document if it fails there too.
import type { ActionDocument } from '@astep/actionstep-connector/records';
import { BoundedWork } from '../load/boundedWork';
import { keptForNote } from '../mappings/documents';
import { DISK_RESERVE_BYTES, fitsWithReserve } from '../plan/documentSpace';
import type { MigrationPlan } from '../plan/migrationPlan';
import type { DocumentFilesPort, ProgressReporter, SourcePort, StateStore } from '../ports';
import { formatBytes, formatCount, plural } from '../vocabulary/format';
import { EngineError } from './engineError';

export interface DocumentPrefetchDeps {
  source: SourcePort;
  store: StateStore;
  files: DocumentFilesPort;
  progress: ProgressReporter;
}

export interface DocumentPrefetchResult {
  /** Documents whose file a note will carry. */
  attachable: number;
  /** Files downloaded now. */
  downloaded: number;
  /** Files kept already (an earlier extract, or one killed part-way). */
  alreadyKept: number;
  bytes: number;
  /** Files that could not be downloaded now (the run tries them again). */
  failed: number;
  firstError: string | null;
}

/** Files downloading at once per Actionstep sign-in (its client paces and caps its own requests). */
export const DOWNLOADS_PER_SESSION = 4;
/** Bytes of files in flight at most (a file is held whole until it is written). */
export const MAX_BYTES_IN_FLIGHT = 32 * 1024 * 1024;

/** The progress task ("Downloading documents from Actionstep" on screen, progressLabels.ts). */
export const PREFETCH_TASK = 'download documents';

export async function prefetchDocuments(deps: DocumentPrefetchDeps, plan: MigrationPlan): Promise<DocumentPrefetchResult> {
  const { source, store, files, progress } = deps;
  const rule = { options: plan.options, maxUploadFileSize: plan.destination.maxUploadFileSize };
  const result: DocumentPrefetchResult = { attachable: 0, downloaded: 0, alreadyKept: 0, bytes: 0, failed: 0, firstError: null };
  if (!plan.options.attachDocuments) return result;
  // At most DOWNLOADS_PER_SESSION files per sign-in and MAX_BYTES_IN_FLIGHT bytes at once (a larger file goes alone).
  const downloads = new BoundedWork(DOWNLOADS_PER_SESSION * Math.max(1, source.sessions?.().length ?? 1), MAX_BYTES_IN_FLIGHT);

  const download = async (d: ActionDocument): Promise<void> => {
    const fileId = d.file as string;
    try {
      const bytes = await source.downloadFile(fileId, { fileSize: d.fileSize });
      if (d.fileSize !== null && bytes.length !== d.fileSize) {
        throw new Error(`Actionstep sent ${bytes.length} bytes where the document says ${d.fileSize}`);
      }
      await files.write(fileId, bytes);
      result.downloaded++;
      result.bytes += bytes.length;
    } catch (e) {
      result.failed++;
      result.firstError ??= `document ${d.id} (file ${fileId}): ${(e as Error).message}`;
    }
  };

  // Which files are kept: keptForNote. The matter rules (a skipped matter's documents) are the mapping's, so a few
  // files of skipped matters may be downloaded for nothing.
  // A first pass for the total (local and quick next to the downloads), so the bar and its time left are true, and
  // for the bytes wanted, so a disk too small stops extract before the first file rather than part-way (a file whose
  // size Actionstep does not give counts nothing here; its write fails like any other if the disk fills).
  let total = 0, bytesWanted = 0;
  for await (const page of store.stagedPages('actiondocuments')) {
    for (const staged of page) {
      const d = JSON.parse(staged.json) as ActionDocument;
      if (!keptForNote(rule, d)) continue;
      total++;
      bytesWanted += d.fileSize ?? 0;
    }
  }
  const space = bytesWanted ? await files.space?.() : null;
  if (space && !fitsWithReserve(bytesWanted, space.freeBytes)) {
    // Only when every file would not fit: the files kept already (an earlier extract) need no more room.
    let toKeep = 0, bytesToKeep = 0;
    for await (const page of store.stagedPages('actiondocuments')) {
      for (const staged of page) {
        const d = JSON.parse(staged.json) as ActionDocument;
        if (!keptForNote(rule, d) || (await files.has(d.file as string, d.fileSize))) continue;
        toKeep++;
        bytesToKeep += d.fileSize ?? 0;
      }
    }
    if (!fitsWithReserve(bytesToKeep, space.freeBytes)) throw new EngineError(notEnoughSpace(toKeep, bytesToKeep, space));
  }
  progress.start(PREFETCH_TASK, total);
  for await (const page of store.stagedPages('actiondocuments')) {
    for (const staged of page) {
      const d = JSON.parse(staged.json) as ActionDocument;
      if (!keptForNote(rule, d)) continue;
      result.attachable++;
      if (await files.has(d.file as string, d.fileSize)) {
        result.alreadyKept++;
        progress.tick(PREFETCH_TASK);
        continue;
      }
      await downloads.start(() => download(d).finally(() => progress.tick(PREFETCH_TASK)), d.fileSize ?? 0);
    }
  }
  await downloads.finish();
  progress.done(PREFETCH_TASK);
  return result;
}

/** Why extract stops before downloading, in the admin's words: what the files need and what the disk has. */
function notEnoughSpace(files: number, bytes: number, space: { freeBytes: number; where: string }): string {
  return `not enough disk space to keep the notes' files: ${plural(files, 'file')} still to download need ${formatBytes(bytes)} `
    + `and ${formatBytes(DISK_RESERVE_BYTES)} left over for the run's own files, but ${space.where} has ${formatBytes(space.freeBytes)} free. `
    + 'Free some space there, or move the state folder (stateDir in the config) to a larger disk, then run extract again '
    + '(what it has read is kept).';
}

/** The extraction's line about the documents, in the practice manager's words. */
export function prefetchSummary(r: DocumentPrefetchResult): string {
  const mb = (r.bytes / 1024 / 1024).toFixed(1);
  const head = `extract: documents for notes: ${formatCount(r.attachable)} files, ${formatCount(r.downloaded)} downloaded now (${mb} MB), ${formatCount(r.alreadyKept)} kept from before`;
  return r.failed
    ? `${head}; ${formatCount(r.failed)} could not be downloaded now and will be tried again during the run. The first: ${r.firstError}`
    : head;
}
