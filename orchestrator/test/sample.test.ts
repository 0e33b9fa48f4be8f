// The sample's selection and its field-level diff on plain objects: the small firm's rows, what Dataverse would hold.
import { MAPPINGS } from '../src/mappings';
import { diffRows, selectSample, type SampleContext } from '../src/diff/sample';
import type { TargetRow } from '../src/transform/targetRow';
import { contextFor, mapAll, smallFirm } from './fixtures';

const lookups = contextFor(smallFirm());
const ctx: SampleContext = { mappings: MAPPINGS, index: lookups.index, lookups };
const mapped = mapAll(lookups);
const row = (table: string, key: string) => mapped.rows.get(table)!.find((r) => r.key === key)!;
const guid = (table: string, key: string) => `${table}-${key}-guid`;

/** What Dataverse holds after a faithful write: the columns, and the lookups as the GUIDs of their targets. */
function asWritten(r: TargetRow): Record<string, unknown> {
  const out: Record<string, unknown> = { ...r.attributes };
  for (const [nav, ref] of Object.entries(r.binds)) out[MAPPINGS.lookupByNavigation(r.table, nav)!.attribute] = ref ? (ref.byId ? ref.key : guid(ref.table, ref.key)) : null;
  return out;
}

describe('the sample diff', () => {
  const diff = (r: TargetRow, actual = asWritten(r)) => diffRows(ctx, [{ row: r, targetId: 'id', actual, registry: guid }]);
  const field = (entries: ReturnType<typeof diff>, column: string) => entries.find((d) => d.column === column)!;

  test('source values from the declared source fields, and why the expected value differs from them', () => {
    const entries = diff(row('astep_matter', '1'));
    expect(entries.every((d) => d.status === 'match')).toBe(true);
    expect(field(entries, 'astep_name')).toMatchObject({ source: 'Acme purchase', expected: 'Acme purchase', reason: 'copied' });
    expect(field(entries, 'astep_matterstatus')).toMatchObject({ source: 'Active', reason: 'choice value: "Active" from the matter status "Active"' });
    expect(field(entries, 'astep_totalbilled')).toMatchObject({ source: null, expected: 401, reason: 'billing total computed at extraction: time 350.00 + disbursements 51.00' });
    expect(field(entries, 'astep_trustbalance')).toMatchObject({ source: '600.00', expected: 600, reason: 'from the trust ledger export: in and out summed over 2 rows, the balance as the report printed it' });
    expect(field(entries, 'astep_statuschangedon')).toMatchObject({ source: '2021-03-04T10:00:00+13:00', expected: '2021-03-03T21:00:00Z', reason: "converted to UTC from the firm's time (Pacific/Auckland) / the source offset" });
    expect(field(entries, '_astep_accountid_value')).toMatchObject({ expected: guid('account', 'P-100'), reason: 'lookup bound through the alternate key: Account P-100' });
    expect(field(entries, '_ownerid_value').reason).toBe('owner resolved by email: LARA@firm.example → Lara Lawyer');
    const dc = Object.keys(row('astep_matter', '1').attributes).find((c) => c.startsWith('astep_dc_'))!;
    expect(field(entries, dc).reason).toBe('data collection value converted to the column type');
  });

  test('an account takes its name from the organisation or the matter; problems are the reason', () => {
    const entries = diff(row('account', 'P-100'));
    expect(field(entries, 'name')).toMatchObject({ source: 'Acme Holdings Ltd', reason: 'copied' });
    expect(field(entries, 'astep_totalbilled').reason).toBe("billing total summed over the account's matters");
    expect(field(entries, 'astep_trustbalance').reason).toMatch(/^matter 2: trust ledger in 50\.00 − out 0\.00 = 50\.00, but the report's closing balance \(row 4\) is 60\.00/);
  });

  test('a value Dataverse does not hold is a mismatch', () => {
    const r = row('contact', 'P-200');
    const entries = diff(r, { ...asWritten(r), firstname: 'Janet' });
    expect(entries.filter((d) => d.status === 'mismatch').map((d) => [d.column, d.expected, d.actual])).toEqual([['firstname', 'Jane', 'Janet']]);
  });
});

describe('the sample selection', () => {
  const selection = selectSample(ctx, mapped, 20, 40, 5);

  test('covers every matter type and role of the migrating matters, with time entries', () => {
    expect(selection.coverage).toMatchObject({ missingMatterTypes: [], missingRoles: [] });
    expect(selection.coverage.timeEntries).toBeGreaterThan(0);
  });

  test('closes over lookups: every sampled row\'s parent is sampled too', () => {
    const sampled = new Set([...selection.rows.values()].flat().map((r) => `${r.table}|${r.key}`));
    for (const r of [...selection.rows.values()].flat()) {
      for (const ref of Object.values(r.binds)) if (ref && !ref.byId) expect({ row: `${r.table} ${r.key}`, parent: sampled.has(`${ref.table}|${ref.key}`) }).toEqual({ row: `${r.table} ${r.key}`, parent: true });
    }
    expect(selection.rowCount).toBe(sampled.size);
  });
});
