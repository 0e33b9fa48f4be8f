// The engine as the Mapping Wizard drives it inside Dynamics: the same MigrationEngine as the command line, with the
// Actionstep source behind the connector runtime, the Dataverse sink on the page's Web API, and a store that keeps
// staging in Dataverse (astep_stagingrow) and only bounded bookkeeping in the tab. Everything a reload needs lives
// in Dataverse: the Migration Run row (plan with its schema, diff, summary, approval, extraction start; written by
// mirror; astep_wizardstate for step, options, edits, milestones), the staged rows and the audit. A reload rebuilds
// from them without calling Actionstep; a run the command line extracted (and mirrored) continues here the same way.
import type { LicenseTier, MigrationOptions } from '../options';
import type { MigrationPlan } from '../plan/migrationPlan';
import type { ProgressReporter, RunState, SinkPort, SourcePort, TrustLedgerPort } from '../ports';
import { MigrationEngine, STAGED_RESOURCES, type RunSummary, type SampleResult } from '../run/engine';
import type { VerifyResult } from '../safety/verify';
import type { DeltaScan } from '../safety/delta';
import { tableInfo } from '../load/tables';
import { loadAuditFromDataverse, type AuditRowsReader } from '../safety/rollbackFromDataverse';
import type { ObjectProposal } from '../proposer/proposeMap';
import { DataverseStagingStore, type StagingRowsReader } from '../store/dataverseStagingStore';
import { adoptAudit, markExtracted, readRunRow, runStateFromRow, type RunRow } from '../store/stagingMirror';
import { PausableSink, WriteGate } from './pausableSink';
import { decisionsFromMapEdits, MAPPED_OBJECTS, PROFILE_RECORDS, proposeFromStaged } from './proposeFromStaged';
import { parseWizardState, serializeWizardState, stepIndex, type WizardState, type WizardStep } from './wizardState';
import type { FieldDecision } from '../transform/corrections';
import { withRunLease, type LeaseHolder } from '../safety/runLease';

export type { RunRow };

/** The Migration Run row, read and written by the wizard (browser: typed through Xrm.WebApi; default: the sink). */
export interface RunRowAccess {
  read(runId: string): Promise<RunRow | null>;
  writeWizardState(runId: string, stateJson: string): Promise<void>;
}

export { newestRunAttachment, RUN_NOTE_TRUST_LEDGER } from './runNoteFile';

export interface WizardSessionDeps {
  runId: string;
  source: SourcePort;
  sink: SinkPort;
  progress: ProgressReporter;
  /** Staged rows (default: read through the sink). */
  stagingReader?: StagingRowsReader;
  /** The run row (default: through the sink). */
  runRows?: RunRowAccess;
  /** The run's audit rows (default: through the sink). */
  auditRows?: AuditRowsReader;
  now?: () => Date;
  /** Who this wizard session is when it holds the run's lease (default: a fresh id, "the Mapping Wizard"). */
  leaseHolder?: LeaseHolder;
  /** The firm's trust ledger export (the control reads it from a note on the run's row: runNoteFile.ts). */
  trustLedger?: TrustLedgerPort;
}

/** The run row through the engine's sink: by its run id (alternate key). */
export function sinkRunRows(sink: SinkPort): RunRowAccess {
  return {
    read: (runId) => readRunRow(sink, runId),
    async writeWizardState(runId, stateJson) {
      const [res] = await sink.upsert(tableInfo('astep_migrationrun'), [{ key: { astep_runid: runId }, attributes: { astep_wizardstate: stateJson }, ref: `run ${runId}` }]);
      if (res.outcome === 'failed') throw new Error(res.message ?? 'the write failed');
    },
  };
}

/** The wizard step a run reached, from the status the engine mirrored (a run the command line took this far). */
function stepFromStatus(status: string): WizardStep {
  if (['Completed', 'Completed With Errors', 'Rolling Back', 'Rolled Back'].includes(status)) return 'delta';
  if (['Approved', 'Run Requested', 'Running', 'Failed'].includes(status)) return 'run';
  if (status === 'Sampled') return 'review';
  return 'map';
}

export class WizardSession {
  readonly store: DataverseStagingStore;
  readonly gate = new WriteGate();
  readonly engine: MigrationEngine;
  readonly runId: string;
  private readonly sink: SinkPort;
  private readonly runRows: RunRowAccess;
  private readonly now: () => Date;
  private stateRaw: string | null = null;
  private proposalsCache: ObjectProposal[] | null = null;
  private readonly leaseHolder: LeaseHolder;

  constructor(private readonly deps: WizardSessionDeps) {
    this.runId = deps.runId;
    this.now = deps.now ?? (() => new Date());
    this.sink = new PausableSink(deps.sink, this.gate);
    this.runRows = deps.runRows ?? sinkRunRows(deps.sink);
    // Staging writes go through the pausable sink too: a pause holds them like every other write. A resource's
    // completed staging is kept in the wizard state, so a reload mid-staging does not read it from Actionstep again.
    this.store = new DataverseStagingStore(deps.runId, this.sink, deps.stagingReader, (name, value) => this.stagingCheckpoint(name, value));
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

  /**
   * Reads the row (by its run id) and rebuilds the run from it: plan, extraction, sample, approval, summary, audit.
   * Staging stays in Dataverse. Actionstep is not called; only a row without a readable plan (written by an older
   * version) makes discovery run again.
   */
  async load(): Promise<WizardState> {
    const row = await this.runRows.read(this.runId);
    if (row) await this.loadAudit();
    this.stateRaw = row?.astep_wizardstate ?? null;
    let state = this.state;
    const fromRow = row ? runStateFromRow(this.runId, row) : null;
    if (fromRow && row) {
      if (!state.extractedOn && fromRow.extractionCompletedOn) {
        // Extracted elsewhere (the command line mirrored plan and staging): continue from there.
        const plan = fromRow.plan as MigrationPlan;
        this.deps.progress.log(`Continuing run ${this.runId}, extracted on ${fromRow.extractionStartedOn}, from its staged records in Dataverse`);
        state = {
          ...state,
          licenseTier: state.licenseTier ?? plan.destination.licenseTier,
          extractedOn: fromRow.extractionStartedOn,
          step: stepIndex(state.step) >= stepIndex(stepFromStatus(fromRow.status)) ? state.step : stepFromStatus(fromRow.status),
          approved: state.approved || !!row.astep_approvedon,
          approvedOn: state.approvedOn ?? row.astep_approvedon ?? null,
          sampledOn: state.sampledOn ?? (fromRow.sample ? fromRow.extractionStartedOn : null),
        };
        this.stateRaw = serializeWizardState(state, this.stateRaw);
      }
      this.store.saveRun(fromRow);
    } else if (state.licenseTier && stepIndex(state.step) > stepIndex('discover')) {
      this.deps.progress.log('Resuming: the run row has no plan this version can read; reading the plan again from Actionstep and Dataverse');
      await this.engine.discover(this.runId, state.licenseTier as LicenseTier, state.options as Partial<MigrationOptions>);
    }
    this.restoring = true;
    try {
      if (state.extractedOn && this.run) {
        // Staged in Dataverse: every resource is done. The extraction start stays what it was (delta picks up changes
        // since then, not since the reload).
        markExtracted(this.store, this.runId, state.stagedCounts ?? {});
        this.store.saveRun({ ...this.run, extractionStartedOn: row?.astep_extractionstartedon ?? state.stagingStartedOn ?? state.extractedOn, extractionCompletedOn: this.run.extractionCompletedOn ?? state.extractedOn });
      } else if (state.stagedCounts && this.run) {
        // Interrupted mid-staging: the resources staged completely are not read again, and the watermark is the
        // first start (records changed since then are picked up by delta).
        for (const [resource, n] of Object.entries(state.stagedCounts)) this.store.setCheckpoint(`extract:${this.runId}:${resource}`, String(n));
        if (state.stagingStartedOn) this.store.saveRun({ ...this.run, extractionStartedOn: state.stagingStartedOn });
      }
    } finally {
      this.restoring = false;
    }
    const run = this.run;
    if (run) {
      const approvedOn = row?.astep_approvedon ?? (state.approved ? state.approvedOn : null);
      this.store.saveRun({
        ...run,
        sample: state.sampledOn ? run.sample : null,
        summary: state.runCompletedOn || fromRow?.summary ? run.summary : null,
        approval: approvedOn ? { approvedOn, approvedBy: row?.astep_approvedby ?? 'wizard', corrections: { decisions: state.decisions } } : null,
        lastDeltaOn: state.lastDeltaOn ?? undefined,
      });
    }
    return state;
  }

  private stagingCheckpoint(name: string, value: string | null): void {
    const prefix = `extract:${this.runId}:`;
    if (!name.startsWith(prefix) || value === null || this.restoring) return;
    const resource = name.slice(prefix.length);
    const state = this.state;
    void this.saveState({
      stagedCounts: { ...(state.stagedCounts ?? {}), [resource]: Number(value) },
      stagingStartedOn: state.stagingStartedOn ?? this.run?.extractionStartedOn ?? null,
    }).catch((e: unknown) => this.deps.progress.log(`could not record that ${resource} is staged: ${(e as Error).message}`));
  }

  /** True while load() restores checkpoints (they are already in the state). */
  private restoring = false;

  /** Staged records per resource, as the wizard shows them (counted in Dataverse once, then kept in the state). */
  async stagedCounts(): Promise<Record<string, number>> {
    if (this.state.stagedCounts) return this.state.stagedCounts;
    const counts: Record<string, number> = {};
    for (const r of STAGED_RESOURCES) counts[r] = await this.store.stagedCountAsync(r);
    await this.saveState({ stagedCounts: counts });
    return counts;
  }

  /**
   * The audit already on the row's astep_auditentry rows: new entries continue its sequence (an entry numbered
   * from 1 again would overwrite an earlier one, keyed runid|sequence, and a rollback would miss that write), and
   * delta finds what the run created.
   */
  private async loadAudit(): Promise<void> {
    const { entries } = await loadAuditFromDataverse(this.deps.sink, this.runId, this.deps.auditRows);
    adoptAudit(this.store, this.runId, entries);
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
    try {
      await this.runRows.writeWizardState(this.runId, next);
    } catch (e) {
      throw new Error(`could not save the wizard state of run ${this.runId}: ${(e as Error).message}`);
    }
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

  /** Creates the plan's tables and columns (idempotent), then stages the firm in Dataverse. */
  async prepare(options: { force?: boolean } = {}): Promise<Record<string, number>> {
    await this.engine.provision(this.runId, false, options);
    // The run row first: staged rows point at it.
    await this.engine.mirror(this.runId);
    const counts = await this.engine.extract(this.runId);
    this.proposalsCache = null;
    await this.engine.mirror(this.runId);
    await this.saveState({ extractedOn: this.run?.extractionStartedOn ?? this.now().toISOString(), stagedCounts: counts, step: 'map' });
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

  /** The proposer's map, from the first records staged of each mapped object (profiles need shapes, not all rows). */
  async proposals(): Promise<ObjectProposal[]> {
    const plan = this.run?.plan as MigrationPlan | null;
    if (!plan) return [];
    if (!this.proposalsCache) {
      const samples = new Map<string, Array<Record<string, unknown>>>();
      for (const m of MAPPED_OBJECTS) {
        const records: Array<Record<string, unknown>> = [];
        for await (const page of this.store.stagedPages(m.object, PROFILE_RECORDS)) {
          records.push(...page.map((x) => JSON.parse(x.json) as Record<string, unknown>));
          break;
        }
        samples.set(m.object, records);
      }
      this.proposalsCache = proposeFromStaged(plan.schema, (object) => samples.get(object) ?? []);
    }
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
    const fromEdits = decisionsFromMapEdits(await this.proposals(), state.mapEdits);
    const decisions: FieldDecision[] = [...state.decisions, ...fromEdits.decisions];
    try {
      await this.engine.approve(this.runId, approvedBy, { decisions });
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
