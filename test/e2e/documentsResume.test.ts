// `extract` killed while it downloads the notes' files, then started again: it downloads only the files it had not
// kept, leaves no unfinished file behind, and the run then reads every file from the state folder (no request to
// Actionstep) and verifies.
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startTestEmulators } from '../helpers/harness';

jest.setTimeout(300_000);

describe('extract killed while downloading documents', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  const step = (name: string, ...extra: string[]) => runCli([name, '--config', emu.configPath, '--json', ...extra]);
  // Actionstep paced at 20 requests/s, so the downloads take long enough for the kill to land among them.
  beforeAll(async () => (emu = await startTestEmulators({ firm: 'tiny', seed: 7, actionstepRateLimit: { sessionPerSecond: 20, sessionBurst: 20, orgPerSecond: 100, orgBurst: 100, ipPerSecond: 200, ipBurst: 200 } })));
  afterAll(async () => emu?.close());

  test('resumes with the files not yet kept; the run asks Actionstep for nothing', async () => {
    expect((await step('discover')).code).toBe(0);
    expect((await step('provision')).code).toBe(0);
    const dir = path.join(emu.config.stateDir, 'documents');
    const kept = () => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.endsWith('.part')).length : 0);
    const killed = await runCli(['extract', '--config', emu.configPath, '--json'], { killWhen: () => kept() >= 3 });
    expect(killed.signal).toBe('SIGKILL');
    const before = kept();
    expect(before).toBeGreaterThanOrEqual(3);

    const again = await step('extract');
    expect(again.code).toBe(0);
    const d = again.json.documents;
    expect(before).toBeLessThan(d.attachable); // the kill landed among the downloads, not after them
    expect(d).toMatchObject({ failed: 0, alreadyKept: before });
    expect(d.downloaded + d.alreadyKept).toBe(d.attachable);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(kept()).toBe(d.attachable);

    const run = await step('run', '--force', '--accept-failures');
    expect(run.code).toBe(0);
    expect(run.json.actionstepRequests).toBe(0);
    const verify = await step('verify');
    expect(verify.code).toBe(0);
  });
});
