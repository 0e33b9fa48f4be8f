// How long the migration will take, and what it costs in the tenant's daily request entitlement: the plan's time
// section. Pure: discover measures (each Actionstep sign-in's pace, the Dataverse identities configured) and this
// turns counts into durations, then recommends how many identities to add on each side.
//
// Actionstep (reference actionstep-api.md §6 and the integrators' notes): the rate limit is per user session and
// unpublished. A session's pace is the configured one, else the one learned from 429s during discover, else one
// request every 2 s (the only pace seen in a production integration: the harsher plausible reading), never more than
// its lanes can do at the answer time measured during discover.
//
// Dataverse (reference dataverse.md §4, api-limits): per identity, 1,200 s of execution per 300 s window, 6,000
// requests, 52 at once. Microsoft publishes throughput, not costs; the costs below make the published figures come out
// of the published limits (about 10,000,000 bulk records/hour/user): a bulk request of n records takes 288 + 1.152 n
// ms of execution, a read 40 ms + 0.05 ms per row (the Dataverse emulator charges the same, so its clock agrees).
// Real environments differ (one answered 8,000 requests): the figures are the defaults' sustained bound.
//
// Entitlement (api-request-limits-allocations): application users draw on the tenant's pool of 500,000 + 5,000 per
// Dynamics licence per 24 h (capped at 10,000,000), and every record of a bulk request counts, as does every read.
import { RESOURCES } from '@astep/actionstep-connector/resources';
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { SolutionSchema } from '@astep/solution';
import type { SourcePace } from '../ports';

/** The pace seen in a production integration: one request every 2 s per session. */
export const PRODUCTION_PACE_PER_SECOND = 0.5;
/** Our goal from discover to verify (the seed's vendor quotes 2–5 days). */
export const TARGET_MINUTES = 30;
/** The row loader's batch (orchestrator/src/load/rowLoader.ts): one read before, one upsert, one read back. */
export const LOADER_BATCH = 250;
/** Audit entries per bulk request of the audit's mirror to Dataverse (safety/mirror.ts uses this one). */
export const AUDIT_CHUNK = 1000;
const MAX_IDENTITIES = 20;
/**
 * Extract copies every staged record to astep_stagingrow (store/stagingMirror.ts, so the wizard can continue the run):
 * pages of 1,000, 8 in flight, each sent by the bulk writer as 4 UpsertMultiple of 250 (4 requests per page).
 */
const STAGING = { perRequest: 250, inFlight: 32 };
/**
 * Verify reads rows back a batch of 1,000 at a time (safety/verify.ts), as one `$batch` of GETs, each with an `In`
 * filter of at most 100 keys (dataverseApi.ts retrieveByValues: 100 values or 1,500 characters), so about 10 GETs
 * per batch; a `$batch` is one request toward the request limit, each GET's execution time counts
 * (emulators/dataverse/src/serviceProtection.ts) and each GET counts against the entitlement.
 */
const VERIFY = { perBatch: 1000, keysPerRead: 100 };
/**
 * Verify also maps every row again from the staged firm and compares it value by value, on the computer that runs the
 * command; its reads run ahead of that work (safety/verify.ts), so the step takes the longer of the two. Measured on
 * the 2-core machine of our benchmarks with the Dataverse emulator's clock at ×60, where the server's time hardly
 * counts: 6.8 s for the medium firm's 61,965 rows (farm-bench median of 5) and 68.3 s for the xl firm's 616,813
 * (bench:fullrun), about 0.11 ms a row both. A slower computer compares slower: the plan says which part is which.
 */
const VERIFY_LOCAL_MS_PER_ROW = 0.11;
/**
 * Provision makes its metadata writes one after another (connectors/dataverse/src/metadataProvisioner.ts: each needs
 * the previous), then waits for the alternate keys' index jobs. Microsoft publishes no duration for a metadata write;
 * the Dataverse emulator charges 1 s of execution each (serviceProtection.ts metadataWriteMs) and answers after it.
 */
const METADATA_WRITE_SECONDS = 1;
/**
 * Rollback (safety/rollback.ts) deletes what the run created with `$batch` DELETEs of 100 (bulkWriter.ts deleteMany),
 * after reading each record's row version (a GET per 100 keys). Standard tables have no bulk delete that is faster:
 * DeleteMultiple exists for elastic tables only (reference dataverse.md §3), and BulkDelete is an asynchronous system
 * job (Microsoft's own Python client measured 500 records in 150 s: microsoft/PowerPlatform-DataverseClient-Python#34).
 * Each DELETE inside a `$batch` costs execution like a single request (288 ms, serviceProtection.ts batchPerOperationMs: about
 * 13.9 records/s per identity at the bound), where a bulk write costs 1.44 ms per record (2.4 ms in the loader's
 * requests of 250): undoing a run takes 100-200 times its writes' server time, whoever sends it. The plan says so
 * before anything is written.
 */
const ROLLBACK = { perBatch: 100 };
/** Why a rollback takes so long, in the admin's words (the plan's notes and plan.html). */
export const ROLLBACK_WHY = 'Dynamics deletes records one at a time (its bulk delete is for elastic tables only, or a background job that is slower still); more application users shorten it.';

export const DATAVERSE_COSTS = { bulkBaseMs: 288, bulkPerRecordMs: 1.152, batchOperationMs: 288, readBaseMs: 40, readPerRowMs: 0.05 };
export const DATAVERSE_DEFAULT_LIMITS = { maxRequests: 6000, maxExecutionTimeMs: 1_200_000, maxConcurrent: 52, windowMs: 300_000 };
const ENTITLEMENT = { base: 500_000, perLicence: 5_000, cap: 10_000_000, capacityPack: 50_000 };

export interface SessionPaceEstimate {
  name: string;
  requestsPerSecond: number;
  /** Where the pace comes from, in words. */
  basis: string;
  /** Mean answer time measured during discover (ms), when it made requests through this session. */
  measuredAnswerMs: number | null;
}

export interface TimeEstimate {
  actionstep: {
    /** Listing pages, counts and id ranges of the extraction. */
    extractCalls: number;
    /** Document file parts downloaded (during extract when it keeps the files, else during the run). */
    documentCalls: number;
    /** The step that downloads the documents (absent in plans from before extract kept them: the run). */
    documentsDuring?: DocumentsDuring;
    sessions: SessionPaceEstimate[];
    /** Requests per second all sessions together. */
    requestsPerSecond: number;
    extractMinutes: number;
    documentMinutes: number;
    /** The same calls at one request every 2 s per session (the pace seen in production). */
    atProductionPaceMinutes: number;
  };
  /** Provision: the metadata writes of a fresh environment (fewer when Dynamics already has some of the schema). */
  provision: { metadataWrites: number; minutes: number };
  dataverse: {
    applicationUsers: number;
    /** Staged records extract copies to astep_stagingrow, the requests that takes and its minutes (part of extract). */
    staging: { records: number; requests: number; minutes: number };
    /** Rows written (targets and their audit entries). */
    records: number;
    requests: number;
    /** Each application user's share. */
    perUser: { records: number; requests: number; executionSeconds: number };
    /** At the sustained bound of the limits, every user busy. */
    loadMinutes: number;
    /** The longer of reading back (at the users' bound) and comparing on this computer. */
    verifyMinutes: number;
    /** Verify's reads alone, at the sustained bound of the users' limits. */
    verifyReadMinutes?: number;
    /** Verify's own work on the computer that runs it (mapping again and comparing). */
    verifyCompareMinutes?: number;
  };
  /** Undoing the run (not part of the total): its created rows deleted one by one, at the same users' bound. */
  rollback: { deletes: number; requests: number; minutes: number };
  entitlement: {
    /** Operations the run counts against the pool (every bulk record, every read request). */
    operations: number;
    licences: number;
    poolPer24h: number;
    /** Days of the tenant's 24-hour pool the run uses (shared with everything else the tenant's applications do). */
    days: number;
  };
  /** Provision, extraction with its staging copy, then the run (writes and downloads, the harsher reading: one after
   *  the other), then verify. */
  totalMinutes: number;
  recommendation: {
    targetMinutes: number;
    actionstepSessions: number;
    applicationUsers: number;
    addActionstepSessions: number;
    addApplicationUsers: number;
    /** Capacity packs (+50,000 per 24 h) that keep the run inside one day's pool. */
    capacityPacks: number;
    message: string;
  };
}

/** Which step downloads the notes' files: extract where it keeps them on disk (the command line), else the run. */
export type DocumentsDuring = 'extract' | 'run';

export interface TimeEstimateInput {
  counts: Record<string, number>;
  /** Document file parts to download (about one per 5 MB of each document). */
  documentParts: number;
  /** Default: the run. */
  documentsDuring?: DocumentsDuring;
  /** Records Dataverse receives (targets, before their audit entries). */
  dataverseRecords: number;
  sessions: Array<{ name: string; lanes: number; pace: SourcePace }>;
  applicationUsers: number;
  /** Enabled Dynamics users (licences: what the tenant pool grows with). */
  licences: number;
  pageSize: number;
  /** Records extract stages (and copies to astep_stagingrow). Default: every record counted. */
  stagedRecords?: number;
  /** Metadata writes provision makes (choices, tables, columns, relationships, keys). Default 0: not known. */
  metadataWrites?: number;
}

const minutes = (seconds: number) => Math.round((seconds / 60) * 100) / 100;

/** Records Dataverse receives for a firm's counts (targets, before their audit entries): a matter gives about 2.5 rows
 *  (matter, opportunity, some accounts), a task two (task and its recurrence), the rest one each. */
export function dataverseRecordsFor(c: Record<string, number>): number {
  return Math.round((c.actions ?? 0) * 2.5 + (c.participants ?? 0) + (c.actionparticipants ?? 0) + (c.timeentries ?? 0) + 2 * (c.tasks ?? 0) + (c.actiondocuments ?? 0) + (c.filenotes ?? 0));
}

/**
 * Metadata writes provision makes for `schema` (the provisioner's plan on an environment without our columns): each
 * global choice; each custom table not there yet, with its columns (not its primary name, made with the table) and
 * keys; on standard tables and on custom tables already there, the columns and keys with the publisher's prefix (the
 * harsher reading: we cannot see their columns before provisioning); each relationship whose lookup is not on a table
 * already there. Lookup columns come with their relationship.
 */
export function metadataWritesFor(schema: SolutionSchema, existingCustomTables: string[]): number {
  const existing = new Set(existingCustomTables);
  const prefix = `${schema.publisher.customizationPrefix}_`;
  let writes = schema.choices.length;
  for (const t of schema.tables) {
    const fresh = t.isCustom && !existing.has(t.logicalName);
    if (fresh) writes++;
    if (t.isCustom && !fresh) continue;
    writes += t.columns.filter((c) => c.type !== 'lookup' && (fresh ? !(c.isPrimaryName || c.logicalName === t.primaryNameAttribute) : c.logicalName.startsWith(prefix))).length;
    writes += t.keys.filter((k) => fresh || k.logicalName.startsWith(prefix)).length;
  }
  writes += schema.relationships.filter((r) => !existing.has(r.referencingEntity)).length;
  return writes;
}

/** One session's pace: configured, learned, or the production pace; never faster than its lanes at the answer time. */
export function sessionPace(name: string, lanes: number, pace: SourcePace): SessionPaceEstimate {
  const measured = pace.answered > 0 && pace.meanLatencyMs !== undefined ? pace.meanLatencyMs : null;
  const byLatency = measured !== null ? (Math.max(1, lanes) * 1000) / Math.max(1, measured) : Infinity;
  const known = [pace.configuredPerSecond, pace.learnedPerSecond].filter((r): r is number => r !== undefined && r > 0);
  const limit = known.length ? Math.min(...known) : PRODUCTION_PACE_PER_SECOND;
  const basis = pace.learnedPerSecond !== undefined && pace.learnedPerSecond <= (pace.configuredPerSecond ?? Infinity)
    ? `learned from Actionstep's refusals during discover (${pace.throttled} × 429)`
    : pace.configuredPerSecond !== undefined ? 'configured (actionstep.requestsPerSecond)'
      : 'assumed: one request every 2 s, the pace seen in production (Actionstep publishes no limit; set actionstep.requestsPerSecond once the firm knows its pace)';
  const rate = Math.min(limit, byLatency);
  return {
    name,
    requestsPerSecond: Math.round(rate * 100) / 100,
    basis: rate < limit ? `${basis}; bounded by the answer time measured (${Math.round(measured ?? 0)} ms, ${lanes} at once)` : basis,
    measuredAnswerMs: measured === null ? null : Math.round(measured),
  };
}

/** Dataverse execution (ms), requests and reads to write `targets` rows in loader batches (reads before and after included) and their audit entries. */
function dataverseWork(targets: number): { requests: number; reads: number; executionMs: number } {
  // Target rows: per batch of 250 a read of the rows that exist, the bulk write and a read back (rowLoader.ts).
  const batches = Math.ceil(targets / LOADER_BATCH);
  const c = DATAVERSE_COSTS;
  const write = c.bulkBaseMs + c.bulkPerRecordMs * LOADER_BATCH;
  const read = c.readBaseMs + c.readPerRowMs * LOADER_BATCH;
  // Their audit entries, one each: written alone, in chunks of 1,000 (safety/mirror.ts), nothing read.
  const chunks = Math.ceil(targets / AUDIT_CHUNK);
  const audit = chunks * c.bulkBaseMs + targets * c.bulkPerRecordMs;
  return { requests: batches * 3 + chunks, reads: batches * 2, executionMs: batches * (write + 2 * read) + audit };
}

/** Execution (ms) and requests of extract's copy of `records` staged records (of `resources` resources) to Dataverse. */
function stagingWork(records: number, resources: number): { requests: number; executionMs: number } {
  const requests = records > 0 ? Math.ceil(records / STAGING.perRequest) + resources : 0;
  return { requests, executionMs: requests * DATAVERSE_COSTS.bulkBaseMs + records * DATAVERSE_COSTS.bulkPerRecordMs };
}

/** Execution (ms) of reading `rows` rows back in `reads` GETs. */
const readMs = (reads: number, rows: number) => reads * DATAVERSE_COSTS.readBaseMs + rows * DATAVERSE_COSTS.readPerRowMs;

/** Seconds one identity needs for work of `requests` costing `executionMs`, at the limits' sustained bound. */
function boundSeconds(requests: number, executionMs: number): number {
  const l = DATAVERSE_DEFAULT_LIMITS;
  const byExecution = (executionMs / l.maxExecutionTimeMs) * (l.windowMs / 1000);
  const byRequests = (requests / l.maxRequests) * (l.windowMs / 1000);
  return Math.max(byExecution, byRequests);
}

export function estimateTime(input: TimeEstimateInput): TimeEstimate {
  // Pages of every resource, plus per resource its count, its last id (to cut id ranges) and about one partial page
  // per range of 25 pages (pagedExtraction.ts), plus the trust report. Resources without integer ids are read by
  // offset, so their ids are listed once more at the end (the completeness check, resourceExtraction.ts).
  const resources = Object.entries(input.counts);
  const pagesOf = (n: number) => Math.max(1, Math.ceil(n / input.pageSize));
  const pages = resources.reduce((s, [, n]) => s + pagesOf(n), 0);
  const byOffset = resources.filter(([r]) => RESOURCES[r as ResourceName] && RESOURCES[r as ResourceName].idKind !== 'integer');
  const idListings = byOffset.reduce((s, [, n]) => s + pagesOf(n), 0);
  // That id listing is one page after another (offset paging cannot be cut by id): the longest is a chain no number
  // of sessions shortens, each page taking the answer time or the session's interval, whichever is longer.
  const chainPages = Math.max(0, ...byOffset.map(([, n]) => pagesOf(n)));
  const extractCalls = pages + idListings + Math.ceil(pages / 25) + 2 * resources.length + 1;
  const documentCalls = input.documentParts;
  const sessions = (input.sessions.length ? input.sessions : [{ name: 'Actionstep sign-in', lanes: 1, pace: { answered: 0, throttled: 0 } }])
    .map((s) => sessionPace(s.name, s.lanes, s.pace));
  const rate = sessions.reduce((s, x) => s + x.requestsPerSecond, 0);
  const perSessionRate = rate / sessions.length;
  const answerSeconds = Math.max(0, ...sessions.map((x) => (x.measuredAnswerMs ?? 0) / 1000));
  const extractSeconds = Math.max(extractCalls / rate, chainPages * Math.max(answerSeconds, 1 / perSessionRate));
  const documentSeconds = documentCalls / rate;

  const users = Math.max(1, input.applicationUsers);
  // Every target row has an audit entry written beside it (safety/mirror.ts).
  const records = input.dataverseRecords * 2;
  const work = dataverseWork(input.dataverseRecords);
  const perUser = { records: Math.ceil(records / users), requests: Math.ceil(work.requests / users), executionSeconds: Math.round(work.executionMs / users / 1000) };
  const loadSeconds = boundSeconds(work.requests / users, work.executionMs / users);
  // The staging copy: at the bound of the users, and never faster than its requests in flight take on the server.
  const stagedRecords = input.stagedRecords ?? resources.reduce((s, [, n]) => s + n, 0);
  const staging = stagingWork(stagedRecords, resources.length);
  const stagingSeconds = Math.max(boundSeconds(staging.requests / users, staging.executionMs / users), staging.executionMs / 1000 / STAGING.inFlight);
  // Verify: a `$batch` of GETs per 1,000 rows.
  // A `$batch` is one request toward the limit; each GET inside it is a read (execution and entitlement).
  const verifyRequests = Math.ceil(input.dataverseRecords / VERIFY.perBatch);
  const verifyReads = Math.ceil(input.dataverseRecords / VERIFY.keysPerRead);
  const verifyReadSeconds = boundSeconds(verifyRequests / users, readMs(verifyReads, input.dataverseRecords) / users);
  const verifyCompareSeconds = (input.dataverseRecords * VERIFY_LOCAL_MS_PER_ROW) / 1000;
  const verifySeconds = Math.max(verifyReadSeconds, verifyCompareSeconds);
  const provisionSeconds = (input.metadataWrites ?? 0) * METADATA_WRITE_SECONDS;
  // Rollback: the created targets deleted (their audit entries stay: the audit is the record of what happened).
  const rollbackDeletes = input.dataverseRecords;
  const rollbackReads = Math.ceil(rollbackDeletes / VERIFY.keysPerRead);
  const rollbackRequests = Math.ceil(rollbackDeletes / ROLLBACK.perBatch) + rollbackReads;
  const rollbackSeconds = boundSeconds(rollbackRequests / users, (rollbackDeletes * DATAVERSE_COSTS.batchOperationMs + readMs(rollbackReads, rollbackDeletes)) / users);

  // Every bulk record counts, and every read request (the writes' requests are their records).
  const operations = records + work.reads + stagedRecords + verifyReads;
  const pool = Math.min(ENTITLEMENT.cap, ENTITLEMENT.base + ENTITLEMENT.perLicence * input.licences);
  const days = Math.round((operations / pool) * 100) / 100;

  // The fewest identities (sessions + users) that bring the total under the target, if 20 of each can.
  const A = (extractCalls + documentCalls) / perSessionRate; // seconds with one session
  const D = (loadSeconds + verifyReadSeconds + stagingSeconds) * users; // seconds with one user
  // Provisioning is one write after another, and verify's comparing is this computer's work: no identity shortens
  // either (the comparing is counted on top of the reads here, the harsher reading).
  const T = TARGET_MINUTES * 60 - provisionSeconds - verifyCompareSeconds;
  let best: { n: number; m: number } | null = null;
  for (let n = 1; n <= MAX_IDENTITIES; n++) {
    const left = T - A / n;
    if (left <= 0) continue;
    const m = Math.max(1, Math.ceil(D / left));
    if (m <= MAX_IDENTITIES && (!best || n + m < best.n + best.m)) best = { n, m };
  }
  const totalSeconds = provisionSeconds + extractSeconds + stagingSeconds + documentSeconds + loadSeconds + verifySeconds;
  const capacityPacks = Math.max(0, Math.ceil((operations - pool) / ENTITLEMENT.capacityPack));
  const n = best?.n ?? MAX_IDENTITIES;
  const m = best?.m ?? MAX_IDENTITIES;
  const parts = [
    best
      ? `${n} Actionstep sign-in${n > 1 ? 's' : ''} and ${m} Dataverse application user${m > 1 ? 's' : ''} bring discover to verify under ${TARGET_MINUTES} minutes at the pace above (about ${Math.ceil((provisionSeconds + verifyCompareSeconds + A / n + D / m) / 60)} minutes)`
      : `even ${MAX_IDENTITIES} Actionstep sign-ins and ${MAX_IDENTITIES} application users need about ${Math.ceil((provisionSeconds + verifyCompareSeconds + A / MAX_IDENTITIES + D / MAX_IDENTITIES) / 60)} minutes at the pace above: plan the run over several sessions of work, or ask Actionstep support for a higher limit`,
    `${n > sessions.length ? `add ${n - sessions.length} Actionstep sign-in${n - sessions.length > 1 ? 's' : ''} (other Actionstep users, nominated on the same restricted matters)` : 'no Actionstep sign-in to add'}`,
    `${m > users ? `add ${m - users} application user${m - users > 1 ? 's' : ''} in Dynamics` : 'no application user to add'}`,
    days > 1
      ? `the run uses ${days} days of the tenant's 24-hour request entitlement: more identities do not change that (they share the pool); spread the run over ${Math.ceil(days)} days or add ${capacityPacks} capacity pack${capacityPacks > 1 ? 's' : ''} (+50,000 requests per 24 h each)`
      : `the run uses ${days} of a day's request entitlement (shared with everything else the tenant runs that day)`,
  ];
  return {
    actionstep: {
      extractCalls, documentCalls, documentsDuring: input.documentsDuring ?? 'run', sessions, requestsPerSecond: Math.round(rate * 100) / 100,
      extractMinutes: minutes(extractSeconds), documentMinutes: minutes(documentSeconds),
      atProductionPaceMinutes: minutes((extractCalls + documentCalls) / (PRODUCTION_PACE_PER_SECOND * sessions.length)),
    },
    provision: { metadataWrites: input.metadataWrites ?? 0, minutes: minutes(provisionSeconds) },
    dataverse: {
      applicationUsers: users, staging: { records: stagedRecords, requests: staging.requests, minutes: minutes(stagingSeconds) },
      records, requests: staging.requests + work.requests + verifyRequests, perUser, loadMinutes: minutes(loadSeconds), verifyMinutes: minutes(verifySeconds),
      verifyReadMinutes: minutes(verifyReadSeconds), verifyCompareMinutes: minutes(verifyCompareSeconds),
    },
    rollback: { deletes: rollbackDeletes, requests: rollbackRequests, minutes: minutes(rollbackSeconds) },
    entitlement: { operations, licences: input.licences, poolPer24h: pool, days },
    totalMinutes: minutes(totalSeconds),
    recommendation: {
      targetMinutes: TARGET_MINUTES, actionstepSessions: n, applicationUsers: m,
      addActionstepSessions: Math.max(0, n - sessions.length), addApplicationUsers: Math.max(0, m - users), capacityPacks,
      message: `${parts.join('; ')}.`,
    },
  };
}

/** The plan's summary figures, made to agree with the time section (its notes say where each pace comes from). */
export function estimatesWithTime<E extends { actionstepCalls: number; actionstepMinutes: number; dataverseRequests: number; dataverseMinutes: number; notes: string[] }>(estimates: E, time: TimeEstimate): E {
  const a = time.actionstep;
  return {
    ...estimates,
    actionstepCalls: a.extractCalls + a.documentCalls,
    actionstepMinutes: Math.max(1, Math.ceil(a.extractMinutes + a.documentMinutes)),
    dataverseRequests: time.dataverse.requests,
    dataverseMinutes: Math.max(1, Math.ceil(time.dataverse.staging.minutes + time.dataverse.loadMinutes + time.dataverse.verifyMinutes)),
    notes: [
      ...a.sessions.map((s) => `Actionstep ${s.name}: ${s.requestsPerSecond} requests/s, ${s.basis}.`),
      `Actionstep: ${a.extractCalls} calls to extract (${a.extractMinutes} min) and ${a.documentCalls} document downloads during ${a.documentsDuring === 'extract' ? 'extraction (kept on disk for the run)' : 'the run'} (${a.documentMinutes} min) across ${a.sessions.length} sign-in${a.sessions.length > 1 ? 's' : ''}; at one request every 2 s per sign-in (the pace seen in production): ${a.atProductionPaceMinutes} min.`,
      ...(time.provision.metadataWrites ? [`Provision: up to ${time.provision.metadataWrites} changes to the Dynamics schema, one after another (fewer when Dynamics already has some): about ${time.provision.minutes} min.`] : []),
      `Extract copies the ${time.dataverse.staging.records} staged records to Dynamics (the Migration Wizard reads them there) in ${time.dataverse.staging.requests} requests: ${time.dataverse.staging.minutes} min after reading Actionstep.`,
      `Dataverse: ${time.dataverse.records} rows (targets and their audit entries) in ${time.dataverse.requests} requests across ${time.dataverse.applicationUsers} application user${time.dataverse.applicationUsers > 1 ? 's' : ''}, ${time.dataverse.perUser.records} rows and ${time.dataverse.perUser.executionSeconds} s of server time each: ${time.dataverse.loadMinutes} min at the sustained bound of the default service protection limits (1,200 s of execution per 300 s per user), verify ${time.dataverse.verifyMinutes} min${time.dataverse.verifyCompareMinutes !== undefined ? ` (reading back ${time.dataverse.verifyReadMinutes} min at that bound, side by side with comparing every value on this computer, about ${time.dataverse.verifyCompareMinutes} min on a 2-core machine)` : ''}.`,
      `Rolling the run back, if it comes to that: about ${time.rollback.minutes} min with ${time.dataverse.applicationUsers} application user${time.dataverse.applicationUsers > 1 ? 's' : ''} to delete the ${time.rollback.deletes} rows it creates (writing them takes ${time.dataverse.loadMinutes} min): ${ROLLBACK_WHY}`,
      `Entitlement: ${time.entitlement.operations} operations against the tenant's pool of ${time.entitlement.poolPer24h} per 24 h (500,000 + 5,000 × ${time.entitlement.licences} enabled Dynamics users; every bulk record counts): ${time.entitlement.days} days.`,
      `Discover to verify: about ${time.totalMinutes} min. Recommendation: ${time.recommendation.message}`,
    ],
  };
}

/** What a firm of `records` records with the same mix needs at the production pace (one request every 2 s per session). */
export interface ScaledProjection {
  /** One Actionstep session and one application user. */
  alone: TimeEstimate;
  /** The identities the plan recommends for discover to verify under TARGET_MINUTES, and the estimate with them. */
  actionstepSessions: number;
  applicationUsers: number;
  recommended: TimeEstimate;
}

/**
 * Every count (and the document parts) scaled to a firm of `records` records (the same schema to provision: its
 * `metadataWrites`), priced at the production pace with one identity on each side, then with the identities that
 * estimate recommends (Dataverse at the default limits' bound).
 */
export function projectScaledFirm(counts: Record<string, number>, documentParts: number, pageSize: number, records = 50_000, metadataWrites = 0): ScaledProjection {
  const total = Object.values(counts).reduce((s, n) => s + n, 0);
  const scale = records / Math.max(1, total);
  const scaled = Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, Math.round(n * scale)]));
  const parts = Math.round(documentParts * scale);
  const estimate = (sessions: number, applicationUsers: number) => estimateTime({
    counts: scaled, documentParts: parts, dataverseRecords: dataverseRecordsFor(scaled), applicationUsers, licences: 0, pageSize, metadataWrites,
    sessions: Array.from({ length: sessions }, (_, i) => ({ name: `session ${i + 1}`, lanes: 4, pace: { configuredPerSecond: PRODUCTION_PACE_PER_SECOND, answered: 0, throttled: 0 } })),
  });
  const alone = estimate(1, 1);
  const { actionstepSessions, applicationUsers } = alone.recommendation;
  return { alone, actionstepSessions, applicationUsers, recommended: estimate(actionstepSessions, applicationUsers) };
}
