import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActionstepClient } from '../src/actionstepClient';
import { ActionstepOAuthCredential } from '../src/auth/credential';
import { startLoopbackRedirectListener } from '../src/auth/loopbackRedirect';
import { ActionstepOAuthClient } from '../src/auth/oauthClient';
import { EncryptedFileTokenStore, MemoryTokenStore, TokenFileUnreadableError, type StoredTokenSet } from '../src/auth/tokenStore';
import type { HttpRequest } from '../src/transport/httpTransport';
import { envelope, json, StubTransport } from './stubTransport';

function tokenServer() {
  let n = 0;
  const used = new Set<string>();
  const transport = new StubTransport(async (req: HttpRequest) => {
    const form = new URLSearchParams(req.body ?? '');
    if (form.get('grant_type') === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      if (used.has(rt)) return json(400, { error: 'invalid_grant', error_description: 'refresh token already used' });
      used.add(rt);
    }
    await new Promise((r) => setTimeout(r, 5)); // let concurrent callers pile up
    n++;
    return json(200, { access_token: `at-${n}`, refresh_token: `rt-${n}`, token_type: 'bearer', expires_in: 3600, api_endpoint: `http://region${n}.test/api/`, orgkey: 'org' });
  });
  return { transport, used };
}

const initial: StoredTokenSet = { accessToken: 'at-0', refreshToken: 'rt-0', apiEndpoint: 'http://region0.test/api/', expiresOnTimestamp: Date.now() + 3_600_000 };

describe('ActionstepOAuthCredential', () => {
  test('two requests that get 401 expired_token at once cause one refresh; both retry with the new token and endpoint', async () => {
    const ts = tokenServer();
    const store = new MemoryTokenStore(initial);
    const oauthClient = new ActionstepOAuthClient({ clientId: 'cid', clientSecret: 'csecret', tokenUrl: 'http://auth.test/token', transport: ts.transport });
    const credential = new ActionstepOAuthCredential({ oauthClient, store });
    const api = new StubTransport(async (req) => {
      await new Promise((r) => setTimeout(r, 5));
      if (req.headers.Authorization === 'Bearer at-0') return json(401, { error: 'expired_token', error_description: 'The access token provided has expired.' });
      const resource = new URL(req.url).pathname.split('/').pop() as string;
      return envelope(resource, [{ id: 1, name: 'x', links: {} }], { page: 1, pageCount: 1, recordCount: 1 });
    });
    const client = new ActionstepClient({ credential, transport: api });
    const [a, b] = await Promise.all([collect(client.list('actions')), collect(client.list('tasks'))]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(ts.transport.requests).toHaveLength(1); // single-flight
    expect(credential.refreshCount).toBe(1);
    const retried = api.requests.filter((r) => r.headers.Authorization === 'Bearer at-1');
    expect(retried).toHaveLength(2);
    // api_endpoint re-read from the token response
    expect(retried.every((r) => r.url.startsWith('http://region1.test/api/rest/'))).toBe(true);
    // rotation persisted
    expect((await store.load())?.refreshToken).toBe('rt-1');
    expect(client.requestCount).toMatchObject({ token: 1, refreshesAfter401: 2, total: 5 });
  });

  test('refresh before expiry; the token request is form-encoded with client credentials', async () => {
    const ts = tokenServer();
    const store = new MemoryTokenStore({ ...initial, expiresOnTimestamp: Date.now() + 1000 });
    const oauthClient = new ActionstepOAuthClient({ clientId: 'cid', clientSecret: 'csecret', tokenUrl: 'http://auth.test/token', transport: ts.transport });
    const credential = new ActionstepOAuthCredential({ oauthClient, store });
    const t = await credential.getToken();
    expect(t.accessToken).toBe('at-1');
    const req = ts.transport.requests[0];
    expect(req.headers['Content-Type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-0', client_id: 'cid', client_secret: 'csecret' });
    expect(store.saveCount).toBe(1);
  });

  test('a refused refresh says to sign in again and leaks no secret', async () => {
    const transport = new StubTransport(() => json(400, { error: 'invalid_grant', error_description: 'bad' }));
    const oauthClient = new ActionstepOAuthClient({ clientId: 'cid', clientSecret: 'csecret', transport });
    const credential = new ActionstepOAuthCredential({ oauthClient, store: new MemoryTokenStore({ ...initial, expiresOnTimestamp: 0 }) });
    const err = (await credential.getToken().catch((e) => e)) as Error;
    expect(err.message).toMatch(/invalid_grant.*sign in again/);
    expect(err.message).not.toMatch(/rt-0|csecret|at-0/);
  });

  test('no stored tokens: a clear error', async () => {
    const oauthClient = new ActionstepOAuthClient({ clientId: 'c', clientSecret: 's' });
    const credential = new ActionstepOAuthCredential({ oauthClient, store: new MemoryTokenStore() });
    await expect(credential.getToken()).rejects.toThrow(/Not signed in/);
  });
});

describe('EncryptedFileTokenStore', () => {
  test('round trip, AES-GCM ciphertext only, 0600, wrong passphrase rejected', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'astep-tokens-'));
    const file = path.join(dir, 'sub', 'tokens.json');
    const store = new EncryptedFileTokenStore({ path: file, passphrase: 'correct horse' });
    expect(await store.load()).toBeUndefined();
    await store.save(initial);
    expect(await store.load()).toEqual(initial);
    const raw = readFileSync(file, 'utf8');
    expect(raw).not.toContain('rt-0');
    expect(raw).not.toContain('at-0');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const wrong = new EncryptedFileTokenStore({ path: file, passphrase: 'wrong' });
    await expect(wrong.load()).rejects.toThrow(/does not decrypt with this passphrase \(a wrong passphrase, or the file was modified\)/);
    await expect(wrong.load()).rejects.toBeInstanceOf(TokenFileUnreadableError);
    // Set aside, not deleted: the same bytes beside it, still 0600, and the store's own path is free for a new sign-in.
    const aside = await wrong.setAside(new Date('2026-12-06T01:02:03.456Z'));
    expect(aside).toBe(`${file}.unreadable-2026-12-06T01-02-03-456Z`);
    expect(readFileSync(aside, 'utf8')).toBe(raw);
    expect(statSync(aside).mode & 0o777).toBe(0o600);
    expect(await wrong.load()).toBeUndefined();
    expect(await new EncryptedFileTokenStore({ path: aside, passphrase: 'correct horse' }).load()).toEqual(initial);
    await store.save(initial);
    await store.clear();
    expect(await store.load()).toBeUndefined();
    expect(() => EncryptedFileTokenStore.fromEnv({ path: file, passphraseEnvVar: 'ASTEP_NOPE', env: {} })).toThrow(/ASTEP_NOPE is not set/);
    const fromEnv = EncryptedFileTokenStore.fromEnv({ path: file, passphraseEnvVar: 'K', env: { K: 'correct horse' } });
    await fromEnv.save(initial);
    expect(await store.load()).toEqual(initial);
  });
});

describe('loopback redirect listener', () => {
  test('accepts one callback with the right state and closes', async () => {
    const l = await startLoopbackRedirectListener({ expectedState: 's1' });
    expect(l.redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const res = await fetch(`${l.redirectUri}?code=abc&state=s1`);
    expect(res.status).toBe(200);
    await expect(l.code).resolves.toBe('abc');
    await l.close();
    await expect(fetch(`${l.redirectUri}?code=abc&state=s1`)).rejects.toThrow();
  });

  test('a foreign state is refused', async () => {
    const l = await startLoopbackRedirectListener({ expectedState: 's1' });
    const res = await fetch(`${l.redirectUri}?code=abc&state=evil`);
    expect(res.status).toBe(400);
    await expect(l.code).rejects.toThrow(/state mismatch/);
    await l.close();
  });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
