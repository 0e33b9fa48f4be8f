// msal-node credentials, offline: a stub INetworkModule plays the Entra endpoints (the integration test uses the
// emulator's token endpoint for client credentials; device code needs endpoints the emulator does not serve).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { INetworkModule, NetworkRequestOptions } from '@azure/msal-node';
import type { CredentialError } from '../src/errors';
import { createClientCertificateCredential, createClientSecretCredential, createDeviceCodeCredential, createRedirectingNetworkClient } from '../src/msalCredentials';
import { createHash, generateKeyPairSync } from 'node:crypto';
import http from 'node:http';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const CLIENT_ID = '3f1e0b8a-6a43-4c55-9f1e-0d5b8c1a2b3c';
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

function stubEntra() {
  const calls: Array<{ method: string; url: string; form?: URLSearchParams }> = [];
  let issued = 0;
  const now = () => Math.floor(Date.now() / 1000);
  const idToken = () =>
    `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ aud: CLIENT_ID, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, iat: now(), nbf: now(), exp: now() + 3600, name: 'Pat Admin', oid: 'oid-1', preferred_username: 'pat@firm.example', sub: 'sub-1', tid: TENANT, ver: '2.0' })}.`;
  const module: INetworkModule = {
    async sendGetRequestAsync<T>(url: string) {
      calls.push({ method: 'GET', url });
      return { status: 404, headers: {}, body: {} as T };
    },
    async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions) {
      const form = new URLSearchParams(options?.body ?? '');
      calls.push({ method: 'POST', url, form });
      if (url.includes('/devicecode')) {
        return { status: 200, headers: {}, body: { device_code: 'dc-1', user_code: 'ABCD-EFGH', verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 1, message: 'To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABCD-EFGH.' } as T };
      }
      if (form.get('client_secret') === 'wrong') {
        return { status: 401, headers: {}, body: { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.', error_codes: [7000215] } as T };
      }
      issued++;
      return {
        status: 200,
        headers: {},
        body: {
          token_type: 'Bearer',
          scope: form.get('scope'),
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: `access-${issued}`,
          ...(form.get('grant_type') === 'client_credentials' ? {} : { refresh_token: `refresh-${issued}`, id_token: idToken(), client_info: b64url({ uid: 'oid-1', utid: TENANT }) }),
        } as T,
      };
    },
  };
  return { module, calls, issued: () => issued };
}

describe('msal-node credentials (offline)', () => {
  it('client secret: one token request, then the in-memory cache; invalidate forces a new token', async () => {
    const entra = stubEntra();
    const cred = createClientSecretCredential({ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 's3cret-value', scope: 'https://org.crm.dynamics.com/.default', networkClient: entra.module });
    expect(await cred.getToken()).toBe('access-1');
    expect(await cred.getToken()).toBe('access-1');
    const tokenCalls = entra.calls.filter((c) => c.url.includes('/oauth2/v2.0/token'));
    expect(tokenCalls).toHaveLength(1);
    // The real authority is kept (the network client decides where the call really goes).
    expect(tokenCalls[0].url.startsWith(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`)).toBe(true);
    expect(tokenCalls[0].form?.get('grant_type')).toBe('client_credentials');
    expect(tokenCalls[0].form?.get('scope')).toContain('https://org.crm.dynamics.com/.default');
    cred.invalidate!();
    expect(await cred.getToken()).toBe('access-2');
  });

  it('client certificate: sends a signed client assertion (x5t#S256) instead of a secret', async () => {
    const entra = stubEntra();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const thumbprintSha256 = createHash('sha256').update('certificate-der-bytes').digest('hex');
    const cred = createClientCertificateCredential({ tenantId: TENANT, clientId: CLIENT_ID, thumbprintSha256, privateKey: pem, scope: 'https://org.crm.dynamics.com/.default', networkClient: entra.module });
    expect(await cred.getToken()).toBe('access-1');
    const form = entra.calls.find((c) => c.url.includes('/oauth2/v2.0/token'))!.form!;
    expect(form.get('client_secret')).toBeNull();
    expect(form.get('client_assertion_type')).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const [header, payload, signature] = form.get('client_assertion')!.split('.');
    expect(signature.length).toBeGreaterThan(100);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toMatchObject({ alg: 'PS256', 'x5t#S256': Buffer.from(thumbprintSha256, 'hex').toString('base64url') });
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({ iss: CLIENT_ID, sub: CLIENT_ID, aud: expect.stringContaining(`/${TENANT}/oauth2/v2.0/token`) });
  });

  it('a rejected secret gives a clear error that does not contain the secret', async () => {
    const entra = stubEntra();
    const cred = createClientSecretCredential({ tenantId: TENANT, clientId: CLIENT_ID, clientSecret: 'wrong', scope: 'https://org.crm.dynamics.com/.default', networkClient: entra.module });
    const err = (await cred.getToken().catch((e: unknown) => e)) as Error;
    expect(err.name).toBe('CredentialError');
    // The token endpoint refused the secret: asking again cannot help, so the client does not retry it.
    expect((err as CredentialError).transient).toBe(false);
    expect(err.message).toMatch(/Could not get a Dataverse token/);
    expect(err.message).toContain('AADSTS7000215');
    expect(err.message).not.toMatch(/client_secret=wrong/);
  });

  it('device code: shows the message, signs in once, and a second credential with the same cache file signs in silently', async () => {
    const entra = stubEntra();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-msal-'));
    const cachePath = path.join(dir, 'msal-cache.json');
    const messages: string[] = [];
    const o = { tenantId: TENANT, clientId: CLIENT_ID, scope: 'https://org.crm.dynamics.com/.default', networkClient: entra.module, onDeviceCode: (m: string) => messages.push(m), cache: { path: cachePath } };
    const first = createDeviceCodeCredential(o);
    expect(await first.getToken()).toBe('access-1');
    expect(messages).toEqual([expect.stringContaining('ABCD-EFGH')]);
    expect(fs.statSync(cachePath).mode & 0o777).toBe(0o600);
    const second = createDeviceCodeCredential({ ...o, onDeviceCode: () => { throw new Error('should not prompt'); } });
    expect(await second.getToken()).toBe('access-1');
    expect(entra.calls.filter((c) => c.url.includes('/devicecode'))).toHaveLength(1);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 20_000);

  it('createRedirectingNetworkClient keeps path and query and sends them to the given origin', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as { port: number };
    const net = createRedirectingNetworkClient(`http://127.0.0.1:${port}`);
    const res = await net.sendPostRequestAsync<{ ok: boolean }>(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token?x=1`, { body: 'a=b', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(res).toMatchObject({ status: 200, body: { ok: true } });
    expect(seen).toEqual([`POST /${TENANT}/oauth2/v2.0/token?x=1`]);
    await new Promise((r) => server.close(r));
  });
});
