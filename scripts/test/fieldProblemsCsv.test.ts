// field-problems.csv: the load's batches write to it at once; while the file stream is full they wait, and every
// problem reaches the file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fieldProblemsCsv } from '../src/fieldProblemsCsv';

describe('field-problems.csv', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-fp-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('twenty writers at once while the stream is full: they share one wait, every line is written, the file is private', async () => {
    const file = path.join(dir, 'field-problems.csv');
    const writer = fieldProblemsCsv(file);
    let waited = 0;
    // The waits pending at one time: each is a 'drain' listener on the stream (Node warns of a leak past 10).
    const pending = new Set<Promise<void>>();
    let mostPending = 0;
    // Each writer awaits the stream when it is full, as the load's batches do (recordFieldProblems).
    const writerLoop = async (w: number) => {
      for (let i = 0; i < 500; i++) {
        const wait = writer.write({ resource: 'participants', id: `${w}-${i}`, table: 'contact', key: `P-${w}-${i}`, column: 'emailaddress1', rule: 'email', value: 'x'.repeat(200), message: 'not an email address' });
        if (wait) {
          waited++;
          pending.add(wait);
          mostPending = Math.max(mostPending, pending.size);
          await wait;
          pending.delete(wait);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, w) => writerLoop(w)));
    await writer.close();
    expect(waited).toBeGreaterThan(10); // the stream did fill up while many wrote, else this checks nothing
    expect(mostPending).toBe(1);
    const lines = fs.readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('resource,id,target table,target key,column,rule,value,message');
    expect(lines).toHaveLength(1 + 20 * 500);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[1])).size).toBe(20 * 500);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
