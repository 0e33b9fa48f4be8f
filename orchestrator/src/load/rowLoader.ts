// Writes intended rows to Dataverse: read what is there, skip what is unchanged, record a write-ahead audit entry
// (with the before values) for every create or update, upsert through the sink, read back, and complete the audit.
// A crash between any two steps is repaired by the next run: the first before-image is kept, and a write that
// happened is recognised when the row already holds the intended values.
import type { AuditEntry, AuditPhase, ProgressReporter, Row, SinkPort, SinkUpsertTarget, StateStore, TableInfo } from '../ports';
import type { TargetRow } from '../transform/targetRow';
import { base64Length, type AttachmentRow } from '../transform/mapActivities';
import { sameValue } from './compare';
import { bindPath, comparedColumns, CREATE_ONLY, FIXED_ID_TABLES, lookupAttributeOf, tableInfo } from './tables';

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

const STATEFUL = new Set(['task', 'opportunity']);
/** Stamped by Dataverse on every write; kept in the audit's after-images (see selectFor). */
const AFTER_STAMPS = ['versionnumber', 'modifiedon'];
const REOPEN: Record<string, Row> = { task: { statecode: 0, statuscode: 2 }, opportunity: { statecode: 0, statuscode: 1 } };

export interface RowLoaderOptions {
  runId: string;
  phase: AuditPhase;
  batchSize?: number;
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

  constructor(
    private readonly sink: SinkPort,
    private readonly store: StateStore,
    readonly registry: KeyRegistry,
    private readonly progress: ProgressReporter,
    private readonly options: RowLoaderOptions,
  ) {
    this.batchSize = options.batchSize ?? 250;
    this.now = options.now ?? (() => new Date());
  }

  async loadTable(table: string, rows: TargetRow[]): Promise<RowResult[]> {
    const results: RowResult[] = [];
    this.progress.start(table, rows.length);
    for (let i = 0; i < rows.length; i += this.batchSize) {
      const batch = rows.slice(i, i + this.batchSize);
      results.push(...(await this.loadBatch(table, batch)));
      this.progress.tick(table, batch.length);
    }
    this.progress.done(table);
    return results;
  }

  private selectFor(table: string, rows: TargetRow[]): string[] {
    const cols = comparedColumns(table, rows);
    if (STATEFUL.has(table)) ['statecode', 'statuscode'].forEach((c) => cols.add(c));
    // The row version and modified on go into every after-image: rollback compares them with what Dataverse holds
    // then, so a change to any column after the run shows, not only to the columns the run wrote.
    AFTER_STAMPS.forEach((c) => cols.add(c));
    return [...cols];
  }

  private keyOfExisting(table: string, info: TableInfo, row: Row): string | null {
    if (FIXED_ID_TABLES.has(table)) return (row[info.primaryIdAttribute] as string) ?? null;
    return (row.astep_sourceid as string) ?? null;
  }

  private async readExisting(table: string, info: TableInfo, rows: TargetRow[], select: string[]): Promise<Map<string, Row>> {
    const fixed = FIXED_ID_TABLES.has(table);
    const values = rows.map((r) => (fixed ? (r.fixedId as string) : r.key));
    const found = await this.sink.readByValues(info, fixed ? info.primaryIdAttribute : 'astep_sourceid', values, select);
    const byKey = new Map<string, Row>();
    for (const f of found) {
      const k = this.keyOfExisting(table, info, f);
      if (k) byKey.set(k.toLowerCase(), f);
    }
    return byKey;
  }

  /** Rows that existed before the migration: contacts with the same email, organisations with the same name. */
  private async matchPreExisting(table: string, info: TableInfo, rows: TargetRow[], select: string[]): Promise<Map<string, Row>> {
    const matches = new Map<string, Row>();
    if (!this.options.matchExisting) return matches;
    const column = table === 'contact' ? 'emailaddress1' : table === 'account' ? 'name' : null;
    if (!column) return matches;
    const candidates = rows.filter((r) => (table === 'account' ? r.key.startsWith('P-') : true) && typeof r.attributes[column] === 'string' && r.attributes[column]);
    if (!candidates.length) return matches;
    const found = await this.sink.readByValues(info, column, [...new Set(candidates.map((r) => r.attributes[column] as string))], select);
    const free = found.filter((f) => !f.astep_sourceid);
    const taken = new Set<string>();
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
  private desiredOf(row: TargetRow): { desired: Row; unresolved: string | null } {
    const desired: Row = {};
    for (const [c, v] of Object.entries(row.attributes)) if (!CREATE_ONLY.has(c)) desired[c] = v;
    let unresolved: string | null = null;
    for (const [nav, ref] of Object.entries(row.binds)) {
      const attr = lookupAttributeOf(nav);
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
    const info = tableInfo(table);
    const select = this.selectFor(table, rows);
    const existingByKey = await this.readExisting(table, info, rows, select);
    const missing = rows.filter((r) => !existingByKey.has((FIXED_ID_TABLES.has(table) ? (r.fixedId as string) : r.key).toLowerCase()));
    const matched = await this.matchPreExisting(table, info, missing, select);
    const pendingByKey = new Map(this.store.pendingAudit(this.options.runId).filter((e) => e.table === table && e.phase === this.options.phase && e.operation !== 'state').map((e) => [e.key, e] as const));

    const results: RowResult[] = [];
    const plans: Planned[] = [];
    for (const row of rows) {
      const existing = existingByKey.get((FIXED_ID_TABLES.has(table) ? (row.fixedId as string) : row.key).toLowerCase()) ?? matched.get(row.key) ?? null;
      const matchedId = !existingByKey.has((FIXED_ID_TABLES.has(table) ? (row.fixedId as string) : row.key).toLowerCase()) && existing ? (existing[info.primaryIdAttribute] as string) : null;
      const { desired, unresolved } = this.desiredOf(row);
      if (unresolved) {
        results.push(this.fail(row, 'parent-missing', `${row.sourceResource} ${row.sourceId}: lookup ${unresolved}`));
        continue;
      }
      if (existing) this.registry.set(table, row.key, String(existing[info.primaryIdAttribute]));
      const changed = existing ? Object.keys(desired).filter((c) => !sameValue(c, desired[c], existing[c])) : Object.keys(desired);
      if (matchedId && !FIXED_ID_TABLES.has(table)) changed.push('astep_sourceid');
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
      before: p.existing ? pick(p.existing, [...p.changed, ...(STATEFUL.has(table) ? ['statecode', 'statuscode'] : [])], info.primaryIdAttribute) : null,
      after: null, errorCode: null, message: null, status: 'pending', occurredOn,
    })));
    fresh.forEach((p, i) => (p.pending = inserted[i]));

    // Closed activities and opportunities are read-only: re-open the ones that must change.
    const reopen = toWrite.filter((p) => p.existing && STATEFUL.has(table) && Number(p.existing.statecode ?? 0) !== 0);
    if (reopen.length) {
      const res = await this.sink.upsert(info, reopen.map((p) => ({ key: { id: String(p.existing![info.primaryIdAttribute]) }, attributes: REOPEN[table], ref: p.row.key })));
      res.forEach((r, i) => {
        if (r.outcome === 'failed') reopen[i].message = `could not re-open ${table} ${reopen[i].row.key}: ${r.message}`;
      });
    }

    // Attachments of new notes, downloaded a few at a time (the source client enforces its own limits).
    const bodies = new Map<Planned, { b64?: string; error?: string }>();
    const downloads = toWrite.filter((p) => p.operation === 'create' && (p.row as AttachmentRow).attachment && this.options.downloadFile && !p.message);
    for (let i = 0; i < downloads.length; i += 4) {
      await Promise.all(downloads.slice(i, i + 4).map(async (p) => {
        const att = (p.row as AttachmentRow).attachment!;
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
        if (isCreate ? v !== null && v !== undefined : p.changed.includes(c) && !CREATE_ONLY.has(c)) attributes[c] = v;
      }
      for (const [nav, ref] of Object.entries(p.row.binds)) {
        const attr = lookupAttributeOf(nav);
        if (!isCreate && !p.changed.includes(attr)) continue;
        if (ref === null) {
          if (!isCreate) attributes[`${nav}@odata.bind`] = null;
          continue;
        }
        attributes[`${nav}@odata.bind`] = bindPath(ref.table, ref.key, ref.byId);
      }
      const body = bodies.get(p);
      if (body?.error) {
        results.push(this.fail(p.row, 'download', `document ${p.row.sourceId}: download of file ${(p.row as AttachmentRow).attachment!.fileId} failed: ${body.error}`, p.pending));
        continue;
      }
      if (body?.b64) attributes.documentbody = body.b64;
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
    const after = written.length ? await this.readExisting(table, info, written.map((p) => p.row), select) : new Map<string, Row>();
    // One local transaction for the batch's audit completions (one fsync, not one per row).
    this.store.transaction(() => this.completeBatch(table, info, plans, writing, failedRefs, after, results));
    return results;
  }

  private completeBatch(table: string, info: TableInfo, plans: Planned[], writing: Planned[], failedRefs: Map<Planned, { code?: string; message?: string }>, after: Map<string, Row>, results: RowResult[]): void {
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
      const fixedKey = FIXED_ID_TABLES.has(table) ? (p.row.fixedId as string) : p.row.key;
      const now = after.get(fixedKey.toLowerCase()) ?? (p.matchedId ? { [info.primaryIdAttribute]: p.matchedId } : null);
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

  /** Won/lost opportunities through WinOpportunity/LoseOpportunity, completed/canceled tasks, after all rows exist. */
  async applyFinalStates(results: RowResult[]): Promise<RowResult[]> {
    const out: RowResult[] = [];
    const withState = results.filter((r) => r.row.finalState && r.outcome !== 'failed' && r.targetId);
    if (!withState.length) return out;
    this.progress.start('close', withState.length);
    for (const table of ['opportunity', 'task']) {
      const rows = withState.filter((r) => r.row.table === table);
      if (!rows.length) continue;
      const info = tableInfo(table);
      const stateColumns = [info.primaryIdAttribute, 'statecode', 'statuscode', ...AFTER_STAMPS];
      const current = await this.sink.readByValues(info, info.primaryIdAttribute, rows.map((r) => r.targetId as string), stateColumns);
      const stateById = new Map(current.map((c) => [String(c[info.primaryIdAttribute]).toLowerCase(), c] as const));
      const pendingByKey = new Map(this.store.pendingAudit(this.options.runId).filter((e) => e.table === table && e.operation === 'state' && e.phase === this.options.phase).map((e) => [e.key, e] as const));
      const taskTargets: SinkUpsertTarget[] = [];
      const actions: Array<() => Promise<void>> = [];
      const taskRows: Array<{ r: RowResult; entry: AuditEntry; after: Row }> = [];
      /** Closed now: their after-images are read back once the table is done (the close stamped a new row version). */
      const closed: Array<{ entry: AuditEntry; id: string; want: Row }> = [];
      for (const r of rows) {
        const fs = r.row.finalState!;
        const cur = stateById.get(String(r.targetId).toLowerCase());
        const want = fs.kind === 'opportunityWon' ? { statecode: 1, statuscode: 3 } : fs.kind === 'opportunityLost' ? { statecode: 2, statuscode: 4 } : fs.kind === 'taskCompleted' ? { statecode: 1, statuscode: 5 } : { statecode: 2, statuscode: 6 };
        if (cur && Number(cur.statecode) === want.statecode) {
          const pending = pendingByKey.get(r.row.key);
          if (pending) this.store.completeAudit(this.options.runId, pending.seq, { after: pick(cur, stateColumns, info.primaryIdAttribute) });
          continue;
        }
        const entry = pendingByKey.get(r.row.key) ?? this.store.addPendingAudit([{
          runId: this.options.runId, phase: this.options.phase, operation: 'state', table, key: r.row.key, targetId: r.targetId,
          sourceResource: r.row.sourceResource, sourceId: r.row.sourceId,
          before: { statecode: cur?.statecode ?? 0, statuscode: cur?.statuscode ?? null }, after: null, errorCode: null, message: null,
          status: 'pending', occurredOn: this.now().toISOString(),
        }])[0];
        if (table === 'opportunity') {
          const body: Row = {
            Status: want.statuscode,
            OpportunityClose: {
              subject: fs.kind === 'opportunityWon' ? 'Won (migrated from Actionstep)' : 'Lost (migrated from Actionstep)',
              'opportunityid@odata.bind': `/opportunities(${r.targetId})`,
              ...(fs.kind === 'opportunityWon' ? { actualrevenue: fs.actualRevenue } : {}),
              ...('actualEnd' in fs && fs.actualEnd ? { actualend: fs.actualEnd } : {}),
            },
          };
          // Actions are one request each: a few in flight at once (the audit entry is already written ahead).
          actions.push(async () => {
            try {
              await this.sink.action(fs.kind === 'opportunityWon' ? 'WinOpportunity' : 'LoseOpportunity', body);
              closed.push({ entry, id: r.targetId as string, want });
            } catch (e) {
              const err = e as { code?: string; message?: string };
              const message = `opportunity ${r.row.key}: ${fs.kind === 'opportunityWon' ? 'WinOpportunity' : 'LoseOpportunity'} failed: ${err.message}`;
              this.store.completeAudit(this.options.runId, entry.seq, { operation: 'error', errorCode: err.code ?? 'error', message });
              out.push({ ...r, outcome: 'failed', errorCode: err.code, message });
            }
          });
        } else {
          taskTargets.push({ key: { id: r.targetId as string }, attributes: want, ref: r.row.key });
          taskRows.push({ r, entry, after: want });
        }
        this.progress.tick('close');
      }
      for (let i = 0; i < actions.length; i += 8) await Promise.all(actions.slice(i, i + 8).map((run) => run()));
      if (taskTargets.length) {
        const res = await this.sink.upsert(info, taskTargets);
        res.forEach((w, i) => {
          const { r, entry, after } = taskRows[i];
          if (w.outcome === 'failed') {
            const message = `task ${r.row.key}: closing failed: ${w.message}`;
            this.store.completeAudit(this.options.runId, entry.seq, { operation: 'error', errorCode: w.errorCode ?? 'error', message });
            out.push({ ...r, outcome: 'failed', errorCode: w.errorCode, message });
          } else closed.push({ entry, id: r.targetId as string, want: after });
        });
      }
      const back = closed.length ? await this.sink.readByValues(info, info.primaryIdAttribute, closed.map((c) => c.id), stateColumns) : [];
      const backById = new Map(back.map((b) => [String(b[info.primaryIdAttribute]).toLowerCase(), b] as const));
      for (const c of closed) {
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

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Base64 without Buffer, so the engine runs in the browser too. */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
  }
  if (i < bytes.length) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < bytes.length ? B64[(n >> 6) & 63] : '=') + '=';
  }
  return out;
}
