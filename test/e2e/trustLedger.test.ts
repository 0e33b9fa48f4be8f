// The trust ledger is a file the firm exports from Actionstep (there is no trust API). Without it every other object
// migrates, the run names the trust mapping as not migrated with the reason and what to do, and the trust columns stay
// empty (never 0.00). Given the export (here the Excel workbook), every matter's figures reconcile (in − out = balance)
// or the mismatch is named by row and column.
import fs from 'node:fs';
import path from 'node:path';
import { MAPPING_NAMES } from '@astep/orchestrator';
import { runCli, startTestEmulators, webApi } from '../helpers/harness';

jest.setTimeout(240_000);

describe('trust ledger from the firm\'s export file', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  const step = (name: string, ...extra: string[]) => runCli([name, '--config', emu.configPath, '--json', ...extra]);
  const trustColumns = async () => (await webApi(emu, 'GET', 'astep_matters?$select=astep_sourceid,astep_trustin,astep_trustout,astep_trustbalance')).json.value as Array<Record<string, string | number | null>>;

  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7, trustLedger: 'none' });
  });
  afterAll(async () => emu?.close());

  test('no export given: extract completes (exit 0), the run names the trust mapping as not migrated, trust columns stay empty', async () => {
    expect(emu.config.actionstep.trustLedgerFile).toBeUndefined();
    expect((await step('discover')).code).toBe(0);
    expect((await step('provision')).code).toBe(0);
    const extract = await step('extract');
    expect(extract.code).toBe(0);
    expect(extract.json.counts.actions).toBeGreaterThan(40);
    expect(extract.json.counts.trustledger).toBe(0);
    expect(extract.json.notMigrated).toEqual([expect.objectContaining({ mapping: MAPPING_NAMES.trust, reason: 'not migrated: no trust ledger export given' })]);
    expect(extract.json.notMigrated[0].whatToDo).toMatch(/Trust Account Ledgers .* --trust-ledger FILE/s);

    const run = await step('run', '--force', '--accept-failures');
    expect(run.code).toBe(0);
    expect(run.json.totals.migrated).toBeGreaterThan(100);
    expect(run.json.notMigrated).toEqual(extract.json.notMigrated);
    const summaryFile = JSON.parse(fs.readFileSync(path.join(emu.config.outDir!, 'run-summary.json'), 'utf8'));
    expect(summaryFile.notMigrated[0].reason).toBe('not migrated: no trust ledger export given');
    const human = await runCli(['run', '--config', emu.configPath, '--force', '--accept-failures']);
    expect(human.stdout).toContain(`${MAPPING_NAMES.trust}: not migrated: no trust ledger export given.`);

    const matters = await trustColumns();
    expect(matters.length).toBeGreaterThan(40);
    for (const m of matters) expect([m.astep_trustin, m.astep_trustout, m.astep_trustbalance]).toEqual([null, null, null]);
    const accounts = (await webApi(emu, 'GET', 'accounts?$select=astep_trustbalance&$filter=astep_sourceid ne null')).json.value as Array<{ astep_trustbalance: number | null }>;
    expect(accounts.length).toBeGreaterThan(10);
    expect(accounts.every((a) => a.astep_trustbalance === null)).toBe(true);
  });

  test('the Excel export given: every matter reconciles (in − out = balance) or its mismatch is named by row and column', async () => {
    const exported = await emu.actionstep.exportTrustLedger({ format: 'xlsx' });
    const file = path.join(emu.dir, 'Trust Account Ledgers.xlsx');
    fs.writeFileSync(file, exported.bytes);
    const extract = await step('extract', '--trust-ledger', file);
    expect(extract.code).toBe(0);
    expect(extract.json.notMigrated).toEqual([]);
    expect(extract.json.trustLedger).toMatchObject({ given: true, source: 'Trust Account Ledgers.xlsx', unreadableRows: 0, runningBalanceProblems: 1 });
    const planted = exported.planted!;
    const running = extract.json.findings.find((f: { rule: string }) => f.rule === 'trust ledger: running balance does not add up');
    expect(running.examples).toEqual([expect.objectContaining({ resource: 'trustledger', id: `L${planted.line}`, field: exported.layout === 'deposits' ? 'Balance' : 'Client Balance' })]);
    expect(running.examples[0].message).toContain(`row ${planted.line} (matter ${planted.actionId})`);

    const run = await step('run', '--force', '--accept-failures');
    expect(run.code).toBe(0);
    expect(run.json.notMigrated).toEqual([]);
    expect(run.json.findings.map((f: { rule: string }) => f.rule)).toContain('trust ledger: running balance does not add up');

    const truth = emu.actionstep.firm.groundTruth().trustLedger;
    const last = new Map(truth.map((t) => [t.actionId, t] as const));
    const matters = await trustColumns();
    let reconciled = 0;
    for (const m of matters) {
      const id = String(m.astep_sourceid);
      const expected = last.get(id);
      const [tin, tout, bal] = [Number(m.astep_trustin), Number(m.astep_trustout), Number(m.astep_trustbalance)];
      if (!expected) {
        // The export lists no transactions for this matter: it holds no trust money (measured, so 0.00).
        expect([tin, tout, bal]).toEqual([0, 0, 0]);
        continue;
      }
      if (id === planted.actionId) {
        expect(bal).toBe(planted.printedBalance); // the report's balance is used, and the mismatch is said
        expect(Math.round((tin - tout) * 100) / 100).toBe(planted.trueBalance);
        continue;
      }
      expect(Math.round((tin - tout) * 100) / 100).toBe(bal);
      expect(bal).toBe(expected.balance);
      reconciled++;
    }
    expect(reconciled).toBeGreaterThan(5);
  });
});
