// A mapping as a declaration: one TableMapping per target table says everything the steps need to know about it
// (what feeds it, how a row is keyed, its columns with their source fields and conversions, the lookups and the keys
// they bind through, its open/close lifecycle, how it is sampled and counted, its label for people). The driver maps
// one unit at a time (a record, or a group such as a client's matters) with only that unit and the lookups; the
// loader, rollback, the diff, verification, the report and the proposer all read the declaration.
import type { RecordsByResource, ResourceName } from '@astep/actionstep-connector/records';
import type { ColumnDef, RelationshipDef, TableDef } from '@astep/solution/model';
import type { PlatformColumnDef } from '@astep/solution/platformColumns';
import type { MappingOutput, TargetRow } from '../transform/targetRow';
import type { MappingLookups } from './lookups';
import type { AccountGroup, MatterTasks, PersonGroup } from './units';
import type { SeedMapping } from './seedMappings';

/** How a value is made from its source field (the conversions of values.ts), in words the diff and the wizard show. */
export type Conversion =
  | 'copy' | 'text' | 'htmlText' | 'email' | 'phone' | 'dateOnly' | 'localDate' | 'timestamp' | 'money' | 'decimal'
  | 'integer' | 'boolean' | 'choice' | 'computed'
  /** Figures from the trust ledger report export. */
  | 'trust'
  /** The matter's billing total (time billed plus disbursements), or that summed over an account's matters. */
  | 'billing' | 'billingSum';

export interface ColumnMapping {
  /** Logical name of the target column. */
  readonly column: string;
  /** Path into the staged record the value comes from (`name`; alternatives `displayName|name`); none when computed. */
  readonly source?: string;
  readonly conversion: Conversion;
  /** The column as the schema defines it (type, length): `solution/` is the one place for both. */
  readonly def: ColumnDef | PlatformColumnDef;
  /** Written on create only: Dataverse ignores or rejects it on update, so it is never compared either. */
  readonly createOnly?: boolean;
}

export interface LookupMapping {
  /** Single-valued navigation property written with `@odata.bind` (`parentcustomerid_account`, `astep_MatterId`). */
  readonly navigation: string;
  /** The lookup attribute as Dataverse returns it on read (`_parentcustomerid_value`). */
  readonly attribute: string;
  /** Table the lookup points to. */
  readonly table: string;
  /** Bound through the target's alternate key (astep_sourceid), or by its GUID (owners). */
  readonly by: 'sourceId' | 'id';
  /** The relationship that defines a lookup column we add (provisioned with the plan's schema). */
  readonly relationship?: RelationshipDef;
}

/** How the platform is asked for a closed state: a plain update of statecode/statuscode, or an action. */
export type CloseVia =
  | { readonly kind: 'update' }
  | {
    readonly kind: 'action';
    readonly name: string;
    /** The action's body for a row now at `targetId` (its final state's values included). */
    body(row: TargetRow, targetId: string, state: { statecode: number; statuscode: number }): Record<string, unknown>;
  };

export interface Lifecycle {
  /** statecode/statuscode a closed record is re-opened to before it changes (loader) or is restored (rollback). */
  readonly reopen: { readonly statecode: number; readonly statuscode: number };
  /** The closed states a row may end in (TargetRow.finalState.state names one), applied once all rows exist. */
  readonly closed: Readonly<Record<string, { readonly statecode: number; readonly statuscode: number; readonly via: CloseVia }>>;
  /** Records the platform creates when it closes one (opportunityclose); rollback removes them when it re-opens. */
  readonly closeRecords?: { readonly table: string; readonly attribute: string };
}

/** What a sampled row stands for: the matters it belongs to, so a sample of matters takes its rows along. */
export interface SampleFacts {
  /** The staged record the row came from. */
  record(row: TargetRow): unknown;
  /** Matters whose rows land on this account (its client's matters and the matters an organisation is on). */
  accountMatters(accountKey: string): string[];
  /** Matters the person (or person in a role) behind this contact is on. */
  contactMatters(contactKey: string): string[];
}

export interface SampleCoverage {
  matters(row: TargetRow, facts: SampleFacts): string[];
  /** The row counts towards the sample's time entry coverage (the seed asks for time entries in every sample). */
  readonly timeEntries?: boolean;
}

/** A row counted towards one of the seed's mappings in the run report, when `when` holds (always when absent). */
export interface CountRule {
  readonly mapping: SeedMapping;
  when?(row: TargetRow, facts: { fallbackOwnerId: string }): boolean;
}

/** Records of one resource mapped one at a time. */
export type RecordFeed = {
  [R in ResourceName]: { readonly resource: R; readonly grouping: 'record'; map(record: RecordsByResource[R], lookups: MappingLookups): MappingOutput }
}[ResourceName];

/**
 * What feeds a table: a resource and how its records are grouped into the units one call maps. The groupings are a
 * closed set every driver implements (the in-memory one over FirmIndex, the streaming one over indexed staging).
 */
export type Feed =
  | RecordFeed
  /** A client's migrating matters (oldest first), keyed by the account they land on. */
  | { readonly resource: 'actions'; readonly grouping: 'clientAccount'; map(group: AccountGroup, lookups: MappingLookups): MappingOutput }
  /** A person and their duplicates, with every role they hold on a migrating matter. */
  | { readonly resource: 'participants'; readonly grouping: 'person'; map(group: PersonGroup, lookups: MappingLookups): MappingOutput }
  /** A matter's tasks (tasks without a matter come as one group with a null matter). */
  | { readonly resource: 'tasks'; readonly grouping: 'matterTasks'; map(group: MatterTasks, lookups: MappingLookups): MappingOutput };

export interface TableMapping {
  /** The target table as the schema defines it (entity set, primary key, columns with types and lengths). */
  readonly target: TableDef;
  /** Plain English for people: "Accounts", "Matter participants". */
  readonly label: string;
  /** How a row is addressed: its astep_sourceid (alternate key), or a GUID derived from its source (no custom columns). */
  readonly key: { readonly by: 'sourceId' | 'fixedId'; readonly format: string };
  /** In the order their rows are written. */
  readonly feeds: readonly Feed[];
  readonly columns: readonly ColumnMapping[];
  /** The plan may add columns here too: the data collection fields when the plan places them on this table. */
  readonly planColumns?: 'dataCollections';
  readonly lookups: readonly LookupMapping[];
  readonly lifecycle?: Lifecycle;
  /** Rows that existed before the migration (no astep_sourceid yet) are matched on this column and adopted. */
  readonly matchExisting?: { readonly column: string; when?(row: TargetRow): boolean };
  /** A file carried as a note attachment is written into this column on create. */
  readonly attachmentColumn?: string;
  readonly sample: SampleCoverage;
  readonly counts?: readonly CountRule[];
  /** The wizard's Map step shows this table's columns for the records of its first feed (the admin may move them). */
  readonly mapEditor?: boolean;
}
