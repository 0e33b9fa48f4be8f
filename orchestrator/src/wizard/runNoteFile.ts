// In the wizard the firm's trust ledger export (Actionstep has no trust API) is a file the admin attaches to the
// Migration Run row: a note with an attachment on the row's timeline, the way Dynamics attaches files to a record.
// The note's documentbody is base64 (Web API "annotation EntityType": documentbody, "Contents of the note's
// attachment"); the newest spreadsheet attached wins, so a corrected export simply goes on top.
import type { SinkPort } from '../ports';
import { tableInfo } from '../load/tables';

export interface AttachedFile {
  name: string;
  bytes: Uint8Array;
}

/** Where the wizard looks for the export, in the admin's words (for "not given" and "cannot be read" messages). */
export const RUN_NOTE_TRUST_LEDGER = 'a note on this Migration Run row with the Trust Account Ledgers export (CSV or .xlsx) attached';

const LEDGER_FILE = /\.(csv|txt|xlsx|xlsm|xls)$/i;

function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The newest CSV or Excel file attached to the run's row, or null when none is. */
export async function newestRunAttachment(sink: SinkPort, runId: string): Promise<AttachedFile | null> {
  const run = tableInfo('astep_migrationrun');
  const [row] = await sink.readByValues(run, 'astep_runid', [runId], [run.primaryIdAttribute]);
  const rowId = row?.[run.primaryIdAttribute];
  if (typeof rowId !== 'string') return null;
  let newest: { name: string; body: string; createdOn: string } | null = null;
  const filter = `_objectid_value eq ${rowId} and isdocument eq true`;
  for await (const page of sink.readAll(tableInfo('annotation'), ['filename', 'documentbody', 'createdon'], filter)) {
    for (const n of page) {
      const name = String(n.filename ?? '');
      if (!LEDGER_FILE.test(name) || typeof n.documentbody !== 'string') continue;
      const createdOn = String(n.createdon ?? '');
      if (!newest || createdOn > newest.createdOn) newest = { name, body: n.documentbody, createdOn };
    }
  }
  return newest ? { name: newest.name, bytes: base64Bytes(newest.body) } : null;
}
