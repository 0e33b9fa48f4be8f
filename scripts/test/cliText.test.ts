// What the command line says and asks: the question before a step changes a real organisation, colours only on a
// terminal without NO_COLOR, one line per step when the output is not a terminal, and the log keeps the rest.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { colorsFor } from '../src/colors';
import { confirmStep, isRealOrg, NotConfirmedError } from '../src/confirm';
import { createProgress } from '../src/progress';
import { formatFindings, textTable } from '../src/format';

const tty = (answer?: string) => {
  const input = new PassThrough() as PassThrough & { isTTY?: boolean };
  input.isTTY = true;
  if (answer !== undefined) setTimeout(() => input.write(`${answer}\n`), 10);
  return input;
};

describe('the question before a real organisation is changed', () => {
  test('the emulators on loopback are a rehearsal; any other host is a real organisation', () => {
    expect(isRealOrg('http://127.0.0.1:5555/api/data/v9.2/')).toBe(false);
    expect(isRealOrg('http://localhost:5555/api/data/v9.2/')).toBe(false);
    expect(isRealOrg('https://contoso.crm6.dynamics.com/api/data/v9.2/')).toBe(true);
  });

  test('yes goes on, anything else stops with nothing changed, --yes does not ask, no terminal asks for --yes', async () => {
    const output = new PassThrough();
    let asked = '';
    output.on('data', (d) => (asked += d));
    await expect(confirmStep('Migrate every staged record into contoso.crm6.dynamics.com?', { input: tty('y'), output })).resolves.toBeUndefined();
    expect(asked).toContain('Migrate every staged record into contoso.crm6.dynamics.com? [y/N] ');
    await expect(confirmStep('Roll back?', { input: tty(''), output })).rejects.toThrow(new NotConfirmedError('Not confirmed: nothing was changed.'));
    await expect(confirmStep('Roll back?', { yes: true, input: tty() })).resolves.toBeUndefined();
    const pipe = new PassThrough() as PassThrough & { isTTY?: boolean };
    await expect(confirmStep('Roll back?', { input: pipe, output })).rejects.toThrow(/no terminal to ask on, so nothing was changed\. Run it again with --yes/);
  });
});

describe('colours and progress', () => {
  test('colours only on a terminal, and NO_COLOR turns them off', () => {
    expect(colorsFor({ isTTY: true }, {}).red('x')).toBe('\u001b[31mx\u001b[39m');
    expect(colorsFor({ isTTY: true }, { NO_COLOR: '1' }).red('x')).toBe('x');
    expect(colorsFor({ isTTY: false }, {}).red('x')).toBe('x');
    expect(colorsFor({ isTTY: true }, { NO_COLOR: '' }).red('x')).toBe('\u001b[31mx\u001b[39m'); // empty: not set (no-color.org)
  });

  test('off a terminal: one summary line per step, however many tasks and ticks; the log has every task by its internal name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-progress-'));
    const stream = new PassThrough() as PassThrough & { isTTY?: boolean };
    let text = '';
    stream.on('data', (d) => (text += d));
    const logFile = path.join(dir, 'astep-migrate.log');
    const p = createProgress({ stream: stream as unknown as NodeJS.WriteStream, logFile });
    p.beginStep('Creating tables and columns');
    p.start('provision', 210);
    for (let i = 0; i < 210; i++) p.tick('provision');
    p.done('provision');
    p.endStep('changes');
    p.beginStep('Running the migration');
    for (const t of ['account', 'astep_timeentry', 'close']) {
      p.start(t, 100);
      p.tick(t, 100);
      p.done(t);
    }
    p.endStep('rows');
    // Resources read side by side: the step counts every task's records, not only the one its bar follows.
    p.beginStep('Reading Actionstep');
    p.start('extract actions', 0);
    p.start('extract participants', 0);
    p.tick('extract actions', 200);
    p.tick('extract participants', 150);
    p.tick('extract actions', 50);
    p.endStep('records');
    expect(text.trim().split('\n')).toEqual([
      expect.stringMatching(/^✓ Creating tables and columns: 210 changes \(\d+\.\d s\)$/),
      expect.stringMatching(/^✓ Running the migration: 300 rows \(\d+\.\d s\)$/),
      expect.stringMatching(/^✓ Reading Actionstep: 400 records \(\d+\.\d s\)$/),
    ]);
    const log = fs.readFileSync(logFile, 'utf8');
    expect(log).toMatch(/task astep_timeentry: 100 done/);
    expect(fs.statSync(logFile).mode & 0o777).toBe(0o600);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('tables align numbers right under right-aligned headers, with thousands separators', () => {
    const lines = textTable(['Actionstep object', 'Extracted'], [['Matters', 567], ['Data collection values', 6760]]);
    expect(lines).toEqual([
      'Actionstep object       Extracted',
      'Matters                       567',
      `Data collection values  ${(6760).toLocaleString().padStart(9)}`,
    ]);
  });
});

describe('what was noticed, in words', () => {
  test('a field problem is headed by a sentence, not its rule id; a rule that is a sentence stays', () => {
    const example = { resource: 'participants', id: '48', field: 'birthday', value: '1985-13-01', message: 'Contact P-48, Birthday: "1985-13-01" is not a real calendar date' };
    const lines = formatFindings([
      { rule: 'date-valid', count: 2, open: false, examples: [example] },
      { rule: 'unknown value', count: 1, open: false, examples: [example] },
      { rule: 'trust ledger: running balance does not add up', count: 3, open: false, examples: [example] },
    ], 1, colorsFor({}));
    expect(lines).toContain('  2  Dates that do not exist on the calendar');
    expect(lines).toContain("  1  Values Actionstep does not document (handled by the plan's unknown-value map)");
    expect(lines).toContain('  3  trust ledger: running balance does not add up');
    expect(lines.join('\n')).not.toContain('date-valid');
  });
});
