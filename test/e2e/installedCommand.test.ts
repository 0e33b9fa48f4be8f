// The command as a newcomer types it: `npx astep-migrate ...` runs the root package's `bin` (scripts/bin/astep-migrate.js),
// which loads the bundle as a module, not as the entry script. It once printed nothing and exited 0.
import { spawnSync } from 'node:child_process';
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
