// A law firm's client data on disk is private to the user who runs the migration: folders 0700, files 0600, whatever
// the process's umask, and tightened again when they already exist with wider rights (a folder made by hand).
import fs from 'node:fs';
import path from 'node:path';

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Creates the folder (and missing parents) readable by its owner only; an existing folder is tightened too. */
export function privateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  fs.chmodSync(dir, PRIVATE_DIR);
  return dir;
}

/** Writes a file readable by its owner only (replacing its content; an existing file's rights are tightened). */
export function writePrivateFile(file: string, data: string | Uint8Array): void {
  privateDir(path.dirname(file));
  fs.writeFileSync(file, data, { mode: PRIVATE_FILE });
  fs.chmodSync(file, PRIVATE_FILE);
}

/** An empty private file that something else (SQLite, a stream) then writes: created 0600 before it is opened. */
export function ensurePrivateFile(file: string): void {
  privateDir(path.dirname(file));
  fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE));
  fs.chmodSync(file, PRIVATE_FILE);
}
