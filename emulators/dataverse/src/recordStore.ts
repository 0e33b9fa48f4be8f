// Record storage on SQLite (better-sqlite3): one table per Dataverse table, `id TEXT PRIMARY KEY, data JSON, ver`.
// Alternate keys become UNIQUE expression indexes on json_extract(...) COLLATE NOCASE once Active (SQL Server's
// default collation is case-insensitive, so 'ABC' and 'abc' collide on a real key too). $filter/$orderby are
// translated to SQL over the same expressions, so key lookups and filtered queries use the indexes.
import Database from 'better-sqlite3';
import type { KeyMeta, EntityMeta } from './metadataTypes';

export interface StoredRow {
  id: string;
  data: Record<string, unknown>;
  version: number;
}

export function tableName(e: EntityMeta | string): string {
  return `r_${typeof e === 'string' ? e : e.logicalName}`;
}
export function colExpr(attr: string, alias = ''): string {
  return `json_extract(${alias}data, '$."${attr.replace(/"/g, '')}"')`;
}
function keyIndexName(e: EntityMeta, k: KeyMeta): string {
  return `k_${e.logicalName}__${k.logicalName}`.replace(/[^A-Za-z0-9_]/g, '_');
}

export class RecordStore {
  readonly db: Database.Database;
  private version = 1000;
  private stmtCache = new Map<string, Database.Statement>();

  constructor(dbPath: string) {
    this.db = new Database(dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = OFF');
    this.db.exec('CREATE TABLE IF NOT EXISTS _emulator_meta (k TEXT PRIMARY KEY, v TEXT NOT NULL)');
  }

  close(): void {
    this.db.close();
  }

  getMeta(k: string): string | undefined {
    const r = this.db.prepare('SELECT v FROM _emulator_meta WHERE k = ?').get(k) as { v: string } | undefined;
    return r?.v;
  }
  setMeta(k: string, v: string): void {
    this.db.prepare('INSERT INTO _emulator_meta (k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v').run(k, v);
  }

  ensureTable(e: EntityMeta): void {
    this.db.exec(`CREATE TABLE IF NOT EXISTS "${tableName(e)}" (id TEXT PRIMARY KEY, data TEXT NOT NULL, ver INTEGER NOT NULL)`);
    const r = this.db.prepare(`SELECT max(ver) AS v FROM "${tableName(e)}"`).get() as { v: number | null };
    if (r.v && r.v >= this.version) this.version = r.v + 1;
  }

  nextVersion(): number {
    return ++this.version;
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmtCache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmtCache.set(sql, s);
    }
    return s;
  }

  get(e: EntityMeta, id: string): StoredRow | undefined {
    const r = this.stmt(`SELECT id, data, ver FROM "${tableName(e)}" WHERE id = ?`).get(id) as { id: string; data: string; ver: number } | undefined;
    return r ? { id: r.id, data: JSON.parse(r.data), version: r.ver } : undefined;
  }

  insert(e: EntityMeta, row: StoredRow): void {
    this.stmt(`INSERT INTO "${tableName(e)}" (id, data, ver) VALUES (?, ?, ?)`).run(row.id, JSON.stringify(row.data), row.version);
  }
  update(e: EntityMeta, row: StoredRow): void {
    this.stmt(`UPDATE "${tableName(e)}" SET data = ?, ver = ? WHERE id = ?`).run(JSON.stringify(row.data), row.version, row.id);
  }
  delete(e: EntityMeta, id: string): void {
    this.stmt(`DELETE FROM "${tableName(e)}" WHERE id = ?`).run(id);
  }

  /** Finds rows whose key columns equal the values (case-insensitive for strings, like SQL Server). */
  findByColumns(e: EntityMeta, cols: string[], values: unknown[]): StoredRow[] {
    const where = cols.map((c, i) => (values[i] === null ? `${colExpr(c)} IS NULL` : `${colExpr(c)} = ? COLLATE NOCASE`)).join(' AND ');
    const params = values.filter((v) => v !== null).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    const rows = this.stmt(`SELECT id, data, ver FROM "${tableName(e)}" WHERE ${where} LIMIT 2`).all(...params) as Array<{ id: string; data: string; ver: number }>;
    return rows.map((r) => ({ id: r.id, data: JSON.parse(r.data), version: r.ver }));
  }

  private lookupIndexes = new Set<string>();
  /** Rows whose lookup column holds `id` (indexed: lookups are indexed on the real platform too). */
  findByLookup(e: EntityMeta, attr: string, id: string): StoredRow[] {
    const name = `l_${e.logicalName}__${attr}`.replace(/[^A-Za-z0-9_]/g, '_');
    if (!this.lookupIndexes.has(name)) {
      this.db.exec(`CREATE INDEX IF NOT EXISTS "${name}" ON "${tableName(e)}" (${colExpr(attr)})`);
      this.lookupIndexes.add(name);
    }
    const rows = this.stmt(`SELECT id, data, ver FROM "${tableName(e)}" WHERE ${colExpr(attr)} = ?`).all(id) as Array<{ id: string; data: string; ver: number }>;
    return rows.map((r) => ({ id: r.id, data: JSON.parse(r.data), version: r.ver }));
  }

  /** Ids of rows whose key columns equal the values, without reading the rows (binds only need the id). */
  findIdsByColumns(e: EntityMeta, cols: string[], values: unknown[]): string[] {
    const where = cols.map((c, i) => (values[i] === null ? `${colExpr(c)} IS NULL` : `${colExpr(c)} = ? COLLATE NOCASE`)).join(' AND ');
    const params = values.filter((v) => v !== null).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
    return (this.stmt(`SELECT id FROM "${tableName(e)}" WHERE ${where} LIMIT 2`).all(...params) as Array<{ id: string }>).map((r) => r.id);
  }

  /** Whether a row exists, and one column of it, without parsing the whole row (large memo columns). */
  peek(e: EntityMeta, id: string, column: string): { exists: boolean; value: unknown } {
    const r = this.stmt(`SELECT ${colExpr(column)} AS v FROM "${tableName(e)}" WHERE id = ?`).get(id) as { v: unknown } | undefined;
    return r ? { exists: true, value: r.v } : { exists: false, value: undefined };
  }

  /** Builds the unique index for an alternate key; false (key Failed) when existing rows hold duplicate values. */
  activateKey(e: EntityMeta, k: KeyMeta): boolean {
    const exprs = k.keyAttributes.map((c) => `${colExpr(c)} COLLATE NOCASE`);
    const notNull = k.keyAttributes.map((c) => `${colExpr(c)} IS NOT NULL`).join(' AND ');
    const dup = this.db.prepare(`SELECT 1 FROM "${tableName(e)}" WHERE ${notNull} GROUP BY ${exprs.join(', ')} HAVING count(*) > 1 LIMIT 1`).get();
    if (dup) return false;
    this.db.exec(`CREATE UNIQUE INDEX IF NOT EXISTS "${keyIndexName(e, k)}" ON "${tableName(e)}" (${exprs.join(', ')})`);
    return true;
  }

  dropKeyIndex(e: EntityMeta, k: KeyMeta): void {
    this.db.exec(`DROP INDEX IF EXISTS "${keyIndexName(e, k)}"`);
  }

  /** Which key a UNIQUE constraint failure came from (SQLite names the index columns, not the index). */
  keyForConstraintError(e: EntityMeta, message: string): KeyMeta | undefined {
    for (const k of e.keys) if (k.status === 'Active' && k.keyAttributes.every((c) => message.includes(c))) return k;
    return e.keys.find((k) => k.status === 'Active');
  }

  query(sql: string, params: unknown[]): Array<{ id: string; data: string; ver: number }> {
    return this.stmt(sql).all(...params) as Array<{ id: string; data: string; ver: number }>;
  }
  scalar(sql: string, params: unknown[]): number {
    const r = this.stmt(sql).get(...params) as { n: number };
    return r.n;
  }

  count(e: EntityMeta): number {
    return (this.stmt(`SELECT count(*) AS n FROM "${tableName(e)}"`).get() as { n: number }).n;
  }

  all(e: EntityMeta): StoredRow[] {
    const rows = this.stmt(`SELECT id, data, ver FROM "${tableName(e)}" ORDER BY rowid`).all() as Array<{ id: string; data: string; ver: number }>;
    return rows.map((r) => ({ id: r.id, data: JSON.parse(r.data), version: r.ver }));
  }

  /** Runs fn inside a savepoint: everything or nothing (change sets, bulk actions). */
  atomic<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
