// A bad value in a record the sample never wrote still gets its message: the run summary lists it under its rule and
// field-problems.csv beside the report has it with the record, the field and the rule. And the state folder, where a
// firm's client data sits (SQLite staging, tokens, reports, the CSV), is the user's alone: drwx------, files -rw-------.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { runCli, startTestEmulators } from '../helpers/harness';

jest.setTimeout(240_000);

describe('field problems of every record, and a private state folder', () => {
  let emu: Awaited<ReturnType<typeof startTestEmulators>>;
  const step = (name: string, ...extra: string[]) => runCli([name, '--config', emu.configPath, '--json', ...extra]);
  const mode = (p: string) => execFileSync('stat', ['-c', '%A', p], { encoding: 'utf8' }).trim();

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
    expect(human.stdout).toMatch(new RegExp(`email-format: ${emailLines.length}`));
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
