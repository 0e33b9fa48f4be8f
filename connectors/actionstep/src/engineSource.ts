// The migration engine's source port over this connector's client: pages of normalized records (with sideloads where
// the extraction defines them), record counts from one small request and file downloads. The trust ledger is not an
// API: it comes through the TrustLedgerPort (trust/trustLedgerSource.ts), from the file the firm exported.
// Browser-safe: the command line and the Mapping Wizard use the same adapter (as DataverseSink beside its connector).
import type { PageSpan, SourcePage, SourcePace, SourcePort, SourceSession } from '@astep/orchestrator/ports';
import type { ActionstepClient } from './actionstepClient';
import { EXTRACTION_LIST_OPTIONS } from './extraction/firmExtraction';
import type { RecordsByResource, ResourceName } from './records';
import { resourceDef } from './resources';

export interface ActionstepSourceOptions {
  /** How messages name this sign-in (where the configuration lists it). Default "Actionstep sign-in". */
  name?: string;
}

export class ActionstepSource implements SourcePort {
  readonly name: string;
  private readonly session: SourceSession;

  constructor(private readonly client: ActionstepClient, private readonly apiEndpoint: string, private readonly orgKeyValue: string | null, options: ActionstepSourceOptions = {}) {
    this.name = options.name ?? 'Actionstep sign-in';
    this.session = {
      name: this.name,
      source: this,
      lanes: client.pace.maxConcurrency,
      currentUser: async () => {
        const u = await client.getCurrentUser();
        return { id: u.id, displayName: u.displayName, email: u.emailAddress };
      },
      pace: (): SourcePace => {
        const p = client.pace;
        return { configuredPerSecond: p.capPerSecond, learnedPerSecond: p.learnedPerSecond, meanLatencyMs: p.meanLatencyMs, answered: p.answered, throttled: p.throttled };
      },
    };
  }

  sessions(): SourceSession[] {
    return [this.session];
  }

  // Keyset paging (sort=id, id_gt=last) wherever the id is an integer: a record deleted or added while the listing
  // runs cannot shift another past the reader. Composite ids (actionparticipants, ...) cannot be compared
  // (reference §5: comparison operators apply to numbers and dates), so those page by offset and the engine's
  // completeness check catches what moved.
  async *pages<R extends ResourceName>(resource: R, options: { modifiedSince?: string; abortSignal?: AbortSignal; fields?: string[]; span?: PageSpan } = {}): AsyncIterable<SourcePage<RecordsByResource[R]>> {
    const span = options.span ?? {};
    const keyset = resourceDef(resource).idKind === 'integer';
    // A narrowed read (`fields=`) carries the id for keyset paging and no sideloads.
    const narrowed = options.fields ? { fields: [...new Set(['id', ...options.fields])] } : EXTRACTION_LIST_OPTIONS[resource];
    const listing = this.client.list(resource, {
      ...narrowed, pagingMode: 'keyset', modifiedSince: options.modifiedSince, abortSignal: options.abortSignal,
      idUpTo: keyset ? span.upToId : undefined, lastPage: keyset ? undefined : span.toPage,
    });
    const from = keyset ? (span.after !== undefined ? `after:${span.after}` : undefined) : span.fromPage !== undefined ? String(span.fromPage) : undefined;
    for await (const page of listing.byPage({ continuationToken: from })) {
      yield Object.assign([...page], {
        recordCount: page.recordCount, cursor: page.cursor, issues: page.issues,
        ...(page.cursor === undefined ? { pageNumber: page.pageNumber, pageCount: page.pageCount } : {}),
      });
    }
  }

  // One request: `sort=-id&pageSize=1&fields=id` (reference §5: `sort=-field`, `fields=`).
  async lastId(resource: ResourceName, options: { abortSignal?: AbortSignal } = {}): Promise<string | null> {
    if (resourceDef(resource).idKind !== 'integer') return null;
    for await (const page of this.client.list(resource, { sort: '-id', pageSize: 1, fields: ['id'], pagingMode: 'offset', abortSignal: options.abortSignal }).byPage()) {
      return (page[0] as { id?: string } | undefined)?.id ?? null;
    }
    return null;
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
