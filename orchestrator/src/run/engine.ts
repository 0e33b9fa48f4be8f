// The migration engine: discover, provision, extract, sample, approve, run, export-workflows. Every step reads and
// writes through the three ports, so the same code runs from the command line and inside Dynamics.
import type { RecordsByResource, ResourceName, TrustLedgerEntry, User } from '@astep/actionstep-connector/records';
import { buildPlan, type DestinationInventory, type SourceInventory } from '../plan/buildPlan';
import type { MigrationPlan } from '../plan/migrationPlan';
import type { LicenseTier, MigrationOptions } from '../options';
import type { Finding, ProgressReporter, RecordOutcome, Row, RunState, SinkPort, SourcePort, StateStore } from '../ports';
import { FindingLog } from './findings';
import { extractResource, stageUnlistedMatters } from './resourceExtraction';
import { FirmIndex, emptyFirmData, trustRowId, trustRowOrder, type FirmData } from '../transform/firmData';
import type { TargetRow } from '../transform/targetRow';
import { FirmLookups, FirmUnits, MAPPINGS, mapFirm, recordRef, SEED_MAPPINGS, type MappedFirm, type MappingSet } from '../mappings';
import { KeyRegistry, RowLoader, type RowResult } from '../load/rowLoader';
import { diffRows, selectSample, type DiffEntry, type SampleContext } from '../diff/sample';
import { comparedColumns } from '../load/tables';
import { exportWorkflows, type WorkflowReference } from './workflows';
import { applyDecisions, validateDecisions, type FieldDecision } from '../transform/corrections';
import { RollbackExecutor, type RollbackResult } from '../safety/rollback';
import { scanDelta, type DeltaScan } from '../safety/delta';
import { verifyRun, type VerifyResult } from '../safety/verify';
import { mirrorAudit, mirrorRun } from '../safety/mirror';

/** Extraction order (the seed's priority): matters first, then people, time and trust, documents, steps and tasks. */
export const EXTRACTION_ORDER: ResourceName[] = [
  'actiontypes', 'participanttypes', 'users', 'datacollections', 'datacollectionfields', 'steps',
  'actions', 'datacollectionrecords', 'datacollectionrecordvalues',
  'participants', 'actionparticipants',
  'timeentries', 'disbursements', 'bills',
  'actiondocuments', 'filenotes',
  'tasks',
];
export const STAGED_RESOURCES = [...EXTRACTION_ORDER, 'trustledger'] as const;

export interface EngineDeps {
  source: SourcePort;
  sink: SinkPort;
  store: StateStore;
  progress: ProgressReporter;
  now?: () => Date;
  /** The table mappings (default: the migration's own); a firm's extra mapping is one more declaration. */
  mappings?: MappingSet;
}

export interface ObjectSummary {
  object: string;
  extracted: number;
  migrated: number;
  skipped: number;
  failed: number;
  skippedReasons: Record<string, number>;
  failedReasons: Array<{ id: string; message: string }>;
}

export interface TableSummary {
  table: string;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface RunSummary {
  runId: string;
  phase: 'run' | 'sample' | 'delta';
  startedOn: string;
  completedOn: string;
  objects: ObjectSummary[];
  tables: TableSummary[];
  reconciles: boolean;
  totals: { extracted: number; migrated: number; skipped: number; failed: number };
  mappings: Record<string, number>;
  actionstepRequests: number;
  dataverseRequests: number;
  /** Per-record findings by rule (values that did not parse, records that moved during extraction). */
  findings: Finding[];
}

export interface SampleResult {
  runId: string;
  matterIds: string[];
  rowCount: number;
  coverage: ReturnType<typeof selectSample>['coverage'];
  tables: TableSummary[];
  diff: DiffEntry[];
  mismatches: number;
}

export class EngineError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = 'EngineError';
  }
}

export class MigrationEngine {
  private readonly now: () => Date;
  readonly mappings: MappingSet;
  constructor(private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date());
    this.mappings = deps.mappings ?? MAPPINGS;
  }

  private get store() {
    return this.deps.store;
  }

  newRun(runId?: string): RunState {
    const id = runId ?? `run-${this.now().toISOString().replace(/[-:T.Z]/g, '').slice(0, 14)}`;
    const existing = this.store.getRun(id);
    if (existing) return existing;
    const run: RunState = {
      runId: id, createdOn: this.now().toISOString(), status: 'Draft', plan: null, extractionStartedOn: null, extractionCompletedOn: null,
      sample: null, approval: null, summary: null, rolledBackOn: null,
    };
    this.store.saveRun(run);
    return run;
  }

  requireRun(runId?: string): RunState {
    const id = runId ?? this.store.latestRunId();
    const run = id ? this.store.getRun(id) : null;
    if (!run) throw new EngineError(runId ? `no run ${runId} in the state store` : 'no run yet: start with `discover`');
    return run;
  }

  private requirePlan(run: RunState): MigrationPlan {
    if (!run.plan) throw new EngineError(`run ${run.runId} has no plan: run \`discover\` first`);
    return run.plan as MigrationPlan;
  }

  // ---------------- discover ----------------

  async discover(runId: string | undefined, licenseTier: LicenseTier, overrides: Partial<MigrationOptions> = {}): Promise<MigrationPlan> {
    const run = this.newRun(runId);
    const { source, sink, progress } = this.deps;
    progress.log('discover: reading the Actionstep inventory');
    const small = async <R extends ResourceName>(r: R) => {
      const all: Array<RecordsByResource[R]> = [];
      for await (const page of source.pages(r)) all.push(...page);
      return all;
    };
    const inv: SourceInventory = {
      orgkey: source.orgkey(),
      counts: {},
      actiontypes: await small('actiontypes'),
      participanttypes: await small('participanttypes'),
      users: await small('users'),
      datacollections: await small('datacollections'),
      datacollectionfields: await small('datacollectionfields'),
      actions: await small('actions'),
      actionparticipants: [],
      participants: [],
      documentBytes: 0,
    };
    for (const r of EXTRACTION_ORDER) {
      const known = (inv as unknown as Record<string, unknown[]>)[r];
      inv.counts[r] = Array.isArray(known) && known.length ? known.length : (await source.count(r)) ?? 0;
    }
    // Clients (primary participants) tell organisations from solo clients: fetched by id, not by scanning everyone.
    inv.actionparticipants = await small('actionparticipants');
    inv.participants = await small('participants');
    inv.counts.actionparticipants = inv.actionparticipants.length;
    inv.counts.participants = inv.participants.length;
    progress.log('discover: reading the Dataverse inventory');
    const who = await sink.whoAmI();
    const dst: DestinationInventory = {
      webApiUrl: sink.webApiUrl(),
      licenseTier,
      existingCustomTables: await sink.customTables(),
      systemUsers: await sink.systemUsers(),
      maxUploadFileSize: await sink.maxUploadFileSize(),
      callerId: who.userId,
    };
    const plan = buildPlan(inv, dst, overrides, this.now(), this.mappings);
    this.store.saveRun({ ...run, plan, status: 'Discovered' });
    return plan;
  }

  // ---------------- provision ----------------

  async provision(runId?: string, dryRun = false, options: { force?: boolean } = {}): Promise<string[]> {
    const run = this.requireRun(runId);
    const plan = this.requirePlan(run);
    // Sales Professional allows 15 custom tables: a plan over the budget would leave the firm out of licence terms.
    if (!plan.tableBudget.fits && !dryRun && !options.force) {
      throw new EngineError(`provisioning stopped: ${plan.tableBudget.message} Change the plan's options or licence tier, or pass --force to provision anyway.`);
    }
    const changes = await this.deps.sink.provision(plan.schema, { dryRun, onProgress: (m) => this.deps.progress.log(`provision: ${m}`) });
    if (!dryRun) this.store.saveRun({ ...this.requireRun(run.runId), status: 'Provisioned' });
    return changes;
  }

  // ---------------- extract ----------------

  /** Stages every resource, resumable: a resource already completed in this run is not read again. */
  async extract(runId?: string): Promise<Record<string, number>> {
    let run = this.requireRun(runId);
    this.requirePlan(run);
    if (!run.extractionStartedOn) {
      run = { ...run, extractionStartedOn: this.now().toISOString() };
      this.store.saveRun(run);
    }
    const { source, progress } = this.deps;
    const counts: Record<string, number> = {};
    for (const resource of EXTRACTION_ORDER) {
      const done = this.store.getCheckpoint(`extract:${run.runId}:${resource}`);
      if (done) {
        counts[resource] = this.store.stagedCount(resource);
        continue;
      }
      const log = new FindingLog();
      const n = await extractResource({ source, store: this.store, progress }, resource, log);
      this.store.setCheckpoint(`findings:${run.runId}:${resource}`, log.size ? JSON.stringify(log.list()) : null);
      this.store.setCheckpoint(`extract:${run.runId}:${resource}`, String(n));
      counts[resource] = n;
    }
    if (!this.store.getCheckpoint(`extract:${run.runId}:unlisted-matters`)) {
      await stageUnlistedMatters({ source, store: this.store, progress });
      this.store.setCheckpoint(`extract:${run.runId}:unlisted-matters`, 'done');
    }
    counts.actions = this.store.stagedCount('actions');
    if (!this.store.getCheckpoint(`extract:${run.runId}:trustledger`)) {
      this.store.clearStaged('trustledger');
      const ledger = await source.trustLedger();
      this.store.stage(ledger.map((t, i) => ({ resource: 'trustledger', id: trustRowId(t.actionId, i), json: JSON.stringify(t) })));
      this.store.setCheckpoint(`extract:${run.runId}:trustledger`, String(ledger.length));
    }
    counts.trustledger = this.store.stagedCount('trustledger');
    this.store.saveRun({ ...this.requireRun(run.runId), extractionCompletedOn: this.now().toISOString(), status: 'Extracted' });
    return counts;
  }

  loadFirm(): FirmData {
    const data = emptyFirmData();
    for (const r of EXTRACTION_ORDER) {
      (data as unknown as Record<string, unknown[]>)[r] = this.store.staged(r).map((s) => JSON.parse(s.json));
    }
    data.trustLedger = this.store.staged('trustledger').sort((a, b) => trustRowOrder(a.id) - trustRowOrder(b.id)).map((s) => JSON.parse(s.json) as TrustLedgerEntry);
    return data;
  }

  /** The run's rows and dispositions from the staged firm, and what the sample and its diff read. */
  mapping(run: RunState): { ctx: SampleContext; mapped: MappedFirm } {
    const plan = this.requirePlan(run);
    const index = new FirmIndex(this.loadFirm());
    const lookups = new FirmLookups(index, plan, this.deps.source.filesUrl());
    const ctx: SampleContext = { mappings: this.mappings, index, lookups };
    const mapped = mapFirm(this.mappings, lookups, new FirmUnits(index, lookups));
    // What the admin approved is what runs: their corrections from the sample review apply to every row.
    const decisions = (run.approval?.corrections as { decisions?: FieldDecision[] } | null)?.decisions;
    if (decisions?.length) applyDecisions(mapped, decisions);
    return { ctx, mapped };
  }

  private loader(runId: string, phase: 'sample' | 'run' | 'delta', registry: KeyRegistry): RowLoader {
    return new RowLoader(this.deps.sink, this.store, registry, this.deps.progress, this.mappings, {
      runId, phase, downloadFile: (id, fileSize) => this.deps.source.downloadFile(id, { fileSize }), matchExisting: true, now: this.now,
    });
  }

  /** Loads rows table by table in dependency order, then applies won/lost and completed states. */
  async loadRows(runId: string, phase: 'sample' | 'run' | 'delta', rows: Map<string, TargetRow[]>, registry = new KeyRegistry()): Promise<{ results: RowResult[]; registry: KeyRegistry }> {
    const loader = this.loader(runId, phase, registry);
    const results: RowResult[] = [];
    for (const table of this.mappings.names) {
      const list = rows.get(table) ?? [];
      if (list.length) results.push(...(await loader.loadTable(table, list)));
    }
    const closeFailures = await loader.applyFinalStates(results);
    for (const f of closeFailures) {
      const i = results.findIndex((r) => r.row === f.row);
      if (i >= 0) results[i] = f;
    }
    return { results, registry };
  }

  // ---------------- sample ----------------

  async sample(runId?: string): Promise<SampleResult> {
    const run = this.requireRun(runId);
    if (!run.extractionCompletedOn) throw new EngineError(`run ${run.runId} is not extracted yet: run \`extract\` first`);
    const { ctx, mapped } = this.mapping(run);
    const plan = this.requirePlan(run);
    const selection = selectSample(ctx, mapped, plan.options.sampleSize);
    const { results, registry } = await this.loadRows(run.runId, 'sample', selection.rows);
    const actual = await this.readBack(results);
    const diff = diffRows(ctx, results.map((r) => ({ row: r.row, targetId: r.targetId, actual: actual.get(r) ?? null, registry: (t, k) => registry.get(t, k) })));
    const sample: SampleResult = {
      runId: run.runId,
      matterIds: selection.matterIds,
      rowCount: selection.rowCount,
      coverage: selection.coverage,
      tables: tableSummaries(this.mappings, results),
      diff,
      mismatches: diff.filter((d) => d.status === 'mismatch').length,
    };
    this.store.saveRun({ ...this.requireRun(run.runId), sample, status: 'Sampled' });
    return sample;
  }

  /** Reads back written rows (the values Dataverse holds now), for the diff and for verification. */
  async readBack(results: RowResult[]): Promise<Map<RowResult, Row>> {
    const out = new Map<RowResult, Row>();
    const byTable = new Map<string, RowResult[]>();
    for (const r of results) {
      if (!r.targetId) continue;
      const list = byTable.get(r.row.table);
      if (list) list.push(r);
      else byTable.set(r.row.table, [r]);
    }
    for (const [table, list] of byTable) {
      const info = this.mappings.tableInfo(table);
      const cols = comparedColumns(this.mappings.require(table), list.map((r) => r.row));
      // Columns a value was dropped from (problems) are read too: the diff shows what Dataverse holds there.
      for (const r of list) for (const p of r.row.problems) if (/^[a-z_0-9]+$/.test(p.field) && p.field !== 'status') cols.add(p.field);
      for (let i = 0; i < list.length; i += 250) {
        const chunk = list.slice(i, i + 250);
        const rows = await this.deps.sink.readByValues(info, info.primaryIdAttribute, chunk.map((r) => r.targetId as string), [...cols].filter((c) => validColumn(table, c)));
        const byId = new Map(rows.map((x) => [String(x[info.primaryIdAttribute]).toLowerCase(), x] as const));
        for (const r of chunk) {
          const got = byId.get(String(r.targetId).toLowerCase());
          if (got) out.set(r, got);
        }
      }
    }
    return out;
  }

  // ---------------- approve ----------------

  approve(runId: string | undefined, approvedBy: string, corrections: { decisions?: FieldDecision[] } | null = null): RunState {
    const run = this.requireRun(runId);
    if (!run.sample) throw new EngineError(`run ${run.runId} has no sample to approve: run \`sample\` first`);
    if (corrections?.decisions?.length) {
      const problems = validateDecisions(this.mapping({ ...run, approval: null }).mapped, corrections.decisions);
      if (problems.length) throw new EngineError(`the corrections cannot be applied:\n  - ${problems.join('\n  - ')}`);
    }
    const next = { ...run, approval: { approvedOn: this.now().toISOString(), approvedBy, corrections }, status: 'Approved' };
    this.store.saveRun(next);
    return next;
  }

  // ---------------- run ----------------

  async run(runId?: string, options: { force?: boolean } = {}): Promise<RunSummary> {
    const run = this.requireRun(runId);
    if (!run.extractionCompletedOn) throw new EngineError(`run ${run.runId} is not extracted yet: run \`extract\` first`);
    if (!run.approval && !options.force) throw new EngineError(`run ${run.runId}: the sample is not approved. Review the sample diff and run \`approve\`, or pass --force`);
    const startedOn = this.now().toISOString();
    this.store.saveRun({ ...run, status: 'Running' });
    const { ctx, mapped } = this.mapping(run);
    const { results } = await this.loadRows(run.runId, 'run', mapped.rows);
    const summary = this.summarize(run.runId, 'run', startedOn, mapped, results, ctx.lookups.plan.fallbackOwnerId);
    this.store.saveRun({ ...this.requireRun(run.runId), summary, status: summary.totals.failed ? 'Completed With Errors' : 'Completed' });
    await this.mirror(run.runId);
    return summary;
  }

  summarize(runId: string, phase: 'run' | 'delta', startedOn: string, mapped: MappedFirm, results: RowResult[], fallbackOwnerId: string): RunSummary {
    const byRow = new Map<string, RowResult>();
    for (const r of results) byRow.set(`${r.row.table}|${r.row.key}`, r);
    const outcomes: RecordOutcome[] = [];
    const objects: ObjectSummary[] = [];
    for (const resource of STAGED_RESOURCES) {
      const staged = this.store.staged(resource);
      const summary: ObjectSummary = { object: resource, extracted: staged.length, migrated: 0, skipped: 0, failed: 0, skippedReasons: {}, failedReasons: [] };
      for (const s of staged) {
        const o = outcomeOf(mapped, byRow, resource, s.id);
        outcomes.push(o);
        summary[o.outcome]++;
        if (o.outcome === 'skipped') {
          const reason = genericReason(o.message ?? '');
          summary.skippedReasons[reason] = (summary.skippedReasons[reason] ?? 0) + 1;
        } else if (o.outcome === 'failed') summary.failedReasons.push({ id: s.id, message: o.message ?? 'failed' });
      }
      objects.push(summary);
    }
    this.store.setOutcomes(runId, outcomes);
    const totals = objects.reduce((t, o) => ({ extracted: t.extracted + o.extracted, migrated: t.migrated + o.migrated, skipped: t.skipped + o.skipped, failed: t.failed + o.failed }), { extracted: 0, migrated: 0, skipped: 0, failed: 0 });
    return {
      runId, phase, startedOn, completedOn: this.now().toISOString(), objects, tables: tableSummaries(this.mappings, results),
      reconciles: objects.every((o) => o.extracted === o.migrated + o.skipped + o.failed),
      totals, mappings: mappingCounts(this.mappings, results, fallbackOwnerId),
      actionstepRequests: this.deps.source.requestCount(), dataverseRequests: this.deps.sink.requestCount(),
      findings: this.extractionFindings(runId),
    };
  }

  /** What the extraction noticed, every resource's findings merged by rule. */
  extractionFindings(runId?: string): Finding[] {
    const run = this.requireRun(runId);
    const log = new FindingLog();
    for (const r of EXTRACTION_ORDER) {
      const saved = this.store.getCheckpoint(`findings:${run.runId}:${r}`);
      if (saved) log.merge(JSON.parse(saved) as Finding[]);
    }
    return log.list();
  }

  // ---------------- delta ----------------

  async delta(runId?: string): Promise<{ scan: DeltaScan; summary: RunSummary; deletions: { reported: number; applied: number; failed: string[] } }> {
    const run = this.requireRun(runId);
    if (!run.extractionStartedOn) throw new EngineError(`run ${run.runId} was never extracted: nothing to pick up a delta from`);
    if (!run.summary && !run.approval) throw new EngineError(`run ${run.runId} has not been run yet: run \`run\` first`);
    const plan = this.requirePlan(run);
    const startedOn = this.now().toISOString();
    const since = run.lastDeltaOn ?? run.extractionStartedOn;
    const scan = await scanDelta(this.deps.source, this.store, EXTRACTION_ORDER, since, startedOn, this.deps.progress);
    const { ctx, mapped } = this.mapping(run);
    const { results } = await this.loadRows(run.runId, 'delta', mapped.rows);
    // Deleted in Actionstep: rescanned records that vanished, and matters now flagged deleted.
    const gone = scan.resources.flatMap((r) => r.deleted.map((id) => ({ resource: r.resource, id })));
    for (const r of scan.resources.find((x) => x.resource === 'actions')?.changed ?? []) {
      if (ctx.index.matters.get(r)?.isDeleted) gone.push({ resource: 'actions', id: r });
    }
    let applied = 0;
    const failed: string[] = [];
    if (plan.options.applyDeletions && gone.length) {
      const goneSet = new Set(gone.map((g) => `${g.resource}:${g.id}`));
      const created = this.store.audit(run.runId).filter((e) => e.operation === 'create' && e.status === 'done' && e.targetId && goneSet.has(`${e.sourceResource}:${e.sourceId}`)).sort((a, b) => b.seq - a.seq);
      for (const e of created) {
        const [res] = await this.deps.sink.remove(this.mappings.tableInfo(e.table), [{ id: e.targetId as string, ref: e.key }]);
        if (res.outcome === 'failed') failed.push(`${e.table} ${e.key}: ${res.message}`);
        else {
          applied++;
          this.store.addPendingAudit([{ ...e, phase: 'delta', operation: 'delete', before: e.after, after: null, status: 'done', occurredOn: this.now().toISOString(), message: `deleted in Actionstep (${e.sourceResource} ${e.sourceId})` }]);
        }
      }
      // Applied deletions leave staging too, so later counts reconcile against what Actionstep still holds.
      for (const g of gone) if (g.resource !== 'actions') this.store.unstage(g.resource, [g.id]);
    }
    const summary = this.summarize(run.runId, 'delta', startedOn, mapped, results, ctx.lookups.plan.fallbackOwnerId);
    this.store.saveRun({ ...this.requireRun(run.runId), lastDeltaOn: startedOn, summary });
    await this.mirror(run.runId);
    return { scan, summary, deletions: { reported: gone.length, applied, failed } };
  }

  // ---------------- verify ----------------

  async verify(runId?: string): Promise<VerifyResult> {
    const run = this.requireRun(runId);
    if (!run.summary) throw new EngineError(`run ${run.runId} has not been run yet: nothing to verify`);
    const { mapped } = this.mapping(run);
    const counts: Record<string, number> = {};
    for (const r of STAGED_RESOURCES) counts[r] = this.store.stagedCount(r);
    return verifyRun(run.runId, this.mappings, mapped, this.deps.sink, this.store, counts, this.extractionFindings(run.runId));
  }

  // ---------------- rollback ----------------

  async rollback(runId?: string, options: { force?: boolean } = {}): Promise<RollbackResult> {
    const run = this.requireRun(runId);
    this.store.saveRun({ ...run, status: 'Rolling Back' });
    const result = await new RollbackExecutor(this.deps.sink, this.store, this.deps.progress, { force: options.force, now: this.now, mappings: this.mappings }).execute(run.runId);
    this.store.saveRun({ ...this.requireRun(run.runId), status: result.complete ? 'Rolled Back' : 'Rolling Back', rolledBackOn: result.complete ? this.now().toISOString() : null });
    await this.mirror(run.runId);
    return result;
  }

  /** The run record and its audit in Dataverse (astep_migrationrun, astep_auditentry), so CRM users see them. */
  async mirror(runId: string): Promise<{ auditRows: number; failed: number }> {
    const run = this.requireRun(runId);
    await mirrorRun(this.deps.sink, run);
    const result = await mirrorAudit(this.deps.sink, this.store, runId);
    if (result.failed) this.deps.progress.log(`audit: ${result.failed} audit rows could not be written to Dataverse (kept locally; retried next time): ${result.firstError}`);
    return result;
  }

  exportWorkflows(runId?: string): WorkflowReference {
    const run = this.requireRun(runId);
    if (!run.extractionCompletedOn) throw new EngineError(`run ${run.runId} is not extracted yet: run \`extract\` first`);
    return exportWorkflows(this.loadFirm());
  }
}

function validColumn(_table: string, column: string): boolean {
  return /^_?[a-z0-9_]+$/.test(column);
}

function outcomeOf(mapped: MappedFirm, byRow: Map<string, RowResult>, resource: string, id: string): RecordOutcome {
  const ds = mapped.dispositions.get(recordRef(resource, id));
  if (!ds || ds.length === 0) return { resource, id, outcome: 'failed', message: `${resource} ${id}: no mapping handled this record (engine bug; please report)`, targets: null };
  const failed = ds.find((d) => d.kind === 'failed');
  if (failed && failed.kind === 'failed') return { resource, id, outcome: 'failed', message: failed.message, targets: null };
  const targets: string[] = [];
  let sawRow = false;
  for (const d of ds) {
    if (d.kind === 'row' || (d.kind === 'rollup' && d.table && d.key)) {
      const table = d.table as string, key = d.key as string;
      if (table === 'systemuser') {
        sawRow = true;
        continue;
      }
      const r = byRow.get(`${table}|${key}`);
      if (!r) {
        if (d.kind === 'row') return { resource, id, outcome: 'failed', message: `${resource} ${id}: its ${table} row ${key} was not loaded`, targets: null };
        continue;
      }
      if (r.outcome === 'failed') return { resource, id, outcome: 'failed', message: d.kind === 'row' ? r.message ?? 'write failed' : `${resource} ${id}: the ${table} row it belongs to failed: ${r.message}`, targets: null };
      sawRow = true;
      targets.push(`${table}:${r.targetId}`);
    } else if (d.kind === 'rollup') sawRow = true;
  }
  if (sawRow) return { resource, id, outcome: 'migrated', message: null, targets: targets.join(' ') || null };
  const skipped = ds.find((d) => d.kind === 'skipped');
  return { resource, id, outcome: 'skipped', message: skipped && skipped.kind === 'skipped' ? skipped.reason : 'skipped', targets: null };
}

/** Groups reasons that differ only by ids ("matter 12 is deleted" and "matter 13 is deleted"). */
function genericReason(message: string): string {
  return message.replace(/\b\d+(--[^ ]+)*\b/g, 'N').replace(/"[^"]*"/g, '"…"').replace(/\([^)]*\d[^)]*\)/g, '').replace(/\s+/g, ' ').trim();
}

function tableSummaries(mappings: MappingSet, results: RowResult[]): TableSummary[] {
  const map = new Map<string, TableSummary>();
  for (const r of results) {
    const t = map.get(r.row.table) ?? { table: r.row.table, created: 0, updated: 0, unchanged: 0, failed: 0 };
    if (r.outcome === 'created') t.created++;
    else if (r.outcome === 'updated') t.updated++;
    else if (r.outcome === 'skipped') t.unchanged++;
    else t.failed++;
    map.set(r.row.table, t);
  }
  return mappings.names.map((t) => map.get(t)).filter((x): x is TableSummary => !!x);
}

/** Rows written per mapping of the seed's 13 (a row counts once towards each mapping its table's count rules name). */
function mappingCounts(mappings: MappingSet, results: RowResult[], fallbackOwnerId: string): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(SEED_MAPPINGS.map((m) => [m, 0]));
  for (const r of results) {
    if (r.outcome === 'failed') continue;
    const names = new Set<string>();
    for (const rule of mappings.get(r.row.table)?.counts ?? []) if (!rule.when || rule.when(r.row, { fallbackOwnerId })) names.add(rule.mapping);
    for (const n of names) counts[n]++;
  }
  return counts;
}

export type { User };
