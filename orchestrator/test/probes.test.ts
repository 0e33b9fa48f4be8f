// The hostile tester's probe classes, each with the message a person reads (issue 16): 0000-00-00 dates,
// NUL/BEL/ESC control characters, empty names, time entries on deleted matters (and on matters Actionstep does not
// return at all), participants with no email or phone. Records that moved while paging are in resourceExtraction.test.
import { recordRef } from '../src/mappings';
import { fitText, printable } from '../src/transform/values';
import { company, contextFor, mapAll, matter, person, smallFirm, time } from './fixtures';

const firm = () => {
  const d = smallFirm();
  d.participants.push(
    person('400', 'Ze\u0007lda', 'Bell\u001b[31m', { email: 'zelda@example.com', birthTimestamp: '0000-00-00' }),
    person('401', '', '', { displayName: '', email: 'nameless@example.com' }),
    person('402', '', '', { displayName: ' \u0000 ' }),
    person('403', 'John', 'Smith'),
    person('404', 'John', 'Smith'),
    company('410', ''),
  );
  d.actions.push(
    matter('20', 'Bell\u0007 estate', { primaryParticipantIds: ['400'] }),
    matter('21', 'Nameless purchase', { primaryParticipantIds: ['401', '402'] }),
    matter('22', 'Smith and Smith', { primaryParticipantIds: ['403', '404'] }),
    matter('23', '', { primaryParticipantIds: ['410'] }),
  );
  // Time on the deleted matter 5 (read by id at extraction, so it is known to be deleted) and on matter 88, which
  // Actionstep does not return at all.
  d.timeentries.push(time('30', '5'), time('31', '88'), time('32', '20', { timestampDate: '0000-00-00' }));
  return d;
};

describe('probe classes', () => {
  const mapped = mapAll(contextFor(firm()));
  const rows = (table: string) => mapped.rows.get(table as never) ?? [];
  const contact = (id: string) => rows('contact').find((r) => r.sourceId === id)!;
  const skipReason = (resource: string, id: string) => {
    const d = mapped.dispositions.get(recordRef(resource, id))?.[0];
    return d?.kind === 'skipped' ? d.reason : null;
  };

  test('control characters (NUL, BEL, ESC) never reach Dataverse, and each record says what was removed', () => {
    const c = contact('400');
    expect(c.attributes).toMatchObject({ firstname: 'Zelda', lastname: 'Bell[31m' });
    expect(c.problems.filter((p) => p.rule === 'control-characters').map((p) => [p.field, p.message])).toEqual([
      ['firstname', '1 control character (BEL) removed: Dataverse text takes none but tab and line breaks'],
      ['lastname', '1 control character (ESC) removed: Dataverse text takes none but tab and line breaks'],
    ]);
    expect(fitText('notetext', 'a\u0000b\tc\r\nd', 100)).toEqual({ value: 'ab\tc\r\nd', problem: { field: 'notetext', rule: 'control-characters', value: 'a\u0000b\tc\r\nd', message: '1 control character (NUL) removed: Dataverse text takes none but tab and line breaks' } });
    expect(fitText('subject', '\u001b'.repeat(3) + 'x'.repeat(12), 10).problem?.message).toBe('text is 12 characters; the column holds 10, so it was shortened; 3 control characters (ESC) removed: Dataverse text takes none but tab and line breaks');
    // Messages that quote such values are stored in Dataverse with the characters shown, not raw.
    expect(printable('bad "\u0007" value')).toBe('bad "\\u0007" value');
    for (const r of [...mapped.rows.values()].flat()) {
      for (const v of Object.values(r.attributes)) if (typeof v === 'string') expect(v).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/); // eslint-disable-line no-control-regex
    }
  });

  test('0000-00-00 dates are reported by record and field, and left empty', () => {
    const c = contact('400');
    expect(c.attributes.birthdate).toBeUndefined();
    expect(c.problems.find((p) => p.field === 'birthdate')?.message).toBe('participant 400: "0000-00-00" is not a real calendar date; birth date left empty');
    const t = rows('astep_timeentry').find((r) => r.sourceId === '32')!;
    expect(t.attributes.astep_entrydate).toBeUndefined();
    expect(t.problems.find((p) => p.field === 'astep_entrydate')?.message).toBe('time entry 32: "0000-00-00" is not a real calendar date; date left empty');
  });

  test('empty names: no contact or account is silently called "Unknown"; the stand-in name is said', () => {
    expect(rows('contact').some((r) => r.attributes.lastname === 'Unknown')).toBe(false);
    expect(contact('401').attributes.lastname).toBe('nameless@example.com');
    expect(contact('401').problems.find((p) => p.rule === 'name-missing')?.message).toBe('participant 401 has no name in Actionstep (display name, first and last name are empty or only control characters): the contact is named "nameless@example.com" after its email');
    expect(contact('402').attributes.lastname).toBe('Actionstep participant 402');
    expect(contact('402').problems.find((p) => p.rule === 'name-missing')?.message).toBe('participant 402 has no name in Actionstep (display name, first and last name are empty or only control characters): the contact is named "Actionstep participant 402" after its Actionstep id');
    const account = rows('account').find((r) => r.key === 'P-410')!;
    expect(account.attributes.name).toBe('Matter 23');
    expect(account.problems.find((p) => p.rule === 'name-missing')?.message).toBe('organisation 410 has no name in Actionstep (empty, or only control characters): the account is named "Matter 23"');
  });

  test('time on a deleted matter says the matter is deleted; on a matter Actionstep does not return, that it is an orphan', () => {
    expect(skipReason('timeentries', '30')).toBe('matter 5 is deleted in Actionstep (deleted 2022-01-01T00:00:00+13:00 by Admin)');
    expect(skipReason('timeentries', '31')).toBe('time entry 31 links to matter 88, which Actionstep does not return even by id (restricted from the user who signed in, or removed for good): an orphan link');
  });

  test('participants with no email or phone are never merged with a namesake, and each says why to check it', () => {
    expect(contact('403').key).not.toBe(contact('404').key);
    for (const id of ['403', '404']) {
      expect(contact(id).problems.find((p) => p.rule === 'no-email-or-phone')?.message).toBe(`participant ${id} has no email and no phone in Actionstep: it cannot be matched to an existing contact or merged with a duplicate; check it by name`);
    }
    expect(contact('400').problems.some((p) => p.rule === 'no-email-or-phone')).toBe(false);
  });
});
