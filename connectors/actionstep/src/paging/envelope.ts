// Undo the response envelope's quirks (reference §4): 204 with no body for "nothing", a bare object when a collection
// has exactly one record, `linked` sideloads keyed by resource, paging under meta.paging.<resource> (numbers possibly
// as strings).
import { ActionstepError } from '../errors';
import type { HttpResponse } from '../transport/httpTransport';

export interface PagingInfo {
  recordCount: number;
  pageCount: number;
  page: number;
  pageSize: number;
}

export interface ParsedEnvelope {
  records: Record<string, unknown>[];
  /** Sideloaded wire records per resource key, always arrays. */
  linked: Record<string, Record<string, unknown>[]>;
  paging?: PagingInfo;
}

export function parseEnvelope(resource: string, res: HttpResponse, request: string): ParsedEnvelope {
  if (res.status === 204 || res.body.length === 0) return { records: [], linked: {} };
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ActionstepError(`Actionstep ${request} returned a body that is not JSON (${(e as Error).message}).`, {
      kind: 'parse',
      status: res.status,
      request,
    });
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new ActionstepError(`Actionstep ${request} returned a JSON ${Array.isArray(body) ? 'array' : typeof body}, not an envelope object.`, { kind: 'parse', status: res.status, request });
  }
  const data = body[resource];
  if (data === undefined && Object.keys(body).length > 0 && !('meta' in body)) {
    throw new ActionstepError(`Actionstep ${request} returned no "${resource}" key (keys: ${Object.keys(body).join(', ')}).`, {
      kind: 'parse',
      status: res.status,
      request,
    });
  }
  const records = asArray(data).filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object');
  const linked: Record<string, Record<string, unknown>[]> = {};
  const rawLinked = body.linked;
  if (rawLinked && typeof rawLinked === 'object') {
    for (const [k, v] of Object.entries(rawLinked as Record<string, unknown>)) {
      linked[k] = asArray(v).filter((r): r is Record<string, unknown> => r !== null && typeof r === 'object');
    }
  }
  return { records, linked, paging: pagingOf(body, resource) };
}

function asArray(v: unknown): unknown[] {
  if (v === undefined || v === null || v === '') return [];
  return Array.isArray(v) ? v : [v];
}

function pagingOf(body: Record<string, unknown>, resource: string): PagingInfo | undefined {
  const meta = body.meta as { paging?: Record<string, unknown> } | undefined;
  const p = meta?.paging?.[resource] as Record<string, unknown> | undefined;
  if (!p || typeof p !== 'object') return undefined;
  const num = (v: unknown): number => (v === null || v === undefined || v === '' ? NaN : Number(v));
  const info = { recordCount: num(p.recordCount), pageCount: num(p.pageCount), page: num(p.page), pageSize: num(p.pageSize) };
  return Number.isFinite(info.pageCount) ? info : undefined;
}
