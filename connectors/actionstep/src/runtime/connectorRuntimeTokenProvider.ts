// The token the ActionstepClient presents when it runs in the browser: not an Actionstep token (the browser never has
// one) but the signed-in user's token for the connector runtime (audience https://apihub.azure.com, "Azure API
// Connections"), with the connection's data-plane URL as the api_endpoint. The unchanged client then sends
// `${apiEndpoint}rest/...` to the runtime (`{runtimeUrl}/{connectionId}/<operation path without basePath>`), which
// adds the connection's Actionstep token.
import { ActionstepError } from '../errors';
import type { ActionstepAccessToken, ActionstepTokenProvider, GetTokenOptions } from '../auth/tokenProvider';
import type { ConnectorRuntimeConnections } from './connectorRuntimeConnections';

/** Scope of the connector runtime (data plane): the identifier URI `https://apihub.azure.com` + `/.default`. */
export const CONNECTOR_RUNTIME_SCOPE = 'https://apihub.azure.com/.default';

export interface ConnectorRuntimeTokenProviderOptions {
  /** The connector's runtime URL as the connections API gives it: `https://<region>.azure-apim.net/apim/<apiName>`. */
  runtimeUrl: string;
  connectionId: string;
  /** The signed-in user's token for the connector runtime. */
  getUserToken: () => Promise<string>;
  /** The connections API, to tell "needs sign-in again" from a passing 401. */
  connections: ConnectorRuntimeConnections;
  now?: () => number;
}

/** Lifetime assumed for a user token that is not a JWT (its real expiry is unknown to us). */
const OPAQUE_TOKEN_LIFETIME_MS = 5 * 60_000;

export class ConnectorRuntimeTokenProvider implements ActionstepTokenProvider {
  readonly apiEndpoint: string;
  private readonly connections: ConnectorRuntimeConnections;
  private readonly now: () => number;

  constructor(private readonly options: ConnectorRuntimeTokenProviderOptions) {
    this.apiEndpoint = `${options.runtimeUrl.replace(/\/+$/, '')}/${encodeURIComponent(options.connectionId)}/`;
    this.connections = options.connections;
    this.now = options.now ?? Date.now;
  }

  async getToken(options: GetTokenOptions = {}): Promise<ActionstepAccessToken> {
    const userToken = await this.options.getUserToken();
    if (options.staleAccessToken !== undefined && userToken === options.staleAccessToken) {
      // A 401 reached the client. The runtime has already refreshed the connection's Actionstep token and retried
      // once, so a fresh user token is all we could add; if the user token is the same, ask the runtime why.
      const state = await this.connections.status(this.options.connectionId, { abortSignal: options.abortSignal }).catch((e: unknown) => {
        if (e instanceof ActionstepError && e.kind === 'auth') {
          throw new ActionstepError(`The connections API rejected the signed-in user's token (${e.status ?? 401}${e.code ? ` ${e.code}` : ''}): sign in to Dynamics again.`, {
            kind: 'auth',
            status: e.status,
            code: e.code,
            request: e.request,
          });
        }
        throw e;
      });
      if (state.status !== 'Connected') {
        throw new ActionstepError(
          `The Actionstep connection '${this.options.connectionId}' needs to be signed in again (${state.code ?? state.status}${state.message ? `: ${state.message}` : ''}). Open the Connect step and sign in to Actionstep.`,
          { kind: 'auth', status: 401, code: state.code ?? state.status },
        );
      }
      // Connected: the runtime's own retry met another expired token (a race with a rotation). The client retries
      // within its retry budget.
    }
    return { accessToken: userToken, apiEndpoint: this.apiEndpoint, expiresOnTimestamp: jwtExpiry(userToken) ?? this.now() + OPAQUE_TOKEN_LIFETIME_MS };
  }
}

/** `exp` of a JWT in epoch ms, or undefined for opaque tokens. Browser-safe (atob), no signature check (not ours). */
function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(parts[1].length / 4) * 4, '='));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
