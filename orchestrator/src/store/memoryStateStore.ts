// A StateStore in memory: for the engine inside Dynamics (loaded from and written back to Dataverse) and for tests.
// Same semantics as the SQLite store the command line uses.
import type { AuditEntry, AuditPhase, RecordOutcome, RunState, StagedRecord, StateStore } from '../ports';

export class MemoryStateStore implements StateStore {
  readonly runs = new Map<string, RunState>();
  readonly stagedMap = new Map<string, Map<string, StagedRecord>>();
  readonly checkpoints = new Map<string, string>();
  readonly auditRows: AuditEntry[] = [];
  readonly outcomeRows = new Map<string, RecordOutcome[]>();

  getRun(id: string) { return this.runs.get(id) ?? null; }
  latestRunId() { return [...this.runs.keys()].pop() ?? null; }
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
  clearStaged(resource: string) { this.stagedMap.delete(resource); }
  unstage(resource: string, ids: string[]) { for (const id of ids) this.stagedMap.get(resource)?.delete(id); }
  getCheckpoint(n: string) { return this.checkpoints.get(n) ?? null; }
  setCheckpoint(n: string, v: string | null) { if (v === null) this.checkpoints.delete(n); else this.checkpoints.set(n, v); }

  addPendingAudit(entries: Omit<AuditEntry, 'seq'>[]): AuditEntry[] {
    return entries.map((e) => {
      const existing = e.status === 'pending'
        ? this.auditRows.find((a) => a.status === 'pending' && a.runId === e.runId && a.phase === e.phase && a.table === e.table && a.key === e.key && a.operation === e.operation)
        : undefined;
      if (existing) return existing;
      const seq = this.auditRows.filter((a) => a.runId === e.runId).reduce((m, a) => Math.max(m, a.seq), 0) + 1;
      const entry = { ...structuredClone(e), seq } as AuditEntry;
      this.auditRows.push(entry);
      return entry;
    });
  }
  completeAudit(runId: string, seq: number, patch: Partial<AuditEntry>) {
    const e = this.auditRows.find((a) => a.runId === runId && a.seq === seq);
    if (e) Object.assign(e, structuredClone(patch), { status: 'done' });
  }
  audit(runId: string, phase?: AuditPhase) { return this.auditRows.filter((a) => a.runId === runId && (!phase || a.phase === phase)).sort((a, b) => a.seq - b.seq); }
  pendingAudit(runId: string) { return this.audit(runId).filter((a) => a.status === 'pending'); }
  setOutcomes(runId: string, o: RecordOutcome[]) { this.outcomeRows.set(runId, o); }
  outcomes(runId: string) { return this.outcomeRows.get(runId) ?? []; }
  transaction<T>(fn: () => T) { return fn(); }
}
