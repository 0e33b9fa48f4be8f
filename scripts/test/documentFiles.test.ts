// The notes' files extract keeps in the state folder: private to the user, whole or absent, read only at the size the
// staged document says.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DocumentFileStore } from '../src/state/documentFiles';

describe('the document files in the state folder', () => {
  let dir: string;
  beforeEach(() => (dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'astep-docs-')), 'documents')));
  afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

  test('kept 0600 in a 0700 folder, named so no file id can reach outside it, read back only at its size', async () => {
    const files = new DocumentFileStore(dir);
    const id = 'DL::Actions::12::../../etc/passwd';
    expect(await files.has(id, null)).toBe(false);
    await files.write(id, new Uint8Array([1, 2, 3]));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    const [name] = fs.readdirSync(dir);
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect(fs.statSync(path.join(dir, name)).mode & 0o777).toBe(0o600);
    expect(await files.has(id, 3)).toBe(true);
    expect(await files.has(id, 4)).toBe(false);
    expect([...((await files.read(id, 3)) ?? [])]).toEqual([1, 2, 3]);
    expect(await files.read(id, 4)).toBeNull(); // the document changed since: the run downloads it again
  });

  test('tells the free space of its disk, before its folder exists too (the same as the disk\'s own figure)', async () => {
    const files = new DocumentFileStore(dir);
    const before = await files.space();
    const st = fs.statfsSync(path.dirname(dir));
    expect(before).toEqual({ freeBytes: expect.any(Number), where: `the disk of ${dir}` });
    // Other processes write to the same disk meanwhile: within 64 MB of the figure read here.
    expect(Math.abs(before!.freeBytes - st.bavail * st.bsize)).toBeLessThan(64 * 1024 * 1024);
    expect(before!.freeBytes).toBeGreaterThan(0);
  });

  test('an unfinished file a killed extract left is never read, and is removed by the next write', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const first = new DocumentFileStore(dir);
    await first.write('a', new Uint8Array([1]));
    const [kept] = fs.readdirSync(dir);
    fs.writeFileSync(path.join(dir, `${kept.replace(/.$/, '0')}.4242.part`), 'half');
    const next = new DocumentFileStore(dir);
    expect(await next.has('b', null)).toBe(false);
    await next.write('b', new Uint8Array([2]));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.part'))).toEqual([]);
    expect(fs.readdirSync(dir)).toHaveLength(2);
  });
});
