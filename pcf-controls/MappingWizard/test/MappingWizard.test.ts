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
import { act, fireEvent, render, screen } from '@testing-library/react';
import { WizardApp } from '../MappingWizard/components/WizardApp';
import { translator } from '../MappingWizard/components/translate';
import { registerDiffViewerIcons } from '@astep/pcf-diffviewer/icons';
import type { WizardController, WizardView } from '../MappingWizard/wizardController';
import { SETTING_PROBLEM_KINDS } from '../MappingWizard/wizardSettings';
import { EMPTY_WIZARD_STATE, WIZARD_STEPS, type WizardState } from '@astep/orchestrator/wizard/wizardState';
import { MAPPED_OBJECTS } from '@astep/orchestrator/wizard/proposeFromStaged';
import { DEFAULT_STATUS_MAP, OPPORTUNITY_OUTCOMES } from '@astep/orchestrator/options';
import type { ObjectProposal } from '@astep/orchestrator/proposer/proposeMap';

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
    runId: 'run-7', state: s, viewStep: s.step, setup: { phase: 'ready', problems: [], signedInAs: 'admin@firm.example' }, busy: null, error: null, log: [], progress: null, connection: 'Connected', plan: null, extracted: null,
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
  for (const o of MAPPED_OBJECTS) used.add(`Object_${o.object}`);
  for (const tier of ['SalesProfessional', 'SalesEnterprise', 'SalesPremium']) used.add(`Tier_${tier}`);
  for (const kind of SETTING_PROBLEM_KINDS) used.add(`Setting_${kind}`);
  for (const outcome of OPPORTUNITY_OUTCOMES) used.add(`Outcome_${outcome}`);
  expect(used.size).toBeGreaterThan(80);
  expect([...used].filter((k) => !STRINGS.has(k))).toEqual([]);
  const diffViewer = readFileSync(path.join(__dirname, '../../DiffViewer/DiffViewer/strings/DiffViewer.1033.resx'), 'utf8');
  for (const m of diffViewer.matchAll(/<data name="((?!DiffViewer_|Property_)[^"]+)"/g)) expect(STRINGS.has(`Diff_${m[1]}`)).toBe(true);
});

test('the step list: steps reached can be shown, later ones are disabled, the current one is marked', () => {
  const { calls } = show(view({ step: 'map' }, { viewStep: 'discover' }));
  const button = (name: string) => screen.getByRole('button', { name }) as HTMLButtonElement;
  expect(button('2. Discover').getAttribute('aria-current')).toBe('step');
  expect(button('3. Map').disabled).toBe(false);
  expect(button('4. Sample').disabled).toBe(true);
  expect(button('8. Verify').disabled).toBe(true);
  fireEvent.click(button('3. Map'));
  expect(calls).toEqual([['show', ['map']]]);
  expect(screen.getByTestId('connection-status').textContent).toBe('Connected to Actionstep (connection ).');
});

test('Map: each proposal with its confidence and reasons; choosing "(do not migrate)" edits the map; source text stays text', () => {
  const { calls } = show(view({ step: 'map' }, { proposals: PROPOSALS }));
  expect(screen.getByTestId('map-summary').textContent).toBe('1 of 2 fields have a proposal; 0 edited.');
  const confidences = Array.from(document.querySelectorAll('[data-col="confidence"]')).map((e) => e.textContent);
  expect(confidences).toEqual(['97%', 'no proposal']);
  expect(screen.getByText('synonyms: "email" and "emailaddress1" both mean email')).toBeTruthy();
  // Markup in a reason (it quotes source values) is shown, not run.
  expect(document.querySelector('img')).toBeNull();
  expect(screen.getByText('<img src=x onerror="window.__pwned=1">no column fits')).toBeTruthy();
  fireEvent.click(screen.getByRole('combobox', { name: 'Dynamics column for participants.email' }));
  fireEvent.click(screen.getByRole('option', { name: '(do not migrate)' }));
  expect(calls).toEqual([['editMap', [{ object: 'participants', sourceField: 'email', targetColumn: null }]]]);
});

test('Map: an edited field says so, and the summary counts the edit', () => {
  show(view({ step: 'map', mapEdits: [{ object: 'participants', sourceField: 'notes', targetColumn: 'description' }] }, { proposals: PROPOSALS }));
  expect(screen.getByTestId('map-summary').textContent).toBe('1 of 2 fields have a proposal; 1 edited.');
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
  expect(screen.getByText('Approve the sample first (Review).')).toBeTruthy();
  fake.update({ state: { ...EMPTY_WIZARD_STATE, step: 'run', approved: true }, busy: 'Running the migration', progress: { task: 'load contact', done: 50, total: 100, startedAt: Date.now() - 5000, rate: 10 } });
  expect(screen.getByTestId('wizard-busy').textContent).toContain('load contact: 50 of 100, about 5 s left');
  fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
  fake.update({ paused: true });
  expect(screen.getByTestId('run-paused').textContent).toBe('Paused: writes already sent finish; no new ones start until you resume.');
  fireEvent.click(screen.getByRole('button', { name: 'Resume' }));
  expect(fake.calls.map((c) => c[0])).toEqual(['pause', 'resume']);
});

test('an error is shown as an alert, by name', () => {
  show(view({ step: 'discover' }, { error: 'Reading the plan stopped: HTTP 503 from Dataverse' }));
  expect(screen.getByRole('alert').textContent).toBe('Reading the plan stopped: HTTP 503 from Dataverse');
});

test('Discover: over the licence table budget the plan warns, and creating the tables anyway is a separate, named choice', () => {
  const plan = {
    source: { counts: { actions: 47, participants: 120, timeentries: 342, actiondocuments: 93 } },
    tableBudget: { fits: false, message: '17 custom tables = 17 of 15 allowed for SalesProfessional; 2 over.' },
    estimates: { actionstepCalls: 118, dataverseRequests: 62, dataverseRecords: 1432 },
    optionChoices: [{ name: 'opportunityStrategy', title: 'Opportunities', recommended: 'perClientLatest', chosen: 'perClientLatest', alternatives: ['none', 'perMatter'], why: 'pipeline visibility' }],
  } as unknown as WizardView['plan'];
  const { calls } = show(view({ step: 'discover', licenseTier: 'SalesProfessional' }, { plan }));
  expect(screen.getByTestId('table-budget').getAttribute('role')).toBe('alert');
  expect(screen.getByTestId('table-budget').textContent).toBe('Warning: 17 custom tables = 17 of 15 allowed for SalesProfessional; 2 over.');
  expect(screen.getByTestId('plan-counts').textContent).toBe('Actionstep holds 47 matters, 120 people and organisations, 342 time entries and 93 documents.');
  // Changing an option re-reads the plan with it; the forced creation is its own button.
  fireEvent.click(screen.getByRole('combobox', { name: 'Opportunities' }));
  fireEvent.click(screen.getByRole('option', { name: 'perMatter' }));
  fireEvent.click(screen.getByRole('button', { name: 'Apply the options' }));
  fireEvent.click(screen.getByRole('button', { name: 'Create tables anyway (over the budget)' }));
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
    'Entra App (Client) ID (astep_EntraClientId) has no value: set its Current value.',
    'Connector Runtime Host (astep_ConnectorRuntimeHost) is "https://azure-apim.net/": set a host name only, without https:// or a path (public cloud: azure-apim.net).',
  ]);
  expect(panel.textContent).toContain('Solutions → Actionstep Migration → Environment variables');
  expect(screen.queryByTestId('step-connect')).toBeNull();
  expect(screen.queryByRole('button', { name: '1. Connect' })).toBeNull();
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
