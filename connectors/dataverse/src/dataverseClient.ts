// DataverseClient: the Web API as one application user (or the signed-in user in the browser). Every request goes
// through one pipeline: throttle gate (Retry-After) → concurrency slot → token → transport → retry strategies (Azure
// SDK order: throttling first, then transient 5xx / network / Dataverse transient codes with exponential backoff and
// jitter). The operations (records, queries, actions, `$batch`) are DataverseApi's.
import { AdaptiveConcurrency, parseLenientNumber } from './adaptiveConcurrency';
import { DataverseApi, type ClientStats, type SendOptions, type WhoAmIResult } from './dataverseApi';
import {
  CREDENTIAL_ERROR_CODE,
  CredentialError,
  DataverseError,
  THROTTLE_CODES,
  TRANSIENT_CODES,
  errorFromResponse,
  pathOf,
} from './errors';
import { ThrottleGate } from './throttleGate';
import {
  abortError,
  realClock,
  type Clock,
  type HttpRequest,
  type HttpResponse,
  type HttpTransport,
  type Logger,
  type OperationOptions,
  type RetryOptions,
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

const DEFAULT_TIMEOUT = 300_000;

export class DataverseClient extends DataverseApi {
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
    super();
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

  /** Requests this client may have in flight now (its adaptive limit). */
  get capacity(): number {
    return this.concurrency.limit;
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
      let credentialError: unknown;
      try {
        // The gate may have closed while we waited for a slot: never send before a Retry-After has passed.
        await this.gate.wait(options.abortSignal);
        const token = await this.credential.getToken(options.abortSignal).catch((e: unknown) => {
          credentialError = e;
          return undefined;
        });
        if (token !== undefined) {
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
        }
      } catch (e) {
        networkError = e;
      } finally {
        release();
      }
      if (credentialError !== undefined) {
        // Nothing was sent to Dataverse. A refused credential (wrong secret, unknown app) is final; an unreachable
        // token endpoint is retried like a network error.
        if (options.abortSignal?.aborted || (credentialError as Error)?.name === 'AbortError') throw credentialError instanceof Error ? credentialError : abortError();
        const err = new DataverseError(`${method} ${pathOf(url)} was not sent: ${(credentialError as Error)?.message ?? String(credentialError)}`, {
          status: 401,
          code: CREDENTIAL_ERROR_CODE,
          request: { method, url: pathOf(url) },
        });
        const transient = !(credentialError instanceof CredentialError) || credentialError.transient;
        if (transient && retries < this.retry.maxRetries) {
          retries++;
          await this.backoff(retries, undefined, err, options.abortSignal);
          continue;
        }
        throw err;
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
        if (options.retryThrottled !== false && throttleRetries < this.retry.maxThrottleRetries) {
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

  async whoAmI(options: OperationOptions = {}): Promise<WhoAmIResult> {
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
}

function isTransient(status: number, code: string): boolean {
  if (TRANSIENT_CODES.has(code)) return true;
  return status === 408 || status === 500 || status === 502 || status === 503 || status === 504;
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
