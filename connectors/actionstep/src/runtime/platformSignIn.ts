// The signed-in Dynamics user's tokens for the Power Platform, obtained by the page itself with msal-browser: one for
// the connections API (https://service.powerapps.com/) and one for the connector runtime (https://apihub.azure.com).
// Silent first (a hidden iframe with the user's login hint and Entra's session), a pop-up only when Entra says
// interaction is required; tokens cached by msal for the browser session (sessionStorage), never written to the row,
// the form or a log. The app registration is the admin's (a single-page application whose redirect URI is the
// solution's sign-in page, SignInRedirect.html; see the README's "Inside Dynamics").
//
// msal-browser 5 delivers the iframe's and the pop-up's response through the redirect page, which must run its
// redirect bridge (`@azure/msal-browser/redirect-bridge`, broadcastResponseToMainFrame): that is the web resource
// astep_/html/SignInRedirect.html with astep_/js/SignInRedirect.js.
import {
  BrowserAuthError,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
  type Configuration,
} from '@azure/msal-browser';
import { CONNECTIONS_API_SCOPE } from './connectorRuntimeConnections';
import { CONNECTOR_RUNTIME_SCOPE } from './connectorRuntimeTokenProvider';

export interface PlatformSignInSettings {
  /** Application (client) id of the Entra app registration the wizard signs in with. */
  clientId: string;
  /** Directory (tenant) id or verified domain. */
  tenantId: string;
  /** The registered redirect URI: the org's SignInRedirect.html web resource. */
  redirectUri: string;
  /** The Dynamics user's sign-in name (systemuser.domainname), so the silent sign-in picks the same account. */
  loginHint: string | null;
  /** Entra's host (sovereign clouds have others). Default https://login.microsoftonline.com. */
  authorityHost?: string;
}

export type SignInState = 'signedIn' | 'signInRequired';

/** Thrown when a token needs the user's interaction (the page shows a "Sign in" button that calls signIn()). */
export class SignInRequiredError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SignInRequiredError';
  }
}

/** Errors after which only an interactive sign-in helps (msal's interaction-required family, or no account yet). */
function needsInteraction(e: unknown): boolean {
  return e instanceof InteractionRequiredAuthError || (e instanceof BrowserAuthError && /no_account|interaction_required/.test(e.errorCode));
}

export class PlatformSignIn {
  private readonly pca: PublicClientApplication;
  private ready: Promise<void> | null = null;
  private account: AccountInfo | null = null;

  constructor(private readonly settings: PlatformSignInSettings, config: Partial<Configuration> = {}) {
    this.pca = new PublicClientApplication({
      auth: {
        clientId: settings.clientId,
        authority: `${(settings.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/+$/, '')}/${settings.tenantId}`,
        redirectUri: settings.redirectUri,
        ...config.auth,
      },
      // One browser session: a reload keeps the tokens, closing the tab forgets them.
      cache: { cacheLocation: 'sessionStorage', ...config.cache },
      system: { ...config.system },
    });
  }

  /** Signs in without interaction when Entra can (or the session cache holds tokens); otherwise says so. */
  async start(): Promise<SignInState> {
    await this.initialize();
    const cached = this.cachedAccount();
    try {
      const r = cached
        ? await this.pca.acquireTokenSilent({ scopes: [CONNECTIONS_API_SCOPE], account: cached })
        : await this.pca.ssoSilent({ scopes: [CONNECTIONS_API_SCOPE], ...(this.settings.loginHint ? { loginHint: this.settings.loginHint } : {}) });
      this.account = r.account;
      return 'signedIn';
    } catch (e) {
      if (needsInteraction(e)) return 'signInRequired';
      throw e;
    }
  }

  /**
   * The interactive sign-in, in a pop-up. Call it from the click itself (before any other await), or the browser's
   * pop-up blocker stops the window.
   */
  async signIn(): Promise<void> {
    await this.initialize();
    const r = await this.pca.acquireTokenPopup({ scopes: [CONNECTIONS_API_SCOPE], ...(this.settings.loginHint ? { loginHint: this.settings.loginHint } : {}) });
    this.account = r.account;
  }

  get signedInAs(): string | null {
    return this.account?.username ?? null;
  }

  /** Token for the connections API (consent link, connection status). */
  connectionsToken = (): Promise<string> => this.tokenFor(CONNECTIONS_API_SCOPE);

  /** Token for the connector runtime (the data plane the Actionstep calls go through). */
  runtimeToken = (): Promise<string> => this.tokenFor(CONNECTOR_RUNTIME_SCOPE);

  private async tokenFor(scope: string): Promise<string> {
    await this.initialize();
    const account = this.account ?? this.cachedAccount();
    if (!account) throw new SignInRequiredError('Sign in to Microsoft first (the wizard needs your Power Platform tokens).');
    try {
      const r = await this.pca.acquireTokenSilent({ scopes: [scope], account });
      this.account = r.account;
      return r.accessToken;
    } catch (e) {
      if (needsInteraction(e)) throw new SignInRequiredError('Your Microsoft sign-in has expired or needs your consent: sign in again.');
      throw e;
    }
  }

  private initialize(): Promise<void> {
    this.ready ??= this.pca.initialize();
    return this.ready;
  }

  /** The cached account of this session that matches the login hint (another user's tokens are not used). */
  private cachedAccount(): AccountInfo | null {
    const hint = this.settings.loginHint?.toLowerCase();
    const accounts = this.pca.getAllAccounts();
    return accounts.find((a) => !hint || a.username.toLowerCase() === hint) ?? null;
  }
}
