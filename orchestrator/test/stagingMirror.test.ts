// Extract's copy of the staging to astep_stagingrow: pages of 1,000 as one request each, several in flight, and a
// resource marked mirrored only once every page of it has landed.
import type { SinkPort, SinkUpsertTarget, SinkWriteOptions, SinkWriteResult, TableInfo } from '../src/ports';
import { silentProgress } from '../src/ports';
import { MemoryStateStore } from '../src/store/memoryStateStore';
import { mirrorStaging, STAGING_MIRROR_PAGE, STAGING_MIRROR_PAGE_REQUESTS, STAGING_MIRROR_SLOTS } from '../src/store/stagingMirror';

/** Answers each upsert after a pause, counting the requests in flight; the request with `failAt` fails its rows. */
class SlowSink {
  inFlight = 0;
  peak = 0;
  keys: string[] = [];
  sizes: number[] = [];
  options: SinkWriteOptions[] = [];
  failAt: number | null = null;
  constructor(private readonly cap: number) {}
  capacity() { return this.cap; }
  async upsert(_info: TableInfo, targets: SinkUpsertTarget[], options: SinkWriteOptions = {}): Promise<SinkWriteResult[]> {
    const n = this.sizes.push(targets.length);
    this.options.push(options);
    this.inFlight++;
    this.peak = Math.max(this.peak, this.inFlight);
    await new Promise((r) => setTimeout(r, 5));
    this.inFlight--;
    const failed = this.failAt === n;
    if (!failed) this.keys.push(...targets.map((t) => String((t.key as Record<string, string>).astep_stagingkey)));
    return targets.map((t, index) => (failed ? { index, ref: t.ref, outcome: 'failed' as const, message: 'The server is busy' } : { index, ref: t.ref, outcome: 'upserted' as const, id: `g${index}` }));
  }
}

function storeWith(records: number): MemoryStateStore {
  const store = new MemoryStateStore();
  store.stage(Array.from({ length: records }, (_, i) => ({ resource: 'timeentries', id: String(i + 1), json: `{"id":${i + 1}}` })));
  return store;
}

test('every staged record is copied once, 1,000 per call, with several calls in flight', async () => {
  const store = storeWith(10_500);
  const sink = new SlowSink(52);
  const written = await mirrorStaging(sink as unknown as SinkPort, store, 'R1', silentProgress);
  expect(written).toBe(10_500);
  expect(new Set(sink.keys).size).toBe(10_500);
  expect(sink.keys).toHaveLength(10_500);
  expect(Math.max(...sink.sizes)).toBe(STAGING_MIRROR_PAGE);
  expect(sink.sizes).toHaveLength(11);
  // Each page is one call with a few requests of its own (keys a URL cannot carry are read first inside a call), and up
  // to 8 pages go at once: one at a time took 11 pauses.
  expect(sink.options.every((o) => o.maxConcurrency === STAGING_MIRROR_PAGE_REQUESTS)).toBe(true);
  expect(sink.peak).toBe(STAGING_MIRROR_SLOTS);
  expect(store.getCheckpoint('mirror-staging:R1:timeentries')).toBe('done');
});

test('never more requests in flight than the sink can take', async () => {
  const sink = new SlowSink(3);
  await mirrorStaging(sink as unknown as SinkPort, storeWith(9_000), 'R1', silentProgress);
  expect(sink.peak).toBe(3);
});

test('a page that does not land stops the copy and leaves the resource to be mirrored again', async () => {
  const store = storeWith(6_000);
  const sink = new SlowSink(52);
  sink.failAt = 4;
  await expect(mirrorStaging(sink as unknown as SinkPort, store, 'R1', silentProgress)).rejects.toThrow(/records could not be staged in Dataverse .*The server is busy/);
  expect(store.getCheckpoint('mirror-staging:R1:timeentries')).toBeNull();
  // The next extract mirrors the resource again (upserts by staging key: the pages that landed are written again, not doubled).
  sink.failAt = null;
  await mirrorStaging(sink as unknown as SinkPort, store, 'R1', silentProgress);
  expect(new Set(sink.keys).size).toBe(6_000);
  expect(store.getCheckpoint('mirror-staging:R1:timeentries')).toBe('done');
});
