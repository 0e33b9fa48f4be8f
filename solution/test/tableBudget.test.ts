import { SCHEMA } from '../src/schema';
import { tableBudget } from '../src/tableBudget';

describe('tableBudget', () => {
  it('counts the engine tables always and optional tables only when their feature is on', () => {
    const none = tableBudget(SCHEMA, {}, 'SalesProfessional');
    expect(none.needed).toEqual(['astep_migrationrun', 'astep_stagingrow', 'astep_auditentry']);
    expect(none).toMatchObject({ count: 3, limit: 15, remaining: 12, fits: true });

    const all = tableBudget(SCHEMA, { matterTable: true, matterParticipants: true, timeEntries: true, documentTable: true, steps: true }, 'SalesProfessional');
    expect(all.count).toBe(8);
    expect(all.remaining).toBe(7);
    expect(all.message).toBe('8 custom tables = 8 of the 15 allowed with Dynamics 365 Sales Professional; 7 left.');
  });

  it('does not fit when existing custom tables push it over 15 on Sales Professional', () => {
    const b = tableBudget(SCHEMA, { matterTable: true, timeEntries: true }, 'SalesProfessional', 11);
    expect(b).toMatchObject({ count: 16, limit: 15, remaining: -1, fits: false });
    expect(b.message).toMatch(/over the 15 allowed with Dynamics 365 Sales Professional by 1/);
    expect(tableBudget(SCHEMA, { matterTable: true, timeEntries: true }, 'SalesProfessional', 10).fits).toBe(true);
  });

  it('has no limit on Sales Enterprise and Premium', () => {
    for (const tier of ['SalesEnterprise', 'SalesPremium'] as const) {
      const b = tableBudget(SCHEMA, { steps: true }, tier, 40);
      expect(b).toMatchObject({ count: 44, limit: null, remaining: null, fits: true });
    }
  });

  it('rejects a bad existing count', () => {
    expect(() => tableBudget(SCHEMA, {}, 'SalesProfessional', -1)).toThrow(/existingCustomTables/);
  });
});
