import type { RecordsByResource, ResourceName } from '@astep/actionstep-connector/records';
import {
  RESOURCES, RESOURCE_NAMES, fromWire, isLinkModelled, resourceDef, splitCompositeId, toWire, type WireIssue,
} from '@astep/actionstep-connector/resources';

const addr = { line1: '1 Queen St', line2: null, city: 'Auckland', stateProvince: null, postCode: '1010', country: 'NZ' };
const noAddr = { line1: null, line2: null, city: null, stateProvince: null, postCode: null, country: null };

const samples: { [R in ResourceName]: RecordsByResource[R] } = {
  actions: {
    id: '12', name: 'Smith purchase', reference: 'AB/12', priority: 2, status: 'Pending Review',
    statusTimestamp: '2022-05-03T20:49:15+12:00', createdTimestamp: '2019-10-10', modifiedTimestamp: '2022-05-03T20:49:15+12:00',
    isBillableOverride: null, isDeleted: true, deletedBy: 'Mocke, Rogan', deletedTimestamp: '2023-01-01T10:00:00+13:00',
    actionTypeId: '7', assignedToParticipantId: '10', primaryParticipantIds: ['56', '60'], divisionId: '1', stepId: '7--2',
  },
  actiontypes: { id: '7', name: 'Conveyancing', description: null, isDisabled: false, isBillable: true, trackActualTime: true,
    trackBillableTime: false, primaryParticipantTypeId: '72' },
  participants: {
    id: '56', displayName: "O'Brien, Zoë 😀", isCompany: false, companyName: null, salutation: 'Ms', firstName: 'Zoë',
    middleName: null, lastName: "O'Brien", preferredName: null, email: 'Zoe@Example.com', website: null, occupation: null,
    phones: [{ label: 'Mobile', country: 64, area: 21, number: '555 1234' }, { label: 'Work', country: null, area: null, number: '09 555' }],
    physicalAddress: addr, mailingAddress: noAddr, birthTimestamp: '2023-02-30', createdTimestamp: '2019-01-01T09:00:00+13:00',
    modifiedTimestamp: '2020-01-01T09:00:00+13:00', divisionId: null,
  },
  participanttypes: { id: '71', name: 'Client', displayName: 'Client', description: null, isBaseParticipantType: true, companyFlag: null },
  actionparticipants: { id: '12--71--56', actionId: '12', participantTypeId: '71', participantId: '56', participantNumber: 1 },
  datacollections: { id: '5', name: 'property', label: 'Property', description: null, multipleRecords: true, order: 3, actionTypeId: '7' },
  datacollectionfields: { id: '5--lot/no:*?', dataCollectionId: '5', name: 'lot/no:*?', label: 'Lot', dataType: 'Str255',
    required: false, formOrder: 1, description: '<b>x</b>' },
  datacollectionrecords: { id: '900', actionId: '12', dataCollectionId: '5' },
  datacollectionrecordvalues: { id: '5--lot/no:*?--900', actionId: '12', dataCollectionId: '5', dataCollectionFieldId: '5--lot/no:*?',
    dataCollectionRecordId: '900', stringValue: '2019-06-14', lastModifiedTimestamp: '2021-01-01T00:00:00+13:00' },
  timeentries: { id: '3', actionId: '12', timestampDate: '2022-05-03T00:00:00+12:00', description: 'Call', actualHours: 1.25,
    billableHours: 1.5, billableAmount: 412.5, rateUnitPrice: 275, billingBehavior: 'Bill', isBillable: true, startTime: '09:30:00',
    createdTimestamp: '2022-05-03T10:00:00+12:00', ownerParticipantId: '10', createdByParticipantId: '10' },
  disbursements: { id: '4', actionId: '12', date: '2022-05-03', description: 'Search fee', quantity: 1, unitPrice: 12.345,
    unitPriceIncludesTax: false, enteredTimestamp: '2022-05-03T10:00:00+12:00', enteredByParticipantId: null },
  bills: { id: '8', actionIds: ['12', '13'], status: 'Open', ourReference: 'INV-1', currency: 'NZD', invoiceDate: '2022-06-01',
    dueDate: '2022-06-20', totalInclusive: 115, totalExclusive: 100, totalSalesTax: 15, totalPaid: 0, totalDue: 115,
    createdTimestamp: '2022-06-01T10:00:00+12:00', modifiedTimestamp: null },
  filenotes: { id: '20', actionId: '12', enteredTimestamp: '2022-05-03T10:00:00+12:00', noteTimestamp: null, text: '<p>Hi &amp; bye</p>',
    enteredBy: 'Smith, Jo', source: 'System', participantId: '10', documentId: null },
  tasks: { id: '30', actionId: '12', name: 'Call client', status: 'Waiting', priority: 'High', dueTimestamp: null, startedTimestamp: null,
    completedTimestamp: null, lastModifiedTimestamp: '2022-05-03T10:00:00+12:00', description: null, assignedBy: 'Smith, Jo',
    assigneeParticipantId: '10', completeDuringStep: 2 },
  actiondocuments: { id: '40', actionId: '12', name: 'Contract', fileName: 'contract.pdf', extension: '.pdf', fileType: 'pdf',
    fileSize: 5242881, file: 'DL::Actions::12::40', sharepointUrl: null, status: 'uploaded', isDeleted: false,
    createdTimestamp: '2022-05-03T10:00:00+12:00', modifiedTimestamp: '2022-05-04T10:00:00+12:00', folderId: null, createdByParticipantId: '10' },
  users: { id: '2', emailAddress: 'jo@firm.example', isActive: true, hasAuthority: false, participantId: '10', displayName: null },
  steps: { id: '7--2', actionTypeId: '7', stepNumber: 2, stepName: 'Settlement', description: null, isClosedStep: false },
};

describe('resources.ts definitions', () => {
  it('covers every ResourceName with consistent definitions', () => {
    expect(RESOURCE_NAMES.sort()).toEqual(Object.keys(samples).sort());
    for (const name of RESOURCE_NAMES) {
      const def = RESOURCES[name];
      expect(def.name).toBe(name);
      expect(def.fields[0].name).toBe('id');
      if (def.modifiedField) expect(def.fields.some((x) => x.name === def.modifiedField)).toBe(true);
      expect(def.verbs).toContain('GET');
    }
  });

  it('throws a clear error for unknown or wrongly cased names', () => {
    expect(() => resourceDef('Actions')).toThrow(/Unknown Actionstep resource "Actions".*case-sensitive/);
    expect(resourceDef('tasks').modifiedField).toBe('lastModifiedTimestamp');
    expect(resourceDef('datacollectionrecordvalues').modifiedField).toBe('last_modified_time_stamp');
    expect(resourceDef('timeentries').modifiedField).toBeNull();
  });

  it('marks links to resources we do not serve with their real resource name', () => {
    expect(isLinkModelled('actions', 'actionType')).toBe(true);
    expect(isLinkModelled('actions', 'division')).toBe(false);
    expect(RESOURCES.participants.links.find((l) => l.name === 'physicalCountry')?.externalResource).toBe('countries');
    expect(isLinkModelled('actions', 'nope')).toBe(false);
  });

  it('splits composite ids whose middle part contains "--"', () => {
    expect(splitCompositeId('actionparticipants', '1--27--10')).toEqual(['1', '27', '10']);
    expect(splitCompositeId('datacollectionrecordvalues', '5--a--b--900')).toEqual(['5', 'a--b', '900']);
  });
});

describe('toWire / fromWire', () => {
  it.each(RESOURCE_NAMES)('round-trips %s losslessly', (name) => {
    const rec = samples[name];
    const wire = toWire(name, rec);
    const linked = name === 'users' ? { participants: [{ id: 10, displayName: 'Smith, Jo' }] } : undefined;
    const expected = name === 'users' ? { ...rec, displayName: 'Smith, Jo' } : rec;
    expect(JSON.parse(JSON.stringify(fromWire(name, JSON.parse(JSON.stringify(wire)), { linked })))).toEqual(expected);
  });

  it('emits the real wire quirks', () => {
    const w = toWire('actions', samples.actions);
    expect(w.id).toBe(12);
    expect(w.isDeleted).toBe('T');
    expect(w.isBillableOverride).toBeNull();
    expect(w.links).toMatchObject({ actionType: '7', primaryParticipants: ['56', '60'], step: '7--2', relatedActions: null });
    expect(toWire('actions', { ...samples.actions, primaryParticipantIds: [] }).links?.primaryParticipants).toBeNull();
    const t = toWire('timeentries', samples.timeentries);
    expect(t.actualHours).toBe('1.25');
    expect(t.billableAmount).toBe(412.5);
    expect(toWire('actiondocuments', samples.actiondocuments).fileSize).toBe('5242881');
    expect(toWire('actionparticipants', samples.actionparticipants).id).toBe('12--71--56');
    const p = toWire('participants', samples.participants);
    expect(p.phone2Number).toBe('09 555');
    expect(p.phone3Number).toBeNull();
    expect(p.links).toMatchObject({ physicalCountry: 'NZ', mailingCountry: null });
  });

  it('tolerates numbers or strings, "" and null, missing fields, numeric link ids, and reports garbage', () => {
    const issues: WireIssue[] = [];
    const rec = fromWire(
      'timeentries',
      { id: '3', actualHours: 2, billableHours: '', rateUnitPrice: 'abc', isBillable: '', links: { action: 12, owner: null } },
      { onIssue: (i) => issues.push(i) },
    );
    expect(rec).toMatchObject({ id: '3', actualHours: 2, billableHours: null, rateUnitPrice: null, isBillable: null,
      actionId: '12', ownerParticipantId: null, description: null, startTime: null });
    expect(issues).toEqual([{ resource: 'timeentries', id: '3', field: 'rateUnitPrice', rule: 'expected a number', value: 'abc' }]);
    const a = fromWire('actions', { id: 5, isDeleted: '', links: { primaryParticipants: 9 } });
    expect(a).toMatchObject({ id: '5', isDeleted: false, name: '', status: '', primaryParticipantIds: ['9'], actionTypeId: null });
    const ap = fromWire('actionparticipants', { id: '1--27--10' });
    expect(ap).toMatchObject({ actionId: '1', participantTypeId: '27', participantId: '10', participantNumber: null });
    expect(() => fromWire('actions', [1])).toThrow(/expected a JSON object/);
  });
});
