// Pure reading of the diff document and the review state: defensive about every raw value from the form.
import { mergeIntoColumn, parseWizardState } from '@astep/orchestrator/wizard/wizardState';
import { reasonKind } from '@astep/orchestrator/diff/display';
import type { DiffLabels } from '@astep/orchestrator/diff/sample';
import type { DiffDocument, DiffEntry, DiffFilter, FieldDecision, ReviewDecisions, SampleCoverage } from './Component.types';

export class DiffDocumentError extends Error {}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : v === null || v === undefined ? fallback : String(v));

/** Parses astep_diffjson. Empty → null; malformed → DiffDocumentError naming the entry and field. */
export function parseDiffDocument(raw: string | null | undefined): DiffDocument | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    throw new DiffDocumentError(`not JSON (${(e as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new DiffDocumentError('the document is not an object');
  const doc = data as Record<string, unknown>;
  if (!Array.isArray(doc.diff)) throw new DiffDocumentError('"diff" is missing or not a list');
  const diff: DiffEntry[] = doc.diff.map((e: unknown, i: number) => {
    if (!e || typeof e !== 'object') throw new DiffDocumentError(`diff[${i}] is not an object`);
    const r = e as Record<string, unknown>;
    if (typeof r.table !== 'string' || !r.table) throw new DiffDocumentError(`diff[${i}].table is missing`);
    if (typeof r.column !== 'string' || !r.column) throw new DiffDocumentError(`diff[${i}].column is missing`);
    if (r.status !== 'match' && r.status !== 'mismatch') throw new DiffDocumentError(`diff[${i}].status must be "match" or "mismatch", got ${JSON.stringify(r.status)}`);
    return {
      table: r.table, key: str(r.key), targetId: typeof r.targetId === 'string' ? r.targetId : null,
      sourceResource: str(r.sourceResource), sourceId: str(r.sourceId), column: r.column,
      source: r.source ?? null, expected: r.expected ?? null, actual: r.actual ?? null,
      status: r.status, reason: str(r.reason),
    };
  });
  return {
    runId: str(doc.runId),
    matterIds: Array.isArray(doc.matterIds) ? doc.matterIds.map((m) => str(m)) : [],
    rowCount: typeof doc.rowCount === 'number' ? doc.rowCount : 0,
    coverage: parseCoverage(doc.coverage),
    tables: Array.isArray(doc.tables) ? doc.tables : [],
    diff,
    diffFields: typeof doc.diffFields === 'number' ? doc.diffFields : diff.length,
    mismatches: typeof doc.mismatches === 'number' ? doc.mismatches : diff.filter((d) => d.status === 'mismatch').length,
    labels: parseLabels(doc.labels),
  };
}

/** The labels block, each map kept only if it is a map of strings (a hand-edited column never breaks the viewer). */
function parseLabels(raw: unknown): DiffLabels | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const r = raw as Record<string, unknown>;
  const strings = (v: unknown): Record<string, string> => Object.fromEntries(Object.entries(v && typeof v === 'object' ? v : {}).filter(([, x]) => typeof x === 'string')) as Record<string, string>;
  const fields: DiffLabels['fields'] = {};
  for (const [k, v] of Object.entries(r.fields && typeof r.fields === 'object' ? r.fields : {})) {
    const f = v as { label?: unknown; kind?: unknown };
    if (typeof f?.label === 'string' && typeof f.kind === 'string') fields[k] = { label: f.label, kind: f.kind as DiffLabels['fields'][string]['kind'] };
  }
  return { currency: typeof r.currency === 'string' ? r.currency : null, fields, records: strings(r.records), values: strings(r.values) };
}

function parseCoverage(raw: unknown): SampleCoverage | null {
  if (!raw || typeof raw !== 'object') return null;
  const c = raw as Record<string, unknown>;
  const list = (v: unknown) => (Array.isArray(v) ? v.map((x) => str(x)) : []);
  return {
    matterTypes: list(c.matterTypes), roles: list(c.roles), timeEntries: typeof c.timeEntries === 'number' ? c.timeEntries : 0,
    missingMatterTypes: list(c.missingMatterTypes), missingRoles: list(c.missingRoles),
  };
}

export const EMPTY_REVIEW: ReviewDecisions = { approved: false, approvedOn: null, decisions: [] };

/** Reads a saved review from astep_wizardstate (the wizard's contract); anything unreadable starts a fresh review. */
export function parseReview(raw: string | null | undefined): ReviewDecisions {
  const state = parseWizardState(raw);
  // The viewer shows accept and correct; the map's exclusions are the wizard's.
  const decisions = state.decisions.filter((d): d is FieldDecision => d.action === 'accept' || d.action === 'correct');
  return { approved: state.approved, approvedOn: state.approvedOn, decisions };
}

/**
 * The JSON written back. Other top-level keys already in astep_wizardstate (the Mapping Wizard shares the column)
 * are kept, so a review never erases the wizard's state.
 */
export function serializeReview(review: ReviewDecisions, previousRaw?: string | null): string {
  return mergeIntoColumn(previousRaw, { approved: review.approved, approvedOn: review.approvedOn, decisions: review.decisions });
}

export const fieldKey = (table: string, column: string): string => `${table}|${column}`;

/** The kind of a reason, for the Reason filter (the engine's grouping, shared with report.html). */
export { reasonKind };

export function filterEntries(entries: readonly DiffEntry[], filter: DiffFilter): DiffEntry[] {
  return entries.filter((e) =>
    (!filter.table || e.table === filter.table) &&
    (!filter.column || e.column === filter.column) &&
    (!filter.status || e.status === filter.status) &&
    (!filter.reason || reasonKind(e.reason) === filter.reason));
}

/** Distinct values for the filter dropdowns; fields and reason kinds narrow to the chosen object. */
export function filterOptions(entries: readonly DiffEntry[], filter: DiffFilter): { tables: string[]; columns: string[]; reasons: string[] } {
  const tables = new Set<string>();
  const columns = new Set<string>();
  const reasons = new Set<string>();
  for (const e of entries) {
    tables.add(e.table);
    if (filter.table && e.table !== filter.table) continue;
    columns.add(e.column);
    reasons.add(reasonKind(e.reason));
  }
  const sort = (s: Set<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return { tables: sort(tables), columns: sort(columns), reasons: sort(reasons) };
}

/** Fields (table + column) with at least one mismatch: each needs a decision before the sample can be approved. */
export function fieldsNeedingDecision(entries: readonly DiffEntry[]): string[] {
  const out = new Set<string>();
  for (const e of entries) if (e.status === 'mismatch') out.add(fieldKey(e.table, e.column));
  return [...out];
}

/** Sets or replaces the decision for one field; a changed decision withdraws an earlier approval. */
export function decide(review: ReviewDecisions, decision: FieldDecision): ReviewDecisions {
  const rest = review.decisions.filter((d) => fieldKey(d.table, d.column) !== fieldKey(decision.table, decision.column));
  const clean: FieldDecision = decision.action === 'correct'
    ? { table: decision.table, column: decision.column, action: 'correct', correction: (decision.correction ?? '').trim() }
    : { table: decision.table, column: decision.column, action: 'accept' };
  return { approved: false, approvedOn: null, decisions: [...rest, clean] };
}

export function approve(review: ReviewDecisions, now: Date): ReviewDecisions {
  return { ...review, approved: true, approvedOn: now.toISOString() };
}

/** A value as display text: strings verbatim (never parsed as HTML), other values as JSON. */
export function valueText(v: unknown, empty: string): string {
  if (v === null || v === undefined || v === '') return empty;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
