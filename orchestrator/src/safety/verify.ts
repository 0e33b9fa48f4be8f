// Verification: reconcile source and destination per object and per field. Every row the mapping expects is read
// back in bulk; each column is compared and summed into a checksum per table and column, and every difference is
// listed with its reason. The accounting (extracted = migrated + skipped + failed) comes from the run's outcomes.
import type { Finding, LoadedRow, OutcomeCursor, SinkPort, StateStore } from '../ports';
import type { MappingSet } from '../mappings/mappingSet';
import type { TargetRow } from '../transform/targetRow';
import { sameValue } from '../load/compare';
import { comparedColumns } from '../load/tables';
import { addressOf, parentIds, readByAddress, tablePlan } from '../load/tablePlan';

export interface VerifyDifference {
  table: string;
  key: string;
  column: string | null;
  expected: unknown;
  actual: unknown;
  reason: string;
  /** true when the run already reported this record as failed (an explained difference). */
  explained: boolean;
}

export interface TableVerification {
  table: string;
  expectedRows: number;
  foundRows: number;
  missingRows: number;
  differingRows: number;
  /** Checksums of all compared values: equal when source and destination agree field for field. */
  expectedChecksum: string;
  actualChecksum: string;
}

export interface VerifyResult {
  runId: string;
  tables: TableVerification[];
  columns: Array<{ table: string; column: string; compared: number; differing: number }>;
  differences: VerifyDifference[];
  accounting: Array<{ object: string; extracted: number; migrated: number; skipped: number; failed: number; reconciles: boolean }>;
  unexplained: number;
  /** What the extraction noticed (records that moved while it read, values it could not read); open ones mean the
   *  staged firm still differs from Actionstep by those records, so verification fails. */
  extraction: { findings: Finding[]; open: number };
  ok: boolean;
}

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a, continued from `h`: hashing parts in turn equals hashing them joined, without building the joined string. */
function fnv(h: number, s: string): number {
  let x = h;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

/** Folds one value's hash into a table's checksum, byte by byte (FNV-1a over its four bytes): order matters. */
function fold(h: number, cell: number): number {
  let x = h;
  for (let shift = 0; shift < 32; shift += 8) {
    x ^= (cell >>> shift) & 0xff;
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

/** Rows verified per read (one bulk read of their keys). */
const VERIFY_BATCH = 1000;

export interface VerifyOptions {
  /** The verification's own ledger (the GUIDs it found, for the lookups of later tables). */
  ledger: string;
  /** Reads in flight. */
  slots: () => number;
  /**
   * Rows in flight at most, whatever the slots: each batch read ahead holds its mapped rows and the rows read back, and
   * two application users' slots (104) would hold 104,000 of each once tables are that long (an xl firm's verify
   * peaked at 431 MB against 234 MB on medium, whose tables fill fewer slots).
   */
  maxRowsInFlight: number;
  /**
   * Values read back in flight at most (rows x columns asked for, nulls included: Dataverse answers every column of
   * the $select). Rows are not all alike: a matter with a firm's data-collection fields asks for about a hundred
   * columns, a time entry for a dozen, and twelve batches of matters in flight held 44 MB of answers (xl verify peaked
   * at 296 MB while reading them, against about 240 MB on every other table).
   */
  maxCellsInFlight: number;
}

/**
 * Every row the mapping expects (mapped again, table by table, a batch at a time) is read back in bulk and compared
 * column by column; checksums accumulate in order while the next batches are read. Nothing but the batches being
 * read and the differences found is held.
 */
export async function verifyRun(
  runId: string, mappings: MappingSet, rowsOf: (table: string) => Iterable<TargetRow>, sink: SinkPort, store: StateStore,
  stagedCounts: Record<string, number>, extractionFindings: Finding[], options: VerifyOptions,
): Promise<VerifyResult> {
  // The run's accounting, read a page at a time: the per-resource counts and the records that failed.
  const failedSources = new Map<string, string>();
  const accountingMap = new Map<string, { object: string; extracted: number; migrated: number; skipped: number; failed: number }>();
  for (const [object, extracted] of Object.entries(stagedCounts)) accountingMap.set(object, { object, extracted, migrated: 0, skipped: 0, failed: 0 });
  for (let after: OutcomeCursor | null = null; ;) {
    const page = store.outcomesPage(runId, after, 5000);
    if (!page.length) break;
    after = page[page.length - 1];
    for (const o of page) {
      if (o.outcome === 'failed') failedSources.set(`${o.resource}:${o.id}`, o.message ?? 'failed');
      const a = accountingMap.get(o.resource) ?? { object: o.resource, extracted: 0, migrated: 0, skipped: 0, failed: 0 };
      a[o.outcome]++;
      accountingMap.set(o.resource, a);
    }
  }
  store.clearLedger(options.ledger);
  const differences: VerifyDifference[] = [];
  const tables: TableVerification[] = [];
  const columnStats = new Map<string, { table: string; column: string; compared: number; differing: number }>();

  /** One table's verification: its plan (the loader's) and what it has found so far. */
  const tableOf = (mapping: MappingSet['tables'][number]) => ({
    ...tablePlan(mappings, mapping), table: mapping.target.logicalName,
    statsOf: new Map<string, { table: string; column: string; compared: number; differing: number }>(),
    expectedHash: FNV_OFFSET, actualHash: FNV_OFFSET, expectedRows: 0, foundRows: 0, missing: 0, differing: 0,
  });
  type TableCheck = ReturnType<typeof tableOf>;

  /** Reads one batch back. It needs nothing from earlier tables, so reads run ahead across tables. */
  const read = async (t: TableCheck, rows: TargetRow[], select: string[]) => ({ t, rows, found: await readByAddress(sink, t, rows, select) });

  /**
   * Compares one batch, in order. The GUIDs of the rows its lookups point at are looked up here, not when the batch is
   * read: the rows they point at were found by the comparisons of earlier tables (and earlier batches), all done by now.
   */
  const compare = ({ t, rows, found }: Awaited<ReturnType<typeof read>>) => {
    const { table, info, createOnly, attributeOf, statsOf } = t;
    const registry = parentIds(store, options.ledger, rows);
    const seen: LoadedRow[] = [];
    for (const r of rows) {
      t.expectedRows++;
      const k = addressOf(t, r).toLowerCase();
      const actual = found.get(k);
      const why = failedSources.get(`${r.sourceResource}:${r.sourceId}`);
      if (!actual) {
        t.missing++;
        differences.push({ table, key: r.key, column: null, expected: 'row', actual: null, reason: why ? `failed in the run: ${why}` : 'missing in Dataverse', explained: !!why });
        continue;
      }
      t.foundRows++;
      seen.push({ table, key: r.key, outcome: 'skipped', targetId: String(actual[info.primaryIdAttribute]), json: '{}' });
      const expected: Array<[string, unknown]> = Object.entries(r.attributes).filter(([c]) => !createOnly.has(c));
      for (const [nav, ref] of Object.entries(r.binds)) {
        expected.push([attributeOf.get(nav) ?? nav, ref ? (ref.byId ? ref.key.toLowerCase() : registry.get(ref.table, ref.key)?.toLowerCase() ?? `(${ref.table} ${ref.key} not found)`) : null]);
      }
      let rowDiffers = false;
      // Each value is hashed once with its row's key and column ("key|column|value"), and the hash folded into both
      // checksums; the value read back is hashed apart only where it differs (the hashing was most of this loop).
      const rowPart = fnv(fnv(FNV_OFFSET, k), '|');
      for (const [column, value] of expected) {
        let stat = statsOf.get(column);
        if (!stat) {
          // Shared with an earlier mapping to the same table, if any.
          stat = columnStats.get(`${table}.${column}`) ?? { table, column, compared: 0, differing: 0 };
          statsOf.set(column, stat);
          columnStats.set(`${table}.${column}`, stat);
        }
        stat.compared++;
        const same = sameValue(column, value, actual[column]);
        const cellPart = fnv(fnv(rowPart, column), '|');
        const expectedCell = fnv(cellPart, JSON.stringify(value ?? null));
        t.expectedHash = fold(t.expectedHash, expectedCell);
        t.actualHash = fold(t.actualHash, same ? expectedCell : fnv(cellPart, JSON.stringify(actual[column] ?? null)));
        if (!same) {
          stat.differing++;
          rowDiffers = true;
          differences.push({ table, key: r.key, column, expected: value ?? null, actual: actual[column] ?? null, reason: why ? `failed in the run: ${why}` : 'value differs from the source mapping', explained: !!why });
        }
      }
      if (rowDiffers) t.differing++;
    }
    store.putLoadedRows(options.ledger, seen);
  };

  // One pipeline over every table in order: reads run ahead (in flight up to the sink's room, across the end of a
  // table), comparisons and checksums go in order. Between two batches mapped ahead the loop yields, so the reads
  // already asked for go out while the next batch is mapped (mapping is synchronous: without the yield a table's
  // reads all left together after its mapping, and a table of a few batches waited for them with nothing to do).
  const checks = mappings.tables.map(tableOf);
  const ahead: Array<{ reading: Promise<Awaited<ReturnType<typeof read>>>; cells: number }> = [];
  /** Values asked for by the batches read ahead and not yet compared (a dozen batches at most). */
  const cellsAhead = () => ahead.reduce((n, a) => n + a.cells, 0);
  let current = 0;
  let iterator: Iterator<TargetRow> | null = null;
  /** Maps the next batch (of the current table, else of the next one with rows) and starts its read; false at the end. */
  const pull = (): boolean => {
    while (current < checks.length) {
      const t = checks[current];
      iterator ??= rowsOf(t.table)[Symbol.iterator]();
      const batch: TargetRow[] = [];
      while (batch.length < VERIFY_BATCH) {
        const next = iterator.next();
        if (next.done) break;
        batch.push(next.value);
      }
      if (batch.length < VERIFY_BATCH) {
        current++;
        iterator = null;
      }
      if (batch.length) {
        const select = [...comparedColumns(t.mapping, batch)];
        const reading = read(t, batch, select);
        // Awaited in its turn; a read that fails while an earlier one is awaited is not an unhandled rejection.
        reading.catch(() => {});
        ahead.push({ reading, cells: batch.length * select.length });
        return true;
      }
    }
    return false;
  };
  const room = () => Math.max(1, Math.min(options.slots(), Math.floor(options.maxRowsInFlight / VERIFY_BATCH)));
  // Another batch is read ahead while the slots allow and the values in flight are under their bound (the batch that
  // crosses it still goes: one batch is always in flight, however wide).
  for (let more = true; ;) {
    while (more && ahead.length < room() && cellsAhead() < options.maxCellsInFlight) {
      more = pull();
      if (more) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const next = ahead.shift();
    if (!next) break;
    compare(await next.reading);
  }
  for (const t of checks) {
    if (!t.expectedRows) continue;
    tables.push({
      table: t.table, expectedRows: t.expectedRows, foundRows: t.foundRows, missingRows: t.missing, differingRows: t.differing,
      expectedChecksum: t.expectedHash.toString(16).padStart(8, '0'), actualChecksum: t.actualHash.toString(16).padStart(8, '0'),
    });
  }

  const accounting = [...accountingMap.values()].map((a) => ({ ...a, reconciles: a.extracted === a.migrated + a.skipped + a.failed }));
  const unexplained = differences.filter((d) => !d.explained).length;
  const open = extractionFindings.filter((f) => f.open).reduce((n, f) => n + f.count, 0);
  return {
    runId, tables, columns: [...columnStats.values()].filter((c) => c.differing > 0 || c.compared > 0), differences, accounting, unexplained,
    extraction: { findings: extractionFindings, open },
    ok: unexplained === 0 && open === 0 && accounting.every((a) => a.reconciles),
  };
}
