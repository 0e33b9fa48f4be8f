// The charts are SVG trees from pure functions: bars scale to the data, every number is also written out, text is
// escaped, and screen readers get a title and a description.
import { OUTCOME_SERIES, ProgressTimeline, progressChart, stackedBarChart, svgToString, type SvgNode } from '../src';

const find = (n: SvgNode, tag: string): SvgNode[] => [...(n.tag === tag ? [n] : []), ...n.children.flatMap((c) => (typeof c === 'string' ? [] : find(c, tag)))];

describe('charts', () => {
  test('stacked bars: widths proportional to the counts, totals and parts written beside the bars', () => {
    const chart = stackedBarChart({ id: 'o', title: 'Outcome per object', series: OUTCOME_SERIES, rows: [
      { label: 'Matters', values: { migrated: 563, skipped: 4, failed: 0 } },
      { label: 'Data collection values', values: { migrated: 6513, skipped: 212, failed: 35 } },
    ] });
    const bars = find(chart, 'rect').filter((r) => r.children.length); // legend swatches have no tooltip
    expect(bars.length).toBe(5);
    const widths = bars.map((b) => Number(b.attrs.width));
    expect(widths[2] / widths[0]).toBeCloseTo(6513 / 563, 1);
    const svg = svgToString(chart);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title id="o-title">Outcome per object</title>');
    expect(svg).toContain('6760 (212 skipped, 35 failed)');
    expect(svg).toContain('Data collection values: 6513 migrated, 212 skipped, 35 failed');
  });

  test('labels from source data are escaped', () => {
    const svg = svgToString(stackedBarChart({ id: 'x', title: 't', series: OUTCOME_SERIES, rows: [{ label: '<script>alert(1)</script>', values: { migrated: 1 } }] }));
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;');
  });

  test('progress over time from a timeline of ticks across the step tasks', () => {
    let now = 0;
    const calls: string[] = [];
    const timeline = new ProgressTimeline({ start: (t) => calls.push(`start ${t}`), tick: () => calls.push('tick'), done: (t) => calls.push(`done ${t}`), log: () => {} }, () => now, 100);
    timeline.reporter.start('account', 10);
    for (let i = 0; i < 10; i++) { now += 50; timeline.reporter.tick('account'); }
    timeline.reporter.done('account');
    timeline.reporter.start('contact', 5);
    now += 1000;
    timeline.reporter.tick('contact', 5);
    timeline.reporter.done('contact');
    expect(calls.filter((c) => c === 'tick').length).toBe(11);
    expect(timeline.expected()).toBe(15);
    const points = timeline.points();
    expect(points[0]).toEqual({ seconds: 0, done: 0 });
    expect(points[points.length - 1]).toEqual({ seconds: 1.5, done: 15 });
    const svg = svgToString(progressChart({ id: 'p', title: 'Rows written over time', points, total: timeline.expected() }));
    expect(svg).toContain('15 of 15 after 2 s.');
    expect(svg).toMatch(/<path d="M70\.0,166\.0 /);
  });
});
