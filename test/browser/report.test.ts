// `astep-migrate demo` as a newcomer runs it (no --json): the summary it prints and the report.html it writes, in
// Debian's chromium with every network request refused. The report opens with a summary and contents, carries its
// two charts as inline SVG, fits a 1366 px window, passes axe-core, and neither says an internal name.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { findInternalNames } from '@astep/orchestrator/vocabulary/internalNames';
import { runCli } from '../helpers/harness';
import { CHROMIUM, launchChromium } from '../helpers/browserHost';
import { axeCheck, internalNamesOnPage, shootViewports } from '../helpers/pageChecks';

const canRun = existsSync(CHROMIUM) || !!process.env.CI;
const suite = canRun ? describe : describe.skip;

suite('demo summary and report.html', () => {
  let out: string;
  let stdout: string;
  let browser: Browser;
  let page: Page;
  const requests: string[] = [];

  beforeAll(async () => {
    out = mkdtempSync(path.join(os.tmpdir(), 'astep-report-'));
    const r = await runCli(['demo', '--firm', 'tiny', '--seed', '3', '--out', out], { env: { NO_COLOR: '1' } });
    expect([r.code, r.stderr.slice(-2000)]).toEqual([0, expect.any(String)]);
    stdout = r.stdout;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
    // Nothing but the file itself may load: a report that needs the network fails here.
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file://') && url.endsWith('/report.html')) return route.continue();
      requests.push(url);
      return route.abort();
    });
    await page.goto(`file://${path.join(out, 'report.html')}`);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  test('the summary on the command line: people\'s words, aligned numbers, reasons with examples, the report and the next command', () => {
    expect(findInternalNames(stdout)).toEqual([]);
    expect(stdout).toMatch(/^Full run run-\d+: every record is accounted for\.$/m);
    expect(stdout).toMatch(/^Data collection values +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+$/m);
    expect(stdout).toMatch(/^Skipped \([\d,]+ records\), by reason with a first example:$/m);
    expect(stdout).toMatch(/^ +\d+ +File notes: file note \d+ is system-generated/m);
    expect(stdout).toMatch(/^Report: .*report\.html$/m);
    expect(stdout).toMatch(/^Next: astep-migrate emulate/m);
    // Numbers right-aligned: every row of the object table ends at the same column.
    const rows = stdout.split('\n').slice(stdout.split('\n').findIndex((l) => l.startsWith('Actionstep object'))).slice(0, 19);
    expect(new Set(rows.map((l) => l.length)).size).toBe(1);
    expect(stdout.includes(String.fromCharCode(27))).toBe(false); // NO_COLOR and a pipe: no colour codes
  });

  test('report.html: summary and contents first, two inline SVG charts, no network, fits 1366 px, folds long tables', async () => {
    expect(requests).toEqual([]);
    const firstSection = await page.locator('main > *').evaluateAll((els) => els.slice(0, 5).map((e) => e.tagName + (e.getAttribute('class') ? `.${e.getAttribute('class')}` : '')));
    expect(firstSection).toEqual(['H1', 'P', 'DIV.glance', 'NAV', 'SECTION']);
    const charts = await page.locator('svg[role="img"]').evaluateAll((els) => els.map((e) => e.querySelector('title')?.textContent));
    expect(charts).toEqual(expect.arrayContaining([
      'Outcome per Actionstep object: migrated, skipped and failed records',
      'Why sampled values differ from the source, and whether Dynamics holds the expected value',
    ]));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1366);
    // The plan comes before the sample's field comparison, which is folded.
    const order = await page.locator('section h2').allTextContents();
    expect(order.indexOf('The plan')).toBeLessThan(order.indexOf('The sample and its field comparison'));
    expect(await page.locator('details:has(table) > summary', { hasText: /^Show the [\d,]+ fields compared/ }).count()).toBe(1);
    const shots = await shootViewports(page, 'report', { fullPage: true });
    for (const s of shots) expect(s.scrollWidth).toBeLessThanOrEqual(s.width);
  });

  test('the sample names the Actionstep value of every choice and the Actionstep user behind every fallback owner', () => {
    const sample = JSON.parse(readFileSync(path.join(out, 'sample-diff.json'), 'utf8')) as { diff: Array<{ reason: string; column: string }> };
    const plan = JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')) as { owners: Array<{ displayName: string | null; email: string | null; outcome: string }> };
    const choices = sample.diff.filter((d) => /^choice value/.test(d.reason));
    expect(choices.length).toBeGreaterThan(20);
    for (const d of choices) expect(d.reason).toMatch(/^choice value: "[^"]+" from (the|every) /);
    // Each fallback names its own Actionstep user, one who has no enabled Dynamics user; no fallback says "resolved by email".
    const fellBack = new Set(plan.owners.filter((o) => o.outcome !== 'matched').map((o) => o.displayName));
    const named = new Set(sample.diff.map((d) => /^fallback owner: Actionstep user (.+?) \(/.exec(d.reason)?.[1]).filter(Boolean));
    expect(named.size).toBeGreaterThan(0);
    for (const n of named) expect(fellBack.has(n as string)).toBe(true);
    const unmatchedEmails = plan.owners.filter((o) => o.outcome !== 'matched' && o.email).map((o) => o.email as string);
    for (const d of sample.diff.filter((x) => x.reason.startsWith('owner resolved by email'))) for (const e of unmatchedEmails) expect(d.reason).not.toContain(e);
  });

  test('report.html: no internal names, and axe-core finds nothing serious or critical', async () => {
    // textContent includes the folded tables' rows.
    expect(await internalNamesOnPage(page)).toEqual([]);
    const axe = await axeCheck(page, 'report');
    expect(axe.seriousOrCritical).toEqual([]);
  });
});
