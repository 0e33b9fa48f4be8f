// HTTP front of the Actionstep emulator on node:http: OAuth endpoints, the REST API and file downloads, with rate
// limiting, fault injection and counters wrapped around the API routes. There is no trust ledger route: Actionstep has
// no trust API (the firm exports the report from the UI; see trustExport.ts).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { RESOURCES, isResourceName } from '@astep/actionstep-connector/resources';
import { ApiError, OAuthError, errors } from './errors';
import type { GeneratedFirm } from './generator';
import { isWideFirstPage, type FaultInjector } from './faults';
import { hasScope, type OAuthServer, type Session } from './oauth';
import type { TokenBucketLimiter } from './rateLimit';
import { RestHandler } from './restHandler';
import type { FirmStore } from './store';

/** Files are served in 5 MB parts (reference §3 "Download"). */
export const FILE_PART_BYTES = 5 * 1024 * 1024;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const JSON_TYPE = 'application/vnd.api+json';

export interface EmulatorCounters {
  requests: number;
  byResource: Record<string, number>;
  byStatus: Record<string, number>;
  rateLimited: number;
  faults: { serverError: number; reset: number; slow: number; tokenExpired: number };
  tokensIssued: number;
  refreshes: number;
}

export function emptyCounters(): EmulatorCounters {
  return { requests: 0, byResource: {}, byStatus: {}, rateLimited: 0, faults: { serverError: 0, reset: 0, slow: 0, tokenExpired: 0 }, tokensIssued: 0, refreshes: 0 };
}

export interface ServerDeps {
  firm: GeneratedFirm;
  store: FirmStore;
  oauth: OAuthServer;
  limiter: TokenBucketLimiter;
  faults: FaultInjector;
  counters: () => EmulatorCounters;
  singleObjectQuirk: boolean;
}

export class ActionstepHttpServer {
  readonly server: http.Server;
  private rest: RestHandler;
  baseUrl = '';

  constructor(private readonly deps: ServerDeps) {
    this.rest = new RestHandler(deps.store);
    this.server = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        // Last resort: never crash the emulator on one request.
        if (!res.headersSent) this.send(res, 500, errors.serverError(500).body(), 'internal');
        else res.destroy();
        void err;
      });
    });
  }

  async listen(port: number, host: string): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}/`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private count(key: string, status: number): void {
    const c = this.deps.counters();
    c.byResource[key] = (c.byResource[key] ?? 0) + 1;
    c.byStatus[String(status)] = (c.byStatus[String(status)] ?? 0) + 1;
  }

  private send(res: http.ServerResponse, status: number, body: unknown, countKey: string, headers: Record<string, string> = {}): void {
    this.count(countKey, status);
    if (status === 204 || body === undefined) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': JSON_TYPE, 'Content-Length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const search = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const method = req.method ?? 'GET';
    if (rawPath === '/api/oauth/authorize' && method === 'GET') return this.authorize(search, res);
    if (rawPath === '/api/oauth/token') {
      if (method !== 'POST') return this.send(res, 405, errors.methodNotAllowed(method, 'oauth/token').body(), 'oauth');
      const body = await readBody(req);
      return this.token(body, req.headers.authorization, res);
    }
    if (rawPath === '/' || rawPath === '') {
      return this.send(res, 200, { name: 'actionstep-emulator', api_endpoint: `${this.baseUrl}api/` }, 'root');
    }
    if (method === 'OPTIONS' && rawPath.startsWith('/api/rest/')) return this.options(rawPath.slice('/api/rest/'.length), res);
    if (rawPath.startsWith('/api/rest/')) return this.api(req, res, method, rawPath, search);
    return this.send(res, 404, errors.unknownResource(rawPath.replace(/^\/+/, '')).body(), 'unknown');
  }

  /** OPTIONS lists the verbs a resource supports (reference §2). */
  private options(rest: string, res: http.ServerResponse): void {
    const name = rest.split('/')[0];
    if (!isResourceName(name)) return this.send(res, 404, errors.unknownResource(name).body(), 'options');
    const allow = ['OPTIONS', ...RESOURCES[name].verbs].join(', ');
    this.count('options', 200);
    res.writeHead(200, { Allow: allow, 'Content-Length': '0' });
    res.end();
  }

  // ------------------------------------------------------------------------------------------ OAuth
  private authorize(search: URLSearchParams, res: http.ServerResponse): void {
    const { oauth, firm } = this.deps;
    const clientId = search.get('client_id');
    const redirect = search.get('redirect_uri') ?? '';
    // Unknown client or bad redirect: an error page, never a redirect (RFC 6749 §4.1.2.1).
    if (clientId !== oauth.config.clientId || !oauth.isAllowedRedirect(redirect)) {
      this.count('oauth', 400);
      const text = `<!doctype html><title>Authorization error</title><h1>Authorization error</h1><p>${clientId !== oauth.config.clientId ? 'Unknown client_id.' : 'The redirect_uri is not registered for this client.'}</p>`;
      res.writeHead(400, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(text);
      return;
    }
    const back = new URL(redirect);
    const state = search.get('state');
    const fail = (error: string, description: string): void => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      if (state !== null) back.searchParams.set('state', state);
      this.count('oauth', 302);
      res.writeHead(302, { Location: back.toString() });
      res.end();
    };
    if (search.get('response_type') !== 'code') return fail('unsupported_response_type', 'Only response_type=code is supported.');
    const scopes = (search.get('scope') ?? '').split(/[\s+]+/).filter(Boolean);
    if (!scopes.length) return fail('invalid_scope', 'scope is required (space-separated resource names, or all).');
    const hint = search.get('login_hint');
    let user = firm.users.find((u) => u.id === firm.adminUserId)!;
    if (hint) {
      const match = firm.users.find((u) => (u.emailAddress ?? '').toLowerCase() === hint.toLowerCase());
      if (!match) return fail('access_denied', `No Actionstep user with email ${hint}.`);
      if (!match.isActive) return fail('access_denied', `The Actionstep user ${hint} is inactive.`);
      user = match;
    }
    const code = oauth.issueCode(user.id, scopes, redirect, clientId);
    back.searchParams.set('code', code);
    if (state !== null) back.searchParams.set('state', state);
    this.count('oauth', 302);
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  private token(body: string, authorization: string | undefined, res: http.ServerResponse): void {
    try {
      const form = new URLSearchParams(body);
      const out = this.deps.oauth.token(form, authorization);
      const c = this.deps.counters();
      c.tokensIssued = this.deps.oauth.tokensIssued;
      c.refreshes = this.deps.oauth.refreshes;
      this.send(res, 200, out, 'oauth', { 'Cache-Control': 'no-store' });
    } catch (e) {
      if (e instanceof OAuthError) return this.sendRaw(res, e.status, e.body(), 'oauth');
      throw e;
    }
  }

  private sendRaw(res: http.ServerResponse, status: number, body: unknown, key: string, headers: Record<string, string> = {}): void {
    this.count(key, status);
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }

  // ------------------------------------------------------------------------------------------ API
  private async api(req: http.IncomingMessage, res: http.ServerResponse, method: string, rawPath: string, search: URLSearchParams): Promise<void> {
    const { oauth, faults, limiter, firm } = this.deps;
    const counters = this.deps.counters();
    counters.requests++;
    const rest = rawPath.slice('/api/rest/'.length);
    const key = rest.split('/')[0] || 'rest';
    const body = method === 'POST' || method === 'PUT' || method === 'PATCH' ? await readBody(req) : '';
    const fault = faults.decide(Boolean(req.headers.authorization));
    if (fault.kind === 'reset') {
      counters.faults.reset++;
      this.count(key, 0);
      req.socket.destroy();
      return;
    }
    if (fault.kind === 'serverError') {
      counters.faults.serverError++;
      return this.send(res, fault.status, errors.serverError(fault.status).body(), key);
    }
    if (fault.kind === 'slow') {
      counters.faults.slow++;
      await new Promise((r) => setTimeout(r, fault.ms));
      if (req.socket.destroyed) return;
    }
    let session: Session;
    try {
      const auth = oauth.authenticate(req.headers.authorization);
      session = auth.session;
      if (fault.kind === 'tokenExpired') {
        counters.faults.tokenExpired++;
        oauth.expire(auth.token);
        oauth.authenticate(req.headers.authorization); // throws expired_token
      }
    } catch (e) {
      if (e instanceof OAuthError) return this.sendRaw(res, e.status, e.body(), key, { 'WWW-Authenticate': `Bearer error="${e.error}"` });
      throw e;
    }
    const wait = limiter.take(session.userId, firm.orgKey, req.socket.remoteAddress ?? 'unknown');
    if (wait !== null) {
      counters.rateLimited++;
      const headers: Record<string, string> = limiter.options.retryAfterHeader ? { 'Retry-After': String(Math.max(1, Math.ceil(wait))) } : {};
      return this.send(res, 429, errors.tooManyRequests().body(), key, headers);
    }
    if (faults.wideFirstPageMs > 0 && isWideFirstPage(method, rest, search)) {
      await new Promise((r) => setTimeout(r, faults.wideFirstPageMs));
      if (req.socket.destroyed) return;
    }
    try {
      if (rest.startsWith('files/') && method === 'GET') return this.file(res, rest.slice('files/'.length), search, session);
      const user = firm.users.find((u) => u.id === session.userId);
      const out = this.rest.handle(method, rest, search, body, {
        store: this.deps.store, session, restBase: `${this.baseUrl}api/rest/`, singleObjectQuirk: this.deps.singleObjectQuirk,
        timeZone: firm.timeZone, actingUserName: user?.displayName ?? 'Unknown user',
      });
      return this.send(res, out.status, out.body, key);
    } catch (e) {
      if (e instanceof ApiError) return this.send(res, e.status, e.body(), key);
      if (e instanceof OAuthError) return this.sendRaw(res, e.status, e.body(), key);
      throw e;
    }
  }

  private file(res: http.ServerResponse, rawId: string, search: URLSearchParams, session: Session): void {
    if (!hasScope(session, 'files')) throw new OAuthError(403, 'insufficient_scope', "The access token does not grant the 'files' scope.");
    // The download id ("DL::Actions::15::127") must be sent with its "::" and ";" as is: encoded, it is not found
    // (reference §3, S12). Other characters (a space in an appended file name) may be percent-encoded.
    let decoded: string | null = null;
    if (!/%3[aAbB]/.test(rawId)) {
      try {
        decoded = decodeURIComponent(rawId);
      } catch {
        decoded = null;
      }
    }
    // "<fileId>;<original name>" is accepted as well as the bare id.
    const file = decoded === null ? null : this.deps.firm.file(decoded.split(';')[0]);
    const docRow = file ? this.deps.store.get('actiondocuments', file.documentId) : null;
    if (!file || !docRow || this.deps.store.isHiddenFrom(docRow.actionId, session.userId)) {
      throw errors.notFound('files', rawId);
    }
    const parts = Math.max(1, Math.ceil(file.size / FILE_PART_BYTES));
    const part = Number(search.get('part_number') ?? '1');
    if (!Number.isInteger(part) || part < 1 || part > parts) {
      throw errors.badRequest(`part_number must be between 1 and ${parts} for this file, got '${search.get('part_number') ?? ''}'.`, 'part_number');
    }
    const start = (part - 1) * FILE_PART_BYTES;
    const bytes = file.read(start, Math.min(file.size, start + FILE_PART_BYTES));
    this.count('files', 200);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes.length), 'X-Part-Count': String(parts) });
    res.end(bytes);
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new Error('request body too large'));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
