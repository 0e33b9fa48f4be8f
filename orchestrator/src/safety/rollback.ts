// Rollback from the audit: newest write first, re-open what the run closed, delete what it created, restore what it
// updated to the before values (pre-existing records included). A record someone changed after the run is a
// conflict: reported and left alone unless forced. Every step is itself audited (phase 'rollback') before it is
// done, so a killed rollback resumes where it stopped, and running it twice changes nothing the second time.
import type { AuditEntry, ProgressReporter, Row, SinkPort, StateStore } from '../ports';
import { sameValue } from '../load/compare';
import { MAPPINGS } from '../mappings';
import type { MappingSet } from '../mappings/mappingSet';

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
  /** Records kept because of a conflict, and everything they point to: deleting a parent would cascade to them. */
  private readonly protectedIds = new Set<string>();
  /** Records whose latest run write was already undone (or found undone) in this rollback. */
  private readonly handled = new Set<string>();
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
    const items: RollbackItem[] = [];
    this.progress.start('rollback', entries.length);
    // Current values of every target, read once per table.
    const current = await this.readCurrent(entries);
    for (const e of entries) {
      const rollbackKey = `seq-${e.seq}`;
      const prior = done.get(rollbackKey);
      if (prior) {
        this.handled.add(`${e.table}|${String(e.targetId).toLowerCase()}`);
        items.push({ seq: e.seq, table: e.table, key: e.key, targetId: e.targetId, action: prior.operation === 'conflict' ? 'conflict' : 'already', message: prior.message });
        this.progress.tick('rollback');
        continue;
      }
      const item = await this.undo(runId, e, rollbackKey, current);
      items.push(item);
      // Keep the picture of Dataverse current: older entries of the same record compare against it.
      const k = `${e.table}|${String(e.targetId).toLowerCase()}`;
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
    for (const e of entries) if (e.targetId) byTable.set(e.table, [...(byTable.get(e.table) ?? []), e]);
    for (const [table, list] of byTable) {
      const info = this.mappings.tableInfo(table);
      const cols = new Set<string>([info.primaryIdAttribute]);
      for (const e of list) for (const c of [...Object.keys(e.after ?? {}), ...Object.keys(e.before ?? {})]) cols.add(c);
      if (this.mappings.get(table)?.lifecycle) ['statecode', 'statuscode'].forEach((c) => cols.add(c));
      const ids = [...new Set(list.map((e) => e.targetId as string))];
      for (let i = 0; i < ids.length; i += 250) {
        const rows = await this.sink.readByValues(info, info.primaryIdAttribute, ids.slice(i, i + 250), [...cols]);
        for (const r of rows) out.set(`${table}|${String(r[info.primaryIdAttribute]).toLowerCase()}`, r);
      }
    }
    return out;
  }

  /** A value someone changed after the run: compare what the run wrote (after) with what is there now. */
  private conflictOf(e: AuditEntry, now: Row): string | null {
    const changed: string[] = [];
    for (const [column, written] of Object.entries(e.after ?? {})) {
      if (column === this.mappings.tableInfo(e.table).primaryIdAttribute) continue;
      if (e.operation !== 'state' && (column === 'statecode' || column === 'statuscode')) continue;
      if (!sameValue(column, written, now[column])) changed.push(`${column}: run wrote ${JSON.stringify(written)}, now ${JSON.stringify(now[column] ?? null)}`);
    }
    return changed.length ? `${e.table} ${e.key} was changed after the run (${changed.join('; ')})` : null;
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
      const entry = record(e.operation === 'create' ? 'delete' : 'conflict', e.operation === 'create' ? null : `${e.table} ${e.key} no longer exists; its before values cannot be restored`, null, null);
      this.store.completeAudit(runId, entry.seq, {});
      return { ...base, action: e.operation === 'create' ? 'already' : 'conflict', message: entry.message };
    }

    // Only the run's latest write to a record is compared with what is there now: older entries of the same record
    // are the run's own history (a later write of the run may have replaced a value someone had changed).
    const recordId = `${e.table}|${String(e.targetId).toLowerCase()}`;
    const latest = !this.handled.has(recordId);
    this.handled.add(recordId);
    // Already undone (a rollback killed after its write and before its audit entry): recognise it, do not call it a conflict.
    const restored = e.operation === 'update' && Object.entries(e.before ?? {})
      .every(([c, v]) => c === info.primaryIdAttribute || c === 'statecode' || c === 'statuscode' || sameValue(c, v, now[c]));
    const reopened = e.operation === 'state' && Number(now.statecode ?? 0) === Number(e.before?.statecode ?? 0);
    if (restored || reopened) {
      const entry = record('restore', null, now, now);
      this.store.completeAudit(runId, entry.seq, {});
      return { ...base, action: 'already', message: null };
    }
    const conflict = (latest ? this.conflictOf(e, now) : null)
      ?? (e.operation === 'create' && this.protectedIds.has(String(e.targetId).toLowerCase())
        ? `${e.table} ${e.key} is referenced by a record that was changed after the run (deleting it would cascade to that record)`
        : null);
    if (conflict && !this.options.force) {
      const entry = record('conflict', `${conflict}; left alone (use --force to roll it back anyway)`, now, null);
      this.store.completeAudit(runId, entry.seq, {});
      // Newest first means children come before parents: protect the parents of a kept record.
      for (const [column, value] of Object.entries(now)) {
        if (column.startsWith('_') && column.endsWith('_value') && typeof value === 'string') this.protectedIds.add(value.toLowerCase());
      }
      return { ...base, action: 'conflict', message: entry.message };
    }

    if (e.operation === 'state') {
      const entry = record('restore', null, { statecode: now.statecode, statuscode: now.statuscode }, null);
      const open = lifecycle?.reopen ?? { statecode: 0, statuscode: 1 };
      const body = { statecode: open.statecode, statuscode: Number(e.before?.statuscode ?? open.statuscode) || open.statuscode };
      const [res] = await this.sink.upsert(info, [{ key: { id: e.targetId as string }, attributes: body, ref: e.key }]);
      if (res.outcome === 'failed') return this.failed(runId, entry, base, `re-opening ${e.table} ${e.key} failed: ${res.message}`);
      await this.removeCloseRecords(e.table, e.targetId as string);
      this.store.completeAudit(runId, entry.seq, { after: body });
      return { ...base, action: 'reopened', message: null };
    }

    if (e.operation === 'create') {
      const entry = record('delete', null, now, null);
      // A closed activity or opportunity is deleted as it is (Dataverse allows deleting closed records).
      await this.removeCloseRecords(e.table, e.targetId as string);
      const [res] = await this.sink.remove(info, [{ id: e.targetId as string, ref: e.key }]);
      if (res.outcome === 'failed' && res.status !== 404) return this.failed(runId, entry, base, `deleting ${e.table} ${e.key} failed: ${res.message}`);
      this.store.completeAudit(runId, entry.seq, {});
      return { ...base, action: 'deleted', message: null };
    }

    // update: restore the before values of the columns the run changed.
    const entry = record('restore', null, now, e.before);
    const closed = !!lifecycle && Number(now.statecode ?? 0) !== 0;
    if (lifecycle && closed) {
      const [re] = await this.sink.upsert(info, [{ key: { id: e.targetId as string }, attributes: { ...lifecycle.reopen }, ref: e.key }]);
      if (re.outcome === 'failed') return this.failed(runId, entry, base, `re-opening ${e.table} ${e.key} before restoring failed: ${re.message}`);
    }
    const body = restoreBody(this.mappings, e.table, e.before ?? {}, info.primaryIdAttribute);
    const [res] = await this.sink.upsert(info, [{ key: { id: e.targetId as string }, attributes: body, ref: e.key }]);
    if (res.outcome === 'failed') return this.failed(runId, entry, base, `restoring ${e.table} ${e.key} failed: ${res.message}`);
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
