// field-problems.csv beside the report: every field-level problem of a run, one line each, streamed to the file as the
// engine meets them (csv-stringify into a write stream that is waited on when full), private to the user like all of
// the state folder.
import fs from 'node:fs';
import { stringify } from 'csv-stringify';
import { FIELD_PROBLEM_COLUMNS, fieldProblemCells, type FieldProblemWriter } from '@astep/orchestrator';
import { ensurePrivateFile } from './state/privateFiles';

export function fieldProblemsCsv(file: string): FieldProblemWriter {
  ensurePrivateFile(file);
  const out = fs.createWriteStream(file, { mode: 0o600 });
  const csv = stringify({ header: true, columns: [...FIELD_PROBLEM_COLUMNS], record_delimiter: '\r\n' });
  csv.pipe(out);
  // Several batches of the load write at once: while the stream is full they all wait on one 'drain' (a listener
  // each grew past Node's limit of 10 on the xl firm and printed "Possible EventEmitter memory leak detected").
  let draining: Promise<void> | undefined;
  return {
    write(problem) {
      if (csv.write(fieldProblemCells(problem))) return undefined;
      draining ??= new Promise<void>((resolve) => csv.once('drain', () => {
        draining = undefined;
        resolve();
      }));
      return draining;
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        out.once('finish', resolve);
        out.once('error', reject);
        csv.end();
      });
    },
  };
}
