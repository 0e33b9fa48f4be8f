// The migration engine: discover, provision, extract, sample, approve, run, export-workflows. Every step reads and
// writes through the three ports, so the same code runs from the command line and inside Dynamics.
import type { RecordsByResource, ResourceName, User } from '@astep/actionstep-connector/records';
import { MAX_PAGE_SIZE } from '@astep/actionstep-connector/limits';
import { buildPlan, type DestinationInventory, type MatterFacts, type ParticipantFacts, type RoleLinkFacts, type SourceInventory } from '../plan/buildPlan';
import { countEnumValues } from './enumCounts';
import { ENUM_FIELDS } from '../plan/enumInventory';
import type { MigrationPlan } from '../plan/migrationPlan';
import type { BillingTotalRule, LicenseTier, MigrationOptions } from '../options';
import { silentProgress, type AuditEntry, type Finding, type LoadedRow, type ProgressReporter, type RecordOutcome, type Row, type RunState, type SinkPort, type SourcePort, type StagedRecord, type StateStore, type TrustLedgerPort, type DocumentFilesPort } from '../ports';
import { prefetchDocuments, prefetchSummary, type DocumentPrefetchResult } from './documentPrefetch';
import { FindingLog } from './findings';
import { recordFieldProblems, type FieldProblemSink } from './fieldProblems';
import { stageUnlistedMatters } from './resourceExtraction';
import { extractResources, singleSession } from './pagedExtraction';
import { checkSessions, requireCheckedSessions } from './actionstepSessions';
import { estimateTime, estimatesWithTime, metadataWritesFor } from '../plan/timeEstimate';
import { documentSpaceWarning, estimateDocumentSpace, firstDocuments } from '../plan/documentSpace';
import { EngineError } from './engineError';
import { FirmIndex, emptyFirmData, type FirmData } from '../transform/firmData';
import { notMigrated, stageTrustLedger, TRUST_RESOURCE, trustRowLine, type NotMigrated, type StagedTrustRow, type TrustLedgerStatus } from './trustExtraction';
import type { TargetRow } from '../transform/targetRow';
import { FirmLookups, FirmUnits, MAPPINGS, mapFirm, SEED_MAPPINGS, type MappedFirm, type MappingSet } from '../mappings';
import { accountSources, mapTable, type Disposition, type DispositionSink } from '../mappings/mapFirm';
import { KeyRegistry, RowLoader, type CloseFailure, type LoadedRowFacts, type RowResult } from '../load/rowLoader';
import { runPipeline } from '../load/pipeline';
import { diffLabels, diffRows, selectSample, type DiffEntry, type DiffLabels, type SampleContext } from '../diff/sample';
import { comparedColumns } from '../load/tables';
import { exportWorkflows, type WorkflowReference } from './workflows';
import { applyDecisions, applyDecisionsToRow, validateDecisionsAgainst, type FieldDecision } from '../transform/corrections';
import { RollbackExecutor, type RollbackResult } from '../safety/rollback';
import { scanDelta, type DeltaScan } from '../safety/delta';
import { verifyRun, type VerifyResult } from '../safety/verify';
import { mirrorAudit, mirrorRun } from '../safety/mirror';
import { DispositionWriter, dispositionsByRecord, ledgerOf, openFirmView, STAGED_PAGE, type FirmView } from './firmView';
import { tableLabel } from '../vocabulary/objects';

/** Rows per batch: one bulk write request each (Microsoft's suggested start of 1,000 records per bulk request). */
const BATCH_ROWS = 1000;
/**
 * Rows in flight at most, whatever the capacity: what the run holds in memory besides its caches. A bulk request of
 * 1,000 rows costs about 1.44 s of execution, so one application user reaches its sustained bound (2,778 rows/s)
 * with about 4 in flight; 12 batches keep three users fed. (24,000 took the medium run to 629 MB peak RSS.)
 */
const MAX_ROWS_IN_FLIGHT = 12_000;
/**
 * Values the run and verify read back in flight at most (rows x columns): twelve batches of 1,000 rows of up to 24
 * columns (accounts and contacts ask for about 20, time entries 15). Matters with the xl firm's data-collection fields
 * ask for 98, so three of their batches go at once instead of twelve (measured: 3.7 MB of answer per batch of matters).
 */
const MAX_CELLS_IN_FLIGHT = 12 * 1000 * 24;
/**
 * Attachment bytes (raw) per batch and in flight: 8 MB per request, 16 MB at once. Each file is held about three times
 * over while its batch goes (the download, its base64 text, the request body), well inside the command's heap bound.
 */
const MAX_BATCH_ATTACHMENT_BYTES = 8 * 1024 * 1024;
const MAX_ATTACHMENT_BYTES_IN_FLIGHT = 16 * 1024 * 1024;
/** Audit chunks of 1,000 rows the mirror keeps in flight (each holds its entries' before and after images). */
const MIRROR_SLOTS = 8;
/** How often the audit mirror looks for done entries while a run writes. */
const MIRROR_WHILE_WRITING_MS = 2000;
/** Batches in flight when the sink cannot say its capacity. */
const DEFAULT_SLOTS = 4;
/** The progress task of a load (vocabulary/progressLabels.ts says it in people's words). */
export const LOAD_TASK = 'load';

/** Extraction order (the seed's priority): matters first, then people, time and trust, documents, steps and tasks. */
export const EXTRACTION_ORDER: ResourceName[] = [
  'actiontypes', 'participanttypes', 'users', 'datacollections', 'datacollectionfields', 'steps',
  'actions', 'datacollectionrecords', 'datacollectionrecordvalues',
  'participants', 'actionparticipants',
  'timeentries', 'disbursements', 'bills',
  'actiondocuments', 'filenotes',
  'tasks',
];
export const STAGED_RESOURCES = [...EXTRACTION_ORDER, TRUST_RESOURCE] as const;
/** Enumerated fields of matters the plan counts (discover keeps them with each matter's facts). */
const MATTER_ENUM_FIELDS = ENUM_FIELDS.filter((f) => f.resource === 'actions').map((f) => f.field);

export interface EngineDeps {
  source: SourcePort;
  sink: SinkPort;
  store: StateStore;
  progress: ProgressReporter;
  now?: () => Date;
  /** The table mappings (default: the migration's own); a firm's extra mapping is one more declaration. */
  mappings?: MappingSet;
  /** The trust ledger export the firm gives (Actionstep has no trust API); absent: none given, trust is not migrated. */
  trustLedger?: TrustLedgerPort;
  /** Where run and delta write every field-level problem as it is met (the command line: field-problems.csv). */
  fieldProblems?: FieldProblemSink;
  /** Where extract keeps the files notes carry, for the run to read (the command line's state folder). Absent: the
   *  run downloads each file as its note goes (the wizard). */
  documentFiles?: DocumentFilesPort;
}

export interface ObjectSummary {
  object: string;
  extracted: number;
  migrated: number;
  skipped: number;
  failed: number;
  skippedReasons: Record<string, number>;
  /** The first record's own message for each skip reason (the reasons are grouped with their ids taken out). */
  skippedExamples?: Record<string, string>;
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
  /**
   * Per-record findings by rule: values that did not parse, records that moved during extraction, trust ledger rows,
   * and every field-level problem of every record (sample or not), with counts and examples.
   */
  findings: Finding[];
  /** Field-level problems in all (every one is a line of field-problems.csv beside the report). */
  fieldProblems: number;
  /** Mappings the run does not migrate, with the reason and what to do (trust, when no ledger export was given). */
  notMigrated: NotMigrated[];
  /** The billing total's rule and, when it counts billed time only, the time entries and amount it left out. */
  billing: { rule: BillingTotalRule; excludedEntries: number; excludedAmount: number };
}

export interface SampleResult {
  runId: string;
  matterIds: string[];
  rowCount: number;
  coverage: ReturnType<typeof selectSample>['coverage'];
  tables: TableSummary[];
  diff: DiffEntry[];
  mismatches: number;
  /** Names and labels people see in place of logical names, ids and choice numbers (absent in older samples). */
  labels?: DiffLabels;
}

export { EngineError };

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
    // Matters, participants and role links are lists as long as the firm: of each record only what the plan reads is
    // kept (a 1,000,000-record firm's participants in full took discover's memory up with the firm's size).
    const facts = async <R extends ResourceName, F>(r: R, keep: (record: RecordsByResource[R]) => F) => {
      const all: F[] = [];
      for await (const page of source.pages(r)) for (const record of page) all.push(keep(record));
      return all;
    };
    /** The firm's short lists (types, users, data collection definitions), whole. */
    const small = <R extends ResourceName>(r: R) => facts(r, (record) => record);
    const inv: SourceInventory = {
      orgkey: source.orgkey(),
      counts: {},
      actiontypes: await small('actiontypes'),
      participanttypes: await small('participanttypes'),
      users: await small('users'),
      datacollections: await small('datacollections'),
      datacollectionfields: await small('datacollectionfields'),
      // The matters' enumerated fields are counted from this list too (countEnumValues below): kept with the facts.
      actions: await facts('actions', (m): MatterFacts => ({
        ...Object.fromEntries(MATTER_ENUM_FIELDS.map((f) => [f, (m as unknown as Record<string, unknown>)[f]])),
        id: m.id, isDeleted: m.isDeleted, status: m.status, actionTypeId: m.actionTypeId, primaryParticipantIds: m.primaryParticipantIds,
      })),
      actionparticipants: [],
      participants: [],
      documentBytes: 0,
    };
    for (const r of EXTRACTION_ORDER) {
      const known = (inv as unknown as Record<string, unknown[]>)[r];
      inv.counts[r] = Array.isArray(known) && known.length ? known.length : (await source.count(r)) ?? 0;
    }
    // Role links and participants (organisations or people: which clients are organisations), their facts only.
    inv.actionparticipants = await facts('actionparticipants', (l): RoleLinkFacts => ({ participantTypeId: l.participantTypeId, participantId: l.participantId }));
    inv.participants = await facts('participants', (p): ParticipantFacts => ({ id: p.id, isCompany: p.isCompany }));
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
      currency: sink.baseCurrency ? await sink.baseCurrency() : null,
    };
    inv.enumCounts = await countEnumValues(source, { actions: inv.actions, datacollectionfields: inv.datacollectionfields });
    const plan = buildPlan(inv, dst, overrides, this.now(), this.mappings);
    const sessions = source.sessions?.() ?? [];
    if (sessions.length > 1) {
      progress.log(`discover: checking that the ${sessions.length} Actionstep sign-ins are different users who see the same matters`);
      const checked = await checkSessions(sessions, inv.actions.map((m) => m.id));
      plan.source.sessions = checked.checks;
      plan.warnings.push(...checked.warnings);
    }
    // Where extract keeps the notes' files on a disk: what they will take there, from the first documents listed, and a
    // warning now when they will not fit (extract checks the exact bytes again before its first download).
    const documents = plan.source.counts.actiondocuments ?? 0;
    if (this.deps.documentFiles && documents && plan.options.attachDocuments) {
      const rule = { options: plan.options, maxUploadFileSize: dst.maxUploadFileSize };
      plan.source.documentSpace = estimateDocumentSpace(documents, await firstDocuments(source), rule, (await this.deps.documentFiles.space?.()) ?? null);
      const warning = documentSpaceWarning(plan.source.documentSpace);
      if (warning) plan.warnings.push(warning);
    }
    // The time section: each sign-in's pace as discover measured it, the application users configured.
    plan.time = estimateTime({
      counts: plan.source.counts, documentParts: inv.counts.actiondocuments ?? 0, documentsDuring: this.deps.documentFiles ? 'extract' : 'run', dataverseRecords: plan.estimates.dataverseRecords,
      sessions: sessions.map((s) => ({ name: s.name, lanes: s.lanes, pace: s.pace() })), applicationUsers: sink.applicationUsers?.() ?? 1,
      licences: dst.systemUsers.filter((u) => !u.isdisabled && u.internalemailaddress).length, pageSize: MAX_PAGE_SIZE,
      metadataWrites: metadataWritesFor(plan.schema, dst.existingCustomTables),
    });
    plan.estimates = estimatesWithTime(plan.estimates, plan.time);
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
    // One progress task, not a line per change: the changes come back as a list for the report and the logs.
    const { progress } = this.deps;
    let total = 0;
    const changes = await this.deps.sink.provision(plan.schema, {
      dryRun,
      onProgress: (_m, _done, of) => {
        if (!total) progress.start('provision', (total = of));
        progress.tick('provision');
      },
    });
    if (total) progress.done('provision');
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
    // Every sign-in reads a share of the pages, each under its own rate limit; each page is checkpointed.
    const sessions = source.sessions?.() ?? [singleSession(source)];
    await requireCheckedSessions(sessions, this.requirePlan(run));
    const counts = await extractResources({ sessions, store: this.store, progress }, EXTRACTION_ORDER, run.runId);
    if (!this.store.getCheckpoint(`extract:${run.runId}:unlisted-matters`)) {
      await stageUnlistedMatters({ source, store: this.store, progress });
      this.store.setCheckpoint(`extract:${run.runId}:unlisted-matters`, 'done');
    }
    counts.actions = await this.store.stagedCountAsync('actions');
    // Read again on every extract (a local file, cheap): a ledger given after a first extraction is picked up.
    const status = await this.extractTrustLedger(run.runId);
    this.store.setCheckpoint(`extract:${run.runId}:${TRUST_RESOURCE}`, JSON.stringify(status));
    counts[TRUST_RESOURCE] = await this.store.stagedCountAsync(TRUST_RESOURCE);
    this.store.saveRun({ ...this.requireRun(run.runId), extractionCompletedOn: this.now().toISOString(), status: 'Extracted' });
    return counts;
  }

  /** The export the firm gave, read and staged; a file that is not a trust ledger stops extraction with what to do. */
  private async extractTrustLedger(runId: string): Promise<TrustLedgerStatus> {
    const port = this.deps.trustLedger;
    let ledger = null;
    try {
      ledger = port ? await port.read() : null;
    } catch (e) {
      throw new EngineError(`the trust ledger export (${port?.where}) cannot be read: ${(e as Error).message} Give the Trust Account Ledgers export, or no file to migrate everything else without trust figures.`);
    }
    const log = new FindingLog();
    const status = await stageTrustLedger(this.store, ledger, port?.where ?? 'none configured', log);
    this.store.setCheckpoint(`findings:${runId}:${TRUST_RESOURCE}`, log.size ? JSON.stringify(log.list()) : null);
    const [note] = notMigrated(status);
    this.deps.progress.log(note
      ? `extract: trust ledger ${note.reason}. ${note.whatToDo}`
      : `extract: trust ledger from ${status.source}: ${status.rows} rows${status.unreadableRows ? `, ${status.unreadableRows} rows not read (see findings)` : ''}${status.runningBalanceProblems ? `, ${status.runningBalanceProblems} running balances that do not add up` : ''}`);
    return status;
  }

  /**
   * Downloads the files notes will carry and keeps them (deps.documentFiles) for the run to read: the command line's
   * extract does this after reading the records, as a step of its own on screen. Resumable: kept files are not
   * downloaded again. Null when this engine keeps no files (the wizard: the run downloads them).
   */
  async keepDocumentFiles(runId?: string): Promise<DocumentPrefetchResult | null> {
    const files = this.deps.documentFiles;
    if (!files) return null;
    const run = this.requireRun(runId);
    if (!run.extractionCompletedOn) throw new EngineError(`run ${run.runId} is not extracted yet: extract reads the documents' records first`);
    const { source, progress } = this.deps;
    const documents = await prefetchDocuments({ source, store: this.store, files, progress }, this.requirePlan(run));
    progress.log(prefetchSummary(documents));
    return documents;
  }

  /** What the extraction knows of the trust ledger: which file, or that none was given (null before extraction). */
  trustLedgerStatus(runId?: string): TrustLedgerStatus | null {
    const saved = this.store.getCheckpoint(`extract:${this.requireRun(runId).runId}:${TRUST_RESOURCE}`);
    return saved ? (JSON.parse(saved) as TrustLedgerStatus) : null;
  }

  /** The staged firm, read back page by page (the mappings need all of it at once). */
  async loadFirm(runId?: string): Promise<FirmData> {
    const data = emptyFirmData();
    const all = async (resource: string): Promise<StagedRecord[]> => {
      const out: StagedRecord[] = [];
      for await (const page of this.store.stagedPages(resource)) out.push(...page);
      return out;
    };
    for (const r of EXTRACTION_ORDER) {
      (data as unknown as Record<string, unknown[]>)[r] = (await all(r)).map((s) => JSON.parse(s.json));
    }
    data.trustLedger = (await all(TRUST_RESOURCE)).sort((a, b) => trustRowLine(a.id) - trustRowLine(b.id)).map((s) => JSON.parse(s.json) as StagedTrustRow);
    const trust = this.trustLedgerStatus(runId);
    data.trustLedgerGiven = trust?.given ?? false;
    data.trustLedgerSource = trust?.given ? trust.source : null;
    return data;
  }

  /** The staged firm as a mapping pass reads it: indexed staging where the store has it, else the firm in memory. */
  async firm(run: RunState): Promise<FirmView> {
    return openFirmView(this.store, this.requirePlan(run), this.deps.source.filesUrl(), this.deps.progress, {
      loadFirm: () => this.loadFirm(run.runId), trustLedgerGiven: this.trustLedgerStatus(run.runId)?.given ?? false,
    });
  }

  /** What the admin approved is what runs: their corrections from the sample review apply to every row. */
  private decisions(run: RunState): FieldDecision[] {
    return (run.approval?.corrections as { decisions?: FieldDecision[] } | null)?.decisions ?? [];
  }

  /** One table's rows as the mapping produces them, with the approved corrections; dispositions go to `record`. */
  private *rowsOf(view: FirmView, table: string, record: DispositionSink, decisions: FieldDecision[]): Generator<TargetRow> {
    for (const row of mapTable(this.mappings.require(table), view.lookups, view.units, record)) yield decisions.length ? applyDecisionsToRow(row, decisions) : row;
  }

  /** The whole firm's rows and dispositions in memory, and what the sample and its diff read (small firms, tests). */
  async mapping(run: RunState): Promise<{ ctx: SampleContext; mapped: MappedFirm }> {
    const plan = this.requirePlan(run);
    const index = new FirmIndex(await this.loadFirm(run.runId));
    const lookups = new FirmLookups(index, plan, this.deps.source.filesUrl());
    const ctx: SampleContext = { mappings: this.mappings, index, lookups };
    const mapped = mapFirm(this.mappings, lookups, new FirmUnits(index, lookups));
    const decisions = this.decisions(run);
    if (decisions.length) applyDecisions(mapped, decisions);
    return { ctx, mapped };
  }

  /** Batches in flight: the sink's capacity (every identity's room, as the service's answers set it). */
  private slots(): number {
    return Math.max(1, Math.floor(this.deps.sink.capacity?.() ?? DEFAULT_SLOTS));
  }

  /**
   * Loads rows table by table in dependency order with many batches in flight (pipeline.ts), closing each table's
   * rows (won/lost, completed) once it is loaded. What each row became goes to the pass's ledger; the tally counts.
   */
  async load(
    runId: string, phase: 'sample' | 'run' | 'delta', ledger: string, rowsOf: (table: string) => Iterable<TargetRow>,
    hooks: { beforeBatch?: (rows: TargetRow[]) => Promise<void>; onResults?: (results: RowResult[]) => void } = {},
  ): Promise<LoadTally> {
    const { progress } = this.deps;
    const fallbackOwnerId = (this.store.getRun(runId)?.plan as MigrationPlan | null | undefined)?.fallbackOwnerId ?? '';
    const tally = new LoadTally(this.mappings);
    const loader = new RowLoader(this.deps.sink, this.store, { ...silentProgress, log: (m) => progress.log(m) }, this.mappings, {
      runId, phase, ledger, downloadFile: async (id, fileSize) => (await this.deps.documentFiles?.read(id, fileSize)) ?? this.deps.source.downloadFile(id, { fileSize }), matchExisting: true, now: this.now,
      // One bulk request per batch: the pipeline keeps the batches in flight side by side.
      writeConcurrency: 1,
      describe: (row) => mappingsCounted(this.mappings, row, fallbackOwnerId),
    });
    // Tables load side by side: one task counts every row written (a progress display follows one task at a time);
    // the closes run inside it and only log.
    progress.start(LOAD_TASK, 0);
    // Each table's span in the log (tables load side by side: where the time goes is which table waits on which).
    // Kept only where a log file takes them (the wizard's reporter has no detail).
    const detail = progress.detail?.bind(progress);
    const began = performance.now();
    const spans = new Map<string, { first: number; rows: number }>();
    const at = () => ((performance.now() - began) / 1000).toFixed(1);
    await runPipeline(this.mappings, this.mappings.names.map((name) => ({ name, rows: rowsOf(name)[Symbol.iterator]() })), {
      batchRows: BATCH_ROWS, slots: () => this.slots(), maxRowsInFlight: MAX_ROWS_IN_FLIGHT,
      maxBatchBytes: MAX_BATCH_ATTACHMENT_BYTES, maxBytesInFlight: MAX_ATTACHMENT_BYTES_IN_FLIGHT,
      columnsOf: (table, rows) => loader.columnsRead(table, rows), maxCellsInFlight: MAX_CELLS_IN_FLIGHT,
    }, async (table, rows, columns) => {
      if (detail) (spans.get(table) ?? spans.set(table, { first: performance.now(), rows: 0 }).get(table)!).rows += rows.length;
      await hooks.beforeBatch?.(rows);
      const results = await loader.loadBatch(table, rows, columns);
      for (const r of results) tally.add(r.row.table, r.outcome, mappingsCounted(this.mappings, r.row, fallbackOwnerId));
      hooks.onResults?.(results);
      progress.tick(LOAD_TASK, rows.length);
    }, async (table) => {
      const written = at();
      for (const f of await loader.applyFinalStates(table, { actionConcurrency: this.slots() })) tally.closeFailed(f);
      const span = spans.get(table);
      // In the log file only (a line per table on every load would bury the step's own lines), in the admin's words.
      if (span && detail) detail(`${tableLabel(table)}: ${span.rows} rows written from ${((span.first - began) / 1000).toFixed(1)} s to ${written} s, finished by ${at()} s`);
    });
    progress.done(LOAD_TASK);
    return tally;
  }

  /** Loads a small set of rows (the sample; tests) and returns every result, with the GUIDs they got. */
  async loadRows(runId: string, phase: 'sample' | 'run' | 'delta', rows: Map<string, TargetRow[]>): Promise<{ results: RowResult[]; registry: KeyRegistry }> {
    const ledger = ledgerOf(runId, phase);
    this.store.clearLedger(ledger);
    const results: RowResult[] = [];
    await this.load(runId, phase, ledger, (table) => rows.get(table) ?? [], { onResults: (batch) => results.push(...batch) });
    const registry = new KeyRegistry();
    const byTable = new Map<string, RowResult[]>();
    for (const r of results) byTable.set(r.row.table, [...(byTable.get(r.row.table) ?? []), r]);
    for (const [table, list] of byTable) {
      const loaded = new Map(this.store.loadedRows(ledger, table, list.map((r) => r.row.key)).map((l) => [l.key, l] as const));
      list.forEach((r, i) => {
        const l = loaded.get(r.row.key);
        if (l?.targetId) registry.set(table, r.row.key, l.targetId);
        // A close that failed after the write: the row's result is that failure.
        if (l && l.outcome === 'failed' && r.outcome !== 'failed') {
          const facts = JSON.parse(l.json) as LoadedRowFacts;
          list[i] = { ...r, outcome: 'failed', errorCode: facts.errorCode, message: facts.message };
          results[results.indexOf(r)] = list[i];
        }
      });
    }
    return { results, registry };
  }

  // ---------------- sample ----------------

  async sample(runId?: string): Promise<SampleResult> {
    const run = this.requireRun(runId);
    if (!run.extractionCompletedOn) throw new EngineError(`run ${run.runId} is not extracted yet: run \`extract\` first`);
    const { ctx, mapped } = await this.mapping(run);
    const plan = this.requirePlan(run);
    const selection = selectSample(ctx, mapped, plan.options.sampleSize);
    const { results, registry } = await this.loadRows(run.runId, 'sample', selection.rows);
    const actual = await this.readBack(results);
    const written = results.map((r) => ({ row: r.row, targetId: r.targetId, actual: actual.get(r) ?? null, registry: (t: string, k: string) => registry.get(t, k) }));
    const diff = diffRows(ctx, written);
    const tally = new LoadTally(this.mappings);
    for (const r of results) tally.add(r.row.table, r.outcome, []);
    const sample: SampleResult = {
      runId: run.runId,
      matterIds: selection.matterIds,
      rowCount: selection.rowCount,
      coverage: selection.coverage,
      tables: tally.tableSummaries(),
      diff,
      mismatches: diff.filter((d) => d.status === 'mismatch').length,
      labels: diffLabels(ctx, written, diff),
    };
    this.store.saveRun({ ...this.requireRun(run.runId), sample, status: 'Sampled' });
    return sample;
  }

  /** Reads back written rows (the values Dataverse holds now), for the diff. */
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
      const rows = await this.deps.sink.readByValues(info, info.primaryIdAttribute, list.map((r) => r.targetId as string), [...cols].filter((c) => validColumn(table, c)));
      const byId = new Map(rows.map((x) => [String(x[info.primaryIdAttribute]).toLowerCase(), x] as const));
      for (const r of list) {
        const got = byId.get(String(r.targetId).toLowerCase());
        if (got) out.set(r, got);
      }
    }
    return out;
  }

  // ---------------- approve ----------------

  async approve(runId: string | undefined, approvedBy: string, corrections: { decisions?: FieldDecision[] } | null = null): Promise<RunState> {
    const run = this.requireRun(runId);
    if (!run.sample) throw new EngineError(`run ${run.runId} has no sample to approve: run \`sample\` first`);
    if (corrections?.decisions?.length) {
      const problems = validateDecisionsAgainst(await this.columnsWritten({ ...run, approval: null }), corrections.decisions);
      if (problems.length) throw new EngineError(`the corrections cannot be applied:\n  - ${problems.join('\n  - ')}`);
    }
    const next = { ...run, approval: { approvedOn: this.now().toISOString(), approvedBy, corrections }, status: 'Approved' };
    this.store.saveRun(next);
    return next;
  }

  /** Every column some row of each table carries, from one mapping pass (nothing kept but the column names). */
  private async columnsWritten(run: RunState): Promise<Map<string, Set<string>>> {
    const view = await this.firm(run);
    const columns = new Map<string, Set<string>>();
    for (const table of this.mappings.names) {
      const set = new Set<string>();
      for (const row of this.rowsOf(view, table, () => {}, [])) for (const c of Object.keys(row.attributes)) set.add(c);
      columns.set(table, set);
    }
    return columns;
  }

  // ---------------- run ----------------

  async run(runId?: string, options: { force?: boolean } = {}): Promise<RunSummary> {
    const run = this.requireRun(runId);
    if (!run.extractionCompletedOn) throw new EngineError(`run ${run.runId} is not extracted yet: run \`extract\` first`);
    if (!run.approval && !options.force) throw new EngineError(`run ${run.runId}: the sample is not approved. Review the sample diff and run \`approve\`, or pass --force`);
    const startedOn = this.now().toISOString();
    this.store.saveRun({ ...run, status: 'Running' });
    // The accounting reads the local state while the audit's last entries go to Dataverse (they are all done once
    // the load is): one after the other they took 6.4 s (clock x1) and 8.7 s (x60) of the medium run, of which the
    // accounting (accountSources and summarize) 2.5 s and 3.8 s.
    const { summary } = await this.whileMirroring(run.runId, async (writesDone) => {
      const { tally, ledger, fieldProblems, billing } = await this.mapAndLoad(run, 'run', writesDone);
      return { summary: await this.summarize(run.runId, 'run', startedOn, ledger, tally, fieldProblems, billing) };
    });
    this.store.saveRun({ ...this.requireRun(run.runId), summary, status: summary.totals.failed ? 'Completed With Errors' : 'Completed' });
    await this.mirror(run.runId);
    return this.countMirrored(run.runId, summary);
  }

  /**
   * Maps the staged firm table by table and loads it as it is mapped; every record's dispositions go to the ledger,
   * every field-level problem to the findings (and the run's field-problems file) as its batch goes.
   */
  private async mapAndLoad(run: RunState, phase: 'run' | 'delta', loaded?: () => void): Promise<{ tally: LoadTally; view: FirmView; ledger: string; fieldProblems: FieldProblemTally; billing: RunSummary['billing'] }> {
    const view = await this.firm(run);
    const ledger = ledgerOf(run.runId, phase);
    this.store.clearLedger(ledger);
    const dispositions = new DispositionWriter(this.store, ledger);
    const decisions = this.decisions(run);
    const log = new FindingLog();
    let count = 0;
    const writer = await this.deps.fieldProblems?.(run.runId, phase);
    let tally: LoadTally;
    try {
      tally = await this.load(run.runId, phase, ledger, (table) => this.rowsOf(view, table, dispositions.record, decisions), {
        // Batches run side by side: add once the batch's problems are written (`count += await …` would read count
        // before the wait and lose the other batches' additions).
        beforeBatch: async (rows) => {
          const n = await recordFieldProblems(rows, log, writer);
          count += n;
        },
      });
    } finally {
      await writer?.close();
    }
    // What follows only reads and counts (told so the audit's mirror can send its last entries meanwhile).
    loaded?.();
    dispositions.flush();
    accountSources(this.mappings, view.lookups, (resource) => view.pages(resource), (resource, ids) => dispositions.disposed(resource, ids), dispositions.record);
    dispositions.flush();
    return { tally, view, ledger, fieldProblems: { findings: log.list(), count }, billing: billingNote(view) };
  }

  /**
   * The run's accounting: every staged record's outcome from its dispositions and the rows it became, a page of
   * records at a time (outcomes go to the store as they are decided).
   */
  async summarize(
    runId: string, phase: 'run' | 'delta', startedOn: string, ledger: string, tally: LoadTally,
    fieldProblems: FieldProblemTally = { findings: [], count: 0 }, billing: RunSummary['billing'] = { rule: 'allEntries', excludedEntries: 0, excludedAmount: 0 },
  ): Promise<RunSummary> {
    const objects: ObjectSummary[] = [];
    let first = true;
    for (const resource of STAGED_RESOURCES) {
      const summary: ObjectSummary = { object: resource, extracted: 0, migrated: 0, skipped: 0, failed: 0, skippedReasons: {}, skippedExamples: {}, failedReasons: [] };
      // Through the asynchronous pages: in the browser staging is in Dataverse (astep_stagingrow).
      for await (const page of this.store.stagedPages(resource, STAGED_PAGE)) {
        const ids = page.map((s) => s.id);
        const dispositions = dispositionsByRecord(this.store, ledger, resource, ids);
        const wanted = new Map<string, Set<string>>();
        for (const ds of dispositions.values()) {
          for (const d of ds) if ((d.kind === 'row' || d.kind === 'rollup') && d.table && d.key && d.table !== 'systemuser') {
            if (!wanted.has(d.table)) wanted.set(d.table, new Set());
            wanted.get(d.table)!.add(d.key);
          }
        }
        const loaded = new Map<string, LoadedRow>();
        for (const [table, keys] of wanted) for (const l of this.store.loadedRows(ledger, table, [...keys])) loaded.set(`${table}|${l.key}`, l);
        const outcomes = ids.map((id) => outcomeOf(dispositions.get(id), loaded, resource, id));
        this.store.addOutcomes(runId, outcomes, first);
        first = false;
        for (const o of outcomes) {
          summary.extracted++;
          summary[o.outcome]++;
          if (o.outcome === 'skipped') {
            const reason = genericReason(o.message ?? '');
            summary.skippedReasons[reason] = (summary.skippedReasons[reason] ?? 0) + 1;
            summary.skippedExamples![reason] ??= o.message ?? reason;
          } else if (o.outcome === 'failed') summary.failedReasons.push({ id: o.id, message: o.message ?? 'failed' });
        }
      }
      objects.push(summary);
    }
    if (first) this.store.addOutcomes(runId, [], true);
    const totals = objects.reduce((t, o) => ({ extracted: t.extracted + o.extracted, migrated: t.migrated + o.migrated, skipped: t.skipped + o.skipped, failed: t.failed + o.failed }), { extracted: 0, migrated: 0, skipped: 0, failed: 0 });
    return {
      runId, phase, startedOn, completedOn: this.now().toISOString(), objects, tables: tally.tableSummaries(),
      reconciles: objects.every((o) => o.extracted === o.migrated + o.skipped + o.failed),
      totals, mappings: tally.mappingCounts(),
      actionstepRequests: this.deps.source.requestCount(), dataverseRequests: this.deps.sink.requestCount(),
      findings: new FindingLog([...this.extractionFindings(runId), ...fieldProblems.findings]).list(),
      fieldProblems: fieldProblems.count,
      notMigrated: notMigrated(this.trustLedgerStatus(runId)),
      billing,
    };
  }

  /** What the extraction noticed, every resource's findings merged by rule. */
  extractionFindings(runId?: string): Finding[] {
    const run = this.requireRun(runId);
    const log = new FindingLog();
    for (const r of STAGED_RESOURCES) {
      const saved = this.store.getCheckpoint(`findings:${run.runId}:${r}`);
      if (saved) log.merge(JSON.parse(saved) as Finding[]);
    }
    return log.list();
  }

  // ---------------- delta ----------------

  /**
   * `confirmDeletions` is asked before records deleted in Actionstep are deleted from Dynamics (when the plan
   * applies deletions); false leaves them in place, reported.
   */
  async delta(runId?: string, options: { confirmDeletions?: (gone: Array<{ resource: string; id: string }>) => Promise<boolean> } = {}): Promise<{ scan: DeltaScan; summary: RunSummary; deletions: { reported: number; applied: number; failed: string[] } }> {
    const run = this.requireRun(runId);
    if (!run.extractionStartedOn) throw new EngineError(`run ${run.runId} was never extracted: nothing to pick up a delta from`);
    if (!run.summary && !run.approval) throw new EngineError(`run ${run.runId} has not been run yet: run \`run\` first`);
    const plan = this.requirePlan(run);
    const startedOn = this.now().toISOString();
    const since = run.lastDeltaOn ?? run.extractionStartedOn;
    const scan = await scanDelta(this.deps.source, this.store, EXTRACTION_ORDER, since, startedOn, this.deps.progress, ledgerOf(run.runId, 'delta-seen'), this.deps.trustLedger);
    // Delta's deletions write after its load: its mirror keeps to whole chunks until the mirror after the step.
    const { tally, view, ledger, fieldProblems, billing } = await this.whileMirroring(run.runId, () => this.mapAndLoad(run, 'delta'));
    // Deleted in Actionstep: rescanned records that vanished, and matters now flagged deleted.
    const gone = scan.resources.flatMap((r) => r.deleted.map((id) => ({ resource: r.resource, id })));
    for (const r of scan.resources.find((x) => x.resource === 'actions')?.changed ?? []) {
      if (view.lookups.matterOf(r)?.isDeleted) gone.push({ resource: 'actions', id: r });
    }
    let applied = 0;
    const failed: string[] = [];
    if (plan.options.applyDeletions && gone.length && (!options.confirmDeletions || await options.confirmDeletions(gone))) {
      const goneSet = new Set(gone.map((g) => `${g.resource}:${g.id}`));
      const created: AuditEntry[] = [];
      for (let after = 0; ;) {
        const page = this.store.auditPage(run.runId, { afterSeq: after, limit: 5000 });
        if (!page.length) break;
        after = page[page.length - 1].seq;
        for (const e of page) if (e.operation === 'create' && e.status === 'done' && e.targetId && goneSet.has(`${e.sourceResource}:${e.sourceId}`)) created.push(e);
      }
      created.sort((a, b) => b.seq - a.seq);
      for (const e of created) {
        const [res] = await this.deps.sink.remove(this.mappings.tableInfo(e.table), [{ id: e.targetId as string, ref: e.key }]);
        if (res.outcome === 'failed') failed.push(`${e.table} ${e.key}: ${res.message}`);
        else {
          applied++;
          this.store.addPendingAudit([{ ...e, phase: 'delta', operation: 'delete', before: e.after, after: null, status: 'done', occurredOn: this.now().toISOString(), message: `deleted in Actionstep (${e.sourceResource} ${e.sourceId})` }]);
        }
      }
      // Applied deletions leave staging too, so later counts reconcile against what Actionstep still holds.
      for (const g of gone) if (g.resource !== 'actions') await this.store.unstageAsync(g.resource, [g.id]);
    }
    const summary = await this.summarize(run.runId, 'delta', startedOn, ledger, tally, fieldProblems, billing);
    this.store.saveRun({ ...this.requireRun(run.runId), lastDeltaOn: startedOn, summary });
    await this.mirror(run.runId);
    return { scan, summary: this.countMirrored(run.runId, summary), deletions: { reported: gone.length, applied, failed } };
  }

  // ---------------- verify ----------------

  async verify(runId?: string): Promise<VerifyResult> {
    const run = this.requireRun(runId);
    if (!run.summary) throw new EngineError(`run ${run.runId} has not been run yet: nothing to verify`);
    const view = await this.firm(run);
    const decisions = this.decisions(run);
    const counts: Record<string, number> = {};
    for (const r of STAGED_RESOURCES) counts[r] = await this.store.stagedCountAsync(r);
    return verifyRun(run.runId, this.mappings, (table) => this.rowsOf(view, table, () => {}, decisions), this.deps.sink, this.store, counts, this.extractionFindings(run.runId), {
      ledger: ledgerOf(run.runId, 'verify'), slots: () => this.slots(), maxRowsInFlight: MAX_ROWS_IN_FLIGHT, maxCellsInFlight: MAX_CELLS_IN_FLIGHT,
    });
  }

  // ---------------- rollback ----------------

  async rollback(runId?: string, options: { force?: boolean } = {}): Promise<RollbackResult> {
    const run = this.requireRun(runId);
    this.store.saveRun({ ...run, status: 'Rolling Back' });
    const requestsBefore = this.deps.sink.requestCount();
    const result = await new RollbackExecutor(this.deps.sink, this.store, this.deps.progress, { force: options.force, now: this.now, mappings: this.mappings }).execute(run.runId);
    this.store.saveRun({ ...this.requireRun(run.runId), status: result.complete ? 'Rolled Back' : 'Rolling Back', rolledBackOn: result.complete ? this.now().toISOString() : null });
    await this.mirror(run.runId);
    // Every request of the step, the audit's mirror included.
    return { ...result, dataverseRequests: this.deps.sink.requestCount() - requestsBefore };
  }

  /**
   * The summary counts every Dataverse request of the step, the audit's mirror included (kept in the local state;
   * the run record in Dataverse holds the count from before its own mirror, the one figure it cannot include).
   */
  private countMirrored(runId: string, summary: RunSummary): RunSummary {
    const counted = { ...summary, dataverseRequests: this.deps.sink.requestCount() };
    this.store.saveRun({ ...this.requireRun(runId), summary: counted });
    return counted;
  }

  /**
   * Mirrors the audit to Dataverse while `work` writes, whole chunks of the entries already done (in order: never past
   * one still pending), so the mirror after the run has only its tail left. The audit is as many rows again as the run
   * writes: mirrored after the load, it took 18 of the medium firm's 57 s at clock x1 while the load had left the
   * application users room. Nothing is sent before a whole chunk of entries is done (so a paused wizard's run sends
   * nothing here before its own writes); the run record the entries point at goes first, once (it shows the run as
   * running). A failure here is not the run's: the mirror after it retries from the same checkpoint and reports what
   * it cannot write. Once `work` says its writes are done, one more pass goes at once and sends every entry left, the
   * short last chunk included, while `work` goes on with what does not write (the run's accounting).
   */
  private async whileMirroring<T>(runId: string, work: (writesDone: () => void) => Promise<T>): Promise<T> {
    let writing = true;
    /** The run's writes are over (every entry is done): one pass sends the rest, the last short chunk too. */
    let lastPass = false;
    let wake = () => {};
    let runRecord: Promise<void> | null = null;
    const beforeFirstChunk = () => (runRecord ??= mirrorRun(this.deps.sink, this.requireRun(runId)));
    const mirroring = (async () => {
      try {
        while (writing) {
          const final = lastPass;
          await mirrorAudit(this.deps.sink, this.store, runId, { slots: () => Math.min(MIRROR_SLOTS, this.slots()), wholeChunksOnly: !final, beforeFirstChunk });
          if (final) break;
          if (writing && !lastPass) await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, MIRROR_WHILE_WRITING_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      } catch (e) {
        this.deps.progress.detail?.(`audit: mirroring while the run writes stopped (${(e as Error).message}); the mirror after the run goes on from there`);
      }
    })();
    try {
      return await work(() => {
        lastPass = true;
        wake();
      });
    } finally {
      writing = false;
      wake();
      await mirroring;
    }
  }

  /** The run record and its audit in Dataverse (astep_migrationrun, astep_auditentry), so CRM users see them. */
  async mirror(runId: string): Promise<{ auditRows: number; failed: number }> {
    const run = this.requireRun(runId);
    await mirrorRun(this.deps.sink, run);
    const result = await mirrorAudit(this.deps.sink, this.store, runId, { slots: () => Math.min(MIRROR_SLOTS, this.slots()) });
    if (result.failed) this.deps.progress.log(`audit: ${result.failed} audit rows could not be written to Dataverse (kept locally; retried next time): ${result.firstError}`);
    return result;
  }

  async exportWorkflows(runId?: string): Promise<WorkflowReference> {
    const run = this.requireRun(runId);
    if (!run.extractionCompletedOn) throw new EngineError(`run ${run.runId} is not extracted yet: run \`extract\` first`);
    return exportWorkflows(await this.loadFirm(run.runId));
  }
}

/** Field-level problems of a pass: the findings by rule and how many there were. */
interface FieldProblemTally {
  findings: Finding[];
  count: number;
}

/** What the billing rule left out over every migrating matter (nothing when every time entry counts), a page at a time. */
function billingNote(view: FirmView): RunSummary['billing'] {
  const { lookups } = view;
  let excludedEntries = 0, excludedAmount = 0;
  for (const page of view.pages('actions')) {
    for (const { id } of page) {
      if (!lookups.migrates(id)) continue;
      const b = lookups.billingTotal(id);
      excludedEntries += b.excludedEntries;
      excludedAmount += b.excludedAmount;
    }
  }
  return { rule: lookups.options.billingTotal, excludedEntries, excludedAmount: Math.round(excludedAmount * 100) / 100 };
}

function validColumn(_table: string, column: string): boolean {
  return /^_?[a-z0-9_]+$/.test(column);
}

function outcomeOf(ds: Disposition[] | undefined, loaded: Map<string, LoadedRow>, resource: string, id: string): RecordOutcome {
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
      const r = loaded.get(`${table}|${key}`);
      if (!r) {
        if (d.kind === 'row') return { resource, id, outcome: 'failed', message: `${resource} ${id}: its ${table} row ${key} was not loaded`, targets: null };
        continue;
      }
      if (r.outcome === 'failed') {
        const message = (JSON.parse(r.json) as LoadedRowFacts).message;
        return { resource, id, outcome: 'failed', message: d.kind === 'row' ? message ?? 'write failed' : `${resource} ${id}: the ${table} row it belongs to failed: ${message}`, targets: null };
      }
      sawRow = true;
      targets.push(`${table}:${r.targetId}`);
    } else if (d.kind === 'rollup') sawRow = true;
  }
  if (sawRow) return { resource, id, outcome: 'migrated', message: null, targets: targets.join(' ') || null };
  const skipped = ds.find((d) => d.kind === 'skipped');
  return { resource, id, outcome: 'skipped', message: skipped && skipped.kind === 'skipped' ? skipped.reason : 'skipped', targets: null };
}

/** Groups reasons that differ only by ids ("matter 12 is deleted" and "matter 13 is deleted"). */
export function genericReason(message: string): string {
  return message.replace(/\b\d+(--[^ ]+)*\b/g, 'N').replace(/"[^"]*"/g, '"…"').replace(/\([^)]*\d[^)]*\)/g, '').replace(/\s+/g, ' ').trim();
}

/** The seed mappings a written row counts towards in the report (a row counts once towards each its table's rules name). */
function mappingsCounted(mappings: MappingSet, row: TargetRow, fallbackOwnerId: string): string[] {
  const names = new Set<string>();
  for (const rule of mappings.get(row.table)?.counts ?? []) if (!rule.when || rule.when(row, { fallbackOwnerId })) names.add(rule.mapping);
  return [...names];
}

/** Rows per table by outcome and rows per seed mapping, counted as batches load (nothing kept per row). */
export class LoadTally {
  private readonly tables = new Map<string, TableSummary>();
  private readonly counts: Record<string, number> = Object.fromEntries(SEED_MAPPINGS.map((m) => [m, 0]));
  constructor(private readonly mappings: MappingSet) {}

  private table(name: string): TableSummary {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = { table: name, created: 0, updated: 0, unchanged: 0, failed: 0 }));
    return t;
  }

  add(table: string, outcome: RowResult['outcome'], counted: string[]): void {
    const t = this.table(table);
    if (outcome === 'created') t.created++;
    else if (outcome === 'updated') t.updated++;
    else if (outcome === 'skipped') t.unchanged++;
    else t.failed++;
    if (outcome !== 'failed') for (const n of counted) this.counts[n]++;
  }

  /** A row written, then its close failed: it counts as failed. */
  closeFailed(f: CloseFailure): void {
    const t = this.table(f.table);
    if (f.was === 'created') t.created--;
    else if (f.was === 'updated') t.updated--;
    else if (f.was === 'skipped') t.unchanged--;
    t.failed++;
    for (const n of f.facts) this.counts[n]--;
  }

  tableSummaries(): TableSummary[] {
    return this.mappings.names.map((t) => this.tables.get(t)).filter((x): x is TableSummary => !!x);
  }

  mappingCounts(): Record<string, number> {
    return { ...this.counts };
  }

  /** Rows written (created or updated). */
  get written(): number {
    let n = 0;
    for (const t of this.tables.values()) n += t.created + t.updated;
    return n;
  }
}

export type { User };
