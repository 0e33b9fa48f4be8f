// HttpTransport for the browser (the Mapping Wizard inside Dynamics): the page's fetch, bodies as Buffer from the
// npm `buffer` package (the Node built-in when run in Node), timeouts and aborts as ActionstepError kinds.
import { Buffer } from 'buffer';
import { ActionstepError } from '../errors';
import { describe, sendWithFetch, type HttpRequest, type HttpResponse, type HttpTransport } from '../transport/httpTransport';

export interface BrowserFetchHttpTransportOptions {
  /** Default: the global fetch, bound to globalThis (a detached window.fetch throws "Illegal invocation"). */
  fetch?: typeof fetch;
  /** Rewrite the connector runtime's own error bodies (`{ error: { code, message } }`, the platform's shape) into
   *  Actionstep's `{ errors: [{ code, title, detail }] }`, so the client's errors name the platform's code and reason.
   *  Actionstep never sends that shape (its `error` is an RFC 6749 string), so its answers pass untouched. Default true. */
  adaptPlatformErrors?: boolean;
}

export class BrowserFetchHttpTransport implements HttpTransport {
  private readonly fetchImpl: typeof fetch;
  private readonly adaptPlatformErrors: boolean;

  constructor(options: BrowserFetchHttpTransportOptions = {}) {
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.adaptPlatformErrors = options.adaptPlatformErrors ?? true;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    // Bearer tokens only: no cookies travel, so the runtime's CORS needs no credentials.
    const response = await sendWithFetch(request, this.fetchImpl, { credentials: 'omit', mode: 'cors' }, (res) => {
      // A cross-origin redirect is hidden from scripts (type "opaqueredirect", status 0): the connector runtime never
      // redirects data calls, so this is a misconfigured endpoint, not something to retry.
      if (res.type === 'opaqueredirect' || res.status === 0) {
        throw new ActionstepError(`The server answered ${describe(request)} with a redirect the browser does not let scripts follow; check the connector runtime URL.`, {
          kind: 'http',
          code: 'OPAQUE_REDIRECT',
          request: describe(request),
        });
      }
    });
    return this.adaptPlatformErrors ? adaptPlatformError(response) : response;
  }
}

/** A connector-runtime error body, re-expressed the way the client reads Actionstep errors. */
export function adaptPlatformError(response: HttpResponse): HttpResponse {
  if (response.status < 400 || !/json/i.test(response.headers['content-type'] ?? '')) return response;
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body.toString('utf8'));
  } catch {
    return response;
  }
  const error = (parsed as { error?: unknown; errors?: unknown } | null)?.error;
  if (!error || typeof error !== 'object' || (parsed as { errors?: unknown }).errors !== undefined) return response;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return response;
  const body = { errors: [{ status: response.status, code, title: 'Power Platform connector runtime', detail: message }] };
  return { ...response, body: Buffer.from(JSON.stringify(body), 'utf8') };
}
