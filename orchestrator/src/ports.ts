// The engine's three edges. It has no I/O of its own: the command line wires them to the Actionstep client, the
// Dataverse client and a SQLite file; the in-CRM wizard wires them to the custom connector, Xrm.WebApi and
// astep_stagingrow. Shapes are plain data so both sides can implement them.
import type { ParsedTrustLedger, RecordsByResource, ResourceName } from '@astep/actionstep-connector/records';
import type { SolutionSchema } from '@astep/solution/model';
import type { SystemUserInfo } from './plan/buildPlan';

/** A wire value that did not parse (the record keeps null): a per-record finding of the run. */
export interface SourceIssue {
  resource: string;
  id: string | null;
  field: string;
  rule: string;
  value: unknown;
}

/** One page of a listing, with what the listing said about itself. */
export type SourcePage<T> = T[] & {
  /** Records the whole listing holds as the source counted them for this page (changes when records move). */
  recordCount?: number;
  /** Keyset position after this page (`after:<last id>`), for a per-page checkpoint; absent in offset paging. */
  cursor?: string;
  /** Offset paging: this page's number and the listing's page count (a page range's checkpoint). */
  pageNumber?: number;
  pageCount?: number;
  issues?: SourceIssue[];
};

/**
 * A part of one listing, so that several sessions can read one resource side by side and a checkpoint can resume it:
 * keyset listings by id range (after `after`, up to `upToId`), offset listings by page range (`fromPage`..`toPage`).
 */
export interface PageSpan {
  /** Keyset: start after this id. */
  after?: string;
  /** Keyset: end with this id (open-ended when absent, so records added past the end are read too). */
  upToId?: string;
  /** Offset paging: the first page to read (default 1). */
  fromPage?: number;
  /** Offset paging: the last page to read (default the listing's last). */
  toPage?: number;
}

/** How fast a session may and does go, for the plan's estimates. */
export interface SourcePace {
  /** Requests per second the configuration allows this session. */
  configuredPerSecond?: number;
  /** The limit learned from Actionstep's 429s (undefined while it refused nothing). */
  learnedPerSecond?: number;
  /** Mean time Actionstep took to answer (waits excluded), over `answered` requests. */
  meanLatencyMs?: number;
  answered: number;
  throttled: number;
}

/** One Actionstep sign-in: a user, with its own rate limit (Actionstep limits per user session). */
export interface SourceSession {
  /** How messages name it: where the configuration lists it (never a secret). */
  name: string;
  /** Reads through this session only. */
  source: SourcePort;
  /** Listings it runs at once (its client's concurrency). */
  lanes: number;
  /** The Actionstep user it acts as (what it may see is that user's). */
  currentUser(): Promise<{ id: string; displayName: string | null; email: string | null }>;
  pace(): SourcePace;
}

export interface SourcePort {
  /**
   * Pages of normalized records of one resource (200 per page), optionally only those modified since an instant, only
   * some fields (`fields`: the rest of each record is empty; discovery counts enum values so), or only a span of the
   * listing.
   */
  pages<R extends ResourceName>(resource: R, options?: { modifiedSince?: string; abortSignal?: AbortSignal; fields?: string[]; span?: PageSpan }): AsyncIterable<SourcePage<RecordsByResource[R]>>;
  /** The highest id of a resource listed by id (one small request), to split its listing into id ranges; null when
   *  it is empty or not listed by id. Absent: listings are not split. */
  lastId?(resource: ResourceName, options?: { abortSignal?: AbortSignal }): Promise<string | null>;
  /** The sign-ins behind this source (absent: one). The extraction spreads its listings across them. */
  sessions?(): SourceSession[];
  /** Record count of a resource without fetching it all (one small request), or null when the API cannot tell. */
  count(resource: ResourceName): Promise<number | null>;
  /** The ids a resource holds now, page by page (ids only: light), for the completeness check. */
  ids(resource: ResourceName, options?: { abortSignal?: AbortSignal }): AsyncIterable<string[]>;
  /** Records by id; ids that no longer exist are left out. */
  byIds<R extends ResourceName>(resource: R, ids: string[], options?: { abortSignal?: AbortSignal }): Promise<Array<RecordsByResource[R]>>;
  /** A document's bytes; the known size saves asking for a part past the end. */
  downloadFile(fileId: string, options?: { fileSize?: number | null; abortSignal?: AbortSignal }): Promise<Uint8Array>;
  /** Base URL of file downloads (for document links kept as URLs). */
  filesUrl(): string;
  orgkey(): string | null;
  requestCount(): number;
}

/**
 * Document files kept beside the staging (the command line's state folder, private to its user). Extract downloads
 * every file a note will carry into it, so the run only writes to Dynamics and a second run, a retry or a resumed
 * extraction downloads nothing twice. Absent (the wizard in a browser): the run downloads each file as its note goes.
 */
export interface DocumentFilesPort {
  /** The file is kept with this size (a null size: kept at all). */
  has(fileId: string, size: number | null): Promise<boolean>;
  /** The kept bytes, or null when the file is not kept or its size is not `size` (the document changed since). */
  read(fileId: string, size: number | null): Promise<Uint8Array | null>;
  /** Keeps the bytes (whole or not at all: a kill mid-write leaves no partial file). */
  write(fileId: string, bytes: Uint8Array): Promise<void>;
  /** Free space where the files are kept, and that place in the admin's words (null when it cannot be told). */
  space?(): Promise<{ freeBytes: number; where: string } | null>;
}

/**
 * The trust ledger: Actionstep has no trust API (reference "Trust accounting: [U]"; integrators' notes 2026-12-04), so
 * it is the report the firm exports from Actionstep's UI and gives us as a file: a path on the command line, a file
 * on the Migration Run row in the wizard.
 */
export interface TrustLedgerPort {
  /** Where the export is looked for, in the admin's words (for "not given" and "cannot be read" messages). */
  readonly where: string;
  /** The export read into rows and problems, or null when the firm has not given one. Throws when the file given is not a trust ledger. */
  read(): Promise<ParsedTrustLedger | null>;
}

export type Row = Record<string, unknown>;

export interface TableInfo {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
}

export interface ReadAllOptions {
  /** `$orderby` terms, e.g. `['astep_stagingkey']` (a stable order across reads). */
  orderBy?: string[];
  /** Rows per page (`Prefer: odata.maxpagesize`). */
  pageSize?: number;
}

export interface SinkUpsertTarget {
  /** Alternate key values, or the primary key. */
  key: Record<string, string | number> | { id: string };
  attributes: Record<string, unknown>;
  ref?: string;
}

export interface SinkWriteResult {
  index: number;
  ref?: string;
  outcome: 'upserted' | 'created' | 'updated' | 'deleted' | 'failed';
  id?: string;
  status?: number;
  errorCode?: string;
  message?: string;
}

export interface SinkPort {
  webApiUrl(): string;
  whoAmI(): Promise<{ userId: string }>;
  systemUsers(): Promise<SystemUserInfo[]>;
  maxUploadFileSize(): Promise<number>;
  customTables(): Promise<string[]>;
  /** ISO 4217 code of the organisation's base currency, to show money in (optional: null or absent shows plain amounts). */
  baseCurrency?(): Promise<string | null>;
  /** Create what the schema needs (idempotent); returns human-readable changes. dryRun lists without writing. onProgress: each change as it is made. */
  provision(schema: SolutionSchema, options?: { dryRun?: boolean; onProgress?: (message: string, done: number, total: number) => void }): Promise<string[]>;
  readByValues(table: TableInfo, column: string, values: string[], select: string[]): Promise<Row[]>;
  readAll(table: TableInfo, select: string[], filter?: string, options?: ReadAllOptions): AsyncIterable<Row[]>;
  upsert(table: TableInfo, targets: SinkUpsertTarget[], options?: SinkWriteOptions): Promise<SinkWriteResult[]>;
  remove(table: TableInfo, ids: Array<{ id: string; ref?: string }>, options?: SinkWriteOptions): Promise<SinkWriteResult[]>;
  /** Unbound action (WinOpportunity, LoseOpportunity). Throws an error with `code` and `message` on failure. */
  action(name: string, body: Record<string, unknown>): Promise<void>;
  /** One row by alternate key, with its etag (row version) for a conditional write; null when there is none. */
  readForUpdate(table: TableInfo, key: Record<string, string>, select: string[]): Promise<{ row: Row; etag: string } | null>;
  /**
   * Optimistic concurrency: writes only while the row still has `etag` (If-Match), or, with `etag` null, only when
   * the row does not exist yet (If-None-Match: *). false when someone else wrote first (412).
   */
  writeIfUnchanged(table: TableInfo, key: Record<string, string>, etag: string | null, attributes: Row): Promise<boolean>;
  requestCount(): number;
  /** Application users the writes are spread across (absent: one). */
  applicationUsers?(): number;
  /** Requests that may be in flight now across every identity (the service's limits, as the responses tell them). */
  capacity?(): number;
}

export interface SinkWriteOptions {
  /**
   * At most this many requests in flight for this call: a caller that keeps many calls in flight at once asks each
   * for few, large requests (a bulk request's fixed cost is paid once per request) instead of each splitting its
   * rows across the whole capacity.
   */
  maxConcurrency?: number;
}

export type AuditOperation = 'create' | 'update' | 'skip' | 'error' | 'delete' | 'restore' | 'conflict' | 'state';
export type AuditPhase = 'sample' | 'run' | 'delta' | 'rollback';

export interface AuditEntry {
  runId: string;
  seq: number;
  phase: AuditPhase;
  operation: AuditOperation;
  table: string;
  /** astep_sourceid of the row, or the fixed GUID for annotations. */
  key: string;
  targetId: string | null;
  sourceResource: string;
  sourceId: string;
  /** Column values before the write (only the columns the write changed; null for a create). */
  before: Row | null;
  /** Column values after the write (as read back). */
  after: Row | null;
  errorCode: string | null;
  message: string | null;
  /** pending: written before the Dataverse write (write-ahead), done once its result is known. */
  status: 'pending' | 'done';
  occurredOn: string;
}

export interface StagedRecord {
  resource: string;
  id: string;
  json: string;
}

/** Where a page of outcomes ended: the next page starts after this record. */
export interface OutcomeCursor {
  resource: string;
  id: string;
}

export interface RecordOutcome {
  resource: string;
  id: string;
  outcome: 'migrated' | 'skipped' | 'failed';
  message: string | null;
  targets: string | null;
}

export interface RunState {
  runId: string;
  createdOn: string;
  status: string;
  plan: unknown | null;
  extractionStartedOn: string | null;
  extractionCompletedOn: string | null;
  sample: unknown | null;
  approval: { approvedOn: string; approvedBy: string; corrections: unknown } | null;
  summary: unknown | null;
  rolledBackOn: string | null;
  /** When the last delta began: the next delta picks up changes since then. */
  lastDeltaOn?: string;
}

/** Per-record findings grouped by rule, with a count and examples naming the record, the field and the value. */
export interface FindingExample {
  resource: string;
  id: string | null;
  field: string | null;
  value: unknown;
  message: string;
}

export interface Finding {
  rule: string;
  count: number;
  /** The staged firm still differs from Actionstep by these (verify fails); otherwise they are for the record. */
  open: boolean;
  examples: FindingExample[];
}

/** What one extraction step changes in staging, and the checkpoints that record it. */
export interface StagingChange {
  /** Resource whose staged records are all removed first. */
  clear?: string;
  unstage?: { resource: string; ids: string[] };
  stage?: StagedRecord[];
  checkpoints?: Record<string, string | null>;
}

/** Top-level fields of staged records that a staging index looks records up by (links to a matter or a participant). */
export type StagedField = 'actionId' | 'participantId';

/** One row of a table the engine derives from staging (people's canonical ids, matters' accounts...). */
export interface DerivedRow {
  key: string;
  /** Rows sharing a group are read together (the matters of one account); null: no group. */
  group: string | null;
  /** Order of the rows (unique within the table; a group's rows come in this order). */
  ord: number;
  value: string;
}

/**
 * Indexed, paged reads of staging, so the engine maps a firm of any size without holding it: records by id and by
 * their link to a matter or a participant, a resource page by page in staging order, and tables the engine derives
 * once from staging. Offered by stores that keep staging in an indexed database (the command line's SQLite file);
 * a store without it (the browser's, whose staging is in Dataverse) makes the engine map from the whole firm in memory,
 * read through the asynchronous staging methods.
 */
export interface StagingIndex {
  /** Changes whenever staging changes (stage, unstage, clear): derived tables built from an older one are rebuilt. */
  version(): number;
  /** Up to `limit` staged records of a resource in staging order, after position `after` (0: from the start). */
  page(resource: string, after: number, limit: number): Array<StagedRecord & { position: number }>;
  /** Staged records by id, in staging order (ids not staged are left out). */
  byIds(resource: string, ids: string[]): StagedRecord[];
  /** Staged records whose `field` equals `value`, in staging order. */
  where(resource: string, field: StagedField, value: string): StagedRecord[];
  /** Replaces a derived table's rows. */
  replaceDerived(name: string, rows: Iterable<DerivedRow>): void;
  derived(name: string, key: string): DerivedRow | null;
  /** A group's rows in order. */
  derivedGroup(name: string, group: string): DerivedRow[];
  /** Up to `limit` rows in order, those with `ord` above `after` (ords are unique within a derived table). */
  derivedPage(name: string, after: number, limit: number): DerivedRow[];
}

/** What became of one staged record in a mapping pass (a Disposition as JSON), written as it is produced. */
export interface DispositionRecord {
  resource: string;
  id: string;
  /** Reading order of a record's dispositions: 0 a mapping's row, skip or failure; 1 a roll-up; 2 the source accounting's. */
  rank: number;
  json: string;
}

/** A row the loader handled in a pass: how it ended, the GUID children bind to, and what later steps read (JSON). */
export interface LoadedRow {
  table: string;
  key: string;
  outcome: 'created' | 'updated' | 'skipped' | 'failed';
  /** The row's GUID in Dataverse (also when this write failed but the row existed). */
  targetId: string | null;
  json: string;
}

export interface StateStore {
  getRun(runId: string): RunState | null;
  latestRunId(): string | null;
  saveRun(run: RunState): void;
  /** Stage records (replacing any with the same resource and id). */
  stage(records: StagedRecord[]): void;
  staged(resource: string): StagedRecord[];
  stagedCount(resource: string): number;
  /** Ids staged for a resource (all of them, or those among `among`): the completeness check compares them. */
  stagedIds(resource: string, among?: string[]): string[];
  clearStaged(resource: string): void;
  unstage(resource: string, ids: string[]): void;
  // Staging as the engine reads and writes it: asynchronous and paged, so a store can keep staging outside the
  // process (the browser's in astep_stagingrow) and the engine never needs a whole resource in memory to stage it.
  /** Stages records in bulk (replacing any with the same resource and id). */
  stageAsync(records: StagedRecord[]): Promise<void>;
  /** Ids staged for a resource (all of them, or those among `among`), as stagedIds but from wherever staging is. */
  stagedIdsAsync(resource: string, among?: string[]): Promise<string[]>;
  /** A resource's staged records, a page at a time, in the store's stable order. */
  stagedPages(resource: string, pageSize?: number): AsyncIterable<StagedRecord[]>;
  stagedCountAsync(resource: string): Promise<number>;
  clearStagedAsync(resource: string): Promise<void>;
  unstageAsync(resource: string, ids: string[]): Promise<void>;
  /**
   * One step of an extraction: clears, unstages and stages as `change` says, then sets its checkpoints. Stores that
   * stage locally do it in one transaction (a kill leaves all or nothing); a store staging elsewhere writes the
   * staging first and the checkpoints last, so a kill in between only makes the next run read that page again (staging
   * is keyed by resource and id: the same rows).
   */
  commitStaging(change: StagingChange): Promise<void>;
  getCheckpoint(name: string): string | null;
  setCheckpoint(name: string, value: string | null): void;
  /** Write-ahead audit: inserting an entry whose (runId, phase, table, key, operation) is already pending keeps the first. */
  addPendingAudit(entries: Omit<AuditEntry, 'seq'>[]): AuditEntry[];
  completeAudit(runId: string, seq: number, patch: Partial<Pick<AuditEntry, 'operation' | 'targetId' | 'after' | 'errorCode' | 'message' | 'before'>>): void;
  /** Entries read back from elsewhere (astep_auditentry), kept with their own sequence numbers. */
  importAudit(entries: AuditEntry[]): void;
  audit(runId: string, phase?: AuditPhase): AuditEntry[];
  pendingAudit(runId: string): AuditEntry[];
  /** The sequence of the run's oldest pending entry (null: none), without reading the entries (the audit's mirror
   *  asks every 2 s while a run writes, when up to 12,000 may be pending). */
  firstPendingAuditSeq(runId: string): number | null;
  setOutcomes(runId: string, outcomes: RecordOutcome[]): void;
  outcomes(runId: string): RecordOutcome[];
  transaction<T>(fn: () => T): T;

  // ---- added for the streaming engine (issue 13): nothing above changes meaning ----

  /** Indexed staging, where the store can index (absent: the engine maps from the whole firm in memory). */
  readonly staging?: StagingIndex;
  /** Outcomes in pages (`replace`: the run's earlier outcomes are removed first), and a page of them back. */
  addOutcomes(runId: string, outcomes: RecordOutcome[], replace: boolean): void;
  /**
   * The page of outcomes after `after` (null: from the first), in (resource, id) order. A cursor, not an offset: an
   * offset makes the store walk every earlier row again for each page, quadratic over a firm's million outcomes.
   */
  outcomesPage(runId: string, after: OutcomeCursor | null, limit: number): RecordOutcome[];
  /** A ledger holds one mapping-and-load pass (run, sample, delta, verify of a run): its dispositions and loaded rows. */
  clearLedger(ledger: string): void;
  addDispositions(ledger: string, records: DispositionRecord[]): void;
  /** The dispositions of these records, each record's in reading order (rank, then as written). */
  dispositions(ledger: string, resource: string, ids: string[]): DispositionRecord[];
  putLoadedRows(ledger: string, rows: LoadedRow[]): void;
  loadedRows(ledger: string, table: string, keys: string[]): LoadedRow[];
  /** A table's loaded rows in the order they were first put, `limit` after position `after`. */
  loadedRowsPage(ledger: string, table: string, after: number, limit: number): Array<LoadedRow & { position: number }>;

  // Audit reads that never need a run's whole audit in memory (rollback reads its plan a page at a time).
  /** Audit entries in sequence order (descending with `descending`), strictly after/before a sequence, by phase. */
  auditPage(runId: string, query: { afterSeq?: number; beforeSeq?: number; phase?: AuditPhase; notPhase?: AuditPhase; limit: number; descending?: boolean }): AuditEntry[];
  /** Entries of one phase by key (and table, unless null), any status. */
  auditByKeys(runId: string, phase: AuditPhase, table: string | null, keys: string[]): AuditEntry[];
  /** Every entry whose target is one of these GUIDs (case-insensitive), any phase and status. */
  auditByTargets(runId: string, targetIds: string[]): AuditEntry[];
}

export interface ProgressReporter {
  start(task: string, total: number): void;
  tick(task: string, n?: number): void;
  done(task: string): void;
  log(message: string): void;
  /** For the log file only (where the time went, per table): diagnostics nobody needs on the screen. Optional. */
  detail?(message: string): void;
}

export const silentProgress: ProgressReporter = { start() {}, tick() {}, done() {}, log() {} };
