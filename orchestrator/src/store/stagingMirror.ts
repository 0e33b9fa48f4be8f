// One run, staged in one place, continued in the other. The command line stages in its SQLite file and mirrors the
// staging to astep_stagingrow (the same rows, the same key, the same JSON the wizard writes); the wizard stages there
// directly. The browser cannot read the command line's file, so the rows in Dataverse are the meeting point: the
// wizard reads what the command line mirrored, and the command line adopts a run the wizard staged (its run row,
// staged rows and mirrored audit) into its own store before continuing it.
import type { MigrationPlan } from '../plan/migrationPlan';
import type { AuditEntry, ProgressReporter, RunState, SinkPort, StagedRecord, StateStore } from '../ports';
import { STAGED_RESOURCES } from '../run/engine';
import { loadAuditFromDataverse } from '../safety/rollbackFromDataverse';
import { tableInfo } from '../load/tables';
import { sinkStagingReader, stagingKey, stagingPrefix, STAGING_TABLE, writeStagingRows, type StagingRowsReader } from './dataverseStagingStore';

/** The Migration Run row's columns a run is rebuilt from. */
export const RUN_ROW_COLUMNS = [
  'astep_migrationrunid', 'astep_runid', 'astep_wizardstate', 'astep_currentstep', 'astep_startedon', 'astep_extractionstartedon',
  'astep_approvedon', 'astep_approvedby', 'astep_planjson', 'astep_diffjson', 'astep_summaryjson', 'astep_rolledbackon',
];

export interface RunRow {
  astep_migrationrunid?: string | null;
  astep_runid?: string | null;
  astep_wizardstate?: string | null;
  astep_currentstep?: string | null;
  astep_startedon?: string | null;
  astep_extractionstartedon?: string | null;
  astep_approvedon?: string | null;
  astep_approvedby?: string | null;
  astep_planjson?: string | null;
  astep_diffjson?: string | null;
  astep_summaryjson?: string | null;
  astep_rolledbackon?: string | null;
}

/** Staged records per page of the mirror (one sink call), and pages in flight at most (bounded by the sink's capacity). */
export const STAGING_MIRROR_PAGE = 1000;
export const STAGING_MIRROR_SLOTS = 8;
/**
 * Requests one page may keep in flight. Not 1: a page's rows whose key holds a character a URL key cannot carry (a
 * data collection value's id carries its collection's name, e.g. "a*b<c>%&:\\?+#" in the emulator's firm) are first
 * found with a read and then written by id (bulkWriter.ts), beside the page's other requests. When those went one
 * request after another they took 79 s of a 127 s medium extract at clock ×1.
 */
export const STAGING_MIRROR_PAGE_REQUESTS = 4;

/** Run statuses (astep_currentstep) at which every resource is staged. */
const EXTRACTED_STATUSES = new Set(['Extracted', 'Sampled', 'Approved', 'Run Requested', 'Running', 'Completed', 'Completed With Errors', 'Failed', 'Rolling Back', 'Rolled Back']);

export function rowShowsExtraction(row: RunRow): boolean {
  return !!row.astep_extractionstartedon && EXTRACTED_STATUSES.has(row.astep_currentstep ?? '');
}

function parseJson<T>(raw: string | null | undefined): T | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as T & { truncated?: boolean };
    return v.truncated ? null : v;
  } catch {
    return null;
  }
}

/**
 * The run as its row describes it (plan with its schema, extraction, sample, approval, summary), or null when the
 * row holds no complete plan. No source is asked: everything comes from what the run mirrored.
 */
export function runStateFromRow(runId: string, row: RunRow): RunState | null {
  const plan = parseJson<MigrationPlan>(row.astep_planjson);
  if (!plan?.schema) return null;
  const extracted = rowShowsExtraction(row);
  const approvedOn = row.astep_approvedon ?? null;
  return {
    runId,
    createdOn: row.astep_startedon ?? plan.generatedAt,
    status: row.astep_currentstep ?? 'Discovered',
    plan,
    extractionStartedOn: row.astep_extractionstartedon ?? null,
    // The extraction's end is not mirrored: a run whose status shows it was extracted has every resource staged.
    extractionCompletedOn: extracted ? row.astep_extractionstartedon ?? null : null,
    sample: parseJson(row.astep_diffjson),
    approval: approvedOn ? { approvedOn, approvedBy: row.astep_approvedby ?? 'unknown', corrections: null } : null,
    summary: parseJson(row.astep_summaryjson),
    rolledBackOn: row.astep_rolledbackon ?? null,
  };
}

/** Marks every resource as extracted for this run (the engine's extract then stages nothing again). */
export function markExtracted(store: StateStore, runId: string, counts: Record<string, number>): void {
  for (const r of STAGED_RESOURCES) store.setCheckpoint(`extract:${runId}:${r}`, String(counts[r] ?? 0));
}

export async function readRunRow(sink: SinkPort, runId: string): Promise<RunRow | null> {
  const [row] = await sink.readByValues(tableInfo('astep_migrationrun'), 'astep_runid', [runId], RUN_ROW_COLUMNS);
  return (row as RunRow | undefined) ?? null;
}

/**
 * Mirrors the local staging of a run to astep_stagingrow. Without `only`: every resource not mirrored yet (a
 * checkpoint per resource, so a rerun after a crash continues). With `only` (after a delta): the records that
 * changed are upserted and the ones that left staging are removed.
 */
export async function mirrorStaging(
  sink: SinkPort,
  store: StateStore,
  runId: string,
  progress: ProgressReporter,
  only?: Array<{ resource: string; upserted: string[]; removed: string[] }>,
): Promise<number> {
  let written = 0;
  if (only) {
    for (const change of only) {
      const wanted = new Set(change.upserted);
      const batch: StagedRecord[] = [];
      if (wanted.size) for await (const page of store.stagedPages(change.resource)) batch.push(...page.filter((s) => wanted.has(s.id)));
      await writeStagingRows(sink, runId, batch);
      written += batch.length;
      if (change.removed.length) {
        const rows = await sink.readByValues(STAGING_TABLE, 'astep_stagingkey', change.removed.map((id) => stagingKey(runId, change.resource, id)), ['astep_stagingrowid']);
        if (rows.length) await sink.remove(STAGING_TABLE, rows.map((r) => ({ id: String(r.astep_stagingrowid) })));
      }
    }
    return written;
  }
  // Pages of 1,000, several in flight, each with up to STAGING_MIRROR_PAGE_REQUESTS requests (the bulk writer then
  // sends a page as 4 UpsertMultiple of 250): one page at a time waited out each request's server time in turn while
  // the limits allow dozens at once per application user. A resource is marked mirrored only once all its pages landed.
  const slots = () => Math.max(1, Math.min(STAGING_MIRROR_SLOTS, sink.capacity?.() ?? 1));
  for (const resource of STAGED_RESOURCES) {
    const checkpoint = `mirror-staging:${runId}:${resource}`;
    if (store.getCheckpoint(checkpoint)) continue;
    const label = `stage in Dataverse ${resource}`;
    progress.start(label, await store.stagedCountAsync(resource));
    const inFlight = new Set<Promise<void>>();
    let failure: unknown = null;
    for await (const page of store.stagedPages(resource, STAGING_MIRROR_PAGE)) {
      while (inFlight.size >= slots() && !failure) await Promise.race(inFlight);
      if (failure) break;
      const sent: Promise<void> = writeStagingRows(sink, runId, page, { maxConcurrency: STAGING_MIRROR_PAGE_REQUESTS })
        .then(() => {
          written += page.length;
          progress.tick(label, page.length);
        }, (e: unknown) => {
          failure ??= e;
        })
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
    await Promise.allSettled(inFlight);
    if (failure) throw failure;
    progress.done(label);
    store.setCheckpoint(checkpoint, 'done');
  }
  return written;
}

/**
 * Makes a run staged elsewhere (the wizard) a run of this store: its state from the row, its staged records and its
 * mirrored audit. Returns the staged counts. Refuses a row without a complete plan or an extraction.
 */
export async function adoptRunFromDataverse(
  sink: SinkPort,
  store: StateStore,
  runId: string,
  progress: ProgressReporter,
  reader: StagingRowsReader = sinkStagingReader(sink),
): Promise<Record<string, number>> {
  const row = await readRunRow(sink, runId);
  if (!row) throw new Error(`no migration run ${runId} in Dataverse`);
  const run = runStateFromRow(runId, row);
  if (!run) throw new Error(`migration run ${runId} in Dataverse has no plan this version can read: run discover for it first`);
  if (!run.extractionCompletedOn) throw new Error(`migration run ${runId} in Dataverse is not extracted yet (${row.astep_currentstep ?? 'no status'}): extract it first`);
  store.saveRun(run);
  const counts: Record<string, number> = {};
  for (const resource of STAGED_RESOURCES) {
    await store.clearStagedAsync(resource);
    let n = 0;
    progress.start(`adopt staging ${resource}`, 0);
    for await (const rows of reader.pages(stagingPrefix(runId, resource), 1000, true)) {
      await store.stageAsync(rows.map((r) => ({ resource, id: r.sourceId, json: r.json ?? '' })));
      n += rows.length;
      progress.tick(`adopt staging ${resource}`, rows.length);
    }
    progress.done(`adopt staging ${resource}`);
    counts[resource] = n;
    // Already in Dataverse: nothing to mirror back.
    store.setCheckpoint(`mirror-staging:${runId}:${resource}`, 'done');
  }
  markExtracted(store, runId, counts);
  const { entries } = await loadAuditFromDataverse(sink, runId);
  adoptAudit(store, runId, entries);
  progress.log(`adopted run ${runId} from Dataverse: ${Object.values(counts).reduce((a, b) => a + b, 0)} staged records, ${entries.length} audit entries`);
  return counts;
}

/** The run's mirrored audit as this store's, numbering continuing after it; nothing is mirrored back. */
export function adoptAudit(store: StateStore, runId: string, entries: AuditEntry[]): void {
  if (!entries.length) return;
  store.importAudit(entries);
  store.setCheckpoint(`mirror:${runId}`, String(Math.max(...entries.map((e) => e.seq))));
}
