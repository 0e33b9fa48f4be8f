// Extraction that cannot miss a record, against the Actionstep emulator: while the engine pages through the firm
// (10 records a page), one record is deleted and one inserted between two pages, in a resource paged by id
// (participants, keyset) and in one paged by offset (actionparticipants, composite ids), where the delete shifts a
// record past the reader. The staged firm equals what Actionstep holds at the end, the run summary names the
// records that moved by id, and verify says so.
import type { ResourceName } from '@astep/actionstep-connector/records';
import { MigrationEngine, silentProgress, type SourcePort } from '@astep/orchestrator';
import { loadConfig } from '@astep/cli/config';
import { openSession, type Session } from '@astep/cli/session';
import { startTestEmulators } from '../helpers/harness';

jest.setTimeout(300_000);

describe('extraction while Actionstep changes', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  let session: Session;
  afterAll(async () => {
    session?.close();
    await emu?.close();
  });

  test('a delete and an insert between pages: the staged firm is Actionstep at the end; the summary and verify name what moved', async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 13 });
    session = await openSession(loadConfig(emu.configPath), silentProgress, { command: 'test', actionstepPageSize: 10 });
    // Runs once, right after the first page of a resource has been handed to the engine.
    const between: Partial<Record<ResourceName, (firstPage: Array<{ id: string }>) => void>> = {};
    const inner = session.source;
    const source: SourcePort = {
      pages: (async function* (resource, options) {
        let first = true;
        for await (const page of inner.pages(resource, options)) {
          yield page;
          if (first) between[resource]?.(page as Array<{ id: string }>);
          first = false;
        }
      }) as SourcePort['pages'],
      count: (r) => inner.count(r), ids: (r, o) => inner.ids(r, o), byIds: (r, i, o) => inner.byIds(r, i, o),
      downloadFile: (f, o) => inner.downloadFile(f, o), filesUrl: () => inner.filesUrl(),
      orgkey: () => inner.orgkey(), requestCount: () => inner.requestCount(),
    };
    const engine = new MigrationEngine({ source, sink: session.sink, store: session.store, progress: silentProgress });
    await engine.discover(undefined, 'SalesEnterprise');
    await engine.provision();

    const moved: Record<string, { deleted: string; inserted: string }> = {};
    let newPerson = '';
    between.participants = (page) => {
      newPerson = emu.actionstep.mutate.insert('participants', { id: '', displayName: 'Added During Extraction', isCompany: false, firstName: 'Added', lastName: 'During Extraction' } as never);
      emu.actionstep.mutate.remove('participants', page[1].id);
      moved.participants = { deleted: page[1].id, inserted: newPerson };
    };
    between.actionparticipants = (page) => {
      const [action, type] = page[0].id.split('--');
      const inserted = emu.actionstep.mutate.insert('actionparticipants', { id: `${action}--${type}--${newPerson}`, actionId: action, participantTypeId: type, participantId: newPerson, participantNumber: 9 } as never);
      emu.actionstep.mutate.remove('actionparticipants', page[1].id);
      moved.actionparticipants = { deleted: page[1].id, inserted };
    };
    await engine.extract();

    for (const resource of ['participants', 'actionparticipants'] as const) {
      const now: string[] = [];
      for await (const ids of inner.ids(resource)) now.push(...ids);
      expect(session.store.stagedIds(resource).sort()).toEqual(now.sort());
      expect(now).toContain(moved[resource].inserted);
      expect(now).not.toContain(moved[resource].deleted);
    }

    const summary = await engine.run(undefined, { force: true });
    const deleted = summary.findings.find((f) => f.rule === 'deleted in Actionstep during extraction')!;
    expect(deleted.open).toBe(false);
    expect(deleted.examples.map((e) => e.message).sort()).toEqual([
      `Matter participant ${moved.actionparticipants.deleted} was read, then deleted in Actionstep before the extraction ended: it is not staged`,
      `Person or organisation ${moved.participants.deleted} was read, then deleted in Actionstep before the extraction ended: it is not staged`,
    ]);
    // The record the delete shifted onto a page already read was found by the id listing and read by id.
    const missed = summary.findings.find((f) => f.rule === 'not on the pages read')!;
    expect(missed.examples.map((e) => e.resource)).toEqual(['actionparticipants']);

    const verify = await engine.verify();
    expect(verify.extraction.open).toBe(0);
    expect(verify.extraction.findings.map((f) => f.rule).sort()).toEqual(['deleted in Actionstep during extraction', 'not on the pages read']);
    expect(verify.ok).toBe(true);
  });
});
