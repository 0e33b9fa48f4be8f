// OData `$batch` multipart/mixed: write requests (CRLF, optional change set) and read responses (nested change sets).
import { parseErrorBody } from './errors';
import type { BatchRequest, BatchResponse } from './types';

const CRLF = '\r\n';

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID) return c.randomUUID();
  return `${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

function absolute(webApiUrl: string, url: string): string {
  if (/^[a-z]+:\/\//i.test(url) || url.startsWith('$')) return url;
  return webApiUrl + url.replace(/^\//, '');
}

function writeOperation(webApiUrl: string, op: BatchRequest, inChangeSet: boolean): string {
  const lines = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (inChangeSet && op.contentId) lines.push(`Content-ID: ${op.contentId}`);
  lines.push('', `${op.method} ${absolute(webApiUrl, op.url)} HTTP/1.1`);
  const headers: Record<string, string> = { ...(op.headers ?? {}) };
  const hasBody = op.body !== undefined && op.method !== 'GET' && op.method !== 'DELETE';
  if (hasBody && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
    headers['Content-Type'] = 'application/json; type=entry';
  }
  if (op.method === 'GET' && !Object.keys(headers).some((h) => h.toLowerCase() === 'accept')) headers.Accept = 'application/json';
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  lines.push('');
  // Without a body, an empty line still follows the header block (as in Microsoft's examples).
  lines.push(hasBody ? (typeof op.body === 'string' ? op.body : JSON.stringify(op.body)) : '');
  return lines.join(CRLF);
}

/**
 * Serialises a `$batch` body. With `changeSet` every non-GET operation goes into one atomic change set (Content-IDs
 * default to 1..n); GETs are not allowed in change sets, so they stay outside.
 */
export function writeBatch(webApiUrl: string, requests: BatchRequest[], options: { changeSet?: boolean } = {}): { contentType: string; body: string } {
  const boundary = `batch_${randomId()}`;
  const parts: string[] = [];
  if (options.changeSet) {
    const cs = `changeset_${randomId()}`;
    const writes = requests.filter((r) => r.method !== 'GET');
    const inner = writes.map((r, i) => `--${cs}${CRLF}${writeOperation(webApiUrl, { ...r, contentId: r.contentId ?? String(i + 1) }, true)}`);
    if (inner.length > 0) {
      parts.push(`Content-Type: multipart/mixed; boundary=${cs}${CRLF}${CRLF}${inner.join(CRLF)}${CRLF}--${cs}--`);
    }
    for (const r of requests.filter((x) => x.method === 'GET')) parts.push(writeOperation(webApiUrl, r, false));
  } else {
    for (const r of requests) parts.push(writeOperation(webApiUrl, r, false));
  }
  const body = parts.map((p) => `--${boundary}${CRLF}${p}${CRLF}`).join('') + `--${boundary}--${CRLF}`;
  return { contentType: `multipart/mixed; boundary=${boundary}`, body };
}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

function splitHeaderBlock(text: string): { headers: Record<string, string>; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  const head = m ? text.slice(0, m.index) : text;
  const rest = m ? text.slice(m.index + m[0].length) : '';
  const headers: Record<string, string> = {};
  for (const line of head.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, rest };
}

function splitParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  const pieces = body.split(delimiter);
  const parts: string[] = [];
  // pieces[0] is the preamble; a piece starting with `--` is the close delimiter.
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i];
    if (piece.startsWith('--')) break;
    parts.push(piece.replace(/^\r?\n/, '').replace(/\r?\n$/, ''));
  }
  return parts;
}

function readHttpResponse(text: string, contentId?: string): BatchResponse {
  const statusLineEnd = text.search(/\r?\n/);
  const statusLine = statusLineEnd >= 0 ? text.slice(0, statusLineEnd) : text;
  const status = Number(/^HTTP\/\d\.\d\s+(\d{3})/.exec(statusLine)?.[1] ?? 0);
  const { headers, rest } = splitHeaderBlock(statusLineEnd >= 0 ? text.slice(statusLineEnd).replace(/^\r?\n/, '') : '');
  const bodyText = rest.trim();
  let body: unknown;
  if (bodyText) {
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = bodyText;
    }
  }
  const response: BatchResponse = { status, headers, body, contentId };
  if (status >= 400) response.error = parseErrorBody(bodyText) ?? { code: '', message: bodyText.slice(0, 500) || `HTTP ${status}` };
  return response;
}

/** Reads a multipart `$batch` response into flat per-operation responses (change-set parts in order). */
export function readBatch(contentType: string | undefined, body: string): BatchResponse[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new Error(`$batch response is not multipart (Content-Type: ${contentType ?? 'none'})`);
  const out: BatchResponse[] = [];
  for (const part of splitParts(body, boundary)) {
    const { headers, rest } = splitHeaderBlock(part);
    const partType = headers['content-type'] ?? '';
    if (/^multipart\/mixed/i.test(partType)) {
      out.push(...readBatch(partType, rest));
    } else {
      out.push(readHttpResponse(rest, headers['content-id']));
    }
  }
  return out;
}
