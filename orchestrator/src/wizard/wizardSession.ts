// The engine as the Mapping Wizard drives it inside Dynamics: the same MigrationEngine as the command line, with an
// in-memory state store, the Actionstep source behind the connector runtime and the Dataverse sink on the page's
// Web API. Everything a reload needs lives on the Migration Run row: the engine's own columns (plan, diff, summary,
// approval, extraction start; written by mirror) and astep_wizardstate (step, options, edits, milestones).
// A reload re-reads Actionstep into memory (staging is not kept in the browser) and restores the rest from the row.
import type { LicenseTier, MigrationOptions } from '../options';
import type { MigrationPlan } from '../plan/migrationPlan';
import type { ProgressReporter, RunState, SinkPort, SourcePort, TrustLedgerPort } from '../ports';
import { MigrationEngine, type RunSummary, type SampleResult } from '../run/engine';
import { MemoryStateStore } from '../store/memoryStateStore';
import type { VerifyResult } from '../safety/verify';
import type { DeltaScan } from '../safety/delta';
import { tableInfo } from '../load/tables';
import { loadAuditFromDataverse } from '../safety/rollbackFromDataverse';
import type { ObjectProposal } from '../proposer/proposeMap';
import { PausableSink, WriteGate } from './pausableSink';
import { decisionsFromMapEdits, proposeFromStaged } from './proposeFromStaged';
import { parseWizardState, serializeWizardState, stepIndex, type WizardState } from './wizardState';
import type { FieldDecision } from '../transform/corrections';
import { withRunLease, type LeaseHolder } from '../safety/runLease';

export { newestRunAttachment, RUN_NOTE_TRUST_LEDGER } from './runNoteFile';

export interface WizardSessionDeps {
  runId: string;
  source: SourcePort;
  sink: SinkPort;
  progress: ProgressReporter;
  now?: () => Date;
  /** Who this wizard session is when it holds the run's lease (default: a fresh id, "the Mapping Wizard"). */
  leaseHolder?: LeaseHolder;
  /** The firm's trust ledger export (the control reads it from a note on the run's row: runNoteFile.ts). */
  trustLedger?: TrustLedgerPort;
}

/** The Migration Run row's columns the wizard reads on load. */
export interface RunRow {
  astep_runid?: string | null;
  astep_wizardstate?: string | null;
  astep_extractionstartedon?: string | null;
  astep_approvedon?: string | null;
  astep_approvedby?: string | null;
  astep_diffjson?: string | null;
  astep_summaryjson?: string | null;
}

const RUN_COLUMNS = ['astep_runid', 'astep_wizardstate', 'astep_extractionstartedon', 'astep_approvedon', 'astep_approvedby', 'astep_diffjson', 'astep_summaryjson'];

function parseJson<T>(raw: string | null | undefined): T | null {
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export class WizardSession {
  readonly store = new MemoryStateStore();
  readonly gate = new WriteGate();
  readonly engine: MigrationEngine;
  readonly runId: string;
  private readonly sink: SinkPort;
  private readonly now: () => Date;
  private stateRaw: string | null = null;
  private proposalsCache: ObjectProposal[] | null = null;
  private readonly leaseHolder: LeaseHolder;

  constructor(private readonly deps: WizardSessionDeps) {
    this.runId = deps.runId;
    this.now = deps.now ?? (() => new Date());
    this.sink = new PausableSink(deps.sink, this.gate);
    this.engine = new MigrationEngine({ source: deps.source, sink: this.sink, store: this.store, progress: deps.progress, now: this.now, trustLedger: deps.trustLedger });
    this.leaseHolder = deps.leaseHolder ?? { id: `wizard:${globalThis.crypto.randomUUID()}`, name: 'the Mapping Wizard in Dynamics' };
  }

  /** Steps that write migrated records hold the run's lease: the command line cannot run the same run meanwhile. */
  private leased<T>(fn: () => Promise<T>): Promise<T> {
    return withRunLease(this.deps.sink, this.runId, this.leaseHolder, fn, { now: this.now, log: (m) => this.deps.progress.log(m) });
  }

  get state(): WizardState {
    return parseWizardState(this.stateRaw);
  }

  get run(): RunState | null {
    return this.store.getRun(this.runId);
  }

  /** Reads the row (by its run id) and rebuilds memory up to the milestones the state records. */
  async load(): Promise<WizardState> {
    const rows = await this.deps.sink.readByValues(tableInfo('astep_migrationrun'), 'astep_runid', [this.runId], RUN_COLUMNS);
    const row = (rows[0] ?? {}) as RunRow;
    if (rows[0]) await this.loadAudit();
    this.stateRaw = row.astep_wizardstate ?? null;
    const state = this.state;
    if (state.licenseTier && stepIndex(state.step) > stepIndex('discover')) {
      this.deps.progress.log('Resuming: reading the plan again from Actionstep and Dataverse');
      await this.engine.discover(this.runId, state.licenseTier as LicenseTier, state.options as Partial<MigrationOptions>);
    }
    if (state.extractedOn && this.run) {
      // The run's extraction start stays what it was: delta picks up changes since then, not since the reload.
      this.store.saveRun({ ...this.run, extractionStartedOn: row.astep_extractionstartedon ?? state.extractedOn });
      this.deps.progress.log('Resuming: reading the staged records again from Actionstep (staging is not kept in the browser)');
      await this.engine.extract(this.runId);
    }
    const run = this.run;
    if (run) {
      const sample = state.sampledOn ? parseJson<SampleResult>(row.astep_diffjson) : null;
      const summary = state.runCompletedOn ? parseJson<RunSummary>(row.astep_summaryjson) : null;
      const approvedOn = row.astep_approvedon ?? (state.approved ? state.approvedOn : null);
      this.store.saveRun({
        ...run,
        sample: sample ?? run.sample,
        summary: summary ?? run.summary,
        approval: approvedOn ? { approvedOn, approvedBy: row.astep_approvedby ?? 'wizard', corrections: { decisions: state.decisions } } : run.approval,
        lastDeltaOn: state.lastDeltaOn ?? undefined,
        status: summary ? 'Completed' : approvedOn ? 'Approved' : sample ? 'Sampled' : run.status,
      });
    }
    return state;
  }

  /**
   * The audit already on the row's astep_auditentry rows: new entries continue its sequence (an entry numbered
   * from 1 again would overwrite an earlier one, keyed runid|sequence, and a rollback would miss that write), and
   * delta finds what the run created.
   */
  private async loadAudit(): Promise<void> {
    const { entries } = await loadAuditFromDataverse(this.deps.sink, this.runId);
    if (!entries.length) return;
    this.store.importAudit(entries);
    this.store.setCheckpoint(`mirror:${this.runId}`, String(Math.max(...entries.map((e) => e.seq))));
  }

  /**
   * Writes the wizard state to the row (the form's bound column also gets it through the control's outputs). Saves
   * run one after another, each applying its patch to the value the previous one wrote: a pause clicked while the
   * run's first save is in flight must not write back the state from before it (a cleared run request would return).
   */
  saveState(patch: Partial<WizardState>): Promise<string> {
    const next = this.saving.then(() => this.writeState(patch));
    this.saving = next.catch(() => undefined);
    return next;
  }

  private saving: Promise<unknown> = Promise.resolve();

  private async writeState(patch: Partial<WizardState>): Promise<string> {
    const next = serializeWizardState({ ...this.state, ...patch, updatedOn: this.now().toISOString() }, this.stateRaw);
    const [res] = await this.deps.sink.upsert(tableInfo('astep_migrationrun'), [{
      key: { astep_runid: this.runId }, attributes: { astep_wizardstate: next }, ref: `run ${this.runId}`,
    }]);
    if (res.outcome === 'failed') throw new Error(`could not save the wizard state of run ${this.runId}: ${res.message}`);
    this.stateRaw = next;
    return next;
  }

  /** The form changed the column (the Diff Viewer's review, the "Start run" command): adopt its value. */
  adoptState(raw: string | null): void {
    this.stateRaw = raw;
  }

  get stateJson(): string | null {
    return this.stateRaw;
  }

  async discover(licenseTier: LicenseTier, options: Partial<MigrationOptions>): Promise<MigrationPlan> {
    const plan = await this.engine.discover(this.runId, licenseTier, options);
    await this.engine.mirror(this.runId);
    await this.saveState({ licenseTier, options: options as Record<string, unknown>, step: 'discover' });
    return plan;
  }

  /** Creates the plan's tables and columns (idempotent), then stages the firm. */
  async prepare(options: { force?: boolean } = {}): Promise<Record<string, number>> {
    await this.engine.provision(this.runId, false, options);
    const counts = await this.engine.extract(this.runId);
    this.proposalsCache = null;
    await this.engine.mirror(this.runId);
    await this.saveState({ extractedOn: this.run?.extractionStartedOn ?? this.now().toISOString(), step: 'map' });
    return counts;
  }

  /**
   * The Map step's value maps (statuses, matter types, unknown values), kept with the options and applied: the plan
   * is read again with them (the step and the staged firm stay), and a Matter Type label the type map introduces is
   * provisioned before any row uses it. The sample and the run map with this plan.
   */
  async applyMaps(maps: Pick<MigrationOptions, 'statusMap' | 'typeMap' | 'unknownValueMap'>): Promise<MigrationPlan> {
    const state = this.state;
    const before = this.run;
    const options = { ...state.options, ...maps } as Partial<MigrationOptions>;
    const plan = await this.engine.discover(this.runId, state.licenseTier as LicenseTier, options);
    if (before?.extractionStartedOn && JSON.stringify((before.plan as MigrationPlan | null)?.options.typeMap ?? {}) !== JSON.stringify(plan.options.typeMap)) {
      // The tables exist already (prepare made them, over the budget only if the admin chose so): only choice values are added.
      await this.engine.provision(this.runId, false, { force: true });
    }
    // Reading the plan again does not undo what was done: the run keeps its status.
    if (before) this.store.saveRun({ ...this.run!, status: before.status });
    await this.engine.mirror(this.runId);
    await this.saveState({ options: options as Record<string, unknown> });
    return plan;
  }

  proposals(): ObjectProposal[] {
    const plan = this.run?.plan as MigrationPlan | null;
    if (!plan) return [];
    this.proposalsCache ??= proposeFromStaged(plan.schema, (object) => this.store.staged(object).map((s) => JSON.parse(s.json) as Record<string, unknown>));
    return this.proposalsCache;
  }

  async sample(): Promise<SampleResult> {
    const result = await this.leased(() => this.engine.sample(this.runId));
    await this.engine.mirror(this.runId);
    await this.saveState({ sampledOn: this.now().toISOString(), step: 'review', approved: false, approvedOn: null });
    return result;
  }

  /**
   * Approval: the review's decisions plus the map edits, validated against the mapped rows by the engine; problems
   * come back by name and nothing is approved.
   */
  async approve(approvedBy: string): Promise<{ problems: string[] }> {
    const state = this.state;
    const fromEdits = decisionsFromMapEdits(this.proposals(), state.mapEdits);
    const decisions: FieldDecision[] = [...state.decisions, ...fromEdits.decisions];
    try {
      this.engine.approve(this.runId, approvedBy, { decisions });
    } catch (e) {
      return { problems: [(e as Error).message, ...fromEdits.problems] };
    }
    await this.engine.mirror(this.runId);
    await this.saveState({ approved: true, approvedOn: this.run?.approval?.approvedOn ?? this.now().toISOString(), step: 'run' });
    return { problems: fromEdits.problems };
  }

  async runFull(): Promise<RunSummary> {
    return this.leased(async () => {
      await this.saveState({ runRequest: null, step: 'run', paused: this.gate.paused });
      const summary = await this.engine.run(this.runId);
      await this.saveState({ runCompletedOn: summary.completedOn, step: 'delta' });
      return summary;
    });
  }

  async delta(): Promise<{ scan: DeltaScan; summary: RunSummary; deletions: { reported: number; applied: number; failed: string[] } }> {
    const result = await this.leased(() => this.engine.delta(this.runId));
    await this.saveState({ lastDeltaOn: this.run?.lastDeltaOn ?? this.now().toISOString(), step: 'verify' });
    return result;
  }

  async verify(): Promise<VerifyResult> {
    const result = await this.engine.verify(this.runId);
    await this.saveState({ verifiedOn: this.now().toISOString(), step: 'verify' });
    return result;
  }

  async pause(): Promise<void> {
    this.gate.pause();
    await this.saveState({ paused: true });
  }

  async resume(): Promise<void> {
    this.gate.resume();
    await this.saveState({ paused: false });
  }
}
