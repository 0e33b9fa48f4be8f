// Discover tells how much disk the notes' files will take where extract keeps them, from the first page of documents
// the Actionstep emulator lists (one request more than without it), and warns in the plan when they will not fit.
import { MigrationEngine, silentProgress, type DocumentFilesPort } from '@astep/orchestrator';
import { loadConfig } from '@astep/cli/config';
import { openSession, type Session } from '@astep/cli/session';
import { startTestEmulators } from '../helpers/harness';

jest.setTimeout(120_000);

/** Files kept on a disk with `freeBytes` free (nothing is written at discover). */
const diskWith = (freeBytes: number): DocumentFilesPort => ({
  has: async () => false, read: async () => null, write: async () => { throw new Error('discover writes no file'); },
  space: async () => ({ freeBytes, where: 'the disk of /state/documents' }),
});

describe("the notes' files' disk space in the plan", () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  let session: Session;
  afterAll(async () => {
    session?.close();
    await emu?.close();
  });

  test('estimated from the first page of documents; a warning when it does not fit; one Actionstep request for it', async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7 });
    session = await openSession(loadConfig(emu.configPath), silentProgress, { command: 'test' });
    const discover = async (documentFiles?: DocumentFilesPort) => {
      const engine = new MigrationEngine({ source: session.source, sink: session.sink, store: session.store, progress: silentProgress, documentFiles });
      const before = session.source.requestCount();
      const plan = await engine.discover(undefined, 'SalesEnterprise');
      return { plan, requests: session.source.requestCount() - before };
    };

    const noDisk = await discover();
    expect(noDisk.plan.source.documentSpace).toBeUndefined(); // files not kept on a disk (the browser): nothing said

    const roomy = await discover(diskWith(10 * 1024 ** 4));
    const space = roomy.plan.source.documentSpace!;
    expect(space.documents).toBe(roomy.plan.source.counts.actiondocuments);
    expect(space.documents).toBeGreaterThan(0);
    expect(space.sampled).toBe(Math.min(space.documents, 200)); // Actionstep's largest page
    expect(space.estimatedBytes).toBeGreaterThan(0);
    expect(roomy.requests).toBe(noDisk.requests + 1);
    expect(roomy.plan.warnings.filter((w) => w.includes("notes' files"))).toEqual([]);

    const small = await discover(diskWith(100 * 1024 ** 2));
    expect(small.plan.warnings.filter((w) => w.includes("notes' files"))).toEqual([
      expect.stringMatching(/^The notes' files need about [\d.]+ [KMG]B on the computer that runs extract \((estimated from|the sizes of all) .*; the disk of \/state\/documents has 100\.0 MB free\. Extract would stop before downloading them: free some space there, or move the state folder \(stateDir in the config\) to a larger disk before extract\.$/),
    ]);
  });
});
