// Small text helpers shared by the commands and the demo.
import type { MigrationOptions, RunSummary } from '@astep/orchestrator';
import type { MigrationConfig } from './config';

export function migrationOverrides(config: MigrationConfig): Partial<MigrationOptions> {
  const m = config.migration ?? {};
  const o: Partial<MigrationOptions> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  return o;
}

export function formatSummary(summary: RunSummary): string {
  const lines = [`Run ${summary.runId}: ${summary.reconciles ? 'counts reconcile' : 'COUNTS DO NOT RECONCILE'}`, ''];
  lines.push(`${'object'.padEnd(28)}${'extracted'.padStart(10)}${'migrated'.padStart(10)}${'skipped'.padStart(10)}${'failed'.padStart(10)}`);
  for (const o of summary.objects) lines.push(`${o.object.padEnd(28)}${String(o.extracted).padStart(10)}${String(o.migrated).padStart(10)}${String(o.skipped).padStart(10)}${String(o.failed).padStart(10)}`);
  const t = summary.totals;
  lines.push(`${'total'.padEnd(28)}${String(t.extracted).padStart(10)}${String(t.migrated).padStart(10)}${String(t.skipped).padStart(10)}${String(t.failed).padStart(10)}`);
  lines.push('', `${'table'.padEnd(28)}${'created'.padStart(10)}${'updated'.padStart(10)}${'unchanged'.padStart(10)}${'failed'.padStart(10)}`);
  for (const x of summary.tables) lines.push(`${x.table.padEnd(28)}${String(x.created).padStart(10)}${String(x.updated).padStart(10)}${String(x.unchanged).padStart(10)}${String(x.failed).padStart(10)}`);
  return lines.join('\n');
}

