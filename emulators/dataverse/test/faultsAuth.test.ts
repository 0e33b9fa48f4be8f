import { ConfidentialClientApplication, PublicClientApplication, type INetworkModule, type NetworkRequestOptions, type NetworkResponse } from '@azure/msal-node';
import { DEFAULT_CLIENT, startDataverseEmulator, type DataverseEmulator } from '@astep/dataverse-emulator';
import { getToken, startApi } from './helpers';

const form = (o: Record<string, string>) => ({ method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o) });
const headersOf = (r: Response): Record<string, string> => {
  const h: Record<string, string> = {};
  r.headers.forEach((v, k) => (h[k] = v));
  return h;
};
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('Entra token endpoint', () => {
  let emu: DataverseEmulator;
  beforeAll(async () => {
    emu = await startDataverseEmulator({ limits: 'off', tokenLifetimeSeconds: 1 });
  });
  afterAll(async () => emu.close());
  const scope = () => `${emu.url}/.default`;

  test('client credentials with a secret; errors in Entra shape with AADSTS codes', async () => {
    const ok = await (await fetch(emu.tokenUrl, form({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret, scope: scope() }))).json();
    expect(ok).toMatchObject({ token_type: 'Bearer', expires_in: 1, ext_expires_in: 1 });
    expect(typeof ok.access_token).toBe('string');
    const bad = await fetch(emu.tokenUrl, form({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.clientId, client_secret: 'wrong', scope: scope() }));
    expect(bad.status).toBe(401);
    const j = await bad.json();
    expect(j.error).toBe('invalid_client');
    expect(j.error_codes).toEqual([7000215]);
    expect(j.error_description).toMatch(/^AADSTS7000215: Invalid client secret provided/);
    expect(j).toHaveProperty('trace_id');
    expect(j).toHaveProperty('correlation_id');
    expect(j).toHaveProperty('timestamp');
    expect(JSON.stringify(j)).not.toContain('wrong');
    const unknown = await (await fetch(emu.tokenUrl, form({ grant_type: 'client_credentials', client_id: 'nobody', client_secret: 'x', scope: scope() }))).json();
    expect(unknown.error_codes).toEqual([700016]);
    const noDefault = await (await fetch(emu.tokenUrl, form({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret, scope: `${emu.url}/user_impersonation` }))).json();
    expect(noDefault.error).toBe('invalid_scope');
  });

  test('client assertion: shape checked (aud, iss/sub), signature not verified', async () => {
    const jwt = (aud: string) => `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ aud, iss: DEFAULT_CLIENT.clientId, sub: DEFAULT_CLIENT.clientId, exp: Math.floor(Date.now() / 1000) + 600 })}.c2ln`;
    const base = { grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.clientId, scope: scope(), client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' };
    expect((await fetch(emu.tokenUrl, form({ ...base, client_assertion: jwt(`https://login.microsoftonline.com/${emu.tenantId}/oauth2/v2.0/token`) }))).status).toBe(200);
    const r = await fetch(emu.tokenUrl, form({ ...base, client_assertion: jwt('https://elsewhere/token') }));
    expect(r.status).toBe(401);
    expect((await r.json()).error_codes).toEqual([700027]);
  });

  test('Web API needs a valid bearer token (401 + WWW-Authenticate); tokens expire', async () => {
    const none = await fetch(`${emu.webApiUrl}WhoAmI`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri=/);
    expect((await fetch(`${emu.webApiUrl}WhoAmI`, { headers: { Authorization: 'Bearer forged' } })).status).toBe(401);
    const t = await getToken(emu);
    expect((await fetch(`${emu.webApiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${t}` } })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fetch(`${emu.webApiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${t}` } })).status).toBe(401);
  });

  test('msal-node gets a token through an injected network client; discovery documents answer', async () => {
    const redirect = (url: string) => url.replace('https://login.microsoftonline.com', emu.url);
    const networkClient: INetworkModule = {
      async sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
        const r = await fetch(redirect(url), { headers: options?.headers });
        return { status: r.status, headers: headersOf(r), body: (await r.json()) as T };
      },
      async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
        const r = await fetch(redirect(url), { method: 'POST', headers: options?.headers, body: options?.body });
        return { status: r.status, headers: headersOf(r), body: (await r.json()) as T };
      },
    };
    const cca = new ConfidentialClientApplication({
      auth: { clientId: DEFAULT_CLIENT.clientId, clientSecret: DEFAULT_CLIENT.clientSecret, authority: `https://login.microsoftonline.com/${emu.tenantId}` },
      system: { networkClient },
    });
    const res = await cca.acquireTokenByClientCredential({ scopes: [scope()] });
    expect(res?.accessToken).toBeTruthy();
    expect((await fetch(`${emu.webApiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${res!.accessToken}` } })).status).toBe(200);
    const oid = await (await fetch(`${emu.url}/${emu.tenantId}/v2.0/.well-known/openid-configuration`)).json();
    expect(oid.token_endpoint).toBe(emu.tokenUrl);
    expect((await fetch(`${emu.url}/common/discovery/instance?api-version=1.1`)).status).toBe(200);
  });
});

describe('device code flow (delegated user)', () => {
  test('msal-node device code: pending then approved for the configured user; calls run as that user; refresh works', async () => {
    const emu = await startDataverseEmulator({ limits: 'off', systemUsers: [{ fullname: 'Ada Admin', email: 'ada@firm.example', isDisabled: false }], deviceCodeUser: 'ada@firm.example' });
    try {
      const redirect = (url: string) => url.replace('https://login.microsoftonline.com', emu.url);
      const send = async <T>(method: string, url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
        const r = await fetch(redirect(url), { method, headers: options?.headers, body: method === 'POST' ? options?.body : undefined });
        return { status: r.status, headers: headersOf(r), body: (await r.json()) as T };
      };
      const pca = new PublicClientApplication({
        auth: { clientId: DEFAULT_CLIENT.clientId, authority: `https://login.microsoftonline.com/${emu.tenantId}` },
        system: { networkClient: { sendGetRequestAsync: (u, o) => send('GET', u, o), sendPostRequestAsync: (u, o) => send('POST', u, o) } },
      });
      const messages: string[] = [];
      const res = await pca.acquireTokenByDeviceCode({ scopes: [`${emu.url}/.default`], deviceCodeCallback: (r) => messages.push(r.message) });
      expect(messages[0]).toContain('/devicelogin');
      expect(res?.account?.username).toBe('ada@firm.example');
      const who = await (await fetch(`${emu.webApiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${res!.accessToken}` } })).json();
      const ada = await (await fetch(`${emu.webApiUrl}systemusers?$select=systemuserid&$filter=${encodeURIComponent("internalemailaddress eq 'ada@firm.example'")}`, { headers: { Authorization: `Bearer ${res!.accessToken}` } })).json();
      expect(who.UserId).toBe(ada.value[0].systemuserid);
      const again = await pca.acquireTokenSilent({ account: res!.account!, scopes: [`${emu.url}/.default`], forceRefresh: true });
      expect(again.accessToken).not.toBe(res!.accessToken);
      expect((await fetch(`${emu.webApiUrl}WhoAmI`, { headers: { Authorization: `Bearer ${again.accessToken}` } })).status).toBe(200);
    } finally {
      await emu.close();
    }
  });
});

describe('fault injection', () => {
  test('503 with the platform HTML body, connection resets, seeded and counted', async () => {
    const run = async () => {
      const api = await startApi({ faults: { seed: 42, serviceUnavailableRate: 0.2, connectionResetRate: 0.1 } });
      const seq: string[] = [];
      let html = '';
      for (let i = 0; i < 40; i++) {
        try {
          const r = await api.call('GET', 'WhoAmI');
          seq.push(String(r.status));
          if (r.status === 503) html = r.text;
        } catch {
          seq.push('reset');
        }
      }
      const c = api.emu.counters();
      await api.emu.close();
      return { seq, html, c };
    };
    const a = await run();
    const b = await run();
    expect(a.seq).toEqual(b.seq);
    expect(a.seq).toContain('503');
    expect(a.seq).toContain('reset');
    expect(a.seq).toContain('200');
    expect(a.html).toContain('HTTP Error 503. The service is unavailable.');
    expect(a.c.faults.serviceUnavailable).toBe(a.seq.filter((s) => s === '503').length);
    expect(a.c.faults.connectionReset).toBe(a.seq.filter((s) => s === 'reset').length);
  });

  test('a reset after execution loses the response but keeps the write (a blind retry of POST duplicates)', async () => {
    const api = await startApi();
    try {
      api.emu.setFaults({ connectionResetAfterExecutionRate: 1 });
      await expect(api.call('POST', 'accounts', { name: 'Lost response' })).rejects.toThrow();
      api.emu.setFaults({});
      const r = await api.call('GET', `accounts?$select=name&$filter=${encodeURIComponent("name eq 'Lost response'")}`);
      expect(r.json.value).toHaveLength(1);
      expect(api.emu.counters().faults.connectionResetAfterExecution).toBe(1);
    } finally {
      await api.emu.close();
    }
  });

  test('setFaults switches faults on and off at run time; slow responses', async () => {
    const api = await startApi();
    try {
      api.emu.setFaults({ slowRate: 1, slowResponseMs: 150 });
      const t0 = Date.now();
      expect((await api.call('GET', 'WhoAmI')).status).toBe(200);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      api.emu.setFaults({ throttleRate: 1 });
      const r = await api.call('GET', 'WhoAmI');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBeTruthy();
      api.emu.setFaults({});
      expect((await api.call('GET', 'WhoAmI')).status).toBe(200);
    } finally {
      await api.emu.close();
    }
  });
});

test('CORS: preflight answers without a token; responses expose the OData and rate-limit headers to the origin', async () => {
  const api = await startApi();
  try {
    const pre = await fetch(`${api.emu.webApiUrl}accounts`, { method: 'OPTIONS', headers: { Origin: 'http://localhost:8181', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,prefer' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://localhost:8181');
    expect(pre.headers.get('access-control-allow-headers')).toBe('authorization,content-type,prefer');
    const r = await api.call('POST', 'accounts', { name: 'From a browser' }, { Origin: 'http://localhost:8181' });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:8181');
    expect(r.headers.get('access-control-expose-headers')).toContain('OData-EntityId');
  } finally {
    await api.emu.close();
  }
});
