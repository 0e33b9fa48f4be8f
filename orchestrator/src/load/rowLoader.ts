// Writes intended rows to Dataverse: read what is there, skip what is unchanged, record a write-ahead audit entry
// (with the before values) for every create or update, upsert through the sink, read back, and complete the audit.
// A crash between any two steps is repaired by the next run: the first before-image is kept, and a write that
// happened is recognised when the row already holds the intended values. Each batch stands alone (the pipeline in
// pipeline.ts keeps many in flight): what it needs of earlier tables, the GUIDs of parent rows, comes from the pass's
// ledger in the state store, and what it did goes there too.
import { BoundedWork } from './boundedWork';
import type { AuditEntry, AuditPhase, LoadedRow, ProgressReporter, Row, SinkPort, SinkUpsertTarget, StateStore } from '../ports';
import type { MappingSet } from '../mappings/mappingSet';
import type { TargetRow } from '../transform/targetRow';
import { base64Length, toBase64 } from '../transform/values';
import { sameValue } from './compare';
import { bindPath, comparedColumns } from './tables';
import { addressOf, KeyRegistry, parentIds, readByAddress, tablePlan, type TablePlan } from './tablePlan';

export { KeyRegistry } from './tablePlan';

export type RowOutcome = 'created' | 'updated' | 'skipped' | 'failed';

export interface RowResult {
  row: TargetRow;
  outcome: RowOutcome;
  targetId: string | null;
  errorCode?: string;
  message?: string;
}

/** The state columns of a table with a lifecycle: read with its rows, kept in before-images. */
const STATE_COLUMNS = ['statecode', 'statuscode'];
/** Stamped by Dataverse on every write; kept in the audit's after-images (see selectFor). */
const AFTER_STAMPS = ['versionnumber', 'modifiedon'];
/** Pages of 1,000 rows a table's closes work on at once (applyFinalStates). */
const CLOSE_PAGES_IN_FLIGHT = 4;

export interface RowLoaderOptions {
  runId: string;
  phase: AuditPhase;
  /** The pass's ledger in the state store: loaded rows and their GUIDs (the key registry children bind through). */
  ledger: string;
  /** Requests one batch's write may keep in flight (the pipeline keeps many batches in flight). Default: the sink's choice. */
  writeConcurrency?: number;
  downloadFile?: (fileId: string, fileSize: number) => Promise<Uint8Array>;
  /** Match rows that existed before the migration (no astep_sourceid yet): contacts by email, organisations by name. */
  matchExisting?: boolean;
  now?: () => Date;
  /** Extra facts kept with each loaded row (the report's mapping counts): read back when a close fails. */
  describe?: (row: TargetRow) => string[];
}

/** What the ledger keeps of a loaded row besides its outcome and GUID. */
export interface LoadedRowFacts {
  sourceResource: string;
  sourceId: string;
  finalState?: TargetRow['finalState'];
  errorCode?: string;
  message?: string;
  /** From RowLoaderOptions.describe. */
  facts?: string[];
}

/** A loaded row whose close failed after it was written (its outcome becomes failed). */
export interface CloseFailure {
  table: string;
  key: string;
  /** The outcome it had before (created or updated or skipped). */
  was: RowOutcome;
  facts: string[];
}

interface Planned {
  row: TargetRow;
  existing: Row | null;
  desired: Row;
  changed: string[];
  pending: AuditEntry | null;
  operation: 'create' | 'update' | 'skip';
  matchedId: string | null;
  message?: string;
}

export class RowLoader {
  private readonly now: () => Date;
  /** Records that existed before the migration and a row of this loader has matched (by GUID). */
  private readonly claimed = new Set<string>();

  constructor(
    private readonly sink: SinkPort,
    private readonly store: StateStore,
    private readonly progress: ProgressReporter,
    private readonly mappings: MappingSet,
    private readonly options: RowLoaderOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** The columns a batch of `table`'s rows reads back (before and after its write): the pipeline weighs batches by them. */
  columnsRead(table: string, rows: TargetRow[]): string[] {
    return this.selectFor(tablePlan(this.mappings, this.mappings.require(table)), rows);
  }

  private selectFor(t: TablePlan, rows: TargetRow[]): string[] {
    const cols = comparedColumns(t.mapping, rows);
    if (t.mapping.lifecycle) STATE_COLUMNS.forEach((c) => cols.add(c));
    // The row version and modified on go into every after-image: rollback compares them with what Dataverse holds
    // then, so a change to any column after the run shows, not only to the columns the run wrote.
    AFTER_STAMPS.forEach((c) => cols.add(c));
    return [...cols];
  }

  /** Rows that existed before the migration, matched on the column the declaration names (email, organisation name). */
  private async matchPreExisting(t: TablePlan, rows: TargetRow[], select: string[]): Promise<Map<string, Row>> {
    const matches = new Map<string, Row>();
    const match = t.mapping.matchExisting;
    if (!this.options.matchExisting || !match) return matches;
    const { info } = t;
    const column = match.column;
    const candidates = rows.filter((r) => (match.when ? match.when(r) : true) && typeof r.attributes[column] === 'string' && r.attributes[column]);
    if (!candidates.length) return matches;
    const found = await this.sink.readByValues(info, column, [...new Set(candidates.map((r) => r.attributes[column] as string))], select);
    const free = found.filter((f) => !f.astep_sourceid);
    // Claimed across the loader, not per batch: batches of a table run side by side, and two of them must not both
    // take the same existing record (before its astep_sourceid is written, both would see it free).
    const taken = this.claimed;
    for (const r of candidates) {
      const want = String(r.attributes[column]).toLowerCase();
      const hit = free.find((f) => String(f[column] ?? '').toLowerCase() === want && !taken.has(f[info.primaryIdAttribute] as string));
      if (hit) {
        taken.add(hit[info.primaryIdAttribute] as string);
        matches.set(r.key, hit);
      }
    }
    return matches;
  }

  /** The row's columns and lookups as Dataverse would hold them (lookups as GUIDs where the registry knows them). */
  private desiredOf(t: TablePlan, row: TargetRow, registry: KeyRegistry): { desired: Row; unresolved: string | null } {
    const desired: Row = {};
    for (const [c, v] of Object.entries(row.attributes)) if (!t.createOnly.has(c)) desired[c] = v;
    let unresolved: string | null = null;
    for (const [nav, ref] of Object.entries(row.binds)) {
      const attr = t.attributeOf.get(nav) as string;
      if (ref === null) {
        desired[attr] = null;
        continue;
      }
      const id = ref.byId ? ref.key : registry.get(ref.table, ref.key);
      if (!id) {
        unresolved ??= `${nav} → ${ref.table} ${ref.key} was not written (see that record's error)`;
        continue;
      }
      desired[attr] = id.toLowerCase();
    }
    return { desired, unresolved };
  }

  /**
   * Loads one batch of one table's rows (every parent table already loaded in this pass). The results are kept in
   * the ledger and returned. `select` is what columnsRead gave for these rows, when the caller has it already.
   */
  async loadBatch(table: string, rows: TargetRow[], select?: string[]): Promise<RowResult[]> {
    const t = tablePlan(this.mappings, this.mappings.require(table));
    const { info, mapping } = t;
    const lifecycle = mapping.lifecycle;
    select ??= this.selectFor(t, rows);
    const existingByKey = await readByAddress(this.sink, t, rows, select);
    const missing = rows.filter((r) => !existingByKey.has(addressOf(t, r).toLowerCase()));
    const matched = await this.matchPreExisting(t, missing, select);
    const pendingByKey = new Map(this.store.auditByKeys(this.options.runId, this.options.phase, table, rows.map((r) => r.key))
      .filter((e) => e.status === 'pending' && e.operation !== 'state').map((e) => [e.key, e] as const));
    const parents = parentIds(this.store, this.options.ledger, rows);

    const results: RowResult[] = [];
    const plans: Planned[] = [];
    /** GUIDs of rows that exist, also when their write fails now (children may still bind to them). */
    const known = new Map<string, string>();
    for (const row of rows) {
      const address = addressOf(t, row).toLowerCase();
      const existing = existingByKey.get(address) ?? matched.get(row.key) ?? null;
      const matchedId = !existingByKey.has(address) && existing ? (existing[info.primaryIdAttribute] as string) : null;
      const { desired, unresolved } = this.desiredOf(t, row, parents);
      if (unresolved) {
        results.push(this.fail(row, 'parent-missing', `${row.sourceResource} ${row.sourceId}: lookup ${unresolved}`));
        continue;
      }
      if (existing) known.set(row.key, String(existing[info.primaryIdAttribute]));
      const changed = existing ? Object.keys(desired).filter((c) => !sameValue(c, desired[c], existing[c])) : Object.keys(desired);
      if (matchedId && !t.fixed) changed.push('astep_sourceid');
      const operation = !existing ? 'create' : changed.length ? 'update' : 'skip';
      plans.push({ row, existing, desired, changed, pending: pendingByKey.get(row.key) ?? null, operation, matchedId });
    }

    // Write-ahead audit: the before values are recorded before anything is written (kept from an interrupted attempt).
    const toWrite = plans.filter((p) => p.operation !== 'skip');
    const fresh = toWrite.filter((p) => !p.pending);
    const occurredOn = this.now().toISOString();
    const inserted = this.store.addPendingAudit(fresh.map((p) => ({
      runId: this.options.runId, phase: this.options.phase, operation: p.operation as 'create' | 'update', table, key: p.row.key,
      targetId: p.existing ? String(p.existing[info.primaryIdAttribute]) : (p.row.fixedId ?? null),
      sourceResource: p.row.sourceResource, sourceId: p.row.sourceId,
      before: p.existing ? pick(p.existing, [...p.changed, ...(lifecycle ? STATE_COLUMNS : [])], info.primaryIdAttribute) : null,
      after: null, errorCode: null, message: null, status: 'pending', occurredOn,
    })));
    fresh.forEach((p, i) => (p.pending = inserted[i]));

    // Closed activities and opportunities are read-only: re-open the ones that must change.
    const reopen = lifecycle ? toWrite.filter((p) => p.existing && Number(p.existing.statecode ?? 0) !== 0) : [];
    if (lifecycle && reopen.length) {
      const res = await this.sink.upsert(info, reopen.map((p) => ({ key: { id: String(p.existing![info.primaryIdAttribute]) }, attributes: { ...lifecycle.reopen }, ref: p.row.key })), this.writeOptions());
      res.forEach((r, i) => {
        if (r.outcome === 'failed') reopen[i].message = `could not re-open ${table} ${reopen[i].row.key}: ${r.message}`;
      });
    }

    // Attachments of new notes, downloaded a few at a time (the source client enforces its own limits).
    const bodies = new Map<Planned, { b64?: string; error?: string }>();
    const downloads = toWrite.filter((p) => p.operation === 'create' && p.row.attachment && mapping.attachmentColumn && this.options.downloadFile && !p.message);
    for (let i = 0; i < downloads.length; i += 4) {
      await Promise.all(downloads.slice(i, i + 4).map(async (p) => {
        const att = p.row.attachment!;
        try {
          const bytes = await this.options.downloadFile!(att.fileId, att.size);
          const b64 = toBase64(bytes);
          if (b64.length !== base64Length(bytes.length)) throw new Error('base64 length mismatch');
          bodies.set(p, { b64 });
        } catch (e) {
          bodies.set(p, { error: (e as Error).message });
        }
      }));
    }

    const targets: SinkUpsertTarget[] = [];
    const writing: Planned[] = [];
    for (const p of toWrite) {
      if (p.message) {
        results.push(this.fail(p.row, 'reopen', p.message, p.pending));
        continue;
      }
      const attributes: Row = {};
      const isCreate = p.operation === 'create';
      for (const [c, v] of Object.entries(p.row.attributes)) {
        if (isCreate ? v !== null && v !== undefined : p.changed.includes(c) && !t.createOnly.has(c)) attributes[c] = v;
      }
      for (const [nav, ref] of Object.entries(p.row.binds)) {
        const attr = t.attributeOf.get(nav) as string;
        if (!isCreate && !p.changed.includes(attr)) continue;
        if (ref === null) {
          if (!isCreate) attributes[`${nav}@odata.bind`] = null;
          continue;
        }
        attributes[`${nav}@odata.bind`] = bindPath(this.mappings.tableInfo(ref.table), ref.key, ref.byId);
      }
      const body = bodies.get(p);
      if (body?.error) {
        results.push(this.fail(p.row, 'download', `document ${p.row.sourceId}: download of file ${p.row.attachment!.fileId} failed: ${body.error}`, p.pending));
        continue;
      }
      if (body?.b64 && mapping.attachmentColumn) attributes[mapping.attachmentColumn] = body.b64;
      if (p.matchedId) attributes.astep_sourceid = p.row.key;
      const key: SinkUpsertTarget['key'] = p.existing
        ? { id: String(p.existing[info.primaryIdAttribute]) }
        : p.row.fixedId
          ? { id: p.row.fixedId }
          : { astep_sourceid: p.row.key };
      targets.push({ key, attributes, ref: `${p.row.sourceResource} ${p.row.sourceId}` });
      writing.push(p);
    }

    const writeResults = targets.length ? await this.sink.upsert(info, targets, this.writeOptions()) : [];
    const failedRefs = new Map<Planned, { code?: string; message?: string }>();
    writeResults.forEach((r, i) => {
      if (r.outcome === 'failed') failedRefs.set(writing[i], { code: r.errorCode, message: r.message });
    });

    // Read back what was written: the after values for the audit, and the GUIDs children bind to.
    const written = writing.filter((p) => !failedRefs.has(p));
    const after = written.length ? await readByAddress(this.sink, t, written.map((p) => p.row), select) : new Map<string, Row>();
    // One local transaction for the batch's audit completions and its ledger rows (one fsync, not one per row).
    this.store.transaction(() => {
      this.completeBatch(t, plans, writing, failedRefs, after, results);
      this.store.putLoadedRows(this.options.ledger, results.map((r) => this.ledgerRow(r, known.get(r.row.key) ?? null)));
    });
    return results;
  }

  private writeOptions() {
    return this.options.writeConcurrency ? { maxConcurrency: this.options.writeConcurrency } : undefined;
  }

  private ledgerRow(r: RowResult, knownId: string | null): LoadedRow {
    const facts: LoadedRowFacts = {
      sourceResource: r.row.sourceResource, sourceId: r.row.sourceId, finalState: r.row.finalState, errorCode: r.errorCode, message: r.message,
      facts: this.options.describe?.(r.row),
    };
    return { table: r.row.table, key: r.row.key, outcome: r.outcome, targetId: r.targetId ?? knownId, json: JSON.stringify(facts) };
  }

  private completeBatch(t: TablePlan, plans: Planned[], writing: Planned[], failedRefs: Map<Planned, { code?: string; message?: string }>, after: Map<string, Row>, results: RowResult[]): void {
    const { info } = t;
    const table = info.logicalName;
    for (const p of plans) {
      if (p.operation === 'skip') {
        const id = String(p.existing![info.primaryIdAttribute]);
        if (p.pending) this.store.completeAudit(this.options.runId, p.pending.seq, { targetId: id, after: pick(p.existing!, [...Object.keys(p.desired), ...AFTER_STAMPS], info.primaryIdAttribute) });
        results.push({ row: p.row, outcome: 'skipped', targetId: id });
        continue;
      }
      if (!writing.includes(p)) continue;
      const failure = failedRefs.get(p);
      if (failure) {
        results.push(this.fail(p.row, failure.code ?? 'error', `${p.row.sourceResource} ${p.row.sourceId} → ${table}: ${failure.message ?? 'write failed'}`, p.pending, failure.code));
        continue;
      }
      const now = after.get(addressOf(t, p.row).toLowerCase()) ?? (p.matchedId ? { [info.primaryIdAttribute]: p.matchedId } : null);
      const id = now ? String(now[info.primaryIdAttribute]) : p.existing ? String(p.existing[info.primaryIdAttribute]) : null;
      const operation = (p.pending?.operation as 'create' | 'update') ?? p.operation;
      this.store.completeAudit(this.options.runId, p.pending!.seq, { targetId: id, after: now ? pick(now, [...(operation === 'create' ? Object.keys(p.desired) : p.changed), ...AFTER_STAMPS], info.primaryIdAttribute) : null });
      results.push({ row: p.row, outcome: operation === 'create' ? 'created' : 'updated', targetId: id });
    }
  }

  private fail(row: TargetRow, code: string, message: string, pending?: AuditEntry | null, errorCode?: string): RowResult {
    if (pending) this.store.completeAudit(this.options.runId, pending.seq, { operation: 'error', errorCode: errorCode ?? code, message });
    else this.store.addPendingAudit([{
      runId: this.options.runId, phase: this.options.phase, operation: 'error', table: row.table, key: row.key, targetId: null,
      sourceResource: row.sourceResource, sourceId: row.sourceId, before: null, after: null, errorCode: errorCode ?? code, message,
      status: 'done', occurredOn: this.now().toISOString(),
    }]);
    return { row, outcome: 'failed', targetId: null, errorCode: errorCode ?? code, message };
  }

  /**
   * Closed states of one table, once all its rows exist: its lifecycle says the state pair and how the platform is
   * asked for it (WinOpportunity/LoseOpportunity for opportunities, an update for tasks). Reads the table's loaded
   * rows from the ledger a page at a time; returns the rows whose close failed (their outcome is now failed).
   */
  async applyFinalStates(table: string, options: { actionConcurrency?: number } = {}): Promise<CloseFailure[]> {
    const lifecycle = this.mappings.get(table)?.lifecycle;
    const failures: CloseFailure[] = [];
    if (!lifecycle) return failures;
    const info = this.mappings.tableInfo(table);
    const stateColumns = [info.primaryIdAttribute, ...STATE_COLUMNS, ...AFTER_STAMPS];
    const task = `close ${table}`;
    this.progress.start(task, 0);
    const closePage = async (page: ReturnType<StateStore['loadedRowsPage']>): Promise<void> => {
      const rows = page.map((p) => ({ loaded: p, facts: JSON.parse(p.json) as LoadedRowFacts }))
        .filter((r) => r.facts.finalState && r.loaded.outcome !== 'failed' && r.loaded.targetId);
      if (!rows.length) return;
      const current = await this.sink.readByValues(info, info.primaryIdAttribute, rows.map((r) => r.loaded.targetId as string), stateColumns);
      const stateById = new Map(current.map((c) => [String(c[info.primaryIdAttribute]).toLowerCase(), c] as const));
      const pendingByKey = new Map(this.store.auditByKeys(this.options.runId, this.options.phase, table, rows.map((r) => r.loaded.key))
        .filter((e) => e.status === 'pending' && e.operation === 'state').map((e) => [e.key, e] as const));
      const updates: SinkUpsertTarget[] = [];
      const actions: Array<() => Promise<void>> = [];
      const updated: Array<{ r: (typeof rows)[number]; entry: AuditEntry; after: Row }> = [];
      /** Closed now: their after-images are read back once the page is done (the close stamped a new row version). */
      const closedNow: Array<{ entry: AuditEntry; id: string; want: Row }> = [];
      const failed = (r: (typeof rows)[number], entry: AuditEntry, code: string | undefined, message: string) => {
        this.store.completeAudit(this.options.runId, entry.seq, { operation: 'error', errorCode: code ?? 'error', message });
        this.store.putLoadedRows(this.options.ledger, [{ ...r.loaded, outcome: 'failed', json: JSON.stringify({ ...r.facts, errorCode: code, message }) }]);
        failures.push({ table, key: r.loaded.key, was: r.loaded.outcome, facts: r.facts.facts ?? [] });
      };
      for (const r of rows) {
        const key = r.loaded.key;
        const targetId = r.loaded.targetId as string;
        const finalState = r.facts.finalState!;
        const closed = lifecycle.closed[finalState.state];
        const want = { statecode: closed.statecode, statuscode: closed.statuscode };
        const cur = stateById.get(targetId.toLowerCase());
        if (cur && Number(cur.statecode) === want.statecode) {
          const pending = pendingByKey.get(key);
          if (pending) this.store.completeAudit(this.options.runId, pending.seq, { after: pick(cur, stateColumns, info.primaryIdAttribute) });
          // Already in its final state (the sample closed it): done too, or the count would end short of its total.
          this.progress.tick(task);
          continue;
        }
        const entry = pendingByKey.get(key) ?? this.store.addPendingAudit([{
          runId: this.options.runId, phase: this.options.phase, operation: 'state', table, key, targetId,
          sourceResource: r.facts.sourceResource, sourceId: r.facts.sourceId,
          before: { statecode: cur?.statecode ?? 0, statuscode: cur?.statuscode ?? null }, after: null, errorCode: null, message: null,
          status: 'pending', occurredOn: this.now().toISOString(),
        }])[0];
        const via = closed.via;
        if (via.kind === 'action') {
          const row = { table, key, sourceResource: r.facts.sourceResource, sourceId: r.facts.sourceId, attributes: {}, binds: {}, problems: [], finalState };
          const body = via.body(row, targetId, want);
          // Actions are one request each: many in flight at once (the audit entry is already written ahead).
          actions.push(async () => {
            try {
              await this.sink.action(via.name, body);
              closedNow.push({ entry, id: targetId, want });
            } catch (e) {
              const err = e as { code?: string; message?: string };
              failed(r, entry, err.code, `${table} ${key}: ${via.name} failed: ${err.message}`);
            }
          });
        } else {
          updates.push({ key: { id: targetId }, attributes: want, ref: key });
          updated.push({ r, entry, after: want });
        }
        this.progress.tick(task);
      }
      const width = Math.max(1, options.actionConcurrency ?? 8);
      for (let i = 0; i < actions.length; i += width) await Promise.all(actions.slice(i, i + width).map((run) => run()));
      if (updates.length) {
        const res = await this.sink.upsert(info, updates, this.writeOptions());
        res.forEach((w, i) => {
          const { r, entry, after: want } = updated[i];
          if (w.outcome === 'failed') failed(r, entry, w.errorCode, `${table} ${r.loaded.key}: closing failed: ${w.message}`);
          else closedNow.push({ entry, id: r.loaded.targetId as string, want });
        });
      }
      const back = closedNow.length ? await this.sink.readByValues(info, info.primaryIdAttribute, closedNow.map((c) => c.id), stateColumns) : [];
      const backById = new Map(back.map((b) => [String(b[info.primaryIdAttribute]).toLowerCase(), b] as const));
      this.store.transaction(() => {
        for (const c of closedNow) {
          const row = backById.get(c.id.toLowerCase());
          this.store.completeAudit(this.options.runId, c.entry.seq, { after: row ? pick(row, stateColumns, info.primaryIdAttribute) : c.want });
        }
      });
    };
    // Pages close side by side: each is a read, a bulk update (or its actions) and a read back, one after another, so
    // one page at a time left the users idle (7,272 tasks of the medium firm took 26 s to close at clock ×1, against
    // 8 s to write). Pages hold different rows: their audit entries and ledger rows never meet.
    const pages = new BoundedWork(CLOSE_PAGES_IN_FLIGHT);
    for (let after = 0; !pages.failed;) {
      const page = this.store.loadedRowsPage(this.options.ledger, table, after, 1000);
      if (!page.length) break;
      after = page[page.length - 1].position;
      await pages.start(() => closePage(page));
    }
    await pages.finish();
    this.progress.done(task);
    return failures;
  }
}

function pick(row: Row, columns: string[], pk: string): Row {
  const out: Row = { [pk]: row[pk] };
  for (const c of columns) out[c] = row[c] ?? null;
  return out;
}
