// The built Diff Viewer bundle in Debian's chromium: a host page on 127.0.0.1 instantiates the control with a mock
// context holding a real sample diff (written by the engine's demo, tiny firm), filters with the mouse and with the
// keyboard alone, accepts a field, and reads the decisions the control handed to getOutputs(). axe-core checks each
// state; screenshots at 1366×768 and 1920×1080 go to test-artifacts/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import type { HostWindow } from './host/hostPage';
import { CHROMIUM, launchChromium, serveFiles, type FileServer, type HostFiles } from '../helpers/browserHost';
import { axeCheck, internalNamesOnPage, shootViewports } from '../helpers/pageChecks';

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
  const diff = Array.from({ length: 10000 }, (_, i) => ({ ...doc.diff[i % doc.diff.length], key: `R-${String(i).padStart(5, '0')}`, sourceId: `R-${String(i).padStart(5, '0')}` }));
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
        '<body style="margin:0;font-family:Segoe UI,sans-serif"><main><h1 style="font-size:20px;margin:8px">Migration Run: Sample Diff tab (host)</h1><div id="host" style="box-sizing:border-box;width:100%;height:700px;padding:0 8px"></div></main>' +
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

  test('filter, accept a field: the decisions reach getOutputs(); people\'s words only; axe finds nothing serious', async () => {
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    await page.goto(baseUrl);
    await page.waitForFunction(() => (window as unknown as HostWindow).__ready || !!(window as unknown as HostWindow).__error);
    expect(await page.evaluate(() => (window as unknown as HostWindow).__error ?? null)).toBeNull();

    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { diff: Array<{ table: string; column: string }> };
    const total = fixture.diff.length;
    // The engine's coverage block of the real run (6 matter types, 10 roles, 19 time entries).
    await expect(page.getByTestId('coverage').textContent()).resolves.toBe('The sample covers matter types: 5, roles: 10, time entries: 27. Every matter type and role in the plan is covered.');
    const count = page.getByTestId('filter-count');
    await expect(count.textContent()).resolves.toBe(`Showing ${total} of ${total} fields`);
    // Real layout: the list renders only the rows in (and near) view, not all of them.
    const renderedRows = await page.locator('[role="row"][aria-rowindex]').count();
    expect(renderedRows).toBeGreaterThan(5);
    expect(renderedRows).toBeLessThan(total);
    await page.waitForTimeout(500); // the rows fade in
    expect(await internalNamesOnPage(page)).toEqual([]);
    expect((await axeCheck(page, 'diffviewer-1-loaded')).seriousOrCritical).toEqual([]);
    for (const s of await shootViewports(page, 'diffviewer-1-loaded', { fullPage: false })) expect(s.scrollWidth).toBeLessThanOrEqual(s.width);

    await page.getByRole('combobox', { name: 'Dynamics table' }).click();
    await page.getByRole('option', { name: 'Contacts', exact: true }).click();
    const contactCount = fixture.diff.filter((d) => d.table === 'contact').length;
    await expect(count.textContent()).resolves.toBe(`Showing ${contactCount} of ${total} fields`);
    await page.getByRole('combobox', { name: 'Field' }).click();
    await page.getByRole('option', { name: 'Email', exact: true }).click();
    const emailCount = fixture.diff.filter((d) => d.table === 'contact' && d.column === 'emailaddress1').length;
    await expect(count.textContent()).resolves.toBe(`Showing ${emailCount} of ${total} fields`);
    await page.waitForTimeout(500);
    // An email breaks after its @ or a dot, never inside a word.
    const email = await page.locator('[data-col="source"]').first().evaluate((el) => ({ text: el.textContent ?? '', lines: Math.round(el.getBoundingClientRect().height / parseFloat(getComputedStyle(el).lineHeight || '16')) , html: el.innerHTML }));
    expect(email.text).toMatch(/@/);
    if (email.lines > 1) expect(email.html).toContain('<wbr>');
    for (const s of await shootViewports(page, 'diffviewer-2-filtered', { fullPage: false })) expect(s.scrollWidth).toBeLessThanOrEqual(s.width);

    await page.getByRole('button', { name: 'Accept Email (Contact)' }).first().click();
    await page.waitForFunction(() => (window as unknown as HostWindow).__outputs.length >= 1);
    await page.getByText('Accepted').first().waitFor();
    // Accepted: the field's Accept buttons are off, Correct stays on.
    expect(await page.getByRole('button', { name: 'Accept Email (Contact)' }).first().isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Approve sample' }).count()).toBe(0);
    expect((await axeCheck(page, 'diffviewer-3-accepted')).seriousOrCritical).toEqual([]);
    for (const s of await shootViewports(page, 'diffviewer-3-accepted', { fullPage: false })) expect(s.scrollWidth).toBeLessThanOrEqual(s.width);

    const outputs = await page.evaluate(() => (window as unknown as HostWindow).__outputs);
    const written = outputs.map((o) => o.wizardState).filter((v): v is string => typeof v === 'string').map((v) => JSON.parse(v));
    expect(written).toEqual([{ approved: false, approvedOn: null, decisions: [{ table: 'contact', column: 'emailaddress1', action: 'accept' }] }]);
    expect(pageErrors).toEqual([]);
  }, 60000);

  test('10,000 entries: a window of rows is rendered, and scrolling reaches the last one', async () => {
    await page.goto(`${baseUrl}/?diff=/diff-10k.json`);
    await page.waitForFunction(() => (window as unknown as HostWindow).__ready || !!(window as unknown as HostWindow).__error);
    await expect(page.getByTestId('filter-count').textContent()).resolves.toBe(`Showing ${(10000).toLocaleString()} of ${(10000).toLocaleString()} fields`);
    const rendered = await page.locator('[role="row"][aria-rowindex]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(200);
    // Row heights are estimated until measured, so the end moves while scrolling: keep going as a user would,
    // until the last record's row is inside the list's visible area.
    const lastInView = () => page.locator('[data-testid="diff-scroll"] .ms-ScrollablePane--contentContainer').evaluate((el) => {
      const cell = Array.from(el.querySelectorAll('[data-col="key"]')).find((c) => c.textContent?.endsWith(' R-09999'));
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
    // The last row's buttons are whole inside the scroll box, not cut by its edge.
    const lastRow = await page.locator('[data-testid="diff-scroll"] .ms-ScrollablePane--contentContainer').evaluate((el) => {
      const cell = Array.from(el.querySelectorAll('[data-col="key"]')).find((c) => c.textContent?.endsWith(' R-09999'));
      const button = cell?.closest('[role="row"]')?.querySelector('button:last-of-type');
      const box = el.getBoundingClientRect();
      const r = button?.getBoundingClientRect();
      return r ? { bottom: r.bottom, limit: box.bottom - (el.scrollWidth > el.clientWidth ? 17 : 0) } : null;
    });
    expect(lastRow).not.toBeNull();
    expect(lastRow!.bottom).toBeLessThanOrEqual(lastRow!.limit);
    await shootViewports(page, 'diffviewer-4-10k-bottom', { fullPage: false });
  }, 60000);

  test('keyboard only: Tab to the filters, open, choose and clear them without a mouse', async () => {
    await page.goto(baseUrl);
    await page.waitForFunction(() => (window as unknown as HostWindow).__ready || !!(window as unknown as HostWindow).__error);
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { diff: Array<{ table: string }> };
    const total = fixture.diff.length;
    // The count updates on the next render: wait for the words rather than read them at once.
    const shows = (n: number) => page.getByTestId('filter-count').filter({ hasText: `Showing ${n} of ${total} fields` }).waitFor();
    const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    // An opened drop-down moves the focus into its list a moment later: keys pressed before that go nowhere.
    const open = async () => {
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'option');
    };
    const choose = async (key: string) => {
      await open();
      await page.keyboard.press(key);
      await page.keyboard.press('Enter');
      // Closed again, the focus back on the drop-down itself.
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'combobox');
    };
    /** Tab (or Shift+Tab) until the filter named `name` has the focus: reachable without a mouse. */
    const tabTo = async (name: string, key: 'Tab' | 'Shift+Tab' = 'Tab') => {
      for (let i = 0; i < 6 && (await focusedName()) !== name; i++) await page.keyboard.press(key);
      expect(await focusedName()).toBe(name);
    };
    // Tab until the table filter has the focus (nothing else on the page comes before it).
    await tabTo('Dynamics table');
    await open();
    // Down from "All" to Contacts.
    const options = await page.getByRole('option').allTextContents();
    for (let i = 0; i < options.indexOf('Contacts'); i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'combobox');
    await shows(fixture.diff.filter((d) => d.table === 'contact').length);
    // Tab on to the Result filter, End for its last option, "Differs" (nothing differs in this sample: the empty state says what to do).
    await tabTo('Result');
    await choose('End');
    await page.getByTestId('filter-empty').waitFor();
    // And back: Shift+Tab to the table filter, Home for "All"; Tab to Result, Home for "All".
    await tabTo('Dynamics table', 'Shift+Tab');
    await choose('Home');
    await tabTo('Result');
    await choose('Home');
    await shows(total);
    await page.waitForTimeout(500); // the rows fade in after a filter change; axe judges them once they are drawn
    expect((await axeCheck(page, 'diffviewer-5-keyboard')).seriousOrCritical).toEqual([]);
  }, 60000);
});
