import { recordRef, type MappedFirm } from '../src/mappings';
import { DEFAULT_OPTIONS } from '../src/options';
import { applyDecisions, validateDecisions } from '../src/transform/corrections';
import { dedupePeople } from '../src/transform/firmData';
import { contextFor, mapAll, smallFirm, SYSTEM_USERS, person } from './fixtures';

const rowsOf = (m: MappedFirm, table: string) => m.rows.get(table) ?? [];

describe('the 13 mappings on a small firm', () => {
  const data = smallFirm();
  const ctx = contextFor(data);
  const mapped = mapAll(ctx);

  test('Matter → Account: one account per client organisation, one per solo-client matter', () => {
    const accounts = rowsOf(mapped, 'account');
    const acme = accounts.find((a) => a.key === 'P-100')!;
    expect(acme.attributes.name).toBe('Acme Holdings Ltd');
    expect(acme.attributes.astep_mattername).toBe('Acme lease'); // latest matter
    const solo = accounts.find((a) => a.key === 'M-3')!;
    expect(solo.attributes.name).toBe('Doe visa');
    expect(accounts.some((a) => a.key === 'M-4' || a.key === 'M-5')).toBe(false); // template and deleted
  });

  test('Trust balance: summed per account from the ledger export; a ledger that does not reconcile is reported', () => {
    const acme = rowsOf(mapped, 'account').find((a) => a.key === 'P-100')!;
    expect(acme.attributes).toMatchObject({ astep_trustin: 1050, astep_trustout: 400, astep_trustbalance: 660 });
    expect(acme.problems.some((p) => p.rule === 'trust-reconcile' && p.message.includes('60.00'))).toBe(true);
  });

  test('Billing total: the sum of time entries and disbursements whatever their flags (the seed), computed at extraction', () => {
    const m1 = rowsOf(mapped, 'astep_matter').find((m) => m.key === '1')!;
    expect(m1.attributes.astep_totalbilled).toBe(300 + 50 + 51); // the "No charge" entry counts too; 2 × 25.50 disbursement
    expect(m1.problems.filter((p) => p.field === 'astep_totalbilled')).toEqual([]);
    expect(m1.attributes.astep_totalhours).toBe(3);
    const m2 = rowsOf(mapped, 'astep_matter').find((m) => m.key === '2')!;
    expect(m2.attributes.astep_totalbilled).toBe(500); // 2 h × 250 when the amount is missing
  });

  test('Billing total, billed time only (the plan\'s choice): what is left out is stated with its amount', () => {
    const billed = mapAll(contextFor(smallFirm(), { billingTotal: 'billedOnly' }));
    const m1 = rowsOf(billed, 'astep_matter').find((m) => m.key === '1')!;
    expect(m1.attributes.astep_totalbilled).toBe(300 + 51);
    expect(m1.problems.find((p) => p.field === 'astep_totalbilled')).toEqual({
      field: 'astep_totalbilled', rule: 'billing total: time left out', value: 50,
      message: '1 time entry worth 50.00 is left out of the billing total: the plan counts billed time only (Hide, No charge and not billable time are left out)',
    });
  });

  test('Matter → Opportunity: latest matter per client; closed and billed is won through WinOpportunity', () => {
    const opps = rowsOf(mapped, 'opportunity');
    expect(opps.map((o) => o.key).sort()).toEqual(['2', '3']);
    const lease = opps.find((o) => o.key === '2')!;
    expect(lease.attributes.name).toBe('Acme lease (M2)');
    expect(lease.finalState).toEqual({ state: 'won', values: { actualrevenue: 500, actualend: '2021-09-01' } });
    expect(lease.binds.customerid_account).toEqual({ table: 'account', key: 'P-100' });
  });

  test('Matter status: unknown status reported and left empty; Matter type: choice values', () => {
    const visa = rowsOf(mapped, 'astep_matter').find((m) => m.key === '3')!;
    expect(visa.attributes.astep_matterstatus).toBeNull();
    expect(visa.problems.find((p) => p.rule === 'status-map')?.message).toContain('Pending Review');
    const immigration = ctx.plan.matterTypes.find((t) => t.name === 'Immigration')!;
    expect(immigration.added).toBe(true);
    expect(visa.attributes.astep_mattertype).toBe(immigration.choiceValue);
  });

  test('Participant → Contact: duplicates merged (email case, name + phone), every role kept', () => {
    const contacts = rowsOf(mapped, 'contact');
    const jane = contacts.filter((c) => c.attributes.lastname === 'Doe');
    expect(jane).toHaveLength(1);
    expect(jane[0].key).toBe('P-200');
    const carol = contacts.filter((c) => c.attributes.lastname === "O'Neil");
    expect(carol).toHaveLength(1);
    const client = ctx.plan.roles.find((r) => r.name === 'Client')!.choiceValue;
    const lawyer = ctx.plan.roles.find((r) => r.name === 'Lawyer')!.choiceValue;
    expect(String(jane[0].attributes.astep_participantroles).split(',').map(Number).sort()).toEqual([client, lawyer].sort());
    expect(jane[0].binds.parentcustomerid_account).toEqual({ table: 'account', key: 'M-3' });
    expect(contacts.some((c) => c.attributes.lastname === 'Person')).toBe(false); // on no matter
  });

  test('bad emails and dates get a clear per-record message and are left out', () => {
    const bob = rowsOf(mapped, 'contact').find((c) => c.attributes.lastname === 'Smith')!;
    expect(bob.attributes.emailaddress1).toBeNull();
    expect(bob.attributes.birthdate).toBeUndefined();
    expect(bob.problems.map((p) => p.message).join(' | ')).toMatch(/participant 202: "not-an-email" is not a valid email address.*participant 202: "1980-02-30" is not a real calendar date/);
  });

  test('Participant role → astep_matterparticipant: one row per matter × role × person; orphans skipped', () => {
    const junction = rowsOf(mapped, 'astep_matterparticipant');
    expect(junction).toHaveLength(9);
    const dup = junction.find((j) => j.key === '2--11--201')!;
    expect(dup.binds.astep_ContactId).toEqual({ table: 'contact', key: 'P-200' }); // duplicate resolves to the canonical contact
    expect(mapped.dispositions.get(recordRef('actionparticipants', '3--12--999'))?.[0]).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('orphan link') });
  });

  test('Time entries: hours, rate, amount, local date; orphans skipped; bad dates reported', () => {
    const te = rowsOf(mapped, 'astep_timeentry');
    expect(te.find((t) => t.key === '1')!.attributes).toMatchObject({ astep_entrydate: '2021-02-01', astep_hours: 1.5, astep_rate: 200, astep_amount: 300 });
    expect(mapped.dispositions.get(recordRef('timeentries', '4'))?.[0]).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('matter 77') });
    const bad = te.find((t) => t.key === '5')!;
    expect(bad.attributes.astep_entrydate).toBeUndefined();
    expect(bad.binds.ownerid).toEqual({ table: 'systemuser', key: SYSTEM_USERS[0].systemuserid, byId: true }); // disabled user → fallback owner
  });

  test('User → owner: matched by email (case-insensitive) to enabled users; disabled users fall back', () => {
    expect(ctx.plan.owners.map((o) => [o.email, o.outcome])).toEqual([['LARA@firm.example', 'matched'], ['gone@firm.example', 'disabled']]);
    const acme = rowsOf(mapped, 'account').find((a) => a.key === 'P-100')!;
    expect(acme.binds.ownerid).toEqual({ table: 'systemuser', key: SYSTEM_USERS[1].systemuserid, byId: true });
    expect(acme.attributes.astep_createdbyuserid).toBe('1');
  });

  test('Steps and tasks: valid state pairs, closed tasks closed afterwards, unknown statuses reported, astep_step ordered', () => {
    const tasks = rowsOf(mapped, 'task');
    const done = tasks.find((t) => t.key === '1')!;
    expect(done.finalState).toEqual({ state: 'completed' });
    expect(done.attributes.statecode).toBeUndefined();
    expect(tasks.find((t) => t.key === '2')!.attributes).toMatchObject({ statecode: 0, statuscode: 3 });
    expect(tasks.find((t) => t.key === '5')!.finalState).toEqual({ state: 'canceled' });
    const waiting = tasks.find((t) => t.key === '3')!;
    expect(waiting.attributes).toMatchObject({ statecode: 0, statuscode: 2 });
    expect(waiting.problems[0].message).toContain('"Waiting"');
    expect(mapped.dispositions.get(recordRef('tasks', '4'))?.[0]).toMatchObject({ kind: 'skipped' });
    const steps = rowsOf(mapped, 'astep_step').filter((s) => s.binds.astep_MatterId?.key === '1');
    expect(steps.map((s) => s.attributes.astep_order)).toEqual([1, 2, 3]);
    expect(done.attributes.scheduledend).toBe('2021-04-01T04:00:00Z');
  });

  test('Documents: attached as notes within the limit, else an astep_document row with the reason', () => {
    const notes = rowsOf(mapped, 'annotation').filter((n) => n.sourceResource === 'actiondocuments');
    expect(notes.map((n) => n.sourceId)).toEqual(['1']);
    expect(notes[0].attributes).toMatchObject({ filename: 'doc1.pdf', mimetype: 'application/pdf', isdocument: true });
    const big = rowsOf(mapped, 'astep_document')[0];
    expect(big.sourceId).toBe('2');
    expect(big.attributes.astep_reason).toContain('over the note attachment limit of 5242880');
    expect(big.attributes.astep_url).toBe('https://as.example/api/rest/files/DL::Actions::1::2');
    expect(mapped.dispositions.get(recordRef('actiondocuments', '3'))?.[0]).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('deleted') });
  });

  test('File notes: original timestamp kept, HTML as text, system notes skipped', () => {
    const notes = rowsOf(mapped, 'annotation').filter((n) => n.sourceResource === 'filenotes');
    expect(notes).toHaveLength(1);
    expect(notes[0].attributes).toMatchObject({ notetext: 'Called client & agreed', overriddencreatedon: '2021-02-02T22:00:00Z' });
    expect(mapped.dispositions.get(recordRef('filenotes', '2'))?.[0]).toMatchObject({ kind: 'skipped', reason: expect.stringContaining('system-generated') });
  });

  test('Data collection fields → astep_matter columns; a bad value fails alone with a clear message', () => {
    const col = ctx.plan.dataCollectionColumns.find((c) => c.fieldName === 'lotno')!;
    expect(col).toMatchObject({ table: 'astep_matter', columnType: 'decimal' });
    const m1 = rowsOf(mapped, 'astep_matter').find((m) => m.key === '1')!;
    expect(m1.attributes[col.column]).toBe(42);
    expect(mapped.dispositions.get(recordRef('datacollectionrecordvalues', '7--settlement--50'))?.[0]).toMatchObject({ kind: 'failed', message: expect.stringContaining('"2021-02-30" is not a real calendar date') });
    expect(ctx.plan.dataCollectionColumns.some((c) => c.fieldName === 'notes')).toBe(false); // HtmlReadOnly holds no data
  });

  test('every staged record has a disposition', () => {
    for (const [resource, list] of Object.entries(data)) {
      if (resource === 'trustLedger' || resource === 'trustLedgerGiven') continue;
      for (const r of list as Array<{ id: string }>) expect(mapped.dispositions.get(recordRef(resource, r.id))?.length).toBeGreaterThan(0);
    }
    expect(mapped.dispositions.get(recordRef('trustledger', 'L2'))?.length).toBeGreaterThan(0);
  });

  test('per-role contacts when the plan says so', () => {
    const perRole = mapAll(contextFor(data, { contacts: 'perRole' }));
    expect(rowsOf(perRole, 'contact').filter((c) => c.attributes.lastname === 'Doe').map((c) => c.key).sort()).toEqual(['P-200-T-10', 'P-200-T-11']);
  });

  test('data collections on the account when the plan says so', () => {
    const onAccount = mapAll(contextFor(data, { dataCollections: 'account' }));
    const col = contextFor(data, { dataCollections: 'account' }).plan.dataCollectionColumns[0];
    expect(col.table).toBe('account');
    expect(rowsOf(onAccount, 'account').find((a) => a.key === 'P-100')!.attributes).toHaveProperty(col.column);
  });
});

describe('people deduplication', () => {
  test('chains collapse into one group and the lowest id is canonical', () => {
    const people = [
      person('30', 'A', 'B', { email: 'x@y.example' }),
      person('10', 'A', 'B', { email: 'X@Y.example', phones: [{ label: null, country: 1, area: 2, number: '345678' }] }),
      person('20', 'A', 'B', { phones: [{ label: null, country: 1, area: 2, number: '34-56-78' }] }),
      person('40', 'A', 'B', { email: 'bad-email' }),
    ];
    const map = dedupePeople(people);
    expect([map.get('30'), map.get('10'), map.get('20')]).toEqual(['10', '10', '10']);
    expect(map.get('40')).toBe('40');
  });
});

describe('corrections from the sample review', () => {
  test('a corrected column moves every row value; an excluded column is left out; accept changes nothing', () => {
    const mapped = mapAll(contextFor(smallFirm()));
    const decisions = [
      { table: 'contact', column: 'firstname', action: 'correct' as const, correction: 'nickname' },
      { table: 'astep_timeentry', column: 'astep_billingbehavior', action: 'exclude' as const },
      { table: 'account', column: 'name', action: 'accept' as const },
    ];
    expect(validateDecisions(mapped, decisions)).toEqual([]);
    const firstNames = rowsOf(mapped, 'contact').map((c) => c.attributes.firstname).filter(Boolean);
    applyDecisions(mapped, decisions);
    expect(rowsOf(mapped, 'contact').some((c) => 'firstname' in c.attributes)).toBe(false);
    expect(rowsOf(mapped, 'contact').map((c) => c.attributes.nickname).filter(Boolean)).toEqual(firstNames);
    expect(firstNames.length).toBeGreaterThan(2); // Jane, Bob, Carol (Lara is firm staff, not a contact)
    expect(rowsOf(mapped, 'astep_timeentry').some((t) => 'astep_billingbehavior' in t.attributes)).toBe(false);
    expect(rowsOf(mapped, 'account').every((a) => typeof a.attributes.name === 'string')).toBe(true);
  });

  test('bad decisions get clear messages', () => {
    const mapped = mapAll(contextFor(smallFirm()));
    expect(validateDecisions(mapped, [
      { table: 'lead', column: 'x', action: 'exclude' },
      { table: 'contact', column: 'nosuch', action: 'exclude' },
      { table: 'contact', column: 'firstname', action: 'correct', correction: 'lastname' },
    ])).toEqual([
      'decision 1 (lead.x): "lead" is not a table the migration writes (account, opportunity, contact, astep_matter, astep_matterparticipant, astep_timeentry, task, astep_step, astep_document, annotation)',
      'decision 2 (contact.nosuch): the map writes no column "nosuch" on contact',
      'decision 3 (contact.firstname): "lastname" already receives another value; correcting onto it would overwrite that',
    ]);
  });
});

describe('the unknown-value map', () => {
  test('a status no map lists takes the unknown-value rule, reported on the row', () => {
    const mapped = mapAll(contextFor(smallFirm(), { unknownValueMap: { ...DEFAULT_OPTIONS.unknownValueMap, matterStatus: { matterStatus: 'On Hold', opportunity: 'lost' } } }));
    const ctx = contextFor(smallFirm());
    const visa = rowsOf(mapped, 'astep_matter').find((m) => m.key === '3')!;
    expect(visa.attributes.astep_matterstatus).toBe(ctx.plan.statusValues['On Hold']);
    expect(visa.problems.find((p) => p.rule === 'status-map')?.message).toBe('matter status "Pending Review" is not in the status map (known: Active, Inactive, Closed, Template); the unknown-value map gives it Matter Status "On Hold"');
    expect(rowsOf(mapped, 'opportunity').find((o) => o.key === '3')!.finalState).toEqual({ state: 'lost', values: { actualend: '2021-03-04' } });
  });
});
