// For end-to-end tests that run steps on several configurations of the same emulators: a configuration variant with
// its own state folder, and what the engine staged there.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { MigrationConfig } from '@astep/cli/config';
import type { startTestEmulators } from './harness';

type Emu = Awaited<ReturnType<typeof startTestEmulators>>;

export function openState(config: MigrationConfig): Database.Database {
  return new Database(path.join(config.stateDir, 'state.db'), { readonly: true });
}

/** Everything the engine staged, by resource and id. */
export function stagedRows(config: MigrationConfig): Array<{ resource: string; id: string; json: string }> {
  const db = openState(config);
  try {
    return db.prepare('SELECT resource, id, json FROM staged ORDER BY resource, id').all() as Array<{ resource: string; id: string; json: string }>;
  } finally {
    db.close();
  }
}

/** A second configuration for the same emulators: its own state folder and output, and `change` applied. */
export function variant(emu: Emu, name: string, change: (c: MigrationConfig) => void): { file: string; config: MigrationConfig } {
  const config = JSON.parse(fs.readFileSync(emu.configPath, 'utf8')) as MigrationConfig;
  const dir = path.join(emu.dir, name);
  config.stateDir = path.join(dir, 'engine');
  config.outDir = path.join(dir, 'out');
  change(config);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { file, config };
}
