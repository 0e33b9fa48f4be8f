// HttpTransport for the browser (the Mapping Wizard inside Dynamics): the page's fetch, bodies as Buffer from the
// npm `buffer` package (the Node built-in when run in Node), timeouts and aborts as ActionstepError kinds.
import { Buffer } from 'buffer';
import { ActionstepError, abortError } from '../errors';
import { describe, type HttpRequest, type HttpResponse, type HttpTransport } from '../transport/httpTransport';

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
    const controller = new AbortController();
    const userSignal = request.abortSignal;
    if (userSignal?.aborted) throw abortError(describe(request));
    let timedOut = false;
    const onAbort = (): void => controller.abort();
    userSignal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      request.timeoutInMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, request.timeoutInMs)
        : undefined;
    try {
      const res = await this.fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: controller.signal,
        // Bearer tokens only: no cookies travel, so the runtime's CORS needs no credentials.
        credentials: 'omit',
        mode: 'cors',
        redirect: 'manual',
      });
      // A cross-origin redirect is hidden from scripts (type "opaqueredirect", status 0): the connector runtime never
      // redirects data calls, so this is a misconfigured endpoint, not something to retry.
      if (res.type === 'opaqueredirect' || res.status === 0) {
        throw new ActionstepError(`The server answered ${describe(request)} with a redirect the browser does not let scripts follow; check the connector runtime URL.`, {
          kind: 'http',
          code: 'OPAQUE_REDIRECT',
          request: describe(request),
        });
      }
      // The body is read inside the timeout too: a server that stalls mid-body is as dead as one that never answers.
      const body = Buffer.from(await res.arrayBuffer());
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      const response = { status: res.status, headers, body };
      return this.adaptPlatformErrors ? adaptPlatformError(response) : response;
    } catch (e) {
      if (e instanceof ActionstepError) throw e;
      if (userSignal?.aborted) throw abortError(describe(request));
      if (timedOut) {
        throw new ActionstepError(`No response within ${request.timeoutInMs} ms (${describe(request)}).`, { kind: 'timeout', request: describe(request) });
      }
      // Browsers say only "Failed to fetch" (CORS refusals look the same by design); Node's fetch adds a cause code.
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new ActionstepError(`Network error (${detail}) on ${describe(request)}.`, { kind: 'network', code: cause?.code, request: describe(request) });
    } finally {
      if (timer) clearTimeout(timer);
      userSignal?.removeEventListener('abort', onAbort);
    }
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
