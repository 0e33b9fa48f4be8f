// One definition of every Actionstep resource we read: wire field names and casing (from Actionstep's OpenAPI files
// in shared/reference/actionstep-openapi and the observed behaviour in shared/reference/actionstep-api.md), links,
// delta fields, verbs and scopes. Used by the emulator (serialize), the client (normalize, paging) and the Swagger
// generator. `toWire` / `fromWire` convert between the normalized records of records.ts and the wire JSON object.
import type { RecordsByResource, ResourceName } from './records';

export type FieldKind =
  | 'integer'
  | 'number'
  | 'money'
  | 'string'
  | 'boolean' /* "T"/"F" on the wire */
  | 'date' /* YYYY-MM-DD */
  | 'timestamp' /* ISO 8601 with offset */
  | 'time' /* HH:MM:SS */
  | 'enum';

export interface FieldDef {
  name: string;
  kind: FieldKind;
  enumValues?: string[];
  description?: string;
  /** Numbers the real API sends as JSON strings (the reference records which) */
  wireAsString?: boolean;
  /** Key of the normalized record (records.ts) this wire field maps to; absent when the record does not carry it. */
  record?: string;
  /** Value `toWire` sends when the normalized record does not carry the field (default null). */
  wireDefault?: unknown;
  /** The normalized field is non-nullable: a missing/empty wire value becomes false / "" (booleans / strings). */
  recordRequired?: boolean;
}

export interface LinkDef {
  name: string;
  resource: ResourceName;
  many?: boolean;
  /** Key of the normalized record this link maps to (an id string, or an id array when `many`). */
  record?: string;
  /** Link ids are composite strings ("7--2"), never integers. */
  composite?: boolean;
  /** The real Actionstep resource of a link whose target is not one of ours (then `resource` is a placeholder). */
  externalResource?: string;
}

export interface ResourceDef {
  name: ResourceName;
  idKind: 'integer' | 'composite' | 'string';
  description: string;
  fields: FieldDef[];
  links: LinkDef[];
  /** Field for delta filters (`modifiedTimestamp`, `lastModifiedTimestamp`, `last_modified_time_stamp`), or null. */
  modifiedField: string | null;
  verbs: Array<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'>;
  /** OAuth scope name that grants it (`all` grants everything). */
  scope: string;
  /** Actionstep's OpenAPI file in shared/reference/actionstep-openapi covering it, if any. */
  openapiFile: string | null;
  /** For composite ids: the parts joined with "--", in order (link or field names). */
  compositeParts?: string[];
  /** Page size limits (reference §5: default 50, capped silently at 200). */
  defaultPageSize: number;
  maxPageSize: number;
}

// ---- small builders keep the table readable ----
type FieldOpts = Omit<FieldDef, 'name' | 'kind'>;
function f(name: string, kind: FieldKind, opts: FieldOpts = {}): FieldDef {
  return { name, kind, ...opts };
}
/** A field carried verbatim into the normalized record under the same name. */
function r(name: string, kind: FieldKind, opts: FieldOpts = {}): FieldDef {
  return { name, kind, record: name, ...opts };
}
function e(name: string, values: string[], opts: FieldOpts = {}): FieldDef {
  return { name, kind: 'enum', enumValues: values, ...opts };
}
function l(name: string, resource: ResourceName, opts: Omit<LinkDef, 'name' | 'resource'> = {}): LinkDef {
  return { name, resource, ...opts };
}

const PAGE = { defaultPageSize: 50, maxPageSize: 200 };

function participantFields(): FieldDef[] {
  const out: FieldDef[] = [
    f('id', 'integer', { record: 'id' }),
    r('displayName', 'string', { recordRequired: true }),
    f('displayInitials', 'string'),
    r('isCompany', 'boolean', { recordRequired: true }),
    r('companyName', 'string'),
    r('salutation', 'string'),
    r('firstName', 'string'),
    r('middleName', 'string'),
    r('lastName', 'string'),
    f('suffix', 'string'),
    r('preferredName', 'string'),
  ];
  for (const p of ['physical', 'mailing'] as const) {
    out.push(
      f(`${p}AddressLine1`, 'string'),
      f(`${p}AddressLine2`, 'string'),
      f(`${p}City`, 'string'),
      f(`${p}StateProvince`, 'string'),
      f(`${p}County`, 'string'),
      f(`${p}PostCode`, 'string'),
    );
  }
  for (let n = 1; n <= 4; n++) {
    out.push(
      f(`phone${n}Label`, 'string'),
      f(`phone${n}Country`, 'integer'),
      f(`phone${n}Area`, 'integer'),
      f(`phone${n}Number`, 'string'),
      f(`phone${n}Notes`, 'string'),
    );
  }
  out.push(
    f('fax', 'string'),
    f('sms', 'string'),
    r('email', 'string'),
    r('website', 'string'),
    r('occupation', 'string'),
    f('taxNumber', 'string'),
    // Dates in real data, despite the spec's "23-May-1987" example (reference §3 participants).
    r('birthTimestamp', 'date'),
    f('deathTimestamp', 'date'),
    f('maritalStatus', 'string'),
    e('gender', ['M', 'F']),
    f('genderTypeName', 'string'),
    f('isDeceased', 'boolean'),
    e('dateOfBirthStatus', ['Known', 'Estimate', 'Not stated', 'Unknown']),
    f('countryIdOfBirth', 'string'),
    r('modifiedTimestamp', 'timestamp'),
    r('createdTimestamp', 'timestamp'),
    e('amlStatus', ['Not started', 'In progress', 'Signed off']),
    f('amlProgress', 'integer'),
    e('amlRisk', ['Low', 'Medium', 'High', 'Unknown', 'Very Low', 'Very High']),
    f('amlNote', 'string'),
    f('debtorStatementSendEmail', 'boolean'),
    f('debtorStatementUsePrimaryEmail', 'boolean'),
    f('debtorStatementEmail', 'string'),
    f('importExternalReference', 'string'),
  );
  return out;
}

export const RESOURCES: Record<ResourceName, ResourceDef> = {
  actions: {
    name: 'actions',
    idKind: 'integer',
    description: 'Matters. No POST (created through actioncreate); PUT and PATCH both accepted (reference §2).',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('name', 'string', { recordRequired: true }),
      r('reference', 'string'),
      r('priority', 'integer'),
      // Unknown values (e.g. "Pending Review") are kept verbatim by the client.
      e('status', ['Active', 'Inactive', 'Closed', 'Template'], { record: 'status', recordRequired: true }),
      r('statusTimestamp', 'timestamp'),
      // Observed as a date only, e.g. "2019-10-10" (reference §3 actions).
      r('createdTimestamp', 'date'),
      r('modifiedTimestamp', 'timestamp'),
      r('isBillableOverride', 'boolean'),
      r('isDeleted', 'boolean', { recordRequired: true }),
      r('deletedBy', 'string', { description: 'Display name of the user who deleted the matter.' }),
      r('deletedTimestamp', 'timestamp'),
      f('isFavorite', 'boolean', { wireDefault: 'F' }),
      e('overrideBillingStatus', ['Active', 'Closed']),
      f('lastAccessTimestamp', 'timestamp'),
      f('importExternalReference', 'string'),
      e('amlReviewStatus', ['Not required', 'Not started', 'In progress', 'Complete', 'Delayed', 'None'], { wireDefault: 'None' }),
      f('bannerText', 'string'),
    ],
    links: [
      l('assignedTo', 'participants', { record: 'assignedToParticipantId' }),
      l('division', 'participants', { record: 'divisionId', externalResource: 'divisions' }),
      l('actionType', 'actiontypes', { record: 'actionTypeId' }),
      l('primaryParticipants', 'participants', { many: true, record: 'primaryParticipantIds' }),
      l('step', 'steps', { record: 'stepId', composite: true }),
      l('billSettings', 'actions', { externalResource: 'actionbillsettings' }),
      l('relatedActions', 'actions', { many: true }),
    ],
    modifiedField: 'modifiedTimestamp',
    verbs: ['GET', 'PUT', 'PATCH'],
    scope: 'actions',
    openapiFile: 'actions.yml',
    ...PAGE,
  },
  actiontypes: {
    name: 'actiontypes',
    idKind: 'integer',
    description: 'Matter types.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('name', 'string', { recordRequired: true }),
      r('description', 'string'),
      f('copyrightHolder', 'string'),
      f('copyrightContact', 'string'),
      f('copyrightEmail', 'string'),
      r('trackActualTime', 'boolean', { recordRequired: true }),
      r('trackBillableTime', 'boolean', { recordRequired: true }),
      f('isForMarketingCampaigns', 'boolean'),
      f('isForMarketingEvents', 'boolean'),
      f('isForEmployees', 'boolean'),
      f('isForCrm', 'boolean'),
      f('isForDebtCollection', 'boolean'),
      r('isDisabled', 'boolean', { recordRequired: true }),
      r('isBillable', 'boolean', { recordRequired: true }),
      f('enableActionImage', 'boolean'),
      f('defaultEmailSubject', 'string'),
      f('logoFilename', 'string'),
      f('customLogoFilename', 'string'),
      f('customLogoDirectory', 'string'),
      // Observed as "" (reference §3 actiontypes).
      f('customLogoFilesize', 'integer', { wireAsString: true }),
      f('customLogoModifiedTimestamp', 'timestamp'),
      f('templateIdentifier', 'string'),
      f('allowCloseWithOpenInvoice', 'boolean'),
      f('allowInlineCustomizing', 'boolean'),
      f('canCreate', 'boolean'),
      f('showAmlReviewStatus', 'boolean'),
    ],
    links: [l('primaryParticipantType', 'participanttypes', { record: 'primaryParticipantTypeId' })],
    modifiedField: null,
    verbs: ['GET'],
    scope: 'actiontypes',
    openapiFile: 'actiontypes.yml',
    ...PAGE,
  },
  participants: {
    name: 'participants',
    idKind: 'integer',
    description: 'Contacts: people and organisations. Users are participants too.',
    fields: participantFields(),
    links: [
      l('physicalCountry', 'participants', { externalResource: 'countries' }),
      l('mailingCountry', 'participants', { externalResource: 'countries' }),
      l('division', 'participants', { record: 'divisionId', externalResource: 'divisions' }),
    ],
    modifiedField: 'modifiedTimestamp',
    verbs: ['GET', 'POST', 'PUT'],
    scope: 'participants',
    openapiFile: 'participants.yml',
    ...PAGE,
  },
  participanttypes: {
    name: 'participanttypes',
    idKind: 'integer',
    description: 'Participant roles (Client, Other Side, ...). Legacy resource, no official YAML.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('name', 'string', { recordRequired: true }),
      r('displayName', 'string'),
      r('description', 'string'),
      r('isBaseParticipantType', 'boolean', { recordRequired: true }),
      r('companyFlag', 'boolean'),
      f('taxNumberAlias', 'string'),
    ],
    links: [],
    modifiedField: null,
    verbs: ['GET'],
    scope: 'participanttypes',
    openapiFile: null,
    ...PAGE,
  },
  actionparticipants: {
    name: 'actionparticipants',
    idKind: 'composite',
    description: 'Matter-participant link, id "<actionId>--<participantTypeId>--<participantId>". No update, no timestamp.',
    fields: [f('id', 'string', { record: 'id' }), r('participantNumber', 'integer')],
    links: [
      l('action', 'actions', { record: 'actionId' }),
      l('participantType', 'participanttypes', { record: 'participantTypeId' }),
      l('participant', 'participants', { record: 'participantId' }),
    ],
    modifiedField: null,
    verbs: ['GET', 'POST', 'DELETE'],
    scope: 'actionparticipants',
    openapiFile: 'actionparticipants.yml',
    compositeParts: ['action', 'participantType', 'participant'],
    ...PAGE,
  },
  datacollections: {
    name: 'datacollections',
    idKind: 'integer',
    description: 'Custom data collections, per matter type.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('name', 'string', { recordRequired: true }),
      r('description', 'string'),
      r('multipleRecords', 'boolean', { recordRequired: true }),
      r('order', 'integer'),
      r('label', 'string'),
      f('alwaysShowDescriptions', 'boolean'),
    ],
    links: [l('actionType', 'actiontypes', { record: 'actionTypeId' })],
    modifiedField: null,
    verbs: ['GET', 'POST', 'PUT', 'DELETE'],
    scope: 'datacollections',
    openapiFile: 'datacollections.yml',
    ...PAGE,
  },
  datacollectionfields: {
    name: 'datacollectionfields',
    idKind: 'composite',
    description: 'Fields of a data collection, id "<dataCollectionId>--<fieldName>".',
    fields: [
      f('id', 'string', { record: 'id' }),
      r('name', 'string', { recordRequired: true }),
      e(
        'dataType',
        ['Appointment', 'AutoNumber', 'AutoNumberDC', 'Boolean', 'Date', 'DateNM', 'DateTime', 'DateTimeNM', 'DropDown',
          'DropDownMulti', 'HtmlReadOnly', 'Money', 'Number', 'Participant', 'Str255', 'Str255Protected', 'TextArea'],
        { record: 'dataType', recordRequired: true },
      ),
      r('label', 'string'),
      r('formOrder', 'integer'),
      f('listOrder', 'integer'),
      r('required', 'boolean', { recordRequired: true }),
      r('description', 'string'),
      f('customHtmlBelow', 'string'),
      f('customHtmlAbove', 'string'),
    ],
    links: [l('dataCollection', 'datacollections', { record: 'dataCollectionId' }), l('tag', 'datacollections', { externalResource: 'tags' })],
    modifiedField: null,
    verbs: ['GET', 'POST', 'PUT', 'DELETE'],
    scope: 'datacollectionfields',
    openapiFile: 'datacollectionfields.yml',
    compositeParts: ['dataCollection', 'name'],
    ...PAGE,
  },
  datacollectionrecords: {
    name: 'datacollectionrecords',
    idKind: 'integer',
    description: 'A record of a data collection on a matter.',
    fields: [f('id', 'integer', { record: 'id' }), f('canWrite', 'boolean'), f('canDelete', 'boolean')],
    links: [
      l('action', 'actions', { record: 'actionId' }),
      l('dataCollection', 'datacollections', { record: 'dataCollectionId' }),
    ],
    modifiedField: null,
    verbs: ['GET', 'POST', 'DELETE'],
    scope: 'datacollectionrecords',
    openapiFile: 'datacollectionrecords.yml',
    ...PAGE,
  },
  datacollectionrecordvalues: {
    name: 'datacollectionrecordvalues',
    idKind: 'composite',
    description: 'One value of a data collection record, id "<dataCollectionId>--<fieldName>--<recordId>". snake_case timestamps.',
    fields: [
      f('id', 'string', { record: 'id' }),
      r('stringValue', 'string'),
      f('last_modified_time_stamp', 'timestamp', { record: 'lastModifiedTimestamp' }),
      f('last_modified_by_user_id', 'integer'),
    ],
    links: [
      l('action', 'actions', { record: 'actionId' }),
      l('dataCollectionField', 'datacollectionfields', { record: 'dataCollectionFieldId', composite: true }),
      l('dataCollectionRecord', 'datacollectionrecords', { record: 'dataCollectionRecordId' }),
      l('dataCollection', 'datacollections', { record: 'dataCollectionId' }),
    ],
    modifiedField: 'last_modified_time_stamp',
    verbs: ['GET', 'POST', 'PUT'],
    scope: 'datacollectionrecordvalues',
    openapiFile: 'datacollectionrecordvalues.yml',
    compositeParts: ['dataCollection', 'fieldName', 'dataCollectionRecord'],
    ...PAGE,
  },
  timeentries: {
    name: 'timeentries',
    idKind: 'integer',
    description: 'Time entries (Enhanced Billing Mode). No modified timestamp: delta impossible.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('timestampDate', 'timestamp'),
      r('description', 'string'),
      // The wiki example sends hours as strings ("1.00"); we emulate the harsher form (reference §3, §7).
      r('actualHours', 'number', { wireAsString: true }),
      r('billableHours', 'number', { wireAsString: true }),
      r('createdTimestamp', 'timestamp'),
      r('startTime', 'time'),
      e('timerStatus', ['Running', 'Paused', 'Stopped', 'Locked']),
      f('timerStartedClientTimestamp', 'timestamp'),
      f('timerDurationSeconds', 'integer'),
      e('billingBehavior', ['Bill', 'Hide', 'No charge'], { record: 'billingBehavior' }),
      r('rateUnitPrice', 'money'),
      e('rateSource', ['Default', 'Timekeeper', 'Action', 'Participant', 'Custom', 'Bulk custom rate']),
      f('rateTimestamp', 'string'),
      e('billableAmountType', ['Fixed', 'Calculated']),
      r('billableAmount', 'money'),
      r('isBillable', 'boolean'),
      f('importExternalReference', 'string'),
    ],
    links: [
      l('task', 'tasks'),
      l('createdBy', 'participants', { record: 'createdByParticipantId' }),
      l('owner', 'participants', { record: 'ownerParticipantId' }),
      l('action', 'actions', { record: 'actionId' }),
    ],
    modifiedField: null,
    verbs: ['GET', 'POST', 'PUT', 'DELETE'],
    scope: 'timeentries',
    openapiFile: 'timeentries.yml',
    ...PAGE,
  },
  disbursements: {
    name: 'disbursements',
    idKind: 'integer',
    description: 'Disbursements (expenses on a matter). No modified timestamp.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('date', 'date'),
      r('description', 'string'),
      r('quantity', 'number'),
      r('unitPrice', 'money'),
      r('unitPriceIncludesTax', 'boolean'),
      f('utbmsExpenseCode', 'string'),
      f('importExternalReference', 'string'),
      r('enteredTimestamp', 'timestamp'),
      f('isAnticipated', 'boolean'),
    ],
    links: [
      l('action', 'actions', { record: 'actionId' }),
      l('enteredByParticipant', 'participants', { record: 'enteredByParticipantId' }),
    ],
    modifiedField: null,
    verbs: ['GET', 'POST', 'PUT', 'DELETE'],
    scope: 'disbursements',
    openapiFile: 'disbursements.yml',
    ...PAGE,
  },
  bills: {
    name: 'bills',
    idKind: 'integer',
    description: 'Invoices. The `action` link is an array: a bill can span matters.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      e('status', ['Draft', 'Open', 'Closed', 'Deleted'], { record: 'status', recordRequired: true }),
      r('ourReference', 'string'),
      f('theirReference', 'string'),
      r('currency', 'string'),
      r('invoiceDate', 'date'),
      r('dueDate', 'date'),
      r('totalInclusive', 'money'),
      r('totalExclusive', 'money'),
      r('totalSalesTax', 'money'),
      r('totalPaid', 'money'),
      r('totalDue', 'money'),
      r('createdTimestamp', 'timestamp'),
      r('modifiedTimestamp', 'timestamp'),
      f('deletedTimestamp', 'timestamp'),
    ],
    links: [
      l('division', 'participants', { externalResource: 'divisions' }),
      l('action', 'actions', { many: true, record: 'actionIds' }),
      l('theirParticipant', 'participants'),
    ],
    modifiedField: 'modifiedTimestamp',
    verbs: ['GET'],
    scope: 'bills',
    openapiFile: 'bills.yml',
    ...PAGE,
  },
  filenotes: {
    name: 'filenotes',
    idKind: 'integer',
    description: 'File notes. Many are System-generated (filter with source_nteq=System). No modified timestamp.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('enteredTimestamp', 'timestamp'),
      r('text', 'string'),
      r('enteredBy', 'string'),
      e('source', ['System', 'User'], { record: 'source' }),
      r('noteTimestamp', 'timestamp'),
    ],
    links: [
      l('action', 'actions', { record: 'actionId' }),
      l('document', 'actiondocuments', { record: 'documentId' }),
      l('participant', 'participants', { record: 'participantId' }),
      l('tags', 'filenotes', { many: true, externalResource: 'tags' }),
    ],
    modifiedField: null,
    verbs: ['GET', 'POST', 'PUT', 'DELETE'],
    scope: 'filenotes',
    openapiFile: 'filenotes.yml',
    ...PAGE,
  },
  tasks: {
    name: 'tasks',
    idKind: 'integer',
    description: 'Tasks on a matter.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('name', 'string', { recordRequired: true }),
      e('status', ['Incomplete', 'Complete', 'Hidden', 'Deleted'], { record: 'status', recordRequired: true }),
      e('priority', ['Low', 'Normal', 'High'], { record: 'priority' }),
      r('dueTimestamp', 'timestamp'),
      r('startedTimestamp', 'timestamp'),
      r('completedTimestamp', 'timestamp'),
      r('lastModifiedTimestamp', 'timestamp'),
      f('actualHours', 'number'),
      f('billableHours', 'number'),
      r('description', 'string'),
      r('assignedBy', 'string'),
      r('completeDuringStep', 'integer'),
      f('completeBeforeStep', 'integer'),
      f('mustStartBeforeTimestamp', 'timestamp'),
      f('expectedDurationValue', 'integer'),
      f('expectedDurationUnits', 'string'),
      f('isBillingHold', 'boolean'),
      f('isPartBilled', 'boolean'),
      f('confirmedNonBillable', 'boolean'),
      f('confirmedNonBillableTimestamp', 'timestamp'),
      f('hasTriggerDate', 'boolean'),
      f('triggerField', 'string'),
      f('triggerOffset', 'integer'),
      f('triggerWeekdaysOnly', 'boolean'),
    ],
    links: [
      l('action', 'actions', { record: 'actionId' }),
      l('assignee', 'participants', { record: 'assigneeParticipantId' }),
      l('rate', 'participants', { externalResource: 'rates' }),
    ],
    modifiedField: 'lastModifiedTimestamp',
    verbs: ['GET', 'POST', 'PUT', 'DELETE'],
    scope: 'tasks',
    openapiFile: 'tasks.yml',
    ...PAGE,
  },
  actiondocuments: {
    name: 'actiondocuments',
    idKind: 'integer',
    description: 'Documents on a matter; bytes via GET files/{file}?part_number=k in 5 MB parts.',
    fields: [
      f('id', 'integer', { record: 'id' }),
      r('name', 'string', { recordRequired: true }),
      r('modifiedTimestamp', 'timestamp'),
      r('createdTimestamp', 'timestamp'),
      r('status', 'string'),
      f('keywords', 'string'),
      f('summary', 'string'),
      f('checkedOutTimestamp', 'timestamp'),
      f('checkedOutTo', 'string'),
      f('checkedOutEtaTimestamp', 'timestamp'),
      r('fileType', 'string'),
      // "bytes, sometimes a string" (reference §3 documents): emulate the string form.
      r('fileSize', 'integer', { wireAsString: true }),
      r('extension', 'string'),
      r('fileName', 'string'),
      r('sharepointUrl', 'string'),
      r('isDeleted', 'boolean', { recordRequired: true }),
      r('file', 'string', { description: 'Download id, e.g. "DL::Actions::15::127"; never percent-encode it.' }),
    ],
    links: [
      l('action', 'actions', { record: 'actionId' }),
      l('folder', 'actiondocuments', { record: 'folderId', externalResource: 'actionfolders' }),
      l('createdBy', 'participants', { record: 'createdByParticipantId' }),
      l('checkedOutBy', 'participants'),
    ],
    modifiedField: 'modifiedTimestamp',
    verbs: ['GET', 'POST', 'PUT', 'DELETE'],
    scope: 'actiondocuments',
    openapiFile: null,
    ...PAGE,
  },
  users: {
    name: 'users',
    idKind: 'integer',
    description: 'Users (read-only). Names live on the linked participant (include=participant).',
    fields: [
      f('id', 'integer', { record: 'id' }),
      f('isCurrent', 'boolean'),
      r('emailAddress', 'string'),
      r('isActive', 'boolean', { recordRequired: true }),
      r('hasAuthority', 'boolean', { recordRequired: true }),
    ],
    links: [
      l('participant', 'participants', { record: 'participantId' }),
      l('division', 'participants', { externalResource: 'divisions' }),
    ],
    modifiedField: null,
    verbs: ['GET'],
    scope: 'users',
    openapiFile: null,
    ...PAGE,
  },
  steps: {
    name: 'steps',
    idKind: 'composite',
    // Field names are inferred [I]: the reference only records the resource and its "<actionTypeId>--<stepNumber>" id.
    description: 'Workflow steps of a matter type, id "<actionTypeId>--<stepNumber>".',
    fields: [
      f('id', 'string', { record: 'id' }),
      r('stepNumber', 'integer'),
      r('stepName', 'string', { recordRequired: true }),
      r('description', 'string'),
      r('isClosedStep', 'boolean', { recordRequired: true }),
    ],
    links: [l('actionType', 'actiontypes', { record: 'actionTypeId' })],
    modifiedField: null,
    verbs: ['GET'],
    scope: 'steps',
    openapiFile: null,
    compositeParts: ['actionType', 'stepNumber'],
    ...PAGE,
  },
};

/** False for links whose target (divisions, countries, tags, rates, folders, bill settings) is not a modelled
 *  resource: they cannot be included or filtered through, and `resource` is only a placeholder. */
export function isLinkModelled(resource: ResourceName, link: string): boolean {
  const def = RESOURCES[resource].links.find((l) => l.name === link);
  return def !== undefined && !def.externalResource;
}

export const RESOURCE_NAMES = Object.keys(RESOURCES) as ResourceName[];

export function isResourceName(name: string): name is ResourceName {
  return Object.prototype.hasOwnProperty.call(RESOURCES, name);
}

export function resourceDef(name: string): ResourceDef {
  if (!isResourceName(name)) {
    throw new Error(
      `Unknown Actionstep resource "${name}". Resource names are case-sensitive lowercase plurals; known: ${RESOURCE_NAMES.join(', ')}.`,
    );
  }
  return RESOURCES[name];
}

// ---------------------------------------------------------------------------------------------------------------
// Wire <-> normalized conversion
// ---------------------------------------------------------------------------------------------------------------

export type WireObject = Record<string, unknown> & { links?: Record<string, unknown> };

/** A value that could not be parsed; the record keeps null (or the required default) and the caller reports it. */
export interface WireIssue {
  resource: ResourceName;
  id: string | null;
  field: string;
  rule: string;
  value: unknown;
}

export interface FromWireOptions {
  /** Sideloaded records (`linked` of the response) so users can take `displayName` from their participant. */
  linked?: Record<string, unknown>;
  onIssue?: (issue: WireIssue) => void;
  /** Keep what Actionstep sent for every field whose normalized value differs ("1.50" for 1.5, "T" for true): see wireValuesOf. */
  keepWire?: boolean;
}

/** Key of the raw wire values on a record (non-enumerable on the client's records; the engine stages it). */
export const WIRE_KEY = '$wire';

/**
 * The values Actionstep sent, by normalized field name, for the fields whose normalized value differs from them
 * (a number sent as "1,250.00" or "1.50", a boolean sent as "T", an empty string made null); undefined when none.
 * The sample diff shows these beside the expected and actual values.
 */
export function wireValuesOf(record: unknown): Record<string, unknown> | undefined {
  return record && typeof record === 'object' ? ((record as Record<string, unknown>)[WIRE_KEY] as Record<string, unknown> | undefined) : undefined;
}

function keepWireValues(def: ResourceDef, w: WireObject, links: Record<string, unknown>, rec: Record<string, unknown>): void {
  const raw: Record<string, unknown> = {};
  const differs = (sent: unknown, kept: unknown) => sent !== undefined && (typeof sent === 'object' && sent !== null ? JSON.stringify(sent) !== JSON.stringify(kept) : sent !== kept);
  for (const fd of def.fields) if (fd.record && fd.name !== 'id' && differs(w[fd.name], rec[fd.record])) raw[fd.record] = w[fd.name];
  for (const ld of def.links) if (ld.record && differs(links[ld.name], rec[ld.record])) raw[ld.record] = links[ld.name];
  if (Object.keys(raw).length) Object.defineProperty(rec, WIRE_KEY, { value: raw, enumerable: false, configurable: true });
}

export interface ToWireOptions {
  /** Extra wire fields to set or override (e.g. `isCurrent` on users, fields the record does not carry). */
  extras?: Record<string, unknown>;
}

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

function wireBool(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return v ? 'T' : 'F';
}

function numToWire(v: unknown, def: FieldDef): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number') return v;
  if (!def.wireAsString) return v;
  if (def.kind === 'money' || def.kind === 'number') {
    const two = v.toFixed(2);
    return Number(two) === v ? two : String(v);
  }
  return String(v);
}

function scalarToWire(v: unknown, def: FieldDef): unknown {
  switch (def.kind) {
    case 'boolean':
      return wireBool(v);
    case 'integer':
    case 'number':
    case 'money':
      return numToWire(v, def);
    default:
      return v === undefined ? null : v;
  }
}

function linkToWire(v: unknown, link: LinkDef): unknown {
  if (link.many) {
    if (!Array.isArray(v) || v.length === 0) return null; // observed: null, not [], for an empty link list
    return v.map((x) => String(x));
  }
  return isEmpty(v) ? null : String(v);
}

function parseBool(v: unknown, ctx: IssueCtx): boolean | null {
  if (isEmpty(v)) return null;
  if (v === true || v === 'T' || v === 't' || v === 'true' || v === 'True' || v === 1 || v === '1') return true;
  if (v === false || v === 'F' || v === 'f' || v === 'false' || v === 'False' || v === 0 || v === '0') return false;
  ctx.issue('expected "T" or "F"', v);
  return null;
}

function parseNum(v: unknown, integer: boolean, ctx: IssueCtx): number | null {
  if (isEmpty(v)) return null;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v.trim()) : NaN;
  if (!Number.isFinite(n) || (typeof v === 'string' && v.trim() === '')) {
    ctx.issue(integer ? 'expected an integer' : 'expected a number', v);
    return null;
  }
  if (integer && !Number.isInteger(n)) {
    ctx.issue('expected an integer', v);
    return null;
  }
  return n;
}

function parseStr(v: unknown, ctx: IssueCtx): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  ctx.issue('expected a string', v);
  return null;
}

interface IssueCtx {
  issue(rule: string, value: unknown): void;
}

function makeCtx(resource: ResourceName, id: string | null, field: string, opts: FromWireOptions): IssueCtx {
  return {
    issue: (rule, value) => opts.onIssue?.({ resource, id, field, rule, value }),
  };
}

function scalarFromWire(v: unknown, def: FieldDef, ctx: IssueCtx): unknown {
  let out: unknown;
  switch (def.kind) {
    case 'boolean':
      out = parseBool(v, ctx);
      if (out === null && def.recordRequired) out = false;
      return out;
    case 'integer':
      return parseNum(v, true, ctx);
    case 'number':
    case 'money':
      return parseNum(v, false, ctx);
    default:
      // Text, dates, timestamps and enums are kept verbatim (the engine validates and reports).
      out = parseStr(v, ctx);
      if (out === null && def.recordRequired) out = '';
      return out;
  }
}

function linkFromWire(v: unknown, link: LinkDef, ctx: IssueCtx): string | string[] | null {
  if (link.many) {
    if (isEmpty(v)) return [];
    const arr = Array.isArray(v) ? v : [v]; // tolerate a single id where an array is expected
    const out: string[] = [];
    for (const x of arr) {
      if (isEmpty(x)) continue;
      if (typeof x === 'string' || typeof x === 'number') out.push(String(x));
      else ctx.issue('expected a link id', x);
    }
    return out;
  }
  if (isEmpty(v)) return null;
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  ctx.issue('expected a link id', v);
  return null;
}

const ADDRESS_PARTS: Array<[string, string]> = [
  ['line1', 'AddressLine1'],
  ['line2', 'AddressLine2'],
  ['city', 'City'],
  ['stateProvince', 'StateProvince'],
  ['postCode', 'PostCode'],
];

function participantExtrasToWire(rec: Record<string, unknown>, wire: WireObject, links: Record<string, unknown>): void {
  for (const p of ['physical', 'mailing'] as const) {
    const addr = (rec[`${p}Address`] ?? {}) as Record<string, unknown>;
    for (const [k, w] of ADDRESS_PARTS) wire[`${p}${w}`] = addr[k] ?? null;
    links[`${p}Country`] = isEmpty(addr.country) ? null : String(addr.country);
  }
  const phones = (Array.isArray(rec.phones) ? rec.phones : []) as Array<Record<string, unknown>>;
  for (let n = 1; n <= 4; n++) {
    const ph = phones[n - 1];
    wire[`phone${n}Label`] = ph?.label ?? null;
    wire[`phone${n}Country`] = ph?.country ?? null;
    wire[`phone${n}Area`] = ph?.area ?? null;
    wire[`phone${n}Number`] = ph?.number ?? null;
  }
}

function participantExtrasFromWire(wire: WireObject, rec: Record<string, unknown>, idOf: (f: string) => IssueCtx): void {
  const links = (wire.links ?? {}) as Record<string, unknown>;
  for (const p of ['physical', 'mailing'] as const) {
    const addr: Record<string, unknown> = {};
    for (const [k, w] of ADDRESS_PARTS) addr[k] = parseStr(wire[`${p}${w}`], idOf(`${p}${w}`));
    addr.country = parseStr(links[`${p}Country`], idOf(`links.${p}Country`));
    rec[`${p}Address`] = addr;
  }
  const phones: Array<Record<string, unknown>> = [];
  for (let n = 1; n <= 4; n++) {
    const ph = {
      label: parseStr(wire[`phone${n}Label`], idOf(`phone${n}Label`)),
      country: parseNum(wire[`phone${n}Country`], true, idOf(`phone${n}Country`)),
      area: parseNum(wire[`phone${n}Area`], true, idOf(`phone${n}Area`)),
      number: parseStr(wire[`phone${n}Number`], idOf(`phone${n}Number`)),
    };
    if (ph.label !== null || ph.country !== null || ph.area !== null || ph.number !== null) phones.push(ph);
  }
  rec.phones = phones;
}

/** Normalized record -> the wire JSON object the real API sends (T/F, string link ids, `links`, numbers as strings). */
export function toWire<R extends ResourceName>(
  resource: R,
  record: RecordsByResource[R],
  options: ToWireOptions = {},
): WireObject {
  const def = resourceDef(resource);
  const rec = record as unknown as Record<string, unknown>;
  const wire: WireObject = {};
  for (const fd of def.fields) {
    if (fd.name === 'id') {
      wire.id = def.idKind === 'integer' && /^-?\d+$/.test(String(rec.id)) ? Number(rec.id) : String(rec.id);
      continue;
    }
    wire[fd.name] = fd.record ? scalarToWire(rec[fd.record], fd) : (fd.wireDefault ?? null);
  }
  const links: Record<string, unknown> = {};
  for (const ld of def.links) links[ld.name] = ld.record ? linkToWire(rec[ld.record], ld) : null;
  if (resource === 'participants') participantExtrasToWire(rec, wire, links);
  if (options.extras) {
    for (const [k, v] of Object.entries(options.extras)) {
      if (k === 'links' && v && typeof v === 'object') Object.assign(links, v);
      else wire[k] = v;
    }
  }
  wire.links = links;
  return wire;
}

/**
 * Wire JSON object -> normalized record. Tolerates numbers or strings, "" for empty, null, missing fields, link ids as
 * numbers or strings. Unparseable values become null (or the non-null default) and are reported through `onIssue`.
 */
export function fromWire<R extends ResourceName>(
  resource: R,
  wire: unknown,
  options: FromWireOptions = {},
): RecordsByResource[R] {
  const def = resourceDef(resource);
  if (!wire || typeof wire !== 'object' || Array.isArray(wire)) {
    throw new Error(`Actionstep ${resource}: expected a JSON object for one record, got ${Array.isArray(wire) ? 'an array' : typeof wire}.`);
  }
  const w = wire as WireObject;
  const id = isEmpty(w.id) ? null : String(w.id);
  const ctxFor = (field: string): IssueCtx => makeCtx(resource, id, field, options);
  const rec: Record<string, unknown> = {};
  for (const fd of def.fields) {
    if (!fd.record) continue;
    if (fd.name === 'id') {
      if (id === null) ctxFor('id').issue('missing id', w.id);
      rec.id = id ?? '';
      continue;
    }
    rec[fd.record] = scalarFromWire(w[fd.name], fd, ctxFor(fd.name));
  }
  const links = (w.links && typeof w.links === 'object' ? w.links : {}) as Record<string, unknown>;
  for (const ld of def.links) {
    if (!ld.record) continue;
    rec[ld.record] = linkFromWire(links[ld.name], ld, ctxFor(`links.${ld.name}`));
  }
  switch (resource) {
    case 'participants':
      participantExtrasFromWire(w, rec, ctxFor);
      break;
    case 'users':
      rec.displayName = linkedDisplayName(options.linked, rec.participantId as string | null);
      break;
    case 'datacollectionfields':
      if (rec.dataCollectionId === null) rec.dataCollectionId = compositePart(id, 0);
      break;
    case 'actionparticipants':
      rec.actionId ??= compositePart(id, 0);
      rec.participantTypeId ??= compositePart(id, 1);
      rec.participantId ??= compositePart(id, 2);
      break;
    case 'steps':
      if (rec.actionTypeId === null) rec.actionTypeId = compositePart(id, 0);
      if (rec.stepNumber === null) {
        const n = Number(compositePart(id, 1));
        rec.stepNumber = Number.isInteger(n) ? n : null;
      }
      break;
    default:
      break;
  }
  if (options.keepWire) keepWireValues(def, w, links, rec);
  return rec as unknown as RecordsByResource[R];
}

function compositePart(id: string | null, index: number): string {
  if (!id) return '';
  return id.split('--')[index] ?? '';
}

function linkedDisplayName(linked: Record<string, unknown> | undefined, participantId: string | null): string | null {
  if (!linked || participantId === null) return null;
  const list = linked.participants;
  const arr = Array.isArray(list) ? list : list ? [list] : [];
  for (const p of arr as WireObject[]) {
    if (p && String(p.id) === participantId) return typeof p.displayName === 'string' && p.displayName !== '' ? p.displayName : null;
  }
  return null;
}

/** Split a composite id ("1--27--10"). Parts may themselves contain "-" but never "--" except data collection field
 *  names, which is why a value id is split from both ends: first part, last part, and the middle kept whole. */
export function splitCompositeId(resource: ResourceName, id: string): string[] {
  const def = resourceDef(resource);
  const n = def.compositeParts?.length ?? 1;
  const parts = id.split('--');
  if (n <= 1 || parts.length === n) return parts;
  if (parts.length < n) return parts;
  if (n === 2) return [parts[0], parts.slice(1).join('--')];
  return [parts[0], parts.slice(1, parts.length - 1).join('--'), parts[parts.length - 1]];
}
