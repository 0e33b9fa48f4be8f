// The built Diff Viewer bundle in Debian's chromium: a host page on 127.0.0.1 instantiates the control with a mock
// context holding a real sample diff (written by the engine's demo), filters, accepts a field, approves, and reads
// the decisions the control handed to getOutputs(). Screenshots go to test-artifacts/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import type { HostWindow } from './host/hostPage';
import { CHROMIUM, launchChromium, serveFiles, type FileServer, type HostFiles } from '../helpers/browserHost';

const ROOT = path.resolve(__dirname, '..', '..');
const CONTROL_OUT = path.join(ROOT, 'pcf-controls/DiffViewer/out/controls/DiffViewer');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const FIXTURE = path.join(__dirname, 'fixtures/sample-diff.json');

// Locally without chromium the test is skipped with this reason; under CI (.ci/run installs chromium) it must run.
const canRun = existsSync(CHROMIUM) || !!process.env.CI;
const suite = canRun ? describe : describe.skip;
if (!canRun) {
  console.warn(`Browser test skipped: ${CHROMIUM} is missing and CI is not set (install it with: apt-get install -y chromium)`);
}

/** The real fixture's entries repeated to 10,000, each with its own record key. */
function tenThousand(): { diff: Array<Record<string, unknown>> } & Record<string, unknown> {
  const doc = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { diff: Array<Record<string, unknown>> } & Record<string, unknown>;
  const diff = Array.from({ length: 10000 }, (_, i) => ({ ...doc.diff[i % doc.diff.length], key: `R-${String(i).padStart(5, '0')}` }));
  return { ...doc, diff };
}

suite(`Diff Viewer in chromium${canRun ? '' : ' (skipped: /usr/bin/chromium missing, CI not set)'}`, () => {
  let server: FileServer;
  let baseUrl: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const bundlePath = path.join(CONTROL_OUT, 'bundle.js');
    if (!existsSync(bundlePath)) throw new Error(`${bundlePath} is missing: run "npm run build -w pcf-controls/DiffViewer" (npm test does)`);
    const host = await build({ entryPoints: [path.join(__dirname, 'host/hostPage.ts')], bundle: true, write: false, format: 'iife', target: 'es2020', logLevel: 'silent' });
    const files: HostFiles = {
      '/': ['text/html', '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Diff Viewer host</title></head>' +
        '<body style="margin:0;font-family:Segoe UI,sans-serif"><div id="host" style="width:1280px;height:700px"></div>' +
        '<script src="/bundle.js"></script><script src="/host.js"></script></body></html>'],
      '/bundle.js': ['text/javascript', readFileSync(bundlePath)],
      '/host.js': ['text/javascript', host.outputFiles[0].text],
      '/diff.json': ['application/json', readFileSync(FIXTURE)],
      '/diff-10k.json': ['application/json', JSON.stringify(tenThousand())],
      '/strings.resx': ['text/xml', readFileSync(path.join(CONTROL_OUT, 'strings/DiffViewer.1033.resx'))],
    };
    server = await serveFiles(files);
    baseUrl = server.url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1300, height: 760 } });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  test('filter, accept a field, approve: the decisions reach getOutputs()', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(baseUrl);
    await page.waitForFunction(() => (window as unknown as HostWindow).__ready || !!(window as unknown as HostWindow).__error);
    expect(await page.evaluate(() => (window as unknown as HostWindow).__error ?? null)).toBeNull();

    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { diff: Array<{ table: string; column: string }> };
    const total = fixture.diff.length;
    // The engine's coverage block of the real run (6 matter types, 10 roles, 19 time entries).
    await expect(page.getByTestId('coverage').textContent()).resolves.toBe('The sample covers 6 matter types, 10 roles and 19 time entries. Every matter type and role in the plan is covered.');
    const count = page.getByTestId('filter-count');
    await expect(count.textContent()).resolves.toBe(`${total} of ${total} values shown`);
    // Real layout: the list renders only the rows in (and near) view, not all of them.
    const renderedRows = await page.locator('[role="row"][aria-rowindex]').count();
    expect(renderedRows).toBeGreaterThan(5);
    expect(renderedRows).toBeLessThan(total);
    await page.screenshot({ path: path.join(ARTIFACTS, 'diffviewer-1-loaded.png') });

    await page.getByRole('combobox', { name: 'Object' }).click();
    await page.getByRole('option', { name: 'contact', exact: true }).click();
    const contactCount = fixture.diff.filter((d) => d.table === 'contact').length;
    await expect(count.textContent()).resolves.toBe(`${contactCount} of ${total} values shown`);
    await page.getByRole('combobox', { name: 'Field' }).click();
    await page.getByRole('option', { name: 'emailaddress1', exact: true }).click();
    const emailCount = fixture.diff.filter((d) => d.table === 'contact' && d.column === 'emailaddress1').length;
    await expect(count.textContent()).resolves.toBe(`${emailCount} of ${total} values shown`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'diffviewer-2-filtered.png') });

    await page.getByRole('button', { name: 'Accept field contact.emailaddress1' }).first().click();
    await page.waitForFunction(() => (window as unknown as HostWindow).__outputs.length >= 1);
    await page.getByText('Accepted').first().waitFor();
    await page.getByRole('button', { name: 'Approve sample' }).click();
    await page.getByText(/^Sample approved on /).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'diffviewer-3-approved.png') });

    const outputs = await page.evaluate(() => (window as unknown as HostWindow).__outputs);
    const written = outputs.map((o) => o.wizardState).filter((v): v is string => typeof v === 'string').map((v) => JSON.parse(v));
    expect(written[0]).toEqual({ approved: false, approvedOn: null, decisions: [{ table: 'contact', column: 'emailaddress1', action: 'accept' }] });
    const last = written[written.length - 1];
    expect(last.approved).toBe(true);
    expect(Date.parse(last.approvedOn)).not.toBeNaN();
    expect(last.decisions).toEqual([{ table: 'contact', column: 'emailaddress1', action: 'accept' }]);
    expect(pageErrors).toEqual([]);
  }, 60000);

  test('10,000 entries: a window of rows is rendered, and scrolling reaches the last one', async () => {
    await page.goto(`${baseUrl}/?diff=/diff-10k.json`);
    await page.waitForFunction(() => (window as unknown as HostWindow).__ready || !!(window as unknown as HostWindow).__error);
    await expect(page.getByTestId('filter-count').textContent()).resolves.toBe('10000 of 10000 values shown');
    const rendered = await page.locator('[role="row"][aria-rowindex]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(200);
    // Row heights are estimated until measured, so the end moves while scrolling: keep going as a user would,
    // until the last record's row is inside the list's visible area.
    const lastInView = () => page.locator('[data-testid="diff-scroll"] .ms-ScrollablePane--contentContainer').evaluate((el) => {
      const cell = Array.from(el.querySelectorAll('[data-col="key"]')).find((c) => c.textContent === 'R-09999');
      if (!cell) return false;
      const box = el.getBoundingClientRect();
      const r = cell.getBoundingClientRect();
      return r.top >= box.top && r.bottom <= box.bottom;
    });
    let inView = false;
    for (let i = 0; i < 40 && !inView; i++) {
      await page.locator('[data-testid="diff-scroll"] .ms-ScrollablePane--contentContainer').evaluate((el) => { el.scrollTop = el.scrollHeight; });
      await page.waitForTimeout(150);
      inView = await lastInView();
    }
    expect(inView).toBe(true);
    expect(await page.locator('[role="row"][aria-rowindex]').count()).toBeLessThan(200);
    await page.waitForTimeout(500); // let the rows' fade-in finish for the screenshot
    await page.screenshot({ path: path.join(ARTIFACTS, 'diffviewer-4-10k-bottom.png') });
  }, 60000);
});
