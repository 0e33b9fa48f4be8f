// Every Actionstep call goes through here: bearer token (re-read per attempt, since a refresh can also move the
// api_endpoint), the client-wide concurrency limiter, the retry strategies, and request accounting.
import { ActionstepError, abortError } from '../errors';
import type { ActionstepTokenProvider } from '../auth/tokenProvider';
import { describe, type HttpResponse, type HttpTransport } from '../transport/httpTransport';
import { ConcurrencyLimiter } from './concurrencyLimiter';
import { RequestPacer } from './requestPacer';
import {
  decideRetry,
  DEFAULT_RETRY_OPTIONS,
  DEFAULT_RETRY_STRATEGIES,
  type RetryOptions,
  type RetryOutcome,
  type RetryStrategy,
} from './retryPolicy';

export type RequestKind = 'list' | 'get' | 'file';

export interface ActionstepLogger {
  info?(message: string): void;
  warning?(message: string): void;
}

export interface PipelineRequest {
  kind: RequestKind;
  /** Relative to api_endpoint, e.g. "rest/actions?page=2" (already encoded). */
  path: string;
  accept?: string;
  abortSignal?: AbortSignal;
  /** Statuses handed back to the caller instead of being thrown (e.g. 404 past the last file part). */
  passThroughStatuses?: number[];
}

export interface RequestCountSnapshot {
  /** Every HTTP request sent: API calls, their retries and token endpoint calls. */
  total: number;
  /** API requests by kind, retries included. */
  byKind: Record<RequestKind, number>;
  /** Calls to the OAuth token endpoint (sign-in and refreshes, retries included). */
  token: number;
  /** API requests that were retries of an earlier attempt (included in byKind). */
  retries: number;
  /** Token refreshes triggered by a 401 (the refresh calls themselves are in `token`). */
  refreshesAfter401: number;
  /** Responses by HTTP status; network errors and timeouts under "network" / "timeout". */
  byOutcome: Record<string, number>;
}

/** How fast this client may and does go: what a plan needs to estimate a listing's duration. */
export interface PaceSnapshot {
  /** The configured cap (maxRequestsPerSecond). */
  capPerSecond?: number;
  /** The limit learned from 429s; undefined while Actionstep has refused nothing. */
  learnedPerSecond?: number;
  /** Mean time Actionstep took to answer a successful request (pacing waits excluded). */
  meanLatencyMs?: number;
  /** Requests answered successfully (the latency's sample size). */
  answered: number;
  /** 429s received. */
  throttled: number;
  /** Requests the client runs at once. */
  maxConcurrency: number;
}

export interface RequestPipelineOptions {
  credential: ActionstepTokenProvider;
  transport: HttpTransport;
  /** Overrides the api_endpoint of the token response. */
  apiEndpoint?: string;
  retry?: RetryOptions;
  retryStrategies?: RetryStrategy[];
  maxConcurrency: number;
  timeoutInMs: number;
  logger?: ActionstepLogger;
  sleep: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  random: () => number;
  /** Hard cap on the request rate. Default: none. */
  maxRequestsPerSecond?: number;
  /** Learn the server's rate limit from 429s and pace below it (default true). */
  adaptivePacing?: boolean;
  now?: () => number;
}

export class RequestPipeline {
  private readonly limiter: ConcurrencyLimiter;
  private readonly retryOptions: Required<RetryOptions>;
  private readonly strategies: RetryStrategy[];
  private readonly counts = {
    byKind: { list: 0, get: 0, file: 0 } as Record<RequestKind, number>,
    retries: 0,
    refreshesAfter401: 0,
    byOutcome: {} as Record<string, number>,
  };

  private readonly latency = { sumMs: 0, answered: 0 };

  /** After a 429 every request of the client waits until then, not only the one that was refused: the limit is per
   *  session, so the other in-flight requests would be refused too and waste calls. */
  private throttledUntil = 0;
  private readonly pacer: RequestPacer;

  constructor(private readonly options: RequestPipelineOptions) {
    this.limiter = new ConcurrencyLimiter(options.maxConcurrency);
    this.retryOptions = { ...DEFAULT_RETRY_OPTIONS, ...stripUndefined(options.retry ?? {}) };
    this.strategies = options.retryStrategies ?? DEFAULT_RETRY_STRATEGIES;
    this.pacer = new RequestPacer({ maxRequestsPerSecond: options.maxRequestsPerSecond, adaptive: options.adaptivePacing, now: () => this.now() });
  }

  get requestCount(): RequestCountSnapshot {
    const api = Object.values(this.counts.byKind).reduce((a, b) => a + b, 0);
    const token = this.options.credential.tokenRequestCount ?? 0;
    return {
      total: api + token,
      byKind: { ...this.counts.byKind },
      token,
      retries: this.counts.retries,
      refreshesAfter401: this.counts.refreshesAfter401,
      byOutcome: { ...this.counts.byOutcome },
    };
  }

  get pace(): PaceSnapshot {
    return {
      ...this.pacer.limits,
      meanLatencyMs: this.latency.answered ? this.latency.sumMs / this.latency.answered : undefined,
      answered: this.latency.answered,
      throttled: this.counts.byOutcome['429'] ?? 0,
      maxConcurrency: this.options.maxConcurrency,
    };
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  /** Honours a client-wide 429 pause and the optional request pacing before each attempt. */
  private async waitForTurn(abortSignal?: AbortSignal): Promise<void> {
    const pause = this.throttledUntil - this.now();
    if (pause > 0) await this.options.sleep(pause, abortSignal);
    const wait = this.pacer.reserve();
    if (wait > 0) await this.options.sleep(wait, abortSignal);
  }

  async send(request: PipelineRequest): Promise<HttpResponse> {
    const { abortSignal } = request;
    let retryCount = 0;
    let tokenRefreshCount = 0;
    let token = await this.options.credential.getToken({ abortSignal });
    for (;;) {
      if (abortSignal?.aborted) throw abortError();
      const url = joinUrl(this.options.apiEndpoint ?? token.apiEndpoint, request.path);
      const httpRequest = {
        method: 'GET' as const,
        url,
        headers: { Authorization: `Bearer ${token.accessToken}`, Accept: request.accept ?? 'application/vnd.api+json' },
        timeoutInMs: this.options.timeoutInMs,
        abortSignal,
      };
      let outcome: RetryOutcome;
      await this.waitForTurn(abortSignal);
      await this.limiter.acquire(abortSignal);
      try {
        this.counts.byKind[request.kind]++;
        const sentAt = this.now();
        outcome = { response: await this.options.transport.send(httpRequest) };
        if (outcome.response.status >= 200 && outcome.response.status < 300) {
          this.latency.sumMs += this.now() - sentAt;
          this.latency.answered++;
        }
      } catch (e) {
        const err = e instanceof ActionstepError ? e : new ActionstepError(`Network error on ${describe(httpRequest)}: ${(e as Error).message}`, { kind: 'network', request: describe(httpRequest), cause: e });
        if (err.kind === 'aborted') throw err;
        outcome = { error: err };
      } finally {
        this.limiter.release();
      }
      const key = outcome.response ? String(outcome.response.status) : outcome.error.kind;
      this.counts.byOutcome[key] = (this.counts.byOutcome[key] ?? 0) + 1;
      const res = outcome.response;
      if (res?.status === 429) this.pacer.onThrottled();
      else if (res) this.pacer.onSuccess();
      if (res && ((res.status >= 200 && res.status < 300) || request.passThroughStatuses?.includes(res.status))) return res;

      const decision = decideRetry(this.strategies, { retryCount, outcome, tokenRefreshCount, options: this.retryOptions, random: this.options.random });
      if (decision.action === 'refreshToken') {
        if (tokenRefreshCount > 0) {
          retryCount++; // only the first refresh of a request is free
          this.counts.retries++;
        }
        tokenRefreshCount++;
        this.counts.refreshesAfter401++;
        this.options.logger?.info?.(`Actionstep: ${decision.reason} on ${describe(httpRequest)}; refreshing the token.`);
        token = await this.options.credential.getToken({ abortSignal, staleAccessToken: token.accessToken });
        continue;
      }
      if (decision.action === 'retry') {
        retryCount++;
        this.counts.retries++;
        this.options.logger?.warning?.(
          `Actionstep: ${decision.reason} on ${describe(httpRequest)}; retry ${retryCount}/${this.retryOptions.maxRetries} in ${decision.delayInMs} ms.`,
        );
        // A 429 pauses the whole client (waitForTurn); other failures delay only this request.
        if (res?.status === 429) this.throttledUntil = Math.max(this.throttledUntil, this.now() + decision.delayInMs);
        else await this.options.sleep(decision.delayInMs, abortSignal);
        // A long wait may outlive the token; getToken refreshes it if it is about to expire.
        token = await this.options.credential.getToken({ abortSignal });
        continue;
      }
      throw toError(outcome, describe(httpRequest), retryCount, decision.reason);
    }
  }
}

function toError(outcome: RetryOutcome, request: string, retryCount: number, reason: string): ActionstepError {
  const tries = retryCount > 0 ? ` after ${retryCount} ${retryCount === 1 ? 'retry' : 'retries'}` : '';
  if (!outcome.response) {
    return new ActionstepError(`${outcome.error.message.replace(/\.$/, '')}${tries} (${reason}).`, {
      kind: outcome.error.kind,
      code: outcome.error.code,
      request,
      cause: outcome.error,
    });
  }
  const res = outcome.response;
  const { code, text } = describeErrorBody(res);
  return new ActionstepError(`Actionstep ${request} failed with ${res.status}${code ? ` ${code}` : ''}${text ? `: ${text}` : ''}${tries}.`, {
    kind: 'http',
    status: res.status,
    code,
    headers: res.headers,
    request,
  });
}

/** Actionstep's `errors` (object, or array per S9) or an RFC 6749 `{error, error_description}` body. */
export function describeErrorBody(res: HttpResponse): { code?: string; text?: string } {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch {
    const raw = res.body.toString('utf8').trim().slice(0, 200);
    return { text: raw || undefined };
  }
  const errs = body.errors;
  const first = (Array.isArray(errs) ? errs[0] : errs) as Record<string, unknown> | undefined;
  if (first && typeof first === 'object') {
    const parts = [first.title, first.detail].filter((x) => typeof x === 'string' && x !== '');
    return { code: typeof first.code === 'string' ? first.code : undefined, text: parts.join(' - ') || undefined };
  }
  if (typeof body.error === 'string') {
    return { code: body.error, text: typeof body.error_description === 'string' ? body.error_description : undefined };
  }
  return {};
}

export function joinUrl(base: string, path: string): string {
  return `${base.endsWith('/') ? base : `${base}/`}${path.replace(/^\//, '')}`;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
