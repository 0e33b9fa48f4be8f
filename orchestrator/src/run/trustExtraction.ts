// The trust step of extraction: the export the firm gave (or none) into staging. Readable rows are staged as the
// matter's transactions; a row with a cell that cannot be read is staged as unreadable (it fails, by row and column,
// and its matter's trust figures become unknown); every problem is a finding. Without a file the trust mapping is
// not migrated, and the run says why and what to do: trust columns stay empty, never 0.00.
import type { ParsedTrustLedger, TrustLedgerProblem, TrustLedgerRow } from '@astep/actionstep-connector/records';
import type { StagedRecord, StateStore } from '../ports';
import type { SeedMapping } from '../mappings/seedMappings';
import { MAPPING_NAMES } from '../vocabulary/options';
import type { FindingLog } from './findings';

export const TRUST_RESOURCE = 'trustledger';
export const TRUST_MAPPING: SeedMapping = MAPPING_NAMES.trust;

/** Staging id of a row of the export: its row in the file (the export has no ids of its own). */
export const trustRowId = (line: number) => `L${line}`;
export const trustRowLine = (id: string) => Number(id.slice(1));

/** A row of the export that could not be read: staged so that it is counted, and fails with its problem. */
export interface UnreadableTrustRow {
  line: number;
  actionId: string | null;
  unreadable: TrustLedgerProblem;
}

export type StagedTrustRow = TrustLedgerRow | UnreadableTrustRow;
export const isUnreadable = (r: StagedTrustRow): r is UnreadableTrustRow => 'unreadable' in r;

/** What the extraction knows about the ledger: which file, or why there is none. */
export interface TrustLedgerStatus {
  given: boolean;
  /** The file read, or where one was looked for. */
  source: string;
  rows: number;
  unreadableRows: number;
  runningBalanceProblems: number;
}

/** A mapping the run does not migrate, with the reason and what the admin can do. */
export interface NotMigrated {
  mapping: SeedMapping;
  reason: string;
  whatToDo: string;
}

/** Stages the export read (replacing what was staged); its problems become findings. */
export async function stageTrustLedger(store: StateStore, ledger: ParsedTrustLedger | null, where: string, log: FindingLog): Promise<TrustLedgerStatus> {
  // Through the asynchronous methods: in the browser staging is in Dataverse (astep_stagingrow).
  await store.clearStagedAsync(TRUST_RESOURCE);
  if (!ledger) return { given: false, source: where, rows: 0, unreadableRows: 0, runningBalanceProblems: 0 };
  await store.stageAsync(stagedRows(ledger));
  for (const p of ledger.problems) {
    log.add(p.rule, { resource: TRUST_RESOURCE, id: trustRowId(p.line), field: p.column, value: p.value, message: p.message });
  }
  const unreadable = new Set(ledger.problems.filter((p) => p.rule !== 'trust ledger: running balance does not add up').map((p) => p.line));
  return {
    given: true, source: ledger.source, rows: ledger.rows.length, unreadableRows: unreadable.size,
    runningBalanceProblems: ledger.problems.filter((p) => p.rule === 'trust ledger: running balance does not add up').length,
  };
}

/** Rows and unreadable rows as staged records, in file order (one record per row of the file). */
export function stagedRows(ledger: ParsedTrustLedger): StagedRecord[] {
  const out: StagedRecord[] = ledger.rows.map((r) => ({ resource: TRUST_RESOURCE, id: trustRowId(r.line), json: JSON.stringify(r) }));
  const seen = new Set<number>();
  for (const p of ledger.problems) {
    if (p.rule === 'trust ledger: running balance does not add up' || seen.has(p.line)) continue;
    seen.add(p.line);
    const row: UnreadableTrustRow = { line: p.line, actionId: p.actionId, unreadable: p };
    out.push({ resource: TRUST_RESOURCE, id: trustRowId(p.line), json: JSON.stringify(row) });
  }
  return out.sort((a, b) => trustRowLine(a.id) - trustRowLine(b.id));
}

/** The mappings the run leaves out and why (today: trust, when no export was given). */
export function notMigrated(status: TrustLedgerStatus | null): NotMigrated[] {
  if (!status || status.given) return [];
  return [{
    mapping: TRUST_MAPPING,
    reason: 'not migrated: no trust ledger export given',
    whatToDo: `Actionstep has no trust API. In Actionstep, run Reports > Trust / Client Reports > Trust Account Ledgers for all matters `
      + `(show closed matters) over the whole period, export it as CSV or Excel, and give the file (${status.source}); then extract again. `
      + 'Until then the Trust Balance, Trust In and Trust Out of accounts and matters stay empty.',
  }];
}
