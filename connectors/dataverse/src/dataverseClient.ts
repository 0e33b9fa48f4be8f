// DataverseClient: a thin facade over the Web API v9.2. Every request goes through one pipeline:
// throttle gate (Retry-After) → concurrency slot → token → transport → retry strategies (Azure SDK order:
// throttling first, then transient 5xx / network / Dataverse transient codes with exponential backoff and jitter).
import { AdaptiveConcurrency, parseLenientNumber } from './adaptiveConcurrency';
import { readBatch, writeBatch } from './batchCodec';
import {
  DataverseError,
  THROTTLE_CODES,
  TRANSIENT_CODES,
  errorFromResponse,
  pathOf,
} from './errors';
import { formatKey, idFromEntityUrl } from './formatKey';
import { ThrottleGate } from './throttleGate';
import {
  abortError,
  realClock,
  type BatchRequest,
  type BatchResponse,
  type Clock,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  type KeyValues,
  type Logger,
  type OperationOptions,
  type PagedAsyncIterableIterator,
  type RetryOptions,
  type Row,
  type TokenProvider,
} from './types';

export interface DataverseClientOptions {
  /** `https://org.crm.dynamics.com/api/data/v9.2/` (a trailing slash is added when missing). */
  webApiUrl: string;
  credential: TokenProvider;
  /** Default: global fetch (browser: same-origin; Node: use createNodeTransport for keep-alive). */
  transport?: HttpTransport;
  retry?: RetryOptions;
  /** Ceiling for requests in flight; clamped to 52 (the per-user service-protection limit). Default 52. */
  maxConcurrency?: number;
  /** Concurrency before the server's x-ms-dop-hint is known. Default 4. */
  initialConcurrency?: number;
  logger?: Logger;
  userAgent?: string;
  /** Per-request timeout. Default 300,000 ms (bulk requests can run for minutes). */
  timeoutInMs?: number;
}

export interface ClientStats {
  requests: number;
  retries: number;
  throttled: number;
  byStatus: Record<string, number>;
}

/** One send, as recorded for tests and benchmarks (times from the client's clock). */
export interface RequestRecord {
  method: string;
  path: string;
  attempt: number;
  startedAt: number;
  endedAt: number;
  status: number;
  code?: string;
  retryAfterMs?: number;
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

interface SendOptions extends OperationOptions {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** Treat this error response as an answer (the stop-at-first-error `$batch` reply is a multipart 4xx). */
  acceptResponse?: (response: HttpResponse) => boolean;
}

const DEFAULT_TIMEOUT = 300_000;

export class DataverseClient {
  readonly webApiUrl: string;
  readonly stats: ClientStats = { requests: 0, retries: 0, throttled: 0, byStatus: {} };
  readonly concurrency: AdaptiveConcurrency;
  readonly gate: ThrottleGate;
  readonly clock: Clock;
  /** The last `x-ms-dop-hint` seen (WhoAmI). */
  dopHint?: number;
  /** When set, every send is appended here (tests and benchmarks read it). */
  requestLog?: RequestRecord[];
  private readonly transport: HttpTransport;
  private readonly credential: TokenProvider;
  private readonly retry: Required<Omit<RetryOptions, 'clock'>>;
  private readonly logger?: Logger;
  private readonly userAgent?: string;
  private readonly timeoutInMs: number;

  constructor(options: DataverseClientOptions) {
    if (!options?.webApiUrl) throw new Error('DataverseClient needs webApiUrl (https://<org>.crm.dynamics.com/api/data/v9.2/).');
    if (!options.credential) throw new Error('DataverseClient needs a credential (TokenProvider).');
    this.webApiUrl = options.webApiUrl.endsWith('/') ? options.webApiUrl : options.webApiUrl + '/';
    this.credential = options.credential;
    this.transport = options.transport ?? createFetchTransport();
    this.clock = options.retry?.clock ?? realClock;
    this.retry = {
      maxRetries: options.retry?.maxRetries ?? 5,
      maxThrottleRetries: options.retry?.maxThrottleRetries ?? 30,
      retryDelayInMs: options.retry?.retryDelayInMs ?? 500,
      maxRetryDelayInMs: options.retry?.maxRetryDelayInMs ?? 30_000,
      defaultRetryAfterInMs: options.retry?.defaultRetryAfterInMs ?? 5_000,
    };
    this.concurrency = new AdaptiveConcurrency({ maxConcurrency: options.maxConcurrency, initialConcurrency: options.initialConcurrency });
    this.gate = new ThrottleGate(this.clock);
    this.logger = options.logger;
    this.userAgent = options.userAgent;
    this.timeoutInMs = options.timeoutInMs ?? DEFAULT_TIMEOUT;
  }

  // ---------------------------------------------------------------- pipeline

  /** Sends one request through the pipeline; returns the 2xx/3xx response or throws DataverseError. */
  async send(method: HttpRequest['method'], path: string, options: SendOptions = {}): Promise<HttpResponse> {
    const url = /^[a-z]+:\/\//i.test(path) ? path : this.webApiUrl + path.replace(/^\//, '');
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    let retries = 0;
    let throttleRetries = 0;
    let tokenRefreshes = 0;
    for (let attempt = 1; ; attempt++) {
      await this.gate.wait(options.abortSignal);
      const release = await this.concurrency.acquire(options.abortSignal);
      const startedAt = this.clock.now();
      let response: HttpResponse | undefined;
      let networkError: unknown;
      try {
        // The gate may have closed while we waited for a slot: never send before a Retry-After has passed.
        await this.gate.wait(options.abortSignal);
        const token = await this.credential.getToken(options.abortSignal);
        const headers: Record<string, string> = {
          Accept: 'application/json',
          'OData-Version': '4.0',
          'OData-MaxVersion': '4.0',
          ...(body !== undefined ? { 'Content-Type': options.contentType ?? 'application/json; charset=utf-8' } : {}),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
          ...(this.userAgent ? { 'User-Agent': this.userAgent } : {}),
          ...(options.headers ?? {}),
        };
        response = await this.transport.send({ method, url, headers, body, abortSignal: options.abortSignal, timeoutInMs: this.timeoutInMs });
      } catch (e) {
        networkError = e;
      } finally {
        release();
      }
      const endedAt = this.clock.now();
      this.stats.requests++;
      if (networkError !== undefined) {
        if (options.abortSignal?.aborted || (networkError as Error)?.name === 'AbortError') throw networkError instanceof Error ? networkError : abortError();
        this.stats.byStatus.network = (this.stats.byStatus.network ?? 0) + 1;
        this.record({ method, path: pathOf(url), attempt, startedAt, endedAt, status: 0, code: 'NetworkError' });
        const err = new DataverseError(`${method} ${pathOf(url)} failed: ${(networkError as Error)?.message ?? String(networkError)}`, {
          status: 0,
          code: 'NetworkError',
          request: { method, url: pathOf(url) },
        });
        if (retries < this.retry.maxRetries) {
          retries++;
          await this.backoff(retries, undefined, err, options.abortSignal);
          continue;
        }
        throw err;
      }
      const res = response!;
      this.stats.byStatus[String(res.status)] = (this.stats.byStatus[String(res.status)] ?? 0) + 1;
      if (res.status < 400 || options.acceptResponse?.(res)) {
        this.concurrency.observe(res.headers);
        this.record({ method, path: pathOf(url), attempt, startedAt, endedAt, status: res.status });
        return res;
      }
      const err = errorFromResponse(res, { method, url });
      this.record({ method, path: pathOf(url), attempt, startedAt, endedAt, status: res.status, code: err.code, retryAfterMs: err.retryAfterMs });
      if (res.status === 429 || THROTTLE_CODES.has(err.code)) {
        this.stats.throttled++;
        const waitMs = err.retryAfterMs ?? this.retry.defaultRetryAfterInMs;
        // Pause the whole client, measured from when this response arrived.
        this.gate.pause(waitMs);
        this.concurrency.onThrottled(err.code);
        this.logger?.warn?.('Dataverse throttled the client', { code: err.code, retryAfterMs: waitMs, path: pathOf(url) });
        if (throttleRetries < this.retry.maxThrottleRetries) {
          throttleRetries++;
          this.stats.retries++;
          continue;
        }
        throw err;
      }
      if (res.status === 401 && tokenRefreshes < 2 && this.credential.invalidate) {
        // An expired or revoked token: ask the credential for a fresh one (twice at most: a third 401 is not expiry).
        tokenRefreshes++;
        this.credential.invalidate();
        this.stats.retries++;
        continue;
      }
      if (isTransient(res.status, err.code) && retries < this.retry.maxRetries) {
        retries++;
        await this.backoff(retries, err.retryAfterMs, err, options.abortSignal);
        continue;
      }
      throw err;
    }
  }

  private record(r: RequestRecord): void {
    this.requestLog?.push(r);
  }

  private async backoff(retry: number, retryAfterMs: number | undefined, err: DataverseError, abortSignal?: AbortSignal): Promise<void> {
    this.stats.retries++;
    let delay: number;
    if (retryAfterMs !== undefined) {
      delay = retryAfterMs;
      this.gate.pause(delay); // a 503 with Retry-After means the server wants everyone to wait
    } else {
      const exp = Math.min(this.retry.maxRetryDelayInMs, this.retry.retryDelayInMs * 2 ** (retry - 1));
      delay = exp / 2 + Math.random() * (exp / 2); // jitter so parallel workers do not retry in lockstep
    }
    this.logger?.debug?.('Retrying Dataverse request', { retry, delayMs: Math.round(delay), status: err.status, code: err.code });
    await this.clock.sleep(delay, abortSignal);
  }

  private async json<T>(method: HttpRequest['method'], path: string, options: SendOptions = {}): Promise<T> {
    const res = await this.send(method, path, options);
    if (!res.bodyText) return undefined as T;
    try {
      return JSON.parse(res.bodyText) as T;
    } catch {
      throw new DataverseError(`${method} ${path}: the response is not JSON: ${res.bodyText.slice(0, 200)}`, { status: res.status, code: 'InvalidResponse', headers: res.headers });
    }
  }

  // ---------------------------------------------------------------- operations

  async whoAmI(options: OperationOptions = {}): Promise<{ UserId: string; BusinessUnitId: string; OrganizationId: string; dopHint: number }> {
    const res = await this.send('GET', 'WhoAmI', options);
    const body = JSON.parse(res.bodyText) as { UserId: string; BusinessUnitId: string; OrganizationId: string };
    const dop = parseLenientNumber(res.headers['x-ms-dop-hint']);
    if (dop !== undefined && dop > 0) {
      this.dopHint = dop;
      this.concurrency.applyDopHint(dop);
      // observe() already ran inside send(); a budget header, when present, takes precedence over the hint.
      this.concurrency.observe(res.headers);
    }
    return { UserId: body.UserId, BusinessUnitId: body.BusinessUnitId, OrganizationId: body.OrganizationId, dopHint: dop ?? this.concurrency.limit };
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
  async retrieveByValues(entitySet: string, column: string, values: string[], select?: string[], options: OperationOptions & { chunkSize?: number } = {}): Promise<Row[]> {
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
    const results = await Promise.all(
      chunks.map((chunk) =>
        this.retrieveAll(entitySet, {
          select,
          filter: `Microsoft.Dynamics.CRM.In(PropertyName='${column}',PropertyValues=[${chunk.join(',')}])`,
          abortSignal: options.abortSignal,
        }),
      ),
    );
    return results.flat();
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

function isTransient(status: number, code: string): boolean {
  if (TRANSIENT_CODES.has(code)) return true;
  return status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
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

/** Global fetch as a transport (browser, or Node without keep-alive tuning). */
export function createFetchTransport(init: { credentials?: 'same-origin' | 'include' | 'omit' } = {}): HttpTransport {
  return {
    async send(request) {
      const f = (globalThis as { fetch?: typeof fetch }).fetch;
      if (!f) throw new Error('No global fetch: pass a transport (createNodeTransport) to DataverseClient.');
      let signal = request.abortSignal;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      if (request.timeoutInMs) {
        const ac = new AbortController();
        timer = setTimeout(() => ac.abort(new Error(`Request timed out after ${request.timeoutInMs} ms`)), request.timeoutInMs);
        onAbort = () => ac.abort();
        if (request.abortSignal?.aborted) ac.abort();
        request.abortSignal?.addEventListener('abort', onAbort, { once: true });
        signal = ac.signal;
      }
      try {
        const res = await f(request.url, { method: request.method, headers: request.headers, body: request.body, signal, credentials: init.credentials });
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => {
          headers[k.toLowerCase()] = v;
        });
        return { status: res.status, headers, bodyText: await res.text() };
      } finally {
        if (timer) clearTimeout(timer);
        // One run-wide signal serves every request: a listener left on it per request would pile up for the whole run.
        if (onAbort) request.abortSignal?.removeEventListener('abort', onAbort);
      }
    },
  };
}
