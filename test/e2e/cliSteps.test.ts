// The command line, step by step, over real HTTP against both emulators: the tiny firm migrates with no
// unexplained field difference, messy records get clear per-record messages, a second run writes nothing,
// delta picks up changes, verify finds a planted difference, rollback restores and reports conflicts.
import fs from 'node:fs';
import path from 'node:path';
import { runCli, snapshot, snapshotDiff, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(240_000);

describe('astep-migrate steps against the emulators', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  let config: string;
  const step = (name: string, ...extra: string[]) => runCli([name, '--config', config, '--json', ...extra]);

  let existing: { contactid: string; email: string };
  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7 });
    config = emu.configPath;
    // CRM data from before the migration: a contact with the email of one of the firm's people.
    const truth = emu.actionstep.firm.groundTruth().records;
    const clients = new Set(truth.actions.filter((m) => !m.isDeleted && m.status === 'Active').flatMap((m) => m.primaryParticipantIds));
    const person = truth.participants.find((p) => clients.has(p.id) && !p.isCompany && p.email && /^[a-z][a-z.0-9]*@[a-z.]+$/.test(p.email))!;
    const created = await webApi(emu, 'POST', 'contacts?$select=contactid', { firstname: 'Existing', lastname: 'Before Migration', emailaddress1: person.email });
    expect(created.status).toBe(204);
    const found = await webApi(emu, 'GET', `contacts?$select=contactid&$filter=emailaddress1 eq '${person.email}'`);
    existing = { contactid: found.json.value[0].contactid, email: person.email as string };
  });
  afterAll(async () => emu?.close());

  let before: Awaited<ReturnType<typeof snapshot>>;
  const sampledTimeEntries = new Set<string>();
  let firstRun: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  test('discover writes nothing to Dataverse and plans every matter type, role and data collection field', async () => {
    const counters = emu.dataverse.counters();
    const r = await step('discover');
    expect(r.code).toBe(0);
    const plan = r.json.plan;
    expect(plan.matterTypes.length).toBeGreaterThanOrEqual(5);
    expect(plan.roles.length).toBeGreaterThanOrEqual(5);
    expect(plan.dataCollectionColumns.length).toBeGreaterThan(50);
    // Owners: matched by email, case-insensitively, to enabled Dynamics users; computed here from the generator's truth.
    const firm = emu.actionstep.firm;
    const directory = new Map(firm.dataverseUsers.map((u) => [u.email.toLowerCase(), u] as const));
    const expected = firm.users.map((u) => {
      const d = u.emailAddress ? directory.get(u.emailAddress.toLowerCase()) : undefined;
      return [u.id, !u.emailAddress ? 'noEmail' : !d ? 'unmatched' : d.isDisabled ? 'disabled' : 'matched'];
    });
    expect(plan.owners.map((o: { actionstepUserId: string; outcome: string }) => [o.actionstepUserId, o.outcome])).toEqual(expected);
    expect(plan.tableBudget.count).toBe(8);
    expect(emu.dataverse.counters().recordsWritten).toBe(counters.recordsWritten);
    // Secrets never reach the output.
    expect(r.stdout + r.stderr).not.toContain(String(emu.config.dataverse.clientSecret));
    expect(r.stdout + r.stderr).not.toContain(String(emu.config.actionstep.clientSecret));
  });

  test('provision is idempotent', async () => {
    const first = await step('provision');
    expect(first.code).toBe(0);
    expect(first.json.changes.length).toBeGreaterThan(50);
    const again = await step('provision', '--dry-run');
    expect(again.json.changes).toEqual([]);
  });

  test('extract stages every resource; run refuses without an approved sample', async () => {
    const r = await step('extract');
    expect(r.code).toBe(0);
    expect(r.json.counts.actions).toBeGreaterThan(40);
    expect(r.json.counts.trustledger).toBeGreaterThan(0);
    // The notes' files are downloaded here and kept in the state folder, private to the user (a firm's documents).
    expect(r.json.documents).toMatchObject({ failed: 0, alreadyKept: 0 });
    expect(r.json.documents.downloaded).toBeGreaterThan(5);
    expect(r.json.documents.downloaded).toBe(r.json.documents.attachable);
    const kept = path.join(emu.config.stateDir, 'documents');
    expect(fs.statSync(kept).mode & 0o777).toBe(0o700);
    const keptFiles = fs.readdirSync(kept);
    expect(keptFiles.length).toBe(r.json.documents.downloaded);
    for (const f of keptFiles) expect(fs.statSync(path.join(kept, f)).mode & 0o777).toBe(0o600);
    const again = await step('extract');
    expect(again.json.documents).toMatchObject({ downloaded: 0, alreadyKept: r.json.documents.downloaded, failed: 0 });
    const refused = await step('run');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('the sample is not approved');
  });

  test('sample: 100–300 records across every matter type and role, no unexplained field difference', async () => {
    before = await snapshot(emu); // the run begins with the sample: rollback must return here
    const r = await step('sample');
    expect(r.code).toBe(0);
    for (const d of r.json.diff) if (d.table === 'astep_timeentry' && d.column === 'astep_billingbehavior' && d.actual) sampledTimeEntries.add(d.key);
    expect(r.json.rowCount).toBeGreaterThanOrEqual(100);
    expect(r.json.rowCount).toBeLessThanOrEqual(320);
    expect(r.json.coverage.missingMatterTypes).toEqual([]);
    expect(r.json.coverage.missingRoles).toEqual([]);
    expect(r.json.coverage.timeEntries).toBeGreaterThan(0);
    expect(r.json.diff.filter((d: { status: string }) => d.status === 'mismatch')).toEqual([]);
    const reasons = new Set(r.json.diff.map((d: { reason: string }) => d.reason));
    expect([...reasons].some((x) => String(x).startsWith('owner resolved by email'))).toBe(true);
    expect([...reasons].some((x) => String(x).startsWith('billing total computed at extraction'))).toBe(true);
    // The review's corrections: a bad one is refused with a clear message; a good one applies to the full run.
    const bad = path.join(emu.dir, 'bad-corrections.json');
    fs.writeFileSync(bad, JSON.stringify({ decisions: [{ table: 'contact', column: 'nosuch', action: 'exclude' }] }));
    const refused = await step('approve', '--approved-by', 'e2e test', '--corrections', bad);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('decision 1 (contact.nosuch): the map writes no column "nosuch" on contact');
    const good = path.join(emu.dir, 'corrections.json');
    fs.writeFileSync(good, JSON.stringify({ approved: true, decisions: [{ table: 'astep_timeentry', column: 'astep_billingbehavior', action: 'exclude' }] }));
    expect((await step('approve', '--approved-by', 'e2e test', '--corrections', good)).code).toBe(0);
  });

  test('run: counts reconcile exactly, messy records get clear messages, all mappings land', async () => {
    const r = await step('run', '--accept-failures');
    expect(r.code).toBe(0);
    firstRun = r.json;
    // Extract kept every note's file: the run reads them from disk and asks Actionstep for nothing.
    expect(firstRun.actionstepRequests).toBe(0);
    // The approved correction: billing behaviour left out of the time entries the full run wrote.
    // Only the rows the sample wrote before the approval hold a value; the full run wrote none.
    const te = await webApi(emu, 'GET', "astep_timeentries?$select=astep_billingbehavior,astep_sourceid&$filter=astep_billingbehavior ne null");
    const withValue = te.json.value.map((t: { astep_sourceid: string }) => t.astep_sourceid).sort();
    expect(sampledTimeEntries.size).toBeGreaterThan(0);
    expect(withValue).toEqual([...sampledTimeEntries].sort());
    expect((await webApi(emu, 'GET', 'astep_timeentries?$select=astep_sourceid')).json.value.length).toBeGreaterThan(withValue.length + 100);
    // The pre-existing contact was matched by email and updated in place, not duplicated.
    const same = await webApi(emu, 'GET', `contacts?$select=contactid,astep_sourceid&$filter=emailaddress1 eq '${existing.email}'`);
    expect(same.json.value).toEqual([expect.objectContaining({ contactid: existing.contactid, astep_sourceid: expect.stringMatching(/^P-/) })]);
    expect(firstRun.reconciles).toBe(true);
    for (const o of firstRun.objects) expect(o.extracted).toBe(o.migrated + o.skipped + o.failed);
    const failures = firstRun.objects.flatMap((o: { failedReasons: Array<{ message: string }> }) => o.failedReasons.map((f) => f.message));
    for (const m of failures) expect(m).toMatch(/\d/); // names the record
    const skips = firstRun.objects.flatMap((o: { skippedReasons: Record<string, number> }) => Object.keys(o.skippedReasons)).join('\n');
    expect(skips).toMatch(/orphan link/);
    expect(skips).toMatch(/system-generated/);
    // Every one of the mappings wrote records (named, so a failure says which).
    expect(Object.entries(firstRun.mappings).filter(([, n]) => (n as number) === 0)).toEqual([]);
    expect(Object.keys(firstRun.mappings).length).toBe(14);
  });

  test('running `run` twice writes nothing the second time', async () => {
    const after = await snapshot(emu, { keepTimes: true });
    const r = await step('run', '--accept-failures');
    expect(r.code).toBe(0);
    expect(r.json.tables.every((t: { created: number; updated: number }) => t.created === 0 && t.updated === 0)).toBe(true);
    expect(snapshotDiff(after, await snapshot(emu, { keepTimes: true }))).toEqual([]);
  });

  test('verify reconciles, then finds a difference planted in Dataverse', async () => {
    const ok = await step('verify');
    expect(ok.json.unexplained).toBe(0);
    expect(ok.code).toBe(0);
    const contacts = await webApi(emu, 'GET', "contacts?$select=contactid,firstname,astep_sourceid&$filter=astep_sourceid ne null&$top=1");
    const c = contacts.json.value[0];
    expect((await webApi(emu, 'PATCH', `contacts(${c.contactid})`, { firstname: 'Planted' })).status).toBe(204);
    const bad = await step('verify');
    expect(bad.code).toBe(3);
    expect(bad.json.differences).toContainEqual(expect.objectContaining({ table: 'contact', key: c.astep_sourceid, column: 'firstname', actual: 'Planted', explained: false }));
    // Put it back through the product: the next run repairs it.
    expect((await step('run', '--accept-failures')).json.tables.find((t: { table: string }) => t.table === 'contact').updated).toBe(1);
  });

  test('delta picks up matters, people and time entries changed after extraction', async () => {
    const matter = emu.actionstep.firm.groundTruth().records.actions.find((m) => !m.isDeleted && m.status === 'Active')!;
    emu.actionstep.mutate.update('actions', matter.id, { name: 'Renamed during cutover' });
    const person = emu.actionstep.firm.groundTruth().records.participants.find((p) => !p.isCompany && p.email && /^[a-z.0-9]+@/.test(p.email))!;
    emu.actionstep.mutate.update('participants', person.id, { occupation: 'Judge' });
    const te = emu.actionstep.firm.groundTruth().records.timeentries.find((t) => t.actionId === matter.id)!;
    const newId = emu.actionstep.mutate.insert('timeentries', { ...te, id: '', description: 'Late entry', actualHours: 0.7, billableHours: 0.7, billableAmount: 140 });
    // A role removed from a matter: actionparticipants has no timestamp, so only a rescan can see it is gone.
    const link = emu.actionstep.firm.groundTruth().records.actionparticipants.find((a) => a.actionId === matter.id)!;
    emu.actionstep.mutate.remove('actionparticipants', link.id);
    const r = await step('delta', '--accept-failures');
    expect(r.code).toBe(0);
    const changed = Object.fromEntries(r.json.scan.resources.map((x: { resource: string; added: string[]; changed: string[] }) => [x.resource, x]));
    expect(changed.actions).toMatchObject({ method: 'modifiedSince' });
    expect(changed.actions.changed).toContain(matter.id);
    expect(changed.participants.changed).toContain(person.id);
    expect(changed.timeentries).toMatchObject({ method: 'rescan' });
    expect(changed.timeentries.added).toContain(newId);
    expect(changed.actionparticipants.deleted).toEqual([link.id]);
    expect(r.json.deletions).toMatchObject({ reported: 1, applied: 0 }); // reported; applied only when the plan says so
    const m = await webApi(emu, 'GET', `astep_matters?$select=astep_name&$filter=astep_sourceid eq '${matter.id}'`);
    expect(m.json.value[0].astep_name).toBe('Renamed during cutover');
    const t = await webApi(emu, 'GET', `astep_timeentries?$select=astep_narrative,astep_hours&$filter=astep_sourceid eq '${newId}'`);
    expect(t.json.value[0]).toMatchObject({ astep_narrative: 'Late entry', astep_hours: 0.7 });
    // Nothing new since: success, although the run's accepted failures are still failures (they are not new).
    expect(firstRun.totals.failed).toBeGreaterThan(0);
    const again = await runCli(['delta', '--config', config]);
    expect([again.code, again.stderr.slice(-500)]).toEqual([0, expect.any(String)]);
    // The removed role is still gone (reported again, not applied); nothing new or changed.
    expect(again.stdout).toMatch(/^Matter participants +0 +0 +1$/m);
    expect(again.stdout).not.toMatch(/Failed for the first time/);
    expect(again.stdout).toMatch(/^Next: astep-migrate verify --config /m);
  });

  test('rollback restores pre-existing records, deletes what the run created, and reports a conflict', async () => {
    // Someone edits a migrated task after the run: rollback must leave it and say so.
    // Ordered, so the same task is chosen whatever order the run created them in.
    const tasks = await webApi(emu, 'GET', "tasks?$select=activityid,subject,astep_sourceid&$filter=astep_sourceid ne null and statecode eq 0&$orderby=astep_sourceid&$top=1");
    const task = tasks.json.value[0];
    expect((await webApi(emu, 'PATCH', `tasks(${task.activityid})`, { subject: 'Edited by a sales user' })).status).toBe(204);
    const r = await step('rollback');
    expect(r.code).toBe(3);
    const conflicts = r.json.items.filter((i: { action: string }) => i.action === 'conflict');
    // The edited task, and the account it belongs to (deleting that would cascade to the task): once for each of the
    // run's writes of that account (the sample's or delta's write of it is a second one), each for the same reason.
    expect(conflicts[0].message).toMatch(new RegExp(`^Task ${task.astep_sourceid} was changed after the run \\(subject: run wrote .*, now "Edited by a sales user"\\)`));
    const accounts = conflicts.slice(1);
    expect(accounts.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accounts.map((i: { table: string; key: string }) => `${i.table} ${i.key}`)).size).toBe(1);
    for (const i of accounts) expect(i.message).toMatch(new RegExp(`^Account ${accounts[0].key} is referenced by a record that was changed after the run \\(Task ${task.astep_sourceid};`));
    const after = await snapshot(emu);
    const diffs = snapshotDiff(before, after);
    // Only the conflicting task and the account it points to (kept so that no cascade deletes the task) remain.
    const kept = after.task[`task:${task.astep_sourceid}`];
    expect(kept).toMatchObject({ subject: 'Edited by a sales user' });
    const account = String(kept._regardingobjectid_value);
    expect(diffs.length).toBeGreaterThan(0);
    expect(diffs.filter((d) => !d.startsWith(`task:${task.astep_sourceid}`) && !d.startsWith(account))).toEqual([]);
    const forced = await step('rollback', '--force');
    expect(forced.code).toBe(0);
    expect(snapshotDiff(before, await snapshot(emu))).toEqual([]);
    const restored = await webApi(emu, 'GET', `contacts(${existing.contactid})?$select=firstname,lastname,astep_sourceid`);
    expect(restored.json).toMatchObject({ firstname: 'Existing', lastname: 'Before Migration', astep_sourceid: null });
  });
});
