// A small hand-made firm in normalized records: enough to exercise every mapping rule with plain objects.
import type {
  ActionDocument, ActionParticipant, Matter, Participant, TimeEntry, Task, TrustLedgerRow, User,
} from '@astep/actionstep-connector/records';
import { buildPlan, type DestinationInventory, type SystemUserInfo } from '../src/plan/buildPlan';
import { emptyFirmData, FirmIndex, type FirmData } from '../src/transform/firmData';
import { FirmLookups, FirmUnits, MAPPINGS, mapFirm, type MappedFirm } from '../src/mappings';
import type { MigrationOptions } from '../src/options';

const addr = { line1: null, line2: null, city: null, stateProvince: null, postCode: null, country: null };

export function person(id: string, first: string, last: string, extra: Partial<Participant> = {}): Participant {
  return {
    id, displayName: `${last}, ${first}`, isCompany: false, companyName: null, salutation: null, firstName: first, middleName: null,
    lastName: last, preferredName: null, email: null, website: null, occupation: null, phones: [], physicalAddress: { ...addr },
    mailingAddress: { ...addr }, birthTimestamp: null, createdTimestamp: '2020-01-01T09:00:00+12:00', modifiedTimestamp: null, divisionId: null,
    ...extra,
  };
}

export function company(id: string, name: string, extra: Partial<Participant> = {}): Participant {
  return { ...person(id, '', ''), displayName: name, isCompany: true, companyName: name, firstName: null, lastName: null, ...extra };
}

export function matter(id: string, name: string, extra: Partial<Matter> = {}): Matter {
  return {
    id, name, reference: `M${id}`, priority: 0, status: 'Active', statusTimestamp: '2021-03-04T10:00:00+13:00', createdTimestamp: '2021-01-05',
    modifiedTimestamp: '2021-03-04T10:00:00+13:00', isBillableOverride: null, isDeleted: false, deletedBy: null, deletedTimestamp: null,
    actionTypeId: '1', assignedToParticipantId: '900', primaryParticipantIds: [], divisionId: null, stepId: null, ...extra,
  };
}

export const link = (actionId: string, typeId: string, participantId: string, n = 1): ActionParticipant => ({
  id: `${actionId}--${typeId}--${participantId}`, actionId, participantTypeId: typeId, participantId, participantNumber: n,
});

export function time(id: string, actionId: string | null, extra: Partial<TimeEntry> = {}): TimeEntry {
  return {
    id, actionId, timestampDate: '2021-02-01T00:00:00+13:00', description: 'Drafting', actualHours: 1.5, billableHours: 1.5, billableAmount: 300,
    rateUnitPrice: 200, billingBehavior: 'Bill', isBillable: true, startTime: '09:00:00', createdTimestamp: '2021-02-01T10:00:00+13:00',
    ownerParticipantId: '900', createdByParticipantId: '900', ...extra,
  };
}

export function task(id: string, actionId: string, status: string, extra: Partial<Task> = {}): Task {
  return {
    id, actionId, name: `Task ${id}`, status, priority: 'Normal', dueTimestamp: '2021-04-01T17:00:00+13:00', startedTimestamp: null,
    completedTimestamp: status === 'Complete' ? '2021-03-30T12:00:00+13:00' : null, lastModifiedTimestamp: null, description: null,
    assignedBy: null, assigneeParticipantId: '900', completeDuringStep: 1, ...extra,
  };
}

export function doc(id: string, actionId: string, size: number, extra: Partial<ActionDocument> = {}): ActionDocument {
  return {
    id, actionId, name: `Doc ${id}`, fileName: `doc${id}.pdf`, extension: '.pdf', fileType: null, fileSize: size, file: `DL::Actions::${actionId}::${id}`,
    sharepointUrl: null, status: 'uploaded', isDeleted: false, createdTimestamp: '2021-02-02T08:00:00+13:00', modifiedTimestamp: null,
    folderId: null, createdByParticipantId: '900', ...extra,
  };
}

export const user = (id: string, participantId: string, email: string | null, isActive = true): User => ({
  id, emailAddress: email, isActive, hasAuthority: true, participantId, displayName: null,
});

/** Two matters for one company client, a solo-client matter, a template, a deleted matter, messy records. */
export function smallFirm(): FirmData {
  const d = emptyFirmData();
  d.actiontypes = [
    { id: '1', name: 'Conveyancing', description: null, isDisabled: false, isBillable: true, trackActualTime: true, trackBillableTime: true, primaryParticipantTypeId: '10' },
    { id: '2', name: 'Immigration', description: null, isDisabled: false, isBillable: true, trackActualTime: true, trackBillableTime: true, primaryParticipantTypeId: '10' },
  ];
  d.participanttypes = [
    { id: '10', name: 'Client', displayName: 'Client', description: null, isBaseParticipantType: true, companyFlag: null },
    { id: '11', name: 'Lawyer', displayName: 'Lawyer', description: null, isBaseParticipantType: true, companyFlag: null },
    { id: '12', name: 'Expert Witness', displayName: 'Expert Witness', description: null, isBaseParticipantType: false, companyFlag: null },
  ];
  d.participants = [
    company('100', 'Acme Holdings Ltd', { email: 'info@acme.example' }),
    person('200', 'Jane', 'Doe', { email: 'Jane.Doe@Example.com', phones: [{ label: 'Mobile', country: 64, area: 21, number: '555 1234' }] }),
    person('201', 'Jane', 'Doe', { email: 'jane.doe@example.com' }), // duplicate: email differs in case
    person('202', 'Bob', 'Smith', { email: 'not-an-email', birthTimestamp: '1980-02-30' }),
    person('203', 'Carol', "O'Neil", { phones: [{ label: 'Work', country: 64, area: 9, number: '300 4000' }] }),
    person('204', 'Carol', "O'Neil", { phones: [{ label: 'Home', country: 64, area: 9, number: '300-4000' }] }), // duplicate by name + phone
    person('900', 'Lara', 'Lawyer', { email: 'lara@firm.example' }),
    person('901', 'Gone', 'User', { email: 'gone@firm.example' }),
    person('300', 'Lonely', 'Person'), // on no matter
  ];
  d.users = [user('1', '900', 'LARA@firm.example'), user('2', '901', 'gone@firm.example', false)];
  d.actions = [
    matter('1', 'Acme purchase', { primaryParticipantIds: ['100'], createdTimestamp: '2021-01-05' }),
    matter('2', 'Acme lease', { primaryParticipantIds: ['100'], createdTimestamp: '2021-06-01', status: 'Closed', statusTimestamp: '2021-09-01T10:00:00+12:00' }),
    matter('3', 'Doe visa', { actionTypeId: '2', primaryParticipantIds: ['200'], status: 'Pending Review', assignedToParticipantId: '901' }),
    matter('4', 'Template matter', { status: 'Template' }),
    matter('5', 'Deleted matter', { isDeleted: true, deletedBy: 'Admin', deletedTimestamp: '2022-01-01T00:00:00+13:00' }),
  ];
  d.actionparticipants = [
    link('1', '10', '100'), link('1', '11', '900'), link('1', '12', '203'),
    link('2', '10', '100'), link('2', '12', '204'), link('2', '11', '201'),
    link('3', '10', '200'), link('3', '11', '900'), link('3', '12', '202'),
    link('3', '12', '999'), // orphan participant
  ];
  d.timeentries = [
    time('1', '1'), time('2', '1', { billingBehavior: 'No charge', billableAmount: 50 }), time('3', '2', { billableAmount: null, billableHours: 2, rateUnitPrice: 250 }),
    time('4', '77'), // orphan matter
    time('5', '3', { timestampDate: '2021-13-01T00:00:00+13:00', ownerParticipantId: '901' }),
  ];
  d.disbursements = [{ id: '1', actionId: '1', date: '2021-02-01', description: 'Search fee', quantity: 2, unitPrice: 25.5, unitPriceIncludesTax: true, enteredTimestamp: null, enteredByParticipantId: '900' }];
  d.bills = [{ id: '1', actionIds: ['1'], status: 'Closed', ourReference: 'INV1', currency: 'NZD', invoiceDate: '2021-03-01', dueDate: '2021-03-20', totalInclusive: 351, totalExclusive: 305, totalSalesTax: 46, totalPaid: 351, totalDue: 0, createdTimestamp: null, modifiedTimestamp: null }];
  d.tasks = [task('1', '1', 'Complete'), task('2', '1', 'Incomplete', { startedTimestamp: '2021-03-01T09:00:00+13:00' }), task('3', '3', 'Waiting'), task('4', '2', 'Deleted'), task('5', '1', 'Hidden')];
  d.actiondocuments = [doc('1', '1', 2000), doc('2', '1', 4_500_000), doc('3', '2', 100, { isDeleted: true })];
  d.filenotes = [
    { id: '1', actionId: '1', enteredTimestamp: '2021-02-03T11:00:00+13:00', noteTimestamp: null, text: '<p>Called <b>client</b> &amp; agreed</p>', enteredBy: 'Lara', source: 'User', participantId: '900', documentId: null },
    { id: '2', actionId: '1', enteredTimestamp: '2021-02-03T11:05:00+13:00', noteTimestamp: null, text: 'Step changed', enteredBy: 'System', source: 'System', participantId: null, documentId: null },
  ];
  d.datacollections = [{ id: '7', name: 'property', label: 'Property', description: null, multipleRecords: false, order: 1, actionTypeId: '1' }];
  d.datacollectionfields = [
    { id: '7--lotno', dataCollectionId: '7', name: 'lotno', label: 'Lot number', dataType: 'Number', required: false, formOrder: 1, description: null },
    { id: '7--settlement', dataCollectionId: '7', name: 'settlement', label: 'Settlement date', dataType: 'Date', required: false, formOrder: 2, description: null },
    { id: '7--notes', dataCollectionId: '7', name: 'notes', label: 'Notes', dataType: 'HtmlReadOnly', required: false, formOrder: 3, description: null },
  ];
  d.datacollectionrecords = [{ id: '50', actionId: '1', dataCollectionId: '7' }, { id: '51', actionId: '2', dataCollectionId: '7' }];
  d.datacollectionrecordvalues = [
    { id: '7--lotno--50', actionId: '1', dataCollectionId: '7', dataCollectionFieldId: '7--lotno', dataCollectionRecordId: '50', stringValue: '42', lastModifiedTimestamp: null },
    { id: '7--settlement--50', actionId: '1', dataCollectionId: '7', dataCollectionFieldId: '7--settlement', dataCollectionRecordId: '50', stringValue: '2021-02-30', lastModifiedTimestamp: null },
    { id: '7--settlement--51', actionId: '2', dataCollectionId: '7', dataCollectionFieldId: '7--settlement', dataCollectionRecordId: '51', stringValue: '2021-07-01', lastModifiedTimestamp: null },
  ];
  d.steps = [{ id: '1--1', actionTypeId: '1', stepNumber: 1, stepName: 'Open', description: null, isClosedStep: false }];
  const row = (line: number, e: Omit<TrustLedgerRow, 'line' | 'printed'>): TrustLedgerRow => ({
    ...e, line, printed: { date: e.date, amountIn: e.amountIn ? e.amountIn.toFixed(2) : '', amountOut: e.amountOut ? e.amountOut.toFixed(2) : '', balance: e.balance.toFixed(2) },
  });
  d.trustLedger = [
    row(2, { actionId: '1', matterReference: 'M1', date: '2021-01-10', transactionType: 'Receipt', reference: 'R1', description: 'Deposit', amountIn: 1000, amountOut: 0, balance: 1000 }),
    row(3, { actionId: '1', matterReference: 'M1', date: '2021-02-10', transactionType: 'Payment', reference: 'P1', description: 'Settlement', amountIn: 0, amountOut: 400, balance: 600 }),
    row(4, { actionId: '2', matterReference: 'M2', date: '2021-06-10', transactionType: 'Receipt', reference: 'R2', description: 'Deposit', amountIn: 50, amountOut: 0, balance: 60 }), // does not reconcile
  ];
  d.trustLedgerGiven = true;
  return d;
}

export const SYSTEM_USERS: SystemUserInfo[] = [
  { systemuserid: 'aaaaaaaa-0000-0000-0000-000000000001', fullname: 'Migration App', internalemailaddress: null, isdisabled: false },
  { systemuserid: 'aaaaaaaa-0000-0000-0000-000000000002', fullname: 'Lara Lawyer', internalemailaddress: 'lara@firm.example', isdisabled: false },
  { systemuserid: 'aaaaaaaa-0000-0000-0000-000000000003', fullname: 'Gone User', internalemailaddress: 'gone@firm.example', isdisabled: true },
];

export function destination(tier: DestinationInventory['licenseTier'] = 'SalesEnterprise'): DestinationInventory {
  return { webApiUrl: 'https://org.example/api/data/v9.2/', licenseTier: tier, existingCustomTables: [], systemUsers: SYSTEM_USERS, maxUploadFileSize: 5242880, callerId: SYSTEM_USERS[0].systemuserid };
}

export const FILES_URL = 'https://as.example/api/rest/files/';

/** The lookups over a firm with its plan (the plan's options overridden), as the engine builds them. */
export function contextFor(data: FirmData, overrides: Partial<MigrationOptions> = {}, tier: DestinationInventory['licenseTier'] = 'SalesEnterprise'): FirmLookups {
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(data)) counts[k] = (v as unknown[]).length;
  const plan = buildPlan({ orgkey: 'test', counts, ...data, documentBytes: 0 }, destination(tier), { timeZone: 'Pacific/Auckland', ...overrides }, new Date('2026-01-01T00:00:00Z'));
  return new FirmLookups(new FirmIndex(data), plan, FILES_URL);
}

/** Every mapping over the firm, in memory. */
export function mapAll(lookups: FirmLookups, mappings = MAPPINGS): MappedFirm {
  return mapFirm(mappings, lookups, new FirmUnits(lookups.index, lookups));
}
