// Props and data shapes of the Diff Viewer. The diff document is what orchestrator/src/diff/sample.ts writes to
// astep_diffjson; it is repeated here (not imported) because the control bundles alone into Dynamics.
import type { StringKey } from './strings/keys';

export type DiffStatus = 'match' | 'mismatch';

export interface DiffEntry {
  table: string;
  key: string;
  targetId: string | null;
  sourceResource: string;
  sourceId: string;
  column: string;
  source: unknown;
  expected: unknown;
  actual: unknown;
  status: DiffStatus;
  reason: string;
}

/** What the sample covers: every matter type and role should appear before the sample is approved. */
export interface SampleCoverage {
  matterTypes: string[];
  roles: string[];
  timeEntries: number;
  missingMatterTypes: string[];
  missingRoles: string[];
}

export interface DiffDocument {
  runId: string;
  matterIds: string[];
  rowCount: number;
  coverage: SampleCoverage | null;
  tables: unknown[];
  diff: DiffEntry[];
  diffFields: number;
  mismatches: number;
}

export type DecisionAction = 'accept' | 'correct';

export interface FieldDecision {
  table: string;
  column: string;
  action: DecisionAction;
  /** A corrected target column name or a note; only with action 'correct'. */
  correction?: string;
}

/** What the control writes to astep_wizardstate. */
export interface ReviewDecisions {
  approved: boolean;
  approvedOn: string | null;
  decisions: FieldDecision[];
}

export interface DiffFilter {
  table?: string;
  column?: string;
  status?: DiffStatus;
  reason?: string;
}

/** Resolves a resx key, with `{0}`-style arguments. */
export type Translate = (key: StringKey, ...args: Array<string | number>) => string;

export interface DiffViewerProps {
  /** The parsed document, or why it could not be read. */
  document: DiffDocument | null;
  loadError: string | null;
  review: ReviewDecisions;
  onReviewChange: (review: ReviewDecisions) => void;
  t: Translate;
  /** Injected so approval times are testable. */
  now?: () => Date;
  /** Height of the scrolling list in pixels (the list virtualizes within it). */
  listHeightInPx?: number;
}
