// A StateStore in memory: for the engine inside Dynamics (loaded from and written back to Dataverse) and for tests.
// Same semantics as the SQLite store the command line uses (scripts/test/stateStore.contract.test.ts runs one contract
// against both): what it hands out are copies, the latest run is the one created last, outcomes come by resource and id.
import type { AuditEntry, AuditPhase, DispositionRecord, LoadedRow, OutcomeCursor, RecordOutcome, RunState, StagedRecord, StagingChange, StateStore } from '../ports';
import { applyStagingChange } from './stagingChange';

/** A record's place in the outcomes' (resource, id) order. */
function outcomeKey(x: { resource: string; id: string }): string {
  return `${x.resource}\u0000${x.id}`;
}

export class MemoryStateStore implements StateStore {
  readonly runs = new Map<string, RunState>();
  readonly stagedMap = new Map<string, Map<string, StagedRecord>>();
  readonly checkpoints = new Map<string, string>();
  readonly auditRows: AuditEntry[] = [];
  readonly outcomeRows = new Map<string, RecordOutcome[]>();

  getRun(id: string) {
    const run = this.runs.get(id);
    return run ? structuredClone(run) : null;
  }
  latestRunId() {
    let latest: RunState | null = null;
    for (const r of this.runs.values()) if (!latest || r.createdOn >= latest.createdOn) latest = r;
    return latest?.runId ?? null;
  }
  saveRun(r: RunState) { this.runs.set(r.runId, structuredClone(r)); }
  stage(records: StagedRecord[]) {
    for (const r of records) {
      const m = this.stagedMap.get(r.resource) ?? new Map<string, StagedRecord>();
      m.set(r.id, r);
      this.stagedMap.set(r.resource, m);
    }
  }
  staged(resource: string) { return [...(this.stagedMap.get(resource)?.values() ?? [])]; }
  stagedCount(resource: string) { return this.stagedMap.get(resource)?.size ?? 0; }
  stagedIds(resource: string, among?: string[]) {
    const m = this.stagedMap.get(resource);
    if (!m) return [];
    return among ? among.filter((id) => m.has(id)) : [...m.keys()];
  }
  async stagedIdsAsync(resource: string, among?: string[]): Promise<string[]> { return this.stagedIds(resource, among); }
  clearStaged(resource: string) { this.stagedMap.delete(resource); }
  unstage(resource: string, ids: string[]) { for (const id of ids) this.stagedMap.get(resource)?.delete(id); }
  async stageAsync(records: StagedRecord[]) { this.stage(records); }
  async *stagedPages(resource: string, pageSize = 1000): AsyncIterable<StagedRecord[]> {
    const all = this.staged(resource);
    for (let i = 0; i < all.length; i += pageSize) yield all.slice(i, i + pageSize);
  }
  async stagedCountAsync(resource: string) { return this.stagedCount(resource); }
  async clearStagedAsync(resource: string) { this.clearStaged(resource); }
  async unstageAsync(resource: string, ids: string[]) { this.unstage(resource, ids); }
  async commitStaging(change: StagingChange) { applyStagingChange(this, change); }
  getCheckpoint(n: string) { return this.checkpoints.get(n) ?? null; }
  setCheckpoint(n: string, v: string | null) { if (v === null) this.checkpoints.delete(n); else this.checkpoints.set(n, v); }

  // Indexes, so a run of tens of thousands of writes in the browser is not quadratic: the highest sequence per run,
  // and the pending entries by what identifies them.
  private readonly maxSeq = new Map<string, number>();
  private readonly pendingByIdentity = new Map<string, AuditEntry>();
  private readonly bySeq = new Map<string, AuditEntry>();

  private static identity(e: Pick<AuditEntry, 'runId' | 'phase' | 'table' | 'key' | 'operation'>): string {
    return `${e.runId}|${e.phase}|${e.table}|${e.key}|${e.operation}`;
  }

  private index(entry: AuditEntry): void {
    this.auditRows.push(entry);
    this.bySeq.set(`${entry.runId}|${entry.seq}`, entry);
    this.maxSeq.set(entry.runId, Math.max(this.maxSeq.get(entry.runId) ?? 0, entry.seq));
    if (entry.status === 'pending') this.pendingByIdentity.set(MemoryStateStore.identity(entry), entry);
  }

  /** Entries read back from elsewhere (astep_auditentry), kept with their own sequence numbers. */
  importAudit(entries: AuditEntry[]): void {
    for (const e of entries) this.index(structuredClone(e));
  }

  addPendingAudit(entries: Omit<AuditEntry, 'seq'>[]): AuditEntry[] {
    return entries.map((e) => {
      const existing = e.status === 'pending' ? this.pendingByIdentity.get(MemoryStateStore.identity(e)) : undefined;
      if (existing) return existing;
      const entry = { ...structuredClone(e), seq: (this.maxSeq.get(e.runId) ?? 0) + 1 } as AuditEntry;
      this.index(entry);
      return entry;
    });
  }
  completeAudit(runId: string, seq: number, patch: Partial<AuditEntry>) {
    const e = this.bySeq.get(`${runId}|${seq}`);
    if (!e) return;
    if (e.status === 'pending') this.pendingByIdentity.delete(MemoryStateStore.identity(e));
    Object.assign(e, structuredClone(patch), { status: 'done' });
  }
  audit(runId: string, phase?: AuditPhase) {
    return structuredClone(this.auditRows.filter((a) => a.runId === runId && (!phase || a.phase === phase)).sort((a, b) => a.seq - b.seq));
  }
  firstPendingAuditSeq(runId: string): number | null {
    let first: number | null = null;
    for (const a of this.pendingByIdentity.values()) if (a.runId === runId && (first === null || a.seq < first)) first = a.seq;
    return first;
  }
  pendingAudit(runId: string) { return structuredClone([...this.pendingByIdentity.values()].filter((a) => a.runId === runId).sort((a, b) => a.seq - b.seq)); }
  setOutcomes(runId: string, o: RecordOutcome[]) {
    this.outcomeRows.set(runId, structuredClone(o).sort((a, b) => (outcomeKey(a) < outcomeKey(b) ? -1 : outcomeKey(a) > outcomeKey(b) ? 1 : 0)));
  }
  outcomes(runId: string) { return structuredClone(this.outcomeRows.get(runId) ?? []); }
  addOutcomes(runId: string, o: RecordOutcome[], replace: boolean) {
    // A record's outcome added again replaces the one before (as the SQLite store's key does).
    const byRecord = new Map((replace ? [] : this.outcomeRows.get(runId) ?? []).map((x) => [outcomeKey(x), x] as const));
    for (const x of o) byRecord.set(outcomeKey(x), x);
    this.setOutcomes(runId, [...byRecord.values()]);
  }
  outcomesPage(runId: string, after: OutcomeCursor | null, limit: number) {
    const rows = this.outcomeRows.get(runId) ?? [];
    // Sorted by outcomeKey (setOutcomes): the first row past the cursor by binary search.
    let lo = 0;
    if (after) {
      const k = outcomeKey(after);
      let hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (outcomeKey(rows[mid]) <= k) lo = mid + 1;
        else hi = mid;
      }
    }
    return structuredClone(rows.slice(lo, lo + limit));
  }
  transaction<T>(fn: () => T) { return fn(); }

  // The ledgers of mapping passes: in memory like everything else here (this store maps from the whole firm anyway).
  private readonly ledgers = new Map<string, { dispositions: Map<string, DispositionRecord[]>; rows: Map<string, Map<string, LoadedRow>> }>();
  private ledger(name: string) {
    let l = this.ledgers.get(name);
    if (!l) this.ledgers.set(name, (l = { dispositions: new Map(), rows: new Map() }));
    return l;
  }
  clearLedger(name: string) { this.ledgers.delete(name); }
  addDispositions(name: string, records: DispositionRecord[]) {
    const d = this.ledger(name).dispositions;
    for (const r of records) {
      const k = `${r.resource}\u0000${r.id}`;
      const list = d.get(k);
      if (list) list.push({ ...r });
      else d.set(k, [{ ...r }]);
    }
  }
  dispositions(name: string, resource: string, ids: string[]) {
    const d = this.ledger(name).dispositions;
    // Stable sort: within a rank, as written.
    return ids.flatMap((id) => [...(d.get(`${resource}\u0000${id}`) ?? [])].sort((a, b) => a.rank - b.rank)).map((r) => ({ ...r }));
  }
  putLoadedRows(name: string, rows: LoadedRow[]) {
    const byTable = this.ledger(name).rows;
    for (const r of rows) {
      let t = byTable.get(r.table);
      if (!t) byTable.set(r.table, (t = new Map()));
      t.set(r.key, { ...r });
    }
  }
  loadedRows(name: string, table: string, keys: string[]) {
    const t = this.ledger(name).rows.get(table);
    return t ? keys.map((k) => t.get(k)).filter((r): r is LoadedRow => !!r).map((r) => ({ ...r })) : [];
  }
  loadedRowsPage(name: string, table: string, after: number, limit: number) {
    return [...(this.ledger(name).rows.get(table)?.values() ?? [])].slice(after, after + limit).map((r, i) => ({ ...r, position: after + i + 1 }));
  }
  auditPage(runId: string, q: { afterSeq?: number; beforeSeq?: number; phase?: AuditPhase; notPhase?: AuditPhase; limit: number; descending?: boolean }) {
    const rows = this.auditRows.filter((a) => a.runId === runId && (q.afterSeq === undefined || a.seq > q.afterSeq) && (q.beforeSeq === undefined || a.seq < q.beforeSeq)
      && (!q.phase || a.phase === q.phase) && (!q.notPhase || a.phase !== q.notPhase));
    rows.sort((a, b) => (q.descending ? b.seq - a.seq : a.seq - b.seq));
    return structuredClone(rows.slice(0, q.limit));
  }
  auditByKeys(runId: string, phase: AuditPhase, table: string | null, keys: string[]) {
    const set = new Set(keys);
    return structuredClone(this.auditRows.filter((a) => a.runId === runId && a.phase === phase && (table === null || a.table === table) && set.has(a.key)).sort((a, b) => a.seq - b.seq));
  }
  auditByTargets(runId: string, targetIds: string[]) {
    const set = new Set(targetIds.map((t) => t.toLowerCase()));
    return structuredClone(this.auditRows.filter((a) => a.runId === runId && a.targetId && set.has(a.targetId.toLowerCase())).sort((a, b) => a.seq - b.seq));
  }
}
