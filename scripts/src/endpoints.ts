// Connection problems told by the config field and the URL they come from: "cannot reach actionstep.tokenUrl
// http://...: connection refused" instead of "unexpected error: fetch failed". They are configuration problems
// (exit 2): the address is wrong, or the service is down.
import { ConfigError } from './config';

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be resolved',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out',
  UND_ERR_SOCKET: 'the connection was closed',
  ERR_INVALID_URL: 'the URL is not valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the server certificate chain is self-signed',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the server certificate cannot be verified',
  CERT_HAS_EXPIRED: 'the server certificate has expired',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the server certificate is for another host',
};

/** Why a request never got an answer (walking the error's causes), or null when it is some other error. */
export function unreachableCause(e: unknown): string | null {
  for (let x: unknown = e, depth = 0; x && depth < 6; x = (x as { cause?: unknown }).cause, depth++) {
    const err = x as { code?: unknown; kind?: unknown; status?: unknown; message?: unknown; name?: unknown };
    const code = typeof err.code === 'string' ? err.code : '';
    if (NETWORK_CODES[code]) return `${NETWORK_CODES[code]} (${code})`;
    if (code.startsWith('CERT_') || code.startsWith('ERR_TLS_')) return `TLS failure (${code})`;
    if (err.name === 'DataverseError' && err.status === 0) return String(err.message);
    if (typeof err.message === 'string' && /^Invalid URL/.test(err.message)) return 'the URL is not valid';
  }
  for (let x: unknown = e, depth = 0; x && depth < 6; x = (x as { cause?: unknown }).cause, depth++) {
    const err = x as { kind?: unknown; message?: unknown };
    if (err.kind === 'network' || err.kind === 'timeout') return String(err.message);
    if (err.message === 'fetch failed') return `no answer (${String((err as { cause?: { message?: unknown } }).cause?.message ?? 'fetch failed')})`;
    // msal-node's network module failed to get any answer (it keeps no code of the socket error).
    if ((x as { errorCode?: unknown }).errorCode === 'network_error') return 'no answer (network error)';
  }
  return null;
}

/** Runs `fn`; a failure to reach `url` becomes a ConfigError naming the config field and the URL. */
export async function reaching<T>(field: string, url: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const cause = unreachableCause(e);
    if (!cause) throw e;
    throw new ConfigError(`cannot reach ${field} ${url}: ${cause}. Check ${field} in the config file, and that the service is up.`);
  }
}

/** Entra's answers that point at one config field (AADSTS codes, login.microsoftonline.com error reference). */
const ENTRA_FIELDS: Array<{ code: RegExp; field: 'webApiUrl' | 'clientSecret' | 'clientId' | 'tenantId'; says: string }> = [
  { code: /AADSTS500011\b/, field: 'webApiUrl', says: 'the sign-in service knows no Dataverse environment at this address in the tenant (AADSTS500011)' },
  { code: /AADSTS7000215\b/, field: 'clientSecret', says: 'the secret is not a secret of that application (AADSTS7000215)' },
  { code: /AADSTS700016\b/, field: 'clientId', says: 'no application with this id in the tenant (AADSTS700016)' },
  { code: /AADSTS90002\b/, field: 'tenantId', says: 'no such tenant (AADSTS90002)' },
];

/** Gets a first Dataverse token; a failure that one config field explains becomes a ConfigError naming it. */
export async function firstDataverseToken(
  getToken: () => Promise<string>,
  d: { webApiUrl: string; clientId: string; tenantId: string; tokenEndpointOrigin?: string; authorityHost?: string },
  /** Config path of the application user's secret (`dataverse.clientSecret`, `dataverse.applicationUsers[1].clientSecret`). */
  secretPath = 'dataverse.clientSecret',
): Promise<void> {
  const userPath = secretPath.replace(/\.(clientSecret|certificate\.privateKey)$/, '');
  const tokenField = d.tokenEndpointOrigin ? 'dataverse.tokenEndpointOrigin' : d.authorityHost ? 'dataverse.authorityHost' : 'dataverse.tenantId';
  const tokenUrl = d.tokenEndpointOrigin ?? d.authorityHost ?? `https://login.microsoftonline.com/${d.tenantId}`;
  await reaching(tokenField, tokenUrl, async () => {
    try {
      await getToken();
    } catch (e) {
      const hit = ENTRA_FIELDS.find((f) => f.code.test((e as Error).message ?? ''));
      if (!hit) throw e;
      const field = hit.field === 'clientSecret' ? secretPath : hit.field === 'clientId' ? `${userPath}.clientId` : `dataverse.${hit.field}`;
      const shown = hit.field === 'clientSecret' ? `(for ${userPath}.clientId ${d.clientId})` : hit.field === 'webApiUrl' ? d.webApiUrl : d[hit.field];
      throw new ConfigError(`${field} ${shown}: ${hit.says}. Check ${field} in the config file.`);
    }
  });
}
