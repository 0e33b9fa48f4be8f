// Renders the engine's chart trees (orchestrator/src/report/charts.ts) with React: the same pictures as report.html,
// every label a text node.
import * as React from 'react';
import type { SvgNode } from '@astep/orchestrator/report/charts';

const camel = (name: string) => (name.startsWith('aria-') || name.startsWith('data-') ? name : name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()));

function styleObject(css: string): React.CSSProperties {
  return Object.fromEntries(css.split(';').map((d) => d.split(':').map((x) => x.trim())).filter((p) => p.length === 2 && p[0]).map(([k, v]) => [camel(k), v]));
}

function toReact(node: SvgNode | string, key?: number): React.ReactNode {
  if (typeof node === 'string') return node;
  const props: Record<string, unknown> = { key };
  for (const [k, v] of Object.entries(node.attrs)) props[k === 'style' ? 'style' : camel(k)] = k === 'style' ? styleObject(String(v)) : v;
  return React.createElement(node.tag, props, ...node.children.map((c, i) => toReact(c, i)));
}

export const SvgChart: React.FC<{ chart: SvgNode; testId?: string }> = ({ chart, testId }) => (
  <div data-testid={testId} style={{ maxWidth: '100%', overflow: 'hidden' }}>{toReact(chart)}</div>
);
