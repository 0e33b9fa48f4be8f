import { parentTables, runPipeline } from '../src/load/pipeline';
import { MAPPINGS } from '../src/mappings';
import type { TargetRow } from '../src/transform/targetRow';

const MB = 1024 * 1024;
/** Tests about other bounds: the values in flight never hold a batch back. */
const NO_CELL_BOUND = { columnsOf: () => [], maxCellsInFlight: Infinity };

function note(i: number, size: number | null): TargetRow {
  return {
    table: 'annotation', sourceResource: 'actiondocuments', sourceId: String(i), key: `D-${i}`, attributes: {}, binds: {}, problems: [],
    ...(size === null ? {} : { attachment: { fileId: `f${i}`, size } }),
  };
}

/** Runs the pipeline over one table of notes; records each batch and the most rows and bytes ever in flight. */
async function loadNotes(rows: TargetRow[], options: { batchRows: number; slots: number; maxBatchBytes: number; maxBytesInFlight: number }) {
  const batches: TargetRow[][] = [];
  let bytes = 0;
  let peakBytes = 0;
  let peakBatches = 0;
  let inFlight = 0;
  await runPipeline(MAPPINGS, [{ name: 'annotation', rows: rows[Symbol.iterator]() }], {
    batchRows: options.batchRows, slots: () => options.slots, maxRowsInFlight: 100_000,
    maxBatchBytes: options.maxBatchBytes, maxBytesInFlight: options.maxBytesInFlight, ...NO_CELL_BOUND,
  }, async (_table, batch) => {
    const b = batch.reduce((s, r) => s + (r.attachment?.size ?? 0), 0);
    batches.push(batch);
    bytes += b;
    inFlight++;
    peakBytes = Math.max(peakBytes, bytes);
    peakBatches = Math.max(peakBatches, inFlight);
    await new Promise((resolve) => setTimeout(resolve, 2));
    bytes -= b;
    inFlight--;
  }, async () => {});
  return { batches, peakBytes, peakBatches };
}

test('batches of notes with files are cut by their bytes, and the bytes in flight stay under the bound (plus one batch)', async () => {
  // 200 notes of 3 MB (the default upload limit allows 3.75 MB raw): by rows alone, one batch of 1,000 would carry 600 MB.
  const rows = Array.from({ length: 200 }, (_, i) => note(i, 3 * MB));
  const { batches, peakBytes } = await loadNotes(rows, { batchRows: 1000, slots: 16, maxBatchBytes: 8 * MB, maxBytesInFlight: 16 * MB });
  expect(batches.flat().map((r) => r.key)).toEqual(rows.map((r) => r.key)); // every row once, in order
  expect(Math.max(...batches.map((b) => b.length))).toBe(3); // 9 MB: the row that reaches 8 MB ends the batch
  expect(peakBytes).toBeLessThan(16 * MB + 9 * MB);
  expect(peakBytes).toBeGreaterThan(8 * MB); // several batches did go side by side
});

test('rows without files are cut by rows only; a file over the bound ends its batch (it is never split or refused here)', async () => {
  const plain = Array.from({ length: 2500 }, (_, i) => note(i, null));
  expect((await loadNotes(plain, { batchRows: 1000, slots: 4, maxBatchBytes: 8 * MB, maxBytesInFlight: 16 * MB })).batches.map((b) => b.length)).toEqual([1000, 1000, 500]);
  const big = [note(1, 1000), note(2, 20 * MB), note(3, 1000)];
  const { batches } = await loadNotes(big, { batchRows: 1000, slots: 4, maxBatchBytes: 8 * MB, maxBytesInFlight: 16 * MB });
  expect(batches.map((b) => b.map((r) => r.key))).toEqual([['D-1', 'D-2'], ['D-3']]);
});

test('a table waits for the tables it binds to through their alternate key', async () => {
  // Matter participants bind to contacts and matters: they start only once both are loaded.
  const loading = new Set(['contact', 'astep_matter', 'astep_matterparticipant']);
  expect(parentTables(MAPPINGS, 'astep_matterparticipant', loading).sort()).toEqual(['astep_matter', 'contact']);
  const order: string[] = [];
  const row = (table: string, i: number): TargetRow => ({ table, sourceResource: 'x', sourceId: String(i), key: `${table}-${i}`, attributes: {}, binds: {}, problems: [] });
  await runPipeline(MAPPINGS, [...loading].map((name) => ({ name, rows: [row(name, 1), row(name, 2)][Symbol.iterator]() })), {
    batchRows: 1, slots: () => 8, maxRowsInFlight: 100, maxBatchBytes: MB, maxBytesInFlight: MB, ...NO_CELL_BOUND,
  }, async (table) => {
    order.push(`start ${table}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
    order.push(`end ${table}`);
  }, async () => {});
  const firstParticipant = order.indexOf('start astep_matterparticipant');
  expect(firstParticipant).toBeGreaterThan(order.lastIndexOf('end contact'));
  expect(firstParticipant).toBeGreaterThan(order.lastIndexOf('end astep_matter'));
});

test('wide batches: the values in flight (rows x columns) have their own bound, one batch always goes', async () => {
  const row = (table: string, i: number): TargetRow => ({ table, sourceResource: 'x', sourceId: String(i), key: `${table}-${i}`, attributes: {}, binds: {}, problems: [] });
  const peakOf = async (columns: number) => {
    let inFlight = 0, peak = 0;
    await runPipeline(MAPPINGS, [{ name: 'astep_matter', rows: Array.from({ length: 20 }, (_, i) => row('astep_matter', i))[Symbol.iterator]() }], {
      batchRows: 2, slots: () => 100, maxRowsInFlight: 1000, maxBatchBytes: MB, maxBytesInFlight: MB,
      columnsOf: () => Array.from({ length: columns }, (_, c) => `astep_dc_field${c}`), maxCellsInFlight: 1000,
    }, async (_table, _rows, handed) => {
      // The columns weighed are the ones the load gets (worked out once per batch).
      expect(handed).toHaveLength(columns);
      peak = Math.max(peak, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      inFlight--;
    }, async () => {});
    return peak;
  };
  // 2 rows x 100 columns = 200 values a batch: five batches reach 1,000, the sixth waits.
  expect(await peakOf(100)).toBe(5);
  // 2 x 600 = 1,200 values: over the bound alone, still sent, one at a time.
  expect(await peakOf(600)).toBe(1);
  // 2 x 10 = 20 values: all ten batches at once, as without the bound.
  expect(await peakOf(10)).toBe(10);
});
