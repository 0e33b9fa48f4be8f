// Rollback from the audit: newest write first, re-open what the run closed, delete what it created, restore what it
// updated to the before values (pre-existing records included). Dataverse is asked what changed, not our memory of
// what we wrote: a record whose row version moved since the run's latest write to it (any column, by anyone), or
// that has a child the run did not create (a note, an activity, a contact...), is a conflict: reported with what
// changed, by whom and when, and left alone with everything it points to, unless forced. Every step is itself
// audited (phase 'rollback') before it is done, so a killed rollback resumes where it stopped, and running it twice
// changes nothing the second time. It goes at the speed of the run: the audit is read a page at a time (newest
// first), each page's records and their children are read in bulk, and its deletes, re-opens and restores go as
// batches (`$batch` deletes, bulk updates) through the same identities the loader uses; nothing of the whole run is
// held in memory but the conflicts.
import type { AuditEntry, ProgressReporter, Row, SinkPort, StateStore } from '../ports';
import { sameValue } from '../load/compare';
import { MAPPINGS } from '../mappings';
import type { MappingSet } from '../mappings/mappingSet';
import { findChildren, type ChildRow } from './childRecords';
import { tableRecordName as recordName } from '../vocabulary/objects';
import { formatDateTime } from '../vocabulary/format';

/** What Dataverse stamps on every write of a row (row version, when, who): the audit's after-images carry them. */
export const ROW_STAMPS = ['versionnumber', 'modifiedon', '_modifiedby_value'];

export interface RollbackOptions {
  force?: boolean;
  now?: () => Date;
  /** The mappings the run wrote with: their lookups, tables and lifecycles (default: the migration's). */
  mappings?: MappingSet;
}

export interface RollbackItem {
  seq: number;
  table: string;
  key: string;
  targetId: string | null;
  action: 'deleted' | 'restored' | 'reopened' | 'already' | 'conflict' | 'failed';
  message: string | null;
  /** For a conflict: who last changed the record and when (Dataverse's modifiedby, resolved to the user's name). */
  changedBy?: string | null;
  changedOn?: string | null;
  /** For a conflict: the records under it that the run did not create. */
  children?: Array<{ table: string; id: string; createdBy: string | null; createdOn: string | null }>;
}

/** A reason to leave an entry alone, as conflictOf finds it. */
type Conflict = Omit<RollbackItem, 'seq' | 'table' | 'key' | 'targetId' | 'action'> & { inherited?: boolean };

export interface RollbackResult {
  runId: string;
  /** Every conflict and failure; the routine steps (deleted, restored, re-opened, already undone) up to a thousand. */
  items: RollbackItem[];
  /** Routine steps not listed in `items` (their counts are complete). */
  itemsLeftOut: number;
  counts: Record<RollbackItem['action'], number>;
  /** The same counts per table (complete, whatever `items` lists). */
  tables: Record<string, Record<RollbackItem['action'], number>>;
  complete: boolean;
  /** Dataverse requests this rollback sent (reads, batches, the audit's mirror), retries and throttled ones included. */
  dataverseRequests: number;
}

/** Routine items listed in a result (the counts cover every one). */
const ROUTINE_ITEMS = 1000;
/** Audit entries undone per page: the records read, their children found and their steps batched together. */
const PAGE = 2000;

/** Columns and lookups of a before-image as a PATCH body (a lookup is bound again by its GUID, as the mapping declares it). */
function restoreBody(mappings: MappingSet, table: string, before: Row, pk: string): Row {
  const body: Row = {};
  for (const [column, value] of Object.entries(before)) {
    if (column === pk || column === 'statecode' || column === 'statuscode') continue;
    if (column.startsWith('_') && column.endsWith('_value')) {
      const lookup = mappings.lookupByAttribute(table, column);
      if (!lookup) continue;
      body[`${lookup.navigation}@odata.bind`] = value ? `/${mappings.tableInfo(lookup.table).entitySetName}(${value})` : null;
    } else body[column] = value;
  }
  return body;
}

/** One step of a rollback, decided for an audit entry before its requests go. */
interface Step {
  e: AuditEntry;
  rollbackKey: string;
  now: Row;
  entry: AuditEntry | null;
  base: Omit<RollbackItem, 'action' | 'message'>;
}

export class RollbackExecutor {
  private readonly now: () => Date;
  /** Records left alone: a conflict (own), or pointed to by one (deleting it would cascade to kept work). */
  private readonly kept = new Map<string, { own: boolean; because: string }>();
  private userNames: Map<string, string> | null = null;
  /** Rollback steps written ahead by an attempt that was killed before it knew their result. */
  private interrupted = new Set<string>();
  private readonly mappings: MappingSet;
  private items: RollbackItem[] = [];
  private itemsLeftOut = 0;
  private readonly counts = noSteps();
  private readonly tables: Record<string, Record<RollbackItem['action'], number>> = {};
  constructor(private readonly sink: SinkPort, private readonly store: StateStore, private readonly progress: ProgressReporter, private readonly options: RollbackOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.mappings = options.mappings ?? MAPPINGS;
  }

  /** The writes to undo: every completed create, update and state change of the run, newest first (a page at a time). */
  *planPages(runId: string, size = PAGE): Generator<AuditEntry[]> {
    for (let before: number | undefined; ;) {
      const page = this.store.auditPage(runId, { beforeSeq: before, notPhase: 'rollback', limit: size, descending: true });
      if (!page.length) return;
      before = page[page.length - 1].seq;
      const undoable = page.filter(isUndoable);
      if (undoable.length) yield undoable;
    }
  }

  /** The whole plan at once (small runs, tests). */
  plan(runId: string): AuditEntry[] {
    return [...this.planPages(runId)].flat();
  }

  async execute(runId: string): Promise<RollbackResult> {
    const requestsBefore = this.sink.requestCount();
    this.interrupted = new Set(this.store.pendingAudit(runId).filter((e) => e.phase === 'rollback').map((e) => e.key));
    this.progress.start('rollback', 0);
    for (const page of this.planPages(runId)) await this.undoPage(runId, page);
    this.progress.done('rollback');
    const counts = { ...this.counts };
    return {
      runId, items: this.items, itemsLeftOut: this.itemsLeftOut, counts, tables: this.tables, complete: counts.failed === 0 && counts.conflict === 0,
      dataverseRequests: this.sink.requestCount() - requestsBefore,
    };
  }

  private report(item: RollbackItem): void {
    this.counts[item.action]++;
    (this.tables[item.table] ??= noSteps())[item.action]++;
    if (item.action === 'conflict' || item.action === 'failed' || this.items.length < ROUTINE_ITEMS) this.items.push(item);
    else this.itemsLeftOut++;
    this.progress.tick('rollback');
  }

  /**
   * One page of the plan: what Dataverse holds now for its records and what points at the ones it created, then the
   * steps table by table, children's tables first (a child was always written after its parent, so within the
   * page the tables go in reverse load order; pages go newest first), each table's steps batched.
   */
  private async undoPage(runId: string, page: AuditEntry[]): Promise<void> {
    // Steps an earlier attempt finished; failed steps are tried again, conflicts too when forced.
    const done = new Map<string, AuditEntry>();
    for (const e of this.store.auditByKeys(runId, 'rollback', null, page.map((e) => `seq-${e.seq}`))) {
      if (e.status === 'done' && e.operation !== 'error' && !(this.options.force && e.operation === 'conflict')) done.set(e.key, e);
    }
    // Only the run's latest write to a record is compared with what is there now: the newest undoable entry of it.
    const targets = [...new Set(page.filter((e) => e.targetId).map((e) => (e.targetId as string).toLowerCase()))];
    const latest = new Map<string, number>();
    for (const e of this.store.auditByTargets(runId, targets)) {
      if (!isUndoable(e)) continue;
      const id = (e.targetId as string).toLowerCase();
      latest.set(id, Math.max(latest.get(id) ?? 0, e.seq));
    }
    const order = new Map(this.mappings.names.map((t, i) => [t, i] as const));
    const byTable = new Map<string, AuditEntry[]>();
    for (const e of page) {
      const list = byTable.get(e.table);
      if (list) list.push(e);
      else byTable.set(e.table, [e]);
    }
    const tables = [...byTable.keys()].sort((a, b) => (order.get(b) ?? -1) - (order.get(a) ?? -1));
    for (const table of tables) {
      const entries = byTable.get(table)!;
      const current = await this.readCurrent(table, entries);
      const children = await this.readChildren(runId, table, entries, current);
      // Waves: the same record's entries go one after another, newest first; different records go together.
      const waves: AuditEntry[][] = [];
      const depth = new Map<string, number>();
      for (const e of entries) {
        const id = String(e.targetId).toLowerCase();
        const n = depth.get(id) ?? 0;
        depth.set(id, n + 1);
        (waves[n] ??= []).push(e);
      }
      for (const wave of waves) await this.undoWave(runId, table, wave, current, children, done, latest);
    }
  }

  private async readCurrent(table: string, entries: AuditEntry[]): Promise<Map<string, Row>> {
    const out = new Map<string, Row>();
    const info = this.mappings.tableInfo(table);
    const cols = new Set<string>([info.primaryIdAttribute, ...ROW_STAMPS]);
    for (const e of entries) for (const c of [...Object.keys(e.after ?? {}), ...Object.keys(e.before ?? {})]) cols.add(c);
    if (this.mappings.get(table)?.lifecycle) ['statecode', 'statuscode'].forEach((c) => cols.add(c));
    const ids = [...new Set(entries.filter((e) => e.targetId).map((e) => e.targetId as string))];
    for (const r of await this.sink.readByValues(info, info.primaryIdAttribute, ids, [...cols])) out.set(String(r[info.primaryIdAttribute]).toLowerCase(), r);
    return out;
  }

  /**
   * Rows that point at the records of this table the run created, read right before they are deleted (a cascade
   * would hide them), with whether the run created each of them too.
   */
  private async readChildren(runId: string, table: string, entries: AuditEntry[], current: Map<string, Row>): Promise<Map<string, Array<ChildRow & { ours: boolean }>>> {
    const out = new Map<string, Array<ChildRow & { ours: boolean }>>();
    if (table === 'annotation' || table === 'opportunityclose') return out;
    const created = [...new Set(entries.filter((e) => e.operation === 'create' && e.targetId && current.has(e.targetId.toLowerCase())).map((e) => e.targetId as string))];
    if (!created.length) return out;
    const found = await findChildren(this.sink, table, created);
    const childIds = [...new Set([...found.values()].flat().map((c) => c.id))];
    const ours = new Set<string>();
    for (const e of childIds.length ? this.store.auditByTargets(runId, childIds) : []) {
      if (e.phase !== 'rollback' && e.operation === 'create' && e.status === 'done') ours.add((e.targetId as string).toLowerCase());
    }
    for (const [parent, list] of found) out.set(parent, list.map((c) => ({ ...c, ours: ours.has(c.id) })));
    return out;
  }

  /** Children that deleting `parentId` would delete or unlink and that are not the run's own (or that the run kept). */
  private foreignChildren(children: Map<string, Array<ChildRow & { ours: boolean }>>, parentId: string): ChildRow[] {
    return (children.get(parentId) ?? []).filter((c) => (c.ours ? this.kept.has(c.id) : true));
  }
  /**
   * What changed since the run's latest write: the row version moved (any column, by anyone) and, where a column
   * the run wrote differs, which one. Entries written before after-images carried the row version have only the
   * columns the run wrote (and modifiedon when recorded): those are compared instead.
   */
  private changesAfterRun(e: AuditEntry, now: Row): string[] | null {
    const after = e.after ?? {};
    const pk = this.mappings.tableInfo(e.table).primaryIdAttribute;
    const written: string[] = [];
    for (const [column, value] of Object.entries(after)) {
      if (column === pk || ROW_STAMPS.includes(column)) continue;
      if (e.operation !== 'state' && (column === 'statecode' || column === 'statuscode')) continue;
      if (!sameValue(column, value, now[column])) written.push(`${column}: run wrote ${JSON.stringify(value)}, now ${JSON.stringify(now[column] ?? null)}`);
    }
    if (after.versionnumber !== undefined && after.versionnumber !== null) {
      if (String(after.versionnumber) === String(now.versionnumber ?? '')) return null;
      return written.length ? written : [`columns the run did not write were changed: row version ${String(after.versionnumber)} is now ${String(now.versionnumber ?? 'unknown')}`];
    }
    if (after.modifiedon && now.modifiedon && !sameValue('modifiedon', after.modifiedon, now.modifiedon)) written.push(`modified on ${String(after.modifiedon)}, now ${String(now.modifiedon)}`);
    return written.length ? written : null;
  }

  private async userName(id: unknown): Promise<string | null> {
    if (typeof id !== 'string' || !id) return null;
    this.userNames ??= new Map((await this.sink.systemUsers()).map((u) => [u.systemuserid.toLowerCase(), u.fullname ?? u.internalemailaddress ?? u.systemuserid] as const));
    return this.userNames.get(id.toLowerCase()) ?? `user ${id}`;
  }

  /** A conflicted record is left alone, and so is everything it points to (deleting a parent would cascade to it). */
  private keep(e: AuditEntry, now: Row | null, inherited: boolean): void {
    const because = recordName(e.table, e.key);
    // `inherited`: the entry is left alone only because the record was kept already (a kept record points to it, or
    // a later write of it was kept). The record keeps that reason: its earlier writes are left alone for it too, and
    // must not read as if someone had changed the record itself.
    if (e.targetId && !inherited) this.kept.set(e.targetId.toLowerCase(), { own: true, because });
    for (const [column, value] of Object.entries(now ?? {})) {
      if (column.startsWith('_') && column.endsWith('_value') && !ROW_STAMPS.includes(column) && column !== '_ownerid_value' && typeof value === 'string') {
        if (!this.kept.has(value.toLowerCase())) this.kept.set(value.toLowerCase(), { own: false, because });
      }
    }
  }

  /** Why this entry must be left alone, with who and when, or null (`inherited`: only because the record was kept already). */
  private async conflictOf(e: AuditEntry, now: Row, latest: boolean, children: Map<string, Array<ChildRow & { ours: boolean }>>): Promise<Conflict | null> {
    const id = String(e.targetId).toLowerCase();
    const changes = latest ? this.changesAfterRun(e, now) : null;
    if (changes) {
      const changedBy = await this.userName(now._modifiedby_value);
      const changedOn = (now.modifiedon as string | undefined) ?? null;
      const who = changedBy || changedOn ? `; last changed${changedBy ? ` by ${changedBy}` : ''}${changedOn ? ` on ${formatDateTime(changedOn)}` : ''}` : '';
      return { message: `${recordName(e.table, e.key)} was changed after the run (${changes.join('; ')})${who}`, changedBy, changedOn };
    }
    const kept = this.kept.get(id);
    if (kept) {
      return {
        inherited: true,
        message: kept.own
          ? `${recordName(e.table, e.key)} was changed after a later write of the run, so the run's earlier writes to it are left alone too`
          : `${recordName(e.table, e.key)} is referenced by a record that was changed after the run (${kept.because}; deleting it would cascade to that record)`,
      };
    }
    if (e.operation !== 'create') return null;
    const foreign = this.foreignChildren(children, id);
    if (!foreign.length) return null;
    const described = await Promise.all(foreign.map(async (c) => {
      const by = await this.userName(c.createdBy);
      // The child's table and id stay in `children` (and the JSON); the sentence is for the admin.
      return `${c.noun} added${by ? ` by ${by}` : ''}${c.createdOn ? ` on ${formatDateTime(c.createdOn)}` : ''}`;
    }));
    return {
      message: `${recordName(e.table, e.key)} has records under it that the run did not create: ${described.join('; ')}. Deleting it would delete or unlink them`,
      children: await Promise.all(foreign.map(async (c) => ({ table: c.table, id: c.id, createdBy: await this.userName(c.createdBy), createdOn: c.createdOn }))),
    };
  }

  /** Records a step ahead of its write (pending), or a decision at once (done). */
  private record(runId: string, e: AuditEntry, rollbackKey: string, operation: AuditEntry['operation'], message: string | null, before: Row | null, after: Row | null, done: boolean): AuditEntry {
    const [entry] = this.store.addPendingAudit([{
      runId, phase: 'rollback', operation, table: e.table, key: rollbackKey, targetId: e.targetId, sourceResource: e.sourceResource, sourceId: e.sourceId,
      before, after, errorCode: null, message, status: 'pending', occurredOn: this.now().toISOString(),
    }]);
    if (done) this.store.completeAudit(runId, entry.seq, {});
    return entry;
  }

  /**
   * One wave of a table's entries (at most one per record): decisions first (already undone, conflict, or a step
   * to take), then the steps batched by kind: re-opens, deletes (their close records first), restores.
   */
  private async undoWave(
    runId: string, table: string, wave: AuditEntry[], current: Map<string, Row>, children: Map<string, Array<ChildRow & { ours: boolean }>>,
    done: Map<string, AuditEntry>, latestSeq: Map<string, number>,
  ): Promise<void> {
    const info = this.mappings.tableInfo(table);
    const lifecycle = this.mappings.get(table)?.lifecycle;
    const reopens: Step[] = [];
    const deletes: Step[] = [];
    const restores: Step[] = [];
    for (const e of wave) {
      const rollbackKey = `seq-${e.seq}`;
      const id = String(e.targetId).toLowerCase();
      const base = { seq: e.seq, table: e.table, key: e.key, targetId: e.targetId };
      const prior = done.get(rollbackKey);
      if (prior) {
        // A previous attempt's decision: inherited when this attempt has already kept the record for a reason of its own.
        if (prior.operation === 'conflict') this.keep(e, current.get(id) ?? null, this.kept.has(id));
        this.report({ ...base, action: prior.operation === 'conflict' ? 'conflict' : 'already', message: prior.message });
        continue;
      }
      const now = e.targetId ? current.get(id) : undefined;
      if (!now) {
        // Already gone: a create that a previous attempt deleted (or someone deleted it).
        const entry = this.record(runId, e, rollbackKey, e.operation === 'create' ? 'delete' : 'conflict', e.operation === 'create' ? null : `${recordName(e.table, e.key)} no longer exists; its before values cannot be restored`, null, null, true);
        this.report({ ...base, action: e.operation === 'create' ? 'already' : 'conflict', message: entry.message });
        continue;
      }
      const latest = latestSeq.get(id) === e.seq;
      // Already undone (a rollback killed after its write and before its audit entry): recognise it, do not call it a
      // conflict. Values already back as before need no write. A re-opened record counts as undone only when our own
      // interrupted step says so: a task someone re-opened after the run is their work, and its create would delete it.
      const restored = e.operation === 'update' && Object.entries(e.before ?? {})
        .every(([c, v]) => c === info.primaryIdAttribute || c === 'statecode' || c === 'statuscode' || sameValue(c, v, now[c]));
      const reopened = e.operation === 'state' && this.interrupted.has(rollbackKey) && Number(now.statecode ?? 0) === Number(e.before?.statecode ?? 0);
      if (restored || reopened) {
        this.record(runId, e, rollbackKey, 'restore', null, now, now, true);
        this.report({ ...base, action: 'already', message: null });
        continue;
      }
      const conflict = await this.conflictOf(e, now, latest, children);
      if (conflict && !this.options.force) {
        // How to force it is said by the caller (the command line's --force), not inside every message.
        const message = `${conflict.message}; left alone`;
        this.record(runId, e, rollbackKey, 'conflict', message, now, null, true);
        const { inherited, ...said } = conflict;
        this.keep(e, now, inherited === true);
        this.report({ ...base, ...said, action: 'conflict', message });
        continue;
      }
      const step: Step = { e, rollbackKey, now, entry: null, base };
      (e.operation === 'state' ? reopens : e.operation === 'create' ? deletes : restores).push(step);
    }

    // Written ahead, all of the wave's steps at once (one local transaction).
    this.store.transaction(() => {
      for (const s of reopens) s.entry = this.record(runId, s.e, s.rollbackKey, 'restore', null, { statecode: s.now.statecode, statuscode: s.now.statuscode }, null, false);
      for (const s of deletes) s.entry = this.record(runId, s.e, s.rollbackKey, 'delete', null, s.now, null, false);
      for (const s of restores) s.entry = this.record(runId, s.e, s.rollbackKey, 'restore', null, s.now, s.e.before, false);
    });

    if (reopens.length) {
      const open = lifecycle?.reopen ?? { statecode: 0, statuscode: 1 };
      const bodies = reopens.map((s) => ({ statecode: open.statecode, statuscode: Number(s.e.before?.statuscode ?? open.statuscode) || open.statuscode }));
      const res = await this.sink.upsert(info, reopens.map((s, i) => ({ key: { id: s.e.targetId as string }, attributes: bodies[i], ref: s.e.key })));
      const ok = reopens.map((s, i) => ({ s, body: bodies[i] })).filter(({ s }, i) => {
        if (res[i].outcome !== 'failed') return true;
        this.failed(runId, s, `re-opening ${recordName(s.e.table, s.e.key)} failed: ${res[i].message}`);
        return false;
      });
      await this.removeCloseRecords(table, ok.map(({ s }) => s.e.targetId as string));
      this.store.transaction(() => ok.forEach(({ s, body }) => {
        this.store.completeAudit(runId, s.entry!.seq, { after: body });
        Object.assign(s.now, { statecode: s.e.before?.statecode ?? 0, statuscode: s.e.before?.statuscode ?? null });
        this.report({ ...s.base, action: 'reopened', message: null });
      }));
    }

    if (deletes.length) {
      // A closed activity or opportunity is deleted as it is (Dataverse allows deleting closed records).
      await this.removeCloseRecords(table, deletes.map((s) => s.e.targetId as string));
      const res = await this.sink.remove(info, deletes.map((s) => ({ id: s.e.targetId as string, ref: s.e.key })));
      this.store.transaction(() => deletes.forEach((s, i) => {
        if (res[i].outcome === 'failed' && res[i].status !== 404) return this.failed(runId, s, `deleting ${recordName(s.e.table, s.e.key)} failed: ${res[i].message}`);
        this.store.completeAudit(runId, s.entry!.seq, {});
        current.delete(String(s.e.targetId).toLowerCase());
        this.report({ ...s.base, action: 'deleted', message: null });
      }));
    }

    if (restores.length) {
      // Closed records are re-opened first, restored, then closed again as they were before the run.
      const closed = lifecycle ? restores.filter((s) => Number(s.now.statecode ?? 0) !== 0) : [];
      let failedNow = new Set<Step>();
      if (lifecycle && closed.length) {
        const res = await this.sink.upsert(info, closed.map((s) => ({ key: { id: s.e.targetId as string }, attributes: { ...lifecycle.reopen }, ref: s.e.key })));
        failedNow = new Set(closed.filter((s, i) => res[i].outcome === 'failed'));
        closed.forEach((s, i) => {
          if (res[i].outcome === 'failed') this.failed(runId, s, `re-opening ${recordName(s.e.table, s.e.key)} before restoring failed: ${res[i].message}`);
        });
      }
      const go = restores.filter((s) => !failedNow.has(s));
      const res = await this.sink.upsert(info, go.map((s) => ({ key: { id: s.e.targetId as string }, attributes: restoreBody(this.mappings, s.e.table, s.e.before ?? {}, info.primaryIdAttribute), ref: s.e.key })));
      const restored = go.filter((s, i) => {
        if (res[i].outcome !== 'failed') return true;
        this.failed(runId, s, `restoring ${recordName(s.e.table, s.e.key)} failed: ${res[i].message}`);
        return false;
      });
      const wasClosed = new Set(closed);
      const reclose = restored.filter((s) => wasClosed.has(s) && Number(s.e.before?.statecode ?? 0) !== 0);
      const recloseRes = reclose.length ? await this.sink.upsert(info, reclose.map((s) => ({ key: { id: s.e.targetId as string }, attributes: { statecode: s.e.before?.statecode, statuscode: s.e.before?.statuscode }, ref: s.e.key }))) : [];
      // Restored but left open is not "restored": it is said, and the next rollback tries the step again.
      const notClosed = new Set(reclose.filter((s, i) => {
        if (recloseRes[i].outcome !== 'failed') return false;
        this.failed(runId, s, `${recordName(s.e.table, s.e.key)} was restored but closing it again as it was before the run failed: ${recloseRes[i].message}`);
        return true;
      }));
      this.store.transaction(() => restored.filter((s) => !notClosed.has(s)).forEach((s) => {
        this.store.completeAudit(runId, s.entry!.seq, {});
        // Keep the picture of Dataverse current: older entries of the same record compare against it.
        Object.assign(s.now, s.e.before ?? {});
        this.report({ ...s.base, action: 'restored', message: null });
      }));
    }
  }

  /** Closing created records (WinOpportunity/LoseOpportunity an opportunityclose activity); undoing the close removes them too. */
  private async removeCloseRecords(table: string, targetIds: string[]): Promise<void> {
    const closeRecords = this.mappings.get(table)?.lifecycle?.closeRecords;
    if (!closeRecords || !targetIds.length) return;
    const info = this.mappings.tableInfo(closeRecords.table);
    const rows = await this.sink.readByValues(info, closeRecords.attribute, targetIds, [info.primaryIdAttribute]);
    if (rows.length) await this.sink.remove(info, rows.map((r) => ({ id: String(r[info.primaryIdAttribute]) })));
  }

  private failed(runId: string, step: Step, message: string): void {
    // Left pending with its message: the next rollback tries again.
    this.store.completeAudit(runId, step.entry!.seq, { operation: 'error', message });
    this.report({ ...step.base, action: 'failed', message });
  }
}

function noSteps(): Record<RollbackItem['action'], number> {
  return { deleted: 0, restored: 0, reopened: 0, already: 0, conflict: 0, failed: 0 };
}

/** An entry a rollback undoes: a completed create, update or state change of the run (any phase but rollback). */
function isUndoable(e: AuditEntry): boolean {
  return e.phase !== 'rollback' && e.status === 'done' && (e.operation === 'create' || e.operation === 'update' || e.operation === 'state');
}
