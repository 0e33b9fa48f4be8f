import { SCHEMA, TABLES } from '@astep/solution';
import { decisionsFromMapEdits, MAPPED_OBJECTS, proposeFromStaged } from '../src/wizard/proposeFromStaged';
import { profileField, profileObject } from '../src/proposer/fieldProfile';
import { nameSimilarity, nameTokens } from '../src/proposer/nameSimilarity';
import { proposeMap, proposeMaps } from '../src/proposer/proposeMap';
import { targetColumnsFor, type TargetTableColumns } from '../src/proposer/targetColumns';

const table = (name: string) => targetColumnsFor(TABLES.find((t) => t.logicalName === name)!);

/** Staged Actionstep participants (people), as the extractor writes them. */
const PEOPLE: Array<Record<string, unknown>> = [
  { id: '11', firstName: 'Ann', lastName: 'Lee', email: 'ann.lee@example.com', phone1: '(02) 9123 4567', mobile: '0412 345 678', website: 'https://lee.example', occupation: 'Engineer', birthTimestamp: '1980-02-03', preferredName: null, faxNumber: null },
  { id: '12', firstName: 'Bob', lastName: 'Stone', email: 'bob@stone.example', phone1: '+61 2 9000 1111', mobile: '0413 000 111', website: null, occupation: 'Teacher', birthTimestamp: '1975-11-30', preferredName: 'Bobby', faxNumber: null },
  { id: '13', firstName: 'Cy', lastName: 'Ng', email: 'cy@ng.example', phone1: '02 9555 0000', mobile: null, website: 'www.ng.example', occupation: null, birthTimestamp: null, preferredName: null, faxNumber: null },
];

describe('field profiles', () => {
  test.each([
    ['email', ['a@b.example', 'c@d.example', null], { inferredType: 'string', email: 1, nullShare: 1 / 3 }],
    ['amount', ['$1,200.00', '$35.50'], { inferredType: 'string', money: 1, nullShare: 0 }],
    ['openedOn', ['2024-01-02', '2024-03-04T10:00:00Z'], { inferredType: 'datetime', date: 1, nullShare: 0 }],
    ['hours', [1, 2.5, 3], { inferredType: 'decimal', money: 0, nullShare: 0 }],
    ['count', ['7', '12'], { inferredType: 'integer', phone: 0, nullShare: 0 }],
    ['phone', ['(02) 9123 4567', '+61 412 000 111'], { inferredType: 'string', phone: 1, nullShare: 0 }],
    ['website', ['https://x.example', 'www.y.example'], { inferredType: 'string', url: 1, nullShare: 0 }],
    ['nothing', [null, '', undefined], { inferredType: 'empty', nullShare: 1 }],
  ] as const)('%s', (name, values, want) => {
    const p = profileField(name, values);
    expect(p.inferredType).toBe(want.inferredType);
    expect(p.nullShare).toBeCloseTo(want.nullShare);
    for (const k of ['email', 'money', 'date', 'phone', 'url'] as const) if (k in want) expect(p.looksLike[k]).toBe((want as unknown as Record<string, number>)[k]);
  });

  test('distinct count, samples and longest value', () => {
    const p = profileField('status', ['Open', 'Closed', 'Open', 'Inactive']);
    expect(p.distinctCount).toBe(3);
    expect(p.sampleValues).toEqual(['Open', 'Closed', 'Inactive']);
    expect(p.maxLength).toBe(8);
  });
});

describe('name similarity', () => {
  test.each([
    ['emailaddress1', ['email', 'address']],
    ['astep_matternumber', ['matter', 'number']],
    ['birthTimestamp', ['birth', 'timestamp']],
    ['address1_postalcode', ['address', 'postal', 'code']],
    ['websiteurl', ['website', 'url']],
  ])('tokens of %s', (name, tokens) => expect(nameTokens(name)).toEqual(tokens));

  test.each([
    ['email', 'emailaddress1', 0.95, /synonyms/],
    ['reference', 'astep_matternumber', 0.95, /synonyms/],
    ['occupation', 'jobtitle', 0.95, /synonyms/],
    ['lastName', 'lastname', 1, /same name/],
    ['surname', 'lastname', 0.95, /synonyms/],
    ['statusTimestamp', 'astep_statuschangedon', 0.4, /tokens in common: status/],
    ['colour', 'emailaddress1', 0, /no name tokens/],
  ])('%s ~ %s', (source, target, score, reason) => {
    const m = nameSimilarity(source, target);
    expect(m.score).toBeCloseTo(score, 2);
    expect(m.reason).toMatch(reason);
  });
});

describe('proposeMap', () => {
  const people = profileObject('participants', PEOPLE);
  const proposal = proposeMap(people, table('contact'));
  const of = (f: string) => proposal.fields.find((p) => p.sourceField === f)!;

  test.each([
    ['firstName', 'firstname'],
    ['lastName', 'lastname'],
    ['email', 'emailaddress1'],
    ['phone1', 'telephone1'],
    ['mobile', 'mobilephone'],
    ['website', 'websiteurl'],
    ['occupation', 'jobtitle'],
    ['birthTimestamp', 'birthdate'],
    ['preferredName', 'nickname'],
  ])('%s → %s', (field, column) => {
    const p = of(field);
    expect(p.targetColumn).toBe(column);
    expect(p.confidence).toBeGreaterThanOrEqual(0.7);
    expect(p.confidence).toBeLessThanOrEqual(1);
    expect(p.reasons.length).toBeGreaterThanOrEqual(3);
  });

  test('reasons explain name, type and value fit', () => {
    expect(of('email').reasons).toEqual([
      'synonyms: "email" and "emailaddress1" both mean email',
      'text fits a string column',
      '100% of sample values look like an email address',
      'longest sample value (19 chars) fits max length 100',
    ]);
  });

  test('an empty field and a field with no fitting column are left unmapped, with the reason', () => {
    expect(of('faxNumber')).toMatchObject({ targetColumn: null, confidence: 0, reasons: ['empty in every sample record: nothing to migrate'] });
    expect(of('id').targetColumn).toBeNull();
    expect(of('id').reasons[0]).toMatch(/^no column fits well enough/);
  });

  test('the engine-only columns (source id) and lookups are never proposed', () => {
    const cols = proposal.fields.map((f) => f.targetColumn);
    expect(cols).not.toContain('astep_sourceid');
    expect(cols).not.toContain('astep_createdbyuserid');
  });

  test('each target column goes to at most one field: the better fit wins', () => {
    const twoEmails = profileObject('participants', [
      { email: 'a@x.example', emailAddress: 'b@y.example', notes: 'n' },
      { email: 'c@x.example', emailAddress: 'd@y.example', notes: 'm' },
    ]);
    const target: TargetTableColumns = { table: 'contact', columns: table('contact').columns.filter((c) => c.logicalName !== 'emailaddress2') };
    const p = proposeMap(twoEmails, target);
    const targets = p.fields.map((f) => f.targetColumn).filter(Boolean);
    expect(new Set(targets).size).toBe(targets.length);
    // emailAddress is the same name as emailaddress1 (1.0); email is only a synonym (0.95).
    expect(p.fields.find((f) => f.sourceField === 'emailAddress')!.targetColumn).toBe('emailaddress1');
    const loser = p.fields.find((f) => f.sourceField === 'email')!;
    expect(loser.targetColumn).toBeNull();
    expect(loser.reasons[0]).toBe('its best column emailaddress1 went to emailAddress, which fits it better');
  });

  test('type incompatibility and a length overflow lower the confidence and say why', () => {
    const matters = profileObject('actions', [
      { reference: 'LIT-0001', openedOn: '2024-01-02', hours: 'lots' },
      { reference: 'X'.repeat(150), openedOn: '2024-02-03', hours: 'some' },
    ]);
    const p = proposeMap(matters, table('astep_matter'));
    const ref = p.fields.find((f) => f.sourceField === 'reference')!;
    expect(ref.targetColumn).toBe('astep_matternumber');
    expect(ref.confidence).toBeLessThan(0.95);
    expect(ref.reasons).toContain('longest sample value (150 chars) exceeds max length 100: values would be cut');
    const hours = p.fields.find((f) => f.sourceField === 'hours')!;
    expect(hours.targetColumn).toBeNull();
    expect(hours.alternatives.find((a) => a.column === 'astep_totalhours')?.confidence ?? 0).toBeLessThanOrEqual(0.2);
    expect(p.fields.find((f) => f.sourceField === 'openedOn')!.targetColumn).toBe('astep_openedon');
  });

  test('money-formatted text maps to a money column; the same text is not proposed for a date', () => {
    const time = profileObject('timeentries', [{ rate: '$350.00', amount: '$1,050.00' }, { rate: '$420.00', amount: '$840.00' }]);
    const p = proposeMap(time, table('astep_timeentry'));
    expect(p.fields.map((f) => [f.sourceField, f.targetColumn])).toEqual([['rate', 'astep_rate'], ['amount', 'astep_amount']]);
    expect(p.fields[0].reasons).toContain('100% of sample values look like a money');
  });

  test('deterministic: the same input in another order gives the same proposal', () => {
    const reversed = { ...people, fields: [...people.fields].reverse() };
    const again = proposeMap(reversed, table('contact'));
    const byField = (o: typeof proposal) => Object.fromEntries(o.fields.map((f) => [f.sourceField, [f.targetColumn, f.confidence]]));
    expect(byField(again)).toEqual(byField(proposal));
  });

  test('several objects at once, each against its own table', () => {
    const out = proposeMaps([
      { source: people, target: table('contact') },
      { source: profileObject('actions', [{ name: 'Smith v Jones', reference: 'LIT-0001' }]), target: table('astep_matter') },
    ]);
    expect(out.map((o) => [o.object, o.table])).toEqual([['participants', 'contact'], ['actions', 'astep_matter']]);
    expect(out[1].fields.map((f) => [f.sourceField, f.targetColumn])).toEqual([['name', 'astep_name'], ['reference', 'astep_matternumber']]);
  });
});

describe("the Map step's proposals from the declarations", () => {
  const staged = (object: string) => (object === 'participants' ? PEOPLE : []);
  const [contacts] = proposeFromStaged(SCHEMA, staged);

  test('the objects and tables come from the mappings open to the map editor', () => {
    expect(MAPPED_OBJECTS.map((o) => [o.object, o.table])).toEqual([['participants', 'contact'], ['actions', 'astep_matter'], ['timeentries', 'astep_timeentry'], ['tasks', 'task']]);
    expect(contacts.table).toBe('contact');
  });

  test('declared fields are proposed as the migration writes them; the others get a free column or none', () => {
    const byField = Object.fromEntries(contacts.fields.map((f) => [f.sourceField, f]));
    expect(byField.email).toMatchObject({ targetColumn: 'emailaddress1', confidence: 1, declared: true, reasons: ['the migration writes email to emailaddress1 as an email address, up to 100 characters'] });
    expect(byField.occupation).toMatchObject({ targetColumn: 'jobtitle', declared: true });
    // phone1 is not a declared source: the telephone columns are the mapping's own (computed), so it is not offered them.
    expect(byField.phone1.declared).toBeUndefined();
    expect(['telephone1', 'telephone2', 'telephone3', 'mobilephone']).not.toContain(byField.phone1.targetColumn);
  });

  test('an edit of a declared field becomes a decision; an edit of a suggestion is reported, not applied', () => {
    const suggested = contacts.fields.find((f) => !f.declared)!;
    const { decisions, problems } = decisionsFromMapEdits([contacts], [
      { object: 'participants', sourceField: 'email', targetColumn: 'emailaddress2' },
      { object: 'participants', sourceField: 'occupation', targetColumn: null },
      { object: 'participants', sourceField: suggested.sourceField, targetColumn: 'description' },
    ]);
    expect(decisions).toEqual([
      { table: 'contact', column: 'emailaddress1', action: 'correct', correction: 'emailaddress2' },
      { table: 'contact', column: 'jobtitle', action: 'exclude' },
    ]);
    expect(problems).toEqual([`map edit participants.${suggested.sourceField} → contact.description: the migration's mapping does not write this field; it is recorded in the field map but not applied`]);
  });
});
