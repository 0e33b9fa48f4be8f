// Several Dataverse application users end to end: `emulate --app-users 3` registers three app users in the
// emulator and lists them in the config; a session spreads its writes across them (each record says which user
// created it); a configuration whose second user has a wrong secret stops the command with exit 2, naming it.
import fs from 'node:fs';
import path from 'node:path';
import { silentProgress } from '@astep/orchestrator';
import { openSession } from '@astep/cli/session';
import { runCli, startTestEmulators } from '../helpers/harness';

jest.setTimeout(120_000);

const ACCOUNTS = { logicalName: 'account', entitySetName: 'accounts', primaryIdAttribute: 'accountid' };
const guid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('several Dataverse application users', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', appUsers: 3, limits: 'production', clockScale: 60 });
  });
  afterAll(async () => emu?.close());

  test('the config lists each application user; the session spreads writes across all of them and counts every request', async () => {
    const users = emu.config.dataverse.applicationUsers!;
    expect(users.map((u) => u.clientId)).toEqual(['astep-migration-app', 'astep-migration-app-2', 'astep-migration-app-3']);
    expect(new Set(users.map((u) => u.clientSecret)).size).toBe(3);
    expect(emu.config.dataverse.clientId).toBeUndefined();

    const counted = () => { const c = emu.dataverse.counters(); return c.requests - (c.byKind.token ?? 0); };
    const before = counted();
    const session = await openSession(emu.config, silentProgress);
    try {
      const results = await session.sink.upsert(ACCOUNTS, Array.from({ length: 6_000 }, (_, i) => ({ key: { id: guid(i + 1) }, attributes: { name: `Pool client ${i}` }, ref: String(i) })));
      expect(results.filter((r) => r.outcome !== 'upserted')).toEqual([]);
      // Each record was created by the application user whose request carried it: all three did some of the work.
      const accounts = (await emu.dataverse.snapshot(['account'])).account.filter((a) => String(a.name).startsWith('Pool client'));
      expect(accounts).toHaveLength(6_000);
      const byCreator = new Map<string, number>();
      for (const a of accounts) byCreator.set(String(a.createdby), (byCreator.get(String(a.createdby)) ?? 0) + 1);
      expect([...byCreator.keys()].sort()).toEqual(users.map((u) => emu.dataverse.applicationUserId(u.clientId)).sort());
      for (const n of byCreator.values()) expect(n).toBeGreaterThanOrEqual(1_000);
      // Every identity signed in (WhoAmI, its own DOP hint) and sent requests; the sink counts all of them.
      const status = session.dataverse.identities();
      expect(status.map((s) => s.userId)).toEqual(users.map((u) => emu.dataverse.applicationUserId(u.clientId)));
      for (const s of status) expect(s.dopHint).toBe(4);
      expect(session.sink.requestCount()).toBe(status.reduce((n, s) => n + s.requests, 0));
      // ... and that is exactly what the emulator served (token requests aside: they go to Entra, not Dataverse).
      expect(session.sink.requestCount()).toBe(counted() - before);
    } finally {
      session.close();
    }
  });

  test('an application user whose secret is refused stops the step with exit 2, naming it, before anything is written', async () => {
    const config = JSON.parse(fs.readFileSync(emu.configPath, 'utf8'));
    const good = config.dataverse.applicationUsers[1].clientSecret as string;
    config.dataverse.applicationUsers[1].clientSecret = 'not-the-secret';
    const file = path.join(emu.dir, 'wrong-secret.config.json');
    fs.writeFileSync(file, JSON.stringify(config), { mode: 0o600 });
    const before = emu.dataverse.counters().recordsWritten;
    const r = await runCli(['discover', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('1 of 3 Dataverse application users could not sign in');
    expect(r.stderr).toContain('dataverse.applicationUsers[1] (client id astep-migration-app-2)');
    expect(r.stderr).toContain('AADSTS7000215');
    expect(r.stderr).not.toContain('dataverse.applicationUsers[0]');
    expect(r.stderr + r.stdout).not.toContain('not-the-secret');
    expect(r.stderr + r.stdout).not.toContain(good);
    expect(emu.dataverse.counters().recordsWritten).toBe(before);
  });
});
