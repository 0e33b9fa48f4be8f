// A full read of a firm through the client: every resource (users with their participant sideloaded, so names come
// in the same calls) and, optionally, every document's file parts. Records are handed to a callback page by page and
// never accumulated here, so an xl firm extracts in flat memory. The trust ledger is not here: Actionstep has no trust
// API, the firm exports the report as a file (trust/trustLedgerFile.ts reads it).
import type { ActionstepClient, ActionstepPage, ListOptions } from '../actionstepClient';
import { FILE_PART_SIZE_IN_BYTES, MAX_PAGE_SIZE } from '../actionstepClient';
import type { RecordsByResource, ResourceName } from '../records';
import { RESOURCE_NAMES } from '../resources';

/** Per-resource list options of a full extraction (sideloads instead of N+1 calls). */
export const EXTRACTION_LIST_OPTIONS: Partial<Record<ResourceName, ListOptions>> = {
  users: { include: ['participant'] },
};

export interface FirmExtractionOptions {
  resources?: ResourceName[];
  /** Download every document's file (all parts). Default false. */
  includeFiles?: boolean;
  /** Resources listed at the same time (each also prefetches pages; the client's limiter caps real concurrency). */
  resourceConcurrency?: number;
  onPage?<R extends ResourceName>(resource: R, page: ActionstepPage<RecordsByResource[R]>): void | Promise<void>;
  onFile?(fileId: string, bytes: number): void;
  abortSignal?: AbortSignal;
}

export interface FirmExtractionSummary {
  records: Record<ResourceName, number>;
  files: number;
  fileParts: number;
  fileBytes: number;
  /** Requests a perfect client needs: per resource ceil(records / MAX_PAGE_SIZE), one per file part. */
  minimumApiRequests: number;
}

export async function extractFirm(client: ActionstepClient, o: FirmExtractionOptions = {}): Promise<FirmExtractionSummary> {
  const resources = o.resources ?? RESOURCE_NAMES;
  const summary: FirmExtractionSummary = {
    records: Object.fromEntries(RESOURCE_NAMES.map((r) => [r, 0])) as Record<ResourceName, number>,
    files: 0,
    fileParts: 0,
    fileBytes: 0,
    minimumApiRequests: 0,
  };
  const files: Array<{ file: string; size: number | null }> = [];
  await forEachConcurrently(resources, Math.max(1, o.resourceConcurrency ?? 2), async (resource) => {
    for await (const page of client.list(resource, { ...EXTRACTION_LIST_OPTIONS[resource], abortSignal: o.abortSignal }).byPage()) {
      summary.records[resource] += page.length;
      if (resource === 'actiondocuments' && o.includeFiles) {
        for (const d of page as ActionstepPage<RecordsByResource['actiondocuments']>) {
          if (d.file) files.push({ file: d.file, size: d.fileSize });
        }
      }
      await o.onPage?.(resource, page);
    }
    summary.minimumApiRequests += Math.ceil(summary.records[resource] / MAX_PAGE_SIZE);
  });
  if (o.includeFiles) {
    await forEachConcurrently(files, 4, async (f) => {
      let bytes = 0;
      for await (const part of client.downloadFileParts(f.file, { fileSize: f.size, abortSignal: o.abortSignal })) {
        bytes += part.length;
        summary.fileParts++;
      }
      summary.minimumApiRequests += f.size === null ? 1 : Math.max(1, Math.ceil(f.size / FILE_PART_SIZE_IN_BYTES));
      summary.files++;
      summary.fileBytes += bytes;
      o.onFile?.(f.file, bytes);
    });
  }
  return summary;
}

/** Runs `fn` over the items with at most `concurrency` at a time, in order of start; the first failure rejects. */
async function forEachConcurrently<T>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
