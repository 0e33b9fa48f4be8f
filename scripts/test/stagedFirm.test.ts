// The streaming driver (lookups and units over indexed staging in the SQLite store) maps a firm exactly as the
// in-memory one does: the same rows, column for column, and the same dispositions for every staged record, on
// generated firms with messy data (duplicates, orphans, unknown values) and under the plan's options.
import { generateFirm } from '@astep/actionstep-emulator';
import type { ResourceName } from '@astep/actionstep-connector/records';
import {
  buildPlan, emptyFirmData, FirmIndex, FirmLookups, FirmUnits, MAPPINGS, mapFirm, StagedFirm, trustRowId, type FirmData, type MappedFirm, type MigrationOptions,
} from '@astep/orchestrator';
import { SqliteStateStore } from '../src/state/sqliteStateStore';

const RESOURCES = Object.keys(emptyFirmData()).filter((r) => r !== 'trustLedger') as ResourceName[];

function firmData(size: 'tiny' | 'demo', seed: number, messyRate: number): FirmData {
  const firm = generateFirm({ size, seed, messyRate });
  const data = emptyFirmData();
  for (const r of RESOURCES) (data as unknown as Record<string, unknown[]>)[r] = [...firm.iterate(r)];
  data.trustLedger = [...firm.iterateTrustLedger()];
  return data;
}

function planOf(data: FirmData, overrides: Partial<MigrationOptions>) {
  const counts: Record<string, number> = {};
  for (const [k, v] of Object.entries(data)) counts[k] = (v as unknown[]).length;
  const caller = 'aaaaaaaa-0000-0000-0000-000000000001';
  return buildPlan({ orgkey: 'test', counts, ...data, documentBytes: 0 }, {
    webApiUrl: 'https://org.example/api/data/v9.2/', licenseTier: 'SalesEnterprise', existingCustomTables: [],
    systemUsers: [{ systemuserid: caller, fullname: 'Migration App', internalemailaddress: null, isdisabled: false }], maxUploadFileSize: 5242880, callerId: caller,
  }, { timeZone: 'Pacific/Auckland', ...overrides }, new Date('2026-01-01T00:00:00Z'));
}

function stage(store: SqliteStateStore, data: FirmData) {
  for (const r of RESOURCES) store.stage((data as unknown as Record<string, Array<{ id: string }>>)[r].map((x) => ({ resource: r, id: x.id, json: JSON.stringify(x) })));
  store.stage(data.trustLedger.map((t, i) => ({ resource: 'trustledger', id: trustRowId(t.actionId, i), json: JSON.stringify(t) })));
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
    const staged = StagedFirm.open(store, plan, 'https://as.example/files/');
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
