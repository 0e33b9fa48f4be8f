// Loads the mapped rows with many batches in flight: the service-protection limits allow dozens of requests at once
// per application user (52 in a fresh window; the adaptive limit each identity's responses set), so one request at a
// time leaves nearly all of it idle. A table starts once every table it binds to through an alternate key is done
// (its rows exist and their GUIDs are in the ledger); tables that do not depend on each other load side by side,
// which also overlaps the document downloads of notes with the other tables' writes. Rows are pulled from each
// table's mapping only when a batch is about to go, so what is in memory is the batches in flight, whatever the
// size of the firm. Each batch keeps the loader's write-ahead audit on its own; nothing is shared between batches
// but the ledger in the state store.
import type { MappingSet } from '../mappings/mappingSet';
import type { TargetRow } from '../transform/targetRow';

export interface PipelineOptions {
  /** Rows per batch: one write request (a bulk request's fixed cost is paid once per request). */
  batchRows: number;
  /** Batches in flight now (read each time: the sink's capacity moves with the service's answers). */
  slots: () => number;
  /** At most this many rows in flight, whatever the slots (memory). */
  maxRowsInFlight: number;
  /**
   * Attachment bytes (files downloaded and sent inline with their rows) per batch and in flight at most. A note's
   * file may be up to the organisation's upload size (3.75 MB raw by default, more where an admin raised it), so a
   * batch of 1,000 notes cut by rows alone could carry gigabytes in one request and in memory. A batch ends once it
   * reaches the bound (a file over it ends its batch, never refused here: files over the upload limit never become attachments: mappings/document.ts); a batch waits while the bytes in flight are over it.
   */
  maxBatchBytes: number;
  maxBytesInFlight: number;
  /**
   * The columns a batch reads back and writes, worked out once when it is cut and handed to `load` with it. Its values
   * in flight are rows x columns: a batch of matters with a firm's data-collection fields asks for about a hundred
   * columns, a batch of time entries for a dozen, and each batch's answers (read before and after its write) and audit
   * rows grow with them. A batch waits while the values in flight are over `maxCellsInFlight` (one batch always goes,
   * however wide).
   */
  columnsOf: (table: string, rows: TargetRow[]) => string[];
  maxCellsInFlight: number;
}

/** Raw bytes a row carries besides its columns (its attachment, downloaded when its batch goes). */
export const rowBytes = (row: TargetRow): number => Math.max(0, row.attachment?.size ?? 0);

export interface PipelineTable {
  name: string;
  /** The table's rows, produced on demand (the mapping runs as batches are pulled). */
  rows: Iterator<TargetRow>;
}

/** Tables this one binds to through their alternate key (so they must be loaded first), among those loaded now. */
export function parentTables(mappings: MappingSet, table: string, loading: Set<string>): string[] {
  return [...new Set((mappings.get(table)?.lookups ?? []).filter((l) => l.by === 'sourceId' && loading.has(l.table) && l.table !== table).map((l) => l.table))];
}

/**
 * Runs `load` on batches of every table, in dependency order, with up to `slots()` batches in flight; calls
 * `tableDone` when a table's last batch has finished (its closes run meanwhile; tables waiting on it start).
 */
export async function runPipeline(
  mappings: MappingSet, tables: PipelineTable[], options: PipelineOptions,
  load: (table: string, rows: TargetRow[], columns: string[]) => Promise<void>, tableDone: (table: string) => Promise<void>,
): Promise<void> {
  const loading = new Set(tables.map((t) => t.name));
  const state = new Map<string, PipelineTable & { parents: string[]; exhausted: boolean; inFlight: number; done: boolean }>(
    tables.map((t) => [t.name, { ...t, parents: parentTables(mappings, t.name, loading), exhausted: false, inFlight: 0, done: false }]),
  );
  const inFlight = new Set<Promise<void>>();
  let rowsInFlight = 0;
  let bytesInFlight = 0;
  let cellsInFlight = 0;
  let failure: unknown = null;
  let turn = 0;
  const finished = (name: string) => state.get(name)?.done ?? true;

  /** The table's rows are all loaded: tables binding to it may start, and its own closing runs meanwhile. */
  const finish = (name: string) => {
    const t = state.get(name)!;
    if (t.done) return;
    t.done = true;
    track(tableDone(name));
  };

  /** The next batch to send: round robin over ready tables that still have rows. */
  const nextBatch = (): { name: string; rows: TargetRow[]; bytes: number } | null => {
    const names = [...state.keys()];
    for (let i = 0; i < names.length; i++) {
      const t = state.get(names[(turn + i) % names.length])!;
      if (t.exhausted || !t.parents.every(finished)) continue;
      const rows: TargetRow[] = [];
      let bytes = 0;
      for (let r = t.rows.next(); ; r = t.rows.next()) {
        if (r.done) {
          t.exhausted = true;
          break;
        }
        rows.push(r.value);
        bytes += rowBytes(r.value);
        if (rows.length >= options.batchRows || bytes >= options.maxBatchBytes) break;
      }
      turn = (turn + i + 1) % names.length;
      if (rows.length) return { name: t.name, rows, bytes };
      if (t.inFlight === 0) finish(t.name);
    }
    return null;
  };

  const track = (p: Promise<void>) => {
    const tracked: Promise<void> = p.catch((e: unknown) => {
      failure ??= e;
    }).finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  for (;;) {
    if (failure) break;
    // Bytes and values are checked before a batch is cut (its size is known only once cut): one batch's worth over at most.
    const room = inFlight.size < Math.max(1, options.slots()) && rowsInFlight < options.maxRowsInFlight && bytesInFlight < options.maxBytesInFlight
      && cellsInFlight < options.maxCellsInFlight;
    const batch = room ? nextBatch() : null;
    if (batch) {
      const t = state.get(batch.name)!;
      const columns = options.columnsOf(batch.name, batch.rows);
      const cells = batch.rows.length * columns.length;
      t.inFlight++;
      rowsInFlight += batch.rows.length;
      bytesInFlight += batch.bytes;
      cellsInFlight += cells;
      track(load(batch.name, batch.rows, columns).finally(() => {
        t.inFlight--;
        rowsInFlight -= batch.rows.length;
        bytesInFlight -= batch.bytes;
        cellsInFlight -= cells;
        if (t.exhausted && t.inFlight === 0) finish(t.name);
      }));
      continue;
    }
    if ([...state.values()].every((t) => t.done)) break;
    if (!inFlight.size) {
      // Nothing in flight and nothing ready: the tables left wait on a table that is not loaded here (a bug).
      const stuck = [...state.values()].filter((t) => !t.done).map((t) => `${t.name} (waits on ${t.parents.filter((p) => !finished(p)).join(', ')})`);
      throw new Error(`loading cannot go on: ${stuck.join('; ')}`);
    }
    await Promise.race(inFlight);
  }
  await Promise.allSettled(inFlight);
  if (failure) throw failure;
}
