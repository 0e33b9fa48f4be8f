// The migration's options: one vocabulary (the values, the defaults, a JSON schema, and the environment variables an
// admin sets them with inside Dynamics). The plan offers these values, the command line's config is validated with
// this schema, the wizard edits these options, and the solution's environment variables are generated from here.

export const DATA_COLLECTION_PLACEMENTS = ['account', 'matterTable'] as const;
export const CONTACT_IDENTITIES = ['perPerson', 'perRole'] as const;
export const OPPORTUNITY_STRATEGIES = ['none', 'perMatter', 'perClientLatest', 'perClientHighest'] as const;
/** What an opportunity becomes: `wonIfBilled` is won when the matter billed anything, else lost. */
export const OPPORTUNITY_OUTCOMES = ['open', 'onHold', 'wonIfBilled', 'won', 'lost'] as const;
export const LICENSE_TIERS = ['SalesProfessional', 'SalesEnterprise', 'SalesPremium'] as const;
/**
 * Which time entries the billing total counts. The seed: "total billed amount is the sum of time entries and
 * disbursements" (`allEntries`, the default); `billedOnly` leaves out time marked Hide or No charge or not billable,
 * and the run then states how many entries and how much it left out.
 */
export const BILLING_TOTALS = ['allEntries', 'billedOnly'] as const;
/** Actionstep's documented values (its OpenAPI files, kept in resources.ts) that an unknown value may be treated as. */
export const BILLING_BEHAVIOURS = ['Bill', 'No charge'] as const;
export const TASK_STATUSES = ['Incomplete', 'Complete', 'Hidden'] as const;
export const TASK_PRIORITIES = ['Low', 'Normal', 'High'] as const;
export const FILE_NOTE_SOURCES = ['User', 'System'] as const;

export type DataCollectionPlacement = (typeof DATA_COLLECTION_PLACEMENTS)[number];
export type ContactIdentity = (typeof CONTACT_IDENTITIES)[number];
export type OpportunityStrategy = (typeof OPPORTUNITY_STRATEGIES)[number];
export type OpportunityOutcome = (typeof OPPORTUNITY_OUTCOMES)[number];
export type LicenseTier = (typeof LICENSE_TIERS)[number];
export type BillingTotalRule = (typeof BILLING_TOTALS)[number];

/** What an Actionstep matter status becomes. `opportunity` is the outcome when opportunities are migrated. */
export interface StatusRule {
  /** Label of the astep_matterstatus choice. */
  matterStatus: string;
  opportunity: OpportunityOutcome;
}

/**
 * What the engine does with a value outside the set Actionstep documents. Each default is the safe one (nothing is
 * dropped or closed on a guess), and every record that uses an unknown value gets a message either way.
 */
export interface UnknownValueMap {
  /** The rule for a matter status the status map does not list; null: reported, status left empty, opportunity open. */
  matterStatus: StatusRule | null;
  /** A time entry billing behaviour other than Bill / Hide / No charge counts as (default Bill: its amount is kept). */
  billingBehavior: (typeof BILLING_BEHAVIOURS)[number];
  /** A task status other than Incomplete / Complete / Hidden / Deleted counts as (default Incomplete: the task stays open). */
  taskStatus: (typeof TASK_STATUSES)[number];
  /** A task priority other than Low / Normal / High counts as (default Normal). */
  taskPriority: (typeof TASK_PRIORITIES)[number];
  /** A file note source other than System / User counts as (default User: the note migrates). */
  fileNoteSource: (typeof FILE_NOTE_SOURCES)[number];
}

export interface MigrationOptions {
  dataCollections: DataCollectionPlacement;
  contacts: ContactIdentity;
  opportunityStrategy: OpportunityStrategy;
  /** Email of the Dynamics user who owns records whose Actionstep user is disabled or unmatched; null: the caller. */
  fallbackOwnerEmail: string | null;
  /** Actionstep status → rule. Statuses not listed follow the unknown-value map. */
  statusMap: Record<string, StatusRule>;
  /** Actionstep matter type name → astep_mattertype label it lands on; types not listed keep their own name. */
  typeMap: Record<string, string>;
  unknownValueMap: UnknownValueMap;
  /** Which time entries the billing total counts (see BILLING_TOTALS). */
  billingTotal: BillingTotalRule;
  /** Template matters are workflow templates, not client work. */
  skipTemplateMatters: boolean;
  /** System-generated file notes (source=System) are numerous and carry no client information. */
  skipSystemFileNotes: boolean;
  /** Migrate documents as note attachments when they fit the upload limit (else an astep_document row with its URL). */
  attachDocuments: boolean;
  /** Apply deletions found by delta (else only report them). */
  applyDeletions: boolean;
  /** The firm's IANA time zone: Actionstep dates without a time are local to it. */
  timeZone: string;
  /** Number of records in the sample run (100–300). */
  sampleSize: number;
}

export const SAMPLE_SIZE = { min: 100, max: 300 } as const;

export const DEFAULT_STATUS_MAP: Record<string, StatusRule> = {
  Active: { matterStatus: 'Active', opportunity: 'open' },
  Inactive: { matterStatus: 'Inactive', opportunity: 'onHold' },
  Closed: { matterStatus: 'Closed', opportunity: 'wonIfBilled' },
  Template: { matterStatus: 'Template', opportunity: 'open' },
};

/** The engine's defaults. The plan recommends data collections per firm; the others are the defaults as they stand. */
export const DEFAULT_OPTIONS: Readonly<MigrationOptions> = {
  dataCollections: 'matterTable',
  contacts: 'perPerson',
  opportunityStrategy: 'perClientLatest',
  fallbackOwnerEmail: null,
  statusMap: DEFAULT_STATUS_MAP,
  typeMap: {},
  unknownValueMap: { matterStatus: null, billingBehavior: 'Bill', taskStatus: 'Incomplete', taskPriority: 'Normal', fileNoteSource: 'User' },
  billingTotal: 'allEntries',
  skipTemplateMatters: true,
  skipSystemFileNotes: true,
  attachDocuments: true,
  applyDeletions: false,
  timeZone: 'UTC',
  sampleSize: 200,
};

export function defaultOptions(overrides: Partial<MigrationOptions> = {}): MigrationOptions {
  // The unknown-value map is merged key by key: a config that names one rule keeps the defaults of the others.
  return { ...DEFAULT_OPTIONS, ...overrides, unknownValueMap: { ...DEFAULT_OPTIONS.unknownValueMap, ...overrides.unknownValueMap } };
}

const STATUS_RULE_SCHEMA = {
  type: 'object',
  required: ['matterStatus', 'opportunity'],
  additionalProperties: false,
  properties: { matterStatus: { type: 'string', minLength: 1 }, opportunity: { enum: OPPORTUNITY_OUTCOMES } },
} as const;

/**
 * JSON schema of a set of option overrides (every option optional): the command line's config (`migration`), the
 * wizard's saved options and the environment variables' values are all checked against it.
 */
export const MIGRATION_OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    dataCollections: { enum: DATA_COLLECTION_PLACEMENTS },
    contacts: { enum: CONTACT_IDENTITIES },
    opportunityStrategy: { enum: OPPORTUNITY_STRATEGIES },
    fallbackOwnerEmail: { type: ['string', 'null'] },
    statusMap: { type: 'object', additionalProperties: STATUS_RULE_SCHEMA },
    typeMap: { type: 'object', additionalProperties: { type: 'string', minLength: 1 } },
    unknownValueMap: {
      type: 'object',
      additionalProperties: false,
      properties: {
        matterStatus: { oneOf: [{ type: 'null' }, STATUS_RULE_SCHEMA] },
        billingBehavior: { enum: BILLING_BEHAVIOURS },
        taskStatus: { enum: TASK_STATUSES },
        taskPriority: { enum: TASK_PRIORITIES },
        fileNoteSource: { enum: FILE_NOTE_SOURCES },
      },
    },
    billingTotal: { enum: BILLING_TOTALS },
    skipTemplateMatters: { type: 'boolean' },
    skipSystemFileNotes: { type: 'boolean' },
    attachDocuments: { type: 'boolean' },
    applyDeletions: { type: 'boolean' },
    timeZone: { type: 'string', minLength: 1 },
    sampleSize: { type: 'integer', minimum: SAMPLE_SIZE.min, maximum: SAMPLE_SIZE.max },
  },
} as const;

/** An option an admin sets per environment inside Dynamics: the solution ships one environment variable for it. */
export interface OptionSetting {
  option: keyof MigrationOptions;
  schemaName: string;
  displayName: string;
  description: string;
  type: 'String' | 'Number' | 'JSON';
  /** The variable's default: the engine's (`engine`), or none because the plan recommends one per firm (`plan`). */
  defaultFrom: 'engine' | 'plan';
}

export const OPTION_SETTINGS: readonly OptionSetting[] = [
  {
    option: 'dataCollections', schemaName: 'astep_DataCollectionPlacement', displayName: 'Data Collection Placement', type: 'String', defaultFrom: 'plan',
    description: `${DATA_COLLECTION_PLACEMENTS.join(' | ')}: where data collection fields become columns (empty: the plan recommends one for the firm).`,
  },
  {
    option: 'contacts', schemaName: 'astep_ContactIdentity', displayName: 'Contact Identity', type: 'String', defaultFrom: 'engine',
    description: `${CONTACT_IDENTITIES.join(' | ')}: one contact per person, or one per person and role.`,
  },
  {
    option: 'opportunityStrategy', schemaName: 'astep_OpportunityStrategy', displayName: 'Opportunity Strategy', type: 'String', defaultFrom: 'engine',
    description: `${OPPORTUNITY_STRATEGIES.join(' | ')}: which matters become opportunities. perClient* choose one matter per client (the client organisation, or the person across all their own matters), not per account.`,
  },
  {
    option: 'fallbackOwnerEmail', schemaName: 'astep_FallbackOwnerEmail', displayName: 'Fallback Owner Email', type: 'String', defaultFrom: 'plan',
    description: 'Email of the enabled Dynamics user who owns records whose Actionstep user is disabled or unmatched (empty: the user who runs the migration).',
  },
  {
    option: 'sampleSize', schemaName: 'astep_SampleSize', displayName: 'Sample Size', type: 'Number', defaultFrom: 'engine',
    description: `Records migrated by the sample step (${SAMPLE_SIZE.min} to ${SAMPLE_SIZE.max}).`,
  },
  {
    option: 'statusMap', schemaName: 'astep_MatterStatusMap', displayName: 'Matter Status Map', type: 'JSON', defaultFrom: 'engine',
    description: `JSON object: Actionstep matter status → { "matterStatus": Matter Status label, "opportunity": ${OPPORTUNITY_OUTCOMES.join(' | ')} }.`,
  },
  {
    option: 'typeMap', schemaName: 'astep_MatterTypeMap', displayName: 'Matter Type Map', type: 'JSON', defaultFrom: 'engine',
    description: 'JSON object: Actionstep matter type name → Matter Type label it lands on (types not listed keep their own name).',
  },
  {
    option: 'unknownValueMap', schemaName: 'astep_UnknownValueMap', displayName: 'Unknown Value Map', type: 'JSON', defaultFrom: 'engine',
    description: `JSON object, what a value Actionstep does not document counts as (each such record is reported): { "matterStatus": a status rule or null (status left empty), "billingBehavior": ${BILLING_BEHAVIOURS.join(' | ')}, "taskStatus": ${TASK_STATUSES.join(' | ')}, "taskPriority": ${TASK_PRIORITIES.join(' | ')}, "fileNoteSource": ${FILE_NOTE_SOURCES.join(' | ')} }.`,
  },
];

/** The environment variable's default value: the engine's default as the variable holds it (text), or none. */
export function settingDefault(setting: OptionSetting): string | undefined {
  if (setting.defaultFrom === 'plan') return undefined;
  const value = DEFAULT_OPTIONS[setting.option];
  return setting.type === 'JSON' ? JSON.stringify(value) : String(value);
}
