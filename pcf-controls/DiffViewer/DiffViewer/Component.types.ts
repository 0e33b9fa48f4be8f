// Props and data shapes of the Diff Viewer. The diff entries and decisions are the engine's own types
// (orchestrator/src/diff/sample.ts writes astep_diffjson; type-only imports, so nothing of the engine is bundled).
import type { DiffEntry, DiffLabels, SampleSelection } from '@astep/orchestrator/diff/sample';
import type { LocaleSettings } from '@astep/orchestrator/vocabulary/format';
import type { FieldDecision as EngineFieldDecision } from '@astep/orchestrator/transform/corrections';
import type { StringKey } from './strings/keys';

export type { DiffEntry };
export type DiffStatus = DiffEntry['status'];

/** What the sample covers: every matter type and role should appear before the sample is approved. */
export type SampleCoverage = SampleSelection['coverage'];

export interface DiffDocument {
  runId: string;
  matterIds: string[];
  rowCount: number;
  coverage: SampleCoverage | null;
  tables: unknown[];
  diff: DiffEntry[];
  diffFields: number;
  mismatches: number;
  /** Names and labels people see (field display names, record names, choice and lookup labels); absent in older samples. */
  labels?: DiffLabels;
}

export type DecisionAction = 'accept' | 'correct';

/** The decisions a reviewer makes here (the engine also knows 'exclude', which the wizard's Map step makes). */
export type FieldDecision = EngineFieldDecision & { action: DecisionAction };

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
  /** The reader's locale and time zone for dates and numbers (default: the browser's). */
  locale?: LocaleSettings;
  /** Level of the title heading: 2 on its own form tab, deeper inside the wizard's step. */
  headingLevel?: 2 | 3 | 4;
  /**
   * Whether this copy offers "Approve sample". Approval has one place, the wizard's Review step (the engine checks
   * the decisions there); the form's Diff Viewer tab records decisions and shows the approval.
   */
  canApprove?: boolean;
}
