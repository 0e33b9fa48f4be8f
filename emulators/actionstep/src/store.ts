// SQLite store of the emulated Actionstep database. Records are kept as their wire JSON (what the API sends), one
// table per resource, loaded from the generator by streaming in transactions of a few thousand rows, so even an xl
// firm never sits in memory.
import Database from 'better-sqlite3';
import type { ResourceName, TrustLedgerEntry } from '@astep/actionstep-connector/records';
import { RESOURCES, RESOURCE_NAMES, toWire, type WireObject } from '@astep/actionstep-connector/resources';
import type { GeneratedFirm } from './generator';

const BATCH = 5000;

export function tableOf(resource: ResourceName): string {
  return `r_${resource}`;
}

/** Epoch milliseconds of an ISO timestamp or date; no offset means UTC (reference §5, S12). Null if unparseable. */
export function timestampMs(value: unknown): number | null {
  if (typeof value !== 'string' || value === '') return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', tz] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  let ms = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s));
  if (new Date(Date.UTC(Number(y), month - 1, day)).getUTCDate() !== day) return null; // 2023-02-30
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
    ms -= sign * offMin * 60_000;
  }
  return ms;
}

const DERIVED_PARTICIPANT_FIELD = /^(?:(?:physical|mailing)(?:AddressLine1|AddressLine2|City|StateProvince|PostCode)|phone[1-4](?:Label|Country|Area|Number))$/;

/**
 * Overlays a canonical wire object (toWire of the normalized record) on a stored one: fields and links the normalized
 * record carries come from `canon`; wire-only fields (isFavorite, amlReviewStatus, ...) keep the stored value.
 */
export function overlayCanonical(resource: ResourceName, stored: WireObject, canon: WireObject): WireObject {
  const def = RESOURCES[resource];
  const out: WireObject = { ...stored };
  for (const f of def.fields) {
    const derived = resource === 'participants' && DERIVED_PARTICIPANT_FIELD.test(f.name);
    if (f.record || derived || !(f.name in stored)) out[f.name] = canon[f.name];
  }
  const links: Record<string, unknown> = { ...(stored.links ?? {}) };
  for (const l of def.links) {
    const derived = resource === 'participants' && (l.name === 'physicalCountry' || l.name === 'mailingCountry');
    if (l.record || derived || !(l.name in links)) links[l.name] = canon.links?.[l.name] ?? null;
  }
  out.links = links;
  return out;
}

export interface StoredRow {
  seq: number;
  id: string;
  actionId: string | null;
  wire: WireObject;
}

function actionIdOf(resource: ResourceName, wire: WireObject): string | null {
  if (resource === 'actions') return String(wire.id);
  const link = wire.links?.action;
  if (Array.isArray(link)) return link.length ? String(link[0]) : null; // bills: the first matter governs visibility
  return link === null || link === undefined || link === '' ? null : String(link);
}

export class FirmStore {
  readonly db: Database.Database;
  /** Bumped on every write: query caches (counts, page anchors) are keyed on it. */
  version = 0;
  private nextComposite = new Map<ResourceName, number>();
  /** Prepared once: get/isHiddenFrom run per by-id read and per sideloaded record, and SQLite parses SQL on prepare. */
  private readonly statements = new Map<string, Database.Statement>();

  constructor(dbPath: string) {
    this.db = new Database(dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = OFF');
    this.db.function('ts_ms', { deterministic: true }, (v: unknown) => timestampMs(v));
    for (const r of RESOURCE_NAMES) {
      this.db.exec(`DROP TABLE IF EXISTS ${tableOf(r)};
        CREATE TABLE ${tableOf(r)} (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, action_id TEXT, wire TEXT NOT NULL);
        CREATE INDEX ${tableOf(r)}_action ON ${tableOf(r)}(action_id);`);
    }
    this.db.exec(`DROP TABLE IF EXISTS restricted_matters; DROP TABLE IF EXISTS matter_access; DROP TABLE IF EXISTS trust_ledger;
      CREATE TABLE restricted_matters (action_id TEXT PRIMARY KEY);
      CREATE TABLE matter_access (action_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (action_id, user_id));
      CREATE TABLE trust_ledger (seq INTEGER PRIMARY KEY, action_id TEXT NOT NULL, row TEXT NOT NULL);`);
  }

  /** Streams the firm into the tables; memory stays flat whatever the size. `nominatedOnAllMatters`: users given
   *  access to every restricted matter besides the generated nominations. */
  load(firm: GeneratedFirm, options: { nominatedOnAllMatters?: string[] } = {}): void {
    for (const r of RESOURCE_NAMES) {
      const insert = this.insertStatement(r);
      let batch: unknown[] = [];
      const flush = this.db.transaction((rows: unknown[]) => {
        for (const rec of rows) {
          const wire = toWire(r, rec as never, r === 'users' ? { extras: { isCurrent: 'F' } } : {});
          insert.run(this.seqFor(r, wire), String(wire.id), actionIdOf(r, wire), JSON.stringify(wire));
        }
      });
      for (const rec of firm.iterate(r)) {
        batch.push(rec);
        if (batch.length >= BATCH) {
          flush(batch);
          batch = [];
        }
      }
      if (batch.length) flush(batch);
    }
    const tx = this.db.transaction((items: TrustLedgerEntry[]) => {
      const ins = this.db.prepare('INSERT INTO trust_ledger (action_id, row) VALUES (?, ?)');
      for (const t of items) ins.run(t.actionId, JSON.stringify(t));
    });
    let trust: TrustLedgerEntry[] = [];
    for (const t of firm.iterateTrustLedger()) {
      trust.push(t);
      if (trust.length >= BATCH) {
        tx(trust);
        trust = [];
      }
    }
    if (trust.length) tx(trust);
    const rm = this.db.prepare('INSERT INTO restricted_matters (action_id) VALUES (?)');
    const acc = this.db.prepare('INSERT OR IGNORE INTO matter_access (action_id, user_id) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const a of firm.iterateRestrictedMatters()) {
        rm.run(a.actionId);
        for (const u of [...a.userIds, ...(options.nominatedOnAllMatters ?? [])]) acc.run(a.actionId, u);
      }
    })();
  }

  private statement(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  private insertStatement(r: ResourceName): Database.Statement {
    return this.statement(`INSERT INTO ${tableOf(r)} (seq, id, action_id, wire) VALUES (?, ?, ?, ?)`);
  }

  private seqFor(r: ResourceName, wire: WireObject): number {
    if (RESOURCES[r].idKind === 'integer') return Number(wire.id);
    const n = (this.nextComposite.get(r) ?? 0) + 1;
    this.nextComposite.set(r, n);
    return n;
  }

  nextIntegerId(r: ResourceName): number {
    const row = this.statement(`SELECT MAX(seq) AS m FROM ${tableOf(r)}`).get() as { m: number | null };
    return Math.max(row.m ?? 0, 0) + 1;
  }

  get(r: ResourceName, id: string): StoredRow | null {
    const row = this.statement(`SELECT seq, id, action_id, wire FROM ${tableOf(r)} WHERE id = ?`).get(id) as
      | { seq: number; id: string; action_id: string | null; wire: string }
      | undefined;
    return row ? { seq: row.seq, id: row.id, actionId: row.action_id, wire: JSON.parse(row.wire) as WireObject } : null;
  }

  insert(r: ResourceName, wire: WireObject): void {
    this.insertStatement(r).run(this.seqFor(r, wire), String(wire.id), actionIdOf(r, wire), JSON.stringify(wire));
    this.version++;
  }

  replace(r: ResourceName, wire: WireObject): void {
    this.statement(`UPDATE ${tableOf(r)} SET wire = ?, action_id = ? WHERE id = ?`).run(JSON.stringify(wire), actionIdOf(r, wire), String(wire.id));
    this.version++;
  }

  delete(r: ResourceName, id: string): boolean {
    const res = this.statement(`DELETE FROM ${tableOf(r)} WHERE id = ?`).run(id);
    this.version++;
    return res.changes > 0;
  }

  /** Matters hidden from a user: restricted to others (reference §1 "user-centric model"). */
  hiddenMatterSql(): string {
    return `SELECT r.action_id FROM restricted_matters r WHERE NOT EXISTS
      (SELECT 1 FROM matter_access a WHERE a.action_id = r.action_id AND a.user_id = @actingUser)`;
  }

  isHiddenFrom(actionId: string | null, userId: string): boolean {
    if (actionId === null) return false;
    const row = this.statement(`SELECT 1 FROM restricted_matters r WHERE r.action_id = ? AND NOT EXISTS
        (SELECT 1 FROM matter_access a WHERE a.action_id = r.action_id AND a.user_id = ?)`).get(actionId, userId);
    return row !== undefined;
  }

  *trustRows(userId: string): Iterable<TrustLedgerEntry> {
    const stmt = this.db.prepare(
      `SELECT row FROM trust_ledger WHERE action_id NOT IN (${this.hiddenMatterSql()}) ORDER BY seq`,
    );
    for (const r of stmt.iterate({ actingUser: userId }) as Iterable<{ row: string }>) {
      yield JSON.parse(r.row) as TrustLedgerEntry;
    }
  }

  close(): void {
    this.db.close();
  }
}
