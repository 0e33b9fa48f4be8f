import { buildPlan, countTableBudget } from '../src/plan/buildPlan';
import { SCHEMA } from '@astep/solution/schema';
import { contextFor, destination, smallFirm } from './fixtures';

describe('the Data Migration Plan', () => {
  test('recommends astep_matter columns when a client organisation has several matters', () => {
    const ctx = contextFor(smallFirm());
    const dc = ctx.plan.optionChoices.find((o) => o.name === 'dataCollections')!;
    expect(dc.recommended).toBe('matterTable');
    expect(dc.why).toContain('up to 2 matters per client organisation');
  });

  test('recommends account columns for few fields and one matter per client', () => {
    const data = smallFirm();
    data.actions = data.actions.filter((m) => m.id !== '2');
    const plan = contextFor(data).plan;
    expect(plan.options.dataCollections).toBe('account');
  });

  test('firm matter types and roles missing from the base choices get new values after the base set', () => {
    const plan = contextFor(smallFirm()).plan;
    const base = SCHEMA.choices.find((c) => c.name === 'astep_participantrole')!;
    const witness = plan.roles.find((r) => r.name === 'Expert Witness')!;
    expect(witness.added).toBe(true);
    expect(witness.choiceValue).toBe(Math.max(...base.options.map((o) => o.value)) + 1);
    expect(plan.schema.choices.find((c) => c.name === 'astep_participantrole')!.options.some((o) => o.label === 'Expert Witness')).toBe(true);
    expect(plan.roles.find((r) => r.name === 'Client')!.added).toBe(false);
  });

  test('data collection columns are added to the provisioned schema with their types', () => {
    const plan = contextFor(smallFirm()).plan;
    const matter = plan.schema.tables.find((t) => t.logicalName === 'astep_matter')!;
    const lot = matter.columns.find((c) => c.logicalName === 'astep_dc_property_lotno')!;
    expect(lot.type).toBe('decimal');
    expect(matter.columns.find((c) => c.logicalName === 'astep_dc_property_settlement')!.dateBehavior).toBe('DateOnly');
    expect(SCHEMA.tables.find((t) => t.logicalName === 'astep_matter')!.columns.some((c) => c.logicalName.startsWith('astep_dc_'))).toBe(false); // the base schema is untouched
  });

  test('table budget counts our custom tables against Sales Professional (15)', () => {
    const fits = countTableBudget(SCHEMA, 'SalesProfessional', []);
    expect(fits).toMatchObject({ count: 8, limit: 15, remaining: 7, fits: true });
    const existing = [...Array.from({ length: 9 }, (_, i) => `cr123_t${i}`), 'astep_matter']; // ours counts once
    const over = countTableBudget(SCHEMA, 'SalesProfessional', existing);
    expect(over).toMatchObject({ count: 17, fits: false });
    expect(over.message).toContain('over the 15 allowed with Dynamics 365 Sales Professional');
    expect(countTableBudget(SCHEMA, 'SalesEnterprise', existing).fits).toBe(true);
  });

  test('a fallback owner that is not an enabled user is reported and the caller owns instead', () => {
    const data = smallFirm();
    const counts = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, (v as unknown[]).length]));
    const plan = buildPlan({ orgkey: null, counts, ...data, documentBytes: 0 }, destination(), { fallbackOwnerEmail: 'gone@firm.example' });
    expect(plan.fallbackOwnerId).toBe(destination().callerId);
    expect(plan.warnings.join('\n')).toContain('fallback owner gone@firm.example is not an enabled Dynamics user');
    expect(plan.warnings.join('\n')).toContain('matter status "Pending Review"');
  });
});

describe('the option maps', () => {
  test('the type map folds a firm type into a base Matter Type (no new value) and names types the firm lacks', () => {
    const plan = contextFor(smallFirm(), { typeMap: { Immigration: 'Other', Probate: 'Wills & Estates' } }).plan;
    const base = SCHEMA.choices.find((c) => c.name === 'astep_mattertype')!;
    const immigration = plan.matterTypes.find((t) => t.name === 'Immigration')!;
    expect(immigration).toMatchObject({ choiceLabel: 'Other', added: false, choiceValue: base.options.find((o) => o.label === 'Other')!.value });
    expect(plan.schema.choices.find((c) => c.name === 'astep_mattertype')!.options).toHaveLength(base.options.length);
    expect(plan.warnings).toContain('the type map lists matter type "Probate", which this firm does not have');
  });

  test('a status map rule naming no Matter Status value is reported by the plan', () => {
    const plan = contextFor(smallFirm(), { statusMap: { Active: { matterStatus: 'Open', opportunity: 'open' } } }).plan;
    expect(plan.warnings.join('\n')).toContain('the status map sends "Active" to Matter Status "Open", which is not a Matter Status value');
  });
});
