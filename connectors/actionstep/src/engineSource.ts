// The migration engine's source port over this connector's client: pages of normalized records (with sideloads where
// the extraction defines them), record counts from one small request and file downloads. The trust ledger is not an
// API: it comes through the TrustLedgerPort (trust/trustLedgerSource.ts), from the file the firm exported.
// Browser-safe: the command line and the Mapping Wizard use the same adapter (as DataverseSink beside its connector).
import type { SourcePage, SourcePort } from '@astep/orchestrator/ports';
import type { ActionstepClient } from './actionstepClient';
import { EXTRACTION_LIST_OPTIONS } from './extraction/firmExtraction';
import type { RecordsByResource, ResourceName } from './records';

export class ActionstepSource implements SourcePort {
  constructor(private readonly client: ActionstepClient, private readonly apiEndpoint: string, private readonly orgKeyValue: string | null) {}

  // Keyset paging (sort=id, id_gt=last) wherever the id is an integer: a record deleted or added while the listing
  // runs cannot shift another past the reader. Composite ids (actionparticipants, ...) cannot be compared
  // (reference §5: comparison operators apply to numbers and dates), so those page by offset and the engine's
  // completeness check catches what moved.
  async *pages<R extends ResourceName>(resource: R, options: { modifiedSince?: string; abortSignal?: AbortSignal; fields?: string[] } = {}): AsyncIterable<SourcePage<RecordsByResource[R]>> {
    // A narrowed read (`fields=`) carries the id for keyset paging and no sideloads.
    const narrowed = options.fields ? { fields: [...new Set(['id', ...options.fields])] } : EXTRACTION_LIST_OPTIONS[resource];
    const listing = this.client.list(resource, { ...narrowed, pagingMode: 'keyset', modifiedSince: options.modifiedSince, abortSignal: options.abortSignal });
    for await (const page of listing.byPage()) {
      yield Object.assign([...page], { recordCount: page.recordCount, cursor: page.cursor, issues: page.issues });
    }
  }

  async *ids(resource: ResourceName, options: { abortSignal?: AbortSignal } = {}): AsyncIterable<string[]> {
    for await (const page of this.client.list(resource, { fields: ['id'], pagingMode: 'keyset', abortSignal: options.abortSignal }).byPage()) {
      yield page.map((r) => (r as { id: string }).id);
    }
  }

  async byIds<R extends ResourceName>(resource: R, ids: string[], options: { abortSignal?: AbortSignal } = {}): Promise<Array<RecordsByResource[R]>> {
    try {
      return [...(await this.client.get(resource, ids, { include: EXTRACTION_LIST_OPTIONS[resource]?.include, abortSignal: options.abortSignal }))];
    } catch (e) {
      // None of them exists any more: Actionstep answers 404 for the whole request.
      if ((e as { status?: number }).status === 404) return [];
      throw e;
    }
  }

  async count(resource: ResourceName): Promise<number | null> {
    for await (const page of this.client.list(resource, { pageSize: 1 }).byPage()) return page.recordCount;
    return 0;
  }

  async downloadFile(fileId: string, options: { fileSize?: number | null; abortSignal?: AbortSignal } = {}): Promise<Uint8Array> {
    return new Uint8Array(await this.client.downloadFile(fileId, options));
  }

  filesUrl(): string {
    return `${this.apiEndpoint}rest/files/`;
  }

  orgkey(): string | null {
    return this.orgKeyValue;
  }

  requestCount(): number {
    return this.client.requestCount.total;
  }
}
