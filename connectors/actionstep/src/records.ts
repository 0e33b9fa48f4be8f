// Normalized Actionstep records: what the client yields after it has undone the API's quirks (T/F booleans,
// numbers as strings, bare single objects, string link ids, "" for empty). The synthetic firm generator's ground
// truth is expressed in exactly these types, and the migration engine consumes them.
//
// Conventions:
// - every id and link id is a string (top-level ids are integers in the API, composite ids are "a--b--c");
// - a missing link is null, a missing link list is [];
// - dates the API gives as dates stay "YYYY-MM-DD" strings; timestamps stay ISO 8601 strings with the org's offset,
//   exactly as the API sent them (time zone conversion is the engine's job, with the firm's zone);
// - text is kept verbatim (HTML, emoji, quotes are not cleaned here: the engine reports and maps them);
// - numbers are numbers (null when empty); booleans are booleans (null when the API sent "" or null).

export type ResourceName =
  | 'actions'
  | 'actiontypes'
  | 'participants'
  | 'participanttypes'
  | 'actionparticipants'
  | 'datacollections'
  | 'datacollectionfields'
  | 'datacollectionrecords'
  | 'datacollectionrecordvalues'
  | 'timeentries'
  | 'disbursements'
  | 'bills'
  | 'filenotes'
  | 'tasks'
  | 'actiondocuments'
  | 'users'
  | 'steps';

export interface Matter {
  id: string;
  name: string;
  /** The firm's file reference: the "matter number". */
  reference: string | null;
  priority: number | null;
  /** Active | Inactive | Closed | Template, or an unknown value the API sent (kept verbatim). */
  status: string;
  statusTimestamp: string | null;
  /** Date only ("YYYY-MM-DD") in real data. */
  createdTimestamp: string | null;
  modifiedTimestamp: string | null;
  isBillableOverride: boolean | null;
  isDeleted: boolean;
  deletedBy: string | null;
  deletedTimestamp: string | null;
  actionTypeId: string | null;
  /** Participant id of the responsible user. */
  assignedToParticipantId: string | null;
  primaryParticipantIds: string[];
  divisionId: string | null;
  /** Current step, "<actionTypeId>--<stepNumber>". */
  stepId: string | null;
}

export interface ActionType {
  id: string;
  name: string;
  description: string | null;
  isDisabled: boolean;
  isBillable: boolean;
  trackActualTime: boolean;
  trackBillableTime: boolean;
  primaryParticipantTypeId: string | null;
}

export interface Phone {
  label: string | null;
  country: number | null;
  area: number | null;
  number: string | null;
}

export interface Address {
  line1: string | null;
  line2: string | null;
  city: string | null;
  stateProvince: string | null;
  postCode: string | null;
  /** ISO 3166 alpha-2 from the link (e.g. "NZ"). */
  country: string | null;
}

export interface Participant {
  id: string;
  displayName: string;
  isCompany: boolean;
  companyName: string | null;
  salutation: string | null;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  preferredName: string | null;
  email: string | null;
  website: string | null;
  occupation: string | null;
  /** phone1..phone4 in order, empty ones omitted. */
  phones: Phone[];
  physicalAddress: Address;
  mailingAddress: Address;
  /** "YYYY-MM-DD" as sent (may be invalid in messy data; kept verbatim). */
  birthTimestamp: string | null;
  createdTimestamp: string | null;
  modifiedTimestamp: string | null;
  divisionId: string | null;
}

export interface ParticipantType {
  id: string;
  name: string;
  displayName: string | null;
  description: string | null;
  isBaseParticipantType: boolean;
  companyFlag: boolean | null;
}

export interface ActionParticipant {
  /** "<actionId>--<participantTypeId>--<participantId>" */
  id: string;
  actionId: string;
  participantTypeId: string;
  participantId: string;
  participantNumber: number | null;
}

export interface DataCollection {
  id: string;
  name: string;
  label: string | null;
  description: string | null;
  multipleRecords: boolean;
  order: number | null;
  actionTypeId: string | null;
}

export type DataCollectionFieldType =
  | 'Appointment' | 'AutoNumber' | 'AutoNumberDC' | 'Boolean' | 'Date' | 'DateNM' | 'DateTime' | 'DateTimeNM'
  | 'DropDown' | 'DropDownMulti' | 'HtmlReadOnly' | 'Money' | 'Number' | 'Participant' | 'Str255' | 'Str255Protected'
  | 'TextArea';

export interface DataCollectionField {
  /** "<dataCollectionId>--<fieldName>" */
  id: string;
  dataCollectionId: string;
  name: string;
  label: string | null;
  /** One of DataCollectionFieldType, or an unknown value kept verbatim. */
  dataType: string;
  required: boolean;
  formOrder: number | null;
  description: string | null;
}

export interface DataCollectionRecord {
  id: string;
  actionId: string;
  dataCollectionId: string;
}

export interface DataCollectionRecordValue {
  /** "<dataCollectionId>--<fieldName>--<recordId>" */
  id: string;
  actionId: string;
  dataCollectionId: string;
  dataCollectionFieldId: string;
  dataCollectionRecordId: string;
  stringValue: string | null;
  lastModifiedTimestamp: string | null;
}

export interface TimeEntry {
  id: string;
  actionId: string | null;
  /** e.g. "2022-05-03T00:00:00+12:00" */
  timestampDate: string | null;
  description: string | null;
  actualHours: number | null;
  billableHours: number | null;
  billableAmount: number | null;
  rateUnitPrice: number | null;
  /** Bill | Hide | No charge */
  billingBehavior: string | null;
  isBillable: boolean | null;
  startTime: string | null;
  createdTimestamp: string | null;
  ownerParticipantId: string | null;
  createdByParticipantId: string | null;
}

export interface Disbursement {
  id: string;
  actionId: string | null;
  date: string | null;
  description: string | null;
  quantity: number | null;
  unitPrice: number | null;
  unitPriceIncludesTax: boolean | null;
  enteredTimestamp: string | null;
  enteredByParticipantId: string | null;
}

export interface Bill {
  id: string;
  /** A bill can span matters. */
  actionIds: string[];
  /** Draft | Open | Closed | Deleted */
  status: string;
  ourReference: string | null;
  currency: string | null;
  invoiceDate: string | null;
  dueDate: string | null;
  totalInclusive: number | null;
  totalExclusive: number | null;
  totalSalesTax: number | null;
  totalPaid: number | null;
  totalDue: number | null;
  createdTimestamp: string | null;
  modifiedTimestamp: string | null;
}

export interface FileNote {
  id: string;
  actionId: string | null;
  enteredTimestamp: string | null;
  noteTimestamp: string | null;
  text: string | null;
  enteredBy: string | null;
  /** System | User */
  source: string | null;
  participantId: string | null;
  documentId: string | null;
}

export interface Task {
  id: string;
  actionId: string | null;
  name: string;
  /** Incomplete | Complete | Hidden | Deleted, or unknown verbatim */
  status: string;
  /** Low | Normal | High */
  priority: string | null;
  dueTimestamp: string | null;
  startedTimestamp: string | null;
  completedTimestamp: string | null;
  lastModifiedTimestamp: string | null;
  description: string | null;
  assignedBy: string | null;
  assigneeParticipantId: string | null;
  /** Step number during which the task is completed (order within the matter's workflow). */
  completeDuringStep: number | null;
}

export interface ActionDocument {
  id: string;
  actionId: string | null;
  name: string;
  fileName: string | null;
  /** With the dot, e.g. ".pdf" */
  extension: string | null;
  fileType: string | null;
  fileSize: number | null;
  /** Download id for GET /files/{file} (e.g. "DL::Actions::15::127"); never percent-encoded. */
  file: string | null;
  sharepointUrl: string | null;
  status: string | null;
  isDeleted: boolean;
  createdTimestamp: string | null;
  modifiedTimestamp: string | null;
  folderId: string | null;
  createdByParticipantId: string | null;
}

export interface User {
  id: string;
  emailAddress: string | null;
  isActive: boolean;
  hasAuthority: boolean;
  /** The user's participant record (names live there); time entries and tasks point to it. */
  participantId: string | null;
  /** From the sideloaded participant, when included. */
  displayName: string | null;
}

export interface Step {
  /** "<actionTypeId>--<stepNumber>" */
  id: string;
  actionTypeId: string;
  stepNumber: number;
  stepName: string;
  description: string | null;
  isClosedStep: boolean;
}

/** One transaction of the trust ledger report the firm exports from Actionstep (there is no trust API). */
export interface TrustLedgerEntry {
  /** Matter (action) id the row belongs to. */
  actionId: string;
  matterReference: string | null;
  /** "YYYY-MM-DD" */
  date: string;
  /** Receipt | Payment | Receipt reversal | ..., or what the report's type column says, verbatim */
  transactionType: string;
  reference: string | null;
  description: string | null;
  /** Money in (a receipt; negative for a reversal), 0 when none. */
  amountIn: number;
  /** Money out (a payment), 0 when none. */
  amountOut: number;
  /** Running balance after the row, as printed by the report. */
  balance: number;
}

/** A row of the export file read into a transaction, with where it stood and its cells as printed. */
export interface TrustLedgerRow extends TrustLedgerEntry {
  /** Row of the file (1-based, title and header rows counted), for messages. */
  line: number;
  /** The cells as the report printed them: what a person compares with the figures. */
  printed: { date: string; amountIn: string; amountOut: string; balance: string };
  /** A balance brought forward (an opening balance for the report's period): no money moved in this row. */
  opening?: boolean;
}

export type TrustLedgerRule =
  | 'trust ledger: row without a matter id'
  | 'trust ledger: not a date'
  | 'trust ledger: not an amount'
  | 'trust ledger: running balance does not add up';

/** A cell that could not be read, or a row whose printed balance does not follow from the row before. */
export interface TrustLedgerProblem {
  line: number;
  /** The column as the file's header names it. */
  column: string;
  actionId: string | null;
  rule: TrustLedgerRule;
  value: string;
  message: string;
}

/** The trust ledger export read: its rows and every problem by row and column. */
export interface ParsedTrustLedger {
  /** Where the file came from, for messages ("trust-ledger.csv"). */
  source: string;
  format: 'csv' | 'xlsx';
  header: string[];
  rows: TrustLedgerRow[];
  /** Cells that could not be read (their row is left out, and its matter's figures become unknown) and running balances that do not add up. */
  problems: TrustLedgerProblem[];
}

/** Map from resource name to its normalized record type. */
export interface RecordsByResource {
  actions: Matter;
  actiontypes: ActionType;
  participants: Participant;
  participanttypes: ParticipantType;
  actionparticipants: ActionParticipant;
  datacollections: DataCollection;
  datacollectionfields: DataCollectionField;
  datacollectionrecords: DataCollectionRecord;
  datacollectionrecordvalues: DataCollectionRecordValue;
  timeentries: TimeEntry;
  disbursements: Disbursement;
  bills: Bill;
  filenotes: FileNote;
  tasks: Task;
  actiondocuments: ActionDocument;
  users: User;
  steps: Step;
}
