import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSolution } from '../src/pack/buildSolution';
import { loadPackInputs } from '../src/pack/inputs';
import { readSolutionZip } from '../src/readSolutionZip';

describe('buildSolution (npm run build:solution)', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'astep-build-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('writes both zips named from package.json x.y.z → x.y.z.0 and refreshes the unpacked copy', async () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: '3.4.5' }));
    const r = await buildSolution(root, loadPackInputs(join(__dirname, 'fixtures', 'repo')));
    expect(r.version).toBe('3.4.5.0');
    expect(r.managedZip).toBe(join(root, 'dist', 'ActionstepMigration_3.4.5.0_managed.zip'));
    expect(r.unmanagedZip).toBe(join(root, 'dist', 'ActionstepMigration_3.4.5.0_unmanaged.zip'));
    expect(r.omitted).toEqual([]);
    const managed = await readSolutionZip(new Uint8Array(readFileSync(r.managedZip)));
    const unmanaged = await readSolutionZip(new Uint8Array(readFileSync(r.unmanagedZip)));
    expect([managed.managed, managed.version, unmanaged.managed]).toEqual([true, '3.4.5.0', false]);
    expect(existsSync(join(root, 'solution', 'unpacked', 'Other', 'Solution.xml'))).toBe(true);
    expect(readFileSync(join(root, 'solution', 'unpacked', 'Other', 'Solution.xml'), 'utf8')).toContain('<Version>3.4.5.0</Version>');
  });

  it('refuses a version that is not x.y.z', async () => {
    writeFileSync(join(root, 'package.json'), JSON.stringify({ version: 'latest' }));
    await expect(buildSolution(root)).rejects.toThrow(/package.json version "latest" is not x.y.z/);
  });
});
