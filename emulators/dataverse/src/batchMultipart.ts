// OData `$batch` multipart/mixed parsing and serialisation (reference/dataverse.md §2). Pure functions; the server
// executes the parsed requests. Dataverse requires CRLF line endings: LF-only bodies fail with 0x80048d19.
import { randomUUID } from 'node:crypto';

export interface BatchRequest {
  method: string;
  /** As written in the part: relative (`/api/data/v9.2/accounts`, `accounts`, `$1`) or absolute. */
  url: string;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: string;
  contentId?: string;
}
export type BatchItem = { kind: 'request'; request: BatchRequest } | { kind: 'changeset'; requests: BatchRequest[] };

export interface BatchResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  contentId?: string;
}
export type BatchResponseItem = { kind: 'response'; response: BatchResponse } | { kind: 'changeset'; responses: BatchResponse[] };

export class BatchFormatError extends Error {}

export const LF_ONLY_MESSAGE =
  "Error identified in Payload provided by the user for Entity :'', For more information on this error please follow this help link https://go.microsoft.com/fwlink/?linkid=2195293  ----> InnerException : Microsoft.OData.ODataException: Stream was not readable.";

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /boundary=("?)([^";]+)\1/i.exec(contentType);
  return m ? m[2] : undefined;
}

/** True when the body uses bare LF line endings (what Dataverse refuses). */
export function hasBareLineFeeds(body: string): boolean {
  return /(^|[^\r])\n/.test(body);
}

function splitParts(body: string, boundary: string): string[] {
  const delim = `--${boundary}`;
  const parts: string[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new BatchFormatError(`The boundary '${boundary}' was not found in the body.`);
  for (;;) {
    let start = pos + delim.length;
    if (body.startsWith('--', start)) break; // closing delimiter
    if (body.startsWith('\r\n', start)) start += 2;
    const nextPos = body.indexOf(`\r\n${delim}`, start);
    if (nextPos < 0) throw new BatchFormatError(`The closing boundary '--${boundary}--' is missing.`);
    parts.push(body.slice(start, nextPos));
    pos = nextPos + 2;
  }
  return parts;
}

function splitHeaders(block: string): { headers: Record<string, string>; rest: string } {
  const idx = block.indexOf('\r\n\r\n');
  const head = idx < 0 ? block : block.slice(0, idx);
  const rest = idx < 0 ? '' : block.slice(idx + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    if (!line.trim()) continue;
    const c = line.indexOf(':');
    if (c < 0) throw new BatchFormatError(`Bad header line '${line}'.`);
    headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
  }
  return { headers, rest };
}

function parseHttpPart(partHeaders: Record<string, string>, content: string): BatchRequest {
  const lineEnd = content.indexOf('\r\n');
  const requestLine = (lineEnd < 0 ? content : content.slice(0, lineEnd)).trim();
  const m = /^([A-Z]+)\s+(\S+)(\s+HTTP\/1\.[01])?$/.exec(requestLine);
  if (!m) throw new BatchFormatError(`Bad request line '${requestLine}'.`);
  const { headers, rest } = splitHeaders(lineEnd < 0 ? '' : content.slice(lineEnd + 2));
  const contentId = partHeaders['content-id'] ?? headers['content-id'];
  return { method: m[1], url: m[2], headers, body: rest.replace(/(\r\n)+$/, ''), contentId };
}

export function parseBatch(body: string, contentType: string | undefined): BatchItem[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new BatchFormatError('The batch request must have a multipart/mixed content type with a boundary.');
  const items: BatchItem[] = [];
  for (const part of splitParts(body, boundary)) {
    const { headers, rest } = splitHeaders(part);
    const ct = headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(ct)) {
      const csBoundary = boundaryOf(ct);
      if (!csBoundary) throw new BatchFormatError('A change set needs a boundary.');
      const requests = splitParts(rest, csBoundary).map((p) => {
        const s = splitHeaders(p);
        return parseHttpPart(s.headers, s.rest);
      });
      items.push({ kind: 'changeset', requests });
    } else {
      items.push({ kind: 'request', request: parseHttpPart(headers, rest) });
    }
  }
  return items;
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown';
}

function serializeResponse(r: BatchResponse): string {
  let s = 'Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n';
  if (r.contentId !== undefined) s += `Content-ID: ${r.contentId}\r\n`;
  s += `\r\nHTTP/1.1 ${r.status} ${reasonPhrase(r.status)}\r\n`;
  for (const [k, v] of Object.entries(r.headers)) s += `${k}: ${v}\r\n`;
  s += '\r\n';
  if (r.body) s += r.body;
  return s + '\r\n';
}

export function newBatchResponseBoundary(): string {
  return `batchresponse_${randomUUID()}`;
}

export function serializeBatch(items: BatchResponseItem[], boundary: string): string {
  let out = '';
  for (const item of items) {
    out += `--${boundary}\r\n`;
    if (item.kind === 'response') out += serializeResponse(item.response);
    else {
      const cs = `changesetresponse_${randomUUID()}`;
      out += `Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n`;
      for (const r of item.responses) out += `--${cs}\r\n` + serializeResponse(r);
      out += `--${cs}--\r\n`;
    }
  }
  return out + `--${boundary}--\r\n`;
}

/** Builds a request body (used by tests and by clients that want the exact wire format). */
export function serializeBatchRequest(items: BatchItem[], boundary: string, base = '/api/data/v9.2/'): string {
  const reqText = (r: BatchRequest) => {
    let s = 'Content-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n';
    if (r.contentId !== undefined) s += `Content-ID: ${r.contentId}\r\n`;
    const url = /^(https?:|\/|\$)/.test(r.url) ? r.url : base + r.url;
    s += `\r\n${r.method} ${url} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(r.headers)) s += `${k}: ${v}\r\n`;
    return s + '\r\n' + (r.body ?? '') + '\r\n';
  };
  let out = '';
  for (const item of items) {
    out += `--${boundary}\r\n`;
    if (item.kind === 'request') out += reqText(item.request);
    else {
      const cs = `changeset_${randomUUID()}`;
      out += `Content-Type: multipart/mixed; boundary=${cs}\r\n\r\n`;
      for (const r of item.requests) out += `--${cs}\r\n` + reqText(r);
      out += `--${cs}--\r\n`;
    }
  }
  return out + `--${boundary}--\r\n`;
}
