// The Actionstep REST client (Azure SDK style): lists as paged async iterators over every resource in resources.ts,
// records normalized through fromWire (the engine never sees wire shapes), sideloads instead of N+1 calls, file
// downloads, and request accounting for the extraction benchmark. (No trust ledger: Actionstep has no trust API.)
// The npm `buffer` package in a browser bundle, the built-in in Node: the client runs in both.
import { Buffer } from 'buffer';
import { ActionstepError } from './errors';
import type { ActionstepTokenProvider } from './auth/tokenProvider';
import { FetchHttpTransport, type HttpTransport } from './transport/httpTransport';
import { abortableSleep } from './pipeline/concurrencyLimiter';
import { RequestPipeline, type ActionstepLogger, type PaceSnapshot, type RequestCountSnapshot } from './pipeline/requestPipeline';
import type { RetryOptions, RetryStrategy } from './pipeline/retryPolicy';
import { parseEnvelope, type ParsedEnvelope } from './paging/envelope';
import { fetchPages } from './paging/pageFetcher';
import { pagedIterator, type PagedAsyncIterableIterator, type PageSettings } from './paging/pagedAsyncIterator';
import { fromWire, isResourceName, resourceDef, type WireIssue } from './resources';
import type { RecordsByResource, ResourceName } from './records';

import { FILE_PART_SIZE_IN_BYTES, MAX_PAGE_SIZE } from './limits';

export { FILE_PART_SIZE_IN_BYTES, MAX_PAGE_SIZE };

export interface ActionstepClientOptions {
  credential: ActionstepTokenProvider;
  /** Overrides the api_endpoint of the token response (normally taken from every token response). */
  apiEndpoint?: string;
  transport?: HttpTransport;
  retry?: RetryOptions;
  /** Replaces the default strategies (expired token, Retry-After, exponential backoff). */
  retryStrategies?: RetryStrategy[];
  /** Concurrent requests across the whole client. Default 4. */
  maxConcurrency?: number;
  /** Hard cap on the request rate (Actionstep's limits are unpublished and per user session). Default: none. */
  maxRequestsPerSecond?: number;
  /** Learn the rate limit from 429s and pace just below it, so few calls are wasted on refusals. Default true. */
  adaptivePacing?: boolean;
  /** Records per page, at most 200 (Actionstep silently caps it). Default 200. */
  pageSize?: number;
  /** Per-request timeout. Default 5 minutes: Actionstep's first page of a big filtered query can take minutes (S12). */
  timeoutInMs?: number;
  /** Default paging mode of every listing (see ListOptions.pagingMode). Default 'offset'. */
  pagingMode?: PagingMode;
  logger?: ActionstepLogger;
  /** Values that did not parse (kept as null); also on each page's `issues`. */
  onWireIssue?: (issue: WireIssue) => void;
  /** Injected for tests (fake clock); defaults to a real abortable timer and Math.random. */
  sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ListOptions {
  /** Query filters passed as given, e.g. `{ action: '12', status_nteq: 'Closed', 'action[id_eq]': '5' }`. */
  filter?: Record<string, string>;
  /** ISO timestamp; uses the resource's modified field (`_gteq`). Throws for resources without one. */
  modifiedSince?: string;
  /** Link names to sideload (`include=`); nested with dots. Pages carry them in `linked`. */
  include?: string[];
  fields?: string[];
  /** `a,-b` */
  sort?: string;
  /** Records per page for this listing (<= 200). */
  pageSize?: number;
  /**
   * 'offset' (default): page=1..N, fetched in parallel. Fast, but a record deleted on an earlier page while the
   * listing runs shifts a later record back onto a page already read, and it is skipped.
   * 'keyset': `sort=id&id_gt=<last id>` page after page (sequential). Nothing is skipped by concurrent deletes or
   * inserts. Integer-id resources only; composite-id resources fall back to offset.
   */
  pagingMode?: PagingMode;
  /** Keyset paging: the listing ends with this id (`id_lteq`), so that several listings can read id ranges side by
   *  side (one per Actionstep session). */
  idUpTo?: string;
  /** Offset paging: the listing ends with this page (nothing is fetched ahead past it). */
  lastPage?: number;
  abortSignal?: AbortSignal;
}

export type PagingMode = 'offset' | 'keyset';

export type LinkedRecords = { [R in ResourceName]?: Array<RecordsByResource[R]> };

/** One page: the records plus what came with them. */
export type ActionstepPage<T> = T[] & {
  /** Sideloaded records (include), normalized, by resource. */
  linked: LinkedRecords;
  /** Sideloads of resources we do not model (divisions, countries...), as the wire sent them. */
  linkedRaw: Record<string, Record<string, unknown>[]>;
  pageNumber: number;
  pageCount: number;
  /** Records the whole listing holds as Actionstep counted them when it served this page (keyset: those read
   *  before this page plus the count of what remained). A count that changes from page to page means records moved. */
  recordCount: number;
  /** Resumes the listing at the next page; undefined on the last page. */
  continuationToken?: string;
  /** Keyset paging: `after:<last id of this page>`, on every page (the last one too), so that a checkpoint taken
   *  after any page resumes right after it (`byPage({ continuationToken: cursor })`). Undefined in offset paging. */
  cursor?: string;
  /** Values that did not parse on this page (the record keeps null). */
  issues: WireIssue[];
};

export interface GetOptions {
  include?: string[];
  fields?: string[];
  abortSignal?: AbortSignal;
}

export interface DownloadFileOptions {
  /** Known size (actiondocuments.fileSize) avoids asking for a part past the end. */
  fileSize?: number | null;
  abortSignal?: AbortSignal;
}

type Paged<R extends ResourceName> = PagedAsyncIterableIterator<RecordsByResource[R], ActionstepPage<RecordsByResource[R]>>;

export class ActionstepClient {
  private readonly pipeline: RequestPipeline;
  private readonly pageSize: number;
  private readonly maxConcurrency: number;
  private readonly pagingMode: PagingMode;
  private readonly onWireIssue?: (issue: WireIssue) => void;

  constructor(options: ActionstepClientOptions) {
    this.pageSize = checkPageSize(options.pageSize ?? MAX_PAGE_SIZE, 'pageSize');
    this.maxConcurrency = options.maxConcurrency ?? 4;
    this.pagingMode = options.pagingMode ?? 'offset';
    this.onWireIssue = options.onWireIssue;
    this.pipeline = new RequestPipeline({
      credential: options.credential,
      transport: options.transport ?? new FetchHttpTransport(),
      apiEndpoint: options.apiEndpoint,
      retry: options.retry,
      retryStrategies: options.retryStrategies,
      maxConcurrency: this.maxConcurrency,
      timeoutInMs: options.timeoutInMs ?? 300_000,
      logger: options.logger,
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
      maxRequestsPerSecond: options.maxRequestsPerSecond,
      adaptivePacing: options.adaptivePacing,
      now: options.now,
    });
  }

  /** HTTP requests made so far (retries and token calls included), by kind. */
  get requestCount(): RequestCountSnapshot {
    return this.pipeline.requestCount;
  }

  /** The configured cap, the limit learned from 429s and the mean answer time so far. */
  get pace(): PaceSnapshot {
    return this.pipeline.pace;
  }

  list<R extends ResourceName>(resource: R, options: ListOptions = {}): Paged<R> {
    const def = resourceDef(resource);
    const pageSize = checkPageSize(options.pageSize ?? this.pageSize, 'pageSize');
    const query = new Map<string, string>(Object.entries(options.filter ?? {}));
    if (options.modifiedSince !== undefined) {
      if (!def.modifiedField) {
        throw new ActionstepError(
          `modifiedSince is not possible for ${resource}: Actionstep gives it no modified timestamp, so changes can only be found by a full scan.`,
          { kind: 'usage' },
        );
      }
      query.set(`${def.modifiedField}_gteq`, utcFilterTimestamp(options.modifiedSince, `${def.modifiedField}_gteq`));
    }
    if (options.include?.length) query.set('include', options.include.join(','));
    if (options.fields?.length) query.set('fields', options.fields.join(','));
    if (options.sort) query.set('sort', options.sort);
    const keyset = (options.pagingMode ?? this.pagingMode) === 'keyset' && def.idKind === 'integer';
    if (keyset && (options.sort || [...query.keys()].some((k) => k.startsWith('id_')))) {
      throw new ActionstepError(`pagingMode 'keyset' orders by id and filters on id itself: it cannot be combined with sort or an id_* filter (${resource}).`, { kind: 'usage' });
    }
    if (options.idUpTo !== undefined) {
      if (!keyset) throw new ActionstepError(`idUpTo bounds a keyset listing; ${resource} is not listed by id (pagingMode 'keyset' on an integer-id resource).`, { kind: 'usage' });
      query.set('id_lteq', options.idUpTo);
    }
    const lastPage = options.lastPage;
    if (lastPage !== undefined && (!Number.isInteger(lastPage) || lastPage < 1)) {
      throw new ActionstepError(`lastPage must be a page number (1 or more), got ${lastPage}.`, { kind: 'usage' });
    }

    const byPage = (settings: PageSettings = {}): AsyncIterableIterator<ActionstepPage<RecordsByResource[R]>> => {
      // A larger maxPageSize is a hint, capped like Actionstep caps it; zero, negative or fractional is a mistake.
      const size = settings.maxPageSize === undefined ? pageSize : checkPageSize(Math.min(settings.maxPageSize, MAX_PAGE_SIZE), 'maxPageSize');
      if (keyset || settings.continuationToken?.startsWith('after:')) {
        const after = settings.continuationToken?.startsWith('after:') ? settings.continuationToken.slice('after:'.length) : undefined;
        return this.keysetPages(resource, query, size, after, options.abortSignal);
      }
      const startPage = settings.continuationToken ? Number(settings.continuationToken) : 1;
      if (!Number.isInteger(startPage) || startPage < 1) {
        throw new ActionstepError(`Invalid continuationToken ${JSON.stringify(settings.continuationToken)}: expected a page number.`, { kind: 'usage' });
      }
      return this.pages(resource, query, size, startPage, options.abortSignal, lastPage);
    };
    return pagedIterator<RecordsByResource[R], ActionstepPage<RecordsByResource[R]>>(byPage);
  }

  private async *pages<R extends ResourceName>(
    resource: R,
    query: Map<string, string>,
    pageSize: number,
    startPage: number,
    abortSignal?: AbortSignal,
    lastPage?: number,
  ): AsyncIterableIterator<ActionstepPage<RecordsByResource[R]>> {
    const fetchPage = async (page: number, signal: AbortSignal): Promise<ParsedEnvelope> => {
      const q = new Map(query);
      q.set('pageSize', String(pageSize));
      q.set('page', String(page));
      const path = `rest/${resource}?${encodeQuery(q)}`;
      const res = await this.pipeline.send({ kind: 'list', path, abortSignal: signal });
      return parseEnvelope(resource, res, `GET ${path}`);
    };
    for await (const fetched of fetchPages({ startPage, pageSize, prefetch: this.maxConcurrency, fetchPage, abortSignal, lastPage })) {
      const { envelope, paging, pageNumber } = fetched;
      const end = Math.min(paging.pageCount, lastPage ?? Infinity);
      yield this.toPage(resource, envelope, {
        pageNumber,
        pageCount: paging.pageCount,
        recordCount: paging.recordCount,
        continuationToken: pageNumber < end && envelope.records.length > 0 ? String(pageNumber + 1) : undefined,
      });
    }
  }

  /** Keyset paging: each page asks for the ids after the last one seen, so concurrent deletes cannot shift records
   *  past the reader. One request per page, sequential. */
  private async *keysetPages<R extends ResourceName>(
    resource: R,
    query: Map<string, string>,
    pageSize: number,
    after: string | undefined,
    abortSignal?: AbortSignal,
  ): AsyncIterableIterator<ActionstepPage<RecordsByResource[R]>> {
    let readBefore = 0;
    for (let pageNumber = 1; ; pageNumber++) {
      const q = new Map(query);
      q.set('sort', 'id');
      if (after !== undefined) q.set('id_gt', after);
      q.set('pageSize', String(pageSize));
      q.set('page', '1');
      const path = `rest/${resource}?${encodeQuery(q)}`;
      const res = await this.pipeline.send({ kind: 'list', path, abortSignal });
      const env = parseEnvelope(resource, res, `GET ${path}`);
      if (env.records.length === 0) return;
      const last = env.records[env.records.length - 1].id;
      // More to come: the server says so (pageCount of what remains), or, without paging info, a full page.
      const more = env.paging ? env.paging.pageCount > 1 : env.records.length >= pageSize;
      yield this.toPage(resource, env, {
        pageNumber,
        pageCount: env.paging ? pageNumber - 1 + env.paging.pageCount : pageNumber + (more ? 1 : 0),
        recordCount: readBefore + (env.paging?.recordCount ?? env.records.length),
        continuationToken: more ? `after:${String(last)}` : undefined,
        cursor: `after:${String(last)}`,
      });
      readBefore += env.records.length;
      if (!more) return;
      after = String(last);
    }
  }

  private toPage<R extends ResourceName>(
    resource: R,
    env: ParsedEnvelope,
    info: { pageNumber: number; pageCount: number; recordCount: number; continuationToken?: string; cursor?: string },
  ): ActionstepPage<RecordsByResource[R]> {
    const issues: WireIssue[] = [];
    const onIssue = (i: WireIssue): void => {
      issues.push(i);
      this.onWireIssue?.(i);
    };
    const records = env.records.map((w) => fromWire(resource, w, { linked: env.linked, onIssue, keepWire: true }));
    const linked: LinkedRecords = {};
    const linkedRaw: Record<string, Record<string, unknown>[]> = {};
    for (const [key, list] of Object.entries(env.linked)) {
      if (isResourceName(key)) {
        (linked as Record<string, unknown[]>)[key] = list.map((w) => fromWire(key, w, { linked: env.linked, onIssue }));
      } else {
        linkedRaw[key] = list;
      }
    }
    return Object.assign(records, { linked, linkedRaw, issues, ...info });
  }

  /** GET by id (several ids in one call: `rest/{resource}/1,2,3`). Ids are percent-encoded (composite ids may hold
   *  OData-special characters); unknown ids give a 404 ActionstepError. */
  async get<R extends ResourceName>(resource: R, ids: string | string[], options: GetOptions = {}): Promise<Array<RecordsByResource[R]>> {
    resourceDef(resource);
    const list = Array.isArray(ids) ? ids : [ids];
    if (list.length === 0) return [];
    const q = new Map<string, string>();
    if (options.include?.length) q.set('include', options.include.join(','));
    if (options.fields?.length) q.set('fields', options.fields.join(','));
    const qs = q.size ? `?${encodeQuery(q)}` : '';
    const path = `rest/${resource}/${list.map((id) => encodeURIComponent(id)).join(',')}${qs}`;
    const res = await this.pipeline.send({ kind: 'get', path, abortSignal: options.abortSignal });
    const env = parseEnvelope(resource, res, `GET ${path}`);
    return this.toPage(resource, env, { pageNumber: 1, pageCount: 1, recordCount: env.records.length });
  }

  /** The user the token acts as (`GET users/current`), with its participant's displayName: what this user cannot
   *  see (restricted matters) the extraction cannot return either. */
  async getCurrentUser(options: { abortSignal?: AbortSignal } = {}): Promise<RecordsByResource['users']> {
    const path = 'rest/users/current?include=participant';
    const res = await this.pipeline.send({ kind: 'get', path, abortSignal: options.abortSignal });
    const env = parseEnvelope('users', res, `GET ${path}`);
    const [user] = this.toPage('users', env, { pageNumber: 1, pageCount: 1, recordCount: env.records.length });
    if (!user) throw new ActionstepError('GET users/current returned no user.', { kind: 'parse', status: res.status });
    return user;
  }

  /** Parts of `GET rest/files/{fileId}?part_number=k`, in order. The id keeps its `::` and `;` unencoded (S12).
   *  The part count comes from `fileSize` when given, else from an `X-Part-Count` header when the server sends one,
   *  else the download stops at the first short part (or an out-of-range answer past the end). */
  async *downloadFileParts(fileId: string, options: DownloadFileOptions = {}): AsyncIterableIterator<Buffer> {
    if (!fileId) throw new ActionstepError('downloadFile needs a file id (actiondocuments.file).', { kind: 'usage' });
    const known = typeof options.fileSize === 'number' && options.fileSize >= 0;
    let partCount = known ? Math.max(1, Math.ceil((options.fileSize as number) / FILE_PART_SIZE_IN_BYTES)) : Infinity;
    for (let k = 1; k <= partCount; k++) {
      const path = `rest/files/${encodeFileId(fileId)}?part_number=${k}`;
      const probing = k > 1 && partCount === Infinity;
      const res = await this.pipeline.send({
        kind: 'file',
        path,
        accept: 'application/octet-stream',
        abortSignal: options.abortSignal,
        // Past the last part (count unknown): the end-of-file answers end the download instead of failing it.
        passThroughStatuses: probing ? [400, 404, 416] : undefined,
      });
      if (res.status !== 200 || (k > 1 && res.body.length === 0)) return;
      if (k === 1 && partCount === Infinity) {
        const header = Number(res.headers['x-part-count']);
        if (Number.isInteger(header) && header >= 1) partCount = header;
      }
      yield res.body;
      if (partCount === Infinity && res.body.length < FILE_PART_SIZE_IN_BYTES) return;
    }
  }

  async downloadFile(fileId: string, options: DownloadFileOptions = {}): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of this.downloadFileParts(fileId, options)) parts.push(part);
    return Buffer.concat(parts);
  }
}

/** One rule for every way a page size comes in (client option, list option, byPage's maxPageSize). */
function checkPageSize(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new ActionstepError(`${name} must be an integer from 1 to ${MAX_PAGE_SIZE} (Actionstep caps it), got ${value}.`, { kind: 'usage' });
  }
  return value;
}

/** encodeURIComponent, but brackets and commas stay readable (`action[id_eq]=`, `include=a,b`): servers decode both. */
export function encodeQuery(q: Map<string, string>): string {
  const enc = (s: string): string => encodeURIComponent(s).replace(/%5B/gi, '[').replace(/%5D/gi, ']').replace(/%2C/gi, ',');
  return [...q].map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&');
}

/** File ids like "DL::Actions::15::127;report.pdf" must reach the server verbatim: `:` and `;` are never encoded. */
export function encodeFileId(fileId: string): string {
  return encodeURIComponent(fileId).replace(/%3A/gi, ':').replace(/%3B/gi, ';');
}

/**
 * A timestamp filter value as the live API reads it: `yyyy-MM-ddTHH:mm:ss` in UTC, no offset (integrators' notes,
 * seth-inertia-legal/actionstep-export-tool docs/api-quirks.md: timestamp filters without an offset are read as UTC,
 * and an offset is not a documented input). A value with an offset is converted; one without is taken as UTC.
 */
export function utcFilterTimestamp(value: string, filter: string): string {
  const v = value.trim();
  const bare = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.test(v);
  const ms = Date.parse(bare && v.length > 10 ? `${v}Z` : v);
  if (Number.isNaN(ms)) {
    throw new ActionstepError(`${filter}: "${value}" is not a timestamp (expected ISO 8601, like 2026-01-01T09:00:00+13:00 or 2026-01-01T00:00:00 in UTC).`, { kind: 'usage' });
  }
  return new Date(ms).toISOString().slice(0, 19);
}
