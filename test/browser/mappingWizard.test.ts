// The whole in-CRM flow in Debian's chromium, on the tiny firm, as an admin meets it after following the README's
// "Inside Dynamics": the solution built from this repository imported into the Dataverse emulator, the environment
// variables set through the Web API, the Migration Run form (a stand-in page on the org's own origin, signed in by
// the org's session cookie) with the built Mapping Wizard bundle and the command-bar script. The wizard is given
// nothing but its PCF context: it reads its settings from the environment variables, signs the user in to the Power
// Platform with msal-browser (Entra's authority is routed to a stand-in that checks PKCE and signs tokens), and
// reaches Actionstep through the connections API and the connector runtime (a stand-in on two hosts that accepts only
// tokens that Entra stand-in minted for its own audience). Settings problem → settings fixed → sign-in → Connect →
// Discover → (reload: no Actionstep request for what is staged) → Map → Sample → Review → reload → "Start run" from the
// command script → pause and resume → Delta → Verify → a user edits and adds records under migrated accounts →
// "Roll back run" reports those as conflicts, leaves them and returns the rest to its state before the sample.
// The wizard then says the run was partly rolled back. On the Map step the status map is edited, and the run's rows
// carry the edit. At every step: screenshots at 1366×768 and 1920×1080, axe-core (0 serious or critical), no internal
// name on screen, no horizontal scrolling (test/helpers/pageChecks.ts); the step indicator and a step's buttons are
// worked with the keyboard alone. Screenshots go to test-artifacts/.
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { choiceValue } from '@astep/solution/schema';
import { parseWizardState } from '@astep/orchestrator/wizard/wizardState';
import { CONNECTION_VARIABLES } from '@astep/solution/ui/environmentVariables';
import { adminToken, snapshot, snapshotDiff, webApi } from '../helpers/harness';
import { ALLOW_LOOPBACK_FROM_ROUTED_PAGES, CHROMIUM, launchChromium } from '../helpers/browserHost';
import { openForm, startDynamicsOrg, WIZARD_APP_ID, type DynamicsOrg } from '../helpers/dynamicsOrg';
import { axeCheck, internalNamesOnPage, shootViewports } from '../helpers/pageChecks';
import type { WizardHostWindow } from './host/wizardHostPage';

const ROOT = path.resolve(__dirname, '..', '..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const RUN_ID = 'crm-run-1';

const canRun = existsSync(CHROMIUM) || !!process.env.CI;
const suite = canRun ? describe : describe.skip;
if (!canRun) console.warn(`Browser test skipped: ${CHROMIUM} is missing and CI is not set (install it with: apt-get install -y chromium)`);

const host = (page: Page) => page.evaluate(() => {
  const w = window as unknown as WizardHostWindow;
  return { ready: w.__ready, error: w.__error ?? null, calls: w.__calls };
});

suite(`Mapping Wizard in chromium inside a stand-in Dynamics org, settings to Verify, then rollback${canRun ? '' : ' (skipped: /usr/bin/chromium missing, CI not set)'}`, () => {
  let org: DynamicsOrg;
  let emu: DynamicsOrg['emu'];
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let beforeSample: Awaited<ReturnType<typeof snapshot>>;
  const pageErrors: string[] = [];
  let rowsWhilePaused: Awaited<ReturnType<typeof snapshot>>;

  beforeAll(async () => {
    // The admin has not set the Entra app's client id yet.
    org = await startDynamicsOrg({ firm: 'tiny', seed: 21, runId: RUN_ID, unset: [CONNECTION_VARIABLES.entraClientId] });
    emu = org.emu;
    browser = await launchChromium([ALLOW_LOOPBACK_FROM_ROUTED_PAGES]);
    context = await org.newContext(browser);
    page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await org?.close();
  });

  /** What people see at this step: both window sizes, no horizontal scroll, axe clean, no internal names. */
  const shot = async (name: string) => {
    await page.waitForTimeout(400); // Fluent's fade-ins
    expect(await internalNamesOnPage(page, '[data-testid="wizard"]')).toEqual([]);
    const axe = await axeCheck(page, `wizard-${name}`, '[data-testid="wizard"]');
    expect(axe.seriousOrCritical).toEqual([]);
    for (const s of await shootViewports(page, `wizard-${name}`)) expect([s.file, s.scrollWidth]).toEqual([s.file, s.width]);
  };
  /** Tab (forwards) until the focused element is named `name`: proof it is reachable without a mouse. */
  const tabTo = async (name: RegExp, max = 80) => {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => { const e = document.activeElement; return e ? (e.getAttribute('aria-label') ?? e.textContent ?? '').trim() : ''; });
      if (name.test(focused)) return;
    }
    throw new Error(`${name} was not reached with the Tab key`);
  };
  const open = () => openForm(page, org);
  const idle = () => page.waitForFunction(() => !document.querySelector('[data-testid="wizard-busy"]'), undefined, { timeout: 120_000 });
  const noError = async () => expect(await page.locator('[data-testid="wizard-error"]').count()).toBe(0);
  const rowState = async () => parseWizardState((await webApi(emu, 'GET', `astep_migrationruns(${org.rowId})?$select=astep_wizardstate`)).json.astep_wizardstate);
  const actionstepRequests = () => emu.actionstep.counters().requests;

  test('settings: a variable the admin has not set is named, with what to set and where; nothing else runs until it is set', async () => {
    await open();
    await page.getByTestId('settings-problems').waitFor();
    const text = await page.getByTestId('settings-problems').textContent();
    expect(text).toContain('Entra App (Client) ID');
    expect(text).toContain('has no value');
    expect(text).toContain('Environment variables');
    // Nothing else ran: no step, no sign-in, no Power Platform or Actionstep call.
    expect(await page.getByTestId('step-connect').count()).toBe(0);
    expect(org.runtime.counters().managementCalls).toBe(0);
    expect(actionstepRequests()).toBe(0);
    const webApiCalls = (await host(page)).calls.webApi.map((c) => c.path.split('?')[0]);
    expect(webApiCalls.every((p) => /^(EntityDefinitions|environmentvariable|connectors|systemusers|astep_migrationruns)/.test(p))).toBe(true);
    await shot('0-settings');
    // The admin sets it in Power Apps, then asks the wizard to read the settings again.
    await org.setVariable(CONNECTION_VARIABLES.entraClientId, WIZARD_APP_ID);
    await page.getByRole('button', { name: 'Check the settings again' }).click();
    await page.getByTestId('sign-in').waitFor();
    expect(await page.getByTestId('settings-problems').count()).toBe(0);
  }, 60_000);

  test('sign-in: no Entra session, so a button; the pop-up signs in at Entra (PKCE), and the tokens stay in the tab', async () => {
    const popupPromise = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Sign in to Microsoft' }).click();
    const popup = await popupPromise;
    await popup.waitForURL(/login\.microsoftonline\.com/);
    // Entra's page (the stand-in's), not the wizard: a plain screenshot.
    await popup.screenshot({ path: path.join(ARTIFACTS, 'wizard-0-entra-sign-in.png') });
    await popup.locator('#idSIButton9').click();
    await page.getByTestId('signed-in-as').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(`Signed in to Microsoft as ${org.admin.upn}.`);
    await idle();
    await noError();
    await page.getByTestId('step-connect').waitFor();
    await idle();
    await shot('0-connect');
  }, 60_000);

  test('Connect: the consent runs at Actionstep through the platform, confirmConsentCode finishes it; no secret or Actionstep token reaches the page', async () => {
    const popupPromise = page.waitForEvent('popup');
    await page.getByRole('button', { name: 'Connect to Actionstep' }).click();
    const popup = await popupPromise;
    await page.getByTestId('step-discover').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('connection-status').textContent()).toBe('Connected to Actionstep (connection astep-crm-run-1).');
    await idle();
    await noError();
    expect(popup.isClosed()).toBe(true);
    expect(org.runtime.counters()).toMatchObject({ consents: 1, confirmations: 1 });
    // Nothing the page can read holds the client secret or an Actionstep token.
    const html = await page.content();
    expect(html).not.toContain(emu.actionstep.clientSecret);
    const issued = org.runtime.testing.issuedTokens();
    expect(issued.length).toBeGreaterThan(0);
    const pageText = `${html}\n${await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }))}`;
    for (const token of issued) expect(pageText).not.toContain(token);
    expect((await rowState())).toMatchObject({ step: 'discover', connectionId: 'astep-crm-run-1' });
    await shot('1-connected');
  }, 60_000);

  test('Discover: the plan with its options and the table budget, then tables and staging', async () => {
    await page.getByTestId('step-discover').waitFor();
    await page.getByRole('combobox', { name: 'Dynamics 365 Sales licence of the users' }).click();
    await page.getByRole('option', { name: 'Dynamics 365 Sales Professional (up to 15 custom tables)' }).click();
    await page.getByRole('button', { name: 'Read the plan' }).click();
    await page.getByTestId('plan').waitFor({ timeout: 60_000 });
    await idle();
    await noError();
    const counts = await page.getByTestId('plan-counts').textContent();
    // What the signed-in Actionstep user can see (restricted and deleted matters are not listed), asked directly
    // through the runtime: the record count of a one-record page.
    const probe = await fetch(`${org.runtime.apiRuntimeUrl}/astep-crm-run-1/rest/actions?pageSize=1`, { headers: { authorization: `Bearer ${org.entra.mint(org.admin, 'https://apihub.azure.com')}` } });
    const matters = (await probe.json()).meta.paging.actions.recordCount;
    expect(counts).toContain(`Actionstep holds ${matters} matters`);
    expect(await page.getByTestId('table-budget').textContent()).toMatch(/(Custom tables|Over the custom table budget): /);
    await shot('2-plan');
    await page.getByRole('combobox', { name: 'Dynamics 365 Sales licence of the users' }).click();
    await page.getByRole('option', { name: 'Dynamics 365 Sales Enterprise' }).click();
    // The change is not in the plan yet: the wizard says so instead of dropping it.
    await page.getByTestId('options-changed').waitFor();
    await page.getByRole('button', { name: 'Read the plan with these options', exact: true }).click();
    await idle();
    expect(await page.getByTestId('table-budget').textContent()).toMatch(/Custom tables: .*Dynamics 365 Sales Enterprise has no custom table limit/);
    await page.getByRole('button', { name: 'Create tables and stage the firm' }).click();
    await page.getByTestId('step-map').waitFor({ timeout: 120_000 });
    await idle();
    await noError();
    expect((await rowState())).toMatchObject({ step: 'map', licenseTier: 'SalesEnterprise' });
    // Every call the wizard made to Actionstep went through the runtime.
    expect(org.runtime.counters().forwarded).toBeGreaterThan(10);
  }, 180_000);

  test('a reload after staging sends no Actionstep request: plan, counts and proposals come from Dataverse', async () => {
    const staged = (await webApi(emu, 'GET', `astep_stagingrows?$select=astep_stagingkey&$filter=startswith(astep_stagingkey,'${RUN_ID}|')`)).json;
    expect(staged.value.length).toBeGreaterThan(0);
    const before = { actionstep: actionstepRequests(), forwarded: org.runtime.counters().forwarded };
    await open();
    await page.getByTestId('map-participants').waitFor({ timeout: 60_000 });
    await idle();
    await noError();
    // The sign-in came from the tab's session cache (no pop-up), and nothing reached Actionstep.
    expect(await page.getByTestId('signed-in-as').textContent()).toBe(`Signed in to Microsoft as ${org.admin.upn}.`);
    const after = { actionstep: actionstepRequests(), forwarded: org.runtime.counters().forwarded };
    console.log(`Reload after staging ${staged.value.length} rows: ${after.actionstep - before.actionstep} Actionstep requests (emulator count), ${after.forwarded - before.forwarded} forwarded by the connector runtime`);
    expect(after).toEqual(before);
  }, 120_000);

  test('Map: proposals with confidence and reasons; an edit is saved with the map, and undone', async () => {
    await page.getByTestId('map-participants').waitFor();
    expect(await page.getByTestId('map-summary').textContent()).toMatch(/^Fields with a proposal: \d+ of \d+\. Edited by you: 0\.$/);
    const emailTarget = page.getByRole('combobox', { name: 'Dynamics column for People and organisations: email' });
    await expect(emailTarget.textContent()).resolves.toContain('Email (proposed)');
    const emailRow = page.locator('[role="row"]', { has: page.locator('[data-col="field"]', { hasText: /^email$/ }) });
    expect(await emailRow.locator('[data-col="confidence"]').textContent()).toMatch(/^\d+%$/);
    expect(await emailRow.locator('[data-col="reasons"]').textContent()).toMatch(/\S/);
    await shot('3-map');
    await emailTarget.click();
    await page.getByRole('option', { name: '(do not migrate)' }).click();
    await page.getByText(/Edited by you: 1\.$/).waitFor();
    await idle();
    expect((await rowState()).mapEdits).toEqual([{ object: 'participants', sourceField: 'email', targetColumn: null }]);
    // The form saved the control's field map output to astep_mappingjson.
    await page.waitForFunction(() => (window as unknown as WizardHostWindow).__calls.outputs.some((o) => o.mappingJson));
    const map = JSON.parse((await webApi(emu, 'GET', `astep_migrationruns(${org.rowId})?$select=astep_mappingjson`)).json.astep_mappingjson);
    const email = map.proposals.find((p: { object: string }) => p.object === 'participants').fields.find((f: { sourceField: string }) => f.sourceField === 'email');
    expect(email).toMatchObject({ proposed: 'emailaddress1', targetColumn: null, edited: true });
    // Back to the proposal: the edit goes away.
    await emailTarget.click();
    await page.getByRole('option', { name: 'Email (proposed)' }).click();
    await page.getByText(/Edited by you: 0\.$/).waitFor();
    await idle();
    expect((await rowState()).mapEdits).toEqual([]);
    // The status map: Actionstep's Inactive matters land on Matter Status "On Hold" (the default map keeps "Inactive").
    await page.getByRole('combobox', { name: 'Matter Status for Inactive' }).click();
    await page.getByRole('option', { name: 'On Hold', exact: true }).click();
    await page.getByRole('button', { name: 'Apply the maps' }).click();
    await idle();
    await noError();
    expect((await rowState()).options).toMatchObject({ statusMap: { Inactive: { matterStatus: 'On Hold', opportunity: 'onHold' } } });
    // Keyboard only: Tab to the step's main button and press Enter.
    await tabTo(/^Confirm the map$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('step-sample').waitFor();
    await idle();
    await shot('4-sample');
  }, 60_000);

  test('Sample and Review: the Diff Viewer inside the wizard; accept a field and approve', async () => {
    beforeSample = await snapshot(emu);
    await page.getByRole('button', { name: 'Run the sample' }).click();
    await page.getByTestId('step-review').waitFor({ timeout: 120_000 });
    await idle();
    await noError();
    const count = await page.getByTestId('filter-count').textContent();
    expect(count).toMatch(/^Showing ([\d,]+) of \1 fields$/);
    await page.getByRole('combobox', { name: 'Dynamics table' }).click();
    await page.getByRole('option', { name: 'Contacts', exact: true }).click();
    await page.getByRole('combobox', { name: 'Field' }).click();
    await page.getByRole('option', { name: 'Email', exact: true }).click();
    await page.getByRole('button', { name: 'Accept Email (Contact)' }).first().click();
    await page.getByText('Accepted').first().waitFor();
    await idle();
    await shot('5-review');
    await page.getByRole('button', { name: 'Approve sample' }).click();
    await page.getByTestId('step-run').waitFor({ timeout: 30_000 });
    await idle();
    await noError();
    const state = await rowState();
    expect(state).toMatchObject({ step: 'run', approved: true, decisions: [{ table: 'contact', column: 'emailaddress1', action: 'accept' }] });
    const row = (await webApi(emu, 'GET', `astep_migrationruns(${org.rowId})?$select=astep_approvedon,astep_approvedby,astep_diffjson`)).json;
    expect(row.astep_approvedby).toBe('Emulator Admin');
    expect(Date.parse(row.astep_approvedon)).not.toBeNaN();
    expect(JSON.parse(row.astep_diffjson).diff.length).toBeGreaterThan(0);
  }, 180_000);

  test('a reload resumes at Run with the approval, and "Start run" from the command bar starts it; pause holds the writes', async () => {
    await open();
    await page.getByTestId('step-run').waitFor({ timeout: 120_000 });
    await idle();
    await noError();
    await expect(page.getByText('The sample is approved.', { exact: false }).count()).resolves.toBe(1);
    await shot('6-run-resumed');
    // Writes to Dataverse get 150 ms of latency (the emulator on loopback answers faster than any real org), so the
    // run is still writing when the Pause click lands, however fast the machine. The route also counts the writes
    // the page sends.
    const dataverseOrigin = `${emu.dataverse.url}/api`;
    let writes = 0;
    const slowWrites = (route: Route) => {
      if (route.request().method() === 'GET' || route.request().method() === 'OPTIONS') return route.continue();
      writes++;
      return new Promise<void>((resolve) => setTimeout(() => resolve(route.continue()), 150));
    };
    await page.route(`${dataverseOrigin}/**`, slowWrites);
    // The command script (MigrationRunCommands.js) on the form: administrator role, confirm, request.
    void page.evaluate(() => {
      const w = window as unknown as WizardHostWindow;
      return w.Astep!.MigrationRun!.startRun(w.__form);
    });
    await page.getByRole('button', { name: 'Pause' }).click({ timeout: 30_000 });
    await page.getByTestId('run-paused').waitFor();
    // While paused, writes in flight (and the pause's own state save) finish and no new ones are sent.
    await page.waitForTimeout(1000);
    const writesWhilePaused = writes;
    rowsWhilePaused = await snapshot(emu);
    await page.waitForTimeout(1500);
    expect(writes).toBe(writesWhilePaused);
    expect(snapshotDiff(rowsWhilePaused, await snapshot(emu))).toEqual([]);
    expect((await rowState()).paused).toBe(true);
    await expect(page.getByTestId('wizard-busy').textContent()).resolves.toMatch(/^Paused/);
    await shot('7-run-paused');
    await page.unroute(`${dataverseOrigin}/**`, slowWrites);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('run-totals').waitFor({ timeout: 180_000 });
    await idle();
    await noError();
    const calls = (await host(page)).calls;
    expect(calls.confirms.length).toBe(1);
    expect(calls.notifications.map((n) => n.message)).toContain('Run requested: the Mapping Wizard on this form starts it and shows progress.');
    expect(await page.getByTestId('run-totals').textContent()).toMatch(/Records extracted: [\d,]+\. Migrated: [\d,]+\. Skipped with a reason: [\d,]+\. Failed: [\d,]+\. Every record is accounted for\.$/);
    expect(await page.getByTestId('outcome-chart').locator('svg[role="img"] title').first().textContent()).toBe('Outcome per Actionstep object: migrated, skipped and failed records');
    const state = await rowState();
    expect(state.runRequest).toBeNull();
    expect(state.runCompletedOn).toBeTruthy();
    // The run went on after the resume: the rows differ from those held while paused.
    expect(snapshotDiff(rowsWhilePaused, await snapshot(emu)).length).toBeGreaterThan(100);
    // The status map edited on the Map step reached the loaded rows (through a reload, which reads it from the row).
    const inactive = emu.actionstep.firm.groundTruth().records.actions.filter((m) => m.status === 'Inactive' && !m.isDeleted).map((m) => m.id);
    expect(inactive.length).toBeGreaterThan(0);
    const matters = (await webApi(emu, 'GET', 'astep_matters?$select=astep_sourceid,astep_matterstatus')).json.value as Array<{ astep_sourceid: string; astep_matterstatus: number }>;
    expect(Object.fromEntries(matters.filter((m) => inactive.includes(m.astep_sourceid)).map((m) => [m.astep_sourceid, m.astep_matterstatus])))
      .toEqual(Object.fromEntries(inactive.map((id) => [id, choiceValue('astep_matterstatus', 'On Hold')])));
    await shot('8-run-complete');
  }, 300_000);

  test('Delta picks up a change made in Actionstep, and Verify finds no unexplained difference', async () => {
    const people = [...emu.actionstep.firm.iterate('participants')];
    const person = people.find((p) => p.email && !p.isCompany) ?? people[0];
    emu.actionstep.mutate.update('participants', person.id, { lastName: `Renamed${person.lastName ?? ''}` });
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Pick up changes' }).click();
    await page.getByTestId('delta-result').waitFor({ timeout: 120_000 });
    await idle();
    await noError();
    const changed = Number(/New or changed records picked up: (\d+)\./.exec((await page.getByTestId('delta-result').textContent()) ?? '')?.[1]);
    expect(changed).toBeGreaterThanOrEqual(1);
    await shot('9-delta');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByTestId('step-verify').getByRole('button', { name: 'Verify' }).click();
    await page.getByTestId('verify-result').waitFor({ timeout: 120_000 });
    await idle();
    expect(await page.getByTestId('verify-result').textContent()).toMatch(/Verified: every expected value is in Dynamics, in all \d+ tables\.$/);
    await shot('10-verified');
    // Keyboard only: back to an earlier step through the step indicator, and on again.
    await tabTo(/^6\. Run: Done$/);
    await page.keyboard.press('Enter');
    await page.getByTestId('step-run').waitFor();
    await tabTo(/^8\. Verify: /);
    await page.keyboard.press('Enter');
    await page.getByTestId('step-verify').waitFor();
    expect((await rowState())).toMatchObject({ step: 'verify' });
    expect((await rowState()).verifiedOn).toBeTruthy();
  }, 240_000);

  test('"Roll back run" from the command script leaves what users did after the run, and returns the rest to its state before the sample', async () => {
    expect(snapshotDiff(beforeSample, await snapshot(emu)).length).toBeGreaterThan(100);
    // After the run, a firm user edits a migrated account in a column the run never writes, and adds a note and a
    // contact under another migrated account (the administrator's own sign-in acting on the user's behalf).
    const users = (emu.actionstep.firm as unknown as { dataverseUsers: Array<{ email: string; isDisabled: boolean }> }).dataverseUsers;
    const person = (await webApi(emu, 'GET', `systemusers?$select=systemuserid,fullname&$filter=internalemailaddress eq '${users.find((u) => !u.isDisabled)!.email}'`)).json.value[0];
    const asUser = async (method: string, p: string, body: unknown) => {
      const res = await fetch(`${emu.dataverse.webApiUrl}${p}`, {
        method, body: JSON.stringify(body),
        headers: { authorization: `Bearer ${await adminToken(emu)}`, 'content-type': 'application/json', accept: 'application/json', MSCRMCallerID: person.systemuserid, Prefer: 'return=representation' },
      });
      expect(res.ok).toBe(true);
      return res.json();
    };
    const [edited, parent] = (await webApi(emu, 'GET', 'accounts?$select=accountid,astep_sourceid&$filter=astep_sourceid ne null&$orderby=astep_sourceid')).json.value;
    await asUser('PATCH', `accounts(${edited.accountid})`, { description: 'Met the client on Tuesday' });
    const note = await asUser('POST', 'annotations', { subject: 'Call notes', 'objectid_account@odata.bind': `/accounts(${parent.accountid})` });
    await asUser('POST', 'contacts', { firstname: 'Added', lastname: 'After The Run', 'parentcustomerid_account@odata.bind': `/accounts(${parent.accountid})` });

    await page.evaluate(() => {
      const w = window as unknown as WizardHostWindow;
      return w.Astep!.MigrationRun!.rollback(w.__form);
    });
    const calls = (await host(page)).calls;
    expect(calls.errors).toEqual([]);
    expect(calls.progress.some((p) => /^Rolling back run crm-run-1: \d+ of \d+ changes$/.test(p))).toBe(true);
    const alert = calls.alerts[calls.alerts.length - 1];
    expect(alert.title).toBe('Rollback not complete');
    expect(alert.text).toMatch(/^Run crm-run-1: \d+ deleted, \d+ restored, \d+ re-opened, 0 already undone, 2 conflicts, 0 failed\. /);
    expect(alert.text).toContain(`Account ${edited.astep_sourceid} was changed after the run (columns the run did not write were changed: row version`);
    expect(alert.text).toContain(`last changed by ${person.fullname} on `);
    expect(alert.text).toContain(`Account ${parent.astep_sourceid} has records under it that the run did not create: a note added by ${person.fullname}`);
    // The wizard on the form says the run was partly rolled back; the verification is no longer a green tick.
    await page.getByTestId('rolled-back').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('rolled-back').textContent()).toContain('partly rolled back');
    expect(await page.getByTestId('verify-result').textContent()).toContain('This run was rolled back after this verification');
    await shot('11-rolled-back');
    // Only the two kept accounts and the user's note and contact differ from the state before the sample.
    const kept = [`account:${edited.astep_sourceid}`, `account:${parent.astep_sourceid}`, `annotation:${note.annotationid}`, 'contact:Added After The Run'];
    const diffs = snapshotDiff(beforeSample, await snapshot(emu));
    expect(diffs.filter((d) => !kept.some((k) => d.startsWith(`${k}:`) || d.startsWith(`${k}.`)))).toEqual([]);
    expect(diffs.filter((d) => d.endsWith('only in the second')).sort()).toEqual(kept.map((k) => `${k}: only in the second`).sort());
    expect(pageErrors).toEqual([]);
  }, 240_000);

  test('the Microsoft tokens: one interactive sign-in, then silent; every platform call carried the right audience; none on the row, the form or the log', async () => {
    // One pop-up sign-in in the whole run; the second audience and the reloads were served without interaction.
    expect(org.entra.counters).toMatchObject({ interactiveSignIns: 1, tokenErrors: 0 });
    expect(org.entra.counters.token).toBeGreaterThanOrEqual(2);
    // The stand-ins refuse a token minted for the other audience, or by anyone but the Entra stand-in: none was refused.
    expect(org.runtime.counters().rejected).toBe(0);
    const row = (await webApi(emu, 'GET', `astep_migrationruns(${org.rowId})`)).json;
    const outputs = JSON.stringify((await host(page)).calls.outputs);
    const log = (await page.locator('[data-testid="wizard-log"]').count()) ? await page.getByTestId('wizard-log').textContent() : '';
    const jwt = /eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/;
    expect(JSON.stringify(row)).not.toMatch(jwt);
    expect(outputs).not.toMatch(jwt);
    expect(log).not.toMatch(jwt);
  });
});
