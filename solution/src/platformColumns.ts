// The platform's own columns of the standard tables the migration writes, with the types and lengths Dataverse
// documents for them (table reference, learn.microsoft.com/power-apps/developer/data-platform/reference/entities/
// <table>). They are not provisioned (every org has them), so they are not in the schema's TableDef lists, which hold
// only the columns we add; the mappings fit values to these lengths and the proposer offers these columns.
import { MONEY_LIMIT, type ColumnDef, type StringFormat, type TableDef } from './model';

/** A platform column: what a mapping needs to fit a value (the schema name is the platform's business). */
export type PlatformColumnDef = Omit<ColumnDef, 'schemaName'>;

const text = (logicalName: string, displayName: string, maxLength: number, format: StringFormat = 'text'): PlatformColumnDef =>
  ({ logicalName, displayName, type: 'string', maxLength, format });
const memo = (logicalName: string, displayName: string, maxLength: number): PlatformColumnDef =>
  ({ logicalName, displayName, type: 'memo', maxLength, format: 'textarea' });
const dateTime = (logicalName: string, displayName: string, dateBehavior: ColumnDef['dateBehavior'] = 'UserLocal'): PlatformColumnDef =>
  ({ logicalName, displayName, type: 'datetime', dateBehavior });
const money = (logicalName: string, displayName: string): PlatformColumnDef =>
  ({ logicalName, displayName, type: 'money', precision: 2, minValue: -MONEY_LIMIT, maxValue: MONEY_LIMIT });
const choice = (logicalName: string, displayName: string): PlatformColumnDef => ({ logicalName, displayName, type: 'picklist' });
const address = (): PlatformColumnDef[] => [
  text('address1_line1', 'Street 1', 250), text('address1_line2', 'Street 2', 250), text('address1_city', 'City', 80),
  text('address1_stateorprovince', 'State/Province', 50), text('address1_postalcode', 'ZIP/Postal Code', 20),
  text('address1_country', 'Country/Region', 80),
];
/** statecode and statuscode: a state and its status reason (the pairs are the platform's; see the lifecycles). */
const state = (): PlatformColumnDef[] => [choice('statecode', 'Status'), choice('statuscode', 'Status Reason')];
/** overriddencreatedon: the record's original creation time, settable on create only (used for data migration). */
const createdOn = () => dateTime('overriddencreatedon', 'Record Created On');

export const PLATFORM_COLUMNS: Readonly<Record<string, readonly PlatformColumnDef[]>> = {
  account: [
    text('name', 'Account Name', 160), text('accountnumber', 'Account Number', 20),
    text('emailaddress1', 'Email', 100, 'email'), text('telephone1', 'Main Phone', 50, 'phone'), text('fax', 'Fax', 50, 'phone'),
    text('websiteurl', 'Website', 200, 'url'), memo('description', 'Description', 2000), ...address(),
  ],
  contact: [
    text('firstname', 'First Name', 50), text('middlename', 'Middle Name', 50), text('lastname', 'Last Name', 50),
    text('nickname', 'Nickname', 100), text('salutation', 'Salutation', 100), text('jobtitle', 'Job Title', 100),
    text('emailaddress1', 'Email', 100, 'email'), text('emailaddress2', 'Email Address 2', 100, 'email'),
    text('telephone1', 'Business Phone', 50, 'phone'), text('telephone2', 'Home Phone', 50, 'phone'),
    text('telephone3', 'Telephone 3', 50, 'phone'), text('mobilephone', 'Mobile Phone', 50, 'phone'),
    text('websiteurl', 'Website', 200, 'url'), dateTime('birthdate', 'Birthday', 'DateOnly'), memo('description', 'Description', 2000),
    ...address(),
  ],
  opportunity: [
    text('name', 'Topic', 300), money('estimatedvalue', 'Est. Revenue'), dateTime('estimatedclosedate', 'Est. Close Date', 'DateOnly'),
    memo('description', 'Description', 2000), ...state(),
  ],
  task: [
    text('subject', 'Subject', 200), memo('description', 'Description', 2000), dateTime('scheduledend', 'Due'),
    dateTime('actualstart', 'Actual Start'), dateTime('actualend', 'Actual End'), choice('prioritycode', 'Priority'), ...state(),
  ],
  annotation: [
    text('subject', 'Title', 500), memo('notetext', 'Description', 100000), text('filename', 'File Name', 255),
    text('mimetype', 'Mime Type', 256), { logicalName: 'isdocument', displayName: 'Is Document', type: 'boolean' },
    memo('documentbody', 'Document', 1073741823), createdOn(),
  ],
};

/** The platform columns of a table (none for the custom tables, whose columns are all ours). */
export function platformColumns(table: string): readonly PlatformColumnDef[] {
  return PLATFORM_COLUMNS[table] ?? [];
}

/** A platform table the migration writes or binds to without adding columns to it (so it is not in the schema). */
function platformTable(logicalName: string, displayName: string, displayCollectionName: string, entitySetName: string, primaryIdAttribute: string, primaryNameAttribute: string): TableDef {
  return {
    logicalName, schemaName: logicalName.charAt(0).toUpperCase() + logicalName.slice(1), displayName, displayCollectionName,
    description: `Standard ${displayName} table.`, entitySetName, primaryIdAttribute, primaryNameAttribute, isCustom: false,
    ownership: 'UserOwned', hasNotes: false, hasActivities: false, columns: [], keys: [],
  };
}

/** Notes (written), users (owners are bound to them) and opportunity close activities (created by WinOpportunity). */
export const PLATFORM_TABLES: Readonly<Record<string, TableDef>> = {
  annotation: platformTable('annotation', 'Note', 'Notes', 'annotations', 'annotationid', 'subject'),
  systemuser: platformTable('systemuser', 'User', 'Users', 'systemusers', 'systemuserid', 'fullname'),
  // Activities share the activitypointer key: their primary key column is activityid.
  opportunityclose: platformTable('opportunityclose', 'Opportunity Close', 'Opportunity Close Activities', 'opportunitycloses', 'activityid', 'subject'),
};
