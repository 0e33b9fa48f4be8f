// OAuth 2.0 authorization-code flow as Actionstep runs it (reference §1): authorize consents at once for the
// `login_hint` user (else the firm's first administrator), the token endpoint accepts client credentials in the form
// body or HTTP Basic, codes are single-use, refresh tokens rotate and the old one dies on use.
import { randomBytes } from 'node:crypto';
import { OAuthError } from './errors';

export interface OAuthClientConfig {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs allowed; when empty, any loopback http URL (127.0.0.1, localhost, [::1]) is accepted. */
  redirectUris: string[];
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  apiEndpoint: string;
  orgKey: string;
}

export interface Session {
  id: string;
  userId: string;
  scopes: string[];
}

interface AccessToken {
  session: Session;
  expiresAt: number;
  /** Set by fault injection: the token now answers 401 expired_token although its TTL has not run out. */
  forcedExpired: boolean;
}
interface RefreshToken {
  session: Session;
  redirectUri: string;
  expiresAt: number;
  used: boolean;
}
interface AuthCode {
  session: Session;
  redirectUri: string;
  clientId: string;
  expiresAt: number;
  used: boolean;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  api_endpoint: string;
  orgkey: string;
  refresh_token: string;
}

const CODE_TTL_MS = 10 * 60_000;

function secret(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64url')}`;
}

export class OAuthServer {
  private codes = new Map<string, AuthCode>();
  private access = new Map<string, AccessToken>();
  private refresh = new Map<string, RefreshToken>();
  tokensIssued = 0;
  refreshes = 0;

  constructor(
    readonly config: OAuthClientConfig,
    private readonly now: () => number = Date.now,
  ) {}

  isAllowedRedirect(uri: string): boolean {
    if (this.config.redirectUris.length) return this.config.redirectUris.includes(uri);
    try {
      const u = new URL(uri);
      return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
    } catch {
      return false;
    }
  }

  /** Issues a code for a consenting user; the caller has validated client and redirect. */
  issueCode(userId: string, scopes: string[], redirectUri: string, clientId: string): string {
    const code = secret('c_');
    this.codes.set(code, {
      session: { id: randomBytes(8).toString('hex'), userId, scopes }, redirectUri, clientId,
      expiresAt: this.now() + CODE_TTL_MS, used: false,
    });
    return code;
  }

  private authenticateClient(form: URLSearchParams, authorization: string | undefined): void {
    let id = form.get('client_id');
    let sec = form.get('client_secret');
    if (authorization?.startsWith('Basic ')) {
      const decoded = Buffer.from(authorization.slice(6), 'base64').toString('utf8');
      const i = decoded.indexOf(':');
      if (i > 0) {
        id = decodeURIComponent(decoded.slice(0, i));
        sec = decodeURIComponent(decoded.slice(i + 1));
      }
    }
    if (id !== this.config.clientId || sec !== this.config.clientSecret) {
      throw new OAuthError(401, 'invalid_client', 'Client authentication failed (unknown client or wrong secret).');
    }
  }

  token(form: URLSearchParams, authorization: string | undefined): TokenResponse {
    this.authenticateClient(form, authorization);
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const entry = this.codes.get(code);
      if (!entry || entry.used || entry.expiresAt < this.now()) {
        throw new OAuthError(400, 'invalid_grant', 'The authorization code is invalid, expired or was already used.');
      }
      const redirect = form.get('redirect_uri');
      if (redirect !== entry.redirectUri) {
        throw new OAuthError(400, 'invalid_grant', 'redirect_uri does not match the one used in the authorization request.');
      }
      entry.used = true;
      return this.issueTokens(entry.session, entry.redirectUri);
    }
    if (grant === 'refresh_token') {
      const token = form.get('refresh_token') ?? '';
      const entry = this.refresh.get(token);
      if (!entry || entry.used || entry.expiresAt < this.now()) {
        // Rotating refresh tokens: a used one is dead (reference §1, inferred from S9's locking).
        throw new OAuthError(400, 'invalid_grant', 'The refresh token is invalid, expired or was already used.');
      }
      const redirect = form.get('redirect_uri');
      if (redirect !== null && redirect !== entry.redirectUri) {
        throw new OAuthError(400, 'invalid_grant', 'redirect_uri does not match the original authorization.');
      }
      entry.used = true;
      this.refreshes++;
      return this.issueTokens(entry.session, entry.redirectUri);
    }
    throw new OAuthError(400, 'unsupported_grant_type', `Grant type '${grant ?? ''}' is not supported (authorization_code and refresh_token only).`);
  }

  private issueTokens(session: Session, redirectUri: string): TokenResponse {
    const access = secret('a_');
    const refresh = secret('r_');
    const now = this.now();
    this.access.set(access, { session, expiresAt: now + this.config.accessTokenTtlSeconds * 1000, forcedExpired: false });
    this.refresh.set(refresh, { session, redirectUri, expiresAt: now + this.config.refreshTokenTtlSeconds * 1000, used: false });
    this.tokensIssued++;
    return {
      access_token: access, token_type: 'bearer', expires_in: this.config.accessTokenTtlSeconds,
      api_endpoint: this.config.apiEndpoint, orgkey: this.config.orgKey, refresh_token: refresh,
    };
  }

  /** Validates a bearer token: 401 RFC 6749 bodies for missing, invalid and expired tokens (reference §1). */
  authenticate(authorization: string | undefined): { token: string; session: Session } {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw new OAuthError(401, 'invalid_token', 'The access token provided in invalid (no bearer token)');
    const entry = this.access.get(m[1]);
    if (!entry) throw new OAuthError(401, 'invalid_token', 'The access token provided in invalid (2)');
    if (entry.forcedExpired || entry.expiresAt <= this.now()) {
      throw new OAuthError(401, 'expired_token', 'The access token provided has expired. Use the refresh token to get a new one.');
    }
    return { token: m[1], session: entry.session };
  }

  expire(token: string): void {
    const entry = this.access.get(token);
    if (entry) entry.forcedExpired = true;
  }
}

export function hasScope(session: Session, scope: string): boolean {
  return session.scopes.includes('all') || session.scopes.includes(scope);
}
