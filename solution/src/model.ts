// The schema model: one typed description of every table, column, key, choice and relationship we add to Dataverse.
// The packer writes it into solution XML, the metadata provisioner turns it into Metadata API calls, and the
// Dataverse emulator creates the same tables from it (or from the solution zip that the packer wrote).
// All labels are English (LCID 1033); the solution ships one language.

export type ColumnType =
  | 'string' // single line of text (StringAttributeMetadata, nvarchar)
  | 'memo' // multiple lines of text (MemoAttributeMetadata, ntext)
  | 'integer' // whole number (int)
  | 'decimal' // decimal number (decimal)
  | 'money' // currency (money): needs transactioncurrencyid on the table
  | 'boolean' // two options (bit)
  | 'datetime' // date and time or date only (datetime)
  | 'picklist' // choice bound to a global choice (picklist)
  | 'multiselectpicklist' // choices bound to a global choice (multiselectpicklist)
  | 'lookup'; // many-to-one lookup (created through its relationship)

/** The largest magnitude a money column holds (Dataverse MoneyAttributeMetadata: ±922,337,203,685,477). */
export const MONEY_LIMIT = 922337203685477;
/** The largest magnitude a decimal column holds (DecimalAttributeMetadata: ±100,000,000,000). */
export const DECIMAL_LIMIT = 100000000000;

export type RequiredLevel = 'none' | 'recommended' | 'required';
export type StringFormat = 'text' | 'email' | 'url' | 'phone' | 'textarea';
export type DateTimeBehavior = 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';

export interface ColumnDef {
  /** Logical name, lower case, with the publisher prefix for custom columns (e.g. `astep_sourceid`). */
  logicalName: string;
  /** Schema name: the logical name with its casing (e.g. `astep_SourceId`). */
  schemaName: string;
  displayName: string;
  description?: string;
  type: ColumnType;
  required?: RequiredLevel;
  /** string: 1..4000; memo: 1..1,048,576. */
  maxLength?: number;
  format?: StringFormat;
  /** decimal and money: digits after the point (money 0..4, decimal 0..10). */
  precision?: number;
  minValue?: number;
  maxValue?: number;
  /** datetime only. DateOnly behaviour implies the DateOnly format. */
  dateBehavior?: DateTimeBehavior;
  /** picklist / multiselectpicklist: the name of the global choice (ChoiceDef.name). */
  optionSet?: string;
  /** lookup: the relationship that defines it (RelationshipDef.schemaName). */
  relationship?: string;
  /** True for the table's primary name column (exactly one per custom table). */
  isPrimaryName?: boolean;
}

export interface KeyDef {
  logicalName: string;
  schemaName: string;
  displayName: string;
  /** Logical names of the key's columns, in order. */
  columns: string[];
}

export interface TableDef {
  logicalName: string;
  schemaName: string;
  displayName: string;
  displayCollectionName: string;
  description: string;
  /** Entity set name used in Web API URLs (e.g. `accounts`, `astep_matters`). */
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  /** false for standard tables (account, contact, ...) that we only extend with columns and keys. */
  isCustom: boolean;
  ownership: 'UserOwned' | 'OrganizationOwned';
  hasNotes: boolean;
  hasActivities: boolean;
  /** Columns we add (for standard tables, only ours; the platform's own columns are not listed). */
  columns: ColumnDef[];
  keys: KeyDef[];
}

export interface ChoiceOption {
  value: number;
  label: string;
  description?: string;
}

export interface ChoiceDef {
  /** Global option set name, e.g. `astep_mattertype`. */
  name: string;
  displayName: string;
  description: string;
  options: ChoiceOption[];
}

export type CascadeType = 'NoCascade' | 'Cascade' | 'Active' | 'UserOwned' | 'RemoveLink' | 'Restrict';

export interface RelationshipDef {
  /** e.g. `astep_account_astep_matter_accountid`. */
  schemaName: string;
  referencedEntity: string;
  referencedAttribute: string;
  referencingEntity: string;
  /** The lookup column on the referencing table (logical name). */
  referencingAttribute: string;
  /** The single-valued navigation property used with `@odata.bind` (SchemaName casing, e.g. `astep_AccountId`). */
  referencingNavigationProperty: string;
  /** The collection-valued navigation property on the referenced table. */
  referencedNavigationProperty: string;
  cascadeDelete: CascadeType;
}

export interface PublisherDef {
  uniqueName: string;
  friendlyName: string;
  description: string;
  customizationPrefix: string;
  customizationOptionValuePrefix: number;
  email?: string;
  website?: string;
}

export interface SolutionSchema {
  uniqueName: string;
  friendlyName: string;
  description: string;
  publisher: PublisherDef;
  tables: TableDef[];
  choices: ChoiceDef[];
  relationships: RelationshipDef[];
}
