// The run record and the audit in Dataverse: astep_migrationrun keyed by astep_runid, astep_auditentry keyed by
// astep_auditkey (run|sequence), so an admin sees them in CRM and the command-bar rollback can find them. Skips are
// kept in the local audit only: a run that changes nothing writes nothing but its run record.
import { CHOICES, choiceValue } from '@astep/solution/schema';
import type { AuditEntry, RunState, SinkPort, StateStore } from '../ports';
import { tableInfo, keyLiteral } from '../load/tables';
import { printable } from '../transform/values';
import { EngineError } from '../run/engineError';

const MEMO_MAX = 1048576;
const OPERATION_LABEL: Record<AuditEntry['operation'], string> = {
  create: 'Create', update: 'Update', skip: 'Skip', error: 'Error', delete: 'Delete', restore: 'Restore', conflict: 'Conflict', state: 'Close',
};

function json(value: unknown, max = MEMO_MAX): string | null {
  if (value === null || value === undefined) return null;
  const s = JSON.stringify(value);
  return s.length <= max ? s : JSON.stringify({ truncated: true, length: s.length, head: s.slice(0, max - 200) });
}

const RUN_STATUS_LABELS = new Set(CHOICES.find((c) => c.name === 'astep_runstatus')?.options.map((o) => o.label) ?? []);

/** The sample for the Diff Viewer: every mismatch and up to 5,000 fields (the full diff stays in the local report). */
function trimSample(sample: { diff?: Array<{ status: string }> }): unknown {
  const diff = sample.diff ?? [];
  const mismatches = diff.filter((d) => d.status !== 'match');
  const rest = diff.filter((d) => d.status === 'match').slice(0, Math.max(0, 5000 - mismatches.length));
  return { ...sample, diff: [...mismatches, ...rest], diffFields: diff.length };
}

function auditName(e: Pick<AuditEntry, 'phase' | 'operation' | 'table' | 'key'>): string {
  return `${e.phase}|${e.operation}|${e.table}|${e.key}`.slice(0, 400);
}

export async function mirrorRun(sink: SinkPort, run: RunState): Promise<void> {
  const info = { logicalName: 'astep_migrationrun', entitySetName: 'astep_migrationruns', primaryIdAttribute: 'astep_migrationrunid' };
  const summary = run.summary as { totals?: unknown } | null;
  const attributes: Record<string, unknown> = {
    astep_name: `Actionstep migration ${run.runId}`,
    astep_status: RUN_STATUS_LABELS.has(run.status) ? choiceValue('astep_runstatus', run.status) : null,
    astep_currentstep: run.status,
    astep_startedon: run.createdOn,
    astep_extractionstartedon: run.extractionStartedOn,
    astep_approvedon: run.approval?.approvedOn ?? null,
    astep_approvedby: run.approval?.approvedBy?.slice(0, 200) ?? null,
    astep_rolledbackon: run.rolledBackOn,
    // The whole plan, its schema included: a run continued elsewhere (the wizard after the command line, or the
    // reverse; a reload of the wizard) rebuilds from the row without asking Actionstep to discover again.
    astep_planjson: json(run.plan),
    astep_summaryjson: json(summary),
    astep_diffjson: json(run.sample ? trimSample(run.sample as { diff?: Array<{ status: string }> }) : null),
  };
  const [res] = await sink.upsert(info, [{ key: { astep_runid: run.runId }, attributes, ref: `run ${run.runId}` }]);
  if (res.outcome === 'failed') {
    // 0x8006088a "Resource not found for the segment 'astep_migrationruns'": the solution's tables are not in this
    // organisation (a step run before provision, or against another organisation). Said as what to do, not as a crash.
    if (res.status === 404 && res.errorCode === '0x8006088a') {
      throw new EngineError(`the migration's tables (Migration Run and the others of the solution) are not in the Dynamics organisation at ${sink.webApiUrl()}: run \`astep-migrate provision\` first (or check dataverse.webApiUrl)`);
    }
    throw new Error(`could not record run ${run.runId} in Dataverse: ${res.message}`);
  }
}

export async function mirrorAudit(sink: SinkPort, store: StateStore, runId: string): Promise<{ auditRows: number; failed: number; firstError: string | null }> {
  const checkpoint = `mirror:${runId}`;
  const last = Number(store.getCheckpoint(checkpoint) ?? 0);
  const entries = store.audit(runId).filter((e) => e.seq > last && e.status === 'done' && e.operation !== 'skip');
  const pendingSeqs = store.pendingAudit(runId).map((e) => e.seq);
  const stopAt = pendingSeqs.length ? Math.min(...pendingSeqs) : Infinity;
  const ready = entries.filter((e) => e.seq < stopAt);
  const info = { logicalName: 'astep_auditentry', entitySetName: 'astep_auditentries', primaryIdAttribute: 'astep_auditentryid' };
  const runBind = `/${tableInfo('astep_migrationrun').entitySetName}(astep_runid=${keyLiteral(runId)})`;
  let failed = 0;
  let firstError: string | null = null;
  for (let i = 0; i < ready.length; i += 500) {
    const chunk = ready.slice(i, i + 500);
    const results = await sink.upsert(info, chunk.map((e) => ({
      key: { astep_auditkey: `${runId}|${e.seq}` },
      ref: `audit ${runId}|${e.seq}`,
      attributes: {
        // phase|operation|table|key: a rollback started from CRM reads the audit back from these rows.
        astep_name: printable(auditName(e)),
        'astep_MigrationRunId@odata.bind': runBind,
        astep_sequence: e.seq,
        astep_operation: choiceValue('astep_auditoperation', OPERATION_LABEL[e.operation]),
        astep_targettable: e.table,
        astep_targetid: e.targetId,
        astep_sourceresource: e.sourceResource,
        astep_sourceid: printable(e.sourceId).slice(0, 200),
        astep_beforejson: json(e.before),
        astep_afterjson: json(e.after),
        astep_errorcode: e.errorCode?.slice(0, 50) ?? null,
        // Messages quote source values, which may hold control characters Dataverse text refuses.
        astep_message: e.message ? printable(e.message).slice(0, 10000) : null,
        astep_occurredon: e.occurredOn,
      },
    })));
    failed += results.filter((r) => r.outcome === 'failed').length;
    firstError ??= results.find((r) => r.outcome === 'failed')?.message ?? null;
    // Stop at a failed chunk so the checkpoint never passes rows that did not land; the next mirror retries them.
    if (results.some((r) => r.outcome === 'failed')) break;
    store.setCheckpoint(checkpoint, String(chunk[chunk.length - 1].seq));
  }
  return { auditRows: ready.length, failed, firstError };
}
