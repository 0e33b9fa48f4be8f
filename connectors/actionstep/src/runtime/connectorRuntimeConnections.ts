// Management calls of the Power Platform connector runtime, from the browser: create a connection of the Actionstep
// custom connector, get its consent link (the sign-in the platform completes server side), read its status.
// The connection holds the Actionstep tokens; this client only ever sees statuses.
import { ActionstepError, abortError } from '../errors';
import { headersOf } from '../transport/httpTransport';

export const CONNECTOR_RUNTIME_API_VERSION = '2016-11-01';

export type ConnectorConnectionStatus = 'Connected' | 'Unauthenticated' | 'Error';

export interface ConnectorConnectionState {
  connectionId: string;
  displayName: string;
  status: ConnectorConnectionStatus;
  /** The platform's error code when not connected (e.g. Unauthenticated, access_denied). */
  code?: string;
  message?: string;
}

export interface ConnectorRuntimeConnectionsOptions {
  /** Base URL of the management API, e.g. https://api.powerapps.com (the stand-in's url in tests). */
  runtimeUrl: string;
  /** The custom connector's API name, e.g. shared_astep-actionstep. */
  apiName: string;
  /** The signed-in user's token for the runtime (msal-browser acquireTokenSilent in Dynamics). */
  getUserToken: () => Promise<string>;
  fetch?: typeof fetch;
}

export interface ConnectorCallOptions {
  abortSignal?: AbortSignal;
}

export class ConnectorRuntimeConnections {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ConnectorRuntimeConnectionsOptions) {
    this.base = options.runtimeUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Creates the connection (or renames an existing one). A new connection is Unauthenticated until consent. */
  async create(connectionId: string, displayName: string, options: ConnectorCallOptions = {}): Promise<ConnectorConnectionState> {
    const body = await this.call('PUT', connectionId, '', { properties: { displayName } }, options);
    return toState(connectionId, body);
  }

  /** The link to open (a popup) so the user signs in to Actionstep; the browser ends at `redirectUrl` with
   *  `?connectionId=...&status=Connected` (or `status=Error&error=<code>`). */
  async consentLink(connectionId: string, redirectUrl: string, options: ConnectorCallOptions = {}): Promise<string> {
    const body = await this.call('POST', connectionId, '/getConsentLink', { parameters: [{ parameterName: 'token', redirectUrl }] }, options);
    const value = (body as { value?: Array<{ link?: unknown; parameterName?: unknown }> }).value;
    const entry = Array.isArray(value) ? value.find((v) => v.parameterName === 'token') ?? value[0] : undefined;
    if (!entry || typeof entry.link !== 'string') {
      throw new ActionstepError(`The connector runtime returned no consent link for connection '${connectionId}'.`, { kind: 'parse', request: `POST getConsentLink ${connectionId}` });
    }
    return entry.link;
  }

  async status(connectionId: string, options: ConnectorCallOptions = {}): Promise<ConnectorConnectionState> {
    const body = await this.call('GET', connectionId, '', undefined, options);
    return toState(connectionId, body);
  }

  async delete(connectionId: string, options: ConnectorCallOptions = {}): Promise<void> {
    await this.call('DELETE', connectionId, '', undefined, options);
  }

  private async call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', connectionId: string, suffix: string, body: unknown, options: ConnectorCallOptions): Promise<unknown> {
    const path = `/providers/Microsoft.PowerApps/apis/${encodeURIComponent(this.options.apiName)}/connections/${encodeURIComponent(connectionId)}${suffix}`;
    const url = `${this.base}${path}?api-version=${CONNECTOR_RUNTIME_API_VERSION}`;
    const request = `${method} ${path}`;
    const userToken = await this.options.getUserToken();
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        method,
        headers: { Authorization: `Bearer ${userToken}`, Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
        signal: options.abortSignal,
      });
    } catch (e) {
      if (options.abortSignal?.aborted) throw abortError(request);
      throw new ActionstepError(`The connector runtime could not be reached (${(e as Error).message}) on ${request}.`, { kind: 'network', request, cause: e });
    }
    const text = await res.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? error.code : undefined;
      const message = typeof error?.message === 'string' ? error.message : text.slice(0, 200);
      throw new ActionstepError(`The connector runtime refused ${request} with ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`, {
        kind: res.status === 401 || res.status === 403 ? 'auth' : 'http',
        status: res.status,
        code,
        headers: headersOf(res),
        request,
      });
    }
    return parsed;
  }
}

function toState(connectionId: string, body: unknown): ConnectorConnectionState {
  const props = ((body as { properties?: unknown } | undefined)?.properties ?? {}) as {
    displayName?: unknown;
    statuses?: Array<{ status?: unknown; error?: { code?: unknown; message?: unknown } }>;
  };
  const first = Array.isArray(props.statuses) ? props.statuses[0] : undefined;
  const displayName = typeof props.displayName === 'string' ? props.displayName : connectionId;
  if (first?.status === 'Connected') return { connectionId, displayName, status: 'Connected' };
  const code = typeof first?.error?.code === 'string' ? first.error.code : undefined;
  const message = typeof first?.error?.message === 'string' ? first.error.message : undefined;
  return { connectionId, displayName, status: code === 'Unauthenticated' ? 'Unauthenticated' : 'Error', code, message };
}
