// Verification: reconcile source and destination per object and per field. Every row the mapping expects is read
// back; each column is compared and summed into a checksum per table and column, and every difference is listed
// with its reason. The accounting (extracted = migrated + skipped + failed) comes from the run's outcomes.
import type { Finding, Row, SinkPort, StateStore } from '../ports';
import type { MappedFirm } from '../mappings/mapFirm';
import type { MappingSet } from '../mappings/mappingSet';
import { sameValue } from '../load/compare';
import { comparedColumns, createOnlyColumns } from '../load/tables';
import { KeyRegistry } from '../load/rowLoader';

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

function fnv(h: number, s: string): number {
  let x = h;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x;
}

export async function verifyRun(runId: string, mappings: MappingSet, mapped: MappedFirm, sink: SinkPort, store: StateStore, stagedCounts: Record<string, number>, extractionFindings: Finding[] = []): Promise<VerifyResult> {
  const failedSources = new Map<string, string>();
  const outcomes = store.outcomes(runId);
  for (const o of outcomes) if (o.outcome === 'failed') failedSources.set(`${o.resource}:${o.id}`, o.message ?? 'failed');
  const registry = new KeyRegistry();
  const differences: VerifyDifference[] = [];
  const tables: TableVerification[] = [];
  const columnStats = new Map<string, { table: string; column: string; compared: number; differing: number }>();

  for (const mapping of mappings.tables) {
    const table = mapping.target.logicalName;
    const rows = mapped.rows.get(table) ?? [];
    if (!rows.length) continue;
    const info = mappings.tableInfo(table);
    const fixed = mapping.key.by === 'fixedId';
    const select = comparedColumns(mapping, rows);
    const createOnly = createOnlyColumns(mapping);
    const attributeOf = new Map(mapping.lookups.map((l) => [l.navigation, l.attribute] as const));
    const found = new Map<string, Row>();
    const keys = rows.map((r) => (fixed ? (r.fixedId as string) : r.key));
    for (let i = 0; i < keys.length; i += 250) {
      const got = await sink.readByValues(info, fixed ? info.primaryIdAttribute : 'astep_sourceid', keys.slice(i, i + 250), [...select]);
      for (const g of got) found.set(String(fixed ? g[info.primaryIdAttribute] : g.astep_sourceid).toLowerCase(), g);
    }
    let expectedHash = 0x811c9dc5, actualHash = 0x811c9dc5, missing = 0, differing = 0;
    for (const r of rows) {
      const k = (fixed ? (r.fixedId as string) : r.key).toLowerCase();
      const actual = found.get(k);
      const why = failedSources.get(`${r.sourceResource}:${r.sourceId}`);
      if (!actual) {
        missing++;
        differences.push({ table, key: r.key, column: null, expected: 'row', actual: null, reason: why ? `failed in the run: ${why}` : 'missing in Dataverse', explained: !!why });
        continue;
      }
      registry.set(table, r.key, String(actual[info.primaryIdAttribute]));
      const expected: Array<[string, unknown]> = Object.entries(r.attributes).filter(([c]) => !createOnly.has(c));
      for (const [nav, ref] of Object.entries(r.binds)) {
        expected.push([attributeOf.get(nav) ?? nav, ref ? (ref.byId ? ref.key.toLowerCase() : registry.get(ref.table, ref.key)?.toLowerCase() ?? `(${ref.table} ${ref.key} not found)`) : null]);
      }
      let rowDiffers = false;
      for (const [column, value] of expected) {
        const stat = columnStats.get(`${table}.${column}`) ?? { table, column, compared: 0, differing: 0 };
        columnStats.set(`${table}.${column}`, stat);
        stat.compared++;
        const same = sameValue(column, value, actual[column]);
        const norm = JSON.stringify(value ?? null);
        expectedHash = fnv(expectedHash, `${k}|${column}|${norm}`);
        actualHash = fnv(actualHash, `${k}|${column}|${same ? norm : JSON.stringify(actual[column] ?? null)}`);
        if (!same) {
          stat.differing++;
          rowDiffers = true;
          differences.push({ table, key: r.key, column, expected: value ?? null, actual: actual[column] ?? null, reason: why ? `failed in the run: ${why}` : 'value differs from the source mapping', explained: !!why });
        }
      }
      if (rowDiffers) differing++;
    }
    tables.push({
      table, expectedRows: rows.length, foundRows: found.size, missingRows: missing, differingRows: differing,
      expectedChecksum: expectedHash.toString(16).padStart(8, '0'), actualChecksum: actualHash.toString(16).padStart(8, '0'),
    });
  }

  const accountingMap = new Map<string, { object: string; extracted: number; migrated: number; skipped: number; failed: number }>();
  for (const [object, extracted] of Object.entries(stagedCounts)) accountingMap.set(object, { object, extracted, migrated: 0, skipped: 0, failed: 0 });
  for (const o of outcomes) {
    const a = accountingMap.get(o.resource) ?? { object: o.resource, extracted: 0, migrated: 0, skipped: 0, failed: 0 };
    a[o.outcome]++;
    accountingMap.set(o.resource, a);
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
