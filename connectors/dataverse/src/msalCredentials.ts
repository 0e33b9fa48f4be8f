// Entra ID tokens for the command line / worker through msal-node (Node-only: the browser entry never imports this).
// Client credentials (secret or certificate) with ConfidentialClientApplication; device code with
// PublicClientApplication. msal keeps tokens in its in-memory cache; `cache.path` also persists the public client's
// cache (accounts + refresh tokens) to a file so a second run signs in silently.
import fs from 'node:fs';
import {
  ConfidentialClientApplication,
  PublicClientApplication,
  ServerError,
  type AccountInfo,
  type ICachePlugin,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
} from '@azure/msal-node';
import { CredentialError } from './errors';
import type { TokenProvider } from './types';

const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export interface CredentialCommonOptions {
  tenantId: string;
  clientId: string;
  /** `https://org.crm.dynamics.com/.default` */
  scope: string;
  authorityHost?: string;
  /** msal's network module: createRedirectingNetworkClient(emulator) sends its calls to an emulator. */
  networkClient?: INetworkModule;
}

function authority(o: CredentialCommonOptions): string {
  return `${(o.authorityHost ?? DEFAULT_AUTHORITY_HOST).replace(/\/$/, '')}/${o.tenantId}`;
}

function requireValue(name: string, v: unknown): void {
  if (typeof v !== 'string' || v.length === 0) throw new Error(`Credential option '${name}' is required.`);
}

/** Token endpoint answers that say "try again later" rather than "this credential is refused" (RFC 6749 §5.2, OIDC). */
const TRANSIENT_TOKEN_ERRORS = new Set(['temporarily_unavailable', 'server_error']);

/**
 * Wraps msal errors so secrets never travel in messages (msal messages carry codes, not secrets; we keep them short).
 * A ServerError is the token endpoint's own OAuth answer (invalid_client, unauthorized_client, ...): not transient.
 */
function tokenError(e: unknown): CredentialError {
  const m = e instanceof Error ? e.message : String(e);
  const refused = e instanceof ServerError && !TRANSIENT_TOKEN_ERRORS.has(e.errorCode);
  // The cause is kept: callers tell a network failure (ECONNREFUSED) from a refusal by its code.
  return new CredentialError(`Could not get a Dataverse token: ${m.split('\n')[0].slice(0, 400)}`, !refused, { cause: e });
}

export function createClientSecretCredential(o: CredentialCommonOptions & { clientSecret: string }): TokenProvider {
  requireValue('tenantId', o.tenantId);
  requireValue('clientId', o.clientId);
  requireValue('clientSecret', o.clientSecret);
  const app = new ConfidentialClientApplication({
    auth: { clientId: o.clientId, authority: authority(o), clientSecret: o.clientSecret },
    system: o.networkClient ? { networkClient: o.networkClient } : undefined,
  });
  return confidentialProvider(app, o.scope);
}

export function createClientCertificateCredential(
  o: CredentialCommonOptions & { thumbprintSha256?: string; thumbprint?: string; privateKey: string; x5c?: string },
): TokenProvider {
  requireValue('tenantId', o.tenantId);
  requireValue('clientId', o.clientId);
  requireValue('privateKey', o.privateKey);
  if (!o.thumbprintSha256 && !o.thumbprint) throw new Error("Credential option 'thumbprintSha256' (or 'thumbprint') is required.");
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: o.clientId,
      authority: authority(o),
      clientCertificate: { privateKey: o.privateKey, ...(o.thumbprintSha256 ? { thumbprintSha256: o.thumbprintSha256 } : { thumbprint: o.thumbprint! }), ...(o.x5c ? { x5c: o.x5c } : {}) },
    },
    system: o.networkClient ? { networkClient: o.networkClient } : undefined,
  });
  return confidentialProvider(app, o.scope);
}

function confidentialProvider(app: ConfidentialClientApplication, scope: string): TokenProvider {
  let forceRefresh = false;
  return {
    async getToken() {
      try {
        // msal serves the cached token until shortly before expiry, then asks the token endpoint again.
        const result = await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
        forceRefresh = false;
        if (!result?.accessToken) throw new Error('the token endpoint returned no access token');
        return result.accessToken;
      } catch (e) {
        throw tokenError(e);
      }
    },
    invalidate() {
      forceRefresh = true;
    },
  };
}

/** A file-backed msal cache plugin (the file holds refresh tokens: keep it private, mode 0600). */
export function createFileCachePlugin(path: string): ICachePlugin {
  return {
    async beforeCacheAccess(ctx) {
      if (fs.existsSync(path)) ctx.tokenCache.deserialize(fs.readFileSync(path, 'utf8'));
    },
    async afterCacheAccess(ctx) {
      if (ctx.cacheHasChanged) fs.writeFileSync(path, ctx.tokenCache.serialize(), { mode: 0o600 });
    },
  };
}

export function createDeviceCodeCredential(
  o: Omit<CredentialCommonOptions, 'clientId'> & { clientId: string; onDeviceCode(message: string): void; cache?: { path?: string } },
): TokenProvider {
  requireValue('tenantId', o.tenantId);
  requireValue('clientId', o.clientId);
  const app = new PublicClientApplication({
    auth: { clientId: o.clientId, authority: authority(o) },
    cache: o.cache?.path ? { cachePlugin: createFileCachePlugin(o.cache.path) } : undefined,
    system: o.networkClient ? { networkClient: o.networkClient } : undefined,
  });
  let account: AccountInfo | undefined;
  let forceRefresh = false;
  return {
    async getToken() {
      try {
        if (!account) account = (await app.getTokenCache().getAllAccounts())[0];
        if (account) {
          try {
            const silent = await app.acquireTokenSilent({ account, scopes: [o.scope], forceRefresh });
            forceRefresh = false;
            if (silent?.accessToken) return silent.accessToken;
          } catch {
            // refresh token expired or revoked: sign in again below
          }
        }
        const result = await app.acquireTokenByDeviceCode({ scopes: [o.scope], deviceCodeCallback: (r) => o.onDeviceCode(r.message) });
        if (!result?.accessToken) throw new Error('the device code flow returned no access token');
        account = result.account ?? undefined;
        forceRefresh = false;
        return result.accessToken;
      } catch (e) {
        throw tokenError(e);
      }
    },
    invalidate() {
      forceRefresh = true;
    },
  };
}

/**
 * msal-node refuses http authorities, so tests keep the real `https://login.microsoftonline.com/<tenant>` authority and
 * send msal's calls to the emulator: the origin is replaced, path and query kept.
 */
export function createRedirectingNetworkClient(tokenEndpointOrigin: string): INetworkModule {
  const target = new URL(tokenEndpointOrigin);
  const redirect = (url: string) => {
    const u = new URL(url);
    u.protocol = target.protocol;
    u.host = target.host;
    if (target.pathname && target.pathname !== '/') u.pathname = target.pathname.replace(/\/$/, '') + u.pathname;
    return u.toString();
  };
  const send = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const res = await fetch(redirect(url), { method, headers: options?.headers, body: method === 'POST' ? options?.body : undefined });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k.toLowerCase()] = v;
    });
    const text = await res.text();
    let body: unknown = {};
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      body = { error: 'invalid_response', error_description: text.slice(0, 200) };
    }
    return { headers, body: body as T, status: res.status };
  };
  return {
    sendGetRequestAsync: (url, options) => send('GET', url, options),
    sendPostRequestAsync: (url, options) => send('POST', url, options),
  };
}
