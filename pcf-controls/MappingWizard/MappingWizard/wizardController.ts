// What the wizard does, apart from drawing it: reads its settings from the solution's environment variables, signs
// the user in to the Power Platform (msal-browser), wires the engine session to Dataverse (the page's own session:
// typed reads through dataverse-ify over the control's Web API, bulk writes through the bulk loader on the same
// origin) and to Actionstep (through the connector runtime), runs each step, and keeps a view state the React tree
// renders. Every step's result is on the Migration Run row before the step reports done, so a reload resumes.
// Nothing is injected by the host page: a model-driven form gives the control its context and nothing else.
import { ActionstepClient, ActionstepSource, BrowserFetchHttpTransport, ConnectorRuntimeConnections, ConnectorRuntimeTokenProvider, PlatformSignIn, SignInRequiredError, TrustLedgerFileSource, checkRuntimeHost, consentReturn } from '@astep/actionstep-connector/browser';
import { DataverseClient, DataverseSink, createBrowserTransport, createSameOriginSessionCredential } from '@astep/dataverse-connector/browser';
import { xrmRecords, type RecordsWebApi } from '@astep/dataverse-connector/xrmRecords';
import { xrmAuditRows, xrmRunRows, xrmStagingReader } from '@astep/dataverse-connector/xrmEngineAdapters';
import { connectorInternalId, currentEnvironment, readEnvironmentVariables, userSignInName } from '@astep/dataverse-connector/xrmPlatformReads';
import type { LicenseTier, MigrationOptions } from '@astep/orchestrator/options';
import type { MigrationPlan } from '@astep/orchestrator/plan/migrationPlan';
import type { ProgressReporter } from '@astep/orchestrator/ports';
import type { TimePoint } from '@astep/orchestrator/report/charts';
import { formatDateTime } from '@astep/orchestrator/vocabulary/format';
import type { ObjectProposal } from '@astep/orchestrator/proposer/proposeMap';
import type { RunSummary, SampleResult } from '@astep/orchestrator/run/engine';
import type { DeltaScan } from '@astep/orchestrator/safety/delta';
import type { VerifyResult } from '@astep/orchestrator/safety/verify';
import { newestRunAttachment, RUN_NOTE_TRUST_LEDGER, WizardSession } from '@astep/orchestrator/wizard/wizardSession';
import { WIZARD_STEPS, parseWizardState, stepIndex, type MapEdit, type WizardState, type WizardStep } from '@astep/orchestrator/wizard/wizardState';
import type { FieldDecision } from '@astep/orchestrator/transform/corrections';
import type { Translate } from './components/translate';
import { WIZARD_VARIABLES, checkSettings, type SettingProblem, type WizardSettings } from './wizardSettings';

/** What the form gives the control (its PCF context), nothing more. */
export interface WizardHost {
  /** The control's Web API (context.webAPI): the signed-in user's session on the org. */
  webApi: RecordsWebApi;
  /** The signed-in Dynamics user (context.userSettings). */
  userId: string;
  userName: string;
  /** The org's address: the page's origin inside Dynamics. */
  orgUrl: string;
}

export interface ProgressView {
  task: string;
  done: number;
  total: number;
  startedAt: number;
  /** Rows per second over the task so far, for the ETA. */
  rate: number;
}

/** Rows done over the current step's time, across its tasks (the run's progress chart). */
export interface StepHistory {
  startedAt: number;
  done: number;
  total: number;
  points: TimePoint[];
}

export interface DeltaView {
  scan: DeltaScan;
  summary: RunSummary;
  deletions: { reported: number; applied: number; failed: string[] };
}

/**
 * Before any step: the settings are read and checked (`settings`: problems to show), the user is signed in to the
 * Power Platform (`signIn`: a button, because the pop-up needs a click), then the steps run (`ready`).
 */
export type SetupPhase = 'starting' | 'settings' | 'signIn' | 'ready' | 'failed';

export interface SetupView {
  phase: SetupPhase;
  problems: SettingProblem[];
  /** The Microsoft account the wizard signed in with. */
  signedInAs: string | null;
}

export interface WizardView {
  runId: string | null;
  state: WizardState;
  /** The step on screen (may be behind state.step: the admin looks back). */
  viewStep: WizardStep;
  setup: SetupView;
  busy: string | null;
  error: string | null;
  log: string[];
  progress: ProgressView | null;
  history: StepHistory | null;
  connection: 'unknown' | 'connecting' | 'Connected' | 'Unauthenticated' | 'Error';
  plan: MigrationPlan | null;
  extracted: Record<string, number> | null;
  proposals: ObjectProposal[];
  sample: SampleResult | null;
  summary: RunSummary | null;
  delta: DeltaView | null;
  verify: VerifyResult | null;
  paused: boolean;
  approvalProblems: string[];
}

/** Where Entra sends the sign-in back (registered on the app as a single-page application redirect URI). */
export const SIGN_IN_REDIRECT_PAGE = '/WebResources/astep_/html/SignInRedirect.html';
/** Where the connector's consent ends (same origin, so the wizard can read the code from the window's address). */
export const CONSENT_RETURN_PAGE = '/WebResources/astep_/html/ConnectionSignedIn.html';
const CONSENT_POLL_MS = 250;
const CONSENT_TIMEOUT_MS = 10 * 60_000;
const LOG_LINES = 200;

/** The platform pieces the session needs once settings are read and the user is signed in. */
interface Platform {
  settings: WizardSettings;
  signIn: PlatformSignIn;
  connections: ConnectorRuntimeConnections;
  runtimeUrl: string;
}

export class WizardController {
  private session: WizardSession | null = null;
  /** The connection the session's Actionstep calls go through. */
  private sessionConnectionId: string | null = null;
  private listeners = new Set<() => void>();
  private view: WizardView;
  private loading: Promise<void> | null = null;
  private readonly records;
  private readonly dataverse: DataverseClient;
  private readonly webApiUrl: string;
  private signIn: PlatformSignIn | null = null;
  private settings: WizardSettings | null = null;
  private platform: Platform | null = null;

  constructor(
    private readonly host: WizardHost,
    /** The row's state column changed by us: the control hands it to the form through getOutputs(). */
    private readonly onStateWritten: (stateJson: string, mappingJson: string | null) => void,
    /** The control's resx strings (labels and messages the wizard itself shows). */
    private readonly t: Translate,
  ) {
    this.records = xrmRecords(host.webApi);
    this.webApiUrl = `${host.orgUrl.replace(/\/+$/, '')}/api/data/v9.2/`;
    this.dataverse = new DataverseClient({ webApiUrl: this.webApiUrl, credential: createSameOriginSessionCredential(), transport: createBrowserTransport(), maxConcurrency: 8 });
    this.view = {
      runId: null, state: parseWizardState(null), viewStep: 'connect', setup: { phase: 'starting', problems: [], signedInAs: null },
      busy: null, error: null, log: [], progress: null, history: null, connection: 'unknown',
      plan: null, extracted: null, proposals: [], sample: null, summary: null, delta: null, verify: null, paused: false, approvalProblems: [],
    };
  }

  get snapshot(): WizardView {
    return this.view;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(patch: Partial<WizardView>): void {
    this.view = { ...this.view, ...patch };
    for (const l of this.listeners) l();
  }

  private setSetup(patch: Partial<SetupView>): void {
    this.set({ setup: { ...this.view.setup, ...patch } });
  }

  private logLine(message: string): void {
    this.set({ log: [...this.view.log, `${new Date().toLocaleTimeString()} ${message}`].slice(-LOG_LINES) });
  }

  private progressReporter(): ProgressReporter {
    return {
      start: (task, total) => {
        const h = this.view.history;
        this.set({ progress: { task, done: 0, total, startedAt: Date.now(), rate: 0 }, history: h ? { ...h, total: h.total + total } : h });
      },
      tick: (task, n = 1) => {
        const p = this.view.progress;
        if (!p || p.task !== task) return;
        const done = p.done + n;
        const seconds = (Date.now() - p.startedAt) / 1000;
        const h = this.view.history;
        const at = (Date.now() - (h?.startedAt ?? 0)) / 1000;
        // A point every half second at most: enough for the chart, light for React.
        const history = h ? { ...h, done: h.done + n, points: at - (h.points[h.points.length - 1]?.seconds ?? 0) >= 0.5 ? [...h.points, { seconds: at, done: h.done + n }] : h.points } : h;
        this.set({ progress: { ...p, done, total: Math.max(p.total, done), rate: seconds > 0 ? done / seconds : 0 }, history });
      },
      done: () => this.set({ progress: null }),
      log: (m) => this.logLine(m),
    };
  }

  // ---------------- Settings and sign-in ----------------

  /** Reads and checks the settings; on success prepares the sign-in (not yet signed in). */
  private async readSettings(): Promise<boolean> {
    const [read, environment] = await Promise.all([readEnvironmentVariables(this.records, WIZARD_VARIABLES), currentEnvironment(this.dataverse)]);
    const checked = await checkSettings(read, {
      connectorApiName: (name) => connectorInternalId(this.records, name),
      environmentId: environment.environmentId,
      tenantId: environment.tenantId,
    });
    if (!checked.ok) {
      this.setSetup({ phase: 'settings', problems: checked.problems });
      return false;
    }
    this.settings = checked.settings;
    // The user's sign-in name, so the silent sign-in picks the Dynamics user's account and no other.
    const loginHint = await userSignInName(this.records, this.host.userId).catch(() => null);
    this.signIn = new PlatformSignIn({
      clientId: checked.settings.entraClientId,
      tenantId: checked.settings.entraTenantId,
      redirectUri: `${this.host.orgUrl.replace(/\/+$/, '')}${SIGN_IN_REDIRECT_PAGE}`,
      loginHint,
    });
    this.setSetup({ problems: [] });
    return true;
  }

  /** After sign-in: where the connector's data plane is, as the connections API says (only on the configured host). */
  private async connectPlatform(): Promise<void> {
    const settings = this.settings!;
    const signIn = this.signIn!;
    const connections = new ConnectorRuntimeConnections({
      apiUrl: settings.powerAppsApiUrl, environmentId: settings.environmentId, apiName: settings.connectorApiName, getUserToken: signIn.connectionsToken,
    });
    const runtimeUrl = checkRuntimeHost(await connections.runtimeUrl(), settings.connectorRuntimeHost);
    this.platform = { settings, signIn, connections, runtimeUrl };
    this.setSetup({ phase: 'ready', signedInAs: signIn.signedInAs });
  }

  /** Settings, then a silent sign-in; true when the steps can run. */
  private async start(): Promise<boolean> {
    if (this.platform) return true;
    if (!this.signIn && !(await this.readSettings())) return false;
    const state = await this.signIn!.start();
    if (state === 'signInRequired') {
      this.setSetup({ phase: 'signIn' });
      return false;
    }
    await this.connectPlatform();
    return true;
  }

  /** The "Sign in" button: the pop-up must open on the click itself, so msal is called before anything else. */
  async signInClicked(): Promise<void> {
    const signIn = this.signIn;
    if (!signIn || this.view.busy) return;
    const popup = signIn.signIn();
    await this.step(this.t('Busy_SignIn'), async () => {
      await popup;
      await this.connectPlatform();
      await this.openSession();
    });
  }

  /** Settings changed in Power Apps: read them again. */
  async recheckSettings(): Promise<void> {
    this.signIn = null;
    this.settings = null;
    this.platform = null;
    this.setSetup({ phase: 'starting', problems: [] });
    await this.step(this.t('Busy_Open'), () => this.startAndOpen());
  }

  private async startAndOpen(): Promise<void> {
    try {
      if (await this.start()) await this.openSession();
    } catch (e) {
      // Settings could not be read, or the platform not reached: the error says why; "Check again" starts over.
      if (this.view.setup.phase === 'starting') this.setSetup({ phase: 'failed' });
      throw e;
    }
  }

  private createSession(runId: string, connectionId: string | null): WizardSession {
    const p = this.platform!;
    const sink = new DataverseSink(this.dataverse, this.webApiUrl, { maxConcurrency: 8 });
    // Before Connect there is no connection: calls then fail by name at the runtime ("connection 'none' does not exist").
    const provider = new ConnectorRuntimeTokenProvider({ runtimeUrl: p.runtimeUrl, connectionId: connectionId ?? 'none', getUserToken: p.signIn.runtimeToken, connections: p.connections });
    const client = new ActionstepClient({ credential: provider, transport: new BrowserFetchHttpTransport(), maxConcurrency: 4 });
    const source = new ActionstepSource(client, provider.apiEndpoint, null);
    // Actionstep has no trust API: the firm's export is a file attached to this row as a note.
    const trustLedger = new TrustLedgerFileSource(RUN_NOTE_TRUST_LEDGER, () => newestRunAttachment(sink, runId));
    return new WizardSession({
      runId, source, sink, progress: this.progressReporter(),
      stagingReader: xrmStagingReader(this.records), runRows: xrmRunRows(this.records), auditRows: xrmAuditRows(this.records), trustLedger,
    });
  }

  /** Runs one step: one at a time, errors shown by name, the busy flag cleared whatever happens. */
  private async step<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.view.busy) return undefined;
    this.set({ busy: label, error: null, history: { startedAt: Date.now(), done: 0, total: 0, points: [{ seconds: 0, done: 0 }] } });
    try {
      return await fn();
    } catch (e) {
      // The Microsoft sign-in expired or needs consent again: show the button (a pop-up needs the user's click).
      if (e instanceof SignInRequiredError || (e as { cause?: unknown })?.cause instanceof SignInRequiredError) this.setSetup({ phase: 'signIn' });
      this.set({ error: this.t('Error_Step', label, (e as Error).message) });
      this.logLine(this.t('Error_Step', label, (e as Error).message));
      return undefined;
    } finally {
      this.set({ busy: null, progress: null, state: this.session?.state ?? this.view.state });
    }
  }

  private written(): void {
    const s = this.session;
    if (!s?.stateJson) return;
    this.onStateWritten(s.stateJson, this.mappingJson());
    this.set({ state: s.state });
  }

  private mappingJson(): string | null {
    if (!this.view.proposals.length) return null;
    const edits = this.session?.state.mapEdits ?? [];
    return JSON.stringify({
      proposals: this.view.proposals.map((p) => ({
        object: p.object, table: p.table,
        fields: p.fields.map((f) => {
          const edit = edits.find((e) => e.object === p.object && e.sourceField === f.sourceField);
          return { sourceField: f.sourceField, proposed: f.targetColumn, confidence: f.confidence, targetColumn: edit ? edit.targetColumn : f.targetColumn, edited: !!edit };
        }),
      })),
    });
  }

  /**
   * The form opened (or reloaded) on a run: settings, sign-in, then the session rebuilt from the row (plan, staging
   * counts, sample, approval; staged records stay in Dataverse and Actionstep is not called).
   */
  async open(runId: string | null, stateJson: string | null): Promise<void> {
    if (!runId) {
      this.set({ runId: null, error: this.t('Error_NoRunId') });
      return;
    }
    if (this.view.runId === runId) return;
    const state = parseWizardState(stateJson);
    this.set({ runId, state, viewStep: state.step });
    this.loading = this.step(this.t('Busy_Open'), () => this.startAndOpen()).then(() => undefined);
    await this.loading;
    await this.pickUpRunRequest();
  }

  private async openSession(): Promise<void> {
    const runId = this.view.runId;
    if (!runId || !this.platform) return;
    const connectionId = this.view.state.connectionId;
    this.session = this.createSession(runId, connectionId);
    this.sessionConnectionId = connectionId;
    const session = this.session;
    const loaded = await session.load();
    if (loaded.connectionId) this.set({ connection: (await this.platform.connections.status(loaded.connectionId)).status });
    const run = session.run;
    const summary = (run?.summary as RunSummary | null) ?? null;
    this.set({
      state: loaded, viewStep: loaded.step, plan: (run?.plan as MigrationPlan | null) ?? null,
      extracted: loaded.extractedOn ? await session.stagedCounts() : null,
      proposals: loaded.extractedOn ? await session.proposals() : [],
      sample: (run?.sample as SampleResult | null) ?? null, summary, paused: loaded.paused,
    });
    if (loaded.paused) session.gate.pause();
  }

  /** The form's column changed under us (the Diff Viewer's review, the "Start run" command). */
  async stateChangedOnForm(stateJson: string | null): Promise<void> {
    if (!this.session || stateJson === this.session.stateJson) return;
    await this.loading;
    this.session.adoptState(stateJson);
    this.set({ state: this.session.state });
    await this.pickUpRunRequest();
  }

  private async pickUpRunRequest(): Promise<void> {
    const s = this.session;
    if (!s?.state.runRequest || this.view.busy || s.state.runCompletedOn) return;
    // Who asked is a user id (a GUID nobody reads); when is what the log line needs.
    this.logLine(this.t('Log_RunRequested', formatDateTime(s.state.runRequest.requestedOn)));
    this.set({ viewStep: 'run' });
    await this.startRun();
  }

  show(step: WizardStep): void {
    // Only steps already reached can be shown: the later ones need what the earlier ones produce.
    if (stepIndex(step) <= stepIndex(this.view.state.step)) this.set({ viewStep: step });
  }

  // ---------------- Connect ----------------

  /**
   * Creates the Actionstep connection (or signs it in again): the consent link opens in a window where the user signs
   * in at Actionstep; the platform then sends the window back to our consent page with `?code=` (or `?error=`), and
   * confirmConsentCode finishes the connection. The window is on our origin only at the end, so its address is read
   * then (before, reading it throws: another origin).
   */
  async connect(): Promise<void> {
    // The window opens on the click itself (before any await), or the browser's pop-up blocker stops it.
    const popup = window.open('about:blank', 'astep-consent', 'width=520,height=680');
    await this.step(this.t('Busy_Connect'), async () => {
      if (!popup) throw new Error(this.t('Error_PopupBlocked'));
      const runId = this.view.runId!;
      const p = this.platform!;
      const connectionId = this.view.state.connectionId ?? `astep-${runId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
      const returnPage = `${this.host.orgUrl.replace(/\/+$/, '')}${CONSENT_RETURN_PAGE}`;
      try {
        await p.connections.create(connectionId, `Actionstep (${runId})`);
        popup.location.href = await p.connections.consentLink(connectionId, returnPage);
        this.set({ connection: 'connecting' });
        const back = await this.consentReturned(popup, returnPage);
        if (back.kind === 'error') throw new Error(this.t('Error_Consent', back.code, back.message));
        if (back.kind === 'none') throw new Error(this.t('Error_ConsentNoCode'));
        const status = await p.connections.confirmConsentCode(connectionId, back.code);
        this.set({ connection: status.status });
        if (status.status !== 'Connected') throw new Error(status.message ?? this.t('Error_NotConnected', status.status));
      } catch (e) {
        if (this.view.connection === 'connecting') this.set({ connection: 'Error' });
        throw e;
      } finally {
        try { popup.close(); } catch { /* closed already */ }
      }
      // A sign-in again on the same connection keeps the session (and what it holds); a new connection needs a
      // session whose Actionstep calls go through it.
      if (this.sessionConnectionId !== connectionId || !this.session) {
        this.session = this.createSession(runId, connectionId);
        this.sessionConnectionId = connectionId;
        await this.session.load();
      }
      await this.session.saveState({ connectionId, step: stepIndex(this.view.state.step) > stepIndex('discover') ? this.view.state.step : 'discover' });
      this.written();
      this.set({ viewStep: 'discover' });
      this.logLine(this.t('Log_Connected', connectionId));
    });
  }

  /** Waits until the consent window is back on our return page, then reads its address. */
  private async consentReturned(popup: Window, returnPage: string): Promise<ReturnType<typeof consentReturn>> {
    const deadline = Date.now() + CONSENT_TIMEOUT_MS;
    for (;;) {
      if (popup.closed) throw new Error(this.t('Error_ConsentWindowClosed'));
      let href = '';
      try {
        href = popup.location.href;
      } catch {
        href = ''; // at Actionstep or the platform: another origin
      }
      if (href.startsWith(returnPage)) return consentReturn(href);
      if (Date.now() > deadline) throw new Error(this.t('Error_ConsentTimeout'));
      await new Promise((r) => setTimeout(r, CONSENT_POLL_MS));
    }
  }

  // ---------------- Discover ----------------

  async discover(licenseTier: LicenseTier, options: Partial<MigrationOptions>): Promise<void> {
    await this.step(this.t('Busy_Plan'), async () => {
      // The fallback owner comes from its environment variable unless the admin chose one here.
      const fallback = this.settings?.fallbackOwnerEmail;
      const plan = await this.session!.discover(licenseTier, options.fallbackOwnerEmail === undefined && fallback ? { ...options, fallbackOwnerEmail: fallback } : options);
      this.written();
      this.set({ plan });
    });
  }

  /** Creates the plan's tables and columns, then stages the firm; shows the proposals. */
  async prepare(force = false): Promise<void> {
    await this.step(this.t('Busy_Prepare'), async () => {
      const extracted = await this.session!.prepare({ force });
      this.set({ extracted, proposals: await this.session!.proposals() });
      this.written();
      this.set({ viewStep: 'map' });
    });
  }

  // ---------------- Map ----------------

  async editMap(edit: MapEdit): Promise<void> {
    const s = this.session;
    if (!s) return;
    const edits = s.state.mapEdits.filter((e) => !(e.object === edit.object && e.sourceField === edit.sourceField));
    const proposal = this.view.proposals.find((p) => p.object === edit.object)?.fields.find((f) => f.sourceField === edit.sourceField);
    // Choosing the proposal again removes the edit.
    if (!proposal || proposal.targetColumn !== edit.targetColumn) edits.push(edit);
    await this.step(this.t('Busy_SaveMap'), async () => {
      await s.saveState({ mapEdits: edits });
      this.written();
    });
  }

  /** The status, matter type and unknown-value maps: saved with the options and applied to the plan the sample and run use. */
  async applyMaps(maps: Pick<MigrationOptions, 'statusMap' | 'typeMap' | 'unknownValueMap'>): Promise<void> {
    await this.step(this.t('Busy_ApplyMaps'), async () => {
      const plan = await this.session!.applyMaps(maps);
      this.written();
      this.set({ plan });
    });
  }

  async confirmMap(): Promise<void> {
    await this.step(this.t('Busy_ConfirmMap'), async () => {
      await this.session!.saveState({ step: stepIndex(this.view.state.step) < stepIndex('sample') ? 'sample' : this.view.state.step });
      this.written();
      this.set({ viewStep: 'sample' });
    });
  }

  // ---------------- Sample and Review ----------------

  async sample(): Promise<void> {
    await this.step(this.t('Busy_Sample'), async () => {
      const sample = await this.session!.sample();
      this.written();
      this.set({ sample, viewStep: 'review', approvalProblems: [] });
    });
  }

  /** Decisions and approval from the embedded Diff Viewer. */
  async review(decisions: FieldDecision[], approved: boolean): Promise<void> {
    await this.step(approved ? this.t('Busy_Approve') : this.t('Busy_SaveReview'), async () => {
      const s = this.session!;
      await s.saveState({ decisions });
      if (approved) {
        const { problems } = await s.approve(this.host.userName || this.host.userId);
        this.set({ approvalProblems: problems });
        if (s.state.approved) this.set({ viewStep: 'run' });
      }
      this.written();
    });
  }

  // ---------------- Run, pause, resume ----------------

  async startRun(): Promise<void> {
    await this.step(this.t('Busy_Run'), async () => {
      const summary = await this.session!.runFull();
      this.written();
      this.set({ summary, paused: false });
    });
  }

  async pause(): Promise<void> {
    if (!this.session) return;
    await this.session.pause();
    this.written();
    this.set({ paused: true });
    this.logLine(this.t('Log_Paused'));
  }

  async resume(): Promise<void> {
    if (!this.session) return;
    await this.session.resume();
    this.written();
    this.set({ paused: false });
    this.logLine(this.t('Log_Resumed'));
  }

  // ---------------- Delta and Verify ----------------

  async delta(): Promise<void> {
    await this.step(this.t('Busy_Delta'), async () => {
      const delta = await this.session!.delta();
      this.written();
      this.set({ delta, summary: delta.summary });
    });
  }

  async verify(): Promise<void> {
    await this.step(this.t('Busy_Verify'), async () => {
      const verify = await this.session!.verify();
      this.written();
      this.set({ verify });
    });
  }
}

export { WIZARD_STEPS };
