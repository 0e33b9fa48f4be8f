// A scripted HttpTransport for unit tests: records every request and answers from a handler.
import type { HttpRequest, HttpResponse, HttpTransport } from '../src/transport/httpTransport';

export type StubHandler = (req: HttpRequest, index: number) => HttpResponse | Promise<HttpResponse>;

export class StubTransport implements HttpTransport {
  readonly requests: HttpRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  constructor(private readonly handler: StubHandler) {}
  async send(req: HttpRequest): Promise<HttpResponse> {
    this.requests.push(req);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await this.handler(req, this.requests.length - 1);
    } finally {
      this.inFlight--;
    }
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/vnd.api+json', ...headers }, body: Buffer.from(JSON.stringify(body)) };
}

export function empty(status = 204): HttpResponse {
  return { status, headers: {}, body: Buffer.alloc(0) };
}

export function envelope(resource: string, records: unknown, paging?: { page: number; pageCount: number; recordCount: number; pageSize?: number }, linked?: Record<string, unknown>): HttpResponse {
  const body: Record<string, unknown> = { links: {}, [resource]: records };
  if (linked) body.linked = linked;
  body.meta = {
    paging: paging ? { [resource]: { pageSize: 200, prevPage: null, nextPage: null, ...paging } } : {},
    debug: { rl: null },
  };
  return json(200, body);
}

export function asError(status: number, code: string, title: string): HttpResponse {
  return json(status, { errors: { id: 'abc', links: { about: null }, status, code, title, detail: `${title} detail`, source: { pointer: null, parameter: null }, meta: [], rls: null } });
}

export function query(req: HttpRequest): URLSearchParams {
  return new URL(req.url).searchParams;
}
