// The Mapping Wizard's state on the Migration Run row (astep_wizardstate, JSON). Shared by the wizard control, the
// Diff Viewer (which writes `approved`, `approvedOn` and `decisions` at the top level) and the command-bar scripts
// ("Start run" leaves a `runRequest` the wizard picks up). Every writer keeps the keys it does not own, so no one
// erases another's part. Browser-safe: no Node imports.
import type { FieldDecision } from '../transform/corrections';

export const WIZARD_STEPS = ['connect', 'discover', 'map', 'sample', 'review', 'run', 'delta', 'verify'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** One edited field of the proposed map: the admin's choice of target column (null: do not migrate the field). */
export interface MapEdit {
  object: string;
  sourceField: string;
  targetColumn: string | null;
}

export interface RunRequest {
  requestedOn: string;
  requestedBy: string;
}

export interface WizardState {
  version: 1;
  /** The furthest step reached; a reload opens here. */
  step: WizardStep;
  /** The Power Platform connection (custom connector "Actionstep") the run reads through. */
  connectionId: string | null;
  licenseTier: string | null;
  /** Plan options the admin changed on Discover. */
  options: Record<string, unknown>;
  mapEdits: MapEdit[];
  /** Written by the Diff Viewer (or the wizard's Review step). */
  approved: boolean;
  approvedOn: string | null;
  decisions: FieldDecision[];
  /** Set by the "Start run" command; the wizard starts the run and clears it. */
  runRequest: RunRequest | null;
  /** Engine milestones, so a reload knows what is done without re-reading everything. */
  extractedOn: string | null;
  /** Records staged per resource (in astep_stagingrow), each resource added when its staging completes. */
  stagedCounts: Record<string, number> | null;
  /** When staging began (the delta watermark), kept from the first resource on, so a reload mid-staging keeps it. */
  stagingStartedOn: string | null;
  sampledOn: string | null;
  runCompletedOn: string | null;
  lastDeltaOn: string | null;
  verifiedOn: string | null;
  /** Set by the "Roll back run" command: the run's results and verification describe Dynamics before the rollback. */
  rolledBackOn: string | null;
  /** False when that rollback left records alone (changed after the run, or with records people added under them). */
  rollbackComplete: boolean;
  /** Run progress for a reload during a run: how far it got, and whether the admin paused it. */
  paused: boolean;
  updatedOn: string | null;
}

export const EMPTY_WIZARD_STATE: WizardState = {
  version: 1, step: 'connect', connectionId: null, licenseTier: null, options: {}, mapEdits: [], approved: false, approvedOn: null,
  decisions: [], runRequest: null, extractedOn: null, stagedCounts: null, stagingStartedOn: null, sampledOn: null, runCompletedOn: null, lastDeltaOn: null, verifiedOn: null,
  rolledBackOn: null, rollbackComplete: true, paused: false, updatedOn: null,
};

const isStep = (s: unknown): s is WizardStep => typeof s === 'string' && (WIZARD_STEPS as readonly string[]).includes(s);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
/** `{ resource: count }` with whole non-negative counts only; anything else is not a count map. */
const counts = (v: unknown): Record<string, number> | null => {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
  const out: Record<string, number> = {};
  for (const [k, n] of Object.entries(v as Record<string, unknown>)) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) return null;
    out[k] = n;
  }
  return out;
};

function parseObject(raw: string | null | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const v = JSON.parse(raw) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    // An unreadable value (hand-edited column) starts the wizard over rather than failing the form.
    return {};
  }
}

/** The review's per-field decisions as saved; malformed entries are left out one by one. */
export function parseDecisions(value: unknown): FieldDecision[] {
  const decisions: FieldDecision[] = [];
  for (const d of Array.isArray(value) ? value : []) {
    const r = d as Record<string, unknown>;
    if (typeof r?.table !== 'string' || typeof r.column !== 'string') continue;
    if (r.action === 'accept') decisions.push({ table: r.table, column: r.column, action: 'accept' });
    else if (r.action === 'correct' && typeof r.correction === 'string') decisions.push({ table: r.table, column: r.column, action: 'correct', correction: r.correction });
    else if (r.action === 'exclude') decisions.push({ table: r.table, column: r.column, action: 'exclude' });
  }
  return decisions;
}

/**
 * Writes some keys of the column and keeps every other key of its previous value: the one merge every writer of
 * astep_wizardstate uses (the wizard, the Diff Viewer, the "Start run" command).
 */
export function mergeIntoColumn(previousRaw: string | null | undefined, keys: Record<string, unknown>): string {
  return JSON.stringify({ ...parseObject(previousRaw), ...keys });
}

/** Reads the column; unknown or malformed parts fall back to their defaults, one by one. */
export function parseWizardState(raw: string | null | undefined): WizardState {
  const o = parseObject(raw);
  const mapEdits: MapEdit[] = [];
  for (const e of Array.isArray(o.mapEdits) ? o.mapEdits : []) {
    const r = e as Record<string, unknown>;
    if (typeof r?.object === 'string' && typeof r.sourceField === 'string' && (typeof r.targetColumn === 'string' || r.targetColumn === null)) {
      mapEdits.push({ object: r.object, sourceField: r.sourceField, targetColumn: r.targetColumn });
    }
  }
  const rr = o.runRequest as Record<string, unknown> | null | undefined;
  return {
    version: 1,
    step: isStep(o.step) ? o.step : 'connect',
    connectionId: str(o.connectionId),
    licenseTier: str(o.licenseTier),
    options: o.options && typeof o.options === 'object' && !Array.isArray(o.options) ? (o.options as Record<string, unknown>) : {},
    mapEdits,
    approved: o.approved === true,
    approvedOn: str(o.approvedOn),
    decisions: parseDecisions(o.decisions),
    runRequest: rr && typeof rr.requestedOn === 'string' ? { requestedOn: rr.requestedOn, requestedBy: String(rr.requestedBy ?? '') } : null,
    extractedOn: str(o.extractedOn),
    stagedCounts: counts(o.stagedCounts),
    stagingStartedOn: str(o.stagingStartedOn),
    sampledOn: str(o.sampledOn),
    runCompletedOn: str(o.runCompletedOn),
    lastDeltaOn: str(o.lastDeltaOn),
    verifiedOn: str(o.verifiedOn),
    rolledBackOn: str(o.rolledBackOn),
    rollbackComplete: o.rollbackComplete !== false,
    paused: o.paused === true,
    updatedOn: str(o.updatedOn),
  };
}

/** Writes the column: the previous value's keys this contract does not know are kept (another writer owns them). */
export function serializeWizardState(state: WizardState, previousRaw?: string | null): string {
  return mergeIntoColumn(previousRaw, { ...state });
}

/** Applies a partial change to the column's current value and returns the new value. */
export function patchWizardState(previousRaw: string | null | undefined, patch: Partial<WizardState>): string {
  return serializeWizardState({ ...parseWizardState(previousRaw), ...patch }, previousRaw);
}

export function stepIndex(step: WizardStep): number {
  return WIZARD_STEPS.indexOf(step);
}
