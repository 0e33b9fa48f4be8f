// Rollback from the audit: newest write first, re-open what the run closed, delete what it created, restore what it
// updated to the before values (pre-existing records included). Dataverse is asked what changed, not our memory of
// what we wrote: a record whose row version moved since the run's latest write to it (any column, by anyone), or
// that has a child the run did not create (a note, an activity, a contact...), is a conflict: reported with what
// changed, by whom and when, and left alone with everything it points to, unless forced. Every step is itself
// audited (phase 'rollback') before it is done, so a killed rollback resumes where it stopped, and running it twice
// changes nothing the second time.
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

export interface RollbackResult {
  runId: string;
  items: RollbackItem[];
  counts: Record<RollbackItem['action'], number>;
  complete: boolean;
}

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

export class RollbackExecutor {
  private readonly now: () => Date;
  /** Records left alone: a conflict (own), or pointed to by one (deleting it would cascade to kept work). */
  private readonly kept = new Map<string, { own: boolean; because: string }>();
  /** The same rows as the live picture, by id alone (children are found by id, whatever their table). */
  private readonly currentById = new Map<string, Row>();
  /** Records whose latest run write was already undone (or found undone) in this rollback. */
  private readonly handled = new Set<string>();
  /** Every record the run created (its own children are deleted before it, newest first). */
  private readonly created = new Set<string>();
  /** Rows pointing at records the run created, by parent id, read before anything is deleted. */
  private children = new Map<string, ChildRow[]>();
  private userNames: Map<string, string> | null = null;
  /** Rollback steps written ahead by an attempt that was killed before it knew their result. */
  private interrupted = new Set<string>();
  private readonly mappings: MappingSet;
  constructor(private readonly sink: SinkPort, private readonly store: StateStore, private readonly progress: ProgressReporter, private readonly options: RollbackOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.mappings = options.mappings ?? MAPPINGS;
  }

  /** The writes to undo: every completed create, update and state change of the run, newest first. */
  plan(runId: string): AuditEntry[] {
    return this.store.audit(runId)
      .filter((e) => e.phase !== 'rollback' && e.status === 'done' && (e.operation === 'create' || e.operation === 'update' || e.operation === 'state'))
      .sort((a, b) => b.seq - a.seq);
  }

  async execute(runId: string): Promise<RollbackResult> {
    const entries = this.plan(runId);
    const done = new Map<string, AuditEntry>();
    // Failed steps are tried again; conflicts too when forced.
    for (const e of this.store.audit(runId, 'rollback')) {
      if (e.status === 'done' && e.operation !== 'error' && !(this.options.force && e.operation === 'conflict')) done.set(e.key, e);
    }
    this.interrupted = new Set(this.store.pendingAudit(runId).filter((e) => e.phase === 'rollback').map((e) => e.key));
    const items: RollbackItem[] = [];
    this.progress.start('rollback', entries.length);
    // Current values of every target, read once per table; and what points at the records about to be deleted.
    const current = await this.readCurrent(entries);
    await this.readChildren(entries);
    for (const e of entries) {
      const rollbackKey = `seq-${e.seq}`;
      const prior = done.get(rollbackKey);
      const k = `${e.table}|${String(e.targetId).toLowerCase()}`;
      if (prior) {
        this.handled.add(k);
        if (prior.operation === 'conflict') this.keep(e, current.get(k) ?? null);
        items.push({ seq: e.seq, table: e.table, key: e.key, targetId: e.targetId, action: prior.operation === 'conflict' ? 'conflict' : 'already', message: prior.message });
        this.progress.tick('rollback');
        continue;
      }
      const item = await this.undo(runId, e, rollbackKey, current);
      items.push(item);
      // Keep the picture of Dataverse current: older entries of the same record compare against it.
      const row = current.get(k);
      if (item.action === 'deleted') current.delete(k);
      else if (row && item.action === 'restored') Object.assign(row, e.before ?? {});
      else if (row && item.action === 'reopened') Object.assign(row, { statecode: e.before?.statecode ?? 0, statuscode: e.before?.statuscode ?? null });
      this.progress.tick('rollback');
    }
    this.progress.done('rollback');
    const counts = { deleted: 0, restored: 0, reopened: 0, already: 0, conflict: 0, failed: 0 };
    for (const i of items) counts[i.action]++;
    return { runId, items, counts, complete: counts.failed === 0 && counts.conflict === 0 };
  }

  private async readCurrent(entries: AuditEntry[]): Promise<Map<string, Row>> {
    const out = new Map<string, Row>();
    const byTable = new Map<string, AuditEntry[]>();
    for (const e of entries) {
      if (!e.targetId) continue;
      const list = byTable.get(e.table);
      if (list) list.push(e);
      else byTable.set(e.table, [e]);
    }
    for (const [table, list] of byTable) {
      const info = this.mappings.tableInfo(table);
      const cols = new Set<string>([info.primaryIdAttribute, ...ROW_STAMPS]);
      for (const e of list) for (const c of [...Object.keys(e.after ?? {}), ...Object.keys(e.before ?? {})]) cols.add(c);
      if (this.mappings.get(table)?.lifecycle) ['statecode', 'statuscode'].forEach((c) => cols.add(c));
      const ids = [...new Set(list.map((e) => e.targetId as string))];
      for (let i = 0; i < ids.length; i += 250) {
        const rows = await this.sink.readByValues(info, info.primaryIdAttribute, ids.slice(i, i + 250), [...cols]);
        for (const r of rows) {
          out.set(`${table}|${String(r[info.primaryIdAttribute]).toLowerCase()}`, r);
          this.currentById.set(String(r[info.primaryIdAttribute]).toLowerCase(), r);
        }
      }
    }
    return out;
  }

  /** Children of every record the run created, read before the first delete (a cascade would hide them). */
  private async readChildren(entries: AuditEntry[]): Promise<void> {
    const byTable = new Map<string, string[]>();
    for (const e of entries) {
      if (e.operation !== 'create' || !e.targetId) continue;
      this.created.add(e.targetId.toLowerCase());
      if (e.table === 'annotation' || e.table === 'opportunityclose') continue;
      const ids = byTable.get(e.table);
      if (ids) ids.push(e.targetId);
      else byTable.set(e.table, [e.targetId]);
    }
    for (const [table, ids] of byTable) {
      for (const [parent, list] of await findChildren(this.sink, table, [...new Set(ids)])) {
        const known = this.children.get(parent);
        if (known) known.push(...list);
        else this.children.set(parent, list);
      }
    }
  }

  /** Children that deleting `parentId` would delete or unlink and that are not the run's own (or that the run kept). */
  private foreignChildren(parentId: string): ChildRow[] {
    return (this.children.get(parentId) ?? []).filter((c) => {
      if (this.created.has(c.id)) return this.kept.has(c.id);
      // A record the run updated (a pre-existing contact it linked to a new account): its lookup may have been
      // restored already in this rollback; the live picture says whether it still points here.
      const touched = this.currentById.get(c.id);
      if (touched && c.attribute in touched) return String(touched[c.attribute] ?? '').toLowerCase() === parentId;
      return true;
    });
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
  private keep(e: AuditEntry, now: Row | null): void {
    const because = recordName(e.table, e.key);
    if (e.targetId) this.kept.set(e.targetId.toLowerCase(), { own: true, because });
    for (const [column, value] of Object.entries(now ?? {})) {
      if (column.startsWith('_') && column.endsWith('_value') && !ROW_STAMPS.includes(column) && column !== '_ownerid_value' && typeof value === 'string') {
        if (!this.kept.has(value.toLowerCase())) this.kept.set(value.toLowerCase(), { own: false, because });
      }
    }
  }

  /** Why this entry must be left alone, with who and when, or null. */
  private async conflictOf(e: AuditEntry, now: Row, latest: boolean): Promise<Omit<RollbackItem, 'seq' | 'table' | 'key' | 'targetId' | 'action'> | null> {
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
        message: kept.own
          ? `${recordName(e.table, e.key)} was changed after a later write of the run, so the run's earlier writes to it are left alone too`
          : `${recordName(e.table, e.key)} is referenced by a record that was changed after the run (${kept.because}; deleting it would cascade to that record)`,
      };
    }
    if (e.operation !== 'create') return null;
    const children = this.foreignChildren(id);
    if (!children.length) return null;
    const described = await Promise.all(children.map(async (c) => {
      const by = await this.userName(c.createdBy);
      // The child's table and id stay in `children` (and the JSON); the sentence is for the admin.
      return `${c.noun} added${by ? ` by ${by}` : ''}${c.createdOn ? ` on ${formatDateTime(c.createdOn)}` : ''}`;
    }));
    return {
      message: `${recordName(e.table, e.key)} has records under it that the run did not create: ${described.join('; ')}. Deleting it would delete or unlink them`,
      children: await Promise.all(children.map(async (c) => ({ table: c.table, id: c.id, createdBy: await this.userName(c.createdBy), createdOn: c.createdOn }))),
    };
  }

  private async undo(runId: string, e: AuditEntry, rollbackKey: string, current: Map<string, Row>): Promise<RollbackItem> {
    const info = this.mappings.tableInfo(e.table);
    const lifecycle = this.mappings.get(e.table)?.lifecycle;
    const base = { seq: e.seq, table: e.table, key: e.key, targetId: e.targetId };
    const now = e.targetId ? current.get(`${e.table}|${e.targetId.toLowerCase()}`) : undefined;
    const record = (operation: AuditEntry['operation'], message: string | null, before: Row | null, after: Row | null) => {
      const [entry] = this.store.addPendingAudit([{
        runId, phase: 'rollback', operation, table: e.table, key: rollbackKey, targetId: e.targetId, sourceResource: e.sourceResource, sourceId: e.sourceId,
        before, after, errorCode: null, message, status: 'pending', occurredOn: this.now().toISOString(),
      }]);
      return entry;
    };

    if (!now) {
      // Already gone: a create that a previous attempt deleted (or someone deleted it).
      const entry = record(e.operation === 'create' ? 'delete' : 'conflict', e.operation === 'create' ? null : `${recordName(e.table, e.key)} no longer exists; its before values cannot be restored`, null, null);
      this.store.completeAudit(runId, entry.seq, {});
      return { ...base, action: e.operation === 'create' ? 'already' : 'conflict', message: entry.message };
    }

    // Only the run's latest write to a record is compared with what is there now: older entries of the same record
    // are the run's own history (a later write of the run may have replaced a value someone had changed).
    const recordId = `${e.table}|${String(e.targetId).toLowerCase()}`;
    const latest = !this.handled.has(recordId);
    this.handled.add(recordId);
    // Already undone (a rollback killed after its write and before its audit entry): recognise it, do not call it a
    // conflict. Values already back as before need no write. A re-opened record counts as undone only when our own
    // interrupted step says so: a task someone re-opened after the run is their work, and its create would delete it.
    const restored = e.operation === 'update' && Object.entries(e.before ?? {})
      .every(([c, v]) => c === info.primaryIdAttribute || c === 'statecode' || c === 'statuscode' || sameValue(c, v, now[c]));
    const reopened = e.operation === 'state' && this.interrupted.has(rollbackKey) && Number(now.statecode ?? 0) === Number(e.before?.statecode ?? 0);
    if (restored || reopened) {
      const entry = record('restore', null, now, now);
      this.store.completeAudit(runId, entry.seq, {});
      return { ...base, action: 'already', message: null };
    }
    const conflict = await this.conflictOf(e, now, latest);
    if (conflict && !this.options.force) {
      // How to force it is said by the caller: the command line's --force, or in CRM the command line too.
      const message = `${conflict.message}; left alone`;
      const entry = record('conflict', message, now, null);
      this.store.completeAudit(runId, entry.seq, {});
      this.keep(e, now);
      return { ...base, ...conflict, action: 'conflict', message };
    }

    if (e.operation === 'state') {
      const entry = record('restore', null, { statecode: now.statecode, statuscode: now.statuscode }, null);
      const open = lifecycle?.reopen ?? { statecode: 0, statuscode: 1 };
      const body = { statecode: open.statecode, statuscode: Number(e.before?.statuscode ?? open.statuscode) || open.statuscode };
      const [res] = await this.sink.upsert(info, [{ key: { id: e.targetId as string }, attributes: body, ref: e.key }]);
      if (res.outcome === 'failed') return this.failed(runId, entry, base, `re-opening ${recordName(e.table, e.key)} failed: ${res.message}`);
      await this.removeCloseRecords(e.table, e.targetId as string);
      this.store.completeAudit(runId, entry.seq, { after: body });
      return { ...base, action: 'reopened', message: null };
    }

    if (e.operation === 'create') {
      const entry = record('delete', null, now, null);
      // A closed activity or opportunity is deleted as it is (Dataverse allows deleting closed records).
      await this.removeCloseRecords(e.table, e.targetId as string);
      const [res] = await this.sink.remove(info, [{ id: e.targetId as string, ref: e.key }]);
      if (res.outcome === 'failed' && res.status !== 404) return this.failed(runId, entry, base, `deleting ${recordName(e.table, e.key)} failed: ${res.message}`);
      this.store.completeAudit(runId, entry.seq, {});
      return { ...base, action: 'deleted', message: null };
    }

    // update: restore the before values of the columns the run changed.
    const entry = record('restore', null, now, e.before);
    const closed = !!lifecycle && Number(now.statecode ?? 0) !== 0;
    if (lifecycle && closed) {
      const [re] = await this.sink.upsert(info, [{ key: { id: e.targetId as string }, attributes: { ...lifecycle.reopen }, ref: e.key }]);
      if (re.outcome === 'failed') return this.failed(runId, entry, base, `re-opening ${recordName(e.table, e.key)} before restoring failed: ${re.message}`);
    }
    const body = restoreBody(this.mappings, e.table, e.before ?? {}, info.primaryIdAttribute);
    const [res] = await this.sink.upsert(info, [{ key: { id: e.targetId as string }, attributes: body, ref: e.key }]);
    if (res.outcome === 'failed') return this.failed(runId, entry, base, `restoring ${recordName(e.table, e.key)} failed: ${res.message}`);
    const beforeState = Number(e.before?.statecode ?? 0);
    if (closed && beforeState !== 0) {
      await this.sink.upsert(info, [{ key: { id: e.targetId as string }, attributes: { statecode: e.before?.statecode, statuscode: e.before?.statuscode }, ref: e.key }]);
    }
    this.store.completeAudit(runId, entry.seq, {});
    return { ...base, action: 'restored', message: null };
  }

  /** Closing created records (WinOpportunity/LoseOpportunity an opportunityclose activity); undoing the close removes them too. */
  private async removeCloseRecords(table: string, targetId: string): Promise<void> {
    const closeRecords = this.mappings.get(table)?.lifecycle?.closeRecords;
    if (!closeRecords) return;
    const info = this.mappings.tableInfo(closeRecords.table);
    const rows = await this.sink.readByValues(info, closeRecords.attribute, [targetId], [info.primaryIdAttribute]);
    if (rows.length) await this.sink.remove(info, rows.map((r) => ({ id: String(r[info.primaryIdAttribute]) })));
  }

  private failed(runId: string, entry: AuditEntry, base: Omit<RollbackItem, 'action' | 'message'>, message: string): RollbackItem {
    // Left pending with its message: the next rollback tries again.
    this.store.completeAudit(runId, entry.seq, { operation: 'error', message });
    return { ...base, action: 'failed', message };
  }
}
