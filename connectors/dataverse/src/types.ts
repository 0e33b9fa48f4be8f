// Shared contracts of the Dataverse connector. Everything here is browser-safe (no Node modules).

/** A request as the transport sees it. Header names are sent as given. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  abortSignal?: AbortSignal;
  timeoutInMs?: number;
}

/** A response with lower-case header names and the body read as text. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  bodyText: string;
}

/**
 * The injectable I/O edge (DynamicsWebApi style): Node (keep-alive agent), browser (same-origin fetch) or a stub in
 * tests. A transport throws only for network failures (reset, refused, timeout, abort); HTTP errors are responses.
 */
export interface HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** Gives a bearer token for the Dataverse resource. An empty string means "no Authorization header" (browser session). */
export interface TokenProvider {
  getToken(abortSignal?: AbortSignal): Promise<string>;
  /** Optional: forget the cached token (the client calls it once after a 401, then asks again). */
  invalidate?(): void;
}

export interface Logger {
  debug?(message: string, data?: Record<string, unknown>): void;
  info?(message: string, data?: Record<string, unknown>): void;
  warn?(message: string, data?: Record<string, unknown>): void;
  error?(message: string, data?: Record<string, unknown>): void;
}

/** Injectable time source so Retry-After and backoff can be tested without waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number, abortSignal?: AbortSignal): Promise<void>;
}

export interface RetryOptions {
  /** Retries for 5xx / network errors / transient Dataverse codes (exponential backoff with jitter). Default 5. */
  maxRetries?: number;
  /** Retries for 429 throttling (each waits its Retry-After). Default 30: throttling is expected under load. */
  maxThrottleRetries?: number;
  /** First backoff delay. Default 500 ms. */
  retryDelayInMs?: number;
  /** Backoff ceiling. Default 30,000 ms. */
  maxRetryDelayInMs?: number;
  /** Used when a 429 carries no Retry-After. Default 5,000 ms. */
  defaultRetryAfterInMs?: number;
  clock?: Clock;
}

export type Row = Record<string, unknown>;
/** Alternate key values: `{ astep_sourceid: "12--x" }`; numbers are written unquoted. */
export type KeyValues = Record<string, string | number>;

/** One operation inside a `$batch`. `url` is relative to the Web API root (`accounts(…)`) or absolute. */
export interface BatchRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Content-ID inside a change set (`$1` references). */
  contentId?: string;
}

export interface BatchResponse {
  status: number;
  headers: Record<string, string>;
  body?: unknown;
  contentId?: string;
  /** Set when status >= 400: the Dataverse error carried by this part. */
  error?: { code: string; message: string };
}

/** Azure SDK style paged iterator: iterate items, or pages with `.byPage()`. */
export interface PagedAsyncIterableIterator<T, TPage = T[]> {
  next(): Promise<IteratorResult<T>>;
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<T, TPage>;
  byPage(settings?: { maxPageSize?: number; continuationToken?: string }): AsyncIterableIterator<TPage>;
}

export interface OperationOptions {
  abortSignal?: AbortSignal;
  /** Extra request headers (e.g. `MSCRM.SolutionUniqueName`, `MSCRM.BypassCustomPluginExecution`). */
  headers?: Record<string, string>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, abortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (abortSignal?.aborted) return reject(abortError());
      const t = setTimeout(() => {
        abortSignal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = () => {
        clearTimeout(t);
        reject(abortError());
      };
      abortSignal?.addEventListener('abort', onAbort, { once: true });
    }),
};

export function abortError(): Error {
  const e = new Error('The operation was aborted.');
  e.name = 'AbortError';
  return e;
}
