// The SQL the emulator runs for `$filter` must use the indexes a real table has: the alternate key's UNIQUE index
// (built COLLATE NOCASE, SQL Server's case-insensitive collation) and the primary key. A filter that misses them
// scans the table on every read, and a large run turns quadratic inside the emulator instead of in the product.
// Read with EXPLAIN QUERY PLAN on exactly the statement RecordService.query executes.
import { SCHEMA } from '@astep/solution';
import { MetadataCatalog } from '../src/metadataCatalog';
import { RecordService } from '../src/recordService';
import { RecordStore } from '../src/recordStore';

let store: RecordStore;
let service: RecordService;

beforeAll(() => {
  store = new RecordStore(':memory:');
  const catalog = new MetadataCatalog();
  const account = SCHEMA.tables.find((t) => t.logicalName === 'account')!;
  catalog.applySchema({ tables: [{ ...account, columns: account.columns.filter((c) => c.type !== 'lookup') }], choices: SCHEMA.choices, relationships: [] }, { strict: false, now: 0 });
  for (const e of catalog.entities.values()) store.ensureTable(e);
  service = new RecordService(catalog, store, { maxUploadFileSize: 5_242_880, keyActivationDelayMs: 0, now: () => 0, bulkSupportedTables: 'all' });
  const e = catalog.entityOrThrow('account');
  service.refreshKeys(e);
  expect(e.keys.length).toBeGreaterThan(0);
  expect(e.keys.every((k) => k.status === 'Active')).toBe(true);
  for (let i = 0; i < 50; i++) service.create(e, { name: `Client ${i}`, astep_sourceid: `src-${i}` }, { userId: '00000000-0000-0000-0000-000000000001' } as never);
});
afterAll(() => store.close());

function plan(filter: string): string {
  const e = service.catalog.entityOrThrow('account');
  const { sql, params } = service.querySql(e, { filter, maxPageSize: 5000 });
  const rows = store.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>;
  return rows.map((r) => r.detail).join(' | ');
}

describe('$filter uses the table indexes (EXPLAIN QUERY PLAN)', () => {
  test('Microsoft.Dynamics.CRM.In on an alternate key column searches the key index', () => {
    const p = plan("Microsoft.Dynamics.CRM.In(PropertyName='astep_sourceid',PropertyValues=['src-1','src-2','SRC-3'])");
    expect(p).toMatch(/SEARCH r_account USING INDEX k_account__/);
    expect(p).not.toMatch(/SCAN r_account(?! USING)/);
  });

  test('eq on the same key column searches the key index too', () => {
    expect(plan("astep_sourceid eq 'src-1'")).toMatch(/SEARCH r_account USING INDEX k_account__/);
  });

  test('In and eq on the primary key search the primary key', () => {
    const ids = "'00000000-0000-0000-0000-00000000000a','00000000-0000-0000-0000-00000000000b'";
    expect(plan(`Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=[${ids}])`)).toMatch(/SEARCH r_account USING (INDEX sqlite_autoindex_r_account_1|PRIMARY KEY) \(id=\?\)/);
    expect(plan('accountid eq 00000000-0000-0000-0000-00000000000a')).toMatch(/SEARCH r_account USING (INDEX sqlite_autoindex_r_account_1|PRIMARY KEY) \(id=\?\)/);
  });

  test('the indexed In keeps the platform semantics: case-insensitive for text, and it finds the rows', () => {
    const e = service.catalog.entityOrThrow('account');
    const found = service.query(e, { filter: "Microsoft.Dynamics.CRM.In(PropertyName='astep_sourceid',PropertyValues=['SRC-1','src-2','nope'])", select: 'astep_sourceid', maxPageSize: 5000, annotations: false });
    expect(found.value.map((r) => r.astep_sourceid).sort()).toEqual(['src-1', 'src-2']);
    const id = String(found.value[0].accountid);
    const byId = service.query(e, { filter: `Microsoft.Dynamics.CRM.In(PropertyName='accountid',PropertyValues=['${id.toUpperCase()}'])`, select: 'accountid', maxPageSize: 5000, annotations: false });
    expect(byId.value.map((r) => r.accountid)).toEqual([id]);
  });
});
