// The two pictures of a run, as SVG trees: the outcome per Actionstep object and why the sample's values differ
// from the source. report.html serializes them; the Mapping Wizard renders the same trees.
import type { DiffEntry } from '../diff/sample';
import type { RunSummary } from '../run/engine';
import { reasonKind } from '../diff/display';
import { objectLabel } from '../vocabulary/objects';
import { formatCount, type LocaleSettings } from '../vocabulary/format';
import { MATCH_SERIES, OUTCOME_SERIES, stackedBarChart, type SvgNode } from './charts';

export function outcomeChart(summary: RunSummary, s: LocaleSettings = {}, id = 'outcomes'): SvgNode {
  const rows = summary.objects.filter((x) => x.extracted > 0).map((x) => ({ label: objectLabel(x.object), values: { migrated: x.migrated, skipped: x.skipped, failed: x.failed } }));
  return stackedBarChart({ id, title: 'Outcome per Actionstep object: migrated, skipped and failed records', rows, series: OUTCOME_SERIES, format: (n) => formatCount(n, s) });
}

/** Fields compared per reason kind, matching and not, the reasons with unexplained differences first. */
export function reasonsChart(diff: DiffEntry[], s: LocaleSettings = {}, id = 'reasons', o: { width?: number; labelWidth?: number } = {}): SvgNode {
  const byKind = new Map<string, { match: number; mismatch: number }>();
  for (const d of diff) {
    const k = reasonKind(d.reason);
    const c = byKind.get(k) ?? { match: 0, mismatch: 0 };
    c[d.status]++;
    byKind.set(k, c);
  }
  const rows = [...byKind.entries()].sort((a, b) => b[1].mismatch - a[1].mismatch || b[1].match + b[1].mismatch - a[1].match - a[1].mismatch).slice(0, 14)
    .map(([label, v]) => ({ label: label.length > 58 ? `${label.slice(0, 57)}…` : label, values: v }));
  return stackedBarChart({
    id, title: 'Why sampled values differ from the source, and whether Dynamics holds the expected value', rows, series: MATCH_SERIES,
    width: o.width ?? 900, labelWidth: o.labelWidth ?? 380, format: (n) => formatCount(n, s),
  });
}
