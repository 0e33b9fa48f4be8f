// Participant (person) → Contact, deduplicated (same email, else same name and phone), with every role the person
// holds on any matter, linked to the account of the matter where they are the client.
import type { Participant } from '@astep/actionstep-connector/records';
import { emptyOutput, type LookupRef, type MappingOutput } from '../transform/targetRow';
import { convertDateOnly, convertEmail, fitText, normalizeEmail, type FieldProblem } from '../transform/values';
import { declareColumns, platformLookup, targetTable } from './declare';
import type { MappingLookups } from './lookups';
import { ADDRESS_SPECS, contactKeyOf, phoneText, setAddress, setText, type Attributes } from './shared';
import type { TableMapping } from './tableMapping';
import type { PersonGroup } from './units';
import { MAPPING_NAMES } from '../vocabulary/options';
import { tableLabel } from '../vocabulary/objects';

const TARGET = targetTable('contact');

const C = declareColumns(TARGET, {
  firstname: { source: 'firstName', conversion: 'text' },
  lastname: { source: 'lastName', conversion: 'text' },
  middlename: { source: 'middleName', conversion: 'text' },
  salutation: { source: 'salutation', conversion: 'text' },
  nickname: { source: 'preferredName', conversion: 'text' },
  jobtitle: { source: 'occupation', conversion: 'text' },
  websiteurl: { source: 'website', conversion: 'text' },
  emailaddress1: { source: 'email', conversion: 'email' },
  emailaddress2: { conversion: 'email' },
  mobilephone: { conversion: 'phone' },
  telephone1: { conversion: 'phone' },
  telephone2: { conversion: 'phone' },
  telephone3: { conversion: 'phone' },
  ...ADDRESS_SPECS,
  birthdate: { source: 'birthTimestamp', conversion: 'dateOnly' },
  astep_participantroles: { conversion: 'choice' },
  astep_createdbyuserid: { conversion: 'computed' },
});
const LANDLINES = [C.telephone1, C.telephone2, C.telephone3];

/** "Last, First" display names: the last name when the participant has no name parts. */
function splitDisplayName(displayName: string): { first: string | null; last: string } {
  const comma = displayName.indexOf(',');
  if (comma > 0) return { last: displayName.slice(0, comma).trim(), first: displayName.slice(comma + 1).trim() || null };
  const parts = displayName.trim().split(/\s+/);
  if (parts.length > 1) return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] };
  return { first: null, last: displayName.trim() };
}

function contacts(g: PersonGroup, lookups: MappingLookups): MappingOutput {
  const out = emptyOutput();
  const canonicalId = g.canonical.id;
  const roleSets: Array<string | null> = lookups.options.contacts === 'perRole' && g.roles.size > 0 ? [...g.roles.keys()].sort() : [null];
  for (const roleTypeId of roleSets) {
    const problems: FieldProblem[] = [];
    const attributes = personAttributes(g, problems);
    const roleIds = roleTypeId ? [roleTypeId] : [...g.roles.keys()];
    const values = [...new Set(roleIds.map((r) => lookups.roleChoice(r)).filter((v): v is number => v != null))].sort((a, b) => a - b);
    attributes.astep_participantroles = values.length ? values.join(',') : null;
    attributes.astep_createdbyuserid = g.members.map((m) => lookups.actionstepUserIdOf(m.id)).find((x) => x) ?? null;
    out.rows.push({
      table: 'contact',
      sourceResource: 'participants',
      sourceId: canonicalId,
      key: contactKeyOf(lookups, canonicalId, roleTypeId),
      attributes,
      binds: { parentcustomerid_account: parentAccount(lookups, g) },
      problems,
    });
  }
  return out;
}

function personAttributes(g: PersonGroup, problems: FieldProblem[]): Attributes {
  const first = <K extends keyof Participant>(k: K): Participant[K] | null => {
    for (const m of [g.canonical, ...g.members]) {
      const v = m[k];
      if (v !== null && v !== undefined && v !== '') return v;
    }
    return null;
  };
  const a: Attributes = {};
  const p = g.canonical;
  let firstName = first('firstName') as string | null;
  let lastName = first('lastName') as string | null;
  if (!lastName) {
    const split = splitDisplayName(p.displayName);
    lastName = split.last;
    firstName = firstName ?? split.first;
  }
  setText(a, problems, C.firstname, firstName);
  setText(a, problems, C.lastname, lastName);
  if (a.lastname === undefined && a.firstname === undefined) {
    // A contact needs a name to be found; none is invented silently: the email or the Actionstep id stands in, and
    // the record says so.
    const email = [g.canonical, ...g.members].map((m) => fitText(C.lastname.column, m.email?.trim(), C.lastname.def.maxLength!).value).find((e) => e);
    a.lastname = email ?? `Actionstep participant ${p.id}`;
    problems.push({
      field: 'lastname', rule: 'name-missing', value: p.displayName ?? null,
      message: `participant ${p.id} has no name in Actionstep (display name, first and last name are empty or only control characters): the contact is named "${String(a.lastname)}" after its ${email ? 'email' : 'Actionstep id'}`,
    });
  }
  setText(a, problems, C.middlename, first('middleName') as string | null);
  setText(a, problems, C.salutation, first('salutation') as string | null);
  setText(a, problems, C.nickname, first('preferredName') as string | null);
  setText(a, problems, C.jobtitle, first('occupation') as string | null);
  setText(a, problems, C.websiteurl, first('website') as string | null);

  // Emails: the first valid one is the primary; a second distinct one (a duplicate's) goes to emailaddress2. The
  // canonical participant is also a member: each participant once, so a bad email is reported once.
  const emails: string[] = [];
  for (const m of new Set([g.canonical, ...g.members])) {
    const e = convertEmail(C.emailaddress1.column, m.email);
    if (!e.ok) {
      problems.push({ ...e.problem, message: `participant ${m.id}: ${e.problem.message}; not migrated as an email` });
      continue;
    }
    if (e.value && !emails.some((x) => normalizeEmail(x) === normalizeEmail(e.value))) emails.push(e.value);
  }
  a.emailaddress1 = emails[0] ?? null;
  if (emails[1]) a.emailaddress2 = emails[1];

  const phones = p.phones.length ? p.phones : g.members.flatMap((m) => m.phones);
  let landline = 0;
  for (const ph of phones) {
    if (!ph.number) continue;
    const text = phoneText(ph);
    if (/mob|cell/i.test(ph.label ?? '') && a.mobilephone === undefined) setText(a, problems, C.mobilephone, text);
    else if (landline < LANDLINES.length) setText(a, problems, LANDLINES[landline++], text);
  }
  setAddress(a, problems, p, C);
  if (!a.emailaddress1 && !a.mobilephone && !a.telephone1) {
    // Duplicates are found by email, else by name and phone: with neither, this person is never merged or matched.
    problems.push({ field: 'emailaddress1', rule: 'no-email-or-phone', value: null, message: `participant ${p.id} has no email and no phone in Actionstep: it cannot be matched to an existing contact or merged with a duplicate; check it by name` });
  }

  const birth = convertDateOnly(C.birthdate.column, first('birthTimestamp') as string | null);
  if (birth.ok) {
    if (birth.value) a.birthdate = birth.value;
  } else problems.push({ ...birth.problem, message: `participant ${p.id}: ${birth.problem.message}; birth date left empty` });
  return a;
}

/** The account a contact belongs to: the first matter where the person is the client, else the first matter's client organisation. */
function parentAccount(lookups: MappingLookups, g: PersonGroup): LookupRef | null {
  const memberIds = new Set(g.members.map((m) => m.id));
  const matterIds = [...new Set([...g.roles.values()].flatMap((s) => [...s]))].sort((a, b) => Number(a) - Number(b));
  const asClient = g.members.map((m) => lookups.firstClientMatter(m.id)).filter((x) => x !== null).sort((a, b) => a.order - b.order)[0];
  if (asClient) return { table: 'account', key: lookups.accountKeyOf(asClient.matterId) };
  for (const id of matterIds) {
    if (!lookups.matterOf(id)) continue;
    const client = lookups.clientOf(id);
    if (client && (memberIds.has(client.id) || client.isCompany)) return { table: 'account', key: lookups.accountKeyOf(id) };
  }
  return null;
}

export const CONTACT: TableMapping = {
  target: TARGET,
  label: tableLabel('contact'),
  key: { by: 'sourceId', format: 'P-<canonical participant id>, or P-<id>-T-<participant type id> with one contact per role' },
  feeds: [{ resource: 'participants', grouping: 'person', map: contacts }],
  columns: Object.values(C),
  lookups: [platformLookup('parentcustomerid_account', 'parentcustomerid', 'account')],
  // People the firm already has in CRM, by email.
  matchExisting: { column: 'emailaddress1' },
  mapEditor: true,
  sample: { matters: (row, facts) => facts.contactMatters(row.key) },
  counts: [
    { mapping: MAPPING_NAMES.participantContact },
    { mapping: MAPPING_NAMES.roles, when: (row) => !!row.attributes.astep_participantroles },
  ],
};
