// $batch execution: parts run through the normal dispatcher; change sets run in one SQLite transaction with
// Content-ID references; stop at the first failure unless `Prefer: odata.continue-on-error`.
import { randomUUID } from 'node:crypto';
import { DataverseError, CODES, err } from './errors';
import { BatchFormatError, type BatchRequest, type BatchResponse, type BatchResponseItem, hasBareLineFeeds, LF_ONLY_MESSAGE, newBatchResponseBoundary, parseBatch, serializeBatch } from './batchMultipart';
import { preferOf } from './preferHeader';
import { WEB_API_PATH, type CallContext } from './recordService';
import type { RecordStore } from './recordStore';
import type { CostModel } from './serviceProtection';
import { parseQuery, type WebOutcome, type WebRequest } from './webApiTypes';

export interface BatchDeps {
  dispatch: (r: WebRequest, ctx: CallContext) => WebOutcome;
  store: RecordStore;
  cost: CostModel;
}

export function runBatch(r: WebRequest, ctx: CallContext, deps: BatchDeps): WebOutcome {
  let text = r.body;
  if (hasBareLineFeeds(text)) {
    // LF-only bodies fail unless two extra line endings follow the closing boundary (the documented workaround).
    if (!/--\n\n\n?$/.test(text)) throw err.payload(LF_ONLY_MESSAGE);
    text = text.replace(/\r?\n/g, '\r\n');
  }
  let items;
  try {
    items = parseBatch(text, r.headers['content-type']);
  } catch (e) {
    if (e instanceof BatchFormatError) throw err.payload(`Error identified in Payload provided by the user: ${e.message}`);
    throw e;
  }
  const ops = items.reduce((n, it) => n + (it.kind === 'request' ? 1 : it.requests.length), 0);
  if (ops > 1000) throw err.payload("The current change set contains too many operations. A maximum number of '1000' operations are allowed in a change set");
  const continueOnError = preferOf(r.headers.prefer).continueOnError;
  const out: BatchResponseItem[] = [];
  let cost = 0;
  let records = 0;
  let failedStatus = 0;
  const toResponse = (o: WebOutcome | DataverseError, contentId?: string): BatchResponse => {
    if (o instanceof DataverseError) return { status: o.status, headers: { 'REQ_ID': randomUUID(), 'Content-Type': 'application/json; odata.metadata=minimal', 'OData-Version': '4.0', ...o.headers }, body: JSON.stringify(o.toBody()), contentId };
    const h: Record<string, string> = { 'OData-Version': '4.0', ...(o.headers ?? {}) };
    const text = o.text ?? (o.body !== undefined ? JSON.stringify(o.body) : undefined);
    if (text) h['Content-Type'] = o.contentType ?? 'application/json; odata.metadata=minimal; odata.streaming=true';
    return { status: o.status, headers: h, body: text, contentId };
  };
  const runOne = (req: BatchRequest, ids: Map<string, string>): WebOutcome => {
    const inner = innerFromPart(req, ids);
    const o = deps.dispatch(inner, ctx);
    if (o.kind === 'write') o.costMs = deps.cost.batchPerOperationMs;
    return o;
  };
  for (const item of items) {
    if (item.kind === 'request') {
      try {
        const o = runOne(item.request, new Map());
        cost += o.costMs;
        records += o.records;
        out.push({ kind: 'response', response: toResponse(o, item.request.contentId) });
      } catch (e) {
        const x = e instanceof DataverseError ? e : new DataverseError(500, CODES.unexpected, (e as Error).message);
        cost += deps.cost.batchPerOperationMs;
        out.push({ kind: 'response', response: toResponse(x, item.request.contentId) });
        if (!continueOnError) {
          failedStatus = x.status;
          break;
        }
      }
      continue;
    }
    // change set: atomic, Content-ID references, no GET
    const ids = new Map<string, string>();
    const responses: BatchResponse[] = [];
    let csRecords = 0;
    try {
      deps.store.atomic(() => {
        for (const req of item.requests) {
          if (req.method === 'GET') throw err.payload('GET requests are not allowed inside a change set.');
          let o: WebOutcome;
          try {
            o = runOne(req, ids);
          } catch (e) {
            cost += deps.cost.batchPerOperationMs;
            throw Object.assign(e as object, { contentId: req.contentId });
          }
          cost += o.costMs;
          csRecords += o.records;
          if (req.contentId !== undefined && o.headers?.['OData-EntityId']) ids.set(req.contentId, o.headers['OData-EntityId']);
          responses.push(toResponse(o, req.contentId));
        }
      });
      records += csRecords;
      out.push({ kind: 'changeset', responses });
    } catch (e) {
      const x = e instanceof DataverseError ? e : new DataverseError(500, CODES.unexpected, (e as Error).message);
      // A failed change set is rolled back and answered with one error part.
      out.push({ kind: 'response', response: toResponse(x, (e as { contentId?: string }).contentId) });
      if (!continueOnError) {
        failedStatus = x.status;
        break;
      }
    }
  }
  const boundary = newBatchResponseBoundary();
  return {
    status: failedStatus || 200,
    text: serializeBatch(out, boundary),
    contentType: `multipart/mixed; boundary=${boundary}`,
    costMs: Math.max(cost, deps.cost.readBaseMs),
    kind: 'batch',
    records,
  };
}

function innerFromPart(req: BatchRequest, ids: Map<string, string>): WebRequest {
  let url = req.url;
  const ref = /^\$(\w+)(.*)$/.exec(url);
  if (ref) {
    const target = ids.get(ref[1]);
    if (!target) throw new DataverseError(400, CODES.payloadError, `Content-ID Reference: '$${ref[1]}' does not exist in the batch context.`);
    url = target + ref[2];
  }
  const abs = /^https?:\/\/[^/]+(\/.*)$/.exec(url);
  if (abs) url = abs[1];
  if (url.startsWith(WEB_API_PATH)) url = url.slice(WEB_API_PATH.length);
  else if (url.startsWith('/api/data/v9.2')) url = url.slice('/api/data/v9.2'.length);
  url = url.replace(/^\//, '');
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = parseQuery(q < 0 ? '' : url.slice(q + 1));
  let body = req.body;
  if (body.trim() && ids.size >= 0) {
    try {
      const parsed = JSON.parse(body);
      const walk = (v: unknown): unknown => {
        if (typeof v === 'string') {
          const m = /^\$(\w+)$/.exec(v);
          if (!m) return v;
          const t = ids.get(m[1]);
          if (!t) throw new DataverseError(400, CODES.payloadError, `Content-ID Reference: '$${m[1]}' does not exist in the batch context.`);
          return t;
        }
        if (Array.isArray(v)) return v.map(walk);
        if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
        return v;
      };
      body = JSON.stringify(walk(parsed));
    } catch (e) {
      if (e instanceof DataverseError) throw e;
      // leave invalid JSON for the dispatcher to report
    }
  }
  return { method: req.method, path, query, headers: req.headers, body };
}
