// The engine's source port over the Actionstep client: pages of normalized records (with sideloads where the
// extraction defines them), record counts from one small request, the trust ledger export and file downloads.
// Browser-safe (relative imports only, no Node-only auth): the command line and the Mapping Wizard use the same adapter.
import type { ActionstepClient } from './actionstepClient';
import { EXTRACTION_LIST_OPTIONS } from './extraction/firmExtraction';
import type { RecordsByResource, ResourceName, TrustLedgerEntry } from './records';
import type { SourcePort } from '@astep/orchestrator/ports';

export class ActionstepSource implements SourcePort {
  constructor(private readonly client: ActionstepClient, private readonly apiEndpoint: string, private readonly orgKeyValue: string | null) {}

  async *pages<R extends ResourceName>(resource: R, options: { modifiedSince?: string; abortSignal?: AbortSignal } = {}): AsyncIterable<Array<RecordsByResource[R]>> {
    const listing = this.client.list(resource, { ...EXTRACTION_LIST_OPTIONS[resource], modifiedSince: options.modifiedSince, abortSignal: options.abortSignal });
    for await (const page of listing.byPage()) yield [...page];
  }

  async count(resource: ResourceName): Promise<number | null> {
    for await (const page of this.client.list(resource, { pageSize: 1 }).byPage()) return page.recordCount;
    return 0;
  }

  trustLedger(): Promise<TrustLedgerEntry[]> {
    return this.client.getTrustLedger();
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
