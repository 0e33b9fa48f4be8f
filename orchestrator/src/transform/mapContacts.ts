// Participant (person) → Contact, deduplicated (same email, else same name and phone), with every role the person
// holds on any matter; and Participant role → astep_matterparticipant, one row per matter × role × person.
import type { Participant } from '@astep/actionstep-connector/records';
import type { MappingContext } from './context';
import { phoneText, setAddress, setText } from './mapAccounts';
import { emptyOutput, type LookupRef, type MappingOutput } from './targetRow';
import { convertDateOnly, convertEmail, fitText, normalizeEmail, type FieldProblem } from './values';

/** The contact key (astep_sourceid) of a person on a matter role: one contact per person, or per person and role. */
export function contactKeyOf(ctx: MappingContext, participantId: string, participantTypeId: string | null): string {
  const canonical = ctx.index.canonicalPerson.get(participantId) ?? participantId;
  return ctx.options.contacts === 'perRole' && participantTypeId ? `P-${canonical}-T-${participantTypeId}` : `P-${canonical}`;
}

/** "Last, First" display names: the last name when the participant has no name parts. */
function splitDisplayName(displayName: string): { first: string | null; last: string } {
  const comma = displayName.indexOf(',');
  if (comma > 0) return { last: displayName.slice(0, comma).trim(), first: displayName.slice(comma + 1).trim() || null };
  const parts = displayName.trim().split(/\s+/);
  if (parts.length > 1) return { first: parts.slice(0, -1).join(' '), last: parts[parts.length - 1] };
  return { first: null, last: displayName.trim() };
}

interface PersonGroup {
  canonical: Participant;
  members: Participant[];
  /** participantTypeId → matter ids */
  roles: Map<string, Set<string>>;
}

function personGroups(ctx: MappingContext): Map<string, PersonGroup> {
  const groups = new Map<string, PersonGroup>();
  for (const ap of ctx.index.data.actionparticipants) {
    if (!ctx.migratingMatters.has(ap.actionId)) continue;
    const p = ctx.index.participants.get(ap.participantId);
    if (!p || p.isCompany) continue;
    const canonicalId = ctx.index.canonicalPerson.get(p.id) ?? p.id;
    let g = groups.get(canonicalId);
    if (!g) {
      g = { canonical: ctx.index.participants.get(canonicalId) ?? p, members: [], roles: new Map() };
      groups.set(canonicalId, g);
    }
    if (!g.members.includes(p)) g.members.push(p);
    const set = g.roles.get(ap.participantTypeId) ?? new Set<string>();
    set.add(ap.actionId);
    g.roles.set(ap.participantTypeId, set);
  }
  // Primary participants (clients) count even without an actionparticipants row.
  for (const m of ctx.index.data.actions) {
    if (!ctx.migratingMatters.has(m.id)) continue;
    for (const pid of m.primaryParticipantIds) {
      const p = ctx.index.participants.get(pid);
      if (!p || p.isCompany) continue;
      const canonicalId = ctx.index.canonicalPerson.get(p.id) ?? p.id;
      if (!groups.has(canonicalId)) groups.set(canonicalId, { canonical: ctx.index.participants.get(canonicalId) ?? p, members: [p], roles: new Map() });
      else if (!groups.get(canonicalId)!.members.includes(p)) groups.get(canonicalId)!.members.push(p);
    }
  }
  for (const g of groups.values()) g.members.sort((a, b) => Number(a.id) - Number(b.id) || (a.id < b.id ? -1 : 1));
  return groups;
}

export function mapContacts(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const [canonicalId, g] of personGroups(ctx)) {
    const roleSets: Array<string | null> = ctx.options.contacts === 'perRole' && g.roles.size > 0 ? [...g.roles.keys()].sort() : [null];
    for (const roleTypeId of roleSets) {
      const problems: FieldProblem[] = [];
      const attributes = personAttributes(ctx, g, problems);
      const roleIds = roleTypeId ? [roleTypeId] : [...g.roles.keys()];
      const values = [...new Set(roleIds.map((r) => ctx.roleChoice(r)).filter((v): v is number => v != null))].sort((a, b) => a - b);
      attributes.astep_participantroles = values.length ? values.join(',') : null;
      const user = g.members.map((m) => ctx.actionstepUserIdOf(m.id)).find((x) => x) ?? null;
      attributes.astep_createdbyuserid = user;
      const parent = parentAccount(ctx, g);
      out.rows.push({
        table: 'contact',
        sourceResource: 'participants',
        sourceId: canonicalId,
        key: contactKeyOf(ctx, canonicalId, roleTypeId),
        attributes,
        binds: { parentcustomerid_account: parent },
        problems,
      });
    }
  }
  return out;
}

function personAttributes(ctx: MappingContext, g: PersonGroup, problems: FieldProblem[]): Record<string, unknown> {
  const first = <K extends keyof Participant>(k: K): Participant[K] | null => {
    for (const m of [g.canonical, ...g.members]) {
      const v = m[k];
      if (v !== null && v !== undefined && v !== '') return v;
    }
    return null;
  };
  const a: Record<string, unknown> = {};
  const p = g.canonical;
  let firstName = first('firstName') as string | null;
  let lastName = first('lastName') as string | null;
  if (!lastName) {
    const split = splitDisplayName(p.displayName);
    lastName = split.last;
    firstName = firstName ?? split.first;
  }
  setText(a, problems, 'firstname', firstName, 50);
  setText(a, problems, 'lastname', lastName, 50);
  if (a.lastname === undefined && a.firstname === undefined) {
    // A contact needs a name to be found; none is invented silently: the email or the Actionstep id stands in, and
    // the record says so.
    const email = [g.canonical, ...g.members].map((m) => fitText('lastname', m.email?.trim(), 50).value).find((e) => e);
    a.lastname = email ?? `Actionstep participant ${p.id}`;
    problems.push({
      field: 'lastname', rule: 'name-missing', value: p.displayName ?? null,
      message: `participant ${p.id} has no name in Actionstep (display name, first and last name are empty or only control characters): the contact is named "${String(a.lastname)}" after its ${email ? 'email' : 'Actionstep id'}`,
    });
  }
  setText(a, problems, 'middlename', first('middleName') as string | null, 50);
  setText(a, problems, 'salutation', first('salutation') as string | null, 100);
  setText(a, problems, 'nickname', first('preferredName') as string | null, 100);
  setText(a, problems, 'jobtitle', first('occupation') as string | null, 100);
  setText(a, problems, 'websiteurl', first('website') as string | null, 200);

  // Emails: the first valid one is the primary; a second distinct one (a duplicate's) goes to emailaddress2.
  const emails: string[] = [];
  for (const m of [g.canonical, ...g.members]) {
    const e = convertEmail('emailaddress1', m.email);
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
    if (/mob|cell/i.test(ph.label ?? '') && a.mobilephone === undefined) setText(a, problems, 'mobilephone', text, 50);
    else if (landline < 3) setText(a, problems, ['telephone1', 'telephone2', 'telephone3'][landline++], text, 50);
  }
  setAddress(a, problems, p);
  if (!a.emailaddress1 && !a.mobilephone && !a.telephone1) {
    // Duplicates are found by email, else by name and phone: with neither, this person is never merged or matched.
    problems.push({ field: 'emailaddress1', rule: 'no-email-or-phone', value: null, message: `participant ${p.id} has no email and no phone in Actionstep: it cannot be matched to an existing contact or merged with a duplicate; check it by name` });
  }

  const birth = convertDateOnly('birthdate', first('birthTimestamp') as string | null);
  if (birth.ok) {
    if (birth.value) a.birthdate = birth.value;
  } else problems.push({ ...birth.problem, message: `participant ${p.id}: ${birth.problem.message}; birth date left empty` });
  return a;
}

/** The account a contact belongs to: the first matter where the person is the client, else the first matter's client organisation. */
function parentAccount(ctx: MappingContext, g: PersonGroup): LookupRef | null {
  const memberIds = new Set(g.members.map((m) => m.id));
  const matterIds = [...new Set([...g.roles.values()].flatMap((s) => [...s]))].sort((a, b) => Number(a) - Number(b));
  const asClient = g.members.map((m) => ctx.firstClientMatter.get(m.id)).filter((x) => x !== undefined).sort((a, b) => a.order - b.order)[0];
  if (asClient) return { table: 'account', key: ctx.index.accountKeyOf(asClient.matter) };
  for (const id of matterIds) {
    const m = ctx.index.matters.get(id);
    if (!m) continue;
    const client = ctx.index.clientOf(m);
    if (client && (memberIds.has(client.id) || client.isCompany)) return { table: 'account', key: ctx.index.accountKeyOf(m) };
  }
  return null;
}

export function mapMatterParticipants(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const ap of ctx.index.data.actionparticipants) {
    const matter = ctx.index.matters.get(ap.actionId);
    if (!matter) {
      out.skipped.push({ sourceResource: 'actionparticipants', sourceId: ap.id, reason: ctx.unknownMatter('matter participant', ap.id, ap.actionId) });
      continue;
    }
    const skip = ctx.matterSkipReason(matter);
    if (skip) {
      out.skipped.push({ sourceResource: 'actionparticipants', sourceId: ap.id, reason: skip });
      continue;
    }
    const p = ctx.index.participants.get(ap.participantId);
    if (!p) {
      out.skipped.push({ sourceResource: 'actionparticipants', sourceId: ap.id, reason: `links to participant ${ap.participantId}, which is not in Actionstep (orphan link)` });
      continue;
    }
    const problems: FieldProblem[] = [];
    const role = ctx.index.roleName(ap.participantTypeId);
    const attributes: Record<string, unknown> = {};
    setText(attributes, problems, 'astep_name', `${role}: ${p.displayName} on ${matter.reference || matter.name}`, 400);
    attributes.astep_role = ctx.roleChoice(ap.participantTypeId);
    setText(attributes, problems, 'astep_rolename', role, 200);
    attributes.astep_participantnumber = ap.participantNumber;
    out.rows.push({
      table: 'astep_matterparticipant',
      sourceResource: 'actionparticipants',
      sourceId: ap.id,
      key: ap.id,
      attributes,
      binds: {
        astep_MatterId: { table: 'astep_matter', key: matter.id },
        astep_ContactId: p.isCompany ? null : { table: 'contact', key: contactKeyOf(ctx, p.id, ap.participantTypeId) },
        astep_AccountId: p.isCompany ? { table: 'account', key: `P-${p.id}` } : { table: 'account', key: ctx.index.accountKeyOf(matter) },
      },
      problems,
    });
  }
  return out;
}
