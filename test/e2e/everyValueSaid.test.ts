// Every value is said. The sample diff shows each source value as Actionstep sent it ("1.5" hours sent as a string, a
// data collection's "123456.00"), non-null whenever the source field had a value. A bad value in a record the sample
// never wrote still gets its message: the run summary lists it under its rule and field-problems.csv beside the
// report has it with the record, the field and the rule. And the state folder, where a firm's client data sits
// (SQLite staging, tokens, reports, the CSV), is the user's alone: drwx------, files -rw-------.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { MAPPINGS } from '@astep/orchestrator';
import { toWire } from '@astep/actionstep-connector/resources';
import type { ResourceName } from '@astep/actionstep-connector/records';
import { runCli, startTestEmulators } from '../helpers/harness';

jest.setTimeout(240_000);

describe('source values in the diff, field problems of every record, a private state folder', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  const step = (name: string, ...extra: string[]) => runCli([name, '--config', emu.configPath, '--json', ...extra]);
  const mode = (p: string) => execFileSync('stat', ['-c', '%A', p], { encoding: 'utf8' }).trim();

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let diff: any[] = [];
  let plan: { dataCollectionColumns: Array<{ fieldId: string; column: string; table: string }> };
  beforeAll(async () => {
    emu = await startTestEmulators({ firm: 'tiny', seed: 7 });
  });
  afterAll(async () => emu?.close());

  test('a bad email outside the sample is in the run summary and in field-problems.csv with record, field and rule', async () => {
    // Bad emails on a dozen clients of live matters: the sample (100–300 rows) cannot write them all.
    const truth = emu.actionstep.firm.groundTruth();
    const clients = [...new Set(truth.records.actions.filter((m) => !m.isDeleted && m.status === 'Active').flatMap((m) => m.primaryParticipantIds))];
    const people = clients.filter((id) => !truth.records.participants.find((p) => p.id === id)?.isCompany).slice(0, 12);
    expect(people.length).toBeGreaterThanOrEqual(8);
    for (const id of people) emu.actionstep.mutate.update('participants', id, { email: `client ${id} at example` });
    for (const s of ['discover', 'provision', 'extract']) expect((await step(s)).code).toBe(0);
    const sample = await step('sample');
    expect(sample.code).toBe(0);
    diff = sample.json.diff;
    plan = JSON.parse(fs.readFileSync(path.join(emu.config.outDir!, 'plan.json'), 'utf8'));
    expect((await step('approve')).code).toBe(0);
    const run = await step('run', '--accept-failures');
    expect(run.code).toBe(0);

    const sampled = new Set<string>(sample.json.diff.filter((d: { sourceResource: string }) => d.sourceResource === 'participants').map((d: { sourceId: string }) => d.sourceId));
    const csv = parse(fs.readFileSync(path.join(emu.config.outDir!, 'field-problems.csv')), { columns: true }) as Array<Record<string, string>>;
    const emailLines = csv.filter((l) => l.rule === 'email-format');
    const outside = people.filter((id) => !sampled.has(id) && emailLines.some((l) => l.resource === 'participants' && l.id === id));
    expect(outside.length).toBeGreaterThan(0);
    const id = outside[0];
    const email = `client ${id} at example`;
    expect(emailLines.find((l) => l.id === id)).toMatchObject({ resource: 'participants', 'target table': 'contact', column: 'emailaddress1', rule: 'email-format', value: email });
    expect(emailLines.find((l) => l.id === id)!.message).toBe(`participant ${id}: "${email}" is not a valid email address; not migrated as an email`);

    const finding = run.json.findings.find((f: { rule: string }) => f.rule === 'email-format');
    expect(finding.count).toBe(emailLines.length);
    expect(finding.examples).toContainEqual(expect.objectContaining({ resource: 'participants', id, field: 'contact.emailaddress1', value: email }));
    expect(run.json.fieldProblems).toBe(csv.length);
    const human = await runCli(['run', '--config', emu.configPath, '--accept-failures']);
    // People's output: the count, then the rule, then the first examples by record and column.
    expect(human.stdout).toMatch(new RegExp(`${emailLines.length}\\s+Email addresses that are not valid\\n\\s+Contact P-\\d+, Email: participant \\d+: "client \\d+ at example" is not a valid email address`));
  });

  test('every diff entry has a non-null source when the source field had a value, as Actionstep sent it', () => {
    const truth = emu.actionstep.firm.groundTruth().records as unknown as Record<string, Array<Record<string, unknown> & { id: string }>>;
    const byId = (resource: string, id: string) => truth[resource]?.find((r) => r.id === id);
    const wire = (resource: string, rec: Record<string, unknown>) => toWire(resource as ResourceName, rec as never) as Record<string, unknown>;
    let declared = 0, dataCollection = 0, rawDiffers = 0;
    for (const d of diff) {
      const rec = byId(d.sourceResource, d.sourceId);
      const path = MAPPINGS.get(d.table)?.columns.find((c) => c.column === d.column)?.source;
      if (rec && path) {
        const field = path.split('|').find((p) => rec[p] !== null && rec[p] !== undefined && rec[p] !== '');
        if (!field) continue;
        declared++;
        expect({ table: d.table, key: d.key, column: d.column, source: d.source }).toEqual({ table: d.table, key: d.key, column: d.column, source: expect.anything() });
        // What the wire carried for that field (a number the API sends as a string stays a string here).
        const sent = wire(d.sourceResource, rec)[field];
        if (typeof sent === 'string' && typeof rec[field] === 'number') {
          expect(d.source).toBe(sent);
          rawDiffers++;
        }
      }
      const dc = plan.dataCollectionColumns.filter((c) => c.column === d.column && c.table === d.table);
      if (dc.length && d.table === 'astep_matter') {
        const fields = new Set(dc.map((c) => c.fieldId));
        const values = truth.datacollectionrecordvalues.filter((v) => v.actionId === d.key && fields.has(String(v.dataCollectionFieldId)) && v.stringValue != null);
        if (!values.length) continue;
        dataCollection++;
        expect({ key: d.key, column: d.column, source: d.source }).toEqual({ key: d.key, column: d.column, source: expect.anything() });
        if (typeof d.source === 'string') expect(values.map((v) => v.stringValue)).toContain(d.source);
      }
    }
    expect(declared).toBeGreaterThan(500);
    expect(dataCollection).toBeGreaterThan(20);
    expect(rawDiffers).toBeGreaterThan(10); // time entry hours: Actionstep sends them as strings
    // A money data collection value: the text as sent beside the number written.
    expect(diff.some((d) => typeof d.source === 'string' && /^\d+\.\d{2}$/.test(d.source) && typeof d.expected === 'number' && d.column.startsWith('astep_dc'))).toBe(true);
  });

  // SQLite gives its -wal and -shm files the database file's rights; they are gone once the last connection closes.
  test('stat: the state folder is drwx------, its files -rw------- (SQLite, tokens, reports, CSV)', () => {
    const stateDir = emu.config.stateDir;
    expect(mode(stateDir)).toBe('drwx------');
    expect(mode(emu.config.outDir!)).toBe('drwx------');
    const files = [
      ...fs.readdirSync(stateDir).map((f) => path.join(stateDir, f)),
      ...fs.readdirSync(emu.config.outDir!).map((f) => path.join(emu.config.outDir!, f)),
    ].filter((f) => fs.statSync(f).isFile());
    expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(['state.db', 'actionstep-tokens.enc', 'run-summary.json', 'field-problems.csv']));
    for (const f of files) expect(`${path.basename(f)} ${mode(f)}`).toBe(`${path.basename(f)} -rw-------`);
    expect(mode(emu.configPath)).toBe('-rw-------');
  });
});
