// Target columns the proposer may choose from: the platform's own columns of the standard tables (with the lengths
// Dataverse documents for them) plus the columns our solution adds (from the schema model).
import type { ColumnType, StringFormat, TableDef } from '@astep/solution/model';

export interface TargetColumn {
  logicalName: string;
  displayName?: string;
  type: ColumnType;
  maxLength?: number;
  format?: StringFormat;
  /** Set by the engine; never proposed for a source field. */
  systemOnly?: boolean;
}

export interface TargetTableColumns {
  table: string;
  columns: TargetColumn[];
}

const s = (logicalName: string, displayName: string, maxLength: number, format?: StringFormat): TargetColumn => ({ logicalName, displayName, type: 'string', maxLength, format });
const address = (): TargetColumn[] => [
  s('address1_line1', 'Street 1', 250), s('address1_line2', 'Street 2', 250), s('address1_city', 'City', 80),
  s('address1_stateorprovince', 'State/Province', 50), s('address1_postalcode', 'ZIP/Postal Code', 20), s('address1_country', 'Country/Region', 80),
];

/** Platform columns of the standard tables we write (Dataverse table reference: lengths as documented). */
export const STANDARD_COLUMNS: Record<string, TargetColumn[]> = {
  contact: [
    s('firstname', 'First Name', 50), s('middlename', 'Middle Name', 50), s('lastname', 'Last Name', 50),
    s('nickname', 'Nickname', 100), s('salutation', 'Salutation', 100), s('jobtitle', 'Job Title', 100),
    s('emailaddress1', 'Email', 100, 'email'), s('emailaddress2', 'Email Address 2', 100, 'email'),
    s('telephone1', 'Business Phone', 50, 'phone'), s('mobilephone', 'Mobile Phone', 50, 'phone'),
    s('websiteurl', 'Website', 200, 'url'),
    { logicalName: 'birthdate', displayName: 'Birthday', type: 'datetime' },
    { logicalName: 'description', displayName: 'Description', type: 'memo', maxLength: 2000 },
    ...address(),
  ],
  account: [
    s('name', 'Account Name', 160), s('accountnumber', 'Account Number', 20),
    s('emailaddress1', 'Email', 100, 'email'), s('telephone1', 'Main Phone', 50, 'phone'), s('fax', 'Fax', 50, 'phone'),
    s('websiteurl', 'Website', 200, 'url'),
    { logicalName: 'description', displayName: 'Description', type: 'memo', maxLength: 2000 },
    ...address(),
  ],
  opportunity: [
    s('name', 'Topic', 300),
    { logicalName: 'estimatedvalue', displayName: 'Est. Revenue', type: 'money' },
    { logicalName: 'estimatedclosedate', displayName: 'Est. Close Date', type: 'datetime' },
    { logicalName: 'description', displayName: 'Description', type: 'memo', maxLength: 2000 },
  ],
  task: [
    s('subject', 'Subject', 200),
    { logicalName: 'description', displayName: 'Description', type: 'memo', maxLength: 2000 },
    { logicalName: 'scheduledend', displayName: 'Due', type: 'datetime' },
    { logicalName: 'actualstart', displayName: 'Actual Start', type: 'datetime' },
    { logicalName: 'actualend', displayName: 'Actual End', type: 'datetime' },
  ],
};

/** A table's candidate columns: platform columns first, then ours; the engine's bookkeeping columns are marked. */
export function targetColumnsFor(table: TableDef): TargetTableColumns {
  const ours: TargetColumn[] = table.columns.map((c) => ({
    logicalName: c.logicalName, displayName: c.displayName, type: c.type, maxLength: c.maxLength, format: c.format,
    systemOnly: c.logicalName === 'astep_sourceid' || c.logicalName.endsWith('createdbyuserid'),
  }));
  const known = new Set(ours.map((c) => c.logicalName));
  return { table: table.logicalName, columns: [...(STANDARD_COLUMNS[table.logicalName] ?? []).filter((c) => !known.has(c.logicalName)), ...ours] };
}
