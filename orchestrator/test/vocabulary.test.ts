// The vocabulary people see: Actionstep's and Dynamics' own words, options as sentences, licence names as
// Microsoft writes them, formats in the reader's locale, and the detector of internal names the output tests use.
import { EXTRACTION_ORDER } from '../src/run/engine';
import { MAPPINGS } from '../src/mappings';
import {
  columnLabel, fieldText, findInternalNames, formatDate, formatDuration, recordText, valueDisplay, formatDateTime, formatMoney, licenceName, objectLabel, optionSentence, plural, tableLabel, taskLabel,
} from '../src';

describe('vocabulary', () => {
  test("every Actionstep object and Dynamics table the engine moves has people's words, with no internal name in them", () => {
    for (const r of [...EXTRACTION_ORDER, 'trustledger']) {
      expect([r, findInternalNames(objectLabel(r))]).toEqual([r, []]);
      expect(objectLabel(r)).not.toBe(r);
    }
    for (const t of MAPPINGS.names) expect([t, findInternalNames(tableLabel(t))]).toEqual([t, []]);
    expect(objectLabel('datacollectionrecordvalues')).toBe('Data collection values');
    expect(objectLabel('participants')).toBe('People and organisations');
    expect(objectLabel('trustledger')).toBe('Trust ledger lines');
    expect(tableLabel('account')).toBe('Accounts');
    expect(tableLabel('annotation')).toBe('Notes');
    expect(tableLabel('astep_matterparticipant')).toBe('Matter participants');
    expect(tableLabel('astep_timeentry', 1)).toBe('Time Entry');
  });

  test('columns by their Dynamics display names, lookups by their column', () => {
    expect(columnLabel('account', '_ownerid_value')).toBe('Owner');
    expect(columnLabel('contact', 'emailaddress1')).toBe('Email');
    expect(columnLabel('astep_matter', 'astep_matternumber')).toBe('Matter Number');
    expect(columnLabel('astep_matter', 'astep_dc_x', { astep_dc_x: 'Case details: Court' })).toBe('Case details: Court');
    expect(findInternalNames(columnLabel('astep_matter', 'astep_dc_casedetails_court'))).toEqual([]);
  });

  test('options as sentences, licences as Microsoft names them, progress tasks as what happens', () => {
    expect(optionSentence('dataCollections', 'matterTable')).toBe('Keep data collection fields on one row per matter (Matter table)');
    expect(optionSentence('opportunityStrategy', 'perClientLatest')).toBe("One opportunity per client, from the client's latest matter");
    expect(optionSentence('fallbackOwnerEmail', null)).toBe("The migration's own Dynamics user");
    expect(licenceName('SalesProfessional')).toBe('Dynamics 365 Sales Professional');
    expect(taskLabel('extract datacollectionrecordvalues')).toBe('Reading data collection values from Actionstep');
    expect(taskLabel('astep_matterparticipant')).toBe('Writing matter participants');
    expect(taskLabel('download documents')).toBe('Downloading documents from Actionstep');
    expect(taskLabel('close')).toBe('Closing won and lost opportunities and completed tasks');
  });

  test('numbers, plurals, dates and money in the reader locale', () => {
    expect(plural(1, 'line')).toBe('1 line');
    expect(formatDuration(0.84)).toBe("0.8 s");
    expect(formatDuration(200)).toBe("3 min 20 s");
    expect(plural(2, 'changed record')).toBe('2 changed records');
    expect(plural(1520, 'entry', 'entries', { locale: 'en-NZ' })).toBe('1,520 entries');
    expect(formatDate('2024-03-01', { locale: 'en-NZ' })).toBe('1 Mar 2024');
    expect(formatDateTime('2024-03-01T02:00:00Z', { locale: 'en-NZ', timeZone: 'Pacific/Auckland' })).toBe('1 Mar 2024, 3:00 pm NZDT');
    expect(formatMoney(1234.5, { locale: 'en-NZ', currency: 'NZD' })).toBe('$1,234.50');
    expect(formatMoney(1234.5, { locale: 'de-DE', currency: 'EUR' })).toBe('1.234,50\u00a0€'); // a no-break space before the sign
    expect(formatMoney(1234.5, { locale: 'en-NZ' })).toBe('1,234.50');
  });

  test('the internal-name detector finds resource names, option values, licence keys, logical names, lookups and GUIDs', () => {
    const text = 'actiontypes, perClientLatest, allowed for SalesProfessional, astep_matter, _ownerid_value, 6f9619ff-8b86-d011-b42d-00c04fc964ff';
    expect(findInternalNames(text).map((h) => h.split(' in ')[0])).toEqual(['actiontypes', 'perClientLatest', 'SalesProfessional', 'astep_matter', '_ownerid_value', '6f9619ff-8b86-d011-b42d-00c04fc964ff']);
    expect(findInternalNames('Matters, Time entries, Dynamics 365 Sales Professional, Owner')).toEqual([]);
  });
});

describe('a diff entry as people read it', () => {
  const entry = (column: string, expected: unknown, table = 'astep_matter') => ({
    table, key: 'M-1', targetId: null, sourceResource: 'actions', sourceId: '1', column, source: null, expected, actual: expected, status: 'match' as const, reason: 'copied',
  });
  const labels = {
    currency: 'NZD',
    fields: { 'astep_matter|astep_trustbalance': { label: 'Trust Balance', kind: 'money' as const }, 'astep_matter|astep_mattertype': { label: 'Matter Type', kind: 'choice' as const }, 'astep_matter|astep_openedon': { label: 'Opened On', kind: 'date' as const }, 'astep_matter|_ownerid_value': { label: 'Owner', kind: 'lookup' as const } },
    records: { 'astep_matter|M-1': 'Smith purchase' },
    values: { 'astep_matter|astep_mattertype|615200003': 'Conveyancing', '0fbf859c-e793-5e6c-a883-4e2fc9955f1f': 'Noah Kumar' },
  };
  const s = { locale: 'en-NZ' };
  test('money in the firm currency, choices and owners by name, dates as dates; never a GUID', () => {
    expect(valueDisplay(entry('astep_trustbalance', 1234.5), 'expected', labels, s)).toBe('$1,234.50');
    expect(valueDisplay(entry('astep_trustbalance', 1234.5), 'expected', { ...labels, currency: null }, s)).toBe('1,234.50');
    expect(valueDisplay(entry('astep_mattertype', 615200003), 'actual', labels, s)).toBe('Conveyancing');
    expect(valueDisplay(entry('astep_openedon', '2024-03-01'), 'actual', labels, s)).toBe('1 Mar 2024');
    expect(valueDisplay(entry('_ownerid_value', '0fbf859c-e793-5e6c-a883-4e2fc9955f1f'), 'actual', labels, s)).toBe('Noah Kumar');
    expect(valueDisplay(entry('_ownerid_value', '1fbf859c-e793-5e6c-a883-4e2fc9955f1f'), 'actual', labels, s)).toBe('A linked record');
    expect(valueDisplay(entry('name', null), 'actual', labels, s)).toBeNull();
    expect(recordText(entry('name', 'x'), labels)).toBe('Smith purchase');
    expect(fieldText(entry('_ownerid_value', 'x'), labels)).toBe('Owner');
  });
});
