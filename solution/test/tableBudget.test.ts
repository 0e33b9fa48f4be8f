import { SCHEMA } from '../src/schema';
import { tableBudget } from '../src/tableBudget';

describe('tableBudget', () => {
  it('counts every custom table of the schema (the plan provisions them all)', () => {
    const b = tableBudget(SCHEMA, 'SalesProfessional');
    expect(b.needed).toEqual(['astep_matter', 'astep_matterparticipant', 'astep_timeentry', 'astep_document', 'astep_step', 'astep_migrationrun', 'astep_stagingrow', 'astep_auditentry']);
    expect(b).toMatchObject({ count: 8, limit: 15, remaining: 7, fits: true });
    expect(b.message).toBe('8 custom tables = 8 of the 15 allowed with Dynamics 365 Sales Professional; 7 left.');
    const engineOnly = { ...SCHEMA, tables: SCHEMA.tables.filter((t) => !t.isCustom || t.logicalName.startsWith('astep_migr')) };
    expect(tableBudget(engineOnly, 'SalesProfessional').needed).toEqual(['astep_migrationrun']);
  });

  it('does not fit when existing custom tables push it over 15 on Sales Professional', () => {
    const b = tableBudget(SCHEMA, 'SalesProfessional', 8);
    expect(b).toMatchObject({ count: 16, limit: 15, remaining: -1, fits: false });
    expect(b.message).toBe('8 custom tables plus 8 already in the environment = 16, over the 15 allowed with Dynamics 365 Sales Professional by 1: license Dynamics 365 Sales Enterprise or Dynamics 365 Sales Premium, or remove custom tables the environment no longer uses.');
    expect(tableBudget(SCHEMA, 'SalesProfessional', 7).fits).toBe(true);
  });

  it('has no limit on Sales Enterprise and Premium', () => {
    for (const tier of ['SalesEnterprise', 'SalesPremium'] as const) {
      const b = tableBudget(SCHEMA, tier, 40);
      expect(b).toMatchObject({ count: 48, limit: null, remaining: null, fits: true });
    }
  });

  it('rejects a bad existing count', () => {
    expect(() => tableBudget(SCHEMA, 'SalesProfessional', -1)).toThrow(/existingCustomTables/);
  });
});
