// The one place that touches the network. Tests replace it with a stub; the client never calls fetch directly.
import { Buffer } from 'buffer';
import { ActionstepError, abortError } from '../errors';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute URL, already encoded as it must go on the wire. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Give up waiting for the response after this long (kind 'timeout'). */
  timeoutInMs?: number;
  abortSignal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Buffer;
}

export interface HttpTransport {
  /** Resolves with any HTTP status; rejects only with ActionstepError of kind network, timeout or aborted. */
  send(request: HttpRequest): Promise<HttpResponse>;
}

/** Node's global fetch (undici): keeps connections alive by default, which matters for thousands of page calls. */
export class FetchHttpTransport implements HttpTransport {
  send(request: HttpRequest): Promise<HttpResponse> {
    return sendWithFetch(request, fetch);
  }
}

/**
 * One request through a fetch function, under the request's abort signal and timeout (the body is read inside the
 * timeout too: a server that stalls mid-body is as dead as one that never answers). Network failures, timeouts and
 * aborts become ActionstepError kinds; `inspect` may refuse a response the caller cannot use.
 */
export async function sendWithFetch(request: HttpRequest, fetchImpl: typeof fetch, init: RequestInit = {}, inspect?: (res: Response) => void): Promise<HttpResponse> {
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
    const res = await fetchImpl(request.url, {
      ...init,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: controller.signal,
      redirect: 'manual',
    });
    inspect?.(res);
    const body = Buffer.from(await res.arrayBuffer());
    return { status: res.status, headers: headersOf(res), body };
  } catch (e) {
    if (e instanceof ActionstepError) throw e;
    if (userSignal?.aborted) throw abortError(describe(request));
    if (timedOut) {
      throw new ActionstepError(`No response within ${request.timeoutInMs} ms (${describe(request)}).`, {
        kind: 'timeout',
        request: describe(request),
      });
    }
    // Browsers say only "Failed to fetch" (CORS refusals look the same by design); Node's fetch adds a cause code.
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (e as Error).message;
    throw new ActionstepError(`Network error (${detail}) on ${describe(request)}.`, {
      kind: 'network',
      code: cause?.code,
      request: describe(request),
    });
  } finally {
    if (timer) clearTimeout(timer);
    userSignal?.removeEventListener('abort', onAbort);
  }
}

/** A fetch Response's headers as a plain object with lower-case names. */
export function headersOf(res: Pick<Response, 'headers'>): Record<string, string> {
  const headers: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    headers[k.toLowerCase()] = v;
  });
  return headers;
}

export function describe(request: Pick<HttpRequest, 'method' | 'url'>): string {
  return `${request.method} ${request.url}`;
}
