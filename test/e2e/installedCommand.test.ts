// The command as a newcomer types it: `npx astep-migrate ...` runs the root package's `bin` (scripts/bin/astep-migrate.js),
// which loads the bundle as a module, not as the entry script. It once printed nothing and exited 0.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers/harness';

jest.setTimeout(120_000);

const npx = (args: string[]) => spawnSync('npx', ['--no-install', 'astep-migrate', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

test('npx --no-install astep-migrate --help prints the usage and exits 0', () => {
  const r = npx(['--help']);
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^Usage: astep-migrate /);
  for (const step of ['discover', 'provision', 'extract', 'sample', 'approve', 'run', 'delta', 'verify', 'rollback', 'emulate', 'demo']) {
    expect(r.stdout).toContain(step);
  }
});

test('npx astep-migrate config-check with a missing config file exits 2 and names the file', () => {
  const r = npx(['config-check', '--config', 'missing.json']);
  expect(r.status).toBe(2);
  expect(r.stderr).toContain('missing.json');
});

test('the bundle loads the Excel reader only when it reads a workbook (every step paid 29 MB of RSS for it)', () => {
  const probe = "require(process.argv[1]); process.stdout.write(String(Object.keys(require.cache).some((k) => /node_modules[\\\\/]exceljs[\\\\/]/.test(k))))";
  const r = spawnSync(process.execPath, ['-e', probe, path.join(ROOT, 'dist', 'cli.js')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toBe('false');
  // It is loaded when a workbook is read: test/e2e/trustLedger.test.ts reads an .xlsx export through this bundle.
});

test('the installed command runs Node with its heap bound and young-generation size (bench:fullrun measures each step through it)', () => {
  // A preload in the command's own process (not npx's) reports the heap limit V8 was started with.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astep-heap-'));
  const preload = path.join(dir, 'heap.cjs');
  fs.writeFileSync(preload, "if (/astep-migrate/.test(process.argv[1] ?? '')) process.stderr.write(`heap limit ${require('v8').getHeapStatistics().heap_size_limit} arenas ${process.env.MALLOC_ARENA_MAX}\\n`);\n");
  try {
    const r = spawnSync('npx', ['--no-install', 'astep-migrate', '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_OPTIONS: `--require ${preload}` } });
    expect(r.status).toBe(0);
    const limit = Number(/heap limit (\d+)/.exec(r.stderr)?.[1]);
    // 256 MB of old space plus V8's young generation, three semi-spaces of 8 MB (Node 20's default 16 MB makes it 304 MB):
    // well under the 4 GB default on this kind of machine.
    expect(limit / 1024 / 1024).toBeGreaterThan(256 + 3 * 8 - 4);
    expect(limit / 1024 / 1024).toBeLessThan(256 + 3 * 8 + 4);
    // glibc's arenas capped at two: the RSS outside the JS heap is part of each step's peak too.
    expect(/arenas (\S+)/.exec(r.stderr)?.[1]).toBe('2');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
