// Retry as an ordered list of strategies (Azure core-rest-pipeline style): the first strategy with an opinion wins.
// Order matters: an expired token is fixed by refreshing, not by waiting; a server that says when to come back is
// believed (never earlier); everything else transient backs off exponentially with full jitter.
import type { ActionstepError } from '../errors';
import type { HttpResponse } from '../transport/httpTransport';

export interface RetryOptions {
  /** Retries after the first attempt (token refreshes are not counted). Default 8. */
  maxRetries?: number;
  /** Base of the exponential backoff. Default 800 ms. */
  retryDelayInMs?: number;
  /** Cap of the exponential backoff (a server's Retry-After is never shortened by it). Default 30 s. */
  maxRetryDelayInMs?: number;
}

export type RetryOutcome = { response: HttpResponse; error?: undefined } | { response?: undefined; error: ActionstepError };

export interface RetryContext {
  /** Retries already made for this request. */
  retryCount: number;
  outcome: RetryOutcome;
  /** Token refreshes this request already caused. */
  tokenRefreshCount: number;
  options: Required<RetryOptions>;
  random: () => number;
}

export type RetryDecision =
  | { action: 'retry'; delayInMs: number; reason: string }
  | { action: 'refreshToken'; reason: string }
  | { action: 'fail'; reason: string };

export interface RetryStrategy {
  name: string;
  /** undefined = no opinion, ask the next strategy. */
  decide(context: RetryContext): RetryDecision | undefined;
}

export const DEFAULT_RETRY_OPTIONS: Required<RetryOptions> = {
  maxRetries: 8,
  retryDelayInMs: 800,
  maxRetryDelayInMs: 30_000,
};

/**
 * 401 with an RFC 6749 token error: refresh (single-flight in the credential), then retry at once. The first refresh
 * of a request is free; a token that expires again (a long run, or injected faults) costs a retry from the budget, so
 * a server that rejects every fresh token still ends in an error.
 */
export const expiredTokenStrategy: RetryStrategy = {
  name: 'expiredToken',
  decide({ outcome, tokenRefreshCount, retryCount, options }) {
    if (outcome.response?.status !== 401) return undefined;
    const error = tokenErrorOf(outcome.response);
    // invalid_token too: another request may have rotated the token this one was still using.
    if (error !== 'expired_token' && error !== 'invalid_token') return { action: 'fail', reason: `401 ${error ?? ''}`.trim() };
    if (tokenRefreshCount > 0 && retryCount >= options.maxRetries) {
      return { action: 'fail', reason: `401 ${error} after ${tokenRefreshCount} token refreshes and ${retryCount} retries` };
    }
    return { action: 'refreshToken', reason: `401 ${error}` };
  },
};

/** 429 / 503 carrying Retry-After: wait exactly as long as the server asks, never less. */
export const throttlingStrategy: RetryStrategy = {
  name: 'throttling',
  decide({ outcome, retryCount, options }) {
    const res = outcome.response;
    if (!res || (res.status !== 429 && res.status !== 503)) return undefined;
    const delay = parseRetryAfter(res.headers['retry-after']);
    if (delay === undefined) return undefined;
    if (retryCount >= options.maxRetries) return { action: 'fail', reason: `${res.status} after ${retryCount} retries` };
    return { action: 'retry', delayInMs: delay, reason: `${res.status} Retry-After ${res.headers['retry-after']}` };
  },
};

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);

/** Transient failures without server guidance: exponential backoff with full jitter (AWS architecture blog). */
export const exponentialRetryStrategy: RetryStrategy = {
  name: 'exponential',
  decide({ outcome, retryCount, options, random }) {
    const transient = outcome.response
      ? TRANSIENT_STATUS.has(outcome.response.status)
      : outcome.error.kind === 'network' || outcome.error.kind === 'timeout';
    if (!transient) return undefined;
    const what = outcome.response ? String(outcome.response.status) : outcome.error.kind;
    if (retryCount >= options.maxRetries) return { action: 'fail', reason: `${what} after ${retryCount} retries` };
    return { action: 'retry', delayInMs: backoffDelay(retryCount, options, random), reason: what };
  },
};

export const DEFAULT_RETRY_STRATEGIES: RetryStrategy[] = [expiredTokenStrategy, throttlingStrategy, exponentialRetryStrategy];

export function decideRetry(strategies: RetryStrategy[], context: RetryContext): RetryDecision {
  for (const s of strategies) {
    const d = s.decide(context);
    if (d) return d;
  }
  return { action: 'fail', reason: context.outcome.response ? `status ${context.outcome.response.status}` : context.outcome.error.kind };
}

export function backoffDelay(retryCount: number, options: Required<RetryOptions>, random: () => number): number {
  const ceiling = Math.min(options.maxRetryDelayInMs, options.retryDelayInMs * 2 ** retryCount);
  return Math.floor(random() * ceiling);
}

/** Retry-After is delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Returns ms, or undefined when absent/garbled. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.ceil(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

export function tokenErrorOf(res: HttpResponse): string | undefined {
  try {
    const body = JSON.parse(res.body.toString('utf8')) as { error?: unknown };
    if (typeof body.error === 'string') return body.error;
  } catch {
    // fall through to the header
  }
  const m = /error="([^"]+)"/.exec(res.headers['www-authenticate'] ?? '');
  return m?.[1];
}
