// An in-memory StateStore for unit tests (the command line uses SQLite with the same semantics).
import type { AuditEntry, AuditPhase, RecordOutcome, RunState, StagedRecord, StateStore } from '../src/ports';

export class MemoryStore implements StateStore {
  runs = new Map<string, RunState>();
  stagedMap = new Map<string, Map<string, StagedRecord>>();
  checkpoints = new Map<string, string>();
  auditRows: AuditEntry[] = [];
  outcomeRows = new Map<string, RecordOutcome[]>();
  getRun(id: string) { return this.runs.get(id) ?? null; }
  latestRunId() { return [...this.runs.keys()].pop() ?? null; }
  saveRun(r: RunState) { this.runs.set(r.runId, structuredClone(r)); }
  stage(records: StagedRecord[]) { for (const r of records) { const m = this.stagedMap.get(r.resource) ?? new Map(); m.set(r.id, r); this.stagedMap.set(r.resource, m); } }
  staged(resource: string) { return [...(this.stagedMap.get(resource)?.values() ?? [])]; }
  stagedCount(resource: string) { return this.stagedMap.get(resource)?.size ?? 0; }
  clearStaged(resource: string) { this.stagedMap.delete(resource); }
  unstage(resource: string, ids: string[]) { for (const id of ids) this.stagedMap.get(resource)?.delete(id); }
  getCheckpoint(n: string) { return this.checkpoints.get(n) ?? null; }
  setCheckpoint(n: string, v: string | null) { if (v === null) this.checkpoints.delete(n); else this.checkpoints.set(n, v); }
  addPendingAudit(entries: Omit<AuditEntry, 'seq'>[]) {
    return entries.map((e) => {
      const existing = e.status === 'pending' ? this.auditRows.find((a) => a.status === 'pending' && a.runId === e.runId && a.phase === e.phase && a.table === e.table && a.key === e.key && a.operation === e.operation) : undefined;
      if (existing) return existing;
      const entry = { ...structuredClone(e), seq: this.auditRows.filter((a) => a.runId === e.runId).length + 1 } as AuditEntry;
      this.auditRows.push(entry);
      return entry;
    });
  }
  completeAudit(runId: string, seq: number, patch: Partial<AuditEntry>) {
    const e = this.auditRows.find((a) => a.runId === runId && a.seq === seq)!;
    Object.assign(e, structuredClone(patch), { status: 'done' });
  }
  audit(runId: string, phase?: AuditPhase) { return this.auditRows.filter((a) => a.runId === runId && (!phase || a.phase === phase)); }
  pendingAudit(runId: string) { return this.auditRows.filter((a) => a.runId === runId && a.status === 'pending'); }
  setOutcomes(runId: string, o: RecordOutcome[]) { this.outcomeRows.set(runId, o); }
  outcomes(runId: string) { return this.outcomeRows.get(runId) ?? []; }
  transaction<T>(fn: () => T) { return fn(); }
}
