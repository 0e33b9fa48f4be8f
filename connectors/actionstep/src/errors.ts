// Errors that explain themselves (DynamicsWebApi style: status, headers, the API's error code) and never carry a
// token or a secret: messages are built from our own words and the API's error title/detail only.

export type ActionstepErrorKind =
  | 'http' // the API answered with a non-success status
  | 'network' // connection refused/reset, socket closed before a response
  | 'timeout' // no response within timeoutInMs
  | 'aborted' // the caller's abortSignal fired
  | 'auth' // OAuth flow or token problem
  | 'parse' // the response could not be understood
  | 'usage'; // the caller asked for something the API cannot do

export interface ActionstepErrorOptions {
  kind: ActionstepErrorKind;
  status?: number;
  /** Actionstep `AS-xxxx` code, or the RFC 6749 `error` value for token errors. */
  code?: string;
  headers?: Record<string, string>;
  /** Method and URL of the failed request, query string included (never contains tokens). */
  request?: string;
  cause?: unknown;
}

export class ActionstepError extends Error {
  readonly kind: ActionstepErrorKind;
  readonly status?: number;
  readonly code?: string;
  readonly headers: Record<string, string>;
  readonly request?: string;

  constructor(message: string, options: ActionstepErrorOptions) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ActionstepError';
    this.kind = options.kind;
    this.status = options.status;
    this.code = options.code;
    this.headers = redactHeaders(options.headers ?? {});
    this.request = options.request === undefined ? undefined : redactSecrets(options.request);
  }
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'set-cookie', 'proxy-authorization']);

export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = SECRET_HEADERS.has(k.toLowerCase()) ? 'REDACTED' : v;
  return out;
}

/** Last line of defence: strips bearer tokens and OAuth secrets that might have slipped into a message. */
export function redactSecrets(text: string): string {
  return text
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1REDACTED')
    .replace(/((?:access_token|refresh_token|client_secret|id_token)["']?\s*[=:]\s*["']?)[^&"'\s,}]+/gi, '$1REDACTED')
    .replace(/([?&]code=)[^&\s]+/gi, '$1REDACTED');
}

export function abortError(request?: string): ActionstepError {
  return new ActionstepError(`The operation was aborted${request ? ` (${request})` : ''}.`, { kind: 'aborted', request });
}
