// Standard (platform) tables with their real logical names, entity sets, primary keys, object type codes and a
// realistic set of columns (lengths and choice values from the learn.microsoft.com table reference pages:
// /power-apps/developer/data-platform/reference/entities/<table>). Custom columns are NOT here: they arrive through
// applySchema.
import { createHash } from 'node:crypto';
import type { AttrMeta, AttrType, EntityMeta, OptionSetMeta, RequiredLevelValue } from './metadataTypes';

/** Deterministic GUID from a name, so metadata ids are stable across restarts. */
export function stableGuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type DropFirst2<T extends unknown[]> = T extends [unknown, unknown, ...infer R] ? R : never;

export interface AttrOpts {
  required?: RequiredLevelValue;
  maxLength?: number;
  precision?: number;
  minValue?: number;
  maxValue?: number;
  dateBehavior?: AttrMeta['dateBehavior'];
  optionSet?: string;
  targets?: AttrMeta['targets'];
  navStyle?: AttrMeta['navStyle'];
  navName?: string;
  create?: boolean;
  update?: boolean;
  computed?: boolean;
  format?: string;
  schemaName?: string;
  cascade?: AttrMeta['cascadeDelete'];
}

export function attr(table: string, logicalName: string, type: AttrType, displayName: string, o: AttrOpts = {}): AttrMeta {
  return {
    logicalName,
    schemaName: o.schemaName ?? logicalName.charAt(0).toUpperCase() + logicalName.slice(1),
    displayName,
    type,
    required: o.required ?? 'None',
    maxLength: o.maxLength,
    precision: o.precision,
    minValue: o.minValue,
    maxValue: o.maxValue,
    dateBehavior: type === 'datetime' ? (o.dateBehavior ?? 'UserLocal') : undefined,
    optionSet: o.optionSet,
    targets: o.targets,
    navStyle: o.navStyle ?? (type === 'lookup' ? 'single' : undefined),
    navName: o.navName ?? (type === 'lookup' ? logicalName : undefined),
    validForCreate: o.create ?? true,
    validForUpdate: o.update ?? true,
    isCustom: false,
    computed: o.computed,
    format: o.format,
    cascadeDelete: o.cascade,
    metadataId: stableGuid(`attr:${table}.${logicalName}`),
  };
}

const ro = { create: false, update: false } as const;

export interface StandardTableSet {
  entities: EntityMeta[];
  optionSets: OptionSetMeta[];
}

export function optionSet(name: string, type: OptionSetMeta['optionSetType'], options: OptionSetMeta['options'], isGlobal = false): OptionSetMeta {
  return { name, displayName: name, description: '', isGlobal, optionSetType: type, options, metadataId: stableGuid(`optionset:${name}`) };
}

export function makeEntity(
entities: EntityMeta[],
optionSets: OptionSetMeta[],
  logicalName: string,
  entitySetName: string,
  objectTypeCode: number,
  displayName: string,
  displayCollectionName: string,
  primaryNameAttribute: string,
  opts: {
    primaryIdAttribute?: string;
    ownership?: EntityMeta['ownership'];
    hasNotes?: boolean;
    hasActivities?: boolean;
    isActivity?: boolean;
    money?: boolean;
    readOnly?: boolean;
    states?: Array<{ value: number; label: string; defaultStatus: number }>;
    statuses?: Array<{ value: number; label: string; state: number }>;
    concurrency?: boolean;
    isCustom?: boolean;
    schemaName?: string;
    description?: string;
    metadataId?: string;
  },
  columns: (t: string) => AttrMeta[],
): void {
  const pk = opts.primaryIdAttribute ?? `${logicalName}id`;
  const a: AttrMeta[] = [attr(logicalName, pk, 'uniqueidentifier', `${displayName}`, { update: false })];
  a[0].isPrimaryId = true;
  a.push(...columns(logicalName));
  const pn = a.find((x) => x.logicalName === primaryNameAttribute);
  if (pn) pn.isPrimaryName = true;
  const ownership = opts.ownership ?? 'UserOwned';
  if (ownership === 'UserOwned') {
    a.push(
      attr(logicalName, 'ownerid', 'owner', 'Owner', { targets: ['systemuser', 'team'], navStyle: 'owner', navName: 'ownerid', required: 'SystemRequired' }),
      attr(logicalName, 'owninguser', 'lookup', 'Owning User', { ...ro, targets: ['systemuser'] }),
      attr(logicalName, 'owningteam', 'lookup', 'Owning Team', { ...ro, targets: ['team'] }),
      attr(logicalName, 'owningbusinessunit', 'lookup', 'Owning Business Unit', { ...ro, targets: ['businessunit'] }),
    );
  } else if (ownership === 'OrganizationOwned') {
    a.push(attr(logicalName, 'organizationid', 'lookup', 'Organization', { ...ro, targets: ['organization'] }));
  }
  a.push(
    attr(logicalName, 'createdon', 'datetime', 'Created On', ro),
    attr(logicalName, 'modifiedon', 'datetime', 'Modified On', ro),
    attr(logicalName, 'createdby', 'lookup', 'Created By', { ...ro, targets: ['systemuser'] }),
    attr(logicalName, 'modifiedby', 'lookup', 'Modified By', { ...ro, targets: ['systemuser'] }),
    attr(logicalName, 'createdonbehalfby', 'lookup', 'Created By (Delegate)', { ...ro, targets: ['systemuser'] }),
    attr(logicalName, 'modifiedonbehalfby', 'lookup', 'Modified By (Delegate)', { ...ro, targets: ['systemuser'] }),
    attr(logicalName, 'overriddencreatedon', 'datetime', 'Record Created On', { update: false, dateBehavior: 'DateOnly' }),
    attr(logicalName, 'versionnumber', 'bigint', 'Version Number', ro),
    attr(logicalName, 'importsequencenumber', 'integer', 'Import Sequence Number', { update: false }),
    attr(logicalName, 'timezoneruleversionnumber', 'integer', 'Time Zone Rule Version Number'),
    attr(logicalName, 'utcconversiontimezonecode', 'integer', 'UTC Conversion Time Zone Code'),
  );
  // overriddencreatedon is DateOnly-formatted on the real platform but stores a full timestamp: keep UserLocal.
  a.find((x) => x.logicalName === 'overriddencreatedon')!.dateBehavior = 'UserLocal';
  if (opts.money) {
    a.push(
      attr(logicalName, 'transactioncurrencyid', 'lookup', 'Currency', { targets: ['transactioncurrency'] }),
      attr(logicalName, 'exchangerate', 'decimal', 'Exchange Rate', { ...ro, precision: 10 }),
    );
  }
  if (opts.states && opts.statuses) {
    optionSets.push(optionSet(`${logicalName}_statecode`, 'State', opts.states.map((s) => ({ value: s.value, label: s.label, defaultStatus: s.defaultStatus }))));
    optionSets.push(optionSet(`${logicalName}_statuscode`, 'Status', opts.statuses.map((s) => ({ value: s.value, label: s.label, state: s.state }))));
    a.push(
      attr(logicalName, 'statecode', 'state', 'Status', { optionSet: `${logicalName}_statecode`, required: 'SystemRequired' }),
      attr(logicalName, 'statuscode', 'status', 'Status Reason', { optionSet: `${logicalName}_statuscode` }),
    );
  }
  // Money columns get their read-only base-currency twin.
  for (const m of a.filter((x) => x.type === 'money')) {
    a.push(attr(logicalName, `${m.logicalName}_base`, 'money', `${m.displayName} (Base)`, { ...ro, precision: m.precision, computed: true }));
  }
  entities.push({
    logicalName,
    schemaName: opts.schemaName ?? logicalName.charAt(0).toUpperCase() + logicalName.slice(1),
    displayName,
    displayCollectionName,
    description: opts.description ?? `Standard ${displayName} table.`,
    entitySetName,
    primaryIdAttribute: pk,
    primaryNameAttribute,
    isCustom: !!opts.isCustom,
    isActivity: !!opts.isActivity,
    ownership,
    hasNotes: opts.hasNotes ?? false,
    hasActivities: opts.hasActivities ?? false,
    objectTypeCode,
    metadataId: opts.metadataId ?? stableGuid(`entity:${logicalName}`),
    attributes: a,
    keys: [],
    readOnly: opts.readOnly,
    concurrency: opts.concurrency ?? true,
  });
}

/** statecode/statuscode of account, contact and every custom table: Active (1) or Inactive (2). */
export const ACTIVE_INACTIVE = {
  states: [
    { value: 0, label: 'Active', defaultStatus: 1 },
    { value: 1, label: 'Inactive', defaultStatus: 2 },
  ],
  statuses: [
    { value: 1, label: 'Active', state: 0 },
    { value: 2, label: 'Inactive', state: 1 },
  ],
};

export function buildStandardTables(): StandardTableSet {
  const entities: EntityMeta[] = [];
  const optionSets: OptionSetMeta[] = [];
  const table = (...args: DropFirst2<Parameters<typeof makeEntity>>) => makeEntity(entities, optionSets, ...args);

  const local = (t: string, c: string, options: Array<[number, string]>) => {
    optionSets.push(optionSet(`${t}_${c}`, 'Picklist', options.map(([value, label]) => ({ value, label }))));
    return `${t}_${c}`;
  };
  const address = (t: string) => [
    attr(t, 'address1_line1', 'string', 'Address 1: Street 1', { maxLength: 250 }),
    attr(t, 'address1_line2', 'string', 'Address 1: Street 2', { maxLength: 250 }),
    attr(t, 'address1_city', 'string', 'Address 1: City', { maxLength: 80 }),
    attr(t, 'address1_stateorprovince', 'string', 'Address 1: State/Province', { maxLength: 50 }),
    attr(t, 'address1_postalcode', 'string', 'Address 1: ZIP/Postal Code', { maxLength: 20 }),
    attr(t, 'address1_country', 'string', 'Address 1: Country/Region', { maxLength: 80 }),
  ];

  table('account', 'accounts', 1, 'Account', 'Accounts', 'name', { hasNotes: true, hasActivities: true, money: true, ...ACTIVE_INACTIVE }, (t) => [
    attr(t, 'name', 'string', 'Account Name', { maxLength: 160, required: 'ApplicationRequired' }),
    attr(t, 'accountnumber', 'string', 'Account Number', { maxLength: 20 }),
    attr(t, 'telephone1', 'string', 'Main Phone', { maxLength: 50, format: 'Phone' }),
    attr(t, 'telephone2', 'string', 'Other Phone', { maxLength: 50, format: 'Phone' }),
    attr(t, 'fax', 'string', 'Fax', { maxLength: 50 }),
    attr(t, 'emailaddress1', 'string', 'Email', { maxLength: 100, format: 'Email' }),
    attr(t, 'websiteurl', 'string', 'Website', { maxLength: 200, format: 'Url' }),
    ...address(t),
    attr(t, 'description', 'memo', 'Description', { maxLength: 2000 }),
    attr(t, 'revenue', 'money', 'Annual Revenue', { precision: 2, minValue: 0, maxValue: 100000000000000 }),
    attr(t, 'creditlimit', 'money', 'Credit Limit', { precision: 2, minValue: 0, maxValue: 100000000000000 }),
    attr(t, 'numberofemployees', 'integer', 'Number of Employees', { minValue: 0, maxValue: 1000000000 }),
    attr(t, 'industrycode', 'picklist', 'Industry', {
      optionSet: local(t, 'industrycode', [[1, 'Accounting'], [2, 'Agriculture and Non-petrol Natural Resource Extraction'], [3, 'Broadcasting Printing and Publishing'], [4, 'Brokers'], [5, 'Building Supply Retail'], [6, 'Business Services'], [7, 'Consulting'], [8, 'Consumer Services'], [9, 'Design, Direction and Creative Management'], [10, 'Distributors, Dispatchers and Processors'], [11, "Doctor's Offices and Clinics"], [12, 'Durable Manufacturing'], [13, 'Eating and Drinking Places'], [14, 'Entertainment Retail'], [15, 'Equipment Rental and Leasing'], [16, 'Financial'], [17, 'Food and Tobacco Processing'], [18, 'Inbound Capital Intensive Processing'], [19, 'Inbound Repair and Services'], [20, 'Insurance'], [21, 'Legal Services'], [22, 'Non-Durable Merchandise Retail'], [23, 'Outbound Consumer Service'], [24, 'Petrochemical Extraction and Distribution'], [25, 'Service Retail'], [26, 'SIG Affiliations'], [27, 'Social Services'], [28, 'Special Outbound Trade Contractors'], [29, 'Specialty Realty'], [30, 'Transportation'], [31, 'Utility Creation and Distribution'], [32, 'Vehicle Retail'], [33, 'Wholesale']]),
    }),
    attr(t, 'customertypecode', 'picklist', 'Relationship Type', {
      optionSet: local(t, 'customertypecode', [[1, 'Competitor'], [2, 'Consultant'], [3, 'Customer'], [4, 'Investor'], [5, 'Partner'], [6, 'Influencer'], [7, 'Press'], [8, 'Prospect'], [9, 'Reseller'], [10, 'Supplier'], [11, 'Vendor'], [12, 'Other']]),
    }),
    attr(t, 'accountcategorycode', 'picklist', 'Category', { optionSet: local(t, 'accountcategorycode', [[1, 'Preferred Customer'], [2, 'Standard']]) }),
    attr(t, 'donotemail', 'boolean', 'Do not allow Emails'),
    attr(t, 'parentaccountid', 'lookup', 'Parent Account', { targets: ['account'], cascade: 'RemoveLink' }),
    attr(t, 'primarycontactid', 'lookup', 'Primary Contact', { targets: ['contact'], cascade: 'RemoveLink' }),
  ]);

  table('contact', 'contacts', 2, 'Contact', 'Contacts', 'fullname', { hasNotes: true, hasActivities: true, money: true, ...ACTIVE_INACTIVE }, (t) => [
    attr(t, 'firstname', 'string', 'First Name', { maxLength: 50, required: 'Recommended' }),
    attr(t, 'middlename', 'string', 'Middle Name', { maxLength: 50 }),
    attr(t, 'lastname', 'string', 'Last Name', { maxLength: 50, required: 'ApplicationRequired' }),
    attr(t, 'fullname', 'string', 'Full Name', { maxLength: 160, ...ro, computed: true }),
    attr(t, 'salutation', 'string', 'Salutation', { maxLength: 100 }),
    attr(t, 'jobtitle', 'string', 'Job Title', { maxLength: 100 }),
    attr(t, 'emailaddress1', 'string', 'Email', { maxLength: 100, format: 'Email' }),
    attr(t, 'emailaddress2', 'string', 'Email Address 2', { maxLength: 100, format: 'Email' }),
    attr(t, 'telephone1', 'string', 'Business Phone', { maxLength: 50, format: 'Phone' }),
    attr(t, 'telephone2', 'string', 'Home Phone', { maxLength: 50, format: 'Phone' }),
    attr(t, 'telephone3', 'string', 'Telephone 3', { maxLength: 50, format: 'Phone' }),
    attr(t, 'mobilephone', 'string', 'Mobile Phone', { maxLength: 50, format: 'Phone' }),
    attr(t, 'nickname', 'string', 'Nickname', { maxLength: 100 }),
    attr(t, 'websiteurl', 'string', 'Website', { maxLength: 200, format: 'Url' }),
    ...address(t),
    attr(t, 'birthdate', 'datetime', 'Birthday', { dateBehavior: 'DateOnly' }),
    attr(t, 'description', 'memo', 'Description', { maxLength: 2000 }),
    attr(t, 'gendercode', 'picklist', 'Gender', { optionSet: local(t, 'gendercode', [[1, 'Male'], [2, 'Female']]) }),
    attr(t, 'donotemail', 'boolean', 'Do not allow Emails'),
    // contact_customer_accounts is parental: deleting an account deletes its contacts (community.dynamics.com thread
    // 298b3efd-db2e-4ac6-87ae-4e5188570974, "If I delete an account ... all the contacts were deleted").
    attr(t, 'parentcustomerid', 'customer', 'Company Name', { targets: ['account', 'contact'], navStyle: 'suffix', cascade: 'Cascade' }),
  ]);

  table('opportunity', 'opportunities', 3, 'Opportunity', 'Opportunities', 'name', {
    hasNotes: true,
    hasActivities: true,
    money: true,
    states: [
      { value: 0, label: 'Open', defaultStatus: 1 },
      { value: 1, label: 'Won', defaultStatus: 3 },
      { value: 2, label: 'Lost', defaultStatus: 4 },
    ],
    statuses: [
      { value: 1, label: 'In Progress', state: 0 },
      { value: 2, label: 'On Hold', state: 0 },
      { value: 3, label: 'Won', state: 1 },
      { value: 4, label: 'Canceled', state: 2 },
      { value: 5, label: 'Out-Sold', state: 2 },
    ],
  }, (t) => [
    attr(t, 'name', 'string', 'Topic', { maxLength: 300, required: 'ApplicationRequired' }),
    attr(t, 'description', 'memo', 'Description', { maxLength: 2000 }),
    attr(t, 'estimatedvalue', 'money', 'Est. Revenue', { precision: 2, minValue: -922337203685477, maxValue: 922337203685477 }),
    attr(t, 'actualvalue', 'money', 'Actual Revenue', { precision: 2, minValue: -922337203685477, maxValue: 922337203685477 }),
    attr(t, 'estimatedclosedate', 'datetime', 'Est. Close Date', { dateBehavior: 'DateOnly' }),
    attr(t, 'actualclosedate', 'datetime', 'Actual Close Date', { dateBehavior: 'DateOnly' }),
    attr(t, 'closeprobability', 'integer', 'Probability', { minValue: 0, maxValue: 100 }),
    // opportunity_customer_accounts / _contacts cascade the delete ("Entity relationship behavior", learn.microsoft.com
    // dynamics365/customerengagement/on-premises/developer/entity-relationship-behavior); activities and notes regarding
    // a record are deleted with it (same page, "Cascading behavior").
    attr(t, 'customerid', 'customer', 'Potential Customer', { targets: ['account', 'contact'], navStyle: 'suffix', cascade: 'Cascade' }),
    attr(t, 'parentaccountid', 'lookup', 'Account', { targets: ['account'], cascade: 'RemoveLink' }),
    attr(t, 'parentcontactid', 'lookup', 'Contact', { targets: ['contact'], cascade: 'RemoveLink' }),
    attr(t, 'opportunityratingcode', 'picklist', 'Rating', { optionSet: local(t, 'opportunityratingcode', [[1, 'Hot'], [2, 'Warm'], [3, 'Cold']]) }),
  ]);

  const activityCols = (t: string, subjectRequired: boolean) => [
    attr(t, 'subject', 'string', 'Subject', { maxLength: 200, required: subjectRequired ? 'ApplicationRequired' : 'None' }),
    attr(t, 'description', 'memo', 'Description', { maxLength: 2000 }),
    attr(t, 'scheduledstart', 'datetime', 'Start Date'),
    attr(t, 'scheduledend', 'datetime', 'Due Date'),
    attr(t, 'actualstart', 'datetime', 'Actual Start'),
    attr(t, 'actualend', 'datetime', 'Actual End'),
    attr(t, 'actualdurationminutes', 'integer', 'Actual Duration', { minValue: 0, maxValue: 2147483647 }),
    attr(t, 'prioritycode', 'picklist', 'Priority', { optionSet: local(t, 'prioritycode', [[0, 'Low'], [1, 'Normal'], [2, 'High']]) }),
    attr(t, 'activitytypecode', 'entityname', 'Activity Type', { ...ro, computed: true }),
  ];
  table('task', 'tasks', 4212, 'Task', 'Tasks', 'subject', {
    primaryIdAttribute: 'activityid',
    isActivity: true,
    hasNotes: true,
    states: [
      { value: 0, label: 'Open', defaultStatus: 2 },
      { value: 1, label: 'Completed', defaultStatus: 5 },
      { value: 2, label: 'Canceled', defaultStatus: 6 },
    ],
    statuses: [
      { value: 2, label: 'Not Started', state: 0 },
      { value: 3, label: 'In Progress', state: 0 },
      { value: 4, label: 'Waiting on someone else', state: 0 },
      { value: 7, label: 'Deferred', state: 0 },
      { value: 5, label: 'Completed', state: 1 },
      { value: 6, label: 'Canceled', state: 2 },
    ],
  }, (t) => [
    ...activityCols(t, true),
    attr(t, 'percentcomplete', 'integer', 'Percent Complete', { minValue: 0, maxValue: 100 }),
    attr(t, 'category', 'string', 'Category', { maxLength: 250 }),
    attr(t, 'regardingobjectid', 'lookup', 'Regarding', { targets: 'activities', navStyle: 'regarding', cascade: 'Cascade' }),
  ]);

  table('opportunityclose', 'opportunitycloses', 4208, 'Opportunity Close', 'Opportunity Close Activities', 'subject', {
    primaryIdAttribute: 'activityid',
    isActivity: true,
    money: true,
    states: [
      { value: 0, label: 'Open', defaultStatus: 1 },
      { value: 1, label: 'Completed', defaultStatus: 2 },
      { value: 2, label: 'Canceled', defaultStatus: 3 },
    ],
    statuses: [
      { value: 1, label: 'Open', state: 0 },
      { value: 2, label: 'Completed', state: 1 },
      { value: 3, label: 'Canceled', state: 2 },
    ],
  }, (t) => [
    ...activityCols(t, false),
    attr(t, 'opportunityid', 'lookup', 'Opportunity', { targets: ['opportunity'], cascade: 'Cascade' }),
    attr(t, 'actualrevenue', 'money', 'Actual Revenue', { precision: 2, minValue: -922337203685477, maxValue: 922337203685477 }),
    attr(t, 'competitorid', 'lookup', 'Competitor', { targets: ['account'] }),
  ]);

  table('annotation', 'annotations', 5, 'Note', 'Notes', 'subject', {}, (t) => [
    attr(t, 'subject', 'string', 'Title', { maxLength: 500 }),
    attr(t, 'notetext', 'memo', 'Description', { maxLength: 100000 }),
    attr(t, 'isdocument', 'boolean', 'Is Document'),
    attr(t, 'filename', 'string', 'File Name', { maxLength: 255 }),
    attr(t, 'mimetype', 'string', 'Mime Type', { maxLength: 256 }),
    attr(t, 'documentbody', 'memo', 'Document', { maxLength: 1073741823 }),
    attr(t, 'filesize', 'integer', 'File Size (Bytes)', { ...ro, computed: true }),
    attr(t, 'objectid', 'lookup', 'Regarding', { targets: 'notes', navStyle: 'suffix', cascade: 'Cascade' }),
    attr(t, 'objecttypecode', 'entityname', 'Object Type', { update: false }),
  ]);

  table('systemuser', 'systemusers', 8, 'User', 'Users', 'fullname', { ownership: 'None', hasNotes: true }, (t) => [
    attr(t, 'firstname', 'string', 'First Name', { maxLength: 256 }),
    attr(t, 'lastname', 'string', 'Last Name', { maxLength: 256 }),
    attr(t, 'fullname', 'string', 'Full Name', { maxLength: 200, ...ro, computed: true }),
    attr(t, 'internalemailaddress', 'string', 'Primary Email', { maxLength: 100, format: 'Email' }),
    attr(t, 'domainname', 'string', 'User Name', { maxLength: 1024 }),
    attr(t, 'isdisabled', 'boolean', 'Status', { update: false }),
    attr(t, 'accessmode', 'picklist', 'Access Mode', { optionSet: local(t, 'accessmode', [[0, 'Read-Write'], [1, 'Administrative'], [2, 'Read'], [3, 'Support User'], [4, 'Non-interactive'], [5, 'Delegated Admin']]) }),
    attr(t, 'azureactivedirectoryobjectid', 'uniqueidentifier', 'Azure AD Object ID'),
    attr(t, 'applicationid', 'uniqueidentifier', 'Application ID'),
    attr(t, 'businessunitid', 'lookup', 'Business Unit', { targets: ['businessunit'] }),
  ]);
  table('team', 'teams', 9, 'Team', 'Teams', 'name', { ownership: 'None' }, (t) => [
    attr(t, 'name', 'string', 'Team Name', { maxLength: 160, required: 'SystemRequired' }),
    attr(t, 'teamtype', 'picklist', 'Team Type', { optionSet: local(t, 'teamtype', [[0, 'Owner'], [1, 'Access'], [2, 'Security Group'], [3, 'Office Group']]) }),
    attr(t, 'businessunitid', 'lookup', 'Business Unit', { targets: ['businessunit'] }),
  ]);
  table('businessunit', 'businessunits', 10, 'Business Unit', 'Business Units', 'name', { ownership: 'None' }, (t) => [
    attr(t, 'name', 'string', 'Name', { maxLength: 160, required: 'SystemRequired' }),
  ]);
  table('transactioncurrency', 'transactioncurrencies', 9105, 'Currency', 'Currencies', 'currencyname', { ownership: 'OrganizationOwned' }, (t) => [
    attr(t, 'currencyname', 'string', 'Currency Name', { maxLength: 100, required: 'SystemRequired' }),
    attr(t, 'isocurrencycode', 'string', 'Currency Code', { maxLength: 5, required: 'SystemRequired' }),
    attr(t, 'currencysymbol', 'string', 'Currency Symbol', { maxLength: 10 }),
    attr(t, 'currencyprecision', 'integer', 'Currency Precision', { minValue: 0, maxValue: 4 }),
    attr(t, 'exchangerate', 'decimal', 'Exchange Rate', { precision: 10 }),
  ]);
  table('organization', 'organizations', 1019, 'Organization', 'Organizations', 'name', { ownership: 'None', readOnly: true }, (t) => [
    attr(t, 'name', 'string', 'Organization Name', { maxLength: 160 }),
    attr(t, 'maxuploadfilesize', 'integer', 'Max Upload File Size', { minValue: 0, maxValue: 131072000 }),
    attr(t, 'basecurrencyid', 'lookup', 'Currency', { targets: ['transactioncurrency'] }),
  ]);
  table('solution', 'solutions', 7100, 'Solution', 'Solutions', 'friendlyname', { ownership: 'None', readOnly: true }, (t) => [
    attr(t, 'uniquename', 'string', 'Name', { maxLength: 65 }),
    attr(t, 'friendlyname', 'string', 'Display Name', { maxLength: 256 }),
    attr(t, 'version', 'string', 'Version', { maxLength: 256 }),
    attr(t, 'ismanaged', 'boolean', 'Package Type'),
    attr(t, 'installedon', 'datetime', 'Installed On', ro),
  ]);
  // Solution-aware components a real environment keeps as rows: what ImportSolution creates from the zip.
  // environmentvariabledefinition / environmentvariablevalue (object type codes 380 / 381, the solution component
  // types of the same number): learn.microsoft.com .../reference/entities/environmentvariabledefinition and
  // environmentvariablevalue; the value points at its definition through environmentvariabledefinitionid, and the
  // definition lists its values through environmentvariabledefinition_environmentvariablevalue.
  table('environmentvariabledefinition', 'environmentvariabledefinitions', 380, 'Environment Variable Definition', 'Environment Variable Definitions', 'schemaname', { ...ACTIVE_INACTIVE, schemaName: 'EnvironmentVariableDefinition' }, (t) => [
    attr(t, 'schemaname', 'string', 'Schema Name', { maxLength: 100, required: 'SystemRequired' }),
    attr(t, 'displayname', 'string', 'Display Name', { maxLength: 100, required: 'SystemRequired' }),
    attr(t, 'description', 'memo', 'Description', { maxLength: 2000 }),
    attr(t, 'defaultvalue', 'memo', 'Default Value', { maxLength: 2000 }),
    attr(t, 'type', 'picklist', 'Type', {
      required: 'SystemRequired',
      optionSet: local(t, 'type', [[100000000, 'String'], [100000001, 'Number'], [100000002, 'Boolean'], [100000003, 'JSON'], [100000004, 'Data source'], [100000005, 'Secret']]),
    }),
    attr(t, 'isrequired', 'boolean', 'Is Required'),
    attr(t, 'secretstore', 'picklist', 'Secret Store', { optionSet: local(t, 'secretstore', [[0, 'Azure Key Vault'], [1, 'Microsoft Dataverse']]) }),
  ]);
  table('environmentvariablevalue', 'environmentvariablevalues', 381, 'Environment Variable Value', 'Environment Variable Values', 'schemaname', { ...ACTIVE_INACTIVE, schemaName: 'EnvironmentVariableValue' }, (t) => [
    attr(t, 'schemaname', 'string', 'Schema Name', { maxLength: 100 }),
    attr(t, 'value', 'memo', 'Value', { maxLength: 2000 }),
    attr(t, 'environmentvariabledefinitionid', 'lookup', 'Environment Variable Definition', {
      targets: ['environmentvariabledefinition'], navName: 'EnvironmentVariableDefinitionId', cascade: 'Cascade', required: 'SystemRequired',
    }),
  ]);
  // connector (type 372): a custom connector imported with a solution. connectorinternalid is the API name the
  // platform assigns per environment (`shared_<name>-5f<hex>`): learn.microsoft.com .../reference/entities/connector.
  table('connector', 'connectors', 372, 'Connector', 'Connectors', 'name', { ...ACTIVE_INACTIVE, schemaName: 'Connector' }, (t) => [
    attr(t, 'name', 'string', 'Name', { maxLength: 128, required: 'SystemRequired' }),
    attr(t, 'displayname', 'string', 'Display Name', { maxLength: 100 }),
    attr(t, 'description', 'memo', 'Description', { maxLength: 2000 }),
    attr(t, 'connectorinternalid', 'string', 'Connector Internal Id', { maxLength: 256, ...ro }),
    attr(t, 'connectortype', 'picklist', 'Connector Type', { optionSet: local(t, 'connectortype', [[1, 'Custom'], [2, 'Certified']]) }),
    attr(t, 'iconbrandcolor', 'string', 'Icon Brand Color', { maxLength: 20 }),
    attr(t, 'openapidefinition', 'memo', 'OpenApi Definition', { maxLength: 1048576 }),
    attr(t, 'connectionparameters', 'memo', 'Connection Parameters', { maxLength: 1048576 }),
    attr(t, 'policytemplateinstances', 'memo', 'Policy Template Instances', { maxLength: 1048576 }),
  ]);
  // webresource (entity set webresourceset): content is base64; the organisation serves it at /WebResources/<name>.
  table('webresource', 'webresourceset', 9333, 'Web Resource', 'Web Resources', 'name', { ownership: 'OrganizationOwned', schemaName: 'WebResource' }, (t) => [
    attr(t, 'name', 'string', 'Name', { maxLength: 256, required: 'SystemRequired' }),
    attr(t, 'displayname', 'string', 'Display Name', { maxLength: 200 }),
    attr(t, 'webresourcetype', 'picklist', 'Type', {
      required: 'SystemRequired',
      optionSet: local(t, 'webresourcetype', [[1, 'Webpage (HTML)'], [2, 'Style Sheet (CSS)'], [3, 'Script (JScript)'], [4, 'Data (XML)'], [5, 'PNG format'], [6, 'JPG format'], [7, 'GIF format'], [8, 'Silverlight (XAP)'], [9, 'Style Sheet (XSL)'], [10, 'ICO format'], [11, 'Vector format (SVG)'], [12, 'String (RESX)']]),
    }),
    attr(t, 'content', 'memo', 'Content', { maxLength: 1073741823 }),
  ]);
  table('sdkmessage', 'sdkmessages', 4606, 'Sdk Message', 'Sdk Messages', 'name', { ownership: 'None', readOnly: true }, (t) => [
    attr(t, 'name', 'string', 'Name', { maxLength: 256 }),
  ]);
  table('sdkmessagefilter', 'sdkmessagefilters', 4607, 'Sdk Message Filter', 'Sdk Message Filters', 'name', { ownership: 'None', readOnly: true }, (t) => [
    attr(t, 'name', 'string', 'Name', { maxLength: 256 }),
    attr(t, 'primaryobjecttypecode', 'entityname', 'Primary Object Type Code'),
    attr(t, 'sdkmessageid', 'lookup', 'SDK Message ID', { targets: ['sdkmessage'] }),
  ]);
  return { entities, optionSets };
}
