// The streaming driver (lookups and units over indexed staging in the SQLite store) maps a firm exactly as the
// in-memory one does: the same rows, column for column, and the same dispositions for every staged record, on
// generated firms with messy data (duplicates, orphans, unknown values) and under the plan's options.
import { generateFirm } from '@astep/actionstep-emulator';
import type { ResourceName, TrustLedgerRow } from '@astep/actionstep-connector/records';
import {
  buildPlan, emptyFirmData, FirmIndex, FirmLookups, FirmUnits, MAPPINGS, mapFirm, StagedFirm, trustRowId, type FirmData, type MappedFirm, type MigrationOptions,
  type StagedTrustRow,
} from '@astep/orchestrator';
import { SqliteStateStore } from '../src/state/sqliteStateStore';

const RESOURCES = Object.keys(emptyFirmData()).filter((r) => !r.startsWith('trustLedger')) as ResourceName[];

function firmData(size: 'tiny' | 'demo', seed: number, messyRate: number): FirmData {
  const firm = generateFirm({ size, seed, messyRate });
  const data = emptyFirmData();
  for (const r of RESOURCES) (data as unknown as Record<string, unknown[]>)[r] = [...firm.iterate(r)];
  // The rows as the export file gives them (each with its row of the file), an opening balance on the first matter's
  // first row, and one row that could not be read (its matter's trust figures become unknown).
  const rows: StagedTrustRow[] = [...firm.iterateTrustLedger()].map((e, i): TrustLedgerRow => ({
    ...e, line: i + 4, opening: i === 0 || undefined,
    printed: { date: e.date, amountIn: e.amountIn ? e.amountIn.toFixed(2) : '', amountOut: e.amountOut ? e.amountOut.toFixed(2) : '', balance: e.balance.toFixed(2) },
  }));
  const unreadableOn = rows[rows.length - 1]?.actionId ?? null;
  rows.push({ line: rows.length + 4, actionId: unreadableOn, unreadable: { line: rows.length + 4, column: 'Deposit', actionId: unreadableOn, rule: 'trust ledger: not an amount', value: 'n/a', message: 'not an amount' } });
  data.trustLedger = rows;
  data.trustLedgerGiven = true;
  return data;
}

function planOf(data: FirmData, overrides: Partial<MigrationOptions>) {
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(data)) if (Array.isArray(v)) counts[k] = v.length;
  const caller = 'aaaaaaaa-0000-0000-0000-000000000001';
  return buildPlan({ orgkey: 'test', counts, ...data, documentBytes: 0 }, {
    webApiUrl: 'https://org.example/api/data/v9.2/', licenseTier: 'SalesEnterprise', existingCustomTables: [],
    systemUsers: [{ systemuserid: caller, fullname: 'Migration App', internalemailaddress: null, isdisabled: false }], maxUploadFileSize: 5242880, callerId: caller,
  }, { timeZone: 'Pacific/Auckland', ...overrides }, new Date('2026-01-01T00:00:00Z'));
}

function stage(store: SqliteStateStore, data: FirmData) {
  for (const r of RESOURCES) store.stage((data as unknown as Record<string, Array<{ id: string }>>)[r].map((x) => ({ resource: r, id: x.id, json: JSON.stringify(x) })));
  store.stage(data.trustLedger.map((t) => ({ resource: 'trustledger', id: trustRowId(t.line), json: JSON.stringify(t) })));
}

/** Rows by table and key, and every record's dispositions, in a form that compares exactly. */
function comparable(m: MappedFirm) {
  const rows: Record<string, Record<string, unknown>> = {};
  for (const [table, list] of m.rows) rows[table] = Object.fromEntries(list.map((r) => [r.key, r]));
  return { rows, dispositions: Object.fromEntries([...m.dispositions].sort(([a], [b]) => (a < b ? -1 : 1))) };
}

const OPTION_SETS: Array<Partial<MigrationOptions>> = [
  {},
  { opportunityStrategy: 'perClientHighest', contacts: 'perRole', dataCollections: 'account' },
  { opportunityStrategy: 'perMatter', skipTemplateMatters: false, attachDocuments: false },
];

describe.each([['tiny', 7, 0.2], ['demo', 1, 0.03]] as const)('%s firm (seed %d, messy %d)', (size, seed, messy) => {
  const data = firmData(size, seed, messy);
  const store = new SqliteStateStore(':memory:');
  stage(store, data);
  afterAll(() => store.close());

  test.each(OPTION_SETS.map((o) => [JSON.stringify(o), o] as const))('options %s: the same rows and dispositions', (_name, overrides) => {
    const plan = planOf(data, overrides);
    const memory = new FirmLookups(new FirmIndex(data), plan, 'https://as.example/files/');
    const expected = comparable(mapFirm(MAPPINGS, memory, new FirmUnits(memory.index, memory)));
    const staged = StagedFirm.open(store, plan, 'https://as.example/files/', true);
    const actual = comparable(mapFirm(MAPPINGS, staged, staged));
    expect(Object.keys(actual.rows)).toEqual(Object.keys(expected.rows));
    for (const table of Object.keys(expected.rows)) {
      expect([table, Object.keys(actual.rows[table]).length]).toEqual([table, Object.keys(expected.rows[table]).length]);
      expect(actual.rows[table]).toEqual(expected.rows[table]);
    }
    expect(actual.dispositions).toEqual(expected.dispositions);
    // The firm is not trivial: duplicates merged, skips and failures present.
    expect(Object.values(expected.dispositions).flat().some((d) => d.kind === 'skipped')).toBe(true);
  });
});
