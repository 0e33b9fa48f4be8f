// Checks every browser test runs on what people see: axe-core's accessibility rules (results saved as JSON in
// test-artifacts/), screenshots at the two window sizes an admin works in, and the internal names that must not
// reach the screen (text, and the labels screen readers speak).
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { findInternalNames } from '@astep/orchestrator/vocabulary/internalNames';

export const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');
const AXE = require.resolve('axe-core/axe.min.js');

/** The window sizes of the screenshots: a 1366×768 laptop and a 1920×1080 desktop. */
export const VIEWPORTS: Array<{ width: number; height: number }> = [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }];

export interface AxeSummary {
  violations: number;
  /** "rule-id (impact): n nodes" for every serious or critical violation. */
  seriousOrCritical: string[];
}

/** Runs axe-core in the page (WCAG 2.1 A and AA rules and best practices); the full result goes to axe-<name>.json. */
export async function axeCheck(page: Page, name: string, context?: string): Promise<AxeSummary> {
  mkdirSync(ARTIFACTS, { recursive: true });
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async (selector) => {
    const axe = (window as unknown as { axe: { run: (c: unknown, o: unknown) => Promise<unknown> } }).axe;
    return axe.run(selector ? document.querySelector(selector) : document, { resultTypes: ['violations'] });
  }, context ?? null) as { violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown; failureSummary?: string }> }>; passes: unknown[] };
  writeFileSync(path.join(ARTIFACTS, `axe-${name}.json`), JSON.stringify({ url: page.url(), checkedOn: new Date().toISOString(), violations: result.violations }, null, 2));
  return {
    violations: result.violations.length,
    seriousOrCritical: result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.length} nodes, first ${JSON.stringify(v.nodes[0]?.target)} ${v.nodes[0]?.failureSummary ?? ''}`),
  };
}

/** Screenshots at each size (the page as it is, re-laid out per size); returns the files and the page's widths. */
export async function shootViewports(page: Page, name: string, o: { fullPage?: boolean } = {}): Promise<Array<{ file: string; width: number; scrollWidth: number }>> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const before = page.viewportSize();
  const shots: Array<{ file: string; width: number; scrollWidth: number }> = [];
  for (const v of VIEWPORTS) {
    await page.setViewportSize(v);
    await page.waitForTimeout(300); // Fluent lays out lists and sticky headers after a resize
    const file = path.join(ARTIFACTS, `${name}-${v.width}x${v.height}.png`);
    await page.screenshot({ path: file, fullPage: o.fullPage ?? true });
    shots.push({ file, width: v.width, scrollWidth: await page.evaluate(() => document.documentElement.scrollWidth) });
  }
  if (before) await page.setViewportSize(before);
  return shots;
}

/** Internal names in the page's text and in the names assistive technology reads (aria-label, title, alt, placeholder). */
export async function internalNamesOnPage(page: Page, selector = 'body'): Promise<string[]> {
  const text = await page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (!root) return '';
    const attrs = Array.from(root.querySelectorAll('[aria-label],[title],[alt],[placeholder],[aria-description]'))
      .flatMap((e) => ['aria-label', 'title', 'alt', 'placeholder', 'aria-description'].map((a) => e.getAttribute(a) ?? ''));
    return `${root.textContent ?? ''}\n${attrs.join('\n')}`;
  }, selector);
  return findInternalNames(text);
}
