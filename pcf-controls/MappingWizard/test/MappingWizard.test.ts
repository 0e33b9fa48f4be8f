/**
 * @jest-environment jsdom
 * @jest-environment-options {"customExportConditions": ["node", "require", "default"]}
 */
// The wizard's screens in jsdom over a stand-in controller (the real one, with the emulators, runs in
// test/browser/mappingWizard.test.ts): strings from the resx, the step list, the map with confidences and edits,
// source values as text, run progress with ETA and pause.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as React from 'react';
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { WizardApp } from '../MappingWizard/components/WizardApp';
import { translator } from '../MappingWizard/components/translate';
import { registerDiffViewerIcons } from '@astep/pcf-diffviewer/icons';
import type { WizardController, WizardView } from '../MappingWizard/wizardController';
import { SETTING_PROBLEM_KINDS } from '../MappingWizard/wizardSettings';
import { EMPTY_WIZARD_STATE, WIZARD_STEPS, type WizardState } from '@astep/orchestrator/wizard/wizardState';
import { DEFAULT_STATUS_MAP, OPPORTUNITY_OUTCOMES } from '@astep/orchestrator/options';
import type { ObjectProposal } from '@astep/orchestrator/proposer/proposeMap';
import { findInternalNames } from '@astep/orchestrator/vocabulary/internalNames';

const DIR = path.join(__dirname, '../MappingWizard');
const RESX = readFileSync(path.join(DIR, 'strings/MappingWizard.1033.resx'), 'utf8');
const STRINGS = new Map([...RESX.matchAll(/<data name="([^"]+)" xml:space="preserve"><value>([^<]*)<\/value>/g)].map((m) => [m[1], m[2].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')]));
const t = translator((k) => STRINGS.get(k) ?? '');

registerDiffViewerIcons();
class ResizeObserverStub { observe() {} unobserve() {} disconnect() {} }
(globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = ResizeObserverStub;

afterEach(() => { document.body.innerHTML = ''; });

/** A controller that records calls and serves a fixed view (the wizard's React tree only reads and calls it). */
function fakeController(view: WizardView) {
  const listeners = new Set<() => void>();
  const calls: Array<[string, unknown[]]> = [];
  const record = (name: string) => (...args: unknown[]) => { calls.push([name, args]); return Promise.resolve(); };
  const controller = {
    snapshot: view,
    subscribe: (l: () => void) => (listeners.add(l), () => listeners.delete(l)),
    show: record('show'), connect: record('connect'), discover: record('discover'), prepare: record('prepare'), editMap: record('editMap'), applyMaps: record('applyMaps'),
    confirmMap: record('confirmMap'), sample: record('sample'), review: record('review'), startRun: record('startRun'), pause: record('pause'),
    resume: record('resume'), delta: record('delta'), verify: record('verify'), signInClicked: record('signInClicked'), recheckSettings: record('recheckSettings'),
  };
  const update = (patch: Partial<WizardView>) => act(() => { controller.snapshot = { ...controller.snapshot, ...patch }; listeners.forEach((l) => l()); });
  return { controller: controller as unknown as WizardController, calls, update };
}

function view(state: Partial<WizardState>, patch: Partial<WizardView> = {}): WizardView {
  const s = { ...EMPTY_WIZARD_STATE, ...state };
  return {
    runId: 'run-7', state: s, viewStep: s.step, setup: { phase: 'ready', problems: [], signedInAs: 'admin@firm.example' }, busy: null, error: null, log: [], progress: null, history: null, connection: 'Connected', plan: null, extracted: null,
    proposals: [], sample: null, summary: null, delta: null, verify: null, paused: false, approvalProblems: [], ...patch,
  };
}

function show(v: WizardView) {
  const fake = fakeController(v);
  const container = document.body.appendChild(document.createElement('div'));
  render(React.createElement(WizardApp, { controller: fake.controller, t, diffT: (k: string, ...a: Array<string | number>) => t(`Diff_${k}`, ...a), listHeightInPx: 300 }), { container });
  return fake;
}

const PROPOSALS: ObjectProposal[] = [{
  object: 'participants', table: 'contact',
  fields: [
    { sourceField: 'email', targetColumn: 'emailaddress1', confidence: 0.97, reasons: ['synonyms: "email" and "emailaddress1" both mean email'], alternatives: [{ column: 'emailaddress2', confidence: 0.8 }] },
    { sourceField: 'notes', targetColumn: null, confidence: 0, reasons: ['<img src=x onerror="window.__pwned=1">no column fits'], alternatives: [{ column: 'description', confidence: 0.4 }] },
  ],
}];

test('every string key the wizard uses is in its resx (and the Diff Viewer strings are merged under Diff_)', () => {
  const sources = [...readdirSync(path.join(DIR, 'components')).map((f) => path.join(DIR, 'components', f)), path.join(DIR, 'wizardController.ts')];
  const used = new Set<string>();
  // t('Key') calls and keys handed over as strings (table headers, labels): Capitalized_With_Underscore literals.
  for (const f of sources) for (const m of readFileSync(f, 'utf8').matchAll(/\bt\('([A-Za-z_]+)'|['"]([A-Z][A-Za-z]*_[A-Za-z_]+)['"]/g)) used.add(m[1] ?? m[2]);
  for (const s of WIZARD_STEPS) used.add(`Step_${s}`);
  for (const c of ['unknown', 'connecting', 'Connected', 'Unauthenticated', 'Error']) used.add(`Connection_${c}`);
  for (const st of ['done', 'current', 'open', 'locked']) used.add(`StepState_${st}`);
  for (const tier of ['SalesProfessional', 'SalesEnterprise', 'SalesPremium']) used.add(`Tier_${tier}`);
  for (const kind of SETTING_PROBLEM_KINDS) used.add(`Setting_${kind}`);
  for (const outcome of OPPORTUNITY_OUTCOMES) used.add(`Outcome_${outcome}`);
  expect(used.size).toBeGreaterThan(80);
  expect([...used].filter((k) => !STRINGS.has(k))).toEqual([]);
  const diffViewer = readFileSync(path.join(__dirname, '../../DiffViewer/DiffViewer/strings/DiffViewer.1033.resx'), 'utf8');
  for (const m of diffViewer.matchAll(/<data name="((?!DiffViewer_|Property_)[^"]+)"/g)) expect(STRINGS.has(`Diff_${m[1]}`)).toBe(true);
});

test('the step indicator: done, current and open steps are buttons; locked ones say why; a running step holds them', () => {
  const { calls, update } = show(view({ step: 'map' }, { viewStep: 'discover' }));
  const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
  expect(button('1. Connect: Done').disabled).toBe(false);
  expect(button('2. Discover: You are here').getAttribute('aria-current')).toBe('step');
  expect(button('3. Map: Open').disabled).toBe(false);
  expect(screen.queryByRole('button', { name: /^4\. Sample/ })).toBeNull();
  expect(screen.getByTestId('stepper-sample').getAttribute('data-state')).toBe('locked');
  expect(screen.getByTestId('stepper-sample').textContent).toBe('4. Sample\u2013 LockedConfirm the field map first (Map).');
  expect(screen.getByTestId('lock-reason').textContent).toBe('Sample is locked: Confirm the field map first (Map).');
  fireEvent.click(button('3. Map: Open'));
  expect(calls).toEqual([['show', ['map']]]);
  update({ busy: 'Reading the plan' });
  expect(button('3. Map: Open').disabled).toBe(true);
  expect(screen.getByTestId('connection-status').textContent).toBe('Connected to Actionstep (connection ).');
});

test('no resx string says an internal name, and a whole screen full of data says none either', () => {
  const values = [...RESX.matchAll(/<value>([^<]*)<\/value>/g)].map((m) => m[1]).join('\n');
  expect(findInternalNames(values)).toEqual([]);
});

test('Map: each proposal with its confidence and reasons; choosing "(do not migrate)" edits the map; source text stays text', () => {
  const { calls } = show(view({ step: 'map' }, { proposals: PROPOSALS }));
  expect(screen.getByTestId('map-summary').textContent).toBe('Fields with a proposal: 1 of 2. Edited by you: 0.');
  const confidences = Array.from(document.querySelectorAll('[data-col="confidence"]')).map((e) => e.textContent);
  expect(confidences).toEqual(['97%', 'no proposal']);
  // Columns by their display names, in the reasons too.
  expect(screen.getByText('synonyms: "email" and "Email" both mean email')).toBeTruthy();
  // Markup in a reason (it quotes source values) is shown, not run.
  expect(document.querySelector('img')).toBeNull();
  expect(screen.getByText('<img src=x onerror="window.__pwned=1">no column fits')).toBeTruthy();
  expect(screen.getByRole('combobox', { name: 'Dynamics column for People and organisations: email' }).textContent).toContain('Email (proposed)');
  fireEvent.click(screen.getByRole('combobox', { name: 'Dynamics column for People and organisations: email' }));
  fireEvent.click(screen.getByRole('option', { name: '(do not migrate)' }));
  expect(calls).toEqual([['editMap', [{ object: 'participants', sourceField: 'email', targetColumn: null }]]]);
});

test('Map: an edited field says so, and the summary counts the edit', () => {
  show(view({ step: 'map', mapEdits: [{ object: 'participants', sourceField: 'notes', targetColumn: 'description' }] }, { proposals: PROPOSALS }));
  expect(screen.getByTestId('map-summary').textContent).toBe('Fields with a proposal: 1 of 2. Edited by you: 1.');
  expect(Array.from(document.querySelectorAll('[data-col="confidence"]')).map((e) => e.textContent)).toEqual(['97%', 'edited']);
});

test('Map: the status map, the rule for any other status and the type map are edited and applied together', async () => {
  const plan = {
    options: { statusMap: DEFAULT_STATUS_MAP, typeMap: {}, unknownValueMap: { matterStatus: null } },
    statusValues: { Active: 615200000, Inactive: 615200001, Closed: 615200002, 'On Hold': 615200004 },
    source: { matterStatuses: { Active: 4, Inactive: 3, 'Pending Review': 1 } },
    schema: { choices: [{ name: 'astep_mattertype', options: [{ value: 1, label: 'Conveyancing' }, { value: 2, label: 'Other' }] }] },
    matterTypes: [{ actionTypeId: '2', name: 'Immigration' }],
  } as unknown as WizardView['plan'];
  const { calls } = show(view({ step: 'map' }, { plan, proposals: PROPOSALS }));
  expect(screen.getByTestId('value-maps').textContent).toContain('Actionstep status Pending Review (1 matters)');
  const pick = (combobox: string, option: string) => {
    fireEvent.click(screen.getByRole('combobox', { name: combobox }));
    fireEvent.click(screen.getByRole('option', { name: option }));
  };
  expect((screen.getByRole('button', { name: 'Apply the maps' }) as HTMLButtonElement).disabled).toBe(true);
  pick('Matter Status for Inactive', 'On Hold');
  pick('Opportunity for Closed', 'lost');
  pick('Matter Status for Pending Review', 'Active');
  pick('Matter Status for any other status', 'On Hold');
  pick('Opportunity for any other status', 'won if billed, else lost');
  pick('Matter Type for Immigration', 'Other');
  // Applying resets the editor to the plan once the controller is done (a state update after the click).
  await act(async () => { fireEvent.click(screen.getByRole('button', { name: 'Apply the maps' })); });
  expect(calls).toEqual([['applyMaps', [{
    statusMap: {
      ...DEFAULT_STATUS_MAP,
      Inactive: { matterStatus: 'On Hold', opportunity: 'onHold' },
      Closed: { matterStatus: 'Closed', opportunity: 'lost' },
      'Pending Review': { matterStatus: 'Active', opportunity: 'open' },
    },
    typeMap: { Immigration: 'Other' },
    unknownValueMap: { matterStatus: { matterStatus: 'On Hold', opportunity: 'wonIfBilled' } },
  }]]]);
});

test('Run: progress with an ETA, pause and resume while it runs; Start is off until the sample is approved', () => {
  const fake = show(view({ step: 'run', approved: false }));
  expect((screen.getByRole('button', { name: 'Start the full run' }) as HTMLButtonElement).disabled).toBe(true);
  expect(screen.getByText('The full run opens once the sample is approved (Review).')).toBeTruthy();
  fake.update({
    state: { ...EMPTY_WIZARD_STATE, step: 'run', approved: true }, busy: 'Running the migration', progress: { task: 'contact', done: 50, total: 100, startedAt: Date.now() - 5000, rate: 10 },
    history: { startedAt: Date.now() - 5000, done: 50, total: 100, points: [{ seconds: 0, done: 0 }, { seconds: 5, done: 50 }] },
  });
  expect(screen.getByTestId('wizard-busy').textContent).toContain('Running the migration');
  expect(screen.getByTestId('wizard-busy').textContent).toContain('Writing contacts: 50 of 100 · 10 records/s · about 5.0 s left');
  expect(screen.getByTestId('run-progress-chart').querySelector('svg[role="img"] title')?.textContent).toBe('Records written over time');
  fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
  fake.update({ paused: true });
  expect(screen.getByTestId('run-paused').textContent).toContain('Paused: writes already sent finish; no new ones start until you resume.');
  // Paused is not "running": the progress label says so.
  expect(screen.getByTestId('wizard-busy').textContent).toMatch(/^Paused/);
  fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
  expect(fake.calls.map((c) => c[0])).toEqual(['pause', 'resume']);
});

test('an error is shown as an alert, by name', () => {
  show(view({ step: 'discover' }, { error: 'Reading the plan stopped: HTTP 503 from Dataverse' }));
  expect(screen.getByRole('alert').textContent).toBe('Reading the plan stopped: HTTP 503 from Dataverse');
});

test('Discover: the plan in sentences; over the licence table budget a warning, and creating the tables anyway is a separate, named choice; a changed option is never dropped', async () => {
  const plan = {
    source: { counts: { actions: 47, participants: 120, timeentries: 342, actiondocuments: 93 } },
    destination: { licenseTier: 'SalesProfessional' },
    options: { opportunityStrategy: 'perClientLatest' },
    warnings: ['1 Actionstep user has no enabled Dynamics user (ann@firm.example: no Dynamics user has this email); their records go to the fallback owner'],
    tableBudget: { fits: false, message: '17 custom tables = 17, over the 15 allowed with Dynamics 365 Sales Professional by 2.' },
    estimates: { actionstepCalls: 118, dataverseRequests: 62, dataverseRecords: 1432 },
    optionChoices: [{ name: 'opportunityStrategy', title: 'Opportunities', recommended: 'perClientLatest', chosen: 'perClientLatest', alternatives: ['none', 'perMatter'], why: 'pipeline visibility' }],
  } as unknown as WizardView['plan'];
  const { calls } = show(view({ step: 'discover', licenseTier: 'SalesProfessional' }, { plan }));
  // A severe warning: Fluent's MessageBar makes its text an alert.
  expect(screen.getByTestId('table-budget').closest('[role="alert"]')).not.toBeNull();
  expect(screen.getByTestId('table-budget').textContent).toContain('Over the custom table budget: 17 custom tables = 17, over the 15 allowed with Dynamics 365 Sales Professional by 2.');
  expect(screen.getByTestId('plan-warning').textContent).toContain('1 Actionstep user has no enabled Dynamics user');
  expect(screen.getByTestId('plan-counts').textContent).toBe('Actionstep holds 47 matters, 120 people and organisations, 342 time entries and 93 documents.');
  expect(screen.getByRole('combobox', { name: 'Opportunities' }).textContent).toContain("One opportunity per client, from the client's latest matter (recommended)");
  expect(findInternalNames(document.body.textContent ?? '')).toEqual([]);
  // A changed option: the plan below is older than the choice, and the main buttons read the plan with it first.
  fireEvent.click(screen.getByRole('combobox', { name: 'Opportunities' }));
  fireEvent.click(screen.getByRole('option', { name: 'One opportunity per matter' }));
  expect(screen.getByTestId('options-changed').textContent).toContain('The plan below is from before the change');
  fireEvent.click(screen.getByRole('button', { name: 'Create tables anyway (over the budget)' }));
  await waitFor(() => expect(calls.map((c) => c[0])).toEqual(['discover', 'prepare']));
  expect(calls).toEqual([['discover', ['SalesProfessional', { opportunityStrategy: 'perMatter' }]], ['prepare', [true]]]);
});

test('settings: each unusable variable by its display name with what to set; no step is shown; check again', () => {
  const { calls } = show(view({ step: 'connect' }, {
    setup: {
      phase: 'settings', signedInAs: null,
      problems: [
        { schemaName: 'astep_EntraClientId', displayName: 'Entra App (Client) ID', kind: 'missing', value: null },
        { schemaName: 'astep_ConnectorRuntimeHost', displayName: 'Connector Runtime Host', kind: 'notHost', value: 'https://azure-apim.net/' },
      ],
    },
  }));
  const panel = screen.getByTestId('settings-problems');
  expect(Array.from(panel.querySelectorAll('li')).map((li) => li.textContent)).toEqual([
    'Entra App (Client) ID has no value: set its Current value.',
    'Connector Runtime Host is "https://azure-apim.net/": set a host name only, without https:// or a path (public cloud: azure-apim.net).',
  ]);
  expect(panel.textContent).toContain('Solutions → Actionstep Migration → Environment variables');
  expect(screen.queryByTestId('step-connect')).toBeNull();
  expect(screen.queryByTestId('stepper-connect')).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: 'Check the settings again' }));
  expect(calls).toEqual([['recheckSettings', []]]);
});

test('sign-in: a button that calls the controller from the click; once signed in, the account is named', () => {
  const fake = show(view({ step: 'connect' }, { setup: { phase: 'signIn', problems: [], signedInAs: null } }));
  expect(screen.queryByTestId('step-connect')).toBeNull();
  fireEvent.click(screen.getByRole('button', { name: 'Sign in to Microsoft' }));
  expect(fake.calls).toEqual([['signInClicked', []]]);
  fake.update({ setup: { phase: 'ready', problems: [], signedInAs: 'admin@firm.example' } });
  expect(screen.getByTestId('signed-in-as').textContent).toBe('Signed in to Microsoft as admin@firm.example.');
  expect(screen.getByTestId('step-connect')).toBeTruthy();
});

test('after a rollback the wizard says so, and Verify no longer shows a green "Verified"', () => {
  const verify = { ok: true, unexplained: 0, tables: [{ table: 'account', expectedRows: 3, foundRows: 3, missingRows: 0, differingRows: 0 }] } as unknown as WizardView['verify'];
  show(view({ step: 'verify', verifiedOn: '2026-01-01T00:00:00Z', rolledBackOn: '2026-01-02T00:00:00Z' }, { verify }));
  expect(screen.getByTestId('rolled-back').textContent).toContain('This run was rolled back on ');
  expect(screen.getByTestId('verify-result').textContent).toContain('This run was rolled back after this verification');
  expect(screen.getByTestId('verify-result').textContent).not.toContain('Verified:');
  expect(document.querySelector('[data-testid="verify-tables"] [data-col="name"]')?.textContent).toBe('Accounts');
});
