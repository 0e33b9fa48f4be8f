// Rollback started from CRM (the "Roll back run" button): the audit the run mirrored to astep_auditentry is read back
// into memory, the same RollbackExecutor undoes the run, and its own steps are mirrored back, so a rollback from the
// command line and one from CRM see the same history.
import type { AuditEntry, ProgressReporter, Row, RunState, SinkPort } from '../ports';
import { MemoryStateStore } from '../store/memoryStateStore';
import { RollbackExecutor, type RollbackResult } from './rollback';
import { choiceValue } from '@astep/solution/schema';
import { mirrorAudit } from './mirror';
import { withRunLease, type LeaseHolder } from './runLease';

const RUN_TABLE = { logicalName: 'astep_migrationrun', entitySetName: 'astep_migrationruns', primaryIdAttribute: 'astep_migrationrunid' };
const AUDIT_TABLE = { logicalName: 'astep_auditentry', entitySetName: 'astep_auditentries', primaryIdAttribute: 'astep_auditentryid' };

function parse(json: unknown): Row | null {
  if (typeof json !== 'string' || !json) return null;
  const v = JSON.parse(json) as Row & { truncated?: boolean };
  if (v.truncated) throw new Error('an audit row was too large for Dataverse and was truncated: roll this run back from the command line, which keeps the full audit');
  return v;
}

/** Pages of a run's astep_auditentry rows (the browser reads them typed through Xrm.WebApi; default: the sink). */
export type AuditRowsReader = (runRowId: string, select: string[]) => AsyncIterable<Row[]>;

/** The run's audit entries as the run wrote them (astep_name is `phase|operation|table|key`). */
export async function loadAuditFromDataverse(sink: SinkPort, runId: string, readAuditRows?: AuditRowsReader): Promise<{ run: Row; entries: AuditEntry[] }> {
  const [run] = await sink.readByValues(RUN_TABLE, 'astep_runid', [runId], ['astep_migrationrunid', 'astep_runid', 'astep_name', 'astep_startedon', 'astep_rolledbackon']);
  if (!run) throw new Error(`no migration run ${runId} in Dataverse`);
  const entries: AuditEntry[] = [];
  const select = ['astep_name', 'astep_sequence', 'astep_targettable', 'astep_targetid', 'astep_sourceresource', 'astep_sourceid', 'astep_beforejson', 'astep_afterjson', 'astep_errorcode', 'astep_message', 'astep_occurredon'];
  const pages = readAuditRows ? readAuditRows(String(run.astep_migrationrunid), select) : sink.readAll(AUDIT_TABLE, select, `_astep_migrationrunid_value eq ${String(run.astep_migrationrunid)}`);
  for await (const page of pages) {
    for (const r of page) {
      const [phase, operation, table, ...key] = String(r.astep_name ?? '').split('|');
      if (!phase || !operation || !table) continue;
      entries.push({
        runId, seq: Number(r.astep_sequence), phase: phase as AuditEntry['phase'], operation: operation as AuditEntry['operation'], table, key: key.join('|'),
        targetId: (r.astep_targetid as string) ?? null, sourceResource: String(r.astep_sourceresource ?? ''), sourceId: String(r.astep_sourceid ?? ''),
        before: parse(r.astep_beforejson), after: parse(r.astep_afterjson), errorCode: (r.astep_errorcode as string) ?? null, message: (r.astep_message as string) ?? null,
        status: 'done', occurredOn: String(r.astep_occurredon ?? ''),
      });
    }
  }
  return { run, entries: entries.sort((a, b) => a.seq - b.seq) };
}

export async function rollbackFromDataverse(sink: SinkPort, runId: string, progress: ProgressReporter, options: { force?: boolean; now?: () => Date; holder?: LeaseHolder } = {}): Promise<RollbackResult> {
  const now = options.now ?? (() => new Date());
  // The same lease as the command line and the wizard: no rollback while someone runs the run, and the reverse.
  const holder = options.holder ?? { id: `crm-rollback:${globalThis.crypto.randomUUID()}`, name: 'the "Roll back run" command in Dynamics' };
  return withRunLease(sink, runId, holder, () => rollbackLeased(sink, runId, progress, now, options.force), { now, log: (m) => progress.log(m) });
}

async function rollbackLeased(sink: SinkPort, runId: string, progress: ProgressReporter, now: () => Date, force: boolean | undefined): Promise<RollbackResult> {
  const { run, entries } = await loadAuditFromDataverse(sink, runId);
  const store = new MemoryStateStore();
  const state: RunState = {
    runId, createdOn: String(run.astep_startedon ?? now().toISOString()), status: 'Rolling Back', plan: null, extractionStartedOn: null,
    extractionCompletedOn: null, sample: null, approval: null, summary: null, rolledBackOn: null,
  };
  store.saveRun(state);
  store.importAudit(entries);
  // Only the rollback's own new steps are mirrored back.
  store.setCheckpoint(`mirror:${runId}`, String(entries.reduce((m, e) => Math.max(m, e.seq), 0)));
  const result = await new RollbackExecutor(sink, store, progress, { force, now }).execute(runId);
  await mirrorAudit(sink, store, runId);
  await sink.upsert(RUN_TABLE, [{
    key: { astep_runid: runId },
    attributes: {
      astep_status: choiceValue('astep_runstatus', result.complete ? 'Rolled Back' : 'Rolling Back'),
      astep_currentstep: result.complete ? 'Rolled Back' : 'Rolling Back',
      astep_rolledbackon: result.complete ? now().toISOString() : null,
    },
    ref: `run ${runId}`,
  }]);
  return result;
}
