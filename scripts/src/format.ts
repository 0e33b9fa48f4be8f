// Small text helpers shared by the commands and the demo.
import type { Finding, MigrationOptions, RunSummary } from '@astep/orchestrator';
import type { MigrationConfig } from './config';

export function migrationOverrides(config: MigrationConfig): Partial<MigrationOptions> {
  const m = config.migration ?? {};
  const o: Partial<MigrationOptions> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  return o;
}

/** One line of a fixed-width table: a name column, then right-aligned numbers or headers. */
const line = (name: string, ...cells: Array<string | number>): string => name.padEnd(28) + cells.map((c) => String(c).padStart(10)).join('');

export function formatSummary(summary: RunSummary): string {
  const t = summary.totals;
  return [
    `Run ${summary.runId}: ${summary.reconciles ? 'counts reconcile' : 'COUNTS DO NOT RECONCILE'}`, '',
    line('object', 'extracted', 'migrated', 'skipped', 'failed'),
    ...summary.objects.map((o) => line(o.object, o.extracted, o.migrated, o.skipped, o.failed)),
    line('total', t.extracted, t.migrated, t.skipped, t.failed), '',
    line('table', 'created', 'updated', 'unchanged', 'failed'),
    ...summary.tables.map((x) => line(x.table, x.created, x.updated, x.unchanged, x.failed)),
    ...(summary.notMigrated ?? []).flatMap((n) => ['', `${n.mapping}: ${n.reason}.`, `  ${n.whatToDo}`]),
    ...(summary.billing?.excludedEntries
      ? ['', `Billing totals count billed time only (the plan's choice): ${summary.billing.excludedEntries} time entries worth ${summary.billing.excludedAmount.toFixed(2)} are left out (each matter says how much).`]
      : []),
    ...formatFindings(summary.findings ?? []),
  ].join('\n');
}

/** Findings by rule: the count, and the first examples by record (the JSON report has up to 50 per rule). */
export function formatFindings(findings: Finding[], examples = 3): string[] {
  if (!findings.length) return [];
  return ['', 'findings:', ...findings.flatMap((f) => [
    `  ${f.rule}: ${f.count}${f.open ? ' (NOT RESOLVED: the staged firm differs from Actionstep)' : ''}`,
    ...f.examples.slice(0, examples).map((e) => `    ${e.message}`),
  ])];
}

