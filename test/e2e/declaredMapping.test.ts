// A 14th mapping declared in this file alone: Actionstep bills → a custom table astep_bill defined here (a schema
// fragment: table, columns, alternate key, a lookup to the matter). Handed to the engine as one more declaration, it
// is planned, provisioned, extracted, sampled and diffed, loaded, verified and rolled back against the emulators, with
// no other file of the product knowing about it.
import type { Bill } from '@astep/actionstep-connector/records';
import type { ColumnDef, RelationshipDef, TableDef } from '@astep/solution/model';
import {
  declareColumns, emptyOutput, MAPPINGS, MigrationEngine, relationshipLookup, setText, silentProgress,
  type FieldProblem, type MappingLookups, type TableMapping,
} from '@astep/orchestrator';
import { SCHEMA } from '@astep/solution/schema';
import { ROLE_NAME, adminRole } from '@astep/solution/ui/role';
import { loadConfig } from '@astep/cli/config';
import { openSession } from '@astep/cli/session';
import { snapshot, snapshotDiff, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(240_000);

// ---- the schema fragment: a custom table with its key and its lookup to the matter ----
const column = (logicalName: string, schemaTail: string, displayName: string, type: ColumnDef['type'], extra: Partial<ColumnDef> = {}): ColumnDef =>
  ({ logicalName, schemaName: `astep_${schemaTail}`, displayName, type, required: 'none', ...extra });
const money = { precision: 2, minValue: -922337203685477, maxValue: 922337203685477 };

const BILL_MATTER: RelationshipDef = {
  schemaName: 'astep_astep_matter_astep_bill_matterid', referencedEntity: 'astep_matter', referencedAttribute: 'astep_matterid',
  referencingEntity: 'astep_bill', referencingAttribute: 'astep_matterid', referencingNavigationProperty: 'astep_MatterId',
  referencedNavigationProperty: 'astep_astep_matter_astep_bill_matterid', cascadeDelete: 'Cascade',
};

const BILL_TABLE: TableDef = {
  logicalName: 'astep_bill', schemaName: 'astep_Bill', displayName: 'Bill', displayCollectionName: 'Bills',
  description: 'An Actionstep bill (invoice) of a matter.', entitySetName: 'astep_bills', primaryIdAttribute: 'astep_billid',
  primaryNameAttribute: 'astep_name', isCustom: true, ownership: 'UserOwned', hasNotes: false, hasActivities: false,
  columns: [
    column('astep_name', 'Name', 'Name', 'string', { maxLength: 100, format: 'text', isPrimaryName: true, required: 'required' }),
    column('astep_sourceid', 'SourceId', 'Actionstep Source Id', 'string', { maxLength: 200, format: 'text' }),
    column('astep_status', 'Status', 'Status', 'string', { maxLength: 20, format: 'text' }),
    column('astep_invoicedate', 'InvoiceDate', 'Invoice Date', 'datetime', { dateBehavior: 'DateOnly' }),
    column('astep_total', 'Total', 'Total (incl. tax)', 'money', money),
    column('astep_due', 'Due', 'Amount Due', 'money', money),
    column('astep_matterid', 'MatterId', 'Matter', 'lookup', { relationship: BILL_MATTER.schemaName }),
  ],
  keys: [{ logicalName: 'astep_bill_sourceid_key', schemaName: 'astep_bill_sourceid_key', displayName: 'Actionstep Source Id', columns: ['astep_sourceid'] }],
};

// ---- the mapping ----
const C = declareColumns(BILL_TABLE, {
  astep_name: { source: 'ourReference', conversion: 'text' },
  astep_status: { source: 'status', conversion: 'text' },
  astep_invoicedate: { source: 'invoiceDate', conversion: 'dateOnly' },
  astep_total: { source: 'totalInclusive', conversion: 'money' },
  astep_due: { source: 'totalDue', conversion: 'money' },
});

function bill(b: Bill, lookups: MappingLookups) {
  const out = emptyOutput();
  const matterId = b.actionIds.find((id) => lookups.migrates(id));
  if (!matterId) {
    out.skipped.push({ sourceResource: 'bills', sourceId: b.id, reason: `bill ${b.id}: none of its matters migrates` });
    return out;
  }
  const problems: FieldProblem[] = [];
  const attributes: Record<string, unknown> = {};
  setText(attributes, problems, C.astep_name, b.ourReference ?? `Bill ${b.id}`);
  setText(attributes, problems, C.astep_status, b.status);
  attributes.astep_invoicedate = b.invoiceDate;
  attributes.astep_total = b.totalInclusive;
  attributes.astep_due = b.totalDue;
  out.rows.push({ table: 'astep_bill', sourceResource: 'bills', sourceId: b.id, key: b.id, attributes, binds: { astep_MatterId: { table: 'astep_matter', key: matterId } }, problems });
  return out;
}

const BILLS: TableMapping = {
  target: BILL_TABLE,
  label: 'Bills',
  key: { by: 'sourceId', format: 'Actionstep bill id' },
  feeds: [{ resource: 'bills', grouping: 'record', map: bill }],
  columns: Object.values(C),
  lookups: [relationshipLookup('astep_bill', 'astep_MatterId', [BILL_MATTER])],
  sample: { matters: (row, facts) => (facts.record(row) as Bill).actionIds },
};

let emu: Awaited<ReturnType<typeof startTestEmulators>>;
afterAll(async () => emu?.close());

test('a mapping declared only here is planned, provisioned, loaded, diffed, verified and rolled back', async () => {
  emu = await startTestEmulators({ firm: 'tiny', seed: 7 });
  const session = await openSession(loadConfig(emu.configPath), silentProgress);
  try {
    const mappings = MAPPINGS.with(BILLS, 'astep_matter');
    // A new table needs its privileges in the migration's security role, as an admin gives them when adding a table
    // to the solution: the role is built from the schema the mappings extend.
    emu.dataverse.defineRole({ name: ROLE_NAME, privileges: adminRole(mappings.extendSchema(SCHEMA)).privileges.map((p) => p.name) });
    const engine = new MigrationEngine({ source: session.source, sink: session.sink, store: session.store, progress: silentProgress, mappings });
    const plan = await engine.discover('bills', 'SalesEnterprise', { timeZone: emu.config.migration?.timeZone ?? 'UTC' });
    expect(plan.schema.tables.map((t) => t.logicalName)).toContain('astep_bill');
    expect(plan.schema.relationships.map((r) => r.schemaName)).toContain(BILL_MATTER.schemaName);

    const changes = await engine.provision('bills');
    expect(changes.join('\n')).toContain('astep_bill');
    const before = await snapshot(emu, { mappings });
    expect(before.astep_bill).toEqual({});
    const counts = await engine.extract('bills');
    const staged = emu.actionstep.firm.groundTruth().records.bills;
    expect(counts.bills).toBe(staged.length);

    const sample = await engine.sample('bills');
    const billFields = sample.diff.filter((d) => d.table === 'astep_bill');
    expect(billFields.length).toBeGreaterThan(0);
    expect(sample.mismatches).toBe(0);
    // The diff's source value comes from the declared source field.
    const total = billFields.find((d) => d.column === 'astep_total')!;
    expect(total.source).toBe(staged.find((b) => b.id === total.sourceId)!.totalInclusive);
    expect(billFields.find((d) => d.column === '_astep_matterid_value')?.reason).toMatch(/^lookup bound through the alternate key: Matter \d+$/);

    engine.approve('bills', 'test');
    const summary = await engine.run('bills');
    expect(summary.reconciles).toBe(true);
    const bills = summary.objects.find((o) => o.object === 'bills')!;
    expect(bills.migrated).toBeGreaterThan(0);
    expect(bills.migrated + bills.skipped + bills.failed).toBe(staged.length);
    const table = summary.tables.find((t) => t.table === 'astep_bill')!;
    expect(table.created + table.unchanged).toBe(bills.migrated);
    const inDataverse = await webApi(emu, 'GET', 'astep_bills?$select=astep_sourceid,astep_total,_astep_matterid_value');
    expect(inDataverse.json.value).toHaveLength(bills.migrated);
    expect(inDataverse.json.value.every((r: Record<string, unknown>) => typeof r._astep_matterid_value === 'string')).toBe(true);

    const verify = await engine.verify('bills');
    expect(verify.unexplained).toBe(0);
    expect(verify.tables.find((t) => t.table === 'astep_bill')).toMatchObject({ expectedRows: bills.migrated, foundRows: bills.migrated, missingRows: 0, differingRows: 0 });

    const rolledBack = await engine.rollback('bills');
    expect(rolledBack.complete).toBe(true);
    expect(rolledBack.tables.astep_bill?.deleted).toBe(bills.migrated);
    expect(snapshotDiff(before, await snapshot(emu, { mappings }))).toEqual([]);
  } finally {
    session.close();
  }
});
