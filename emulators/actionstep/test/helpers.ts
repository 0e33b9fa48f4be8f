import { startActionstepEmulator, type ActionstepEmulator, type ActionstepEmulatorOptions } from '@astep/actionstep-emulator';

export const REDIRECT = 'http://127.0.0.1:53682/callback';

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  api_endpoint: string;
  orgkey: string;
  token_type: string;
}

export async function start(o: Partial<ActionstepEmulatorOptions> = {}): Promise<ActionstepEmulator> {
  return startActionstepEmulator({ firm: 'tiny', seed: 7, rateLimit: { enabled: false }, ...o });
}

/** Runs the authorization-code flow without a browser; returns the redirect query. */
export async function authorize(em: ActionstepEmulator, params: Record<string, string> = {}): Promise<URL> {
  const u = new URL(em.authorizeUrl);
  const all = { response_type: 'code', client_id: em.clientId, redirect_uri: REDIRECT, scope: 'all', state: 'xyz', ...params };
  for (const [k, v] of Object.entries(all)) u.searchParams.set(k, v);
  const res = await fetch(u, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`authorize answered ${res.status}: ${await res.text()}`);
  return new URL(res.headers.get('location')!);
}

export async function tokenRequest(em: ActionstepEmulator, form: Record<string, string>, basic = false): Promise<Response> {
  const body = new URLSearchParams(form);
  const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (basic) headers.Authorization = `Basic ${Buffer.from(`${em.clientId}:${em.clientSecret}`).toString('base64')}`;
  else {
    body.set('client_id', em.clientId);
    body.set('client_secret', em.clientSecret);
  }
  return fetch(em.tokenUrl, { method: 'POST', headers, body });
}

export async function login(em: ActionstepEmulator, params: Record<string, string> = {}): Promise<Tokens> {
  const back = await authorize(em, params);
  const res = await tokenRequest(em, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT });
  if (res.status !== 200) throw new Error(`token answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as Tokens;
}

export interface ApiResult {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export async function api(em: ActionstepEmulator, token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResult> {
  const res = await fetch(`${em.apiEndpoint}${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.api+json', 'Content-Type': 'application/vnd.api+json' },
    body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  return { status: res.status, headers: res.headers, body, text };
}
