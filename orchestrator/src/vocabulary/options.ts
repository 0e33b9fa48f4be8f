// The plan's options as sentences, licence names as Microsoft writes them, and the engine's rules and outcomes as
// phrases. Browser-safe.
import { LICENCE_NAMES } from '@astep/solution/tableBudget';
import type { LicenseTier, MigrationOptions } from '../options';

/** Licence names as Microsoft writes them (Dynamics 365 licensing guide); defined beside the table budget. */
export { LICENCE_NAMES };

export function licenceName(tier: string): string {
  return LICENCE_NAMES[tier as LicenseTier] ?? tier;
}

/** What each option decides, as a question an admin answers. */
export const OPTION_TITLES: Partial<Record<keyof MigrationOptions, string>> = {
  dataCollections: 'Where data collection fields go',
  contacts: 'People who hold several roles',
  opportunityStrategy: 'Opportunities',
  billingTotal: 'Billing total',
  fallbackOwnerEmail: 'Owner of records whose Actionstep user has no Dynamics user',
  skipTemplateMatters: 'Template matters',
  skipSystemFileNotes: 'System file notes',
  attachDocuments: 'Documents',
  applyDeletions: 'Records deleted in Actionstep after extraction',
  timeZone: "The firm's time zone",
  sampleSize: 'Sample size',
};

/** Each option value as the sentence the admin chooses. */
const OPTION_SENTENCES: Record<string, Record<string, string>> = {
  dataCollections: {
    account: "Put data collection fields on the client's account (Account columns)",
    matterTable: 'Keep data collection fields on one row per matter (Matter table)',
  },
  contacts: {
    perPerson: 'One contact per person, with every role they hold on every matter',
    perRole: 'One contact per person and role',
  },
  opportunityStrategy: {
    none: 'No opportunities (matters are kept in the Matter table)',
    perMatter: 'One opportunity per matter',
    perClientLatest: "One opportunity per client, from the client's latest matter",
    perClientHighest: "One opportunity per client, from the client's highest-value matter",
  },
  billingTotal: {
    allEntries: 'Every time entry and disbursement, whatever its billing flags',
    billedOnly: 'Billed time only (Hide, No charge and not billable time left out; the amount is stated)',
  },
  skipTemplateMatters: { true: 'Leave template matters out (they are workflow templates, not client work)', false: 'Migrate template matters too' },
  skipSystemFileNotes: { true: 'Leave system-generated file notes out', false: 'Migrate system-generated file notes too' },
  attachDocuments: { true: 'Attach documents to notes when they fit the upload limit', false: 'Keep documents as links' },
  applyDeletions: { true: 'Delete them from Dynamics too', false: 'Report them, delete nothing' },
};

/** "Keep data collection fields on one row per matter (Matter table)" for `dataCollections: matterTable`. */
export function optionSentence(option: string, value: unknown): string {
  if (value === null || value === undefined) return option === 'fallbackOwnerEmail' ? "The migration's own Dynamics user" : 'Not set';
  return OPTION_SENTENCES[option]?.[String(value)] ?? String(value);
}

export function optionTitle(option: string): string {
  return OPTION_TITLES[option as keyof MigrationOptions] ?? option;
}

/** How an Actionstep user was matched to a Dynamics user. */
export const OWNER_OUTCOMES: Record<string, string> = {
  matched: 'Matched by email',
  disabled: 'The Dynamics user with this email is disabled',
  unmatched: 'No Dynamics user has this email',
  noEmail: 'No email in Actionstep',
};

/** "The Dynamics user…" → "the Dynamics user…" inside a sentence; names keep their capitals. */
export function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/** The seed's 13 mappings (and file notes) as phrases; the run summary counts rows under these names. */
export const MAPPING_NAMES = {
  matterAccount: 'Matters → accounts',
  matterOpportunity: 'Matters → opportunities',
  participantContact: 'People → contacts',
  roles: "Participant roles → the contact's roles and matter participants",
  dataCollections: 'Data collection fields → columns',
  timeEntries: 'Time entries → time entries',
  documents: 'Documents → notes with attachments, or document links',
  trust: "Trust balances → the account's trust figures",
  steps: 'Steps and tasks → tasks and matter steps',
  matterTypes: 'Matter types → the Matter Type choice',
  matterStatuses: 'Matter statuses → the Matter Status choice and opportunity outcomes',
  billing: 'Billing totals → opportunity revenue and Total Billed',
  owners: 'Users → record owners',
  fileNotes: 'File notes → notes with their original dates',
} as const;

/** Run statuses as the Migration Run form shows them. */
export const PHASES: Record<string, string> = { sample: 'Sample', run: 'Full run', delta: 'Changes since extraction' };
