// The Dataverse Web API operations (records, queries, actions, `$batch`) over one request pipeline, whatever sends
// the requests: one application user (DataverseClient) or several (DataverseClientPool). Subclasses provide send().
import { readBatch, writeBatch } from './batchCodec';
import { DataverseError } from './errors';
import { formatKey, idFromEntityUrl } from './formatKey';
import type {
  BatchRequest,
  BatchResponse,
  Clock,
  HttpRequest,
  HttpResponse,
  KeyValues,
  OperationOptions,
  PagedAsyncIterableIterator,
  Row,
} from './types';

/** Queries per `$batch` when reads go batched (well under the 1,000 operations a batch may hold). */
const BATCHED_READS = 50;

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
  byStatus: Record<string, number>;
}

export interface RetrieveMultipleQuery {
  select?: string[];
  filter?: string;
  orderBy?: string[];
  top?: number;
  expand?: string;
  maxPageSize?: number;
  includeAnnotations?: boolean;
  abortSignal?: AbortSignal;
}

export interface SendOptions extends OperationOptions {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** Treat this error response as an answer (the stop-at-first-error `$batch` reply is a multipart 4xx). */
  acceptResponse?: (response: HttpResponse) => boolean;
  /**
   * Default true: a 429 pauses the sender until its Retry-After and the request is sent again by the same sender.
   * False: the pause is still taken, then the 429 is thrown, so a pool can send the request through another identity.
   */
  retryThrottled?: boolean;
}

export interface WhoAmIResult {
  UserId: string;
  BusinessUnitId: string;
  OrganizationId: string;
  dopHint: number;
}

export abstract class DataverseApi {
  abstract readonly webApiUrl: string;
  /** Every request sent (retries included), for the run summaries. */
  abstract readonly stats: ClientStats;
  /** Requests that may be in flight now (the adaptive limit; a pool adds up its identities'). */
  abstract readonly capacity: number;
  /** Time source for waits (Retry-After, polling); injectable in tests. */
  abstract readonly clock: Clock;
  /** Application users behind this API, each with its own service protection budget (a pool has several). */
  get identityCount(): number {
    return 1;
  }

  /** Sends one request through the pipeline; returns the 2xx/3xx response or throws DataverseError. */
  abstract send(method: HttpRequest['method'], path: string, options?: SendOptions): Promise<HttpResponse>;

  /** Who the requests run as, and the server's recommended degree of parallelism (`x-ms-dop-hint`). */
  abstract whoAmI(options?: OperationOptions): Promise<WhoAmIResult>;

  protected async json<T>(method: HttpRequest['method'], path: string, options: SendOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    if (!res.bodyText) return undefined as T;
    try {
      return JSON.parse(res.bodyText) as T;
    } catch {
      throw new DataverseError(`${method} ${path}: the response is not JSON: ${res.bodyText.slice(0, 200)}`, { status: res.status, code: 'InvalidResponse', headers: res.headers });
    }
  }

  /** One row by id or alternate key; null when it does not exist. */
  async retrieve(entitySet: string, id: string | KeyValues, options: OperationOptions & { select?: string[]; expand?: string } = {}): Promise<Row | null> {
    const q = queryString({ select: options.select, expand: options.expand });
    try {
      return await this.json<Row>('GET', `${entitySet}${formatKey(id)}${q}`, options);
    } catch (e) {
      if (e instanceof DataverseError && e.status === 404 && (e.code === '0x80040217' || e.code === '0x80060891' || e.code === '')) return null;
      throw e;
    }
  }

  /** Paged, follows @odata.nextLink; `for await (const page of client.retrieveMultiple(...).byPage())`. */
  retrieveMultiple(entitySet: string, query: RetrieveMultipleQuery = {}): PagedAsyncIterableIterator<Row, Row[]> {
    const pages = (settings?: { maxPageSize?: number; continuationToken?: string }) =>
      this.pages(entitySet, { ...query, maxPageSize: settings?.maxPageSize ?? query.maxPageSize }, settings?.continuationToken);
    const items = async function* (): AsyncGenerator<Row> {
      for await (const page of pages()) yield* page;
    };
    const iterator = items();
    const paged: PagedAsyncIterableIterator<Row, Row[]> = {
      next: () => iterator.next(),
      [Symbol.asyncIterator]() {
        return paged;
      },
      byPage: (settings) => pages(settings),
    };
    return paged;
  }

  private async *pages(entitySet: string, query: RetrieveMultipleQuery, continuationToken?: string): AsyncGenerator<Row[]> {
    const prefer: string[] = [];
    if (query.maxPageSize) prefer.push(`odata.maxpagesize=${query.maxPageSize}`);
    if (query.includeAnnotations) prefer.push('odata.include-annotations="*"');
    const headers = prefer.length ? { Prefer: prefer.join(',') } : undefined;
    let url: string | undefined =
      continuationToken ?? `${entitySet}${queryString({ select: query.select, filter: query.filter, orderBy: query.orderBy, top: query.top, expand: query.expand })}`;
    while (url) {
      const body: { value?: Row[]; '@odata.nextLink'?: string } = await this.json('GET', url, { headers, abortSignal: query.abortSignal });
      yield body.value ?? [];
      url = body['@odata.nextLink'];
    }
  }

  /** All rows of a query (follows every nextLink). */
  async retrieveAll(entitySet: string, query: RetrieveMultipleQuery = {}): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const page of this.retrieveMultiple(entitySet, query).byPage()) rows.push(...page);
    return rows;
  }

  /**
   * Rows whose `column` is one of `values`: chunks the values into `Microsoft.Dynamics.CRM.In` filters short enough
   * for a URL, runs the chunks in parallel and follows paging.
   */
  async retrieveByValues(entitySet: string, column: string, values: string[], select?: string[], options: OperationOptions & { chunkSize?: number; batched?: boolean } = {}): Promise<Row[]> {
    const unique = [...new Set(values)];
    const chunks: string[][] = [];
    let current: string[] = [];
    let length = 0;
    const maxChars = 1500; // keeps each URL well under the 32 KB limits of IIS and proxies once percent-encoded
    for (const v of unique) {
      const lit = `'${String(v).replace(/'/g, "''")}'`;
      if (current.length > 0 && (length + lit.length > maxChars || current.length >= (options.chunkSize ?? 100))) {
        chunks.push(current);
        current = [];
        length = 0;
      }
      current.push(lit);
      length += lit.length + 1;
    }
    if (current.length) chunks.push(current);
    const query = (chunk: string[]): RetrieveMultipleQuery => ({
      select, filter: `Microsoft.Dynamics.CRM.In(PropertyName='${column}',PropertyValues=[${chunk.join(',')}])`, abortSignal: options.abortSignal,
    });
    if (options.batched && chunks.length > 1) {
      // GETs may go inside a $batch (reference §2), which counts as one request toward the service-protection request
      // limit (each GET's execution time still counts): a thousand keys in one request instead of ten or more.
      const groups: string[][][] = [];
      for (let i = 0; i < chunks.length; i += BATCHED_READS) groups.push(chunks.slice(i, i + BATCHED_READS));
      return (await Promise.all(groups.map((group) => this.readInBatch(entitySet, group.map(query))))).flat();
    }
    const results = await Promise.all(chunks.map((chunk) => this.retrieveAll(entitySet, query(chunk))));
    return results.flat();
  }

  /** Several queries in one `$batch`; a part that failed is asked again on its own (its error then surfaces as usual). */
  private async readInBatch(entitySet: string, queries: RetrieveMultipleQuery[]): Promise<Row[]> {
    const responses = await this.batch(queries.map((q) => ({ method: 'GET', url: `${entitySet}${queryString(q)}` })), { continueOnError: true, abortSignal: queries[0]?.abortSignal });
    const rows: Row[] = [];
    for (let i = 0; i < queries.length; i++) {
      const r = responses[i];
      const body = r?.body as { value?: Row[]; '@odata.nextLink'?: string } | undefined;
      if (!r || r.status >= 400 || !body || typeof body !== 'object') {
        rows.push(...(await this.retrieveAll(entitySet, queries[i])));
        continue;
      }
      rows.push(...(body.value ?? []));
      if (body['@odata.nextLink']) for await (const page of this.pages(entitySet, queries[i], body['@odata.nextLink'])) rows.push(...page);
    }
    return rows;
  }

  /** Creates a row; returns its id (from OData-EntityId). */
  async create(entitySet: string, body: Row, options: OperationOptions = {}): Promise<string> {
    const res = await this.send('POST', entitySet, { ...options, body });
    const id = idFromEntityUrl(res.headers['odata-entityid'] ?? res.headers.location);
    if (id) return id;
    try {
      const parsed = JSON.parse(res.bodyText) as Row;
      const pk = Object.keys(parsed).find((k) => k.endsWith('id') && typeof parsed[k] === 'string');
      if (pk) return parsed[pk] as string;
    } catch {
      // fall through
    }
    throw new DataverseError(`POST ${entitySet} returned no OData-EntityId`, { status: res.status, code: 'InvalidResponse', headers: res.headers });
  }

  /** Update only (If-Match: * unless an etag is given): a missing row is a 404, never a create. */
  async update(entitySet: string, id: string | KeyValues, body: Row, options: OperationOptions & { ifMatch?: string } = {}): Promise<void> {
    await this.send('PATCH', `${entitySet}${formatKey(id)}`, { ...options, body, headers: { 'If-Match': options.ifMatch ?? '*', ...(options.headers ?? {}) } });
  }

  /** Create or update by id or alternate key (PATCH without conditions). `createOnly` sends If-None-Match: *. */
  async upsert(entitySet: string, id: string | KeyValues, body: Row, options: OperationOptions & { createOnly?: boolean } = {}): Promise<void> {
    const headers = { ...(options.createOnly ? { 'If-None-Match': '*' } : {}), ...(options.headers ?? {}) };
    await this.send('PATCH', `${entitySet}${formatKey(id)}`, { ...options, body, headers });
  }

  async delete(entitySet: string, id: string | KeyValues, options: OperationOptions & { ifMatch?: string } = {}): Promise<void> {
    const headers = { ...(options.ifMatch ? { 'If-Match': options.ifMatch } : {}), ...(options.headers ?? {}) };
    await this.send('DELETE', `${entitySet}${formatKey(id)}`, { ...options, headers });
  }

  /** Unbound action (`WinOpportunity`, `PublishXml`, `InsertOptionValue`, `ImportSolution` …). */
  async executeAction(name: string, body: unknown, options: OperationOptions = {}): Promise<unknown> {
    return this.json('POST', name, { ...options, body: body ?? {} });
  }

  /** Action bound to an entity set (`accounts/Microsoft.Dynamics.CRM.UpsertMultiple`). */
  async executeBoundAction(entitySet: string, name: string, body: unknown, options: OperationOptions = {}): Promise<unknown> {
    const qualified = name.includes('.') ? name : `Microsoft.Dynamics.CRM.${name}`;
    return this.json('POST', `${entitySet}/${qualified}`, { ...options, body: body ?? {} });
  }

  /** GET with a path relative to the Web API root (metadata queries and functions). */
  async get<T = unknown>(path: string, options: OperationOptions = {}): Promise<T> {
    return this.json<T>('GET', path, options);
  }

  /** POST with a JSON body; returns the response (status, headers, body text). */
  async post(path: string, body: unknown, options: OperationOptions = {}): Promise<HttpResponse> {
    return this.send('POST', path, { ...options, body });
  }

  /**
   * `$batch`: one HTTP request, results per operation in order. `continueOnError` sends `Prefer: odata.continue-on-error`
   * (each part gets its own status); without it the service stops at the first failure and returns only that part.
   */
  async batch(requests: BatchRequest[], options: OperationOptions & { continueOnError?: boolean; changeSet?: boolean } = {}): Promise<BatchResponse[]> {
    if (requests.length === 0) return [];
    if (requests.length > 1000) throw new Error(`A $batch holds at most 1,000 operations; got ${requests.length}.`);
    const { contentType, body } = writeBatch(this.webApiUrl, requests, { changeSet: options.changeSet });
    const headers: Record<string, string> = { ...(options.continueOnError ? { Prefer: 'odata.continue-on-error' } : {}), ...(options.headers ?? {}) };
    // Stop-at-first-error: the outer status is the failing part's status but the body is still multipart.
    const res = await this.send('POST', '$batch', {
      ...options,
      rawBody: body,
      contentType,
      headers,
      acceptResponse: (r) => r.status !== 429 && r.status < 500 && /multipart\/mixed/i.test(r.headers['content-type'] ?? ''),
    });
    return readBatch(res.headers['content-type'], res.bodyText);
  }
}

export function queryString(q: { select?: string[]; filter?: string; orderBy?: string[]; top?: number; expand?: string }): string {
  const parts: string[] = [];
  if (q.select?.length) parts.push(`$select=${q.select.map(encodeURIComponent).join(',')}`);
  if (q.filter) parts.push(`$filter=${encodeURIComponent(q.filter)}`);
  if (q.orderBy?.length) parts.push(`$orderby=${q.orderBy.map(encodeURIComponent).join(',')}`);
  if (q.top !== undefined) parts.push(`$top=${q.top}`);
  if (q.expand) parts.push(`$expand=${encodeURIComponent(q.expand)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
