// What the client needs from authentication: a bearer token and the org's api_endpoint (which the token response
// carries and which can move between regions, so it travels with the token).

export interface ActionstepAccessToken {
  accessToken: string;
  /** Ends with "/api/"; REST calls go to `${apiEndpoint}rest/...`. */
  apiEndpoint: string;
  /** Epoch ms after which the token is considered expired. */
  expiresOnTimestamp: number;
  orgKey?: string;
}

export interface GetTokenOptions {
  abortSignal?: AbortSignal;
  /**
   * The token a request just saw rejected (401 expired_token / invalid_token). If it is still the current token the
   * provider refreshes (once, shared by all concurrent callers); if someone already refreshed, the new token is returned.
   */
  staleAccessToken?: string;
}

export interface ActionstepTokenProvider {
  getToken(options?: GetTokenOptions): Promise<ActionstepAccessToken>;
  /** HTTP calls the provider made to the token endpoint (for request accounting), if it counts them. */
  readonly tokenRequestCount?: number;
}

/** A fixed token (tests, or a token obtained elsewhere, e.g. through the Power Platform connector runtime). */
export class StaticTokenProvider implements ActionstepTokenProvider {
  constructor(private readonly token: ActionstepAccessToken) {}
  async getToken(): Promise<ActionstepAccessToken> {
    return this.token;
  }
}
