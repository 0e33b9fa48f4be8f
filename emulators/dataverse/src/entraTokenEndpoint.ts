// Entra ID (v2.0) client-credentials token endpoint, OpenID discovery documents, and bearer-token checks for the
// Web API. Error bodies follow Entra's shape (error, error_description with an AADSTS code, error_codes, timestamp,
// trace_id, correlation_id). Client assertions (JWT) are accepted WITHOUT verifying the signature: we check only
// the shape (three parts, `aud` = this token endpoint, `iss` = `sub` = client_id, not expired).
import { randomBytes, randomUUID } from 'node:crypto';

export interface ClientRegistration {
  clientId: string;
  clientSecret: string;
  applicationUserName?: string;
}

export interface IssuedToken {
  clientId: string;
  /** Delegated tokens (device code, refresh token): the signed-in user's systemuserid. */
  userId?: string;
  expiresAt: number;
}

/** The person who "signs in" on the device code page (the emulator approves on their behalf). */
export interface SignInUser {
  systemUserId: string;
  name: string;
  email: string;
  objectId: string;
}

interface PendingDeviceCode {
  clientId: string;
  scope: string;
  polls: number;
  expiresAt: number;
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

function entraError(status: number, error: string, code: number, description: string): TokenResponse {
  const now = new Date();
  const trace = randomUUID();
  const corr = randomUUID();
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${trace} Correlation ID: ${corr} Timestamp: ${now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')}`,
      error_codes: [code],
      timestamp: now.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      trace_id: trace,
      correlation_id: corr,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function decodeJwtPart(part: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(Buffer.from(part.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
}

export class EntraTokenEndpoint {
  private tokens = new Map<string, IssuedToken>();
  private deviceCodes = new Map<string, PendingDeviceCode>();
  private refreshTokens = new Map<string, { clientId: string; userId: string; scope: string }>();
  constructor(
    readonly tenantId: string,
    readonly clients: ClientRegistration[],
    /** The resource URL (`https://org.crm.dynamics.com` analogue): the emulator URL. */
    readonly resourceUrl: () => string,
    readonly tokenLifetimeSeconds = 3599,
    readonly signInUser: () => SignInUser | undefined = () => undefined,
  ) {}

  private tenantOk(tenant: string): boolean {
    return tenant === this.tenantId || tenant === 'organizations' || tenant === 'common';
  }

  /** The Dataverse resource a scope list asks for, or an error message. */
  private resourceScope(scope: string | null): { ok: true; scope: string } | { ok: false; res: TokenResponse } {
    if (!scope) return { ok: false, res: entraError(400, 'invalid_request', 90014, "The required field 'scope' is missing from the credential. Ensure that you have all the necessary parameters for the login request.") };
    const resource = this.resourceUrl().replace(/\/$/, '').toLowerCase();
    const resScopes = scope.split(' ').filter((s) => s && !['openid', 'profile', 'offline_access', 'email'].includes(s));
    if (resScopes.length === 0 || resScopes.some((s) => !s.toLowerCase().startsWith(`${resource}/`)))
      return { ok: false, res: entraError(400, 'invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. The scope ${scope} is not valid.`) };
    return { ok: true, scope: `${this.resourceUrl().replace(/\/$/, '')}/user_impersonation` };
  }

  /** POST /{tenant}/oauth2/v2.0/devicecode: the emulator approves the code for the sign-in user on the second poll. */
  deviceCode(tenant: string, form: URLSearchParams, baseUrl: string): TokenResponse {
    if (!this.tenantOk(tenant)) return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    const clientId = form.get('client_id') ?? '';
    const client = this.clients.find((c) => c.clientId.toLowerCase() === clientId.toLowerCase());
    if (!client) return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${this.tenantId}'.`);
    const sc = this.resourceScope(form.get('scope'));
    if (!sc.ok) return sc.res;
    const device = randomBytes(24).toString('base64url');
    const user = randomBytes(4).toString('hex').toUpperCase();
    this.deviceCodes.set(device, { clientId: client.clientId, scope: form.get('scope') ?? '', polls: 0, expiresAt: Date.now() + 900_000 });
    const uri = `${baseUrl}/devicelogin`;
    return {
      status: 200,
      body: { user_code: user, device_code: device, verification_uri: uri, expires_in: 900, interval: 1, message: `To sign in, use a web browser to open the page ${uri} and enter the code ${user} to authenticate. (The emulator approves it automatically.)` },
    };
  }

  private delegatedTokens(clientId: string, user: SignInUser, requested: string): TokenResponse {
    const access = `dvemu.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(access, { clientId, userId: user.systemUserId, expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    const refresh = `dvemu-rt.${randomBytes(24).toString('base64url')}`;
    this.refreshTokens.set(refresh, { clientId, userId: user.systemUserId, scope: requested });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    // Unsigned-in-practice id_token: msal-node decodes it to build the cached account.
    const idToken = `${b64({ typ: 'JWT', alg: 'RS256', kid: 'dataverse-emulator' })}.${b64({
      aud: clientId,
      iss: `https://login.microsoftonline.com/${this.tenantId}/v2.0`,
      iat: now,
      nbf: now,
      exp: now + this.tokenLifetimeSeconds,
      name: user.name,
      oid: user.objectId,
      preferred_username: user.email,
      sub: user.objectId,
      tid: this.tenantId,
      ver: '2.0',
    })}.${randomBytes(32).toString('base64url')}`;
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        scope: `${this.resourceUrl().replace(/\/$/, '')}/user_impersonation`,
        expires_in: this.tokenLifetimeSeconds,
        ext_expires_in: this.tokenLifetimeSeconds,
        access_token: access,
        refresh_token: refresh,
        id_token: idToken,
        client_info: b64({ uid: user.objectId, utid: this.tenantId }),
      },
    };
  }

  /** Handles POST /{tenant}/oauth2/v2.0/token with an urlencoded form. */
  token(tenant: string, form: URLSearchParams, tokenUrl: string): TokenResponse {
    if (!this.tenantOk(tenant))
      return entraError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`);
    const grant = form.get('grant_type');
    if (!grant) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.");
    if (grant === 'urn:ietf:params:oauth:grant-type:device_code' || grant === 'device_code') {
      const code = form.get('device_code') ?? '';
      const pending = this.deviceCodes.get(code);
      if (!pending || pending.clientId.toLowerCase() !== (form.get('client_id') ?? '').toLowerCase())
        return entraError(400, 'invalid_grant', 70000, 'The provided value for the input parameter device_code is not valid.');
      if (pending.expiresAt <= Date.now()) {
        this.deviceCodes.delete(code);
        return entraError(400, 'expired_token', 70020, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.');
      }
      if (pending.polls++ === 0) return entraError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.');
      const user = this.signInUser();
      if (!user) return entraError(400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
      this.deviceCodes.delete(code);
      return this.delegatedTokens(pending.clientId, user, pending.scope);
    }
    if (grant === 'refresh_token') {
      const rt = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!rt || rt.clientId.toLowerCase() !== (form.get('client_id') ?? '').toLowerCase())
        return entraError(400, 'invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.');
      const user = this.signInUser();
      if (!user || user.systemUserId !== rt.userId) return entraError(400, 'invalid_grant', 50034, 'The user account does not exist in the directory.');
      return this.delegatedTokens(rt.clientId, user, form.get('scope') ?? rt.scope);
    }
    if (grant !== 'client_credentials')
      return entraError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'. This emulator supports client_credentials only.`);
    const clientId = form.get('client_id');
    if (!clientId) return entraError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.");
    const client = this.clients.find((c) => c.clientId.toLowerCase() === clientId.toLowerCase());
    if (!client)
      return entraError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${this.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`);
    const scope = form.get('scope');
    if (!scope) return entraError(400, 'invalid_request', 90014, "The required field 'scope' is missing from the credential. Ensure that you have all the necessary parameters for the login request.");
    const scopes = scope.split(' ').filter((s) => s && !['openid', 'profile', 'offline_access'].includes(s));
    const resource = this.resourceUrl().replace(/\/$/, '');
    if (scopes.length !== 1 || !scopes[0].endsWith('/.default'))
      return entraError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`);
    const aud = scopes[0].slice(0, -'/.default'.length).replace(/\/$/, '');
    if (aud.toLowerCase() !== resource.toLowerCase())
      return entraError(400, 'invalid_resource', 500011, `The resource principal named ${aud} was not found in the tenant named ${this.tenantId}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`);
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (secret !== client.clientSecret)
        return entraError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`);
    } else if (assertion !== null) {
      if (form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
        return entraError(400, 'invalid_request', 90002, "client_assertion_type must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.");
      const parts = assertion.split('.');
      const payload = parts.length === 3 ? decodeJwtPart(parts[1]) : undefined;
      const audOk = typeof payload?.aud === 'string' && (payload.aud === tokenUrl || payload.aud.endsWith(`/${tenant}/oauth2/v2.0/token`));
      const issOk = payload?.iss === client.clientId && (payload?.sub === undefined || payload.sub === client.clientId);
      const expOk = typeof payload?.exp !== 'number' || payload.exp * 1000 > Date.now();
      if (!payload || !audOk || !issOk || !expOk)
        return entraError(401, 'invalid_client', 700027, 'Client assertion failed signature validation. (The emulator checks the assertion shape only: aud must be this token endpoint, iss and sub the client id, exp in the future.)');
    } else {
      return entraError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }
    const access = `dvemu.${randomBytes(24).toString('base64url')}`;
    this.tokens.set(access, { clientId: client.clientId, expiresAt: Date.now() + this.tokenLifetimeSeconds * 1000 });
    return {
      status: 200,
      body: { token_type: 'Bearer', expires_in: this.tokenLifetimeSeconds, ext_expires_in: this.tokenLifetimeSeconds, access_token: access },
    };
  }

  /** The client a bearer token was issued to, or a reason it is not valid. */
  validate(authorization: string | undefined): { clientId: string; userId?: string } | { error: string } {
    if (!authorization) return { error: 'missing' };
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return { error: 'invalid' };
    const t = this.tokens.get(m[1]);
    if (!t) return { error: 'invalid' };
    if (t.expiresAt <= Date.now()) {
      this.tokens.delete(m[1]);
      return { error: 'expired' };
    }
    return { clientId: t.clientId, userId: t.userId };
  }

  /** Makes a token expire now (fault injection of "expired tokens"). */
  expire(authorization: string | undefined): void {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (m) this.tokens.delete(m[1]);
  }

  openIdConfiguration(base: string, tenant: string): Record<string, unknown> {
    return {
      token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/${tenant}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${base}/oidc/userinfo`,
      authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid', 'oid'],
      kerberos_endpoint: `${base}/${tenant}/kerberos`,
      tenant_region_scope: 'OC',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
  }

  instanceDiscovery(base: string, tenant: string): Record<string, unknown> {
    const host = new URL(base).host;
    return {
      tenant_discovery_endpoint: `${base}/${tenant}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [
        { preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] },
        { preferred_network: host, preferred_cache: host, aliases: [host] },
      ],
    };
  }
}
