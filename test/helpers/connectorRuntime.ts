// A stand-in for the Power Platform between the browser (the Mapping Wizard) and Actionstep, for tests: the
// connections API (api.powerapps.com) and the connector runtime (<region>.azure-apim.net) are two hosts here too, on
// two ports, and each accepts only a token the Entra stand-in minted for its own audience. The client secret and the
// Actionstep tokens never reach the browser.
//
// Modelled on the real services (an observed contract of api.powerapps.com, and learn.microsoft.com where it says):
// - connections API, every call with `?api-version=2016-11-01&$filter=environment eq '<environment id>'` (without the
//   filter the API answers MissingEnvironmentFilter), token audience https://service.powerapps.com/ ("PowerApps
//   Service"): `GET /providers/Microsoft.PowerApps/apis/{apiName}` (the connector; `properties.runtimeUrls[0]` is
//   the connector runtime URL `.../apim/{apiName}`), `PUT|GET|DELETE .../apis/{apiName}/connections/{id}` (PUT
//   body `{ properties: { displayName, environment: { id, name }, connectionParameters } }`), `POST .../getConsentLink`
//   with `{ redirectUrl }` answering `{ consentLink, principalType, redirectUrl }`, `POST .../confirmConsentCode`
//   with `{ code }`. A new OAuth connection reads `statuses: [{ status: 'Error', target: 'token', error: { code:
//   'Unauthenticated' } }]` until consent. A connection belongs to the user who created it.
// - consent: the consent link opens the consent service (`/login?data=...` here), which sends the browser to
//   Actionstep's authorize page; Actionstep sends the code to the global redirect of the connector
//   (`global.consent.azure-apim.net/redirect/<api>`, redirectMode GlobalPerConnector); the code is exchanged server
//   side with the client secret and the browser returns to the caller's redirectUrl with `?code=<consent code>`
//   (or `?error=<base64 message>`). Harsher than observed (a redirect to a non-portal page can come back already
//   confirmed): the connection is Connected only after the caller posts that code to confirmConsentCode.
// - connector runtime (data plane), token audience https://apihub.azure.com: `{runtimeUrl}/{connectionId}/<path of
//   the swagger, relative to basePath>`; the runtime adds the connection's bearer token, refreshes it when Actionstep
//   answers 401 and retries once. Only operations the swagger defines are served.
// Where the real behaviour is not documented the harsher plausible choice is made and said so below.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const CONNECTOR_RUNTIME_API_VERSION = '2016-11-01';

export interface ConnectorRuntimeActionstepSettings {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Scopes asked at consent. Default: those of apiProperties.json (`all`). */
  scopes?: string[];
  /** Passed to the authorize endpoint (the emulator consents at once for this user). */
  loginHint?: string;
}

/** The parts of a Swagger 2.0 document the runtime reads. */
export interface ConnectorSwagger {
  basePath?: string;
  paths: Record<string, Record<string, unknown>>;
}

/** Who checks the callers' bearer tokens (the Entra stand-in). */
export interface TokenVerifier {
  verify(token: string, audiences: string[]): { ok: true; claims: { oid: string; tid: string; upn?: string } } | { ok: false; reason: string };
}

/** The identifier URIs of the two services, as Entra puts them in `aud` (with or without the trailing slash). */
export const CONNECTIONS_API_AUDIENCES = ['https://service.powerapps.com/', 'https://service.powerapps.com'];
export const CONNECTOR_RUNTIME_AUDIENCES = ['https://apihub.azure.com', 'https://apihub.azure.com/'];

export interface ConnectorRuntimeOptions {
  actionstep: ConnectorRuntimeActionstepSettings;
  identity: TokenVerifier;
  /** The Power Platform environment the connector lives in (the $filter every connections API call carries). */
  environmentId: string;
  /** The connector's API name as the platform assigned it (Dataverse connectors.connectorinternalid). */
  apiName: string;
  /** Default: connectors/actionstep/apiDefinition.swagger.json. */
  swagger?: ConnectorSwagger;
  /** The real runtime gives up on a backend after about 2 minutes (504). Default 120000. */
  forwardTimeoutInMs?: number;
  /** One line per handled request; never contains a token, a code or the client secret. */
  log?: (line: string) => void;
  now?: () => number;
}

export interface ConnectorRuntimeCounters {
  /** Data-plane requests forwarded to Actionstep (the retry after a refresh counts again). */
  forwarded: number;
  /** Successful refresh-token grants. */
  refreshes: number;
  refreshFailures: number;
  /** Code exchanges at Actionstep that ended with a consent code for the caller. */
  consents: number;
  /** confirmConsentCode calls that connected a connection. */
  confirmations: number;
  managementCalls: number;
  /** Requests refused by the runtime itself (user token, unknown connection or path, not connected). */
  rejected: number;
  /** Status codes the runtime answered on the data plane. */
  byStatus: Record<string, number>;
}

export type ConnectionStatusName = 'Connected' | 'Error';

export interface ConnectorRuntime {
  /** The connections API (api.powerapps.com): http://127.0.0.1:PORT, no trailing slash. */
  connectionsUrl: string;
  /** The connector runtime host (<region>.azure-apim.net): http://127.0.0.1:PORT, no trailing slash. */
  runtimeUrl: string;
  /** `${runtimeUrl}/apim/${apiName}`: what the connector's runtimeUrls[0] says. */
  apiRuntimeUrl: string;
  apiName: string;
  environmentId: string;
  counters(): ConnectorRuntimeCounters;
  /** Test hooks that act as time or an administrator would. */
  testing: {
    /** The stored access token is treated as expired by the clock (the next call refreshes first). */
    expireAccessToken(connectionId: string): void;
    /** The stored refresh token no longer works (revoked grant): the next refresh fails. */
    revokeRefreshToken(connectionId: string): void;
    /** Every Actionstep access and refresh token the runtime received, so tests can prove none leaked. */
    issuedTokens(): string[];
  };
  close(): Promise<void>;
}

interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  apiEndpoint: string;
  orgKey?: string;
}

interface Connection {
  id: string;
  /** Object id of the user who created it: connections are not shared unless someone shares them. */
  owner: string;
  displayName: string;
  createdTime: string;
  lastModifiedTime: string;
  tokens: StoredTokens | null;
  status: ConnectionStatusName;
  error: { code: string; message: string } | null;
  /** One refresh at a time: concurrent 401s wait for it (the refresh token rotates: a second use would fail). */
  refreshing: Promise<string> | null;
}

interface PendingConsent {
  connectionId: string;
  owner: string;
  redirectUrl: string;
  expiresAt: number;
}

/** Tokens Actionstep issued at consent, waiting for the caller's confirmConsentCode. */
interface UnconfirmedConsent {
  connectionId: string;
  owner: string;
  tokens: StoredTokens;
  expiresAt: number;
}

interface Operation {
  operationId: string;
  method: string;
  pattern: RegExp;
  template: string;
}

class RuntimeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const CONSENT_TTL_MS = 10 * 60_000;
/** Refresh a little before the clock says the token is dead, so a request does not leave with a token about to die. */
const EXPIRY_MARGIN_MS = 30_000;
/** Response headers of Actionstep the browser may need (the rest, Set-Cookie included, stay behind). */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'content-range', 'content-disposition', 'retry-after', 'x-part-count', 'www-authenticate', 'accept-ranges', 'cache-control', 'allow'];
const EXPOSED_HEADERS = [...FORWARDED_RESPONSE_HEADERS.filter((h) => h !== 'content-type' && h !== 'cache-control'), 'content-length', 'x-ms-request-id'];

const DEFAULT_SWAGGER_PATH = path.resolve(__dirname, '../../connectors/actionstep/apiDefinition.swagger.json');
const DEFAULT_API_PROPERTIES_PATH = path.resolve(__dirname, '../../connectors/actionstep/apiProperties.json');

export async function startConnectorRuntime(options: ConnectorRuntimeOptions): Promise<ConnectorRuntime> {
  const runtime = new ConnectorRuntimeServer(options);
  await runtime.listen();
  return {
    connectionsUrl: runtime.connectionsUrl,
    runtimeUrl: runtime.runtimeUrl,
    apiRuntimeUrl: `${runtime.runtimeUrl}/apim/${runtime.apiName}`,
    apiName: runtime.apiName,
    environmentId: options.environmentId,
    counters: () => ({ ...runtime.counters, byStatus: { ...runtime.counters.byStatus } }),
    testing: {
      expireAccessToken: (id) => {
        const t = runtime.connection(id).tokens;
        if (t) t.expiresAt = 0;
      },
      revokeRefreshToken: (id) => {
        const t = runtime.connection(id).tokens;
        if (t) t.refreshToken = `revoked-${randomBytes(8).toString('hex')}`;
      },
      issuedTokens: () => [...runtime.issuedTokens],
    },
    close: () => runtime.close(),
  };
}

class ConnectorRuntimeServer {
  readonly apiName: string;
  readonly counters: ConnectorRuntimeCounters = { forwarded: 0, refreshes: 0, refreshFailures: 0, consents: 0, confirmations: 0, managementCalls: 0, rejected: 0, byStatus: {} };
  connectionsUrl = '';
  runtimeUrl = '';
  readonly issuedTokens: string[] = [];
  /** The connections API host and the connector runtime host: two servers, as two hosts in the cloud. */
  private readonly connectionsServer: http.Server;
  private readonly runtimeServer: http.Server;
  private readonly connections = new Map<string, Connection>();
  private readonly consents = new Map<string, PendingConsent>();
  private readonly unconfirmed = new Map<string, UnconfirmedConsent>();
  private readonly operations: Operation[];
  private readonly scopes: string[];
  private readonly now: () => number;

  constructor(private readonly options: ConnectorRuntimeOptions) {
    this.apiName = options.apiName;
    this.now = options.now ?? Date.now;
    const swagger = options.swagger ?? (JSON.parse(readFileSync(DEFAULT_SWAGGER_PATH, 'utf8')) as ConnectorSwagger);
    this.operations = compileOperations(swagger);
    this.scopes = options.actionstep.scopes ?? defaultScopes();
    const serve = (handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>) => http.createServer((req, res) => {
      handler(req, res).catch((e: unknown) => {
        // A bug of the stand-in, not a platform answer: say so without echoing anything that could hold a secret.
        this.log(`internal error on ${req.method} ${pathOnly(req.url)}: ${(e as Error).name}`);
        if (!res.headersSent) this.sendError(res, new RuntimeError(500, 'InternalServerError', 'The connector runtime failed to handle the request.'));
        else res.destroy();
      });
    });
    this.connectionsServer = serve((req, res) => this.handleConnections(req, res));
    this.runtimeServer = serve((req, res) => this.handleRuntime(req, res));
  }

  async listen(): Promise<void> {
    const listen = (server: http.Server) => new Promise<string>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
    });
    this.connectionsUrl = await listen(this.connectionsServer);
    this.runtimeUrl = await listen(this.runtimeServer);
  }

  async close(): Promise<void> {
    for (const server of [this.connectionsServer, this.runtimeServer]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  connection(id: string): Connection {
    const c = this.connections.get(id);
    if (!c) throw new Error(`No connection '${id}'.`);
    return c;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** The connector's global consent redirect (redirectMode GlobalPerConnector: one per connector). */
  private get redirectUri(): string {
    return `${this.connectionsUrl}/redirect/${this.apiName.replace(/^shared_/, '')}`;
  }

  // ------------------------------------------------------------------------------------------ routing
  private async handleConnections(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    await this.route(req, res, false, async (method, rawPath, rawQuery) => {
      if (rawPath === this.redirectUri.slice(this.connectionsUrl.length) && method === 'GET') return this.consentRedirect(new URLSearchParams(rawQuery), res);
      if (rawPath === '/login' && method === 'GET') return this.consentLogin(new URLSearchParams(rawQuery), res);
      const api = /^\/providers\/Microsoft\.PowerApps\/apis\/([^/]+)$/.exec(rawPath);
      if (api) return this.describeApi(req, res, method, decodeSegment(api[1]), new URLSearchParams(rawQuery));
      const mgmt = /^\/providers\/Microsoft\.PowerApps\/apis\/([^/]+)\/connections\/([^/]+)(\/getConsentLink|\/confirmConsentCode)?$/.exec(rawPath);
      if (mgmt) return this.management(req, res, method, decodeSegment(mgmt[1]), decodeSegment(mgmt[2]), mgmt[3] ?? '', new URLSearchParams(rawQuery));
      throw new RuntimeError(404, 'NotFound', `No route for ${method} ${rawPath}.`);
    });
  }

  private async handleRuntime(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    await this.route(req, res, true, async (method, rawPath, rawQuery) => {
      const data = /^\/apim\/([^/]+)\/([^/]+)(\/.*)?$/.exec(rawPath);
      if (data) return this.dataPlane(req, res, method, decodeSegment(data[1]), decodeSegment(data[2]), data[3] ?? '/', rawQuery);
      throw new RuntimeError(404, 'NotFound', `No route for ${method} ${rawPath}.`);
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse, dataPlane: boolean, handle: (method: string, rawPath: string, rawQuery: string) => Promise<void>): Promise<void> {
    setCors(req, res);
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? '' : rawUrl.slice(q + 1);
    if (method === 'OPTIONS') {
      // CORS preflight: answered before authentication (browsers send no Authorization on preflights).
      res.writeHead(204, { 'Access-Control-Max-Age': '600' });
      res.end();
      return;
    }
    try {
      await handle(method, rawPath, rawQuery);
    } catch (e) {
      if (!(e instanceof RuntimeError)) throw e;
      if (dataPlane) this.count(e.status, true);
      this.log(`${method} ${rawPath} -> ${e.status} ${e.code}`);
      this.sendError(res, e);
    }
  }

  /** The caller's object id, from a bearer token Entra issued for this service's audience. */
  private authenticateUser(req: http.IncomingMessage, audiences: string[], service: string): string {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m) {
      throw new RuntimeError(401, 'Unauthorized', `The request has no bearer token: sign in (the ${service} needs the signed-in user's token).`, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    const checked = this.options.identity.verify(m[1], audiences);
    if (!checked.ok) {
      throw new RuntimeError(401, 'InvalidAuthenticationToken', `The token is not valid for the ${service} (${checked.reason}; it needs one issued for ${audiences[0]}).`, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    return checked.claims.oid;
  }

  /** api-version and the environment filter every connections API call carries. */
  private checkQuery(query: URLSearchParams, environmentRequired: boolean): void {
    // The real API refuses calls without api-version (ARM convention); so does the stand-in.
    const version = query.get('api-version');
    if (!version) throw new RuntimeError(400, 'MissingApiVersionParameter', `The api-version query parameter is required (use ${CONNECTOR_RUNTIME_API_VERSION}).`);
    if (version !== CONNECTOR_RUNTIME_API_VERSION) throw new RuntimeError(400, 'InvalidApiVersionParameter', `api-version '${version}' is not supported (use ${CONNECTOR_RUNTIME_API_VERSION}).`);
    const filter = query.get('$filter');
    if (filter === null) {
      if (environmentRequired) throw new RuntimeError(400, 'MissingEnvironmentFilter', "The request needs $filter=environment eq '<environment id>'.");
      return;
    }
    const env = /^environment eq '([^']+)'$/.exec(filter)?.[1];
    if (!env) throw new RuntimeError(400, 'InvalidFilter', `The $filter must be environment eq '<environment id>', got ${JSON.stringify(filter)}.`);
    if (env !== this.options.environmentId) throw new RuntimeError(404, 'EnvironmentNotFound', `The environment '${env}' could not be found.`);
  }

  private checkApi(apiName: string): void {
    if (apiName !== this.apiName) throw new RuntimeError(404, 'ApiNotFound', `The API '${apiName}' does not exist in environment '${this.options.environmentId}'.`);
  }

  // ------------------------------------------------------------------------------------------ connections API
  /** The connector as the connections API describes it: runtimeUrls[0] is where its data plane is. */
  private async describeApi(req: http.IncomingMessage, res: http.ServerResponse, method: string, apiName: string, query: URLSearchParams): Promise<void> {
    this.counters.managementCalls++;
    this.authenticateUser(req, CONNECTIONS_API_AUDIENCES, 'connections API');
    this.checkQuery(query, true);
    this.checkApi(apiName);
    if (method !== 'GET') throw new RuntimeError(405, 'MethodNotAllowed', `${method} is not allowed on an API (GET).`);
    const runtimeUrl = `${this.runtimeUrl}/apim/${this.apiName}`;
    sendJson(res, 200, {
      name: this.apiName,
      id: `/providers/Microsoft.PowerApps/apis/${this.apiName}`,
      type: 'Microsoft.PowerApps/apis',
      properties: { displayName: 'Actionstep', isCustomApi: true, environment: { name: this.options.environmentId }, runtimeUrls: [runtimeUrl], primaryRuntimeUrl: runtimeUrl },
    });
  }

  private async management(req: http.IncomingMessage, res: http.ServerResponse, method: string, apiName: string, connectionId: string, action: string, query: URLSearchParams): Promise<void> {
    this.counters.managementCalls++;
    const caller = this.authenticateUser(req, CONNECTIONS_API_AUDIENCES, 'connections API');
    // Harsher than observed (a PUT carries its environment in the body): every call must name the environment.
    this.checkQuery(query, true);
    this.checkApi(apiName);
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(connectionId)) {
      throw new RuntimeError(400, 'InvalidConnectionName', `Connection name '${connectionId}' is not valid: letters, digits, '.', '_' and '-' only, at most 128 characters.`);
    }
    if (method === 'PUT' && !action) {
      const body = await readJson(req);
      const props = (body.properties ?? {}) as Record<string, unknown>;
      const env = (props.environment as { name?: unknown } | undefined)?.name;
      if (env !== this.options.environmentId) throw new RuntimeError(400, 'InvalidEnvironment', `properties.environment.name must be the connector's environment '${this.options.environmentId}', got ${JSON.stringify(env ?? null)}.`);
      const displayName = typeof props.displayName === 'string' && props.displayName.trim() ? props.displayName.trim() : connectionId;
      const existing = this.ownedConnection(connectionId, caller, true);
      const stamp = new Date(this.now()).toISOString();
      if (existing) {
        existing.displayName = displayName;
        existing.lastModifiedTime = stamp;
      } else {
        this.connections.set(connectionId, {
          id: connectionId, owner: caller, displayName, createdTime: stamp, lastModifiedTime: stamp, tokens: null, status: 'Error',
          error: { code: 'Unauthenticated', message: 'This connection is not authenticated: sign in to Actionstep.' }, refreshing: null,
        });
      }
      this.log(`PUT connection ${connectionId} -> ${existing ? 200 : 201}`);
      return sendJson(res, existing ? 200 : 201, this.describe(this.connections.get(connectionId)!));
    }
    const conn = this.ownedConnection(connectionId, caller, false)!;
    if (action === '/getConsentLink') {
      if (method !== 'POST') throw new RuntimeError(405, 'MethodNotAllowed', `${method} is not allowed on getConsentLink (POST).`);
      return this.getConsentLink(req, res, conn);
    }
    if (action === '/confirmConsentCode') {
      if (method !== 'POST') throw new RuntimeError(405, 'MethodNotAllowed', `${method} is not allowed on confirmConsentCode (POST).`);
      return this.confirmConsentCode(req, res, conn, caller);
    }
    if (method === 'GET') return sendJson(res, 200, this.describe(conn));
    if (method === 'DELETE') {
      this.connections.delete(connectionId);
      this.log(`DELETE connection ${connectionId} -> 200`);
      res.writeHead(200);
      res.end();
      return;
    }
    throw new RuntimeError(405, 'MethodNotAllowed', `${method} is not allowed on a connection (GET, PUT, DELETE).`);
  }

  /** A connection of the caller; another user's connection is refused (connections are not shared here). */
  private ownedConnection(connectionId: string, caller: string, mayBeNew: boolean): Connection | undefined {
    const conn = this.connections.get(connectionId);
    if (!conn) {
      if (mayBeNew) return undefined;
      throw new RuntimeError(404, 'ConnectionNotFound', `The connection '${connectionId}' does not exist for API '${this.apiName}'.`);
    }
    if (conn.owner !== caller) throw new RuntimeError(403, 'AuthorizationFailed', `The connection '${connectionId}' belongs to another user and is not shared with the caller.`);
    return conn;
  }

  /** The connection as the API shows it: never a token, never the secret. */
  private describe(conn: Connection): Record<string, unknown> {
    const statuses = conn.status === 'Connected' ? [{ status: 'Connected' }] : [{ status: 'Error', target: 'token', error: conn.error }];
    return {
      name: conn.id,
      id: `/providers/Microsoft.PowerApps/apis/${this.apiName}/connections/${conn.id}`,
      type: 'Microsoft.PowerApps/apis/connections',
      properties: {
        apiId: `/providers/Microsoft.PowerApps/apis/${this.apiName}`,
        displayName: conn.displayName,
        createdTime: conn.createdTime,
        lastModifiedTime: conn.lastModifiedTime,
        statuses,
        connectionParameters: conn.tokens?.apiEndpoint ? { apiHost: new URL(conn.tokens.apiEndpoint).host } : {},
      },
    };
  }

  /** `{ redirectUrl }` → `{ consentLink, principalType, redirectUrl }`: the link opens the consent service. */
  private async getConsentLink(req: http.IncomingMessage, res: http.ServerResponse, conn: Connection): Promise<void> {
    const body = await readJson(req);
    const redirectUrl = typeof body.redirectUrl === 'string' ? body.redirectUrl : '';
    let parsed: URL | null = null;
    try {
      parsed = new URL(redirectUrl);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')) {
      throw new RuntimeError(400, 'InvalidRedirectUrl', `redirectUrl must be an absolute http(s) URL, got ${JSON.stringify(redirectUrl)}.`);
    }
    const state = randomBytes(18).toString('base64url');
    this.consents.set(state, { connectionId: conn.id, owner: conn.owner, redirectUrl, expiresAt: this.now() + CONSENT_TTL_MS });
    this.log(`getConsentLink ${conn.id} -> 200`);
    sendJson(res, 200, { consentLink: `${this.connectionsUrl}/login?data=${state}`, principalType: 'User', redirectUrl });
  }

  /** The consent service's page: on to the identity provider's authorize page (Actionstep). */
  private consentLogin(query: URLSearchParams, res: http.ServerResponse): void {
    const state = query.get('data') ?? '';
    const pending = this.consents.get(state);
    if (!pending || pending.expiresAt < this.now()) {
      return sendHtml(res, 400, 'Sign-in failed', 'This sign-in link is unknown, was already used or has expired. Start again from the Connect step.');
    }
    const { authorizeUrl, clientId, loginHint } = this.options.actionstep;
    const link = new URL(authorizeUrl);
    link.searchParams.set('response_type', 'code');
    link.searchParams.set('client_id', clientId);
    link.searchParams.set('redirect_uri', this.redirectUri);
    link.searchParams.set('scope', this.scopes.join(' '));
    link.searchParams.set('state', state);
    if (loginHint) link.searchParams.set('login_hint', loginHint);
    res.writeHead(302, { Location: link.toString() });
    res.end();
  }

  /**
   * Where Actionstep sends the browser back: exchange the code (server side, with the secret), then go to the caller
   * with a consent code that confirmConsentCode turns into a Connected connection; or with `error=<base64>`.
   */
  private async consentRedirect(query: URLSearchParams, res: http.ServerResponse): Promise<void> {
    const state = query.get('state') ?? '';
    const pending = this.consents.get(state);
    if (!pending || pending.expiresAt < this.now()) {
      // No known caller to send the browser to: an error page (never a redirect to an unchecked place).
      if (pending) this.consents.delete(state);
      this.log('consent redirect with an unknown or expired state -> 400');
      return sendHtml(res, 400, 'Sign-in failed', 'This sign-in link is unknown, was already used or has expired. Start again from the Connect step.');
    }
    this.consents.delete(state); // single use
    const conn = this.connections.get(pending.connectionId);
    const back = new URL(pending.redirectUrl);
    const fail = (code: string, message: string): void => {
      if (conn && conn.status !== 'Connected') conn.error = { code, message };
      back.searchParams.set('error', Buffer.from(JSON.stringify({ code, message })).toString('base64'));
      this.log(`consent for ${pending.connectionId} failed: ${code} -> 302`);
      res.writeHead(302, { Location: back.toString() });
      res.end();
    };
    if (!conn) return fail('ConnectionNotFound', 'The connection was deleted during sign-in.');
    const idpError = query.get('error');
    if (idpError) return fail(idpError, query.get('error_description') ?? 'Actionstep refused the sign-in.');
    const code = query.get('code');
    if (!code) return fail('invalid_request', 'Actionstep sent neither a code nor an error.');
    let tokens: StoredTokens;
    try {
      tokens = await this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: this.redirectUri });
    } catch (e) {
      const err = e instanceof RuntimeError ? e : new RuntimeError(502, 'TokenRequestFailed', (e as Error).message);
      return fail(err.code, err.message);
    }
    const consentCode = randomBytes(24).toString('base64url');
    this.unconfirmed.set(consentCode, { connectionId: conn.id, owner: pending.owner, tokens, expiresAt: this.now() + CONSENT_TTL_MS });
    this.counters.consents++;
    back.searchParams.set('code', consentCode);
    this.log(`consent for ${pending.connectionId}: signed in, waiting for confirmConsentCode -> 302`);
    res.writeHead(302, { Location: back.toString() });
    res.end();
  }

  /** `{ code }`: the consent code the caller received; only the user who asked for the link can confirm it. */
  private async confirmConsentCode(req: http.IncomingMessage, res: http.ServerResponse, conn: Connection, caller: string): Promise<void> {
    const body = await readJson(req);
    const code = typeof body.code === 'string' ? body.code : '';
    const pending = this.unconfirmed.get(code);
    if (!pending || pending.expiresAt < this.now() || pending.connectionId !== conn.id || pending.owner !== caller) {
      throw new RuntimeError(400, 'InvalidConsentCode', `The consent code is not valid for connection '${conn.id}' (unknown, expired, already used, or issued to another user).`);
    }
    this.unconfirmed.delete(code); // single use
    conn.tokens = pending.tokens;
    conn.status = 'Connected';
    conn.error = null;
    conn.lastModifiedTime = new Date(this.now()).toISOString();
    this.counters.confirmations++;
    this.log(`confirmConsentCode ${conn.id} -> Connected`);
    sendJson(res, 200, this.describe(conn));
  }

  /** POST to Actionstep's token endpoint with the client secret; errors carry the RFC 6749 code, never a token. */
  private async tokenRequest(grant: Record<string, string>): Promise<StoredTokens> {
    const { tokenUrl, clientId, clientSecret } = this.options.actionstep;
    const form = new URLSearchParams({ ...grant, client_id: clientId, client_secret: clientSecret });
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: AbortSignal.timeout(this.options.forwardTimeoutInMs ?? 120_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new RuntimeError(502, 'TokenEndpointUnreachable', `Actionstep's token endpoint could not be reached (${cause}).`);
    }
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = {};
    }
    if (!res.ok) {
      const error = typeof body.error === 'string' ? body.error : `http_${res.status}`;
      const description = typeof body.error_description === 'string' ? body.error_description : `status ${res.status}`;
      throw new RuntimeError(res.status >= 500 ? 502 : 401, error, description);
    }
    if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string' || typeof body.api_endpoint !== 'string') {
      throw new RuntimeError(502, 'InvalidTokenResponse', "Actionstep's token response lacks access_token, refresh_token or api_endpoint.");
    }
    this.issuedTokens.push(body.access_token, body.refresh_token);
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600);
    return {
      accessToken: body.access_token,
      refreshToken: body.refresh_token,
      expiresAt: this.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
      apiEndpoint: body.api_endpoint.endsWith('/') ? body.api_endpoint : `${body.api_endpoint}/`,
      orgKey: typeof body.orgkey === 'string' ? body.orgkey : undefined,
    };
  }

  // ------------------------------------------------------------------------------------------ data plane
  /** `refused`: the runtime itself said no (as opposed to passing on Actionstep's answer). */
  private count(status: number, refused: boolean): void {
    this.counters.byStatus[String(status)] = (this.counters.byStatus[String(status)] ?? 0) + 1;
    if (refused && status < 500) this.counters.rejected++;
  }

  private async dataPlane(req: http.IncomingMessage, res: http.ServerResponse, method: string, apiName: string, connectionId: string, apiPath: string, rawQuery: string): Promise<void> {
    const caller = this.authenticateUser(req, CONNECTOR_RUNTIME_AUDIENCES, 'connector runtime');
    this.checkApi(apiName);
    const conn = this.ownedConnection(connectionId, caller, false)!;
    // Harsher choice (the real runtime serves only the operations of the connector's definition): a path or method
    // the swagger does not define is refused here and never reaches Actionstep.
    // Dot segments would be resolved away when the URL to Actionstep is built, reaching paths the swagger never allowed.
    const dotSegment = apiPath.split('/').some((seg) => /^(?:\.|%2e){1,2}$/i.test(seg));
    const op = dotSegment ? undefined : this.operations.find((o) => o.method === method.toLowerCase() && o.pattern.test(apiPath));
    if (!op) {
      throw new RuntimeError(404, 'OperationNotFound', `The Actionstep connector defines no operation for ${method} ${apiPath} (see apiDefinition.swagger.json).`);
    }
    if (conn.status !== 'Connected' || !conn.tokens) {
      throw new RuntimeError(401, conn.error?.code ?? 'Unauthenticated', `The connection '${connectionId}' is not authenticated: ${conn.error?.message ?? 'sign in to Actionstep again.'}`, {
        'WWW-Authenticate': 'Bearer error="invalid_token"',
      });
    }
    const requestId = randomUUID();
    // Kept aside: another request's failed refresh may clear the connection's tokens while this one is in flight.
    let apiEndpoint = conn.tokens.apiEndpoint;
    const forward = async (accessToken: string): Promise<{ status: number; headers: Headers; body: Buffer }> => {
      apiEndpoint = conn.tokens?.apiEndpoint ?? apiEndpoint; // a refresh may move the org's endpoint
      const target = `${apiEndpoint}${apiPath.replace(/^\//, '')}${rawQuery ? `?${rawQuery}` : ''}`;
      const headers: Record<string, string> = { Authorization: `Bearer ${accessToken}` };
      for (const h of ['accept', 'range', 'if-none-match']) {
        const v = req.headers[h];
        if (typeof v === 'string') headers[h] = v;
      }
      this.counters.forwarded++;
      try {
        const r = await fetch(target, { method, headers, redirect: 'manual', signal: AbortSignal.timeout(this.options.forwardTimeoutInMs ?? 120_000) });
        return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
      } catch (e) {
        if ((e as Error).name === 'TimeoutError') throw new RuntimeError(504, 'GatewayTimeout', `Actionstep did not answer ${method} ${apiPath} in time.`);
        const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
        throw new RuntimeError(502, 'BadGateway', `Actionstep could not be reached for ${method} ${apiPath} (${cause}).`);
      }
    };

    let token = await this.currentAccessToken(conn);
    let out = await forward(token);
    if (out.status === 401 && isTokenError(out)) {
      token = await this.refreshAfter401(conn, token);
      out = await forward(token);
    }
    const headers: Record<string, string> = { 'x-ms-request-id': requestId };
    for (const h of FORWARDED_RESPONSE_HEADERS) {
      const v = out.headers.get(h);
      if (v !== null) headers[h] = v;
    }
    this.count(out.status, false);
    this.log(`${method} /apim/${apiName}/${connectionId}${apiPath}${rawQuery ? `?${rawQuery}` : ''} (${op.operationId}) -> ${out.status}`);
    if (out.status === 204 || out.status === 304) {
      res.writeHead(out.status, headers);
      res.end();
      return;
    }
    res.writeHead(out.status, { ...headers, 'Content-Length': String(out.body.length) });
    res.end(out.body);
  }

  /** The stored access token, refreshed first when the clock says it is (about to be) dead. */
  private async currentAccessToken(conn: Connection): Promise<string> {
    const t = conn.tokens!;
    if (t.expiresAt - EXPIRY_MARGIN_MS > this.now()) return t.accessToken;
    return this.refreshAfter401(conn, t.accessToken);
  }

  /** Single flight: the first caller refreshes; callers holding the same stale token wait for it; callers whose token
   *  was already replaced get the new one at once. */
  private async refreshAfter401(conn: Connection, stale: string): Promise<string> {
    if (conn.tokens && conn.tokens.accessToken !== stale) return conn.tokens.accessToken;
    if (!conn.refreshing) {
      conn.refreshing = this.refresh(conn).finally(() => {
        conn.refreshing = null;
      });
    }
    return conn.refreshing;
  }

  private async refresh(conn: Connection): Promise<string> {
    const tokens = conn.tokens;
    if (!tokens) throw new RuntimeError(401, 'Unauthenticated', `The connection '${conn.id}' is not authenticated.`);
    try {
      conn.tokens = await this.tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refreshToken, redirect_uri: this.redirectUri });
      this.counters.refreshes++;
      this.log(`refreshed the Actionstep token of connection ${conn.id}`);
      return conn.tokens.accessToken;
    } catch (e) {
      this.counters.refreshFailures++;
      const err = e instanceof RuntimeError ? e : new RuntimeError(502, 'TokenRequestFailed', (e as Error).message);
      if (err.status === 502) {
        // Token endpoint down: transient, the connection keeps its tokens and the caller may retry.
        this.log(`refresh of connection ${conn.id} failed (transient): ${err.code}`);
        throw new RuntimeError(502, 'TokenRefreshFailed', `Failed to refresh access token for service: oauth2 (${err.message}). Try again.`);
      }
      // The grant is gone (revoked, expired, already used): only a new sign-in helps.
      const message = `Failed to refresh access token for service: oauth2. Error: ${err.code} (${err.message}). Sign in to Actionstep again.`;
      conn.status = 'Error';
      conn.error = { code: 'Unauthenticated', message };
      conn.tokens = null;
      this.log(`refresh of connection ${conn.id} failed: ${err.code}; connection needs consent`);
      throw new RuntimeError(401, 'Unauthenticated', `The connection '${conn.id}' is not authenticated: ${message}`, { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
  }

  private sendError(res: http.ServerResponse, e: RuntimeError): void {
    sendJson(res, e.status, { error: { code: e.code, message: e.message } }, e.headers);
  }
}

// ------------------------------------------------------------------------------------------ helpers
function compileOperations(swagger: ConnectorSwagger): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(swagger.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
      // A path parameter is one segment (Actionstep ids, comma lists and file ids never contain "/").
      const source = template.split(/\{[^}]+\}/).map(escapeRegExp).join('[^/]+');
      ops.push({ operationId: String((op as { operationId?: string }).operationId ?? `${method} ${template}`), method, pattern: new RegExp(`^${source}$`), template });
    }
  }
  return ops;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function defaultScopes(): string[] {
  try {
    const props = JSON.parse(readFileSync(DEFAULT_API_PROPERTIES_PATH, 'utf8')) as {
      properties?: { connectionParameters?: { token?: { oAuthSettings?: { scopes?: string[] } } } };
    };
    const scopes = props.properties?.connectionParameters?.token?.oAuthSettings?.scopes;
    if (Array.isArray(scopes) && scopes.length) return scopes;
  } catch {
    // fall back below
  }
  return ['all'];
}

function isTokenError(out: { headers: Headers; body: Buffer }): boolean {
  let error: unknown;
  try {
    error = (JSON.parse(out.body.toString('utf8')) as { error?: unknown }).error;
  } catch {
    error = undefined;
  }
  if (typeof error !== 'string') error = /error="([^"]+)"/.exec(out.headers.get('www-authenticate') ?? '')?.[1];
  return error === 'expired_token' || error === 'invalid_token';
}

function setCors(req: http.IncomingMessage, res: http.ServerResponse): void {
  // Bearer tokens, no cookies: any origin may call, credentials are never allowed.
  res.setHeader('Access-Control-Allow-Origin', typeof req.headers.origin === 'string' ? req.headers.origin : '*');
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Methods', 'GET, PUT, POST, DELETE, OPTIONS');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept, Range');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(', '));
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new RuntimeError(413, 'RequestEntityTooLarge', 'The request body is over 1 MB.');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return {};
  try {
    const body = JSON.parse(text) as unknown;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
    return body as Record<string, unknown>;
  } catch (e) {
    throw new RuntimeError(400, 'InvalidRequestContent', `The request body is not a JSON object (${(e as Error).message}).`);
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendHtml(res: http.ServerResponse, status: number, title: string, text: string): void {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
  const html = `<!doctype html><meta charset="utf-8"><title>${esc(title)}</title><h1>${esc(title)}</h1><p>${esc(text)}</p>`;
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(html)) });
  res.end(html);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new RuntimeError(400, 'InvalidPath', `The path segment '${segment}' is not valid percent-encoding.`);
  }
}

function pathOnly(url: string | undefined): string {
  return (url ?? '/').split('?')[0];
}
