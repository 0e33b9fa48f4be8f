// Unknown values are findings, not defaults. The generated firm carries values Actionstep does not document (a
// matter status, a billing behaviour, a task status and priority, a file note source): discover lists every value of
// every enum the mappings read with counts and flags those; every record that uses one gets its message; the billing
// total of a matter is the sum of its time entries and disbursements whatever their flags, and when the plan counts
// billed time only, the run states how many entries and how much it left out.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { TimeEntry } from '@astep/actionstep-connector/records';
import { runCli, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(240_000);

const round2 = (n: number) => Math.round(n * 100) / 100;
const amountOf = (t: TimeEntry) => t.billableAmount ?? (t.billableHours != null && t.rateUnitPrice != null ? round2(t.billableHours * t.rateUnitPrice) : 0);

describe('unknown enum values and billing totals', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  const step = (config: string, name: string, ...extra: string[]) => runCli([name, '--config', config, '--json', ...extra]);
  const totals = async () => new Map(((await webApi(emu, 'GET', 'astep_matters?$select=astep_sourceid,astep_totalbilled')).json.value as Array<{ astep_sourceid: string; astep_totalbilled: number }>)
    .map((m) => [m.astep_sourceid, m.astep_totalbilled] as const));

  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7 });
  });
  afterAll(async () => emu?.close());

  test('the plan lists every value with counts and flags the unknown ones; every record using one has a message; totals are every time entry + disbursements', async () => {
    const truth = emu.actionstep.firm.groundTruth();
    const planted = truth.anomalies.filter((a) => a.kind === 'unknown-enum');
    const plantedFields = new Set(planted.map((a) => `${a.resource}.${a.field}`));
    expect([...plantedFields]).toEqual(expect.arrayContaining(['filenotes.source', 'tasks.priority', 'tasks.status', 'timeentries.billingBehavior']));

    const discover = await step(emu.configPath, 'discover');
    expect(discover.code).toBe(0);
    const enums = discover.json.plan.enums as Array<{ resource: string; field: string; values: Array<{ value: string; count: number; documented: boolean; becomes: string }>; unknown: string[] }>;
    expect(enums.map((e) => `${e.resource}.${e.field}`)).toEqual(expect.arrayContaining([...plantedFields, 'timeentries.isBillable', 'datacollectionfields.dataType']));
    for (const key of plantedFields) {
      const inventory = enums.find((e) => `${e.resource}.${e.field}` === key)!;
      const [resource, field] = key.split('.');
      const records = (truth.records as unknown as Record<string, Array<Record<string, unknown>>>)[resource];
      // Every value counted, as the firm holds them (the plan reads what the signed-in user can see).
      const expected = new Map<string, number>();
      for (const r of records) expected.set(r[field] == null ? '(empty)' : String(r[field]), (expected.get(r[field] == null ? '(empty)' : String(r[field])) ?? 0) + 1);
      expect(Object.fromEntries(inventory.values.map((v) => [v.value, v.count]))).toEqual(Object.fromEntries(expected));
      const unknown = [...new Set(planted.filter((a) => `${a.resource}.${a.field}` === key).map((a) => String(records.find((r) => r.id === a.id)![field])))];
      expect(inventory.unknown).toEqual(unknown);
      for (const v of inventory.values.filter((x) => !x.documented)) expect(v.becomes).not.toBe('mapped as documented');
    }
    expect(discover.json.plan.warnings.join('\n')).toMatch(/Time entry billing behaviour "Written off" \(\d+ records?\) is not a value Actionstep documents \(Bill, Hide, No charge\)/);

    expect((await step(emu.configPath, 'provision')).code).toBe(0);
    expect((await step(emu.configPath, 'extract')).code).toBe(0);
    const run = await step(emu.configPath, 'run', '--force', '--accept-failures');
    expect(run.code).toBe(0);
    expect(run.json.billing).toEqual({ rule: 'allEntries', excludedEntries: 0, excludedAmount: 0 });

    // Every record with an unknown value that migrates has its message (the matter status through the status map).
    const csv = parse(fs.readFileSync(path.join(emu.config.outDir!, 'field-problems.csv')), { columns: true }) as Array<Record<string, string>>;
    const matters = await totals();
    const migrates = (a: { resource: string; id: string }) => {
      if (a.resource === 'actions') return matters.has(a.id);
      const rec = (truth.records as unknown as Record<string, Array<{ id: string; actionId: string | null }>>)[a.resource].find((r) => r.id === a.id)!;
      return !!rec.actionId && matters.has(rec.actionId);
    };
    const affected = planted.filter(migrates);
    expect(affected.length).toBeGreaterThanOrEqual(5);
    for (const a of affected) {
      const line = csv.find((l) => l.resource === a.resource && l.id === a.id && (l.rule === 'unknown value' || l.rule === 'status-map'));
      expect({ anomaly: `${a.resource} ${a.id} ${a.field}`, line: !!line }).toEqual({ anomaly: `${a.resource} ${a.id} ${a.field}`, line: true });
    }
    expect(run.json.findings.find((f: { rule: string }) => f.rule === 'unknown value').count).toBe(csv.filter((l) => l.rule === 'unknown value').length);

    // The billing total of every matter: its time entries (any behaviour, any flag) plus its disbursements.
    let checked = 0;
    for (const [matterId, total] of matters) {
      const time = truth.records.timeentries.filter((t) => t.actionId === matterId).reduce((s, t) => s + amountOf(t), 0);
      const disb = truth.records.disbursements.filter((d) => d.actionId === matterId).reduce((s, d) => s + (d.quantity ?? 1) * (d.unitPrice ?? 0), 0);
      expect({ matterId, total }).toEqual({ matterId, total: round2(time + disb) });
      checked++;
    }
    expect(checked).toBeGreaterThan(40);
  });

  test('billed time only (the plan\'s choice): the totals leave out Hide, No charge and not billable time, and the run states the amount', async () => {
    const config = JSON.parse(fs.readFileSync(emu.configPath, 'utf8'));
    config.migration = { ...config.migration, billingTotal: 'billedOnly' };
    const billedConfig = path.join(emu.dir, 'billed-only.config.json');
    fs.writeFileSync(billedConfig, JSON.stringify(config), { mode: 0o600 });
    for (const s of ['discover', 'extract']) expect((await step(billedConfig, s)).code).toBe(0);
    const run = await step(billedConfig, 'run', '--force', '--accept-failures');
    expect({ code: run.code, stderr: run.code ? run.stderr : '' }).toEqual({ code: 0, stderr: '' });

    const truth = emu.actionstep.firm.groundTruth();
    const matters = await totals();
    const left = truth.records.timeentries.filter((t) => t.actionId && matters.has(t.actionId) && ((t.billingBehavior !== 'Bill' && t.billingBehavior !== 'Written off') || t.isBillable === false));
    const leftAmount = round2(left.reduce((s, t) => s + amountOf(t), 0));
    expect(run.json.billing).toEqual({ rule: 'billedOnly', excludedEntries: left.length, excludedAmount: leftAmount });
    const human = await runCli(['run', '--config', billedConfig, '--force', '--accept-failures']);
    expect(human.stdout).toContain(`Billing totals count billed time only (the plan's choice): ${left.length} time entries worth ${leftAmount.toFixed(2)} are left out`);
    for (const [matterId, total] of matters) {
      const time = truth.records.timeentries.filter((t) => t.actionId === matterId && !left.includes(t)).reduce((s, t) => s + amountOf(t), 0);
      const disb = truth.records.disbursements.filter((d) => d.actionId === matterId).reduce((s, d) => s + (d.quantity ?? 1) * (d.unitPrice ?? 0), 0);
      expect({ matterId, total }).toEqual({ matterId, total: round2(time + disb) });
    }
    const csv = parse(fs.readFileSync(path.join(emu.config.outDir!, 'field-problems.csv')), { columns: true }) as Array<Record<string, string>>;
    const stated = csv.filter((l) => l.rule === 'billing total: time left out' && l['target table'] === 'astep_matter');
    expect(round2(stated.reduce((s, l) => s + Number(l.value), 0))).toBe(leftAmount);
  });
});
