// The engine's state on the command line: runs, staged records, checkpoints, the write-ahead audit and per-record
// outcomes in one SQLite file (WAL), so a killed process resumes where it stopped.
import Database from 'better-sqlite3';
import { ensurePrivateFile } from './privateFiles';
import { applyStagingChange } from '@astep/orchestrator';
import type {
  AuditEntry, AuditPhase, DerivedRow, DispositionRecord, LoadedRow, OutcomeCursor, RecordOutcome, RunState, StagedField, StagedRecord, StagingChange, StagingIndex, StateStore,
} from '@astep/orchestrator';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (run_id TEXT PRIMARY KEY, created_on TEXT NOT NULL, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staged (resource TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (resource, id));
CREATE TABLE IF NOT EXISTS checkpoints (name TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS audit (
  run_id TEXT NOT NULL, seq INTEGER NOT NULL, phase TEXT NOT NULL, operation TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL,
  target_id TEXT, source_resource TEXT NOT NULL, source_id TEXT NOT NULL, before_json TEXT, after_json TEXT,
  error_code TEXT, message TEXT, status TEXT NOT NULL, occurred_on TEXT NOT NULL,
  PRIMARY KEY (run_id, seq));
CREATE INDEX IF NOT EXISTS audit_pending ON audit (run_id, status);
CREATE UNIQUE INDEX IF NOT EXISTS audit_one_pending ON audit (run_id, phase, tbl, key, operation) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS audit_by_key ON audit (run_id, phase, key);
CREATE INDEX IF NOT EXISTS audit_by_target ON audit (run_id, target_id COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS outcomes (run_id TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL, outcome TEXT NOT NULL, message TEXT, targets TEXT,
  PRIMARY KEY (run_id, resource, id));
-- The streaming engine (issue 13): staged records by their link to a matter or a participant (expression indexes,
-- kept by SQLite through every stage, unstage and delta), the tables it derives from staging and the ledgers of
-- its passes.
CREATE INDEX IF NOT EXISTS staged_by_action ON staged (resource, json_extract(json, '$.actionId'));
CREATE INDEX IF NOT EXISTS staged_by_participant ON staged (resource, json_extract(json, '$.participantId'));
CREATE TABLE IF NOT EXISTS derived (name TEXT NOT NULL, key TEXT NOT NULL, grp TEXT, ord INTEGER NOT NULL, value TEXT NOT NULL, PRIMARY KEY (name, key));
CREATE INDEX IF NOT EXISTS derived_by_group ON derived (name, grp, ord);
CREATE UNIQUE INDEX IF NOT EXISTS derived_by_ord ON derived (name, ord);
CREATE TABLE IF NOT EXISTS ledger_dispositions (ledger TEXT NOT NULL, resource TEXT NOT NULL, id TEXT NOT NULL, rank INTEGER NOT NULL, json TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS ledger_dispositions_by_record ON ledger_dispositions (ledger, resource, id, rank);
CREATE TABLE IF NOT EXISTS ledger_rows (ledger TEXT NOT NULL, tbl TEXT NOT NULL, key TEXT NOT NULL, outcome TEXT NOT NULL, target_id TEXT, json TEXT NOT NULL,
  PRIMARY KEY (ledger, tbl, key));
CREATE INDEX IF NOT EXISTS ledger_rows_in_order ON ledger_rows (ledger, tbl);
`;

/** Columns a staging index looks records up by: each has an expression index above. */
const FIELD_EXPRESSIONS: Record<StagedField, string> = { actionId: "json_extract(json, '$.actionId')", participantId: "json_extract(json, '$.participantId')" };
/**
 * A list of keys as one JSON parameter for `IN (SELECT value FROM json_each(?))`: one statement whatever the list's
 * length (no bound on host parameters to chunk around, no statement per chunk size), and the IN still uses the index.
 */
const jsonList = (items: string[]) => JSON.stringify([...new Set(items)]);

interface AuditRow {
  run_id: string; seq: number; phase: string; operation: string; tbl: string; key: string; target_id: string | null;
  source_resource: string; source_id: string; before_json: string | null; after_json: string | null; error_code: string | null;
  message: string | null; status: string; occurred_on: string;
}

const toEntry = (r: AuditRow): AuditEntry => ({
  runId: r.run_id, seq: r.seq, phase: r.phase as AuditPhase, operation: r.operation as AuditEntry['operation'], table: r.tbl, key: r.key,
  targetId: r.target_id, sourceResource: r.source_resource, sourceId: r.source_id,
  before: r.before_json ? JSON.parse(r.before_json) : null, after: r.after_json ? JSON.parse(r.after_json) : null,
  errorCode: r.error_code, message: r.message, status: r.status as AuditEntry['status'], occurredOn: r.occurred_on,
});

export class SqliteStateStore implements StateStore {
  private readonly db: Database.Database;
  readonly staging: StagingIndex;

  constructor(file: string) {
    // Created 0600 before SQLite opens it: SQLite gives its -wal and -shm files the database file's rights.
    if (file !== ':memory:') ensurePrivateFile(file);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a commit survives a SIGKILL of the process (and a power cut) before the next Dataverse write starts.
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.staging = this.stagingIndex();
  }

  close(): void {
    this.db.close();
  }

  /** Statements are prepared once: the streaming engine asks millions of small questions. */
  private readonly statements = new Map<string, Database.Statement>();
  private prep(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  getRun(runId: string): RunState | null {
    const row = this.prep('SELECT json FROM runs WHERE run_id = ?').get(runId) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as RunState) : null;
  }

  latestRunId(): string | null {
    const row = this.prep('SELECT run_id FROM runs ORDER BY created_on DESC, rowid DESC LIMIT 1').get() as { run_id: string } | undefined;
    return row?.run_id ?? null;
  }

  saveRun(run: RunState): void {
    this.prep('INSERT INTO runs (run_id, created_on, json) VALUES (?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET json = excluded.json')
      .run(run.runId, run.createdOn, JSON.stringify(run));
  }

  stage(records: StagedRecord[]): void {
    const stmt = this.prep('INSERT INTO staged (resource, id, json) VALUES (?, ?, ?) ON CONFLICT(resource, id) DO UPDATE SET json = excluded.json');
    this.transaction(() => {
      for (const r of records) stmt.run(r.resource, r.id, r.json);
      this.stagingChanged();
    });
  }

  staged(resource: string): StagedRecord[] {
    return this.prep('SELECT resource, id, json FROM staged WHERE resource = ? ORDER BY rowid').all(resource) as StagedRecord[];
  }

  stagedCount(resource: string): number {
    return (this.prep('SELECT COUNT(*) n FROM staged WHERE resource = ?').get(resource) as { n: number }).n;
  }

  stagedIds(resource: string, among?: string[]): string[] {
    if (!among) return (this.prep('SELECT id FROM staged WHERE resource = ? ORDER BY rowid').all(resource) as Array<{ id: string }>).map((r) => r.id);
    const stmt = this.prep('SELECT 1 FROM staged WHERE resource = ? AND id = ?');
    return among.filter((id) => stmt.get(resource, id) !== undefined);
  }

  async stagedIdsAsync(resource: string, among?: string[]): Promise<string[]> {
    return this.stagedIds(resource, among);
  }

  clearStaged(resource: string): void {
    this.transaction(() => {
      this.prep('DELETE FROM staged WHERE resource = ?').run(resource);
      this.stagingChanged();
    });
  }

  /** Staging moved on: derived tables built from the previous version are stale. */
  private stagingChanged(): void {
    this.prep("INSERT INTO checkpoints (name, value) VALUES ('staging:version', '1') ON CONFLICT(name) DO UPDATE SET value = CAST(value AS INTEGER) + 1").run();
  }

  unstage(resource: string, ids: string[]): void {
    const stmt = this.prep('DELETE FROM staged WHERE resource = ? AND id = ?');
    this.transaction(() => {
      for (const id of ids) stmt.run(resource, id);
      this.stagingChanged();
    });
  }

  async stageAsync(records: StagedRecord[]): Promise<void> {
    this.stage(records);
  }

  /** Pages by rowid (staging order), so a resource is never read into memory at once. */
  async *stagedPages(resource: string, pageSize = 1000): AsyncIterable<StagedRecord[]> {
    const stmt = this.db.prepare('SELECT rowid AS n, resource, id, json FROM staged WHERE resource = ? AND rowid > ? ORDER BY rowid LIMIT ?');
    let after = 0;
    for (;;) {
      const rows = stmt.all(resource, after, pageSize) as Array<StagedRecord & { n: number }>;
      if (!rows.length) return;
      after = rows[rows.length - 1].n;
      yield rows.map(({ resource: r, id, json }) => ({ resource: r, id, json }));
    }
  }

  async stagedCountAsync(resource: string): Promise<number> {
    return this.stagedCount(resource);
  }

  async clearStagedAsync(resource: string): Promise<void> {
    this.clearStaged(resource);
  }

  async unstageAsync(resource: string, ids: string[]): Promise<void> {
    this.unstage(resource, ids);
  }

  async commitStaging(change: StagingChange): Promise<void> {
    applyStagingChange(this, change);
  }

  getCheckpoint(name: string): string | null {
    const row = this.prep('SELECT value FROM checkpoints WHERE name = ?').get(name) as { value: string | null } | undefined;
    return row?.value ?? null;
  }

  setCheckpoint(name: string, value: string | null): void {
    if (value === null) this.prep('DELETE FROM checkpoints WHERE name = ?').run(name);
    else this.prep('INSERT INTO checkpoints (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value').run(name, value);
  }

  addPendingAudit(entries: Omit<AuditEntry, 'seq'>[]): AuditEntry[] {
    return this.transaction(() => {
      const next = this.prep('SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM audit WHERE run_id = ?');
      const findPending = this.prep("SELECT * FROM audit WHERE run_id = ? AND phase = ? AND tbl = ? AND key = ? AND operation = ? AND status = 'pending'");
      const insert = this.prep(`INSERT INTO audit (run_id, seq, phase, operation, tbl, key, target_id, source_resource, source_id, before_json, after_json, error_code, message, status, occurred_on)
        VALUES (@runId, @seq, @phase, @operation, @table, @key, @targetId, @sourceResource, @sourceId, @before, @after, @errorCode, @message, @status, @occurredOn)`);
      return entries.map((e) => {
        if (e.status === 'pending') {
          const existing = findPending.get(e.runId, e.phase, e.table, e.key, e.operation) as AuditRow | undefined;
          if (existing) return toEntry(existing); // an interrupted attempt: its before-image is the true one
        }
        const seq = (next.get(e.runId) as { s: number }).s;
        insert.run({ ...e, seq, before: e.before ? JSON.stringify(e.before) : null, after: e.after ? JSON.stringify(e.after) : null });
        return { ...e, seq };
      });
    });
  }

  completeAudit(runId: string, seq: number, patch: Partial<Pick<AuditEntry, 'operation' | 'targetId' | 'after' | 'errorCode' | 'message' | 'before'>>): void {
    const sets = ["status = 'done'"];
    const params: Record<string, unknown> = { runId, seq };
    if (patch.operation !== undefined) { sets.push('operation = @operation'); params.operation = patch.operation; }
    if (patch.targetId !== undefined) { sets.push('target_id = @targetId'); params.targetId = patch.targetId; }
    if (patch.after !== undefined) { sets.push('after_json = @after'); params.after = patch.after ? JSON.stringify(patch.after) : null; }
    if (patch.before !== undefined) { sets.push('before_json = @before'); params.before = patch.before ? JSON.stringify(patch.before) : null; }
    if (patch.errorCode !== undefined) { sets.push('error_code = @errorCode'); params.errorCode = patch.errorCode; }
    if (patch.message !== undefined) { sets.push('message = @message'); params.message = patch.message; }
    this.prep(`UPDATE audit SET ${sets.join(', ')} WHERE run_id = @runId AND seq = @seq`).run(params);
  }

  importAudit(entries: AuditEntry[]): void {
    const insert = this.db.prepare(`INSERT INTO audit (run_id, seq, phase, operation, tbl, key, target_id, source_resource, source_id, before_json, after_json, error_code, message, status, occurred_on)
      VALUES (@runId, @seq, @phase, @operation, @table, @key, @targetId, @sourceResource, @sourceId, @before, @after, @errorCode, @message, @status, @occurredOn)
      ON CONFLICT(run_id, seq) DO NOTHING`);
    this.transaction(() => {
      for (const e of entries) insert.run({ ...e, before: e.before ? JSON.stringify(e.before) : null, after: e.after ? JSON.stringify(e.after) : null });
    });
  }

  audit(runId: string, phase?: AuditPhase): AuditEntry[] {
    const rows = phase
      ? this.prep('SELECT * FROM audit WHERE run_id = ? AND phase = ? ORDER BY seq').all(runId, phase)
      : this.prep('SELECT * FROM audit WHERE run_id = ? ORDER BY seq').all(runId);
    return (rows as AuditRow[]).map(toEntry);
  }

  firstPendingAuditSeq(runId: string): number | null {
    const row = this.prep("SELECT MIN(seq) AS seq FROM audit WHERE run_id = ? AND status = 'pending'").get(runId) as { seq: number | null } | undefined;
    return row?.seq ?? null;
  }

  pendingAudit(runId: string): AuditEntry[] {
    return (this.prep("SELECT * FROM audit WHERE run_id = ? AND status = 'pending' ORDER BY seq").all(runId) as AuditRow[]).map(toEntry);
  }

  setOutcomes(runId: string, outcomes: RecordOutcome[]): void {
    const stmt = this.prep(`INSERT INTO outcomes (run_id, resource, id, outcome, message, targets) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(run_id, resource, id) DO UPDATE SET outcome = excluded.outcome, message = excluded.message, targets = excluded.targets`);
    this.transaction(() => {
      this.prep('DELETE FROM outcomes WHERE run_id = ?').run(runId);
      for (const o of outcomes) stmt.run(runId, o.resource, o.id, o.outcome, o.message, o.targets);
    });
  }

  outcomes(runId: string): RecordOutcome[] {
    return this.prep('SELECT resource, id, outcome, message, targets FROM outcomes WHERE run_id = ? ORDER BY resource, id').all(runId) as RecordOutcome[];
  }

  addOutcomes(runId: string, outcomes: RecordOutcome[], replace: boolean): void {
    const stmt = this.prep(`INSERT INTO outcomes (run_id, resource, id, outcome, message, targets) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(run_id, resource, id) DO UPDATE SET outcome = excluded.outcome, message = excluded.message, targets = excluded.targets`);
    this.transaction(() => {
      if (replace) this.prep('DELETE FROM outcomes WHERE run_id = ?').run(runId);
      for (const o of outcomes) stmt.run(runId, o.resource, o.id, o.outcome, o.message, o.targets);
    });
  }

  outcomesPage(runId: string, after: OutcomeCursor | null, limit: number): RecordOutcome[] {
    // In the order outcomes() gives (resource, id), from the cursor on (no cursor: from ('', ''), before every record):
    // the primary key's index seeks to it (EXPLAIN QUERY PLAN: SEARCH outcomes USING INDEX sqlite_autoindex_outcomes_1
    // (run_id=? AND (resource,id)>(?,?))).
    const from = after ?? { resource: '', id: '' };
    return this.prep('SELECT resource, id, outcome, message, targets FROM outcomes WHERE run_id = ? AND (resource, id) > (?, ?) ORDER BY resource, id LIMIT ?')
      .all(runId, from.resource, from.id, limit) as RecordOutcome[];
  }

  clearLedger(ledger: string): void {
    this.transaction(() => {
      this.prep('DELETE FROM ledger_dispositions WHERE ledger = ?').run(ledger);
      this.prep('DELETE FROM ledger_rows WHERE ledger = ?').run(ledger);
    });
  }

  addDispositions(ledger: string, records: DispositionRecord[]): void {
    const stmt = this.prep('INSERT INTO ledger_dispositions (ledger, resource, id, rank, json) VALUES (?, ?, ?, ?, ?)');
    this.transaction(() => {
      for (const r of records) stmt.run(ledger, r.resource, r.id, r.rank, r.json);
    });
  }

  dispositions(ledger: string, resource: string, ids: string[]): DispositionRecord[] {
    return this.prep(`SELECT resource, id, rank, json FROM ledger_dispositions WHERE ledger = ? AND resource = ? AND id IN (SELECT value FROM json_each(?))
      ORDER BY id, rank, rowid`).all(ledger, resource, jsonList(ids)) as DispositionRecord[];
  }

  putLoadedRows(ledger: string, rows: LoadedRow[]): void {
    // ON CONFLICT keeps the row's place (rowid): pages come in the order rows were first put.
    const stmt = this.prep(`INSERT INTO ledger_rows (ledger, tbl, key, outcome, target_id, json) VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT(ledger, tbl, key) DO UPDATE SET outcome = excluded.outcome, target_id = excluded.target_id, json = excluded.json`);
    this.transaction(() => {
      for (const r of rows) stmt.run(ledger, r.table, r.key, r.outcome, r.targetId, r.json);
    });
  }

  loadedRows(ledger: string, table: string, keys: string[]): LoadedRow[] {
    return this.prep('SELECT tbl AS "table", key, outcome, target_id AS targetId, json FROM ledger_rows WHERE ledger = ? AND tbl = ? AND key IN (SELECT value FROM json_each(?))')
      .all(ledger, table, jsonList(keys)) as LoadedRow[];
  }

  loadedRowsPage(ledger: string, table: string, after: number, limit: number): Array<LoadedRow & { position: number }> {
    return this.prep('SELECT rowid AS position, tbl AS "table", key, outcome, target_id AS targetId, json FROM ledger_rows WHERE ledger = ? AND tbl = ? AND rowid > ? ORDER BY rowid LIMIT ?')
      .all(ledger, table, after, limit) as Array<LoadedRow & { position: number }>;
  }

  auditPage(runId: string, q: { afterSeq?: number; beforeSeq?: number; phase?: AuditPhase; notPhase?: AuditPhase; limit: number; descending?: boolean }): AuditEntry[] {
    const where = ['run_id = @runId'];
    if (q.afterSeq !== undefined) where.push('seq > @afterSeq');
    if (q.beforeSeq !== undefined) where.push('seq < @beforeSeq');
    if (q.phase) where.push('phase = @phase');
    if (q.notPhase) where.push('phase <> @notPhase');
    const rows = this.prep(`SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY seq ${q.descending ? 'DESC' : 'ASC'} LIMIT @limit`)
      .all({ runId, afterSeq: q.afterSeq ?? null, beforeSeq: q.beforeSeq ?? null, phase: q.phase ?? null, notPhase: q.notPhase ?? null, limit: q.limit }) as AuditRow[];
    return rows.map(toEntry);
  }

  // Many keys in one statement: the list goes as one JSON array parameter (json_each), so there is no bound on host
  // parameters to chunk around; the IN uses the (run, phase, key) and (run, target NOCASE) indexes. Sorted here: with
  // ORDER BY seq in the SQL, SQLite scans the run's whole audit by its primary key instead (EXPLAIN QUERY PLAN).
  auditByKeys(runId: string, phase: AuditPhase, table: string | null, keys: string[]): AuditEntry[] {
    const byTable = table === null ? '' : ' AND tbl = @table';
    const rows = this.prep(`SELECT * FROM audit WHERE run_id = @runId AND phase = @phase AND key IN (SELECT value FROM json_each(@keys))${byTable}`)
      .all({ runId, phase, keys: jsonList(keys), ...(table === null ? {} : { table }) }) as AuditRow[];
    return rows.sort((a, b) => a.seq - b.seq).map(toEntry);
  }

  auditByTargets(runId: string, targetIds: string[]): AuditEntry[] {
    const rows = this.prep('SELECT * FROM audit WHERE run_id = ? AND target_id COLLATE NOCASE IN (SELECT value FROM json_each(?))')
      .all(runId, jsonList(targetIds.map((t) => t.toLowerCase()))) as AuditRow[];
    return rows.sort((a, b) => a.seq - b.seq).map(toEntry);
  }

  private stagingIndex(): StagingIndex {
    return {
      version: () => Number(this.getCheckpoint('staging:version') ?? 0),
      page: (resource, after, limit) => this.prep('SELECT rowid AS position, resource, id, json FROM staged WHERE resource = ? AND rowid > ? ORDER BY rowid LIMIT ?')
        .all(resource, after, limit) as Array<StagedRecord & { position: number }>,
      byIds: (resource, ids) => {
        const out = this.prep('SELECT rowid AS position, resource, id, json FROM staged WHERE resource = ? AND id IN (SELECT value FROM json_each(?))')
          .all(resource, jsonList(ids)) as Array<StagedRecord & { position: number }>;
        return out.sort((a, b) => a.position - b.position).map(({ resource: r, id, json }) => ({ resource: r, id, json }));
      },
      where: (resource, field, value) => this.prep(`SELECT resource, id, json FROM staged WHERE resource = ? AND ${FIELD_EXPRESSIONS[field]} = ? ORDER BY rowid`)
        .all(resource, value) as StagedRecord[],
      replaceDerived: (name, rows) => this.transaction(() => {
        this.prep('DELETE FROM derived WHERE name = ?').run(name);
        const insert = this.prep('INSERT INTO derived (name, key, grp, ord, value) VALUES (?, ?, ?, ?, ?)');
        for (const r of rows) insert.run(name, r.key, r.group, r.ord, r.value);
      }),
      derived: (name, key) => (this.prep('SELECT key, grp AS "group", ord, value FROM derived WHERE name = ? AND key = ?').get(name, key) as DerivedRow | undefined) ?? null,
      derivedGroup: (name, group) => this.prep('SELECT key, grp AS "group", ord, value FROM derived WHERE name = ? AND grp = ? ORDER BY ord').all(name, group) as DerivedRow[],
      derivedPage: (name, after, limit) => this.prep('SELECT key, grp AS "group", ord, value FROM derived WHERE name = ? AND ord > ? ORDER BY ord LIMIT ?').all(name, after, limit) as DerivedRow[],
    };
  }
}
