// The notes' files on disk, in the state folder beside state.db: a firm's documents, so the folder is private to its
// user (0700, files 0600) like the staging. Named by a hash of Actionstep's file id (ids hold characters a file name
// cannot); written to a temporary name and renamed, so a kill mid-write never leaves a partial file that would pass
// for a kept one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DocumentFilesPort } from '@astep/orchestrator';
import { privateDir } from './privateFiles';

const PRIVATE_FILE = 0o600;
const PART = '.part';

export class DocumentFileStore implements DocumentFilesPort {
  private made = false;

  constructor(readonly dir: string) {}

  private fileOf(fileId: string): string {
    return path.join(this.dir, crypto.createHash('sha256').update(fileId).digest('hex'));
  }

  async has(fileId: string, size: number | null): Promise<boolean> {
    try {
      const st = await fs.promises.stat(this.fileOf(fileId));
      return size === null || st.size === size;
    } catch {
      return false;
    }
  }

  /** One read per note in the run (no stat first): a file of another size is read and refused, which is rare. */
  async read(fileId: string, size: number | null): Promise<Uint8Array | null> {
    let bytes: Buffer;
    try {
      bytes = await fs.promises.readFile(this.fileOf(fileId));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return size === null || bytes.length === size ? bytes : null;
  }

  /** Free space for this user on the disk of the folder (of its nearest existing parent before the first file). */
  async space(): Promise<{ freeBytes: number; where: string } | null> {
    for (let dir = this.dir; ; dir = path.dirname(dir)) {
      try {
        const st = await fs.promises.statfs(dir);
        return { freeBytes: st.bavail * st.bsize, where: `the disk of ${this.dir}` };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || path.dirname(dir) === dir) return null;
      }
    }
  }

  async write(fileId: string, bytes: Uint8Array): Promise<void> {
    if (!this.made) {
      privateDir(this.dir);
      // A killed extract leaves its unfinished file under a temporary name: never read, removed here (the state
      // folder's lock means no other process is writing one now).
      for (const f of fs.readdirSync(this.dir)) if (f.endsWith(PART)) fs.rmSync(path.join(this.dir, f), { force: true });
      this.made = true;
    }
    const file = this.fileOf(fileId);
    const temp = `${file}.${process.pid}${PART}`;
    await fs.promises.writeFile(temp, bytes, { mode: PRIVATE_FILE });
    await fs.promises.rename(temp, file);
  }
}
