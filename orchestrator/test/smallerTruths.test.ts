// Issue 11, point 6: the smaller truths a real Actionstep firm shows and a careless mapping gets wrong.
import { recordRef, type MappedFirm } from '../src/mappings';
import { company, contextFor, link, mapAll, matter, person, smallFirm } from './fixtures';

const rowsOf = (m: MappedFirm, table: string) => m.rows.get(table) ?? [];

describe('the smaller truths of a real firm', () => {
  test('a file note lands at the time it records (noteTimestamp), not when it was typed', () => {
    const data = smallFirm();
    data.filenotes[0] = { ...data.filenotes[0], noteTimestamp: '2021-02-01T15:30:00+13:00', enteredTimestamp: '2021-02-03T11:00:00+13:00' };
    const note = rowsOf(mapAll(contextFor(data)), 'annotation').find((n) => n.sourceResource === 'filenotes')!;
    expect(note.attributes.overriddencreatedon).toBe('2021-02-01T02:30:00Z');
    expect(note.attributes.subject).toBe('File note 2021-02-01 by Lara (entered 2021-02-03)');
  });

  test('a note without noteTimestamp keeps the time it was entered', () => {
    const note = rowsOf(mapAll(contextFor(smallFirm())), 'annotation').find((n) => n.sourceResource === 'filenotes')!;
    expect(note.attributes.overriddencreatedon).toBe('2021-02-02T22:00:00Z');
    expect(note.attributes.subject).toBe('File note 2021-02-03 by Lara');
  });

  test('a company account takes companyName over an upper-case displayName', () => {
    const data = smallFirm();
    data.participants[0] = company('100', 'Kiwi Holdings Limited', { displayName: 'KIWI HOLDINGS LIMITED' });
    data.participants.push(company('101', 'Other Side Lawyers Ltd', { displayName: 'OTHER SIDE LAWYERS LTD' }));
    data.actionparticipants.push(link('1', '12', '101'));
    const accounts = rowsOf(mapAll(contextFor(data)), 'account');
    expect(accounts.find((a) => a.key === 'P-100')!.attributes.name).toBe('Kiwi Holdings Limited');
    expect(accounts.find((a) => a.key === 'P-101')!.attributes.name).toBe('Other Side Lawyers Ltd');
  });

  test('a company with no companyName is named by its displayName', () => {
    const data = smallFirm();
    data.participants[0] = company('100', 'Acme Holdings Ltd', { companyName: null });
    expect(rowsOf(mapAll(contextFor(data)), 'account').find((a) => a.key === 'P-100')!.attributes.name).toBe('Acme Holdings Ltd');
  });

  test('the firm\'s own staff are not contacts of their clients\' accounts; their roles stay on the matter', () => {
    const mapped = mapAll(contextFor(smallFirm()));
    // Lara (participant 900) is Actionstep user 1 and the lawyer on matters 1 and 3.
    const contacts = rowsOf(mapped, 'contact');
    expect(contacts.some((c) => c.sourceId === '900' || c.attributes.lastname === 'Lawyer')).toBe(false);
    const roles = rowsOf(mapped, 'astep_matterparticipant').filter((r) => r.sourceId.endsWith('--900'));
    expect(roles.map((r) => r.key).sort()).toEqual(['1--11--900', '3--11--900']);
    for (const r of roles) {
      expect(r.binds.astep_ContactId).toBeNull();
      expect(r.attributes.astep_name).toContain('(firm staff)');
    }
    expect(mapped.dispositions.get(recordRef('participants', '900'))?.[0]).toMatchObject({ kind: 'rollup', table: null, note: expect.stringContaining('firm staff') });
    // A client who is not a user still becomes a contact.
    expect(contacts.some((c) => c.key === 'P-200')).toBe(true);
  });

  test('a staff member who is also a client of the firm is a contact', () => {
    const data = smallFirm();
    data.actions.push(matter('6', 'Lara house purchase', { primaryParticipantIds: ['900'], createdTimestamp: '2021-08-01' }));
    data.actionparticipants.push(link('6', '10', '900'));
    const contacts = rowsOf(mapAll(contextFor(data)), 'contact');
    expect(contacts.find((c) => c.sourceId === '900')?.binds.parentcustomerid_account).toEqual({ table: 'account', key: 'M-6' });
  });

  test('latest matter per client: a person who is the client on several solo matters gets one opportunity', () => {
    const data = smallFirm();
    // Jane Doe is participant 200, and 201 is her duplicate (same email): both are her.
    data.actions.push(matter('6', 'Doe citizenship', { actionTypeId: '2', primaryParticipantIds: ['201'], createdTimestamp: '2021-11-01' }));
    data.actions.push(matter('7', 'Doe will', { primaryParticipantIds: ['200'], createdTimestamp: '2021-10-01' }));
    data.participants.push(person('205', 'Sam', 'Solo'));
    data.actions.push(matter('8', 'Solo estate', { primaryParticipantIds: ['205'], createdTimestamp: '2021-04-01' }));
    const mapped = mapAll(contextFor(data));
    // One account per solo matter (the matter is the account), but one opportunity per client: her latest matter.
    expect(rowsOf(mapped, 'account').map((a) => a.key).filter((k) => ['M-3', 'M-6', 'M-7', 'M-8'].includes(k)).sort()).toEqual(['M-3', 'M-6', 'M-7', 'M-8']);
    expect(rowsOf(mapped, 'opportunity').map((o) => o.key).sort()).toEqual(['2', '6', '8']);
  });

  test('highest matter per client: the client\'s matter with the largest billing total', () => {
    const data = smallFirm();
    data.actions.push(matter('6', 'Doe citizenship', { actionTypeId: '2', primaryParticipantIds: ['200'], createdTimestamp: '2021-11-01' }));
    const mapped = mapAll(contextFor(data, { opportunityStrategy: 'perClientHighest' }));
    // Jane: matter 3 has a time entry, the later matter 6 none; Acme: matter 2 (500.00) over matter 1 (401.00).
    expect(rowsOf(mapped, 'opportunity').map((o) => o.key).sort()).toEqual(['2', '3']);
  });
});

test('a person\'s bad email is reported once, not once as the canonical participant and again as a member', () => {
  const mapped = mapAll(contextFor(smallFirm()));
  const bob = rowsOf(mapped, 'contact').find((c) => c.sourceId === '202')!;
  expect(bob.problems.filter((p) => p.rule === 'email-format')).toHaveLength(1);
});
