/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field in the tests */
// Test helpers: start an emulator, get a token over HTTP, call the Web API with fetch.
import { DEFAULT_CLIENT, startDataverseEmulator, type DataverseEmulator, type DataverseEmulatorOptions } from '@astep/dataverse-emulator';
import { SCHEMA } from '@astep/solution';

export interface Api {
  emu: DataverseEmulator;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any; text: string }>;
}

export async function getToken(emu: DataverseEmulator, clientId = DEFAULT_CLIENT.clientId, clientSecret = DEFAULT_CLIENT.clientSecret): Promise<string> {
  const r = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${emu.url}/.default` }),
  });
  const j = (await r.json()) as { access_token: string };
  if (!j.access_token) throw new Error(`no token: ${JSON.stringify(j)}`);
  return j.access_token;
}

export async function startApi(o: DataverseEmulatorOptions = {}): Promise<Api> {
  const emu = await startDataverseEmulator({ limits: 'off', ...o });
  const token = await getToken(emu);
  return {
    emu,
    token,
    async call(method, path, body, headers = {}) {
      const r = await fetch(path.startsWith('http') ? path : emu.webApiUrl + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'OData-Version': '4.0', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await r.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: r.status, headers: r.headers, json, text };
    },
  };
}

/** Emulator with the product schema applied through the Metadata API path (applySchema) and keys active at once. */
export async function startWithSchema(o: DataverseEmulatorOptions = {}): Promise<Api> {
  const api = await startApi({ metadataKeyActivationDelayMs: 0, ...o });
  return api;
}

export { SCHEMA };

export async function waitForKeys(api: Api, table: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await api.call('GET', `EntityDefinitions(LogicalName='${table}')/Keys?$select=LogicalName,EntityKeyIndexStatus`);
    const keys = r.json.value as Array<{ EntityKeyIndexStatus: string }>;
    if (keys.length && keys.every((k) => k.EntityKeyIndexStatus === 'Active' || k.EntityKeyIndexStatus === 'Failed')) return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`keys of ${table} never became active`);
}
