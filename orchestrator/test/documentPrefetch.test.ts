// Extract keeps the notes' files so the run only writes to Dynamics: which documents it downloads (the attachment
// rule the mappings use), that a second extract downloads nothing again, and that a failed or short download is
// reported and left for the run rather than kept.
import { contextFor, doc, smallFirm } from './fixtures';
import { MemoryStore } from './memoryStore';
import { DISK_RESERVE_BYTES } from '../src/plan/documentSpace';
import { prefetchDocuments, prefetchSummary } from '../src/run/documentPrefetch';
import { EngineError } from '../src/run/engineError';
import { silentProgress, type DocumentFilesPort, type SourcePort } from '../src/ports';

class MemoryFiles implements DocumentFilesPort {
  readonly kept = new Map<string, Uint8Array>();
  async has(fileId: string, size: number | null) {
    const b = this.kept.get(fileId);
    return !!b && (size === null || b.length === size);
  }
  async read(fileId: string, size: number | null) {
    return (await this.has(fileId, size)) ? this.kept.get(fileId)! : null;
  }
  async write(fileId: string, bytes: Uint8Array) {
    this.kept.set(fileId, bytes);
  }
}

/** Files kept on a disk with `freeBytes` free. */
class SmallDisk extends MemoryFiles {
  looked = 0;
  constructor(readonly freeBytes: number) {
    super();
  }
  override async has(fileId: string, size: number | null) {
    this.looked++;
    return super.has(fileId, size);
  }
  async space() {
    return { freeBytes: this.freeBytes, where: 'the disk of /state/documents' };
  }
}

async function fixture() {
  const limit = 5242880; // the fixture's note attachment limit, in base64 characters
  const docs = [
    doc('1', '10', 1000),
    doc('2', '10', 2000),
    doc('3', '10', Math.floor((limit / 4) * 3) + 3), // its base64 is over the limit: kept as a link, not downloaded
    doc('4', '10', 500, { isDeleted: true }),
    doc('5', '10', 700, { file: null }),
    doc('6', '10', 800), // Actionstep answers with an error
    doc('7', '10', 900), // Actionstep answers with fewer bytes than the document says
  ];
  const store = new MemoryStore();
  await store.stageAsync(docs.map((d) => ({ resource: 'actiondocuments', id: d.id, json: JSON.stringify(d) })));
  const asked: string[] = [];
  const source = {
    async downloadFile(fileId: string, options?: { fileSize?: number | null }) {
      asked.push(fileId);
      if (fileId.endsWith('::6')) throw new Error('HTTP 404 file not found');
      const size = options?.fileSize ?? 0;
      return new Uint8Array(fileId.endsWith('::7') ? size - 1 : size).fill(7);
    },
  } as unknown as SourcePort;
  const plan = contextFor(smallFirm()).plan;
  return { store, source, plan, asked, docs };
}

describe('document files kept by extract', () => {
  test('downloads each attachable file once; a second extract downloads none; failures are left for the run', async () => {
    const { store, source, plan, asked } = await fixture();
    const files = new MemoryFiles();
    const first = await prefetchDocuments({ source, store, files, progress: silentProgress }, plan);
    expect(asked.sort()).toEqual(['DL::Actions::10::1', 'DL::Actions::10::2', 'DL::Actions::10::6', 'DL::Actions::10::7']);
    expect(first).toMatchObject({ attachable: 4, downloaded: 2, alreadyKept: 0, bytes: 3000, failed: 2 });
    expect([...files.kept.keys()].sort()).toEqual(['DL::Actions::10::1', 'DL::Actions::10::2']);
    expect(first.firstError).toMatch(/^document (6|7) \(file DL::Actions::10::[67]\): /);
    expect(prefetchSummary(first)).toContain('2 could not be downloaded now and will be tried again during the run');

    asked.length = 0;
    const again = await prefetchDocuments({ source, store, files, progress: silentProgress }, plan);
    expect(asked.sort()).toEqual(['DL::Actions::10::6', 'DL::Actions::10::7']);
    expect(again).toMatchObject({ attachable: 4, downloaded: 0, alreadyKept: 2, failed: 2 });
  });

  test('a disk too small for the files still to keep stops extract before the first download, and says what is needed', async () => {
    const { store, source, plan, asked } = await fixture();
    // Files 1, 2, 6 and 7 (1000 + 2000 + 800 + 900 bytes) with the reserve need 4,700 bytes more than 256 MB.
    const tooSmall = new SmallDisk(DISK_RESERVE_BYTES + 4_699);
    await expect(prefetchDocuments({ source, store, files: tooSmall, progress: silentProgress }, plan)).rejects.toThrow(
      new EngineError("not enough disk space to keep the notes' files: 4 files still to download need 5 KB and 256.0 MB left over for the run's own files, but the disk of /state/documents has 256.0 MB free. Free some space there, or move the state folder (stateDir in the config) to a larger disk, then run extract again (what it has read is kept)."),
    );
    expect(asked).toEqual([]);
    const enough = new SmallDisk(DISK_RESERVE_BYTES + 4_700);
    expect(await prefetchDocuments({ source, store, files: enough, progress: silentProgress }, plan)).toMatchObject({ downloaded: 2, failed: 2 });
    // Every wanted file fits: each is looked for once, by the downloads' pass only.
    expect(enough.looked).toBe(4);
    // Files kept already need no room: with 1 and 2 kept, 1,700 bytes more than the reserve are enough.
    const kept = new SmallDisk(DISK_RESERVE_BYTES + 1_700);
    for (const [id, bytes] of enough.kept) kept.kept.set(id, bytes);
    expect(await prefetchDocuments({ source, store, files: kept, progress: silentProgress }, plan)).toMatchObject({ alreadyKept: 2, failed: 2 });
  });

  test('nothing is downloaded when the plan keeps documents as links', async () => {
    const { store, source, asked } = await fixture();
    const plan = contextFor(smallFirm(), { attachDocuments: false }).plan;
    const r = await prefetchDocuments({ source, store, files: new MemoryFiles(), progress: silentProgress }, plan);
    expect(asked).toEqual([]);
    expect(r.attachable).toBe(0);
  });
});
