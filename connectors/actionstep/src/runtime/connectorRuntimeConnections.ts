// The Power Platform connections API (api.powerapps.com), from the browser: where the Actionstep connector's data
// plane is, create a connection of it, get its consent link (the sign-in the platform completes server side),
// confirm the consent code the sign-in returns, read its status. The connection holds the Actionstep tokens; this
// client only ever sees statuses. Its token is the signed-in user's token for the connections API (audience
// https://service.powerapps.com/, "PowerApps Service"); the connector runtime (azure-apim.net) is another host with
// another audience (connectorRuntimeTokenProvider.ts).
//
// The API is not documented by Microsoft as a public contract; its shape here is the one the Power Apps portal and
// scripts observed against it use: every call carries `api-version=2016-11-01` and `$filter=environment eq '<id>'`
// (without it: MissingEnvironmentFilter); PUT .../connections/{id} with `properties.environment`; POST
// .../getConsentLink with `{ redirectUrl }` → `{ consentLink }`; the consent ends at redirectUrl with `?code=` (to
// pass to .../confirmConsentCode as `{ code }`) or `?error=<base64>`; GET .../apis/{apiName} gives the connector's
// `properties.runtimeUrls`.
import { ActionstepError, abortError } from '../errors';
import { headersOf } from '../transport/httpTransport';

export const CONNECTOR_RUNTIME_API_VERSION = '2016-11-01';

/** Scope of the connections API: the identifier URI `https://service.powerapps.com/` + `/.default`. */
export const CONNECTIONS_API_SCOPE = 'https://service.powerapps.com//.default';

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
  /** Base URL of the connections API, e.g. https://api.powerapps.com (a setting: other clouds have other hosts). */
  apiUrl: string;
  /** The Power Platform environment the connector lives in (Dataverse: RetrieveCurrentOrganization's EnvironmentId). */
  environmentId: string;
  /** The connector's API name as the platform assigned it (Dataverse: connectors.connectorinternalid). */
  apiName: string;
  /** The signed-in user's token for the connections API (msal-browser in Dynamics). */
  getUserToken: () => Promise<string>;
  fetch?: typeof fetch;
}

export interface ConnectorCallOptions {
  abortSignal?: AbortSignal;
}

/** What the consent window's address says when it comes back to redirectUrl. */
export type ConsentReturn = { kind: 'code'; code: string } | { kind: 'error'; code: string; message: string } | { kind: 'none' };

export class ConnectorRuntimeConnections {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ConnectorRuntimeConnectionsOptions) {
    this.base = options.apiUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** The connector runtime URL of the connector (`https://<region>.azure-apim.net/apim/<apiName>`), as the platform says. */
  async runtimeUrl(options: ConnectorCallOptions = {}): Promise<string> {
    const body = await this.call('GET', `/providers/Microsoft.PowerApps/apis/${encodeURIComponent(this.options.apiName)}`, undefined, options);
    const urls = (body as { properties?: { runtimeUrls?: unknown } } | undefined)?.properties?.runtimeUrls;
    const first = Array.isArray(urls) ? urls.find((u): u is string => typeof u === 'string' && /^https?:\/\//.test(u)) : undefined;
    if (!first) throw new ActionstepError(`The connections API describes connector '${this.options.apiName}' without a runtime URL.`, { kind: 'parse', request: `GET apis/${this.options.apiName}` });
    return first.replace(/\/+$/, '');
  }

  /** Creates the connection (or renames an existing one). A new connection is Unauthenticated until consent. */
  async create(connectionId: string, displayName: string, options: ConnectorCallOptions = {}): Promise<ConnectorConnectionState> {
    const environment = { id: `/providers/Microsoft.PowerApps/environments/${this.options.environmentId}`, name: this.options.environmentId };
    const body = await this.call('PUT', this.connectionPath(connectionId), { properties: { displayName, environment, connectionParameters: {} } }, options);
    return toState(connectionId, body);
  }

  /** The link to open (a popup) so the user signs in to Actionstep; the window comes back to `redirectUrl`. */
  async consentLink(connectionId: string, redirectUrl: string, options: ConnectorCallOptions = {}): Promise<string> {
    const body = await this.call('POST', `${this.connectionPath(connectionId)}/getConsentLink`, { redirectUrl }, options);
    const link = (body as { consentLink?: unknown } | undefined)?.consentLink;
    if (typeof link !== 'string' || !/^https?:\/\//.test(link)) {
      throw new ActionstepError(`The connections API returned no consent link for connection '${connectionId}'.`, { kind: 'parse', request: `POST getConsentLink ${connectionId}` });
    }
    return link;
  }

  /** Finishes the consent with the code the window came back with; the connection is then Connected. */
  async confirmConsentCode(connectionId: string, code: string, options: ConnectorCallOptions = {}): Promise<ConnectorConnectionState> {
    const body = await this.call('POST', `${this.connectionPath(connectionId)}/confirmConsentCode`, { code }, options);
    return body ? toState(connectionId, body) : this.status(connectionId, options);
  }

  async status(connectionId: string, options: ConnectorCallOptions = {}): Promise<ConnectorConnectionState> {
    const body = await this.call('GET', this.connectionPath(connectionId), undefined, options);
    return toState(connectionId, body);
  }

  async delete(connectionId: string, options: ConnectorCallOptions = {}): Promise<void> {
    await this.call('DELETE', this.connectionPath(connectionId), undefined, options);
  }

  private connectionPath(connectionId: string): string {
    return `/providers/Microsoft.PowerApps/apis/${encodeURIComponent(this.options.apiName)}/connections/${encodeURIComponent(connectionId)}`;
  }

  private async call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body: unknown, options: ConnectorCallOptions): Promise<unknown> {
    const filter = encodeURIComponent(`environment eq '${this.options.environmentId}'`);
    const url = `${this.base}${path}?api-version=${CONNECTOR_RUNTIME_API_VERSION}&$filter=${filter}`;
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
      throw new ActionstepError(`The connections API could not be reached (${(e as Error).message}) on ${request}.`, { kind: 'network', request, cause: e });
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
      throw new ActionstepError(`The connections API refused ${request} with ${res.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`, {
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

/** Reads the address the consent window ended at: `?code=` to confirm, `?error=<base64>` to report, or neither. */
export function consentReturn(url: string): ConsentReturn {
  const q = new URL(url).searchParams;
  const code = q.get('code');
  if (code) return { kind: 'code', code };
  const error = q.get('error');
  if (!error) return { kind: 'none' };
  let decoded = error;
  try {
    decoded = atob(error);
  } catch {
    decoded = error;
  }
  try {
    const e = JSON.parse(decoded) as { code?: unknown; message?: unknown; error?: { code?: unknown; message?: unknown } };
    const inner = e.error ?? e;
    return { kind: 'error', code: typeof inner.code === 'string' ? inner.code : 'ConsentFailed', message: typeof inner.message === 'string' ? inner.message : decoded };
  } catch {
    return { kind: 'error', code: 'ConsentFailed', message: decoded };
  }
}

/**
 * The connector runtime URL the platform gave, accepted only on the configured host (e.g. `azure-apim.net` or one
 * of its subdomains): the user's token for the runtime is sent there, so a URL elsewhere is refused by name.
 */
export function checkRuntimeHost(runtimeUrl: string, allowedHost: string): string {
  const host = new URL(runtimeUrl).hostname.toLowerCase();
  const allowed = allowedHost.toLowerCase().replace(/^\.+/, '');
  if (host !== allowed && !host.endsWith(`.${allowed}`)) {
    throw new ActionstepError(`The connector runtime URL ${new URL(runtimeUrl).origin} is not on the configured connector runtime host '${allowedHost}': the Actionstep calls were not sent there.`, { kind: 'auth', code: 'RuntimeHostNotAllowed' });
  }
  return runtimeUrl;
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
