// The declarations hold the engine to them: a mapping set loads parents first and one mapping per table, a row can
// carry only declared columns and lookups, and every column's type and length is the schema's.
import { PLATFORM_COLUMNS } from '@astep/solution/platformColumns';
import { TABLES } from '@astep/solution/schema';
import { MAPPINGS, MappingSet, emptyOutput, type TableMapping, type TargetRow } from '../src';
import { contextFor, mapAll, smallFirm } from './fixtures';

const account = MAPPINGS.require('account');
const matter = MAPPINGS.require('astep_matter');

describe('the mapping set', () => {
  test('load order: the ten tables, parents before children', () => {
    expect(MAPPINGS.names).toEqual(['account', 'opportunity', 'contact', 'astep_matter', 'astep_matterparticipant', 'astep_timeentry', 'task', 'astep_step', 'astep_document', 'annotation']);
    expect(MAPPINGS.tables.map((m) => m.label)).toEqual(['Accounts', 'Opportunities', 'Contacts', 'Matters', 'Matter participants', 'Time entries', 'Tasks', 'Matter steps', 'Documents', 'Notes']);
  });

  test('a child before its parent, or two mappings of one table, are refused by name', () => {
    expect(() => new MappingSet([matter, account], [])).toThrow('the astep_matter mapping binds astep_AccountId to account, which is not loaded before it');
    expect(() => new MappingSet([account, account], [])).toThrow('two mappings write account');
  });

  test('every declared column has the schema\'s type and length (ours or the platform\'s)', () => {
    for (const m of MAPPINGS.tables) {
      const defs = [...(TABLES.find((t) => t.logicalName === m.target.logicalName)?.columns ?? []), ...(PLATFORM_COLUMNS[m.target.logicalName] ?? [])];
      for (const c of m.columns) expect(defs).toContain(c.def);
    }
    expect(account.columns.find((c) => c.column === 'name')!.def.maxLength).toBe(160);
  });

  test('lookups name the attribute they are read back as, from the schema\'s relationships', () => {
    expect(MAPPINGS.lookupByNavigation('astep_matter', 'astep_AccountId')).toMatchObject({ attribute: '_astep_accountid_value', table: 'account', by: 'sourceId' });
    expect(MAPPINGS.lookupByAttribute('contact', '_parentcustomerid_value')?.navigation).toBe('parentcustomerid_account');
    expect(MAPPINGS.lookupByAttribute('task', '_ownerid_value')).toMatchObject({ navigation: 'ownerid', table: 'systemuser', by: 'id' });
  });
});

describe('the driver', () => {
  const lookups = contextFor(smallFirm());
  const withRow = (row: Partial<TargetRow>): MappingSet => {
    const rogue: TableMapping = { ...account, feeds: [{ resource: 'actions', grouping: 'record', map: () => ({ ...emptyOutput(), rows: [{ table: 'account', sourceResource: 'actions', sourceId: '1', key: 'X', attributes: {}, binds: {}, problems: [], ...row }] }) }] };
    return new MappingSet([rogue], []);
  };

  test('a row with a column or lookup its declaration does not list is an engine bug, named', () => {
    expect(() => mapAll(lookups, withRow({ attributes: { fax: '1' } }))).toThrow('the account mapping wrote column fax, which its declaration does not list');
    expect(() => mapAll(lookups, withRow({ binds: { primarycontactid: null } }))).toThrow('the account mapping bound primarycontactid, which its declaration does not list');
    expect(() => mapAll(lookups, withRow({ finalState: { state: 'won' } }))).toThrow('the account mapping closes a row as "won", a state its lifecycle does not declare');
  });

  test('documents: a skip both document mappings report is one disposition', () => {
    const mapped = mapAll(lookups);
    expect(mapped.dispositions.get('actiondocuments:3')).toEqual([{ kind: 'skipped', reason: 'document 3 is deleted in Actionstep' }]);
  });
});
