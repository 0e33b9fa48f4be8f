// The choices the Data Migration Plan offers (the seed's options), with the recommended defaults.

export type DataCollectionPlacement = 'account' | 'matterTable';
export type ContactIdentity = 'perPerson' | 'perRole';
export type OpportunityStrategy = 'none' | 'perMatter' | 'perClientLatest' | 'perClientHighest';
export type LicenseTier = 'SalesProfessional' | 'SalesEnterprise' | 'SalesPremium';

/** What an Actionstep matter status becomes. `opportunity` is the outcome when opportunities are migrated. */
export interface StatusRule {
  /** Label of the astep_matterstatus choice. */
  matterStatus: string;
  opportunity: 'open' | 'onHold' | 'wonIfBilled' | 'won' | 'lost';
}

export interface MigrationOptions {
  dataCollections: DataCollectionPlacement;
  contacts: ContactIdentity;
  opportunityStrategy: OpportunityStrategy;
  /** Email of the Dynamics user who owns records whose Actionstep user is disabled or unmatched; null: the caller. */
  fallbackOwnerEmail: string | null;
  /** Actionstep status → rule. Statuses not listed are reported and kept open. */
  statusMap: Record<string, StatusRule>;
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

export const DEFAULT_STATUS_MAP: Record<string, StatusRule> = {
  Active: { matterStatus: 'Active', opportunity: 'open' },
  Inactive: { matterStatus: 'Inactive', opportunity: 'onHold' },
  Closed: { matterStatus: 'Closed', opportunity: 'wonIfBilled' },
  Template: { matterStatus: 'Template', opportunity: 'open' },
};

export function defaultOptions(overrides: Partial<MigrationOptions> = {}): MigrationOptions {
  return {
    dataCollections: 'matterTable',
    contacts: 'perPerson',
    opportunityStrategy: 'perClientLatest',
    fallbackOwnerEmail: null,
    statusMap: DEFAULT_STATUS_MAP,
    skipTemplateMatters: true,
    skipSystemFileNotes: true,
    attachDocuments: true,
    applyDeletions: false,
    timeZone: 'UTC',
    sampleSize: 200,
    ...overrides,
  };
}
