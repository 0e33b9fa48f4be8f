import type { ActionstepEmulator } from '@astep/actionstep-emulator';
import { REDIRECT, api, authorize, login, start, tokenRequest } from './helpers';

describe('OAuth2 authorization code flow', () => {
  let em: ActionstepEmulator;
  beforeAll(async () => {
    em = await start({ seed: 9, accessTokenTtlSeconds: 1 }); // seed 9: the tiny firm has inactive users
  });
  afterAll(() => em.close());

  it('consents at once for the first admin and redirects with code and state', async () => {
    const back = await authorize(em);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('xyz');
    const res = await tokenRequest(em, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT });
    expect(res.status).toBe(200);
    const t = (await res.json()) as Record<string, unknown>;
    expect(t).toMatchObject({ token_type: 'bearer', expires_in: 1, api_endpoint: em.apiEndpoint, orgkey: em.firm.orgKey });
    expect(String(t.api_endpoint)).toMatch(/\/api\/$/);
    const me = await api(em, String(t.access_token), 'rest/users/current');
    expect(me.body.users).toMatchObject({ id: 1, isCurrent: 'T', emailAddress: em.firm.userEmail('1') });
  });

  it('acts as the login_hint user (email, any case) and refuses unknown or inactive users', async () => {
    const user = em.firm.users.find((u) => u.isActive && u.id !== '1')!;
    const t = await login(em, { login_hint: user.emailAddress!.toUpperCase() });
    const me = await api(em, t.access_token, 'rest/users/current');
    expect(String(me.body.users.id)).toBe(user.id);
    const unknown = await authorize(em, { login_hint: 'nobody@nowhere.example' });
    expect(unknown.searchParams.get('error')).toBe('access_denied');
    const inactive = em.firm.users.find((u) => !u.isActive);
    expect(inactive).toBeDefined();
    expect((await authorize(em, { login_hint: inactive!.emailAddress! })).searchParams.get('error')).toBe('access_denied');
  });

  it('shows an error page, not a redirect, for an unknown client or a bad redirect_uri', async () => {
    for (const params of [{ client_id: 'nope' }, { redirect_uri: 'https://evil.example/cb' }]) {
      const u = new URL(em.authorizeUrl);
      const all = { response_type: 'code', client_id: em.clientId, redirect_uri: REDIRECT, scope: 'all', ...params };
      for (const [k, v] of Object.entries(all)) u.searchParams.set(k, v);
      const res = await fetch(u, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).toMatch(/Authorization error/);
    }
  });

  it('accepts client credentials by HTTP Basic, rejects a wrong secret, and codes are single-use', async () => {
    const back = await authorize(em);
    const code = back.searchParams.get('code')!;
    const ok = await tokenRequest(em, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, true);
    expect(ok.status).toBe(200);
    const again = await tokenRequest(em, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, true);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
    const bad = await fetch(em.tokenUrl, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT, client_id: em.clientId, client_secret: 'wrong' }),
    });
    expect(bad.status).toBe(401);
    const body = await bad.text();
    expect(JSON.parse(body)).toMatchObject({ error: 'invalid_client' });
    expect(body).not.toContain(em.clientSecret);
  });

  it('rotates refresh tokens: the old one is rejected with invalid_grant', async () => {
    const t = await login(em);
    const r1 = await tokenRequest(em, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(r1.status).toBe(200);
    const t2 = (await r1.json()) as { access_token: string; refresh_token: string };
    expect(t2.refresh_token).not.toBe(t.refresh_token);
    const reuse = await tokenRequest(em, { grant_type: 'refresh_token', refresh_token: t.refresh_token });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: 'invalid_grant' });
    const r3 = await tokenRequest(em, { grant_type: 'refresh_token', refresh_token: t2.refresh_token });
    expect(r3.status).toBe(200);
    expect(em.counters().refreshes).toBeGreaterThanOrEqual(2);
  });

  it('answers 401 expired_token after expires_in and invalid_token for unknown tokens', async () => {
    const t = await login(em);
    expect((await api(em, t.access_token, 'rest/actiontypes')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await api(em, t.access_token, 'rest/actiontypes');
    expect(expired.status).toBe(401);
    expect(expired.body).toMatchObject({ error: 'expired_token', error_uri: expect.stringContaining('rfc6749') });
    const invalid = await api(em, 'not-a-token', 'rest/actiontypes');
    expect(invalid.status).toBe(401);
    expect(invalid.body.error).toBe('invalid_token');
    const none = await fetch(`${em.apiEndpoint}rest/actiontypes`);
    expect(none.status).toBe(401);
  });
});

describe('scopes', () => {
  let em: ActionstepEmulator;
  beforeAll(async () => {
    em = await start();
  });
  afterAll(() => em.close());

  it('grants only the listed resources; all is a wildcard; includes need their scope', async () => {
    const t = await login(em, { scope: 'actions participants' });
    expect((await api(em, t.access_token, 'rest/actions?pageSize=1')).status).toBe(200);
    const denied = await api(em, t.access_token, 'rest/timeentries');
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('insufficient_scope');
    expect((await api(em, t.access_token, 'rest/actions?include=actionType')).status).toBe(403);
    expect((await api(em, t.access_token, 'rest/actions?include=assignedTo')).status).toBe(200);
    const all = await login(em, { scope: 'all' });
    expect((await api(em, all.access_token, 'rest/timeentries')).status).toBe(200);
  });
});
