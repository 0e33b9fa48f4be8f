import type { SolutionSchema } from '@astep/solution';
import { estimateTime, estimatesWithTime, metadataWritesFor, PRODUCTION_PACE_PER_SECOND, projectScaledFirm, sessionPace, TARGET_MINUTES, type TimeEstimateInput } from '../src/plan/timeEstimate';

/** Seconds as the estimate gives minutes (two decimals). */
const asMinutes = (seconds: number) => Math.round((seconds / 60) * 100) / 100;

const firm: TimeEstimateInput = {
  counts: { actions: 10_000, participants: 20_000, actionparticipants: 20_000, timeentries: 100_000, filenotes: 30_000, actiondocuments: 20_000 },
  documentParts: 20_000,
  dataverseRecords: 200_000,
  sessions: [{ name: 'sign-in 1', lanes: 4, pace: { configuredPerSecond: 10, answered: 50, throttled: 0, meanLatencyMs: 100 } }],
  applicationUsers: 1,
  licences: 20,
  pageSize: 200,
};

describe('a session pace', () => {
  it('is the configured one when Actionstep refused nothing and answers fast enough', () => {
    const p = sessionPace('s', 4, { configuredPerSecond: 10, answered: 50, throttled: 0, meanLatencyMs: 100 });
    expect(p.requestsPerSecond).toBe(10);
    expect(p.basis).toMatch(/configured/);
    expect(p.measuredAnswerMs).toBe(100);
  });

  it('is the limit learned from 429s when it is lower than the configured one', () => {
    const p = sessionPace('s', 4, { configuredPerSecond: 10, learnedPerSecond: 3, answered: 50, throttled: 2, meanLatencyMs: 100 });
    expect(p.requestsPerSecond).toBe(3);
    expect(p.basis).toMatch(/learned.*2 × 429/);
  });

  it('assumes the production pace (one request every 2 s) when nothing is known', () => {
    const p = sessionPace('s', 4, { answered: 50, throttled: 0, meanLatencyMs: 20 });
    expect(p.requestsPerSecond).toBe(PRODUCTION_PACE_PER_SECOND);
    expect(p.basis).toMatch(/assumed: one request every 2 s/);
  });

  it('is never faster than its lanes at the measured answer time', () => {
    const p = sessionPace('s', 2, { configuredPerSecond: 50, answered: 10, throttled: 0, meanLatencyMs: 500 });
    expect(p.requestsPerSecond).toBe(4);
    expect(p.basis).toMatch(/bounded by the answer time measured \(500 ms, 2 at once\)/);
  });
});

describe('the time estimate', () => {
  it('counts the calls and prices them at each session\'s pace', () => {
    const t = estimateTime(firm);
    // 200,000 records in pages of 200 = 1,000 pages; the ids of actionparticipants (composite ids, read by offset) listed
    // again (100); a partial page per span of 25; count and last id per resource; the trust report.
    expect(t.actionstep.extractCalls).toBe(1000 + 100 + 40 + 12 + 1);
    expect(t.actionstep.documentCalls).toBe(20_000);
    expect(t.actionstep.extractMinutes).toBeCloseTo(1153 / 10 / 60, 1);
    expect(t.actionstep.documentMinutes).toBeCloseTo(20_000 / 10 / 60, 1);
    expect(t.actionstep.atProductionPaceMinutes).toBeCloseTo(21_153 / 0.5 / 60, 1);
  });

  it('says which step downloads the documents: extract where the command keeps the files, else the run', () => {
    const notes = (t: ReturnType<typeof estimateTime>) => estimatesWithTime({ actionstepCalls: 1, actionstepMinutes: 1, dataverseRequests: 1, dataverseMinutes: 1, notes: [] }, t).notes.join(' ');
    const kept = estimateTime({ ...firm, documentsDuring: 'extract' });
    expect(kept.actionstep.documentsDuring).toBe('extract');
    expect(notes(kept)).toContain('20000 document downloads during extraction (kept on disk for the run)');
    const inRun = estimateTime(firm);
    expect(inRun.actionstep.documentsDuring).toBe('run');
    expect(notes(inRun)).toContain('20000 document downloads during the run');
    // Where they happen changes no figure: the same calls at the same pace.
    expect(kept.totalMinutes).toBe(inRun.totalMinutes);
  });

  it('never puts the extraction below its longest chain of pages: the id listing of a resource read by offset', () => {
    // 100 sessions at 10/s would read 1,153 calls in about 1.2 s, but actionparticipants' 100 id pages come one after
    // another, each at least the 0.1 s interval of one session (and its 100 ms answer time).
    const many = Array.from({ length: 100 }, (_, i) => ({ ...firm.sessions[0], name: `sign-in ${i + 1}` }));
    const t = estimateTime({ ...firm, sessions: many });
    expect(t.actionstep.extractMinutes).toBeCloseTo((100 * 0.1) / 60, 2);
    const slow = estimateTime({ ...firm, sessions: many.map((x) => ({ ...x, pace: { ...x.pace, meanLatencyMs: 400 } })) });
    // Four lanes at 400 ms still allow 10/s per session; the chain's pages take 0.4 s each.
    expect(slow.actionstep.extractMinutes).toBeCloseTo((100 * 0.4) / 60, 2);
  });

  it('halves the Actionstep time with a second session and the Dataverse load time with a second application user', () => {
    const one = estimateTime(firm);
    const two = estimateTime({ ...firm, sessions: [firm.sessions[0], { ...firm.sessions[0], name: 'sign-in 2' }], applicationUsers: 2 });
    expect(two.actionstep.requestsPerSecond).toBe(20);
    expect(Math.abs(two.actionstep.documentMinutes - one.actionstep.documentMinutes / 2)).toBeLessThanOrEqual(0.1); // minutes are rounded to 0.1
    expect(Math.abs(two.dataverse.loadMinutes - one.dataverse.loadMinutes / 2)).toBeLessThanOrEqual(0.1);
    expect(two.dataverse.perUser.records).toBe(one.dataverse.perUser.records / 2);
  });

  it('prices Dataverse at the execution-time bound: rows in batches of 250 with a read before and after each, their audit entries in chunks of 1,000', () => {
    const t = estimateTime(firm);
    expect(t.dataverse.records).toBe(400_000);
    // 800 batches of (288 + 1.152 × 250) + 2 × (40 + 0.05 × 250) ms = 681 ms, and the 200,000 audit entries in 200
    // chunks of 288 + 1.152 × 1,000 ms (nothing read); 4 s of execution per second per user.
    const executionMs = 800 * 681 + 200 * (288 + 1152);
    expect(t.dataverse.perUser.executionSeconds).toBe(Math.round(executionMs / 1000));
    expect(t.dataverse.loadMinutes).toBeCloseTo(executionMs / 1000 / 4 / 60, 1);
  });

  it('prices extract\'s copy of the staging to Dynamics: an UpsertMultiple per 250 staged records, 32 in flight', () => {
    const t = estimateTime(firm);
    // 200,000 staged records (every record counted) of 6 resources: 800 full requests and up to one partial per resource.
    expect(t.dataverse.staging.records).toBe(200_000);
    expect(t.dataverse.staging.requests).toBe(806);
    const executionS = (806 * 288 + 200_000 * 1.152) / 1000;
    // One user: the execution bound (4 s per s) binds before the 32 requests in flight do.
    expect(t.dataverse.staging.minutes).toBeCloseTo(executionS / 4 / 60, 1);
    // Sixteen users (64 s of execution per s): the 32 requests in flight bind (each waits out its own server time).
    const sixteen = estimateTime({ ...firm, applicationUsers: 16 });
    expect(sixteen.dataverse.staging.minutes).toBeCloseTo(executionS / 32 / 60, 1);
    const staged = estimateTime({ ...firm, stagedRecords: 100_000 });
    expect(staged.dataverse.staging.records).toBe(100_000);
    expect(t.totalMinutes - staged.totalMinutes).toBeCloseTo(t.dataverse.staging.minutes - staged.dataverse.staging.minutes, 1);
  });

  it('prices verify as the reads it makes: a $batch per 1,000 rows with a GET per 100 keys', () => {
    const t = estimateTime(firm);
    // 200,000 rows: 200 batches (one request each toward the limit) of 10 GETs, each priced as a read.
    const reads = 2000;
    expect(t.dataverse.verifyReadMinutes).toBe(asMinutes((reads * 0.04 + 200_000 * 0.00005) / 4));
    expect(t.dataverse.requests).toBe(t.dataverse.staging.requests + 800 * 3 + 200 + 200);
  });

  it('prices verify\'s own comparing beside its reads: the longer of the two, which more users do not shorten', () => {
    // 200,000 rows compared at 0.11 ms each: 22 s, whatever the users; the reads take 22.5 s with one user's bound.
    const one = estimateTime(firm);
    expect(one.dataverse.verifyCompareMinutes).toBe(asMinutes(22));
    expect(one.dataverse.verifyMinutes).toBe(one.dataverse.verifyReadMinutes);
    // Sixteen users read back in 1.4 s: the comparing is what the step takes.
    const sixteen = estimateTime({ ...firm, applicationUsers: 16 });
    expect(sixteen.dataverse.verifyReadMinutes).toBe(asMinutes(22.5 / 16));
    expect(sixteen.dataverse.verifyMinutes).toBe(sixteen.dataverse.verifyCompareMinutes);
    expect(estimatesWithTime({ actionstepCalls: 1, actionstepMinutes: 1, dataverseRequests: 1, dataverseMinutes: 1, notes: [] }, sixteen).notes.join(' ')).toContain(`comparing every value on this computer, about ${sixteen.dataverse.verifyCompareMinutes} min`);
  });

  it('prices the rollback as deletes one at a time (288 ms of server time each), outside the total, shortened by users', () => {
    const t = estimateTime(firm);
    // 200,000 created rows: 2,000 $batch requests of 100 DELETEs, 2,000 reads of their row versions.
    expect(t.rollback.deletes).toBe(200_000);
    expect(t.rollback.requests).toBe(4000);
    const executionS = 200_000 * 0.288 + 2000 * 0.04 + 200_000 * 0.00005;
    expect(t.rollback.minutes).toBeCloseTo(executionS / 4 / 60, 1); // about 240 min for one user
    // Far longer than writing the same rows and their audit entries, and not part of discover to verify.
    expect(t.rollback.minutes / t.dataverse.loadMinutes).toBeGreaterThan(50);
    expect(t.totalMinutes).toBeLessThan(t.rollback.minutes);
    const four = estimateTime({ ...firm, applicationUsers: 4 });
    expect(four.rollback.minutes).toBeCloseTo(t.rollback.minutes / 4, 1);
    expect(estimatesWithTime({ actionstepCalls: 1, actionstepMinutes: 1, dataverseRequests: 1, dataverseMinutes: 1, notes: [] }, four).notes.join(' '))
      .toMatch(/Rolling the run back, if it comes to that: about 60\.\d+ min with 4 application users to delete the 200000 rows it creates/);
  });

  it('adds provisioning, one metadata write after another, that no identity shortens', () => {
    const none = estimateTime(firm);
    const t = estimateTime({ ...firm, metadataWrites: 240 });
    expect(t.provision).toEqual({ metadataWrites: 240, minutes: 4 });
    expect(t.totalMinutes).toBeCloseTo(none.totalMinutes + 4, 1);
    expect(estimatesWithTime({ actionstepCalls: 1, actionstepMinutes: 1, dataverseRequests: 1, dataverseMinutes: 1, notes: [] }, t).notes.join(' ')).toMatch(/Provision: up to 240 changes/);
    // The recommendation leaves those 4 minutes out of the 30 it shares between the identities.
    const r = t.recommendation;
    const withThem = estimateTime({
      ...firm, metadataWrites: 240, applicationUsers: r.applicationUsers,
      sessions: Array.from({ length: r.actionstepSessions }, (_, i) => ({ ...firm.sessions[0], name: `sign-in ${i + 1}` })),
    });
    expect(withThem.totalMinutes).toBeLessThanOrEqual(TARGET_MINUTES);
  });

  it('counts every written row against the tenant\'s daily entitlement and says when packs are needed', () => {
    const t = estimateTime(firm);
    expect(t.entitlement.poolPer24h).toBe(600_000);
    // 400,000 rows written (targets and audit entries, every bulk record counts), 1,600 reads before and after the
    // 800 batches, 200,000 staged records copied, 2,000 verify reads.
    expect(t.entitlement.operations).toBe(400_000 + 1_600 + 200_000 + 2_000);
    expect(t.entitlement.days).toBeCloseTo(t.entitlement.operations / 600_000, 2);
    const big = estimateTime({ ...firm, dataverseRecords: 1_000_000, licences: 0 });
    expect(big.entitlement.days).toBeGreaterThan(4);
    expect(big.recommendation.capacityPacks).toBe(Math.ceil((big.entitlement.operations - 500_000) / 50_000));
    expect(big.recommendation.message).toMatch(/more identities do not change that/);
  });

  it('recommends the fewest identities that bring discover to verify under 30 minutes', () => {
    const t = estimateTime(firm);
    const r = t.recommendation;
    expect(r.actionstepSessions).toBeGreaterThan(1);
    expect(r.addActionstepSessions).toBe(r.actionstepSessions - 1);
    // The recommended identities meet the goal: priced again with them, the estimate is under 30 minutes.
    const withThem = estimateTime({
      ...firm,
      sessions: Array.from({ length: r.actionstepSessions }, (_, i) => ({ ...firm.sessions[0], name: `sign-in ${i + 1}` })),
      applicationUsers: r.applicationUsers,
    });
    expect(withThem.totalMinutes).toBeLessThanOrEqual(30);
    expect(withThem.recommendation.addActionstepSessions + withThem.recommendation.addApplicationUsers).toBe(0);
    // One fewer session does not.
    const fewer = estimateTime({ ...firm, sessions: withThem.actionstep.sessions.slice(1).map((s) => ({ name: s.name, lanes: 4, pace: firm.sessions[0].pace })), applicationUsers: r.applicationUsers });
    expect(fewer.totalMinutes).toBeGreaterThan(30 - 1e-9);
  });

  it('keeps the plan\'s summary figures in agreement with the time section', () => {
    const t = estimateTime(firm);
    const e = estimatesWithTime({ actionstepCalls: 1, actionstepMinutes: 1, dataverseRequests: 1, dataverseRecords: 1, dataverseMinutes: 1, notes: ['old'] }, t);
    expect(e.dataverseRequests).toBe(t.dataverse.requests);
    expect(e.actionstepCalls).toBe(21_153);
    expect(e.actionstepMinutes).toBe(Math.ceil(t.actionstep.extractMinutes + t.actionstep.documentMinutes));
    expect(e.notes.join(' ')).toMatch(/sign-in 1: 10 requests\/s, configured/);
    expect(e.notes).not.toContain('old');
  });
});

test('a firm scaled to 50,000 records keeps its mix, and the identities recommended bring it under the target', () => {
  const counts = { actions: 1000, participants: 2000, timeentries: 5000, filenotes: 2000 }; // 10,000 records
  const p = projectScaledFirm(counts, 500, 200);
  // Five times every count: the scaled firm's document downloads and Dataverse rows are five times this firm's.
  expect(p.alone.actionstep.documentCalls).toBe(2500);
  expect(p.alone.dataverse.records).toBe(2 * 5 * (1000 * 2.5 + 2000 + 5000 + 2000)); // each row and its audit entry
  expect(p.alone.totalMinutes).toBeGreaterThan(TARGET_MINUTES);
  expect(p.actionstepSessions).toBeGreaterThan(1);
  expect(p.recommended.totalMinutes).toBeLessThanOrEqual(TARGET_MINUTES);
  expect(p.recommended.actionstep.sessions).toHaveLength(p.actionstepSessions);
});

test('provisioning counts the metadata writes of the schema: new tables whole, our columns and keys on the others', () => {
  const col = (logicalName: string, type = 'string', extra = {}) => ({ logicalName, schemaName: logicalName, displayName: logicalName, type, ...extra });
  const table = (logicalName: string, isCustom: boolean, columns: unknown[], keys: string[]) => ({
    logicalName, schemaName: logicalName, displayName: logicalName, displayCollectionName: logicalName, description: '', entitySetName: `${logicalName}s`,
    primaryIdAttribute: `${logicalName}id`, primaryNameAttribute: isCustom ? 'astep_name' : 'name', isCustom, ownership: 'UserOwned', hasNotes: false, hasActivities: false,
    columns, keys: keys.map((k) => ({ logicalName: k, schemaName: k, displayName: k, columns: ['astep_sourceid'] })),
  });
  const schema = {
    uniqueName: 's', friendlyName: 's', description: '',
    publisher: { uniqueName: 'p', friendlyName: 'p', description: '', customizationPrefix: 'astep', customizationOptionValuePrefix: 10000 },
    choices: [{ name: 'astep_stage' }, { name: 'astep_kind' }],
    tables: [
      // A new custom table: itself, 2 columns (its primary name comes with it, the lookup with its relationship), 1 key.
      table('astep_matter', true, [col('astep_name', 'string', { isPrimaryName: true }), col('astep_sourceid'), col('astep_opened', 'datetime'), col('astep_accountid', 'lookup')], ['astep_matter_key']),
      // A standard table: only our 1 column and 1 key.
      table('account', false, [col('name'), col('telephone1'), col('astep_sourceid')], ['astep_account_key']),
      // A custom table already there: nothing.
      table('astep_document', true, [col('astep_name', 'string', { isPrimaryName: true }), col('astep_sourceid')], ['astep_document_key']),
    ],
    relationships: [
      { schemaName: 'astep_account_astep_matter', referencingEntity: 'astep_matter' },
      { schemaName: 'astep_matter_astep_document', referencingEntity: 'astep_document' },
    ],
  } as unknown as SolutionSchema;
  expect(metadataWritesFor(schema, ['astep_document'])).toBe(2 + (1 + 2 + 1) + (1 + 1) + 0 + 1);
  // On an environment without the document table, it is made whole too (itself, 1 column, 1 key, its lookup).
  expect(metadataWritesFor(schema, [])).toBe(2 + 4 + 2 + 3 + 2);
});
