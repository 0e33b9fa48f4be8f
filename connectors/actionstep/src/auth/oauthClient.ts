// Actionstep OAuth 2.0: authorization-code grant only (reference §1). Token requests are form-encoded with the client
// credentials in the body; every response carries a new refresh token (rotation) and the org's api_endpoint.
import { ActionstepError } from '../errors';
import { backoffDelay, DEFAULT_RETRY_OPTIONS } from '../pipeline/retryPolicy';
import { abortableSleep } from '../pipeline/concurrencyLimiter';
import { FetchHttpTransport, type HttpResponse, type HttpTransport } from '../transport/httpTransport';
import type { StoredTokenSet } from './tokenStore';

export const ACTIONSTEP_AUTHORIZE_URL = 'https://go.actionstep.com/api/oauth/authorize';
export const ACTIONSTEP_TOKEN_URL = 'https://api.actionstep.com/api/oauth/token';

export interface ActionstepOAuthClientOptions {
  authorizeUrl?: string;
  tokenUrl?: string;
  clientId: string;
  clientSecret: string;
  /** Space-joined into `scope`; `all` is Actionstep's wildcard. */
  scopes?: string[];
  transport?: HttpTransport;
  timeoutInMs?: number;
  /** Retries of a token call on 429/5xx/network errors. Default 4. */
  maxRetries?: number;
  sleep?: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

export interface AuthorizeUrlOptions {
  redirectUri: string;
  state: string;
  /** Pre-selects the signing-in user (the emulator consents at once for it). */
  loginHint?: string;
}

export class ActionstepOAuthClient {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly scopes: string[];
  private readonly clientSecret: string;
  private readonly transport: HttpTransport;
  private readonly sleep: (ms: number, abortSignal?: AbortSignal) => Promise<void>;
  private readonly now: () => number;
  private tokenCalls = 0;

  constructor(private readonly options: ActionstepOAuthClientOptions) {
    this.authorizeUrl = options.authorizeUrl ?? ACTIONSTEP_AUTHORIZE_URL;
    this.tokenUrl = options.tokenUrl ?? ACTIONSTEP_TOKEN_URL;
    this.clientId = options.clientId;
    this.clientSecret = options.clientSecret;
    this.scopes = options.scopes ?? ['all'];
    this.transport = options.transport ?? new FetchHttpTransport();
    this.sleep = options.sleep ?? abortableSleep;
    this.now = options.now ?? Date.now;
  }

  /** HTTP requests sent to the token endpoint, retries included. */
  get tokenRequestCount(): number {
    return this.tokenCalls;
  }

  buildAuthorizeUrl(o: AuthorizeUrlOptions): string {
    const u = new URL(this.authorizeUrl);
    u.searchParams.set('response_type', 'code');
    u.searchParams.set('client_id', this.clientId);
    u.searchParams.set('redirect_uri', o.redirectUri);
    u.searchParams.set('scope', this.scopes.join(' '));
    u.searchParams.set('state', o.state);
    if (o.loginHint) u.searchParams.set('login_hint', o.loginHint);
    return u.toString();
  }

  exchangeCode(code: string, redirectUri: string, abortSignal?: AbortSignal): Promise<StoredTokenSet> {
    return this.tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }, abortSignal);
  }

  /** The refresh token is single-use: the caller must store the returned set before using the old one again. */
  refresh(refreshToken: string, redirectUri?: string, abortSignal?: AbortSignal): Promise<StoredTokenSet> {
    const form: Record<string, string> = { grant_type: 'refresh_token', refresh_token: refreshToken };
    if (redirectUri) form.redirect_uri = redirectUri;
    return this.tokenRequest(form, abortSignal);
  }

  private async tokenRequest(form: Record<string, string>, abortSignal?: AbortSignal): Promise<StoredTokenSet> {
    const body = new URLSearchParams({ ...form, client_id: this.clientId, client_secret: this.clientSecret }).toString();
    const maxRetries = this.options.maxRetries ?? 4;
    const what = `${form.grant_type} token request to ${this.tokenUrl}`;
    for (let retry = 0; ; retry++) {
      let res: HttpResponse;
      try {
        this.tokenCalls++;
        res = await this.transport.send({
          method: 'POST',
          url: this.tokenUrl,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
          body,
          timeoutInMs: this.options.timeoutInMs ?? 60_000,
          abortSignal,
        });
      } catch (e) {
        const err = e as ActionstepError;
        // A lost response to a refresh may already have rotated the token; retrying is still the best chance.
        if ((err.kind === 'network' || err.kind === 'timeout') && retry < maxRetries) {
          await this.sleep(backoffDelay(retry, DEFAULT_RETRY_OPTIONS, Math.random), abortSignal);
          continue;
        }
        throw new ActionstepError(`The ${what} failed: ${err.message}`, { kind: 'auth', code: err.code, cause: err });
      }
      if ((res.status === 429 || res.status >= 500) && retry < maxRetries) {
        await this.sleep(backoffDelay(retry, DEFAULT_RETRY_OPTIONS, Math.random), abortSignal);
        continue;
      }
      return this.parseTokenResponse(res, what, form.grant_type);
    }
  }

  private parseTokenResponse(res: HttpResponse, what: string, grant: string): StoredTokenSet {
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      // handled below
    }
    if (res.status !== 200) {
      const error = typeof json.error === 'string' ? json.error : `HTTP ${res.status}`;
      const description = typeof json.error_description === 'string' ? `: ${json.error_description}` : '';
      const hint =
        error === 'invalid_grant'
          ? grant === 'refresh_token'
            ? ' The refresh token was already used or has expired: sign in again.'
            : ' The authorization code was already used, has expired or the redirect URI differs.'
          : error === 'invalid_client'
            ? ' Check the client id and secret.'
            : '';
      throw new ActionstepError(`The ${what} was refused (${res.status} ${error}${description}).${hint}`, {
        kind: 'auth',
        status: res.status,
        code: error,
        headers: res.headers,
      });
    }
    const accessToken = json.access_token;
    const refreshToken = json.refresh_token;
    const apiEndpoint = json.api_endpoint;
    if (typeof accessToken !== 'string' || typeof refreshToken !== 'string' || typeof apiEndpoint !== 'string') {
      const missing = ['access_token', 'refresh_token', 'api_endpoint'].filter((k) => typeof json[k] !== 'string');
      throw new ActionstepError(`The ${what} returned no ${missing.join(', ')}.`, { kind: 'auth', status: res.status });
    }
    const expiresIn = Number(json.expires_in ?? 3600);
    return {
      accessToken,
      refreshToken,
      apiEndpoint: apiEndpoint.endsWith('/') ? apiEndpoint : `${apiEndpoint}/`,
      expiresOnTimestamp: this.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000,
      orgKey: typeof json.orgkey === 'string' ? json.orgkey : undefined,
      scope: typeof json.scope === 'string' ? json.scope : undefined,
      tokenUrl: this.tokenUrl,
      clientId: this.clientId,
    };
  }
}
