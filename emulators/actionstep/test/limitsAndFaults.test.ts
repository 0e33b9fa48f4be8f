import type { ActionstepEmulator } from '@astep/actionstep-emulator';
import { api, login, start, tokenRequest } from './helpers';

describe('rate limiting per user session', () => {
  it('answers 429 with the errors body and Retry-After, and counts it', async () => {
    const em = await start({ rateLimit: { sessionPerSecond: 1, sessionBurst: 3 } });
    try {
      const t = (await login(em)).access_token;
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<typeof api>> | null = null;
      for (let i = 0; i < 6; i++) {
        const r = await api(em, t, 'rest/actiontypes');
        statuses.push(r.status);
        if (r.status === 429) limited = r;
      }
      expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
      expect(limited).not.toBeNull();
      expect(limited!.body.errors).toMatchObject({ status: 429, title: 'Too Many Requests' });
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(em.counters().rateLimited).toBe(statuses.filter((s) => s === 429).length);
      expect(em.counters().byStatus['429']).toBe(em.counters().rateLimited);
      // A second sign-in of the same user shares the user's budget (the harsher reading of "per user session");
      // another user's session has its own.
      const again = (await login(em)).access_token;
      expect((await api(em, again, 'rest/actiontypes')).status).toBe(429);
      const otherUser = em.firm.users.find((u) => u.isActive && u.id !== em.firm.adminUserId)!;
      const other = (await login(em, { login_hint: otherUser.emailAddress! })).access_token;
      expect((await api(em, other, 'rest/actiontypes')).status).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect((await api(em, t, 'rest/actiontypes')).status).toBe(200);
    } finally {
      await em.close();
    }
  });

  it('can omit Retry-After (the real header is undocumented)', async () => {
    const em = await start({ rateLimit: { sessionPerSecond: 0.5, sessionBurst: 1, retryAfterHeader: false } });
    try {
      const t = (await login(em)).access_token;
      await api(em, t, 'rest/actiontypes');
      const r = await api(em, t, 'rest/actiontypes');
      expect(r.status).toBe(429);
      expect(r.headers.get('retry-after')).toBeNull();
    } finally {
      await em.close();
    }
  });

  it('applies the org-wide cap across sessions', async () => {
    const em = await start({ rateLimit: { sessionPerSecond: 100, sessionBurst: 100, orgPerSecond: 0.5, orgBurst: 2 } });
    try {
      const a = (await login(em)).access_token;
      const b = (await login(em)).access_token;
      const s = [await api(em, a, 'rest/steps'), await api(em, b, 'rest/steps'), await api(em, b, 'rest/steps')].map((r) => r.status);
      expect(s).toEqual([200, 200, 429]);
    } finally {
      await em.close();
    }
  });
});

describe('fault injection', () => {
  let em: ActionstepEmulator;
  let token: string;
  beforeAll(async () => {
    em = await start();
    token = (await login(em)).access_token;
  });
  afterAll(() => em.close());
  afterEach(() => em.setFaults({}));

  it('injects 5xx with an errors body', async () => {
    em.resetCounters();
    em.setFaults({ serverErrorRate: 1, seed: 3 });
    const r = await api(em, token, 'rest/actiontypes');
    expect([500, 502, 503]).toContain(r.status);
    expect(r.body.errors.status).toBe(r.status);
    expect(em.counters().faults.serverError).toBe(1);
  });

  it('resets connections', async () => {
    em.resetCounters();
    em.setFaults({ connectionResetRate: 1 });
    await expect(fetch(`${em.apiEndpoint}rest/actiontypes`, { headers: { Authorization: `Bearer ${token}` } })).rejects.toThrow();
    expect(em.counters().faults.reset).toBe(1);
  });

  it('slows responses down', async () => {
    em.setFaults({ slowRate: 1, slowMs: 300 });
    const t0 = Date.now();
    const r = await api(em, token, 'rest/actiontypes');
    expect(r.status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(em.counters().faults.slow).toBeGreaterThanOrEqual(1);
  });

  it('is slow on the first page of a wide query only (the live API takes minutes there)', async () => {
    em.setFaults({ wideFirstPageMs: 400 });
    const timed = async (path: string): Promise<number> => {
      const t0 = Date.now();
      expect((await api(em, token, path)).status).toBeLessThan(300);
      return Date.now() - t0;
    };
    expect(await timed('rest/actions?pageSize=50')).toBeGreaterThanOrEqual(390);
    expect(await timed('rest/actions?pageSize=50&page=2')).toBeLessThan(390);
    expect(await timed('rest/actions?status_eq=Active')).toBeLessThan(390);
    expect(await timed('rest/actions/1')).toBeLessThan(390);
    em.setFaults({});
  });

  it('expires a valid token mid-run: 401 expired_token until the client refreshes', async () => {
    const t = await login(em);
    em.setFaults({ tokenExpiryRate: 1 });
    const r = await api(em, t.access_token, 'rest/actiontypes');
    expect(r.status).toBe(401);
    expect(r.body.error).toBe('expired_token');
    em.setFaults({});
    expect((await api(em, t.access_token, 'rest/actiontypes')).status).toBe(401);
    const fresh = (await (await tokenRequest(em, { grant_type: 'refresh_token', refresh_token: t.refresh_token })).json()) as { access_token: string };
    expect((await api(em, fresh.access_token, 'rest/actiontypes')).status).toBe(200);
  });

  it('draws faults deterministically from the seed at the configured rate', async () => {
    const run = async (): Promise<number[]> => {
      em.setFaults({ seed: 42, serverErrorRate: 0.3 });
      const out: number[] = [];
      for (let i = 0; i < 30; i++) out.push((await api(em, token, 'rest/actiontypes')).status);
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    const errs = a.filter((s) => s >= 500).length;
    expect(errs).toBeGreaterThan(2);
    expect(errs).toBeLessThan(20);
  });

  it('counts requests per resource and status', async () => {
    em.resetCounters();
    await api(em, token, 'rest/actions?pageSize=1');
    await api(em, token, 'rest/Nope');
    const c = em.counters();
    expect(c.requests).toBe(2);
    expect(c.byResource.actions).toBe(1);
    expect(c.byStatus['404']).toBe(1);
  });
});
