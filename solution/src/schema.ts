// SPEC section 4 as code: the one definition of every table, column, key, choice and relationship we add.
import { DECIMAL_LIMIT, MONEY_LIMIT } from './model';
import type {
  ChoiceDef,
  ColumnDef,
  KeyDef,
  RelationshipDef,
  SolutionSchema,
  TableDef,
} from './model';

export const PUBLISHER_PREFIX = 'astep';
/** Choice values we define start at OPTION_VALUE_PREFIX * 10,000 (61,520 → 615,200,000). */
export const OPTION_VALUE_PREFIX = 61520;
export const OPTION_BASE = OPTION_VALUE_PREFIX * 10000;
export const SOLUTION_UNIQUE_NAME = 'ActionstepMigration';

/** Length of astep_sourceid: composite Actionstep ids (`1--27--10`, `12--clientname--345`) fit well within it. */
export const SOURCE_ID_MAX_LENGTH = 200;

/** English plural the way Dataverse derives an entity set name (entry → entries, status → statuses). */
export function pluralize(name: string): string {
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  return `${name}s`;
}

// ---- small builders (schema names are the logical names with readable casing) ----

function col(logicalName: string, schemaTail: string, displayName: string, type: ColumnDef['type'], extra: Partial<ColumnDef> = {}): ColumnDef {
  return { logicalName, schemaName: `${PUBLISHER_PREFIX}_${schemaTail}`, displayName, type, required: 'none', ...extra };
}
const str = (name: string, tail: string, label: string, maxLength: number, extra: Partial<ColumnDef> = {}) =>
  col(name, tail, label, 'string', { maxLength, format: 'text', ...extra });
const memo = (name: string, tail: string, label: string, maxLength: number, extra: Partial<ColumnDef> = {}) =>
  col(name, tail, label, 'memo', { maxLength, format: 'textarea', ...extra });
const money = (name: string, tail: string, label: string) =>
  col(name, tail, label, 'money', { precision: 2, minValue: -MONEY_LIMIT, maxValue: MONEY_LIMIT });
const decimal = (name: string, tail: string, label: string, precision = 2) =>
  col(name, tail, label, 'decimal', { precision, minValue: -DECIMAL_LIMIT, maxValue: DECIMAL_LIMIT });
const integer = (name: string, tail: string, label: string) =>
  col(name, tail, label, 'integer', { minValue: -2147483648, maxValue: 2147483647 });
const dateOnly = (name: string, tail: string, label: string) => col(name, tail, label, 'datetime', { dateBehavior: 'DateOnly' });
const dateTime = (name: string, tail: string, label: string) => col(name, tail, label, 'datetime', { dateBehavior: 'UserLocal' });
const choice = (name: string, tail: string, label: string, optionSet: string) => col(name, tail, label, 'picklist', { optionSet });
const lookup = (name: string, tail: string, label: string, relationship: string) => col(name, tail, label, 'lookup', { relationship });
const primaryName = (name: string, label: string, maxLength = 400) =>
  str(name, 'Name', label, maxLength, { isPrimaryName: true, required: 'required' });
const sourceId = (description = 'Actionstep id of the source record: the upsert key.') =>
  str('astep_sourceid', 'SourceId', 'Actionstep Source Id', SOURCE_ID_MAX_LENGTH, { description });
const sourceKey = (table: string): KeyDef => ({
  logicalName: `astep_${table}_sourceid_key`,
  schemaName: `astep_${table}_sourceid_key`,
  displayName: 'Actionstep Source Id',
  columns: ['astep_sourceid'],
});

const ACTIVITY_TABLES = new Set(['task', 'phonecall', 'email', 'appointment', 'letter', 'fax']);

function rel(
  referencingEntity: string,
  lookupTail: string,
  referencedEntity: string,
  cascadeDelete: RelationshipDef['cascadeDelete'] = 'RemoveLink',
): RelationshipDef {
  const referencingAttribute = `${PUBLISHER_PREFIX}_${lookupTail.toLowerCase()}`;
  return {
    schemaName: `${PUBLISHER_PREFIX}_${referencedEntity}_${referencingEntity}_${lookupTail.toLowerCase()}`,
    referencedEntity,
    // Activities (task, ...) share the activitypointer key: their primary key column is activityid.
    referencedAttribute: ACTIVITY_TABLES.has(referencedEntity) ? 'activityid' : `${referencedEntity}id`,
    referencingEntity,
    referencingAttribute,
    referencingNavigationProperty: `${PUBLISHER_PREFIX}_${lookupTail}`,
    referencedNavigationProperty: `${PUBLISHER_PREFIX}_${referencedEntity}_${referencingEntity}_${lookupTail.toLowerCase()}`,
    cascadeDelete,
  };
}

function labels(names: string[], start = OPTION_BASE) {
  return names.map((label, i) => ({ value: start + i, label }));
}

// ---- global choices ----

export const CHOICES: ChoiceDef[] = [
  {
    name: 'astep_mattertype',
    displayName: 'Matter Type',
    description: "Actionstep matter (action) type. Ships a base set; provisioning adds the firm's own types.",
    options: labels(['Conveyancing', 'Family Law', 'Litigation', 'Corporate & Commercial', 'Wills & Estates', 'Employment', 'Other']),
  },
  {
    name: 'astep_matterstatus',
    displayName: 'Matter Status',
    description: 'Actionstep matter status, after the configurable status map.',
    options: labels(['Active', 'Inactive', 'Closed', 'Template', 'On Hold', 'Closed Billed', 'Written Off', 'Archived']),
  },
  {
    name: 'astep_participantrole',
    displayName: 'Participant Role',
    description: "Role a person holds on a matter (Actionstep participant type). Provisioning adds the firm's roles.",
    options: labels(['Client', 'Lawyer', 'Paralegal', 'Other Side', 'Other Side Lawyer', 'Witness', 'Referrer', 'Other']),
  },
  {
    name: 'astep_runstatus',
    displayName: 'Migration Run Status',
    description: 'Where a migration run stands.',
    options: labels(['Draft', 'Discovered', 'Provisioned', 'Extracted', 'Sampled', 'Approved', 'Running', 'Completed', 'Completed With Errors', 'Failed', 'Rolling Back', 'Rolled Back']),
  },
  {
    name: 'astep_auditoperation',
    displayName: 'Audit Operation',
    description: 'What a migration or rollback did to one record.',
    options: labels(['Create', 'Update', 'Skip', 'Error', 'Delete', 'Restore', 'Conflict', 'Close']),
  },
  {
    name: 'astep_stagingstatus',
    displayName: 'Staging Status',
    description: 'Where a staged source record stands.',
    options: labels(['Staged', 'Migrated', 'Skipped', 'Failed']),
  },
];

/** Value of a choice option by its label; throws when the label is not in the choice (a schema bug). */
export function choiceValue(choiceName: string, label: string): number {
  const choice = CHOICES.find((c) => c.name === choiceName);
  const option = choice?.options.find((o) => o.label === label);
  if (!option) throw new Error(`Choice ${choiceName} has no option labelled "${label}"`);
  return option.value;
}

// ---- relationships (lookups) ----

export const RELATIONSHIPS: RelationshipDef[] = [
  rel('astep_matter', 'AccountId', 'account'),
  rel('astep_matter', 'OpportunityId', 'opportunity'),
  rel('astep_matterparticipant', 'MatterId', 'astep_matter', 'Cascade'),
  rel('astep_matterparticipant', 'ContactId', 'contact', 'Cascade'),
  rel('astep_matterparticipant', 'AccountId', 'account'),
  rel('astep_timeentry', 'MatterId', 'astep_matter', 'Cascade'),
  rel('astep_timeentry', 'AccountId', 'account'),
  rel('astep_document', 'MatterId', 'astep_matter', 'Cascade'),
  rel('astep_document', 'AccountId', 'account'),
  rel('astep_step', 'MatterId', 'astep_matter', 'Cascade'),
  rel('astep_step', 'TaskId', 'task'),
  rel('astep_stagingrow', 'MigrationRunId', 'astep_migrationrun', 'Cascade'),
  rel('astep_auditentry', 'MigrationRunId', 'astep_migrationrun', 'Cascade'),
];

function relName(referencingEntity: string, lookupTail: string): string {
  const r = RELATIONSHIPS.find(
    (x) => x.referencingEntity === referencingEntity && x.referencingAttribute === `astep_${lookupTail.toLowerCase()}`,
  );
  if (!r) throw new Error(`No relationship for ${referencingEntity}.${lookupTail}`);
  return r.schemaName;
}
const lk = (table: string, tail: string, label: string) => lookup(`astep_${tail.toLowerCase()}`, tail, label, relName(table, tail));

// ---- tables ----

function customTable(
  logicalName: string,
  displayName: string,
  displayCollectionName: string,
  description: string,
  columns: ColumnDef[],
  keys: KeyDef[],
  ownership: TableDef['ownership'] = 'UserOwned',
  extra: Partial<Pick<TableDef, 'hasNotes'>> = {},
): TableDef {
  const tail = logicalName.slice(PUBLISHER_PREFIX.length + 1);
  return {
    logicalName,
    schemaName: `${PUBLISHER_PREFIX}_${tail.charAt(0).toUpperCase()}${tail.slice(1)}`,
    displayName,
    displayCollectionName,
    description,
    entitySetName: pluralize(logicalName),
    primaryIdAttribute: `${logicalName}id`,
    primaryNameAttribute: 'astep_name',
    isCustom: true,
    ownership,
    hasNotes: false,
    hasActivities: false,
    columns,
    keys,
    ...extra,
  };
}

function standardTable(
  logicalName: string,
  displayName: string,
  displayCollectionName: string,
  entitySetName: string,
  primaryNameAttribute: string,
  columns: ColumnDef[],
  extra: Partial<TableDef> = {},
): TableDef {
  return {
    logicalName,
    schemaName: logicalName.charAt(0).toUpperCase() + logicalName.slice(1),
    displayName,
    displayCollectionName,
    description: `Standard ${displayName} table, extended with Actionstep columns.`,
    entitySetName,
    primaryIdAttribute: `${logicalName}id`,
    primaryNameAttribute,
    isCustom: false,
    ownership: 'UserOwned',
    hasNotes: true,
    hasActivities: true,
    columns,
    keys: [sourceKey(logicalName)],
    ...extra,
  };
}

const matterFigures = (): ColumnDef[] => [
  money('astep_trustbalance', 'TrustBalance', 'Trust Balance'),
  money('astep_trustin', 'TrustIn', 'Trust In'),
  money('astep_trustout', 'TrustOut', 'Trust Out'),
  money('astep_totalbilled', 'TotalBilled', 'Total Billed'),
];

export const TABLES: TableDef[] = [
  standardTable('account', 'Account', 'Accounts', 'accounts', 'name', [
    sourceId('Actionstep id: the client participant id for a client organisation, or the matter id for a solo-client matter.'),
    str('astep_mattername', 'MatterName', 'Matter Name', 400),
    str('astep_matternumber', 'MatterNumber', 'Matter Number', 100),
    choice('astep_mattertype', 'MatterType', 'Matter Type', 'astep_mattertype'),
    choice('astep_matterstatus', 'MatterStatus', 'Matter Status', 'astep_matterstatus'),
    ...matterFigures(),
    str('astep_createdbyuserid', 'CreatedByUserId', 'Actionstep Created By User Id', 100),
  ]),
  standardTable('contact', 'Contact', 'Contacts', 'contacts', 'fullname', [
    sourceId('Actionstep participant id of the person (the first of a deduplicated group).'),
    col('astep_participantroles', 'ParticipantRoles', 'Actionstep Roles', 'multiselectpicklist', { optionSet: 'astep_participantrole' }),
    str('astep_createdbyuserid', 'CreatedByUserId', 'Actionstep Created By User Id', 100),
  ]),
  standardTable('opportunity', 'Opportunity', 'Opportunities', 'opportunities', 'name', [
    sourceId('Actionstep matter id.'),
    str('astep_matternumber', 'MatterNumber', 'Matter Number', 100),
    choice('astep_matterstatus', 'MatterStatus', 'Matter Status', 'astep_matterstatus'),
  ]),
  standardTable('task', 'Task', 'Tasks', 'tasks', 'subject', [sourceId('Actionstep task id.')], {
    // Activities share the activitypointer key: a task's primary key column is activityid.
    primaryIdAttribute: 'activityid',
    hasNotes: true,
    hasActivities: false,
  }),

  customTable('astep_matter', 'Matter', 'Matters', 'One row per Actionstep matter: number, type, status, dates, trust and billing figures, and data collection columns when they do not fit on the account.', [
    primaryName('astep_name', 'Matter Name'),
    sourceId('Actionstep matter id.'),
    str('astep_matternumber', 'MatterNumber', 'Matter Number', 100),
    choice('astep_mattertype', 'MatterType', 'Matter Type', 'astep_mattertype'),
    choice('astep_matterstatus', 'MatterStatus', 'Matter Status', 'astep_matterstatus'),
    dateOnly('astep_openedon', 'OpenedOn', 'Opened On'),
    dateTime('astep_statuschangedon', 'StatusChangedOn', 'Status Changed On'),
    ...matterFigures(),
    decimal('astep_totalhours', 'TotalHours', 'Total Hours'),
    lk('astep_matter', 'AccountId', 'Account'),
    lk('astep_matter', 'OpportunityId', 'Opportunity'),
    str('astep_createdbyuserid', 'CreatedByUserId', 'Actionstep Created By User Id', 100),
  ], [sourceKey('matter')]),

  customTable('astep_matterparticipant', 'Matter Participant', 'Matter Participants', 'A person or organisation in a role on a matter: every role on every matter is kept.', [
    primaryName('astep_name', 'Name'),
    sourceId('Actionstep actionparticipant id (action--participantType--participant).'),
    lk('astep_matterparticipant', 'MatterId', 'Matter'),
    lk('astep_matterparticipant', 'ContactId', 'Contact'),
    lk('astep_matterparticipant', 'AccountId', 'Account'),
    choice('astep_role', 'Role', 'Role', 'astep_participantrole'),
    str('astep_rolename', 'RoleName', 'Role Name (Actionstep)', 200),
    integer('astep_participantnumber', 'ParticipantNumber', 'Order In Role'),
  ], [sourceKey('matterparticipant')]),

  customTable('astep_timeentry', 'Time Entry', 'Time Entries', 'An Actionstep time entry: date, user, hours, rate, amount and narrative.', [
    primaryName('astep_name', 'Name'),
    sourceId('Actionstep time entry id.'),
    lk('astep_timeentry', 'MatterId', 'Matter'),
    lk('astep_timeentry', 'AccountId', 'Account'),
    dateOnly('astep_entrydate', 'EntryDate', 'Date'),
    str('astep_userid', 'UserId', 'Actionstep User (participant) Id', 100),
    str('astep_username', 'UserName', 'User', 200),
    decimal('astep_hours', 'Hours', 'Hours'),
    decimal('astep_billablehours', 'BillableHours', 'Billable Hours'),
    money('astep_rate', 'Rate', 'Rate'),
    money('astep_amount', 'Amount', 'Amount'),
    str('astep_billingbehavior', 'BillingBehavior', 'Billing Behaviour', 50),
    memo('astep_narrative', 'Narrative', 'Narrative', 100000),
  ], [sourceKey('timeentry')]),

  customTable('astep_document', 'Document', 'Documents', 'A reference to an Actionstep document that was not attached as a note (too large, or kept as a link).', [
    primaryName('astep_name', 'Name'),
    sourceId('Actionstep action document id.'),
    lk('astep_document', 'MatterId', 'Matter'),
    lk('astep_document', 'AccountId', 'Account'),
    str('astep_filename', 'FileName', 'File Name', 400),
    str('astep_url', 'Url', 'URL', 2000, { format: 'url' }),
    integer('astep_filesize', 'FileSize', 'File Size (bytes)'),
    str('astep_mimetype', 'MimeType', 'MIME Type', 200),
    dateTime('astep_uploadedon', 'UploadedOn', 'Uploaded On'),
    str('astep_reason', 'Reason', 'Why Not Attached', 400),
  ], [sourceKey('document')]),

  customTable('astep_step', 'Matter Step', 'Matter Steps', 'An Actionstep step or task with its order, assignee and completion, next to the task activity.', [
    primaryName('astep_name', 'Name'),
    sourceId('Actionstep task id.'),
    lk('astep_step', 'MatterId', 'Matter'),
    lk('astep_step', 'TaskId', 'Task'),
    integer('astep_stepnumber', 'StepNumber', 'Step Number'),
    integer('astep_order', 'Order', 'Order'),
    str('astep_assignee', 'Assignee', 'Assignee', 200),
    str('astep_status', 'Status', 'Actionstep Status', 50),
    dateTime('astep_completedon', 'CompletedOn', 'Completed On'),
  ], [sourceKey('step')]),

  // Notes on: the firm attaches its trust ledger export to the row as a note (Actionstep has no trust API).
  customTable('astep_migrationrun', 'Migration Run', 'Migration Runs', 'One migration run: its plan, map, sample diff, progress, results and rollback state.', [
    primaryName('astep_name', 'Name', 200),
    str('astep_runid', 'RunId', 'Run Id', 100, { required: 'required' }),
    choice('astep_status', 'Status', 'Status', 'astep_runstatus'),
    str('astep_currentstep', 'CurrentStep', 'Current Step', 50),
    dateTime('astep_startedon', 'StartedOn', 'Started On'),
    dateTime('astep_completedon', 'CompletedOn', 'Completed On'),
    dateTime('astep_extractionstartedon', 'ExtractionStartedOn', 'Extraction Started On'),
    dateTime('astep_approvedon', 'ApprovedOn', 'Sample Approved On'),
    str('astep_approvedby', 'ApprovedBy', 'Sample Approved By', 200),
    dateTime('astep_rolledbackon', 'RolledBackOn', 'Rolled Back On'),
    memo('astep_planjson', 'PlanJson', 'Plan (JSON)', 1048576),
    memo('astep_mappingjson', 'MappingJson', 'Field Map (JSON)', 1048576),
    memo('astep_diffjson', 'DiffJson', 'Sample Diff (JSON)', 1048576),
    memo('astep_summaryjson', 'SummaryJson', 'Summary (JSON)', 1048576),
    memo('astep_wizardstate', 'WizardState', 'Wizard State (JSON)', 100000),
    // The run's lease: one runner (command line or wizard) writes to Dataverse for a run at a time; it renews the
    // lease while it works, and another runner is refused by name until it is released or runs out.
    str('astep_leaseholderid', 'LeaseHolderId', 'Lease Holder Id', 200, { description: 'Which runner holds the run now (command line on a host and state folder, or a wizard session).' }),
    str('astep_leaseholder', 'LeaseHolder', 'Being Run By', 400),
    dateTime('astep_leasesince', 'LeaseSince', 'Being Run Since'),
    dateTime('astep_leaseuntil', 'LeaseUntil', 'Lease Runs Until'),
  ], [{ logicalName: 'astep_migrationrun_runid_key', schemaName: 'astep_migrationrun_runid_key', displayName: 'Run Id', columns: ['astep_runid'] }], 'UserOwned', { hasNotes: true }),

  customTable('astep_stagingrow', 'Staging Row', 'Staging Rows', 'A source record staged by the in-CRM engine, with its raw JSON and outcome.', [
    primaryName('astep_name', 'Name', 400),
    str('astep_stagingkey', 'StagingKey', 'Staging Key', 400, { required: 'required', description: 'runid|resource|source id' }),
    sourceId(),
    str('astep_resource', 'Resource', 'Actionstep Resource', 100),
    lk('astep_stagingrow', 'MigrationRunId', 'Migration Run'),
    memo('astep_rawjson', 'RawJson', 'Raw JSON', 1048576),
    choice('astep_stagingstatus', 'StagingStatus', 'Status', 'astep_stagingstatus'),
    memo('astep_message', 'Message', 'Message', 10000),
    str('astep_targettable', 'TargetTable', 'Target Table', 100),
    str('astep_targetid', 'TargetId', 'Target Id', 100),
  ], [{ logicalName: 'astep_stagingrow_stagingkey_key', schemaName: 'astep_stagingrow_stagingkey_key', displayName: 'Staging Key', columns: ['astep_stagingkey'] }]),

  customTable('astep_auditentry', 'Audit Entry', 'Audit Entries', 'One operation of a migration or rollback on one Dataverse record, with before and after values.', [
    primaryName('astep_name', 'Name', 400),
    str('astep_auditkey', 'AuditKey', 'Audit Key', 200, { required: 'required', description: 'runid|sequence' }),
    lk('astep_auditentry', 'MigrationRunId', 'Migration Run'),
    integer('astep_sequence', 'Sequence', 'Sequence'),
    choice('astep_operation', 'Operation', 'Operation', 'astep_auditoperation'),
    str('astep_targettable', 'TargetTable', 'Target Table', 100),
    str('astep_targetid', 'TargetId', 'Target Id', 100),
    str('astep_sourceresource', 'SourceResource', 'Source Resource', 100),
    str('astep_sourceid', 'SourceId', 'Source Id', SOURCE_ID_MAX_LENGTH),
    memo('astep_beforejson', 'BeforeJson', 'Before (JSON)', 1048576),
    memo('astep_afterjson', 'AfterJson', 'After (JSON)', 1048576),
    str('astep_errorcode', 'ErrorCode', 'Error Code', 50),
    memo('astep_message', 'Message', 'Message', 10000),
    dateTime('astep_occurredon', 'OccurredOn', 'Occurred On'),
  ], [{ logicalName: 'astep_auditentry_auditkey_key', schemaName: 'astep_auditentry_auditkey_key', displayName: 'Audit Key', columns: ['astep_auditkey'] }]),
];

export const SCHEMA: SolutionSchema = {
  uniqueName: SOLUTION_UNIQUE_NAME,
  friendlyName: 'Actionstep Migration',
  description: 'Moves a law firm from Actionstep into Dynamics 365 Sales: tables, app, wizard and rollback.',
  publisher: {
    uniqueName: 'astepmigration',
    friendlyName: 'Actionstep Migration',
    description: 'Publisher of the Actionstep Migration solution.',
    customizationPrefix: PUBLISHER_PREFIX,
    customizationOptionValuePrefix: OPTION_VALUE_PREFIX,
  },
  tables: TABLES,
  choices: CHOICES,
  relationships: RELATIONSHIPS,
};

export function tableByName(logicalName: string): TableDef {
  const t = TABLES.find((x) => x.logicalName === logicalName);
  if (!t) throw new Error(`Schema has no table ${logicalName}`);
  return t;
}
