// The run record and the audit in Dataverse: astep_migrationrun keyed by astep_runid, astep_auditentry keyed by
// astep_auditkey (run|sequence), so an admin sees them in CRM and the command-bar rollback can find them. Skips are
// kept in the local audit only: a run that changes nothing writes nothing but its run record.
import { CHOICES, choiceValue } from '@astep/solution/schema';
import type { AuditEntry, RunState, SinkPort, StateStore } from '../ports';
import { tableInfo, keyLiteral } from '../load/tables';
import { printable } from '../transform/values';
import { EngineError } from '../run/engineError';
// Audit rows per bulk request: one constant with the plan, which prices the mirror so.
import { AUDIT_CHUNK } from '../plan/timeEstimate';

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

/** Whether an audit entry goes to astep_auditentry: done, and not a skip (skips stay in the local audit only). */
export function isMirrored(e: Pick<AuditEntry, 'status' | 'operation'>): boolean {
  return e.status === 'done' && e.operation !== 'skip';
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

/**
 * The audit entries not yet mirrored, in sequence order, a page at a time, several bulk requests in flight; the
 * checkpoint moves past a chunk only when every chunk before it has landed (a failed chunk stops it, and the next
 * mirror retries from there). Entries from the first pending one on wait: their outcome is not known yet.
 */
export async function mirrorAudit(sink: SinkPort, store: StateStore, runId: string, options: {
  slots?: () => number;
  /** Send whole chunks only (the mirror while a run writes: the last, short chunk waits for the next call). */
  wholeChunksOnly?: boolean;
  /** Awaited before the first chunk is sent (the run record the entries point at), only when there is one to send. */
  beforeFirstChunk?: () => Promise<void>;
} = {}): Promise<{ auditRows: number; failed: number; firstError: string | null }> {
  const checkpoint = `mirror:${runId}`;
  const last = Number(store.getCheckpoint(checkpoint) ?? 0);
  const stopAt = store.firstPendingAuditSeq(runId) ?? Infinity;
  const info = { logicalName: 'astep_auditentry', entitySetName: 'astep_auditentries', primaryIdAttribute: 'astep_auditentryid' };
  const runBind = `/${tableInfo('astep_migrationrun').entitySetName}(astep_runid=${keyLiteral(runId)})`;
  const slots = () => Math.max(1, options.slots?.() ?? 1);
  let failed = 0;
  let rows = 0;
  let firstError: string | null = null;
  let stopped = false;
  /** A request that threw (no answer at all, e.g. no identity could sign in): rethrown once the others settle. */
  let thrown: unknown = null;
  /** Chunks sent, in order, with whether they landed; the checkpoint follows the landed prefix. */
  const sent: Array<{ lastSeq: number; result: Promise<boolean> }> = [];
  /** The oldest chunk in flight has landed (the checkpoint moves past it), or failed (mirroring stops there). */
  const advanceOne = async () => {
    const ok = await sent[0].result;
    if (!ok) stopped = true;
    else store.setCheckpoint(checkpoint, String(sent.shift()!.lastSeq));
  };
  let chunk: AuditEntry[] = [];
  const send = (entries: AuditEntry[]) => {
    rows += entries.length;
    sent.push({
      lastSeq: entries[entries.length - 1].seq,
      result: sink.upsert(info, entries.map((e) => ({ key: { astep_auditkey: `${runId}|${e.seq}` }, ref: `audit ${runId}|${e.seq}`, attributes: auditAttributes(e, runBind) })), { maxConcurrency: 1 })
        .then((results) => {
          const bad = results.filter((r) => r.outcome === 'failed');
          failed += bad.length;
          firstError ??= bad[0]?.message ?? null;
          return bad.length === 0;
        }, (e: unknown) => {
          thrown ??= e;
          return false;
        }),
    });
  };
  for (let after = last; !stopped;) {
    const page = store.auditPage(runId, { afterSeq: after, limit: 5000 });
    if (!page.length) break;
    after = page[page.length - 1].seq;
    let end = false;
    for (const e of page) {
      if (e.seq >= stopAt) {
        end = true;
        break;
      }
      if (!isMirrored(e)) continue;
      chunk.push(e);
      if (chunk.length >= AUDIT_CHUNK) {
        if (!rows) await options.beforeFirstChunk?.();
        send(chunk);
        chunk = [];
        // Room for the next chunk: wait for the oldest while the window is full.
        while (sent.length >= slots() && !stopped) await advanceOne();
      }
    }
    if (end) break;
  }
  if (chunk.length && !stopped && !options.wholeChunksOnly) {
    if (!rows) await options.beforeFirstChunk?.();
    send(chunk);
  }
  while (sent.length && !stopped) await advanceOne();
  // Chunks still in flight after a failure settle before the step goes on.
  await Promise.allSettled(sent.map((c) => c.result));
  if (thrown) throw thrown;
  return { auditRows: rows, failed, firstError };
}

function auditAttributes(e: AuditEntry, runBind: string): Record<string, unknown> {
  return {
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
  };
}
