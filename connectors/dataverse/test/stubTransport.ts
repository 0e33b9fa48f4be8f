// Test double for HttpTransport: a handler decides each response; every request is recorded with its start time.
import type { Clock, HttpRequest, HttpResponse, HttpTransport } from '../src/types';

export interface RecordedRequest extends HttpRequest {
  at: number;
  json?: unknown;
}

export function stubTransport(handler: (req: RecordedRequest, n: number) => HttpResponse | Promise<HttpResponse>, clock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) }) {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let peak = 0;
  const transport: HttpTransport = {
    async send(req) {
      const rec: RecordedRequest = { ...req, at: clock.now() };
      if (req.body && /json/.test(req.headers['Content-Type'] ?? '')) rec.json = JSON.parse(req.body);
      requests.push(rec);
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        return await handler(rec, requests.length);
      } finally {
        inFlight--;
      }
    },
  };
  return { transport, requests, peak: () => peak };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'content-type': 'application/json; odata.metadata=minimal', ...headers }, bodyText: body === undefined ? '' : JSON.stringify(body) };
}

export function dvError(status: number, code: string, message: string, headers: Record<string, string> = {}): HttpResponse {
  return json(status, { error: { code, message } }, headers);
}

export const noContent = (headers: Record<string, string> = {}): HttpResponse => ({ status: 204, headers, bodyText: '' });

/** A clock whose sleep advances virtual time at once (single-flow tests). */
export function virtualClock(start = 1_000_000): Clock & { sleeps: number[] } {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += Math.max(0, ms);
      await Promise.resolve();
    },
  };
}

export const staticToken = { getToken: async () => 'test-token' };
export const WEB_API = 'https://org.example.crm.dynamics.com/api/data/v9.2/';
