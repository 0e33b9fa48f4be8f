// Browser pieces: same-origin fetch (the Dynamics session cookie authenticates) and a credential that sends no token.
import { createFetchTransport } from './dataverseClient';
import type { HttpTransport, TokenProvider } from './types';

/** Same-origin fetch with `credentials: 'same-origin'`: inside Dynamics the signed-in session authenticates. */
export function createBrowserTransport(): HttpTransport {
  return createFetchTransport({ credentials: 'same-origin' });
}

/** The signed-in Dynamics session: no Authorization header at all (an empty token tells the client to omit it). */
export function createSameOriginSessionCredential(): TokenProvider {
  return { getToken: async () => '' };
}
