// Pictures of a run as small SVG trees built by pure functions: report.html serializes them inline (no script, no
// network) and the controls render the same tree with React. Each chart carries a title and a text description
// for screen readers (role="img"), and its numbers are also printed beside the bars.

export interface SvgNode {
  tag: string;
  attrs: Record<string, string | number>;
  children: Array<SvgNode | string>;
}

const el = (tag: string, attrs: Record<string, string | number>, ...children: Array<SvgNode | string>): SvgNode => ({ tag, attrs, children });

export interface Series {
  key: string;
  label: string;
  color: string;
}

export interface StackedRow {
  label: string;
  values: Record<string, number>;
}

/** Outcome colours that read on white (≥ 3:1 against the page) and are told apart by the legend's words too. */
export const OUTCOME_SERIES: Series[] = [
  { key: 'migrated', label: 'Migrated', color: '#107c10' },
  { key: 'skipped', label: 'Skipped', color: '#797775' },
  { key: 'failed', label: 'Failed', color: '#a4262c' },
];

export const MATCH_SERIES: Series[] = [
  { key: 'match', label: 'Matches', color: '#0078d4' },
  { key: 'mismatch', label: 'Unexplained differences', color: '#a4262c' },
];

const FONT = 'Segoe UI, system-ui, sans-serif';
const ROW = 22;
const BAR = 14;

function text(x: number, y: number, s: string, extra: Record<string, string | number> = {}): SvgNode {
  return el('text', { x, y, 'font-size': 12, 'font-family': FONT, fill: '#323130', ...extra }, s);
}

function frame(id: string, title: string, description: string, width: number, height: number, body: SvgNode[]): SvgNode {
  return el('svg', { xmlns: 'http://www.w3.org/2000/svg', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, style: 'max-width:100%;height:auto' },
    el('title', { id: `${id}-title` }, title), el('desc', { id: `${id}-desc` }, description), ...body);
}

function legend(series: Series[], y: number, x0: number): SvgNode[] {
  let x = x0;
  return series.flatMap((s) => {
    const nodes = [el('rect', { x, y: y - 10, width: 12, height: 12, fill: s.color }), text(x + 16, y, s.label)];
    x += 16 + s.label.length * 7 + 18;
    return nodes;
  });
}

/**
 * One horizontal bar per row, split by series (say, migrated / skipped / failed per Actionstep object). Bars are
 * scaled to the largest row; each row's total and its parts are printed to the right of its bar.
 */
export function stackedBarChart(o: { id: string; title: string; rows: StackedRow[]; series: Series[]; width?: number; labelWidth?: number; format?: (n: number) => string }): SvgNode {
  const width = o.width ?? 760;
  const labelWidth = o.labelWidth ?? 190;
  const numbersWidth = 230;
  const barWidth = width - labelWidth - numbersWidth;
  const fmt = o.format ?? ((n: number) => String(n));
  const max = Math.max(1, ...o.rows.map((r) => o.series.reduce((s, x) => s + (r.values[x.key] ?? 0), 0)));
  const top = 30;
  const body: SvgNode[] = legend(o.series, 16, labelWidth);
  o.rows.forEach((r, i) => {
    const y = top + i * ROW;
    body.push(text(labelWidth - 8, y + BAR - 2, r.label, { 'text-anchor': 'end' }));
    let x = labelWidth;
    const parts: string[] = [];
    for (const s of o.series) {
      const v = r.values[s.key] ?? 0;
      if (v > 0) {
        const w = Math.max(1, (v / max) * barWidth);
        body.push(el('rect', { x, y, width: Number(w.toFixed(1)), height: BAR, fill: s.color }, el('title', {}, `${r.label}: ${fmt(v)} ${s.label.toLowerCase()}`)));
        x += w;
        parts.push(`${fmt(v)} ${s.label.toLowerCase()}`);
      }
    }
    const total = o.series.reduce((s, x) => s + (r.values[x.key] ?? 0), 0);
    body.push(text(labelWidth + barWidth + 8, y + BAR - 2, parts.length > 1 ? `${fmt(total)} (${parts.slice(1).join(', ')})` : fmt(total)));
  });
  const description = o.rows.map((r) => `${r.label}: ${o.series.map((s) => `${fmt(r.values[s.key] ?? 0)} ${s.label.toLowerCase()}`).join(', ')}`).join('; ');
  return frame(o.id, o.title, description || 'No data.', width, top + Math.max(1, o.rows.length) * ROW + 6, body);
}

export interface TimePoint {
  /** Seconds since the step began. */
  seconds: number;
  done: number;
}

/** Records done over time on a long step, with the total as a dashed line: a flat stretch is a wait. */
export function progressChart(o: { id: string; title: string; points: TimePoint[]; total: number; width?: number; height?: number; format?: (n: number) => string }): SvgNode {
  const width = o.width ?? 760;
  const height = o.height ?? 200;
  const fmt = o.format ?? ((n: number) => String(n));
  const left = 70, right = 20, top = 16, bottom = 34;
  const w = width - left - right, h = height - top - bottom;
  const maxT = Math.max(1, ...o.points.map((p) => p.seconds));
  const maxY = Math.max(1, o.total, ...o.points.map((p) => p.done));
  const px = (t: number) => left + (t / maxT) * w;
  const py = (v: number) => top + h - (v / maxY) * h;
  const path = o.points.map((p, i) => `${i ? 'L' : 'M'}${px(p.seconds).toFixed(1)},${py(p.done).toFixed(1)}`).join(' ');
  const last = o.points[o.points.length - 1];
  const body: SvgNode[] = [
    el('line', { x1: left, y1: top + h, x2: left + w, y2: top + h, stroke: '#8a8886' }),
    el('line', { x1: left, y1: top, x2: left, y2: top + h, stroke: '#8a8886' }),
    el('line', { x1: left, y1: py(o.total), x2: left + w, y2: py(o.total), stroke: '#8a8886', 'stroke-dasharray': '4 4' }),
    text(left - 6, py(o.total) + 4, fmt(o.total), { 'text-anchor': 'end' }),
    text(left - 6, top + h + 4, '0', { 'text-anchor': 'end' }),
    text(left, height - 8, '0 s'),
    text(left + w, height - 8, `${Math.round(maxT)} s`, { 'text-anchor': 'end' }),
  ];
  if (path) body.push(el('path', { d: path, fill: 'none', stroke: '#0078d4', 'stroke-width': 2 }));
  const description = last ? `${fmt(last.done)} of ${fmt(o.total)} after ${Math.round(last.seconds)} s.` : 'Not started.';
  return frame(o.id, o.title, description, width, height, body);
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The tree as SVG markup (every text and attribute escaped). */
export function svgToString(node: SvgNode | string): string {
  if (typeof node === 'string') return escapeXml(node);
  const attrs = Object.entries(node.attrs).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('');
  return `<${node.tag}${attrs}>${node.children.map(svgToString).join('')}</${node.tag}>`;
}
