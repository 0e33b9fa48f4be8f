// The words people see for what is moved: Actionstep's own names for its objects (as its screens and help centre
// call them) and Dynamics 365's own names for the tables they land in (the display names a Dynamics admin sees in
// the maker portal). Internal names (resource and logical names) stay in `--json` output and the logs.
// Browser-safe: the command line, report.html, the Mapping Wizard and the Diff Viewer all read this one module.
import { SCHEMA } from '@astep/solution/schema';

interface Words { one: string; many: string }

/** Actionstep objects by API resource name. */
export const SOURCE_OBJECTS: Record<string, Words> = {
  actiontypes: { one: 'Matter type', many: 'Matter types' },
  participanttypes: { one: 'Participant type', many: 'Participant types' },
  users: { one: 'User', many: 'Users' },
  datacollections: { one: 'Data collection', many: 'Data collections' },
  datacollectionfields: { one: 'Data collection field', many: 'Data collection fields' },
  steps: { one: 'Workflow step', many: 'Workflow steps' },
  actions: { one: 'Matter', many: 'Matters' },
  datacollectionrecords: { one: 'Data collection record', many: 'Data collection records' },
  datacollectionrecordvalues: { one: 'Data collection value', many: 'Data collection values' },
  participants: { one: 'Person or organisation', many: 'People and organisations' },
  actionparticipants: { one: 'Matter participant', many: 'Matter participants' },
  timeentries: { one: 'Time entry', many: 'Time entries' },
  disbursements: { one: 'Disbursement', many: 'Disbursements' },
  bills: { one: 'Bill', many: 'Bills' },
  actiondocuments: { one: 'Document', many: 'Documents' },
  filenotes: { one: 'File note', many: 'File notes' },
  tasks: { one: 'Task', many: 'Tasks' },
  trustledger: { one: 'Trust ledger line', many: 'Trust ledger lines' },
};

/**
 * Dynamics tables by logical name: standard tables as Dynamics 365 names them, ours from the solution's schema
 * (display name and collection name), so a renamed table is renamed here too. The one place table labels live.
 */
export const TARGET_TABLES: Record<string, Words> = {
  ...Object.fromEntries(SCHEMA.tables.map((t) => [t.logicalName, { one: t.displayName, many: t.displayCollectionName }])),
  annotation: { one: 'Note', many: 'Notes' },
  systemuser: { one: 'User', many: 'Users' },
};

const humanize = (name: string): string => {
  const s = name.replace(/^astep_/, '').replace(/^_|_value$/g, '').replace(/[_-]+/g, ' ').trim();
  return s ? s.charAt(0).toUpperCase() + s.slice(1) : name;
};

/** "Matters" for `actions`; an unknown name is made readable rather than shown raw. */
export function objectLabel(resource: string, count = 2): string {
  const w = SOURCE_OBJECTS[resource];
  return w ? (count === 1 ? w.one : w.many) : humanize(resource);
}

/** "Accounts" for `account`, "Matter participants" for `astep_matterparticipant`. */
export function tableLabel(table: string, count = 2): string {
  const w = TARGET_TABLES[table];
  return w ? (count === 1 ? w.one : sentenceCase(w.many)) : humanize(table);
}

/** "Account M-11": one Dynamics row in running text (conflicts, field problems, lookups). */
export function tableRecordName(table: string, key: string): string {
  return `${tableLabel(table, 1)} ${key}`;
}

/** "Matter participant 12": one Actionstep record in running text (extraction findings, failures). */
export function sourceRecordName(resource: string, id: string): string {
  return `${objectLabel(resource, 1)} ${id}`;
}

/** "Matter Participants" → "Matter participants": labels in running text and lists. */
function sentenceCase(s: string): string {
  return s.replace(/ ([A-Z])([a-z])/g, (_, a: string, b: string) => ` ${a.toLowerCase()}${b}`);
}

/** Standard columns the mappings write, with the display names Dynamics 365 shows on its forms. */
const STANDARD_COLUMNS: Record<string, string> = {
  name: 'Name', fullname: 'Full Name', firstname: 'First Name', lastname: 'Last Name', middlename: 'Middle Name',
  salutation: 'Salutation', nickname: 'Nickname', jobtitle: 'Job Title', birthdate: 'Birthday', emailaddress1: 'Email',
  emailaddress2: 'Email Address 2', telephone1: 'Business Phone', telephone2: 'Home Phone', mobilephone: 'Mobile Phone',
  websiteurl: 'Website', description: 'Description', subject: 'Subject', notetext: 'Note', filename: 'File Name',
  documentbody: 'Attachment', mimetype: 'Mime Type', scheduledend: 'Due', actualstart: 'Actual Start', actualend: 'Actual End',
  prioritycode: 'Priority', statecode: 'Status', statuscode: 'Status Reason', estimatedvalue: 'Est. Revenue',
  estimatedclosedate: 'Est. Close Date', overriddencreatedon: 'Record Created On', isdocument: 'Is Document',
  address1_line1: 'Street 1', address1_line2: 'Street 2', address1_line3: 'Street 3', address1_city: 'City',
  address1_stateorprovince: 'State/Province', address1_postalcode: 'ZIP/Postal Code', address1_country: 'Country/Region',
  parentcustomerid: 'Company Name', parentaccountid: 'Parent Account', customerid: 'Potential Customer', ownerid: 'Owner',
  regardingobjectid: 'Regarding', objectid: 'Regarding', transactioncurrencyid: 'Currency',
};

/** Lookup attribute as the Web API returns it (`_ownerid_value`) → its column (`ownerid`). */
export function lookupColumn(column: string): string {
  const m = /^_(.+)_value$/.exec(column);
  return m ? m[1] : column;
}

/**
 * "Owner" for `_ownerid_value`, "Matter Number" for `astep_matternumber`. `extra` holds labels only a plan knows
 * (data collection columns).
 */
export function columnLabel(table: string, column: string, extra?: Record<string, string>): string {
  const col = lookupColumn(column);
  if (extra?.[col]) return extra[col];
  const def = SCHEMA.tables.find((t) => t.logicalName === table)?.columns.find((c) => c.logicalName === col)
    ?? SCHEMA.tables.flatMap((t) => t.columns).find((c) => c.logicalName === col);
  if (def) return def.displayName;
  return STANDARD_COLUMNS[col] ?? humanize(col);
}

/** Labels of the standard choices the mappings write (task Priority, Status and Status Reason, as Dynamics shows them). */
const STANDARD_CHOICES: Record<string, Record<number, string>> = {
  prioritycode: { 0: 'Low', 1: 'Normal', 2: 'High' },
  statecode: { 0: 'Open', 1: 'Completed', 2: 'Canceled' },
  statuscode: { 2: 'Not Started', 3: 'In Progress', 4: 'Waiting on someone else', 5: 'Completed', 6: 'Canceled', 7: 'Deferred' },
};

/** Global choices (with the plan's added values) by choice name: value → label. */
export type ChoiceLabels = Record<string, Record<number, string>>;

export function choiceLabelsOf(choices: Array<{ name: string; options: Array<{ value: number; label: string }> }>): ChoiceLabels {
  return Object.fromEntries(choices.map((c) => [c.name, Object.fromEntries(c.options.map((o) => [o.value, o.label]))]));
}

/**
 * The label of a choice value ("Conveyancing" for 100000003 in Matter Type); a multi-select value ("1,3") gives
 * its labels joined. Null when the column is not a choice or the value is not one of its options.
 */
export function choiceLabel(table: string, column: string, value: unknown, choices: ChoiceLabels): string | null {
  if (value === null || value === undefined || value === '') return null;
  const def = SCHEMA.tables.find((t) => t.logicalName === table)?.columns.find((c) => c.logicalName === column);
  const options = def?.optionSet ? choices[def.optionSet] ?? choiceLabelsOf(SCHEMA.choices)[def.optionSet] : STANDARD_CHOICES[column];
  if (!options) return null;
  const labels = String(value).split(',').map((v) => options[Number(v.trim())]);
  return labels.every((l) => l !== undefined) ? labels.join(', ') : null;
}
