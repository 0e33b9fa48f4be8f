// The emulator's own metadata model (what EntityDefinitions serves). Custom tables, columns, keys and choices enter it
// only through applySchema (Metadata API or solution import); standard tables come from standardTables.ts.

export type AttrType =
  | 'uniqueidentifier'
  | 'string'
  | 'memo'
  | 'integer'
  | 'bigint'
  | 'decimal'
  | 'double'
  | 'money'
  | 'boolean'
  | 'datetime'
  | 'picklist'
  | 'state'
  | 'status'
  | 'multiselectpicklist'
  | 'lookup'
  | 'customer'
  | 'owner'
  | 'entityname';

export type RequiredLevelValue = 'None' | 'Recommended' | 'ApplicationRequired' | 'SystemRequired';
export type DateBehavior = 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';

/**
 * How a lookup's navigation properties are named: `single` = one property (`navName`), `suffix` = `<attr>_<target>`
 * (customer lookups, annotation objectid), `regarding` = `regardingobjectid_<target>_<activity>`, `owner` = `ownerid`
 * bound to systemusers or teams.
 */
export type NavStyle = 'single' | 'suffix' | 'regarding' | 'owner';

export interface AttrMeta {
  logicalName: string;
  schemaName: string;
  displayName: string;
  description?: string;
  type: AttrType;
  required: RequiredLevelValue;
  maxLength?: number;
  format?: string;
  precision?: number;
  minValue?: number;
  maxValue?: number;
  dateBehavior?: DateBehavior;
  /** Picklist/state/status/multi-select: option set name (global, or local `<table>_<column>`). */
  optionSet?: string;
  /** Lookup targets; 'notes' / 'activities' = every table with HasNotes / HasActivities. */
  targets?: string[] | 'notes' | 'activities';
  navStyle?: NavStyle;
  /** What deleting the referenced row does to rows holding this lookup (relationship CascadeConfiguration.Delete). */
  cascadeDelete?: 'Cascade' | 'RemoveLink' | 'Restrict';
  navName?: string;
  /** Relationship that created the lookup (custom lookups). */
  relationship?: string;
  validForCreate: boolean;
  validForUpdate: boolean;
  isCustom: boolean;
  isPrimaryId?: boolean;
  isPrimaryName?: boolean;
  /** Computed by the platform (fullname, filesize, money _base). */
  computed?: boolean;
  metadataId: string;
}

export type KeyStatus = 'Pending' | 'InProgress' | 'Active' | 'Failed';
export interface KeyMeta {
  logicalName: string;
  schemaName: string;
  displayName: string;
  keyAttributes: string[];
  status: KeyStatus;
  /** Virtual ms (emulator clock) when the key was requested. */
  requestedAt: number;
  metadataId: string;
  isCustom: boolean;
}

export interface EntityMeta {
  logicalName: string;
  schemaName: string;
  displayName: string;
  displayCollectionName: string;
  description: string;
  entitySetName: string;
  primaryIdAttribute: string;
  primaryNameAttribute: string;
  isCustom: boolean;
  isActivity: boolean;
  ownership: 'UserOwned' | 'OrganizationOwned' | 'None';
  hasNotes: boolean;
  hasActivities: boolean;
  objectTypeCode: number;
  metadataId: string;
  attributes: AttrMeta[];
  keys: KeyMeta[];
  /** Read-only system table (sdkmessagefilters etc.): no writes through the Web API. */
  readOnly?: boolean;
  /** Supports optimistic concurrency (If-Match with an etag). */
  concurrency: boolean;
}

export interface OptionMeta {
  value: number;
  label: string;
  description?: string;
  /** Status options: the state they belong to. State options: the default status. */
  state?: number;
  defaultStatus?: number;
}
export interface OptionSetMeta {
  name: string;
  displayName: string;
  description: string;
  isGlobal: boolean;
  optionSetType: 'Picklist' | 'State' | 'Status' | 'Boolean';
  options: OptionMeta[];
  metadataId: string;
}

export interface RelationshipMeta {
  schemaName: string;
  referencedEntity: string;
  referencedAttribute: string;
  referencingEntity: string;
  referencingAttribute: string;
  referencingNavigationProperty: string;
  referencedNavigationProperty: string;
  cascadeDelete: string;
  metadataId: string;
  isCustom: boolean;
}

export interface SolutionRecordMeta {
  uniqueName: string;
  version: string;
  managed: boolean;
  friendlyName: string;
}
