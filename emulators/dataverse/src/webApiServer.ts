// The HTTP edge: token endpoint, bearer checks, fault injection, service protection, cost delays, and the Web API
// dispatcher (records, bulk actions, $batch, metadata, actions). Record work is synchronous (RecordService) so change
// sets and bulk actions run in one SQLite transaction; the delay that models server execution time comes after.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DataverseError, CODES, err, SERVICE_UNAVAILABLE_HTML } from './errors';
import { EntraTokenEndpoint } from './entraTokenEndpoint';
import type { MetadataCatalog } from './metadataCatalog';
import { MetadataApi } from './metadataApi';
import { parseQuery, type WebRequest, type WebOutcome } from './webApiTypes';
import { preferOf } from './preferHeader';
import { runBulkAction } from './bulkActions';
import { rolesInSolution, type SecurityModel } from './securityRoles';
import { runBatch } from './batchExecutor';
import { csdlDocument } from './csdlDocument';
import { recordSolution, seedBulkFilters } from './environmentSeed';
import { applySolutionComponents } from './solutionComponents';
import type { BrowserSessions } from './browserSessions';
import type { EntityMeta } from './metadataTypes';
import { parseKeyPredicate, splitPath, ODataSyntaxError } from './odataFilter';
import { RecordService, type CallContext, IDS, appUserId, WEB_API_PATH } from './recordService';
import { ServiceProtection, responseDelayMs, type CostModel } from './serviceProtection';
import type { RecordStore } from './recordStore';

export interface FaultOptions {
  /** Seed of the fault generator (same seed → same fault sequence). */
  seed?: number;
  /** Share of Web API requests answered 503 with the platform's HTML body. */
  serviceUnavailableRate?: number;
  /** Share of Web API requests whose connection is reset (socket destroyed before the request runs). */
  connectionResetRate?: number;
  /**
   * Share of Web API requests whose connection is reset AFTER the request ran and committed (the response is lost):
   * the case that makes non-idempotent retries (POST, CreateMultiple) duplicate rows. Default 0.
   */
  connectionResetAfterExecutionRate?: number;
  /** Share of requests delayed by `slowResponseMs` more. */
  slowRate?: number;
  slowResponseMs?: number;
  /** Share of requests answered 429 (0x80072322) regardless of the real counters. */
  throttleRate?: number;
  /** Share of requests whose bearer token is treated as expired (401). */
  expiredTokenRate?: number;
}

export interface DataverseCounters {
  requests: number;
  byKind: Record<string, number>;
  byStatus: Record<string, number>;
  throttled: Record<string, number>;
  recordsWritten: number;
  faults: { serviceUnavailable: number; connectionReset: number; connectionResetAfterExecution: number; slow: number; throttle: number; expiredToken: number };
}

export function emptyCounters(): DataverseCounters {
  return { requests: 0, byKind: {}, byStatus: {}, throttled: {}, recordsWritten: 0, faults: { serviceUnavailable: 0, connectionReset: 0, connectionResetAfterExecution: 0, slow: 0, throttle: 0, expiredToken: 0 } };
}

/** mulberry32: small seeded PRNG for reproducible faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}


export interface ServerDeps {
  catalog: MetadataCatalog;
  service: RecordService;
  store: RecordStore;
  tokens: EntraTokenEndpoint;
  protection: ServiceProtection;
  cost: CostModel;
  clockScale: number;
  simulateExecutionTime: boolean;
  tenantId: string;
  salesProfessional: boolean;
  persistCatalog: () => void;
  faults: FaultOptions;
  /** The Power Platform environment id (RetrieveCurrentOrganization's Detail.EnvironmentId). */
  environmentId: string;
  /** Signed-in browser sessions: the org's own pages call the Web API with the session cookie, no bearer token. */
  sessions: BrowserSessions;
  security: SecurityModel;
}

/** WebResourceType → the Content-Type the organisation serves it with. */
const WEB_RESOURCE_CONTENT_TYPES: Record<number, string> = {
  1: 'text/html; charset=utf-8', 2: 'text/css; charset=utf-8', 3: 'text/javascript; charset=utf-8', 4: 'text/xml; charset=utf-8', 5: 'image/png',
  6: 'image/jpeg', 7: 'image/gif', 9: 'text/xsl; charset=utf-8', 10: 'image/x-icon', 11: 'image/svg+xml', 12: 'text/xml; charset=utf-8',
};

export class WebApiServer {
  readonly server: http.Server;
  private sockets = new Set<Socket>();
  url = '';
  counters = emptyCounters();
  private rand: () => number;
  readonly metadataApi: MetadataApi;

  constructor(private readonly d: ServerDeps) {
    this.rand = seededRandom(d.faults.seed ?? 1);
    this.metadataApi = new MetadataApi(d.catalog, {
      now: () => this.virtualNow(),
      customTableCap: d.salesProfessional ? 15 : undefined,
      refreshKeys: (e) => {
        if (d.service.refreshKeys(e)) d.persistCatalog();
      },
      dropKey: (e, k) => d.store.dropKeyIndex(e, k),
      changed: () => {
        d.persistCatalog();
        seedBulkFilters(d.service);
      },
      webApiUrl: () => this.webApiUrl,
      optionValuePrefix: () => 61520,
    });
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.server.keepAliveTimeout = 5000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  private startedAt = Date.now();
  virtualNow(): number {
    return (Date.now() - this.startedAt) * this.d.clockScale;
  }

  get webApiUrl(): string {
    return `${this.url}${WEB_API_PATH}`;
  }

  setFaults(f: FaultOptions): void {
    this.d.faults = f;
    this.rand = seededRandom(f.seed ?? 1);
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const a = this.server.address() as AddressInfo;
    this.url = `http://${host}:${a.port}`;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private count(kind: string, status: number): void {
    this.counters.requests++;
    this.counters.byKind[kind] = (this.counters.byKind[kind] ?? 0) + 1;
    this.counters.byStatus[String(status)] = (this.counters.byStatus[String(status)] ?? 0) + 1;
  }

  private send(res: http.ServerResponse, status: number, headers: Record<string, string>, body?: string, contentType?: string): void {
    const h: Record<string, string> = { 'OData-Version': '4.0', 'REQ_ID': randomUUID(), ...this.corsHeaders(res.req), ...headers };
    if (body !== undefined && body !== '') {
      h['Content-Type'] = contentType ?? 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
      h['Content-Length'] = String(Buffer.byteLength(body));
    } else h['Content-Length'] = '0';
    res.writeHead(status, h);
    res.end(body ?? '');
  }

  private async readBody(req: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /** CORS for browser callers (the Web API answers cross-origin calls that carry a bearer token). */
  private corsHeaders(req: http.IncomingMessage | undefined): Record<string, string> {
    const origin = req?.headers.origin;
    if (!origin) return {};
    return {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Credentials': 'true',
      Vary: 'Origin',
      'Access-Control-Expose-Headers':
        'OData-EntityId, OData-Version, Location, Preference-Applied, Retry-After, REQ_ID, WWW-Authenticate, x-ms-dop-hint, x-ms-ratelimit-burst-remaining-xrm-requests, x-ms-ratelimit-time-remaining-xrm-requests',
    };
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const u = new URL(req.url ?? '/', 'http://x');
      const body = await this.readBody(req);
      if (req.method === 'OPTIONS') {
        // CORS preflight: no token needed, nothing executed.
        return this.send(res, 204, {
          'Access-Control-Allow-Methods': 'GET, POST, PATCH, PUT, DELETE, OPTIONS',
          'Access-Control-Allow-Headers': String(req.headers['access-control-request-headers'] ?? 'Authorization, Content-Type, Prefer, If-Match, If-None-Match, OData-Version, OData-MaxVersion, MSCRM.SolutionUniqueName, CallerObjectId, MSCRMCallerID'),
          'Access-Control-Max-Age': '600',
        });
      }
      const p = u.pathname;
      const tenant = this.d.tenantId;
      // ---- Entra endpoints
      const tokenM = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(p);
      if (tokenM && req.method === 'POST') {
        const r = this.d.tokens.token(tokenM[1], new URLSearchParams(body), `${this.url}${p}`);
        this.count('token', r.status);
        return this.send(res, r.status, { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' }, JSON.stringify(r.body), 'application/json; charset=utf-8');
      }
      const dcM = /^\/([^/]+)\/oauth2\/v2\.0\/devicecode$/.exec(p);
      if (dcM && req.method === 'POST') {
        const r = this.d.tokens.deviceCode(dcM[1], new URLSearchParams(body), this.url);
        this.count('token', r.status);
        return this.send(res, r.status, { 'Cache-Control': 'no-store, no-cache' }, JSON.stringify(r.body), 'application/json; charset=utf-8');
      }
      const oidM = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(p);
      if (oidM && req.method === 'GET') return this.send(res, 200, {}, JSON.stringify(this.d.tokens.openIdConfiguration(this.url, oidM[1])), 'application/json; charset=utf-8');
      if (/^\/(common|[^/]+)\/discovery\/instance$/.test(p) && req.method === 'GET')
        return this.send(res, 200, {}, JSON.stringify(this.d.tokens.instanceDiscovery(this.url, tenant)), 'application/json; charset=utf-8');
      if (p.startsWith('/WebResources/') && req.method === 'GET') return this.webResource(req, res, decodeURIComponent(p.slice('/WebResources/'.length)));
      if (!p.startsWith('/api/data/v9.2')) return this.send(res, 404, {}, JSON.stringify(err.segment(p.split('/')[1] ?? '').toBody()));
      await this.onWebApi(req, res, u, body);
    } catch (e) {
      const x = e instanceof DataverseError ? e : new DataverseError(500, CODES.unexpected, `An unexpected error occurred: ${(e as Error).message}`);
      if (!res.headersSent) this.send(res, x.status, x.headers, JSON.stringify(x.toBody()));
    }
  }

  private async onWebApi(req: http.IncomingMessage, res: http.ServerResponse, u: URL, body: string): Promise<void> {
    const headers = req.headers as Record<string, string | undefined>;
    const faults = this.d.faults;
    const roll = (rate?: number) => !!rate && rate > 0 && this.rand() < rate;
    // ---- authentication
    if (roll(faults.expiredTokenRate)) {
      this.counters.faults.expiredToken++;
      this.d.tokens.expire(headers.authorization);
    }
    const session = headers.authorization ? undefined : this.sessionUser(req);
    if (session && 'error' in session) {
      this.count('unauthorized', 403);
      const x = new DataverseError(403, CODES.privilege, session.error);
      return this.send(res, 403, {}, JSON.stringify(x.toBody()));
    }
    const auth = session ? { clientId: '', userId: session.userId } : this.d.tokens.validate(headers.authorization);
    if ('error' in auth) {
      this.count('unauthorized', 401);
      return this.send(res, 401, {
        'WWW-Authenticate': `Bearer authorization_uri=${this.url}/${this.d.tenantId}/oauth2/authorize, resource_id=${this.url}/`,
        ...(auth.error === 'expired' ? { 'x-ms-diagnostics': 'The access token has expired.' } : {}),
      });
    }
    const realUserId = auth.userId ?? appUserId(auth.clientId);
    // ---- injected faults
    if (roll(faults.connectionResetRate)) {
      this.counters.faults.connectionReset++;
      this.count('fault', 0);
      req.socket.destroy();
      return;
    }
    if (roll(faults.serviceUnavailableRate)) {
      this.counters.faults.serviceUnavailable++;
      this.count('fault', 503);
      return this.send(res, 503, { 'Retry-After': this.d.protection.formatRetryAfter(2000 / this.d.clockScale) }, SERVICE_UNAVAILABLE_HTML, 'text/html; charset=us-ascii');
    }
    if (roll(faults.throttleRate)) {
      this.counters.faults.throttle++;
      this.counters.throttled[CODES.requestsLimit] = (this.counters.throttled[CODES.requestsLimit] ?? 0) + 1;
      this.count('throttled', 429);
      const x = new DataverseError(429, CODES.requestsLimit, 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.', {
        'Retry-After': this.d.protection.formatRetryAfter(5000 / this.d.clockScale),
      });
      return this.send(res, 429, x.headers, JSON.stringify(x.toBody()));
    }
    const slow = roll(faults.slowRate) ? (faults.slowResponseMs ?? 5000) : 0;
    const resetAfter = roll(faults.connectionResetAfterExecutionRate);
    if (slow) this.counters.faults.slow++;
    // ---- service protection
    let admission;
    try {
      admission = this.d.protection.admit(realUserId);
    } catch (e) {
      const x = e as DataverseError;
      this.counters.throttled[x.code] = (this.counters.throttled[x.code] ?? 0) + 1;
      this.count('throttled', 429);
      return this.send(res, 429, x.headers, JSON.stringify(x.toBody()));
    }
    const admittedAt = performance.now();
    let outcome: WebOutcome;
    try {
      const ctx = this.callContext(headers, realUserId);
      const path = u.pathname.slice('/api/data/v9.2'.length).replace(/^\//, '');
      const inner: WebRequest = { method: req.method ?? 'GET', path, query: parseQuery(u.search.slice(1)), headers, body };
      if (path === 'ImportSolution' && inner.method === 'POST') {
        this.d.security.demandPrivilege(ctx.userId, 'prvImportCustomization');
        outcome = await this.importSolution(inner);
      }
      else if (path === '$batch' && inner.method === 'POST') outcome = runBatch(inner, ctx, { dispatch: (r, c) => this.dispatch(r, c), store: this.d.store, cost: this.d.cost });
      else outcome = this.dispatch(inner, ctx);
    } catch (e) {
      const x = e instanceof DataverseError ? e : new DataverseError(500, CODES.unexpected, `An unexpected error occurred: ${(e as Error).message}`);
      outcome = { status: x.status, headers: x.headers, body: x.toBody(), costMs: this.d.cost.requestMs, kind: 'error', records: 0 };
    }
    const wants = preferOf(headers.prefer).annotations;
    const errorBody = (outcome.body as { error?: Record<string, unknown> } | undefined)?.error;
    if (errorBody && typeof wants === 'function' && wants('Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus')) {
      // Extended error details the platform adds when annotations are requested (compose-http-requests-handle-errors).
      const code = String(errorBody.code ?? '0x0');
      Object.assign(errorBody, {
        '@Microsoft.PowerApps.CDS.ErrorDetails.OperationStatus': '0',
        '@Microsoft.PowerApps.CDS.ErrorDetails.SubErrorCode': String(parseInt(code, 16) | 0),
        '@Microsoft.PowerApps.CDS.HelpLink': `http://go.microsoft.com/fwlink/?LinkID=398563&error=Microsoft.Crm.CrmException%3a${code.slice(2)}&client=platform`,
        '@Microsoft.PowerApps.CDS.TraceText': '',
        '@Microsoft.PowerApps.CDS.InnerError.Message': errorBody.message,
      });
    }
    // The modelled execution time, less what the emulator's own work on the request already took (responseDelayMs).
    const delay = (this.d.simulateExecutionTime ? responseDelayMs(outcome.costMs, this.d.clockScale, performance.now() - admittedAt) : 0) + slow;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    admission.release(outcome.costMs);
    this.counters.recordsWritten += outcome.status < 400 ? outcome.records : 0;
    if (resetAfter) {
      this.counters.faults.connectionResetAfterExecution++;
      this.count('fault', 0);
      req.socket.destroy();
      return;
    }
    this.count(outcome.kind, outcome.status);
    const text = outcome.text ?? (outcome.body !== undefined ? JSON.stringify(outcome.body) : undefined);
    this.send(res, outcome.status, { ...admission.headers(), ...(outcome.headers ?? {}) }, text, outcome.contentType);
  }

  /**
   * The signed-in user of a browser session, or undefined when the request carries no session cookie. "When you
   * use the Web API with JavaScript within HTML web resources, form scripts, or ribbon commands you don't need to
   * include any code for authentication ... the user is already authenticated by the application"
   * (learn.microsoft.com power-apps/developer/data-platform/webapi/authenticate-web-api): the session the org set
   * at sign-in authenticates. Harsher where undocumented: a cookie-authenticated request that announces another
   * origin is refused (no cross-site use of the session; cross-origin callers use bearer tokens).
   */
  private sessionUser(req: http.IncomingMessage): { userId: string } | { error: string } | undefined {
    const cookie = this.d.sessions.fromCookieHeader(req.headers.cookie);
    if (!cookie) return undefined;
    const origin = req.headers.origin;
    if (origin && origin !== this.url) return { error: `The session cookie of ${this.url} is not accepted from the page of another origin (${origin}).` };
    const userId = this.d.sessions.user(cookie);
    if (!userId) return { error: 'The browser session has ended: sign in to the organisation again.' };
    return { userId };
  }

  /** `/WebResources/<name>`: what the organisation serves for a web resource, to its signed-in users. */
  private webResource(req: http.IncomingMessage, res: http.ServerResponse, name: string): void {
    const session = this.sessionUser(req);
    if (!session || 'error' in session) {
      this.count('unauthorized', 401);
      return this.send(res, 401, {}, session ? session.error : 'Sign in to the organisation to open its web resources.', 'text/plain; charset=utf-8');
    }
    const e = this.d.catalog.entityOrThrow('webresource');
    const row = this.d.store.findByColumns(e, ['name'], [name])[0];
    this.count('webresource', row ? 200 : 404);
    if (!row) return this.send(res, 404, {}, `No web resource named ${name}.`, 'text/plain; charset=utf-8');
    const body = Buffer.from(String(row.data.content ?? ''), 'base64');
    res.writeHead(200, { 'Content-Type': WEB_RESOURCE_CONTENT_TYPES[Number(row.data.webresourcetype)] ?? 'application/octet-stream', 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' });
    res.end(body);
  }

  private callContext(headers: Record<string, string | undefined>, realUserId: string): CallContext {
    const users = this.d.catalog.entityOrThrow('systemuser');
    const real = this.d.store.get(users, realUserId);
    if (!real) throw new DataverseError(403, CODES.privilege, `The user ${realUserId} does not exist in this environment.`);
    if (real.data.isdisabled === true) throw err.disabledUser(real.id, IDS.organization);
    let userId = realUserId;
    const callerObject = headers.callerobjectid;
    const callerId = headers.mscrmcallerid;
    if (callerObject || callerId) {
      let row;
      if (callerId) row = this.d.store.get(users, callerId.toLowerCase());
      else row = this.d.store.findByColumns(users, ['azureactivedirectoryobjectid'], [callerObject!.toLowerCase()])[0];
      if (!row) throw new DataverseError(400, CODES.objectDoesNotExist, `systemuser With Id = ${callerId ?? callerObject} Does Not Exist`);
      if (row.data.isdisabled === true) throw err.disabledUser(row.id, IDS.organization);
      // The caller needs "Act on Behalf of Another User" (impersonate-another-user-web-api.md); what the request may
      // then do is what the impersonated user's roles allow.
      this.d.security.demandPrivilege(realUserId, 'prvActOnBehalfOfAnotherUser');
      userId = row.id;
    }
    return { userId, realUserId };
  }

  // ------------------------------------------------------------------ dispatch

  private entitySegs(path: string) {
    try {
      return splitPath(decodeURIComponent(path));
    } catch (e) {
      if (e instanceof ODataSyntaxError || e instanceof URIError) throw err.querySyntax((e as Error).message);
      throw e;
    }
  }

  dispatch(r: WebRequest, ctx: CallContext): WebOutcome {
    const c = this.d.cost;
    const svc = this.d.service;
    const prefer = preferOf(r.headers.prefer);
    if (r.path === '' && r.method === 'GET') {
      const value = [...this.d.catalog.entities.values()].map((e) => ({ name: e.entitySetName, kind: 'EntitySet', url: e.entitySetName }));
      return { status: 200, body: { '@odata.context': `${this.webApiUrl}$metadata`, value }, costMs: c.readBaseMs, kind: 'read', records: 0 };
    }
    const segs = this.entitySegs(r.path);
    const root = segs[0].name;
    const json = (): Record<string, unknown> => {
      if (!r.body.trim()) return {};
      try {
        const v = JSON.parse(r.body);
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        return v as Record<string, unknown>;
      } catch (e) {
        throw err.payload(`The request body is not valid JSON: ${(e as Error).message}`);
      }
    };
    // ---- functions and actions
    if (root === 'WhoAmI' || root === 'WhoAmI()') {
      return { status: 200, body: { '@odata.context': `${this.webApiUrl}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`, BusinessUnitId: IDS.businessUnit, UserId: ctx.userId, OrganizationId: IDS.organization }, costMs: c.readBaseMs, kind: 'read', records: 0 };
    }
    if (root === 'RetrieveCurrentOrganization') return this.retrieveCurrentOrganization(segs[0].key ?? '', r.query);
    if (root === 'RetrieveTotalRecordCount') {
      const raw = segs[0].key ?? '';
      let names: string[] = [];
      const m = /EntityNames=(.+)$/.exec(raw);
      let lit = m?.[1] ?? '';
      if (lit.startsWith('@')) lit = r.query.get(lit) ?? '';
      names = [...lit.matchAll(/'([^']*)'/g)].map((x) => x[1]);
      const values = names.map((n) => this.d.store.count(this.d.catalog.entityOrThrow(n)));
      return { status: 200, body: { '@odata.context': `${this.webApiUrl}$metadata#Microsoft.Dynamics.CRM.RetrieveTotalRecordCountResponse`, EntityRecordCountCollection: { Count: names.length, IsReadOnly: false, Keys: names, Values: values } }, costMs: c.readBaseMs, kind: 'read', records: 0 };
    }
    if (root === '$metadata') {
      return { status: 200, text: csdlDocument(this.d.catalog), contentType: 'application/xml', costMs: c.readBaseMs, kind: 'metadata', records: 0 };
    }
    const security = this.d.security;
    if (r.method === 'POST' && segs.length === 1 && segs[0].key === undefined) {
      // Customization (publish, option values, keys) is a System Customizer's or an administrator's work.
      if (['PublishXml', 'PublishAllXml', 'ReactivateEntityKey', 'InsertOptionValue'].includes(root)) security.demandPrivilege(ctx.userId, 'prvCreateEntity');
      switch (root) {
        case 'PublishXml':
        case 'PublishAllXml':
          return { status: 204, costMs: c.metadataWriteMs, kind: 'metadata', records: 0 };
        case 'ReactivateEntityKey': {
          // Unbound action (SDK ReactivateEntityKeyRequest): a Failed key goes back to Pending and is rebuilt. [I] 204.
          const b = json();
          const e = this.d.catalog.entityOrThrow(String(b.EntityLogicalName ?? ''));
          const k = e.keys.find((x) => x.logicalName === b.EntityKeyLogicalName);
          if (!k) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find key '${String(b.EntityKeyLogicalName)}' on entity ${e.logicalName}.`);
          if (k.status === 'Failed') {
            k.status = 'Pending';
            k.requestedAt = this.virtualNow();
            this.d.persistCatalog();
          }
          return { status: 204, costMs: c.metadataWriteMs, kind: 'metadata', records: 0 };
        }
        case 'InsertOptionValue':
          return { ...this.metadataApi.insertOptionValue(json()), costMs: c.metadataWriteMs, kind: 'metadata', records: 0 };
        case 'WinOpportunity':
        case 'LoseOpportunity':
          svc.store.atomic(() => svc.closeOpportunity(root === 'WinOpportunity', json(), ctx));
          return { status: 204, costMs: c.requestMs, kind: 'action', records: 2 };
        case 'ImportSolution':
          throw err.payload('ImportSolution cannot run inside a $batch.');
      }
    }
    if (root === 'EntityDefinitions' || root === 'GlobalOptionSetDefinitions' || root === 'RelationshipDefinitions') {
      if (r.method !== 'GET') security.demandPrivilege(ctx.userId, 'prvCreateEntity');
      const body = r.method === 'POST' || r.method === 'PUT' ? json() : undefined;
      const w = this.metadataApi.handle(r.method, segs, r.query, body, r.headers);
      return { ...w, costMs: r.method === 'GET' ? c.readBaseMs : c.metadataWriteMs, kind: 'metadata', records: 0 };
    }
    // ---- records
    const e = this.d.catalog.entityBySet(root);
    if (!e) throw err.segment(root);
    if (segs.length === 2 && segs[0].key === undefined && /^Microsoft\.Dynamics\.CRM\.(\w+)$/.test(segs[1].name) && r.method === 'POST') {
      return runBulkAction(svc, c, this.webApiUrl, e, segs[1].name.slice('Microsoft.Dynamics.CRM.'.length), json(), ctx);
    }
    // Reads need the table's Read privilege (writes are checked by RecordService on create, update and delete).
    if (r.method === 'GET') security.demand(ctx.userId, e, 'Read');
    if (segs.length === 2 && segs[0].key === undefined && segs[1].name === '$count' && r.method === 'GET') {
      return { status: 200, text: String(Math.min(this.d.store.count(e), 5000)), contentType: 'text/plain', costMs: c.readBaseMs, kind: 'read', records: 0 };
    }
    if (segs.length === 1 && segs[0].key === undefined) {
      if (r.method === 'GET') {
        const maxPageSize = Math.min(prefer.maxPageSize ?? 5000, 5000);
        const top = r.query.get('$top');
        const q = svc.query(e, {
          select: r.query.get('$select') ?? undefined,
          filter: r.query.get('$filter') ?? undefined,
          orderby: r.query.get('$orderby') ?? undefined,
          top: top !== null ? Number(top) : undefined,
          count: r.query.get('$count') === 'true',
          expand: r.query.get('$expand') ?? undefined,
          skiptoken: r.query.get('$skiptoken') ?? undefined,
          maxPageSize,
          annotations: prefer.annotations,
        });
        const out: Record<string, unknown> = { '@odata.context': `${this.webApiUrl}$metadata#${e.entitySetName}${r.query.get('$select') ? `(${r.query.get('$select')})` : ''}` };
        if (q.count !== undefined) {
          out['@odata.count'] = q.count;
          out['@Microsoft.Dynamics.CRM.totalrecordcount'] = -1;
          out['@Microsoft.Dynamics.CRM.totalrecordcountlimitexceeded'] = q.countLimited;
        }
        out.value = q.value;
        if (q.nextToken) {
          const nq = new URLSearchParams(r.query);
          nq.set('$skiptoken', q.nextToken);
          out['@odata.nextLink'] = `${this.webApiUrl}${e.entitySetName}?${nq.toString().replace(/\+/g, '%20')}`;
        }
        const applied: string[] = [];
        if (prefer.annotationsValue) applied.push(`odata.include-annotations=${prefer.annotationsValue}`);
        if (prefer.maxPageSize) applied.push(`odata.maxpagesize=${maxPageSize}`);
        return { status: 200, body: out, headers: applied.length ? { 'Preference-Applied': applied.join(',') } : {}, costMs: c.readBaseMs + q.value.length * c.readPerRowMs, kind: 'read', records: 0 };
      }
      if (r.method === 'POST') {
        const w = svc.create(e, json(), ctx);
        return this.writeResponse(e, w.id, true, r, prefer.representation);
      }
      throw new DataverseError(405, CODES.notSupported, `${r.method} is not supported on an entity set.`);
    }
    if (segs[0].key === undefined) throw err.segment(segs[1]?.name ?? root);
    let pred;
    try {
      pred = parseKeyPredicate(segs[0].key);
    } catch (x) {
      if (x instanceof ODataSyntaxError) throw err.querySyntax(x.message);
      throw x;
    }
    if (segs.length === 1) {
      switch (r.method) {
        case 'GET': {
          const g = svc.retrieve(e, pred, { select: r.query.get('$select') ?? undefined, expand: r.query.get('$expand') ?? undefined, annotations: prefer.annotations });
          const inm = r.headers['if-none-match'];
          if (inm && inm !== 'null' && inm === `W/"${g.row.version}"` && !prefer.annotations && !r.query.get('$expand'))
            return { status: 304, costMs: c.readBaseMs, kind: 'read', records: 0 };
          return { status: 200, body: { '@odata.context': `${this.webApiUrl}$metadata#${e.entitySetName}/$entity`, ...g.body }, costMs: c.readBaseMs, kind: 'read', records: 0 };
        }
        case 'PATCH': {
          const w = svc.upsert(e, pred, json(), ctx, { ifMatch: r.headers['if-match'], ifNoneMatch: r.headers['if-none-match'] });
          return this.writeResponse(e, w.id, w.created, r, prefer.representation);
        }
        case 'DELETE':
          svc.delete(e, pred, ctx, r.headers['if-match']);
          return { status: 204, costMs: c.requestMs, kind: 'write', records: 1 };
        default:
          throw new DataverseError(405, CODES.notSupported, `${r.method} is not supported on a record.`);
      }
    }
    // ---- single property / $ref
    const prop = segs[1].name;
    if (segs.length === 3 && segs[2].name === '$ref' && r.method === 'DELETE') {
      const nav = this.d.catalog.navProps(e).get(prop);
      if (!nav) throw err.segment(prop);
      const row = svc.retrieve(e, pred, { select: e.primaryIdAttribute, annotations: false }).row;
      svc.update(e, row, { [`${prop}@odata.bind`]: null }, ctx);
      return { status: 204, costMs: c.requestMs, kind: 'write', records: 1 };
    }
    if (segs.length === 2 && r.method === 'PUT') {
      const b = json();
      const row = svc.retrieve(e, pred, { select: e.primaryIdAttribute, annotations: false }).row;
      svc.update(e, row, { [prop]: b.value }, ctx);
      return { status: 204, costMs: c.requestMs, kind: 'write', records: 1 };
    }
    const coll = segs.length === 2 && r.method === 'GET' ? this.d.catalog.collectionNavs(e).get(prop) : undefined;
    if (coll) {
      security.demand(ctx.userId, coll.child, 'Read');
      const parent = svc.retrieve(e, pred, { select: e.primaryIdAttribute, annotations: false }).row;
      const value = svc.related(e, parent.id, coll, {
        select: r.query.get('$select') ?? undefined,
        filter: r.query.get('$filter') ?? undefined,
        orderby: r.query.get('$orderby') ?? undefined,
        top: r.query.get('$top') !== null ? Number(r.query.get('$top')) : undefined,
        annotations: prefer.annotations,
      });
      return { status: 200, body: { '@odata.context': `${this.webApiUrl}$metadata#${coll.child.entitySetName}`, value }, costMs: c.readBaseMs + value.length * c.readPerRowMs, kind: 'read', records: 0 };
    }
    if (r.method === 'GET' && (segs.length === 2 || (segs.length === 3 && segs[2].name === '$value'))) {
      const g = svc.retrieve(e, pred, { select: prop, annotations: false });
      const v = g.body[prop];
      if (segs.length === 3) return { status: v === null ? 204 : 200, text: v === null ? undefined : String(v), contentType: 'text/plain', costMs: c.readBaseMs, kind: 'read', records: 0 };
      return { status: v === null ? 204 : 200, body: v === null ? undefined : { '@odata.context': `${this.webApiUrl}$metadata#${e.entitySetName}(${g.row.id})/${prop}`, value: v }, costMs: c.readBaseMs, kind: 'read', records: 0 };
    }
    throw err.segment(prop);
  }

  /**
   * RetrieveCurrentOrganization(AccessType=...): the OrganizationDetail of this environment, among them
   * EnvironmentId (the Power Platform environment the org belongs to) and TenantId (learn.microsoft.com
   * power-apps/developer/data-platform/webapi/reference/organizationdetail).
   */
  private retrieveCurrentOrganization(key: string, query: URLSearchParams): WebOutcome {
    const m = /^AccessType=(.+)$/.exec(key);
    let literal = m?.[1] ?? '';
    if (literal.startsWith('@')) literal = query.get(literal) ?? '';
    const access = /^Microsoft\.Dynamics\.CRM\.EndpointAccessType'(Default|Internet|Intranet)'$/.exec(literal)?.[1];
    if (!access) throw err.querySyntax(`RetrieveCurrentOrganization needs AccessType=Microsoft.Dynamics.CRM.EndpointAccessType'Default' (got ${JSON.stringify(literal)}).`);
    const org = this.d.store.get(this.d.catalog.entityOrThrow('organization'), IDS.organization);
    const detail = {
      OrganizationId: IDS.organization,
      FriendlyName: String(org?.data.name ?? 'Emulated Organization'),
      OrganizationVersion: '9.2.25105.00000',
      EnvironmentId: this.d.environmentId,
      DatacenterId: '00000000-0000-0000-0000-000000000000',
      Geo: 'OCE',
      TenantId: this.d.tenantId,
      UrlName: 'emulated-org',
      UniqueName: 'emulatedorg',
      Endpoints: { Count: 1, IsReadOnly: false, Keys: ['WebApplication'], Values: [this.url] },
      State: 'Enabled',
      OrganizationType: 'Customer',
      SchemaType: 'Full',
    };
    return { status: 200, body: { '@odata.context': `${this.webApiUrl}$metadata#Microsoft.Dynamics.CRM.RetrieveCurrentOrganizationResponse`, Detail: detail }, costMs: this.d.cost.readBaseMs, kind: 'read', records: 0 };
  }

  private writeResponse(e: EntityMeta, id: string, created: boolean, r: WebRequest, representation: boolean): WebOutcome {
    const entityUrl = `${this.webApiUrl}${e.entitySetName}(${id})`;
    const headers: Record<string, string> = { 'OData-EntityId': entityUrl };
    if (created) headers.Location = entityUrl;
    if (representation) {
      const g = this.d.service.retrieve(e, { kind: 'id', id }, { select: r.query.get('$select') ?? undefined, expand: r.query.get('$expand') ?? undefined, annotations: preferOf(r.headers.prefer).annotations });
      headers['Preference-Applied'] = 'return=representation';
      return { status: created ? 201 : 200, headers, body: { '@odata.context': `${this.webApiUrl}$metadata#${e.entitySetName}/$entity`, ...g.body }, costMs: this.d.cost.requestMs, kind: 'write', records: 1 };
    }
    return { status: 204, headers, costMs: this.d.cost.requestMs, kind: 'write', records: 1 };
  }

  // ------------------------------------------------------------------ ImportSolution

  private async importSolution(r: WebRequest): Promise<WebOutcome> {
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(r.body || '{}');
    } catch {
      throw err.payload('The request body is not valid JSON.');
    }
    const file = body.CustomizationFile;
    if (typeof file !== 'string' || !file) throw err.payload('ImportSolution needs CustomizationFile (the solution zip, base64).');
    // Loaded on the first import only: serving records needs neither the zip reader nor its jszip and XML parser.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { readSolutionZip } = require('@astep/solution/readSolutionZip') as typeof import('@astep/solution/readSolutionZip');
    let sol;
    try {
      sol = await readSolutionZip(Buffer.from(file, 'base64'));
    } catch (e) {
      throw new DataverseError(400, '0x80048060', `The import file is invalid. ${(e as Error).message}`);
    }
    const result = this.d.catalog.applySchema(sol.schema, { strict: false, customTableCap: this.d.salesProfessional ? 15 : undefined, now: this.virtualNow() });
    this.d.persistCatalog();
    // The solution's security roles come with it (an admin then assigns them to users).
    for (const role of await rolesInSolution(Buffer.from(file, 'base64'))) this.d.security.defineRole(role);
    seedBulkFilters(this.d.service);
    applySolutionComponents(this.d.service, sol, this.d.environmentId);
    recordSolution(this.d.service, sol.uniqueName, sol.version, sol.managed, sol.schema.friendlyName);
    return { status: 204, headers: { 'x-emulator-import-summary': `${result.tablesCreated.length} tables, ${result.columnsCreated.length} columns, ${result.keysCreated.length} keys` }, costMs: this.d.cost.metadataWriteMs * 10, kind: 'metadata', records: 0 };
  }
}
