// The token provider the CLI uses: tokens from a TokenStore, refreshed before expiry or when the API says a token
// expired, with rotation persisted and one refresh shared by every request that noticed (single-flight), because a
// second concurrent refresh would present an already-rotated refresh token and be refused (invalid_grant).
import { randomBytes } from 'node:crypto';
import { ActionstepError } from '../errors';
import { startLoopbackRedirectListener } from './loopbackRedirect';
import type { ActionstepOAuthClient } from './oauthClient';
import type { ActionstepAccessToken, ActionstepTokenProvider, GetTokenOptions } from './tokenProvider';
import type { StoredTokenSet, TokenStore } from './tokenStore';

export interface ActionstepOAuthCredentialOptions {
  oauthClient: ActionstepOAuthClient;
  store: TokenStore;
  /** Refresh this long before expiry. Default 60 s. */
  refreshMarginInMs?: number;
  /** Sent with refresh requests (some Actionstep deployments want it to match the original). */
  redirectUri?: string;
  now?: () => number;
  logger?: (message: string) => void;
}

export interface SignInOptions {
  /** Opens the authorize URL: a browser for people; against the emulator, an HTTP GET that follows the 302. */
  openUrl: (url: string) => Promise<void>;
  loginHint?: string;
  port?: number;
  timeoutInMs?: number;
  abortSignal?: AbortSignal;
}

export class ActionstepOAuthCredential implements ActionstepTokenProvider {
  private current?: StoredTokenSet;
  private refreshing?: Promise<StoredTokenSet>;
  private redirectUri?: string;
  /** Refreshes actually performed (tests check single-flight). */
  refreshCount = 0;

  constructor(private readonly options: ActionstepOAuthCredentialOptions) {
    this.redirectUri = options.redirectUri;
  }

  get tokenRequestCount(): number {
    return this.options.oauthClient.tokenRequestCount;
  }

  /** Authorization-code flow through a one-shot loopback listener; stores the tokens. */
  async signIn(o: SignInOptions): Promise<ActionstepAccessToken> {
    const state = randomBytes(32).toString('base64url');
    const listener = await startLoopbackRedirectListener({ port: o.port, expectedState: state, timeoutInMs: o.timeoutInMs });
    try {
      const url = this.options.oauthClient.buildAuthorizeUrl({ redirectUri: listener.redirectUri, state, loginHint: o.loginHint });
      await o.openUrl(url);
      const code = await listener.code;
      const tokens = await this.options.oauthClient.exchangeCode(code, listener.redirectUri, o.abortSignal);
      this.redirectUri = listener.redirectUri;
      await this.options.store.save(tokens);
      this.current = tokens;
      this.options.logger?.(`Signed in to Actionstep (org ${tokens.orgKey ?? 'unknown'}, endpoint ${tokens.apiEndpoint}).`);
      return toAccessToken(tokens);
    } finally {
      await listener.close();
    }
  }

  async getToken(options: GetTokenOptions = {}): Promise<ActionstepAccessToken> {
    if (this.refreshing) return toAccessToken(await this.refreshing);
    this.current ??= await this.options.store.load();
    const current = this.current;
    if (!current) {
      throw new ActionstepError('Not signed in to Actionstep: no stored tokens. Run the sign-in first.', { kind: 'auth' });
    }
    if (options.staleAccessToken !== undefined && options.staleAccessToken !== current.accessToken) {
      return toAccessToken(current); // someone refreshed since that request started
    }
    const now = (this.options.now ?? Date.now)();
    const expiring = current.expiresOnTimestamp - (this.options.refreshMarginInMs ?? 60_000) <= now;
    if (options.staleAccessToken === undefined && !expiring) return toAccessToken(current);
    return toAccessToken(await this.refresh(current));
  }

  // Not abortable: the refresh is shared by every waiting request, and one caller's abort must not fail the others
  // (nor leave a rotated refresh token unsaved).
  private refresh(from: StoredTokenSet): Promise<StoredTokenSet> {
    this.refreshing ??= (async () => {
      try {
        this.refreshCount++;
        const next = await this.options.oauthClient.refresh(from.refreshToken, this.redirectUri);
        // Persist before anyone uses it: the old refresh token is dead from now on.
        await this.options.store.save(next);
        this.current = next;
        if (next.apiEndpoint !== from.apiEndpoint) {
          this.options.logger?.(`Actionstep api_endpoint changed to ${next.apiEndpoint}.`);
        }
        return next;
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }
}

function toAccessToken(t: StoredTokenSet): ActionstepAccessToken {
  return { accessToken: t.accessToken, apiEndpoint: t.apiEndpoint, expiresOnTimestamp: t.expiresOnTimestamp, orgKey: t.orgKey };
}

/** openUrl for the emulator (its authorize endpoint consents at once): GET the URL and follow the 302 home. */
export async function followAuthorizeRedirect(url: string): Promise<void> {
  const res = await fetch(url, { redirect: 'follow' });
  await res.arrayBuffer();
  if (res.status !== 200) {
    throw new ActionstepError(`The authorize URL answered ${res.status} instead of redirecting back.`, { kind: 'auth', status: res.status });
  }
}
