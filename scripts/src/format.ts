// What the command line prints for people: tables in the vocabulary's words with aligned numbers, reasons grouped
// with a count and a first example, and the next command to run. Internal names stay in `--json` and the log.
import { findingLabel, formatCount, genericReason, objectLabel, PHASES, plural, tableLabel, type Finding, type MigrationOptions, type RunSummary } from '@astep/orchestrator';
import type { MigrationConfig } from './config';
import { colorsFor, type Colors } from './colors';

export function migrationOverrides(config: MigrationConfig): Partial<MigrationOptions> {
  const m = config.migration ?? {};
  const o: Partial<MigrationOptions> = {};
  for (const [k, v] of Object.entries(m)) if (v !== undefined) (o as Record<string, unknown>)[k] = v;
  return o;
}

/** A fixed-width table: the first column left-aligned and as wide as its longest value, the numbers right-aligned. */
export function textTable(headers: string[], rows: Array<Array<string | number>>, c: Colors = colorsFor({})): string[] {
  const cells = rows.map((r) => r.map((v) => (typeof v === 'number' ? formatCount(v) : v)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ').trimEnd();
  return [c.bold(line(headers)), ...cells.map(line)];
}

export interface SummaryTextOptions {
  colors?: Colors;
  /** Reasons listed per outcome before "and N more". */
  maxReasons?: number;
}

/** Reasons of one outcome across objects: count, object and its first record's own message, most frequent first. */
function reasonLines(summary: RunSummary, which: 'skipped' | 'failed', max: number, c: Colors): string[] {
  const groups: Array<{ object: string; count: number; example: string }> = [];
  for (const o of summary.objects) {
    if (which === 'skipped') {
      for (const [reason, count] of Object.entries(o.skippedReasons)) groups.push({ object: o.object, count, example: o.skippedExamples?.[reason] ?? reason });
    } else {
      const byReason = new Map<string, { count: number; example: string }>();
      for (const f of o.failedReasons) {
        const g = byReason.get(genericReason(f.message)) ?? { count: 0, example: f.message };
        g.count++;
        byReason.set(genericReason(f.message), g);
      }
      for (const g of byReason.values()) groups.push({ object: o.object, ...g });
    }
  }
  groups.sort((a, b) => b.count - a.count);
  const width = Math.max(0, ...groups.map((g) => formatCount(g.count).length));
  const lines = groups.slice(0, max).map((g) => `  ${formatCount(g.count).padStart(width)}  ${c.bold(objectLabel(g.object))}: ${g.example}`);
  if (groups.length > max) lines.push(`  ${' '.repeat(width)}  and ${plural(groups.length - max, 'more reason')} (see the report)`);
  return lines;
}

export function formatSummary(summary: RunSummary, o: SummaryTextOptions = {}): string {
  const c = o.colors ?? colorsFor({});
  const t = summary.totals;
  const max = o.maxReasons ?? 12;
  const lines = [
    `${PHASES[summary.phase] ?? summary.phase} ${summary.runId}: ${summary.reconciles ? c.green('every record is accounted for') : c.red('THE COUNTS DO NOT RECONCILE')}.`, '',
    ...textTable(['Actionstep object', 'Extracted', 'Migrated', 'Skipped', 'Failed'], [
      ...summary.objects.map((x) => [objectLabel(x.object), x.extracted, x.migrated, x.skipped, x.failed]),
      ['Total', t.extracted, t.migrated, t.skipped, t.failed],
    ], c),
    '',
    ...textTable(['Dynamics table', 'Created', 'Updated', 'Unchanged', 'Failed'], summary.tables.map((x) => [tableLabel(x.table), x.created, x.updated, x.unchanged, x.failed]), c),
  ];
  if (t.skipped) lines.push('', `${c.yellow('Skipped')} (${plural(t.skipped, 'record')}), by reason with a first example:`, ...reasonLines(summary, 'skipped', max, c));
  if (t.failed) lines.push('', `${c.red('Failed')} (${plural(t.failed, 'record')}), by reason with a first example:`, ...reasonLines(summary, 'failed', max, c));
  for (const n of summary.notMigrated ?? []) lines.push('', `${c.red(n.mapping)}: ${n.reason}.`, `  ${n.whatToDo}`);
  if (summary.billing?.excludedEntries) {
    lines.push('', `Billing totals count billed time only (the plan's choice): ${plural(summary.billing.excludedEntries, 'time entry', 'time entries')} worth ${summary.billing.excludedAmount.toFixed(2)} are left out (each matter says how much).`);
  }
  lines.push(...formatFindings(summary.findings ?? [], 3, c));
  return lines.join('\n');
}

/** Findings by rule: the count, and the first examples by record (the JSON report has up to 50 per rule). */
export function formatFindings(findings: Finding[], examples = 3, c: Colors = colorsFor({})): string[] {
  if (!findings.length) return [];
  return ['', `${c.yellow("Noticed in Actionstep's records")} (${plural(findings.reduce((n, f) => n + f.count, 0), 'record')}), by what was noticed:`, ...findings.flatMap((f) => [
    `  ${formatCount(f.count)}  ${c.bold(findingLabel(f.rule))}${f.open ? c.red(' (not resolved: the staged firm differs from Actionstep)') : ''}`,
    ...f.examples.slice(0, examples).map((e) => `      ${e.message}`),
  ])];
}

/** "Next: astep-migrate verify --config migration.json" */
export function nextCommand(step: string, configPath: string | null, why?: string, c: Colors = colorsFor({})): string {
  const cmd = `astep-migrate ${step}${configPath ? ` --config ${configPath}` : ''}`;
  return `${c.bold('Next:')} ${cmd}${why ? `  ${c.dim(`(${why})`)}` : ''}`;
}
