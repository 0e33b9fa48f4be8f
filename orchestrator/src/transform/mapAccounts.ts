// Matter → Account. A client organisation gets one account shared by all its matters; a solo client (a person) gets
// an account named after the matter. Trust and billing figures are summed over the account's matters.
import type { Address, Matter, Participant, Phone } from '@astep/actionstep-connector/records';
import type { MappingContext } from './context';
import { dataCollectionAttributes } from './mapDataCollections';
import { emptyOutput, type MappingOutput, type TargetRow } from './targetRow';
import { convertEmail, fitText, roundTo, type FieldProblem } from './values';

export function mapAccounts(ctx: MappingContext): MappingOutput {
  const out = emptyOutput();
  for (const [key, matters] of ctx.mattersByAccount()) {
    const latest = matters[matters.length - 1];
    const client = ctx.index.clientOf(latest);
    const org = client?.isCompany ? client : null;
    const problems: FieldProblem[] = [];
    const attributes: Record<string, unknown> = {};

    const name = fitText('name', org ? org.displayName || org.companyName : latest.name, 160);
    if (name.problem) problems.push(name.problem);
    attributes.name = name.value ?? unnamed(problems, `Matter ${latest.id}`, org ? `organisation ${org.id}` : `matter ${latest.id}`);
    setText(attributes, problems, 'astep_mattername', latest.name, 400);
    setText(attributes, problems, 'astep_matternumber', latest.reference, 100);
    attributes.astep_mattertype = ctx.matterTypeChoice(latest);
    attributes.astep_matterstatus = ctx.matterStatusChoice(latest, problems);

    let trustIn = 0, trustOut = 0, trustBalance = 0, billed = 0;
    for (const m of matters) {
      const t = ctx.index.trustByMatter.get(m.id);
      if (t) {
        trustIn += t.in;
        trustOut += t.out;
        trustBalance += t.balance;
        if (t.discrepancy) problems.push({ field: 'astep_trustbalance', rule: 'trust-reconcile', value: m.id, message: `matter ${m.id}: ${t.discrepancy}; the report's balance is used` });
      }
      billed += ctx.index.billingTotal(m.id).total;
    }
    attributes.astep_trustin = roundTo(trustIn, 2);
    attributes.astep_trustout = roundTo(trustOut, 2);
    attributes.astep_trustbalance = roundTo(trustBalance, 2);
    attributes.astep_totalbilled = roundTo(billed, 2);
    attributes.astep_createdbyuserid = ctx.actionstepUserIdOf(latest.assignedToParticipantId);

    if (org) contactDetails(org, attributes, problems);
    if (ctx.options.dataCollections === 'account') {
      // Oldest to latest: a later matter's value wins, and a value it overwrites is reported, never dropped silently.
      const merged: Record<string, { value: unknown; matterId: string }> = {};
      for (const m of matters) {
        for (const [column, value] of Object.entries(dataCollectionAttributes(ctx, m, 'account', problems))) {
          const prev = merged[column];
          if (prev && prev.value != null && value != null && JSON.stringify(prev.value) !== JSON.stringify(value)) {
            problems.push({ field: column, rule: 'one-value-per-account', value: prev.value, message: `matter ${prev.matterId}'s value ${JSON.stringify(prev.value)} is replaced by matter ${m.id}'s ${JSON.stringify(value)}: data collections on the account hold one value per client (choose astep_matter columns to keep both)` });
          }
          if (value != null || !prev) merged[column] = { value, matterId: m.id };
        }
      }
      for (const [column, v] of Object.entries(merged)) attributes[column] = v.value;
    }

    const row: TargetRow = {
      table: 'account',
      sourceResource: org ? 'participants' : 'actions',
      sourceId: org ? org.id : latest.id,
      key,
      attributes,
      binds: { ownerid: { table: 'systemuser', key: ctx.ownerOf(latest.assignedToParticipantId), byId: true } },
      problems,
    };
    out.rows.push(row);
  }
  return out;
}

/** Company participants that are not the client of any migrating matter (e.g. the other side's firm) get accounts too. */
export function mapOtherOrganisations(ctx: MappingContext, clientAccountKeys: Set<string>): MappingOutput {
  const out = emptyOutput();
  for (const p of ctx.index.data.participants) {
    if (!p.isCompany || clientAccountKeys.has(`P-${p.id}`)) continue;
    const links = (ctx.index.matterLinksByParticipant.get(p.id) ?? []).filter((l) => ctx.migratingMatters.has(l.actionId));
    if (links.length === 0) continue;
    const problems: FieldProblem[] = [];
    const attributes: Record<string, unknown> = {};
    const name = fitText('name', p.displayName || p.companyName, 160);
    if (name.problem) problems.push(name.problem);
    attributes.name = name.value ?? unnamed(problems, `Organisation ${p.id}`, `organisation ${p.id}`);
    contactDetails(p, attributes, problems);
    out.rows.push({ table: 'account', sourceResource: 'participants', sourceId: p.id, key: `P-${p.id}`, attributes, binds: {}, problems });
  }
  return out;
}

function contactDetails(p: Participant, attributes: Record<string, unknown>, problems: FieldProblem[]) {
  const email = convertEmail('emailaddress1', p.email);
  if (email.ok) attributes.emailaddress1 = email.value;
  else problems.push({ ...email.problem, message: `participant ${p.id}: ${email.problem.message}; email left empty` });
  const phone = p.phones[0];
  if (phone?.number) setText(attributes, problems, 'telephone1', phoneText(phone), 50);
  setText(attributes, problems, 'websiteurl', p.website, 200);
  setAddress(attributes, problems, p);
}

/** "+64 9 555 1234" from Actionstep's country, area and number parts. */
export function phoneText(ph: Phone): string {
  return [ph.country && `+${ph.country}`, ph.area, ph.number].filter(Boolean).join(' ');
}

/** address1_* from the physical address, or the mailing address when the physical one is empty. */
export function setAddress(attributes: Record<string, unknown>, problems: FieldProblem[], p: Participant): void {
  const a: Address = p.physicalAddress.line1 || p.physicalAddress.city ? p.physicalAddress : p.mailingAddress;
  setText(attributes, problems, 'address1_line1', a.line1, 250);
  setText(attributes, problems, 'address1_line2', a.line2, 250);
  setText(attributes, problems, 'address1_city', a.city, 80);
  setText(attributes, problems, 'address1_stateorprovince', a.stateProvince, 50);
  setText(attributes, problems, 'address1_postalcode', a.postCode, 20);
  setText(attributes, problems, 'address1_country', a.country, 80);
}

/** An account with no name in Actionstep gets a stand-in name, and the record says so. */
function unnamed(problems: FieldProblem[], standIn: string, what: string): string {
  problems.push({ field: 'name', rule: 'name-missing', value: null, message: `${what} has no name in Actionstep (empty, or only control characters): the account is named "${standIn}"` });
  return standIn;
}

export function setText(attributes: Record<string, unknown>, problems: FieldProblem[], column: string, value: string | null | undefined, max: number) {
  const fitted = fitText(column, value, max);
  if (fitted.problem) problems.push(fitted.problem);
  if (fitted.value !== null) attributes[column] = fitted.value;
}

export function latestMatter(matters: Matter[]): Matter {
  return matters[matters.length - 1];
}
