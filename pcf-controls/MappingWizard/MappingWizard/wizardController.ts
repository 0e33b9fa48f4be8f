// What the wizard does, apart from drawing it: wires the engine session to Dataverse (the page's Web API) and to
// Actionstep (through the connector runtime), runs each step, and keeps a view state the React tree renders.
// Every step's result is on the Migration Run row before the step reports done, so a reload resumes.
import { ActionstepClient, ActionstepSource, BrowserFetchHttpTransport, ConnectorRuntimeConnections, ConnectorRuntimeTokenProvider } from '@astep/actionstep-connector/browser';
import { DataverseClient, DataverseSink, createBrowserTransport, createSameOriginSessionCredential } from '@astep/dataverse-connector/browser';
import type { TokenProvider } from '@astep/dataverse-connector/types';
import type { LicenseTier, MigrationOptions } from '@astep/orchestrator/options';
import type { MigrationPlan } from '@astep/orchestrator/plan/migrationPlan';
import type { ProgressReporter } from '@astep/orchestrator/ports';
import type { TimePoint } from '@astep/orchestrator/report/charts';
import { formatDateTime } from '@astep/orchestrator/vocabulary/format';
import type { ObjectProposal } from '@astep/orchestrator/proposer/proposeMap';
import type { RunSummary, SampleResult } from '@astep/orchestrator/run/engine';
import type { DeltaScan } from '@astep/orchestrator/safety/delta';
import type { VerifyResult } from '@astep/orchestrator/safety/verify';
import { WizardSession } from '@astep/orchestrator/wizard/wizardSession';
import { WIZARD_STEPS, parseWizardState, stepIndex, type MapEdit, type WizardState, type WizardStep } from '@astep/orchestrator/wizard/wizardState';
import type { FieldDecision } from '@astep/orchestrator/transform/corrections';
import type { Translate } from './components/translate';

/** Where the services are and how to authenticate. In Dynamics: the page's org and session; tests inject their own. */
export interface WizardHostSettings {
  webApiUrl?: string;
  getDataverseToken?: () => Promise<string>;
  connectorRuntimeUrl?: string;
  connectorApiName?: string;
  /** The signed-in user's token for the connector runtime. */
  getPlatformToken?: () => Promise<string>;
  /** Opens the consent window (default window.open). */
  openWindow?: (url: string) => Window | null;
  /** Where the consent window lands after the sign-in (default: the platform's consent redirect page). */
  consentRedirectUrl?: string;
  /** How often the connection status is polled while the consent window is open. */
  pollIntervalInMs?: number;
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

export interface WizardView {
  runId: string | null;
  state: WizardState;
  /** The step on screen (may be behind state.step: the admin looks back). */
  viewStep: WizardStep;
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

export const DEFAULT_API_NAME = 'shared_astep-actionstep';
/** The Power Platform's own consent redirect (the custom connector's OAuth settings name it too). */
export const CONSENT_REDIRECT_URL = 'https://global.consent.azure-apim.net/redirect';
const LOG_LINES = 200;

export class WizardController {
  private session: WizardSession | null = null;
  /** The connection the session's Actionstep calls go through. */
  private sessionConnectionId: string | null = null;
  private listeners = new Set<() => void>();
  private view: WizardView;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly settings: WizardHostSettings,
    /** The row's state column changed by us: the control hands it to the form through getOutputs(). */
    private readonly onStateWritten: (stateJson: string, mappingJson: string | null) => void,
    private readonly user: () => string,
    /** The control's resx strings (labels and messages the wizard itself shows). */
    private readonly t: Translate,
  ) {
    this.view = {
      runId: null, state: parseWizardState(null), viewStep: 'connect', busy: null, error: null, log: [], progress: null, history: null, connection: 'unknown',
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

  private apiName(): string {
    return this.settings.connectorApiName || DEFAULT_API_NAME;
  }

  private platformToken = (): Promise<string> => {
    // Inside Dynamics without a configured token source the runtime sees the session only: that is a gap named in
    // the README (the platform's token for the runtime comes from the host).
    return this.settings.getPlatformToken ? this.settings.getPlatformToken() : Promise.resolve('');
  };

  private connections(): ConnectorRuntimeConnections {
    const runtimeUrl = this.settings.connectorRuntimeUrl;
    if (!runtimeUrl) throw new Error(this.t('Error_NoRuntime'));
    return new ConnectorRuntimeConnections({ runtimeUrl, apiName: this.apiName(), getUserToken: this.platformToken });
  }

  private createSession(runId: string, connectionId: string | null): WizardSession {
    const webApiUrl = this.settings.webApiUrl ?? `${location.origin}/api/data/v9.2/`;
    const credential: TokenProvider = this.settings.getDataverseToken ? { getToken: () => this.settings.getDataverseToken!() } : createSameOriginSessionCredential();
    const dataverse = new DataverseClient({ webApiUrl, credential, transport: this.settings.getDataverseToken ? undefined : createBrowserTransport(), maxConcurrency: 8 });
    const sink = new DataverseSink(dataverse, webApiUrl, { maxConcurrency: 8 });
    // Before Connect there is no connection: calls then fail by name at the runtime ("connection 'none' does not exist").
    const provider = new ConnectorRuntimeTokenProvider({
      runtimeUrl: this.settings.connectorRuntimeUrl ?? '', apiName: this.apiName(), connectionId: connectionId ?? 'none', getUserToken: this.platformToken,
    });
    const client = new ActionstepClient({ credential: provider, transport: new BrowserFetchHttpTransport(), maxConcurrency: 4 });
    const source = new ActionstepSource(client, provider.apiEndpoint, null);
    return new WizardSession({ runId, source, sink, progress: this.progressReporter() });
  }

  /** Runs one step: one at a time, errors shown by name, the busy flag cleared whatever happens. */
  private async step<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
    if (this.view.busy) return undefined;
    this.set({ busy: label, error: null, history: { startedAt: Date.now(), done: 0, total: 0, points: [{ seconds: 0, done: 0 }] } });
    try {
      return await fn();
    } catch (e) {
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

  /** The form opened (or reloaded) on a run: rebuild the session from the row. */
  async open(runId: string | null, stateJson: string | null): Promise<void> {
    if (!runId) {
      this.set({ runId: null, error: this.t('Error_NoRunId') });
      return;
    }
    if (this.view.runId === runId) return;
    const state = parseWizardState(stateJson);
    this.set({ runId, state, viewStep: state.step });
    this.session = this.createSession(runId, state.connectionId);
    this.sessionConnectionId = state.connectionId;
    this.loading = this.step(this.t('Busy_Open'), async () => {
      const loaded = await this.session!.load();
      if (loaded.connectionId) this.set({ connection: (await this.connections().status(loaded.connectionId)).status });
      const run = this.session!.run;
      const summary = (run?.summary as RunSummary | null) ?? null;
      this.set({
        state: loaded, viewStep: loaded.step, plan: (run?.plan as MigrationPlan | null) ?? null,
        extracted: loaded.extractedOn ? this.stagedCounts() : null,
        proposals: loaded.extractedOn ? this.session!.proposals() : [],
        sample: (run?.sample as SampleResult | null) ?? null, summary, paused: loaded.paused,
      });
      if (loaded.paused) this.session!.gate.pause();
    }).then(() => undefined);
    await this.loading;
    await this.pickUpRunRequest();
  }

  private stagedCounts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [resource, m] of this.session?.store.stagedMap ?? []) out[resource] = m.size;
    return out;
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

  async connect(): Promise<void> {
    // The window opens on the click itself (before any await), or the browser's pop-up blocker stops it.
    const popup = (this.settings.openWindow ?? ((u: string) => window.open(u, 'astep-consent', 'width=520,height=680')))('about:blank');
    await this.step(this.t('Busy_Connect'), async () => {
      if (!popup) throw new Error(this.t('Error_PopupBlocked'));
      const runId = this.view.runId!;
      const connections = this.connections();
      const connectionId = this.view.state.connectionId ?? `astep-${runId.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
      try {
        await connections.create(connectionId, `Actionstep (${runId})`);
        popup.location.href = await connections.consentLink(connectionId, this.settings.consentRedirectUrl ?? CONSENT_REDIRECT_URL);
        this.set({ connection: 'connecting' });
        const interval = this.settings.pollIntervalInMs ?? 1000;
        const deadline = Date.now() + 5 * 60_000;
        let status = await connections.status(connectionId);
        while (status.status !== 'Connected' && status.status !== 'Error' && Date.now() < deadline && !popup.closed) {
          await new Promise((r) => setTimeout(r, interval));
          status = await connections.status(connectionId);
        }
        this.set({ connection: status.status });
        if (status.status !== 'Connected') throw new Error(status.message ?? this.t('Error_NotConnected', status.status));
      } finally {
        try { popup.close(); } catch { /* closed already */ }
      }
      // A sign-in again on the same connection keeps the session (and the firm staged in it); a new connection
      // needs a session whose Actionstep calls go through it.
      if (this.sessionConnectionId !== connectionId) {
        this.session = this.createSession(runId, connectionId);
        this.sessionConnectionId = connectionId;
        await this.session.load();
      }
      await this.session!.saveState({ connectionId, step: stepIndex(this.view.state.step) > stepIndex('discover') ? this.view.state.step : 'discover' });
      this.written();
      this.set({ viewStep: 'discover' });
      this.logLine(this.t('Log_Connected', connectionId));
    });
  }

  // ---------------- Discover ----------------

  async discover(licenseTier: LicenseTier, options: Partial<MigrationOptions>): Promise<void> {
    await this.step(this.t('Busy_Plan'), async () => {
      const plan = await this.session!.discover(licenseTier, options);
      this.written();
      this.set({ plan });
    });
  }

  /** Creates the plan's tables and columns, then stages the firm; shows the proposals. */
  async prepare(force = false): Promise<void> {
    await this.step(this.t('Busy_Prepare'), async () => {
      const extracted = await this.session!.prepare({ force });
      this.set({ extracted, proposals: this.session!.proposals() });
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
        const { problems } = await s.approve(this.user());
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
