// Errors that explain themselves (DynamicsWebApi style): HTTP status, the Dataverse hex code, the response headers.
import type { HttpResponse } from './types';

export class DataverseError extends Error {
  override name = 'DataverseError';
  /** HTTP status; 0 for a network failure that never got a response. */
  status: number;
  /** Dataverse error code in hex (`0x80040217`), `0x0`/'' for pure OData errors, or a connector code (`NetworkError`). */
  code: string;
  headers: Record<string, string>;
  /** From `Retry-After` on 429/503, in milliseconds. */
  retryAfterMs?: number;
  /** The request that failed, without query secrets (method and URL path). */
  request?: { method: string; url: string };

  constructor(message: string, init: { status: number; code: string; headers?: Record<string, string>; retryAfterMs?: number; request?: { method: string; url: string } }) {
    super(message);
    this.status = init.status;
    this.code = init.code;
    this.headers = init.headers ?? {};
    this.retryAfterMs = init.retryAfterMs;
    this.request = init.request;
  }
}

/** No token could be had: the token endpoint refused the credential (wrong secret, unknown app) or could not be reached. */
export class CredentialError extends Error {
  override name = 'CredentialError';
  /** False when the token endpoint refused the credential itself: asking again cannot help. */
  readonly transient: boolean;
  constructor(message: string, transient: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.transient = transient;
  }
}

/** `DataverseError.code` of a request that was never sent because no token could be had (status 401). */
export const CREDENTIAL_ERROR_CODE = 'CredentialError';

/** A key value that Dataverse cannot address in a URL, or a malformed key. Thrown before any request is sent. */
export class KeyFormatError extends Error {
  override name = 'KeyFormatError';
  readonly code = 'InvalidKeyValue';
  constructor(message: string, readonly column: string, readonly value: string | number) {
    super(message);
  }
}

/** Parses `Retry-After`: seconds (possibly fractional, as a scaled emulator sends) or an HTTP date. */
export function parseRetryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds)) return Math.max(0, Math.round(seconds * 1000));
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/** Reads `{"error":{"code","message"}}` (the Web API error shape) from a body, leniently. */
export function parseErrorBody(bodyText: string): { code: string; message: string } | undefined {
  if (!bodyText) return undefined;
  try {
    const parsed = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown } };
    if (parsed && typeof parsed === 'object' && parsed.error && typeof parsed.error === 'object') {
      return { code: String(parsed.error.code ?? ''), message: String(parsed.error.message ?? '') };
    }
  } catch {
    // not JSON: fall through
  }
  return undefined;
}

export function errorFromResponse(response: HttpResponse, request: { method: string; url: string }): DataverseError {
  const parsed = parseErrorBody(response.bodyText);
  const message = parsed?.message || `${request.method} ${pathOf(request.url)} failed with HTTP ${response.status}` +
    (response.bodyText && !parsed ? `: ${response.bodyText.slice(0, 300)}` : '');
  return new DataverseError(message, {
    status: response.status,
    code: parsed?.code ?? '',
    headers: response.headers,
    retryAfterMs: parseRetryAfterMs(response.headers['retry-after']),
    request: { method: request.method, url: pathOf(request.url) },
  });
}

/** Path and query of a URL, for messages (never includes credentials: we never put any in URLs). */
export function pathOf(url: string): string {
  const m = /^[a-z]+:\/\/[^/]+(\/.*)?$/i.exec(url);
  return m ? (m[1] ?? '/') : url;
}

export const EXECUTION_TIME_CODE = '0x80072321';
export const SQL_TIMEOUT_CODE = '0x80044151';
/** Service protection codes (api-limits): number of requests, execution time, concurrent requests. */
export const THROTTLE_CODES = new Set(['0x80072322', EXECUTION_TIME_CODE, '0x80072326']);
/** Codes worth retrying: throttling, SQL deadlock / timeout (bulk-operation-errors.md), generic transient SQL error. */
export const TRANSIENT_CODES = new Set([...THROTTLE_CODES, '0x80044150', SQL_TIMEOUT_CODE, '0x80040255']);
