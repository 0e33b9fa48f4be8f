// A stand-in for Microsoft Entra ID (the v2.0 endpoints at https://login.microsoftonline.com), for tests: the
// browser's own requests to the real authority URL are routed here (playwright `context.route`), so msal-browser
// runs unchanged. It plays what Entra does for a single-page application:
// - OpenID discovery (`/{tenant}/v2.0/.well-known/openid-configuration`) and instance discovery
//   (`/common/discovery/instance`), the JWKS (`/{tenant}/discovery/v2.0/keys`);
// - authorize (`/{tenant}/oauth2/v2.0/authorize`): authorization code with PKCE S256 only, redirect_uri registered
//   for the app, response_mode fragment or query; `prompt=none` answers from the sign-in session cookie or with
//   `login_required`; otherwise a sign-in page (the test clicks "Sign in") that sets the session cookie;
// - token (`/{tenant}/oauth2/v2.0/token`): authorization_code (code_verifier checked against the challenge, code
//   single use, bound to client and redirect_uri) and refresh_token grants, one resource per request, only resources
//   the app has consented permissions for, cross-origin only (SPA rule), refresh tokens rotated.
// Tokens are RS256 JWTs signed with a key of this stand-in; `verify` lets the other stand-ins check them by audience.
// Harsher than or equal to the real service where undocumented; each such choice is said below.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, sign, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { BrowserContext, Route } from 'playwright-core';

export const AUTHORITY_HOST = 'https://login.microsoftonline.com';

export interface EntraUser {
  /** Sign-in name (UPN), e.g. admin@contoso.example. */
  upn: string;
  name: string;
  /** Object id (the `oid` claim). */
  oid: string;
}

export interface EntraApp {
  clientId: string;
  /** Redirect URIs registered for the app as a single-page application. */
  spaRedirectUris: string[];
  /** Resources (identifier URIs) the app has delegated permissions for, with admin consent. */
  resources: string[];
}

export interface EntraStandInOptions {
  tenantId: string;
  apps: EntraApp[];
  users: EntraUser[];
  /** Access token lifetime (default 3599 s, as Entra's default). */
  tokenLifetimeSeconds?: number;
  now?: () => number;
}

export interface TokenClaims {
  aud: string;
  iss: string;
  tid: string;
  oid: string;
  upn: string;
  name: string;
  scp: string;
  appid: string;
  iat: number;
  nbf: number;
  exp: number;
}

export interface StandInRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface StandInResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  resource: string;
  scopes: string[];
  nonce: string | null;
  user: EntraUser;
  expiresAt: number;
}

/** Entra's cookie of an authenticated browser session (the value is opaque). */
const SESSION_COOKIE = 'ESTSAUTH';
const CODE_TTL_MS = 10 * 60_000;
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class EntraStandIn {
  readonly tenantId: string;
  readonly counters = { authorize: 0, silentAuthorize: 0, interactiveSignIns: 0, token: 0, tokenErrors: 0, discovery: 0 };
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly kid = randomBytes(8).toString('hex');
  private readonly codes = new Map<string, PendingCode>();
  private readonly refreshTokens = new Map<string, { clientId: string; user: EntraUser }>();
  private readonly sessions = new Map<string, EntraUser>();
  /** Sign-in pages waiting for the user's click: id → the authorize request. */
  private readonly pendingSignIns = new Map<string, URLSearchParams>();
  private readonly now: () => number;

  constructor(private readonly o: EntraStandInOptions) {
    this.tenantId = o.tenantId;
    this.now = o.now ?? Date.now;
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  get authority(): string {
    return `${AUTHORITY_HOST}/${this.tenantId}`;
  }

  /** Routes every request the browser context sends to the authority host to this stand-in. */
  async install(context: BrowserContext): Promise<void> {
    await context.route((url) => url.origin === AUTHORITY_HOST, async (route: Route) => {
      const req = route.request();
      const r = this.handle({ method: req.method(), url: req.url(), headers: await req.allHeaders(), body: req.postData() ?? '' });
      await route.fulfill({ status: r.status, headers: r.headers, body: r.body });
    });
  }

  /** An access token as the token endpoint would issue it (for tests of the stand-ins themselves). */
  mint(user: EntraUser, resource: string, clientId = this.o.apps[0].clientId): string {
    return this.accessToken(user, resource, clientId);
  }

  /** Checks a bearer token: signature, issuer, tenant, expiry and audience. */
  verify(token: string, audiences: string[]): { ok: true; claims: TokenClaims } | { ok: false; reason: string } {
    const parts = token.split('.');
    if (parts.length !== 3) return { ok: false, reason: 'not a JWT' };
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    if (!verifySignature('RSA-SHA256', signed, this.publicKey, Buffer.from(parts[2], 'base64url'))) return { ok: false, reason: 'bad signature' };
    let claims: TokenClaims;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as TokenClaims;
    } catch {
      return { ok: false, reason: 'unreadable claims' };
    }
    if (claims.tid !== this.tenantId || claims.iss !== `https://sts.windows.net/${this.tenantId}/`) return { ok: false, reason: 'issued by another tenant' };
    if (claims.exp * 1000 <= this.now()) return { ok: false, reason: 'expired' };
    if (!audiences.includes(claims.aud)) return { ok: false, reason: `issued for ${claims.aud}` };
    return { ok: true, claims };
  }

  /** The JWKS (what `/discovery/v2.0/keys` serves). */
  jwks(): { keys: unknown[] } {
    const jwk = createPublicKey(this.publicKey).export({ format: 'jwk' }) as Record<string, string>;
    return { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e, alg: 'RS256' }] };
  }

  handle(req: StandInRequest): StandInResponse {
    const u = new URL(req.url);
    const parts = u.pathname.split('/').filter(Boolean);
    const tenant = parts[0] ?? '';
    const rest = parts.slice(1).join('/');
    if (req.method === 'OPTIONS') return this.preflight(req);
    if (rest === 'discovery/instance' && req.method === 'GET') {
      this.counters.discovery++;
      return json(200, this.instanceDiscovery(), req);
    }
    if (!this.tenantKnown(tenant)) return json(400, entraError('invalid_tenant', 90002, `Tenant '${tenant}' not found.`), req);
    if (rest === 'v2.0/.well-known/openid-configuration' && req.method === 'GET') {
      this.counters.discovery++;
      return json(200, this.openIdConfiguration(), req);
    }
    if (rest === 'discovery/v2.0/keys' && req.method === 'GET') return json(200, this.jwks(), req);
    if (rest === 'oauth2/v2.0/authorize' && req.method === 'GET') return this.authorize(u.searchParams, req);
    if (rest === 'login' && req.method === 'POST') return this.completeSignIn(new URLSearchParams(req.body), req);
    if (rest === 'oauth2/v2.0/token' && req.method === 'POST') return this.token(new URLSearchParams(req.body), req);
    return { status: 404, headers: { 'content-type': 'text/plain' }, body: `No route for ${req.method} ${u.pathname}` };
  }

  // ------------------------------------------------------------------------------------------ discovery
  private tenantKnown(tenant: string): boolean {
    return tenant === this.tenantId || tenant === 'organizations' || tenant === 'common';
  }

  private openIdConfiguration(): Record<string, unknown> {
    const base = this.authority;
    return {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: 'OC',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  private instanceDiscovery(): Record<string, unknown> {
    return {
      tenant_discovery_endpoint: `${this.authority}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] }],
    };
  }

  // ------------------------------------------------------------------------------------------ authorize
  private authorize(q: URLSearchParams, req: StandInRequest): StandInResponse {
    this.counters.authorize++;
    const app = this.o.apps.find((a) => a.clientId === q.get('client_id'));
    if (!app) return html(400, 'Sign in', `AADSTS700016: Application with identifier '${q.get('client_id') ?? ''}' was not found in the directory.`);
    const redirectUri = q.get('redirect_uri') ?? '';
    // An unregistered redirect URI is an error page: never a redirect to an unchecked place.
    if (!app.spaRedirectUris.includes(redirectUri)) return html(400, 'Sign in', `AADSTS50011: The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application.`);
    const back = (params: Record<string, string>): StandInResponse => redirectTo(redirectUri, q.get('response_mode') ?? 'fragment', { ...params, ...(q.get('state') ? { state: q.get('state') as string } : {}) });
    if (q.get('response_type') !== 'code') return back(entraErrorParams('unsupported_response_type', 700054, 'response_type must be code (the authorization code flow with PKCE).'));
    // Single-page applications must use PKCE with S256 (AADSTS9002325 without it).
    if (!q.get('code_challenge') || q.get('code_challenge_method') !== 'S256') return back(entraErrorParams('invalid_request', 9002325, 'Proof Key for Code Exchange is required for cross-origin authorization code redemption.'));
    const scoped = this.resourceOf(q.get('scope') ?? '', app);
    if ('error' in scoped) return back(scoped.error);
    const session = this.sessionUser(req);
    const hint = q.get('login_hint')?.toLowerCase();
    if (q.get('prompt') === 'none') {
      this.counters.silentAuthorize++;
      // Harsher than needed: a session for someone other than the hinted user also needs interaction.
      if (!session || (hint && session.upn.toLowerCase() !== hint)) {
        return back(entraErrorParams('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.'));
      }
      return back(this.issueCode(app, redirectUri, q, scoped, session));
    }
    // Interactive: the sign-in page; the user (the test) clicks "Sign in" as the hinted user or the only user.
    const id = randomUUID();
    this.pendingSignIns.set(id, new URLSearchParams(q));
    const user = this.o.users.find((x) => x.upn.toLowerCase() === hint) ?? this.o.users[0];
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>Sign in to your account</title></head><body>` +
      `<h1>Sign in</h1><form method="post" action="${this.authority}/login"><input type="hidden" name="flow" value="${id}">` +
      `<label>Email, phone, or Skype <input name="login" value="${escapeHtml(user.upn)}"></label>` +
      `<button type="submit" id="idSIButton9">Sign in</button></form></body></html>`;
    return { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
  }

  private completeSignIn(form: URLSearchParams, req: StandInRequest): StandInResponse {
    const q = this.pendingSignIns.get(form.get('flow') ?? '');
    if (!q) return html(400, 'Sign in', 'AADSTS90014: This sign-in page has expired. Start again.');
    this.pendingSignIns.delete(form.get('flow') ?? '');
    const user = this.o.users.find((x) => x.upn.toLowerCase() === (form.get('login') ?? '').toLowerCase());
    if (!user) return html(400, 'Sign in', "AADSTS50034: The user account does not exist in this directory.");
    this.counters.interactiveSignIns++;
    const app = this.o.apps.find((a) => a.clientId === q.get('client_id'))!;
    const scoped = this.resourceOf(q.get('scope') ?? '', app);
    const redirectUri = q.get('redirect_uri') as string;
    const params = 'error' in scoped ? scoped.error : this.issueCode(app, redirectUri, q, scoped, user);
    const session = randomBytes(24).toString('base64url');
    this.sessions.set(session, user);
    const r = redirectTo(redirectUri, q.get('response_mode') ?? 'fragment', { ...params, ...(q.get('state') ? { state: q.get('state') as string } : {}) });
    // SameSite=None: the silent flow later sends it from a hidden iframe inside another site's page.
    r.headers['set-cookie'] = `${SESSION_COOKIE}=${session}; Path=/; Secure; HttpOnly; SameSite=None`;
    void req;
    return r;
  }

  private sessionUser(req: StandInRequest): EntraUser | undefined {
    const cookie = (req.headers.cookie ?? '').split(';').map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    return cookie ? this.sessions.get(cookie.slice(SESSION_COOKIE.length + 1)) : undefined;
  }

  /** The one resource a scope list asks for (Entra issues a token for one resource per request: AADSTS28000). */
  private resourceOf(scope: string, app: EntraApp): { resource: string; scopes: string[] } | { error: Record<string, string> } {
    const scopes = scope.split(' ').filter(Boolean);
    const resources = [...new Set(scopes.filter((s) => !OIDC_SCOPES.has(s)).map((s) => s.replace(/\/[^/]*$/, '')))];
    if (resources.length > 1) return { error: entraErrorParams('invalid_scope', 28000, `Provided value for the input parameter scope is not valid because it contains more than one resource. Scope ${scope} is not valid.`) };
    if (resources.length === 0) return { error: entraErrorParams('invalid_scope', 70011, 'The provided request must include a resource scope.') };
    // A scope `<resource>/.default` names the resource's identifier URI: `https://service.powerapps.com//.default` → `https://service.powerapps.com/`.
    const resource = resources[0];
    if (!app.resources.includes(resource)) return { error: entraErrorParams('invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${app.clientId}' for the resource '${resource}'.`) };
    return { resource, scopes };
  }

  private issueCode(app: EntraApp, redirectUri: string, q: URLSearchParams, scoped: { resource: string; scopes: string[] }, user: EntraUser): Record<string, string> {
    const code = randomBytes(32).toString('base64url');
    this.codes.set(code, {
      clientId: app.clientId, redirectUri, challenge: q.get('code_challenge') as string, resource: scoped.resource, scopes: scoped.scopes,
      nonce: q.get('nonce'), user, expiresAt: this.now() + CODE_TTL_MS,
    });
    return { code, client_info: b64url(JSON.stringify({ uid: user.oid, utid: this.tenantId })) };
  }

  // ------------------------------------------------------------------------------------------ token
  private token(form: URLSearchParams, req: StandInRequest): StandInResponse {
    this.counters.token++;
    const fail = (status: number, error: string, code: number, description: string): StandInResponse => {
      this.counters.tokenErrors++;
      return json(status, entraError(error, code, description), req);
    };
    // Tokens for a single-page application may only be redeemed cross-origin (AADSTS9002327): the browser sends Origin.
    if (!req.headers.origin) return fail(400, 'invalid_request', 9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed via cross-origin requests.");
    const app = this.o.apps.find((a) => a.clientId === form.get('client_id'));
    if (!app) return fail(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`);
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = this.codes.get(form.get('code') ?? '');
      if (code) this.codes.delete(form.get('code') ?? ''); // single use, whatever happens next
      if (!code || code.expiresAt < this.now() || code.clientId !== app.clientId) return fail(400, 'invalid_grant', 70008, 'The provided authorization code or refresh token has expired or was already used.');
      if (code.redirectUri !== form.get('redirect_uri')) return fail(400, 'invalid_grant', 50148, 'The redirect_uri does not match the one of the authorization request.');
      const verifier = form.get('code_verifier') ?? '';
      if (b64url(createHash('sha256').update(verifier).digest()) !== code.challenge) return fail(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.');
      return json(200, this.tokenResponse(app, code.user, code.resource, code.scopes, code.nonce), req, { 'cache-control': 'no-store, no-cache' });
    }
    if (grant === 'refresh_token') {
      const old = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!old || old.clientId !== app.clientId) return fail(400, 'invalid_grant', 70000, 'The refresh token is not valid for this client.');
      const scoped = this.resourceOf(form.get('scope') ?? '', app);
      if ('error' in scoped) return json(400, { ...scoped.error, error_codes: [Number(/AADSTS(\d+)/.exec(scoped.error.error_description)?.[1] ?? 0)] }, req);
      // Refresh tokens of a single-page application rotate: the old one stops working.
      this.refreshTokens.delete(form.get('refresh_token') ?? '');
      return json(200, this.tokenResponse(app, old.user, scoped.resource, scoped.scopes, null), req, { 'cache-control': 'no-store, no-cache' });
    }
    return fail(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant ?? ''}'.`);
  }

  private tokenResponse(app: EntraApp, user: EntraUser, resource: string, scopes: string[], nonce: string | null): Record<string, unknown> {
    const refresh = randomBytes(32).toString('base64url');
    this.refreshTokens.set(refresh, { clientId: app.clientId, user });
    const now = Math.floor(this.now() / 1000);
    const idToken = this.jwt({
      ver: '2.0', iss: `${this.authority}/v2.0`, sub: createHash('sha256').update(`${user.oid}:${app.clientId}`).digest('base64url'), aud: app.clientId,
      exp: now + 3600, iat: now, nbf: now, name: user.name, preferred_username: user.upn, oid: user.oid, tid: this.tenantId,
      ...(nonce ? { nonce } : {}),
    });
    const lifetime = this.o.tokenLifetimeSeconds ?? 3599;
    return {
      token_type: 'Bearer',
      scope: scopes.filter((s) => !OIDC_SCOPES.has(s)).join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: this.accessToken(user, resource, app.clientId),
      refresh_token: refresh,
      refresh_token_expires_in: 86399,
      id_token: idToken,
      client_info: b64url(JSON.stringify({ uid: user.oid, utid: this.tenantId })),
    };
  }

  private accessToken(user: EntraUser, resource: string, clientId: string): string {
    const now = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      aud: resource, iss: `https://sts.windows.net/${this.tenantId}/`, tid: this.tenantId, oid: user.oid, upn: user.upn, name: user.name,
      scp: 'user_impersonation', appid: clientId, iat: now, nbf: now, exp: now + (this.o.tokenLifetimeSeconds ?? 3599),
    };
    return this.jwt(claims as unknown as Record<string, unknown>);
  }

  private jwt(claims: Record<string, unknown>): string {
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid: this.kid }));
    const payload = b64url(JSON.stringify(claims));
    const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), this.privateKey);
    return `${header}.${payload}.${signature.toString('base64url')}`;
  }

  private preflight(req: StandInRequest): StandInResponse {
    return { status: 204, headers: { ...cors(req), 'access-control-allow-methods': 'GET, POST, OPTIONS', 'access-control-allow-headers': req.headers['access-control-request-headers'] ?? 'content-type', 'access-control-max-age': '600' }, body: '' };
  }
}

function cors(req: StandInRequest): Record<string, string> {
  return req.headers.origin ? { 'access-control-allow-origin': req.headers.origin, vary: 'Origin' } : {};
}

function json(status: number, body: unknown, req: StandInRequest, extra: Record<string, string> = {}): StandInResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...cors(req), ...extra }, body: JSON.stringify(body) };
}

function html(status: number, title: string, text: string): StandInResponse {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body: `<!doctype html><title>${escapeHtml(title)}</title><p>${escapeHtml(text)}</p>` };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);
}

/** 302 to the redirect URI with the parameters in the fragment or the query, as response_mode says. */
function redirectTo(redirectUri: string, mode: string, params: Record<string, string>): StandInResponse {
  const target = new URL(redirectUri);
  const encoded = new URLSearchParams(params).toString();
  if (mode === 'query') for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
  else target.hash = encoded;
  return { status: 302, headers: { location: target.toString(), 'cache-control': 'no-store' }, body: '' };
}

function entraErrorParams(error: string, code: number, description: string): Record<string, string> {
  return { error, error_description: `AADSTS${code}: ${description} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()} Timestamp: ${new Date().toISOString()}` };
}

function entraError(error: string, code: number, description: string): Record<string, unknown> {
  const p = entraErrorParams(error, code, description);
  return { ...p, error_codes: [code], timestamp: new Date().toISOString(), trace_id: randomUUID(), correlation_id: randomUUID() };
}
