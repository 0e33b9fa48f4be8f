// Fixed vocabulary of the synthetic firm: names, matter types with their steps and data collections, role types.
import type { DataCollectionFieldType } from '@astep/actionstep-connector/records';

export const FIRST_NAMES = [
  'James', 'Olivia', 'Liam', 'Charlotte', 'Noah', 'Amelia', 'Jack', 'Isla', 'William', 'Mia', 'Oliver', 'Ava',
  'Thomas', 'Grace', 'Lucas', 'Harper', 'Henry', 'Sophie', 'Mason', 'Ella', 'Wiremu', 'Aroha', 'Tane', 'Mere',
  'Hemi', 'Anahera', 'Raj', 'Priya', 'Wei', 'Mei', 'Sione', 'Losa', 'Ahmed', 'Fatima', 'Daniel', 'Chloe',
  'Samuel', 'Ruby', 'Benjamin', 'Zoe', 'Matthew', 'Emily', 'Joshua', 'Hannah', 'Ryan', 'Lily', 'Aiden', 'Jessica',
];
export const LAST_NAMES = [
  'Smith', 'Williams', 'Brown', 'Wilson', 'Taylor', 'Jones', 'Ngata', 'Walker', 'Harris', 'Thompson', 'Singh',
  'Wang', 'Patel', 'Anderson', 'Martin', 'Clarke', 'Robinson', 'White', 'Kumar', 'Chen', 'Li', 'Tupou', 'Parata',
  'Campbell', 'Stewart', 'Young', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Hall', 'Cooper', 'Morgan', 'Reid',
  'Kelly', 'Murray', 'Hughes', 'Edwards', 'Turner', 'Phillips', 'Parker', 'Collins', 'Bell', 'Ward', 'Fraser',
];
/** Names with quotes, accents and emoji for messy records. */
export const MESSY_LAST_NAMES = ["O'Brien", "D'Souza", 'Müller-Lüdenscheidt', 'Ōtākou 😀', 'Smith & Sons', 'Ngā "Tahu"'];
export const MESSY_FIRST_NAMES = ['Zoë', 'José', 'Ana-María', '李', 'Renée 🎉'];
export const COMPANY_WORDS = [
  'Harbour', 'Southern', 'Pacific', 'Kauri', 'Summit', 'Coastal', 'Tasman', 'Alpine', 'Golden', 'Northern',
  'Riverside', 'Pinnacle', 'Kiwi', 'Meridian', 'Silver Fern', 'Totara', 'Rimu', 'Bayview', 'Highland', 'Orchard',
];
export const COMPANY_KINDS = [
  'Holdings Ltd', 'Developments Ltd', 'Trust', 'Logistics Ltd', 'Construction Ltd', 'Foods Ltd', 'Capital Ltd',
  'Partners', 'Group Ltd', 'Properties Ltd', 'Engineering Ltd', 'Retail Ltd',
];
/** Company names with OData-special characters for messy records. */
export const MESSY_COMPANY_NAMES = [
  "O'Neill & Co / Partners", 'A*B <Holdings> Ltd', '100% Pure: Kiwi Ltd', 'C:\\Drive? Ltd', 'Plus+Hash #1 Ltd',
  'Smith & Jones (Auckland) Ltd',
];
export const CITIES = ['Auckland', 'Wellington', 'Christchurch', 'Hamilton', 'Tauranga', 'Dunedin', 'Napier', 'Nelson'];
export const STREETS = ['Queen St', 'Lambton Quay', 'Colombo St', 'Victoria St', 'Cameron Rd', 'George St', 'Beach Rd'];
export const OCCUPATIONS = ['Teacher', 'Engineer', 'Nurse', 'Accountant', 'Farmer', 'Builder', 'Director', null];

export interface ParticipantTypeDef {
  id: number;
  name: string;
  companyFlag: boolean | null;
  isBase: boolean;
}
export const PARTICIPANT_TYPES: ParticipantTypeDef[] = [
  { id: 1, name: 'Client', companyFlag: null, isBase: true },
  { id: 2, name: 'Lawyer', companyFlag: false, isBase: true },
  { id: 3, name: 'Paralegal', companyFlag: false, isBase: false },
  { id: 4, name: 'Other Side', companyFlag: null, isBase: true },
  { id: 5, name: 'Other Side Lawyer', companyFlag: false, isBase: false },
  { id: 6, name: 'Witness', companyFlag: false, isBase: false },
  { id: 7, name: 'Referrer', companyFlag: null, isBase: false },
  { id: 8, name: 'Executor', companyFlag: false, isBase: false },
  { id: 9, name: 'Beneficiary', companyFlag: false, isBase: false },
  { id: 10, name: 'Real Estate Agent', companyFlag: null, isBase: false },
];
export const PT = { client: 1, lawyer: 2, paralegal: 3, otherSide: 4, otherSideLawyer: 5, witness: 6, referrer: 7,
  executor: 8, beneficiary: 9, agent: 10 } as const;

export interface DcFieldDef {
  name: string;
  label: string;
  dataType: DataCollectionFieldType;
  required?: boolean;
}
export interface DataCollectionDef {
  name: string;
  label: string;
  multipleRecords: boolean;
  fields: DcFieldDef[];
}
export interface ActionTypeDef {
  id: number;
  name: string;
  description: string;
  /** Share of matters of this type (weights, not normalized). */
  weight: number;
  steps: string[];
  taskNames: string[];
  collections: DataCollectionDef[];
  extraRoles: number[];
}

function fields(spec: string): DcFieldDef[] {
  return spec.split(',').map((s) => {
    const [name, dataType, label] = s.trim().split(':');
    return { name, dataType: dataType as DataCollectionFieldType, label: label ?? name };
  });
}

/** The one collection with 50+ fields (litigation case details). */
function caseDetailsFields(): DcFieldDef[] {
  const base = fields(
    'court:Str255:Court,registry:Str255:Registry,caseno:Str255:Case number,filed:Date:Filed,hearing:DateTime:Hearing,' +
      'judge:Str255:Judge,claim:Money:Claim amount,costs:Money:Costs awarded,outcome:DropDown:Outcome,' +
      'summary:TextArea:Summary,legalaid:Boolean:Legal aid,counsel:Participant:Counsel,limitation:Date:Limitation date',
  );
  const kinds: DataCollectionFieldType[] = ['Str255', 'Date', 'Number', 'Money', 'Boolean', 'TextArea', 'DropDown'];
  for (let i = 1; base.length < 56; i++) {
    const t = kinds[i % kinds.length];
    base.push({ name: `evidence_${String(i).padStart(2, '0')}`, dataType: t, label: `Evidence item ${i}` });
  }
  return base;
}

export const ACTION_TYPES: ActionTypeDef[] = [
  {
    id: 1, name: 'Conveyancing', description: 'Residential and commercial property transactions', weight: 30,
    steps: ['Instructions', 'Due diligence', 'Unconditional', 'Settlement', 'Closed'],
    taskNames: ['Order LIM', 'Check title', 'Prepare settlement statement', 'Lodge e-dealing', 'Confirm funds'],
    collections: [
      { name: 'property', label: 'Property', multipleRecords: true,
        fields: fields('address:Str255:Address,titleref:Str255:Title reference,lotno:Str255:Lot,planno:Str255:Plan,price:Money:Purchase price,deposit:Money:Deposit') },
      { name: 'keydates', label: 'Key dates', multipleRecords: false,
        fields: fields('agreement:Date:Agreement date,unconditional:Date:Unconditional date,settlement:Date:Settlement date,possession:DateNM:Possession') },
    ],
    extraRoles: [PT.agent, PT.otherSide, PT.otherSideLawyer],
  },
  {
    id: 2, name: 'Litigation', description: 'Civil disputes and proceedings', weight: 20,
    steps: ['Intake', 'Pleadings', 'Discovery', 'Hearing', 'Judgment', 'Closed'],
    taskNames: ['File statement of claim', 'Serve documents', 'Prepare affidavit', 'Brief witness', 'Attend hearing'],
    collections: [
      { name: 'casedetails', label: 'Case details', multipleRecords: false, fields: caseDetailsFields() },
      { name: 'hearings', label: 'Hearings', multipleRecords: true,
        fields: fields('hearingdate:DateTime:Date,courtroom:Str255:Courtroom,notes:TextArea:Notes') },
    ],
    extraRoles: [PT.otherSide, PT.otherSideLawyer, PT.witness],
  },
  {
    id: 3, name: 'Family Law', description: 'Relationship property, care of children', weight: 15,
    steps: ['Intake', 'Negotiation', 'Agreement', 'Closed'],
    taskNames: ['Collect financial disclosure', 'Draft agreement', 'Arrange mediation'],
    collections: [
      { name: 'family', label: 'Family', multipleRecords: false,
        fields: fields('separation:Date:Separation date,children:Number:Children,propertypool:Money:Property pool,protectionorder:Boolean:Protection order') },
    ],
    extraRoles: [PT.otherSide, PT.otherSideLawyer],
  },
  {
    id: 4, name: 'Wills & Estates', description: 'Wills, powers of attorney and estate administration', weight: 20,
    steps: ['Instructions', 'Drafting', 'Signing', 'Closed'],
    taskNames: ['Draft will', 'Arrange signing', 'Store original will', 'Apply for probate'],
    collections: [
      { name: 'estate', label: 'Estate', multipleRecords: false,
        fields: fields('deceased:Str255:Deceased,dateofdeath:Date:Date of death,estatevalue:Money:Estate value,probate:Date:Probate granted,willlocation:Str255:Will location') },
      { name: 'assets', label: 'Assets', multipleRecords: true,
        fields: fields('asset:Str255:Asset,value:Money:Value,category:DropDown:Category') },
    ],
    extraRoles: [PT.executor, PT.beneficiary],
  },
  {
    id: 5, name: 'Commercial', description: 'Company and commercial work', weight: 10,
    steps: ['Scoping', 'Drafting', 'Negotiation', 'Completion', 'Closed'],
    taskNames: ['Draft heads of terms', 'Company search', 'Prepare disclosure letter', 'Completion meeting'],
    collections: [
      { name: 'transaction', label: 'Transaction', multipleRecords: false,
        fields: fields('dealvalue:Money:Deal value,counterparty:Str255:Counterparty,completion:Date:Completion date,structure:DropDown:Structure') },
    ],
    extraRoles: [PT.otherSide, PT.otherSideLawyer, PT.referrer],
  },
  {
    id: 6, name: 'Employment', description: 'Employment disputes and advice', weight: 5,
    steps: ['Intake', 'Mediation', 'Authority', 'Closed'],
    taskNames: ['Raise personal grievance', 'Prepare for mediation', 'File with Authority'],
    collections: [
      { name: 'employment', label: 'Employment', multipleRecords: false,
        fields: fields('employer:Str255:Employer,startdate:Date:Start date,enddate:Date:End date,salary:Money:Salary,grievance:TextArea:Grievance') },
    ],
    extraRoles: [PT.otherSide, PT.witness],
  },
];

/** Field names with quotes and OData-special characters: they end up inside composite ids ("12--o'neil/ref--345"). */
export const MESSY_DC_FIELDS: DcFieldDef[] = [
  { name: "client's ref/no", dataType: 'Str255', label: "Client's reference" },
  { name: 'a*b<c>%&:\\?+#', dataType: 'Str255', label: 'Odd name' },
];

export const NOTE_TEXTS = [
  'Called client to discuss progress.', 'Emailed other side re settlement date.', 'Reviewed documents received.',
  'Client attended office to sign.', 'Left voicemail for client.', 'Received funds into trust.',
];
export const HTML_NOTES = [
  '<p>Client <b>confirmed</b> instructions &amp; signed.</p>', '<div style="color:red">Urgent: <i>call back</i><br/>today</div>',
];
export const EMOJI_NOTES = ['Settlement done 🎉🏠', 'Client happy 👍 — “thanks”'];
export const TIME_DESCRIPTIONS = [
  'Attendance on client', 'Drafting correspondence', 'Review of file', 'Telephone attendance', 'Research',
  'Preparing documents', 'Court attendance', 'Travel',
];
export const DISBURSEMENT_DESCRIPTIONS = ['LINZ search fee', 'Court filing fee', 'Courier', 'Photocopying', 'Registration fee'];
export const DOC_KINDS: Array<{ ext: string; type: string; prefix: string }> = [
  { ext: '.pdf', type: 'pdf', prefix: '%PDF-1.4\n' },
  { ext: '.docx', type: 'docx', prefix: 'PK\u0003\u0004' },
  { ext: '.txt', type: 'txt', prefix: '' },
  { ext: '.msg', type: 'msg', prefix: '' },
];
export const DOC_NAMES = ['Letter of engagement', 'Agreement for sale', 'Affidavit', 'Will', 'Statement of claim', 'Invoice', 'Email from client'];
