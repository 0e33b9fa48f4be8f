// Writes intended rows to Dataverse: read what is there, skip what is unchanged, record a write-ahead audit entry
// (with the before values) for every create or update, upsert through the sink, read back, and complete the audit.
// A crash between any two steps is repaired by the next run: the first before-image is kept, and a write that
// happened is recognised when the row already holds the intended values.
import type { AuditEntry, AuditPhase, ProgressReporter, Row, SinkPort, SinkUpsertTarget, StateStore, TableInfo } from '../ports';
import type { MappingSet } from '../mappings/mappingSet';
import type { TableMapping } from '../mappings/tableMapping';
import type { TargetRow } from '../transform/targetRow';
import { base64Length, toBase64 } from '../transform/values';
import { sameValue } from './compare';
import { bindPath, comparedColumns, createOnlyColumns } from './tables';

export type RowOutcome = 'created' | 'updated' | 'skipped' | 'failed';

export interface RowResult {
  row: TargetRow;
  outcome: RowOutcome;
  targetId: string | null;
  errorCode?: string;
  message?: string;
}

/** astep_sourceid → GUID per table, filled as tables are read and written (children compare lookups by GUID). */
export class KeyRegistry {
  private readonly map = new Map<string, Map<string, string>>();
  set(table: string, key: string, id: string) {
    let m = this.map.get(table);
    if (!m) this.map.set(table, (m = new Map()));
    m.set(key, id);
  }
  get(table: string, key: string): string | undefined {
    return this.map.get(table)?.get(key);
  }
}

/** The state columns of a table with a lifecycle: read with its rows, kept in before-images. */
const STATE_COLUMNS = ['statecode', 'statuscode'];
/** Stamped by Dataverse on every write; kept in the audit's after-images (see selectFor). */
const AFTER_STAMPS = ['versionnumber', 'modifiedon'];

/** What the loader reads from one table's declaration. */
interface TablePlan {
  mapping: TableMapping;
  info: TableInfo;
  fixed: boolean;
  createOnly: Set<string>;
  attributeOf: Map<string, string>;
}

export interface RowLoaderOptions {
  runId: string;
  phase: AuditPhase;
  batchSize?: number;
  /** Batches of one table loaded at once (default: from the sink's capacity, at most 16). */
  lanes?: number;
  downloadFile?: (fileId: string, fileSize: number) => Promise<Uint8Array>;
  /** Match rows that existed before the migration (no astep_sourceid yet): contacts by email, organisations by name. */
  matchExisting?: boolean;
  now?: () => Date;
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
  private readonly batchSize: number;
  private readonly now: () => Date;
  /** Records that existed before the migration and a row of this loader has matched (by GUID). */
  private readonly claimed = new Set<string>();

  constructor(
    private readonly sink: SinkPort,
    private readonly store: StateStore,
    readonly registry: KeyRegistry,
    private readonly progress: ProgressReporter,
    private readonly mappings: MappingSet,
    private readonly options: RowLoaderOptions,
  ) {
    this.batchSize = options.batchSize ?? 250;
    this.now = options.now ?? (() => new Date());
  }

  private tablePlan(table: string): TablePlan {
    const mapping = this.mappings.require(table);
    return {
      mapping, info: this.mappings.tableInfo(table), fixed: mapping.key.by === 'fixedId', createOnly: createOnlyColumns(mapping),
      attributeOf: new Map(mapping.lookups.map((l) => [l.navigation, l.attribute] as const)),
    };
  }

  /** The value a row is found by: its astep_sourceid, or the GUID it is addressed by. */
  private static addressOf(t: TablePlan, row: TargetRow): string {
    return t.fixed ? (row.fixedId as string) : row.key;
  }

  /**
   * Batches of a table go several at a time: one batch at a time kept one request in flight where the service allows
   * 52 per application user (dataverse.md, service protection), so the run loaded at a fraction of the bound. No row
   * of a table looks up a row of the same table (lookups point at tables loaded before), so a table's batches do not
   * wait for each other; each batch keeps its own write-ahead audit, so a kill leaves at most `lanes` batches pending
   * and the next run resumes them by key. Tables with file bodies keep two lanes: each batch holds its files.
   */
  async loadTable(table: string, rows: TargetRow[]): Promise<RowResult[]> {
    const batches: TargetRow[][] = [];
    for (let i = 0; i < rows.length; i += this.batchSize) batches.push(rows.slice(i, i + this.batchSize));
    const results: RowResult[][] = new Array(batches.length);
    const withFiles = !!this.mappings.require(table).attachmentColumn;
    const lanes = Math.max(1, Math.min(batches.length, withFiles ? 2 : this.lanes()));
    this.progress.start(table, rows.length);
    let next = 0;
    let stopped = false;
    await Promise.all(Array.from({ length: lanes }, async () => {
      while (!stopped && next < batches.length) {
        const n = next++;
        try {
          results[n] = await this.loadBatch(table, batches[n]);
        } catch (e) {
          stopped = true; // no lane starts another batch after one failed: the step stops as it did with one lane
          throw e;
        }
        this.progress.tick(table, batches[n].length);
      }
    }));
    this.progress.done(table);
    return results.flat();
  }

  /** Batches in flight at once: the option, else what the sink may have in flight (its identities' limits), at most 16. */
  private lanes(): number {
    return this.options.lanes ?? Math.min(16, Math.max(1, this.sink.capacity?.() ?? 1));
  }

  private selectFor(t: TablePlan, rows: TargetRow[]): string[] {
    const cols = comparedColumns(t.mapping, rows);
    if (t.mapping.lifecycle) STATE_COLUMNS.forEach((c) => cols.add(c));
    // The row version and modified on go into every after-image: rollback compares them with what Dataverse holds
    // then, so a change to any column after the run shows, not only to the columns the run wrote.
    AFTER_STAMPS.forEach((c) => cols.add(c));
    return [...cols];
  }

  private async readExisting(t: TablePlan, rows: TargetRow[], select: string[]): Promise<Map<string, Row>> {
    const { info } = t;
    const values = rows.map((r) => RowLoader.addressOf(t, r));
    const found = await this.sink.readByValues(info, t.fixed ? info.primaryIdAttribute : 'astep_sourceid', values, select);
    const byKey = new Map<string, Row>();
    for (const f of found) {
      const k = (t.fixed ? f[info.primaryIdAttribute] : f.astep_sourceid) as string | null | undefined;
      if (k) byKey.set(k.toLowerCase(), f);
    }
    return byKey;
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
  private desiredOf(t: TablePlan, row: TargetRow): { desired: Row; unresolved: string | null } {
    const desired: Row = {};
    for (const [c, v] of Object.entries(row.attributes)) if (!t.createOnly.has(c)) desired[c] = v;
    let unresolved: string | null = null;
    for (const [nav, ref] of Object.entries(row.binds)) {
      const attr = t.attributeOf.get(nav) as string;
      if (ref === null) {
        desired[attr] = null;
        continue;
      }
      const id = ref.byId ? ref.key : this.registry.get(ref.table, ref.key);
      if (!id) {
        unresolved ??= `${nav} → ${ref.table} ${ref.key} was not written (see that record's error)`;
        continue;
      }
      desired[attr] = id.toLowerCase();
    }
    return { desired, unresolved };
  }

  private async loadBatch(table: string, rows: TargetRow[]): Promise<RowResult[]> {
    const t = this.tablePlan(table);
    const { info, mapping } = t;
    const lifecycle = mapping.lifecycle;
    const select = this.selectFor(t, rows);
    const existingByKey = await this.readExisting(t, rows, select);
    const missing = rows.filter((r) => !existingByKey.has(RowLoader.addressOf(t, r).toLowerCase()));
    const matched = await this.matchPreExisting(t, missing, select);
    const pendingByKey = new Map(this.store.pendingAudit(this.options.runId).filter((e) => e.table === table && e.phase === this.options.phase && e.operation !== 'state').map((e) => [e.key, e] as const));

    const results: RowResult[] = [];
    const plans: Planned[] = [];
    for (const row of rows) {
      const address = RowLoader.addressOf(t, row).toLowerCase();
      const existing = existingByKey.get(address) ?? matched.get(row.key) ?? null;
      const matchedId = !existingByKey.has(address) && existing ? (existing[info.primaryIdAttribute] as string) : null;
      const { desired, unresolved } = this.desiredOf(t, row);
      if (unresolved) {
        results.push(this.fail(row, 'parent-missing', `${row.sourceResource} ${row.sourceId}: lookup ${unresolved}`));
        continue;
      }
      if (existing) this.registry.set(table, row.key, String(existing[info.primaryIdAttribute]));
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
      const res = await this.sink.upsert(info, reopen.map((p) => ({ key: { id: String(p.existing![info.primaryIdAttribute]) }, attributes: { ...lifecycle.reopen }, ref: p.row.key })));
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

    const writeResults = targets.length ? await this.sink.upsert(info, targets) : [];
    const failedRefs = new Map<Planned, { code?: string; message?: string }>();
    writeResults.forEach((r, i) => {
      if (r.outcome === 'failed') failedRefs.set(writing[i], { code: r.errorCode, message: r.message });
    });

    // Read back what was written: the after values for the audit, and the GUIDs children bind to.
    const written = writing.filter((p) => !failedRefs.has(p));
    const after = written.length ? await this.readExisting(t, written.map((p) => p.row), select) : new Map<string, Row>();
    // One local transaction for the batch's audit completions (one fsync, not one per row).
    this.store.transaction(() => this.completeBatch(t, plans, writing, failedRefs, after, results));
    return results;
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
      const now = after.get(RowLoader.addressOf(t, p.row).toLowerCase()) ?? (p.matchedId ? { [info.primaryIdAttribute]: p.matchedId } : null);
      const id = now ? String(now[info.primaryIdAttribute]) : p.existing ? String(p.existing[info.primaryIdAttribute]) : null;
      if (id) this.registry.set(table, p.row.key, id);
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
   * Closed states, after all rows exist: each table's lifecycle says the state pair and how the platform is asked
   * for it (WinOpportunity/LoseOpportunity for opportunities, an update for tasks).
   */
  async applyFinalStates(results: RowResult[]): Promise<RowResult[]> {
    const out: RowResult[] = [];
    const withState = results.filter((r) => r.row.finalState && r.outcome !== 'failed' && r.targetId);
    if (!withState.length) return out;
    this.progress.start('close', withState.length);
    for (const mapping of this.mappings.tables) {
      const lifecycle = mapping.lifecycle;
      const table = mapping.target.logicalName;
      const rows = lifecycle ? withState.filter((r) => r.row.table === table) : [];
      if (!lifecycle || !rows.length) continue;
      const info = this.mappings.tableInfo(table);
      const stateColumns = [info.primaryIdAttribute, ...STATE_COLUMNS, ...AFTER_STAMPS];
      const current = await this.sink.readByValues(info, info.primaryIdAttribute, rows.map((r) => r.targetId as string), stateColumns);
      const stateById = new Map(current.map((c) => [String(c[info.primaryIdAttribute]).toLowerCase(), c] as const));
      const pendingByKey = new Map(this.store.pendingAudit(this.options.runId).filter((e) => e.table === table && e.operation === 'state' && e.phase === this.options.phase).map((e) => [e.key, e] as const));
      const updates: SinkUpsertTarget[] = [];
      const actions: Array<() => Promise<void>> = [];
      const updated: Array<{ r: RowResult; entry: AuditEntry; after: Row }> = [];
      /** Closed now: their after-images are read back once the table is done (the close stamped a new row version). */
      const closedNow: Array<{ entry: AuditEntry; id: string; want: Row }> = [];
      for (const r of rows) {
        const closed = lifecycle.closed[r.row.finalState!.state];
        const want = { statecode: closed.statecode, statuscode: closed.statuscode };
        const cur = stateById.get(String(r.targetId).toLowerCase());
        if (cur && Number(cur.statecode) === want.statecode) {
          const pending = pendingByKey.get(r.row.key);
          if (pending) this.store.completeAudit(this.options.runId, pending.seq, { after: pick(cur, stateColumns, info.primaryIdAttribute) });
          // Already in its final state (the sample closed it): done too, or the count would end short of its total.
          this.progress.tick('close');
          continue;
        }
        const entry = pendingByKey.get(r.row.key) ?? this.store.addPendingAudit([{
          runId: this.options.runId, phase: this.options.phase, operation: 'state', table, key: r.row.key, targetId: r.targetId,
          sourceResource: r.row.sourceResource, sourceId: r.row.sourceId,
          before: { statecode: cur?.statecode ?? 0, statuscode: cur?.statuscode ?? null }, after: null, errorCode: null, message: null,
          status: 'pending', occurredOn: this.now().toISOString(),
        }])[0];
        const via = closed.via;
        if (via.kind === 'action') {
          const body = via.body(r.row, r.targetId as string, want);
          // Actions are one request each: a few in flight at once (the audit entry is already written ahead).
          actions.push(async () => {
            try {
              await this.sink.action(via.name, body);
              closedNow.push({ entry, id: r.targetId as string, want });
            } catch (e) {
              const err = e as { code?: string; message?: string };
              const message = `${table} ${r.row.key}: ${via.name} failed: ${err.message}`;
              this.store.completeAudit(this.options.runId, entry.seq, { operation: 'error', errorCode: err.code ?? 'error', message });
              out.push({ ...r, outcome: 'failed', errorCode: err.code, message });
            }
          });
        } else {
          updates.push({ key: { id: r.targetId as string }, attributes: want, ref: r.row.key });
          updated.push({ r, entry, after: want });
        }
        this.progress.tick('close');
      }
      for (let i = 0; i < actions.length; i += 8) await Promise.all(actions.slice(i, i + 8).map((run) => run()));
      if (updates.length) {
        const res = await this.sink.upsert(info, updates);
        res.forEach((w, i) => {
          const { r, entry, after } = updated[i];
          if (w.outcome === 'failed') {
            const message = `${table} ${r.row.key}: closing failed: ${w.message}`;
            this.store.completeAudit(this.options.runId, entry.seq, { operation: 'error', errorCode: w.errorCode ?? 'error', message });
            out.push({ ...r, outcome: 'failed', errorCode: w.errorCode, message });
          } else closedNow.push({ entry, id: r.targetId as string, want: after });
        });
      }
      const back = closedNow.length ? await this.sink.readByValues(info, info.primaryIdAttribute, closedNow.map((c) => c.id), stateColumns) : [];
      const backById = new Map(back.map((b) => [String(b[info.primaryIdAttribute]).toLowerCase(), b] as const));
      for (const c of closedNow) {
        const row = backById.get(c.id.toLowerCase());
        this.store.completeAudit(this.options.runId, c.entry.seq, { after: row ? pick(row, stateColumns, info.primaryIdAttribute) : c.want });
      }
    }
    this.progress.done('close');
    return out;
  }
}

function pick(row: Row, columns: string[], pk: string): Row {
  const out: Row = { [pk]: row[pk] };
  for (const c of columns) out[c] = row[c] ?? null;
  return out;
}
