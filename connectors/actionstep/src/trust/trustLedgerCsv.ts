// Actionstep has no public trust API (reference §3 "Trust accounting"): firms export the trust ledger report as CSV.
// This parses that export into TrustLedgerEntry rows. Header names vary between report templates, so columns are
// matched by normalized name against a few aliases; a bad value stops with the row, the column and the rule.
import type { Buffer } from 'buffer';
import { parse } from 'csv-parse/sync';
import { ActionstepError } from '../errors';
import type { TrustLedgerEntry } from '../records';

type Column = keyof TrustLedgerEntry;

const ALIASES: Record<Column, string[]> = {
  actionId: ['matterid', 'actionid', 'matter'],
  matterReference: ['matterreference', 'matterref', 'actionreference', 'filereference'],
  date: ['date', 'transactiondate', 'entrydate'],
  transactionType: ['transactiontype', 'type'],
  reference: ['reference', 'transactionreference', 'receiptnumber', 'ref'],
  description: ['description', 'narrative', 'details'],
  amountIn: ['deposit', 'deposits', 'amountin', 'in', 'receipt', 'credit'],
  amountOut: ['withdrawal', 'withdrawals', 'amountout', 'out', 'payment', 'debit'],
  balance: ['balance', 'runningbalance'],
};
const REQUIRED: Column[] = ['actionId', 'date', 'transactionType', 'amountIn', 'amountOut', 'balance'];

export class TrustLedgerRowError extends ActionstepError {
  constructor(
    message: string,
    readonly row: number,
    readonly column: string,
  ) {
    super(message, { kind: 'parse' });
    this.name = 'TrustLedgerRowError';
  }
}

export interface ParseTrustLedgerOptions {
  /** Called for a bad row, which is then skipped; without it the first bad row throws. */
  onInvalidRow?: (error: TrustLedgerRowError) => void;
  /** Name used in messages, e.g. the URL or file the CSV came from. */
  source?: string;
}

export function parseTrustLedgerCsv(csv: string | Buffer, options: ParseTrustLedgerOptions = {}): TrustLedgerEntry[] {
  const source = options.source ?? 'trust ledger CSV';
  let rows: string[][];
  try {
    rows = parse(csv, { bom: true, skip_empty_lines: true, relax_column_count: false, trim: false }) as string[][];
  } catch (e) {
    // csv-parse's own message names the line (quotes, column counts).
    throw new ActionstepError(`Cannot read the ${source}: ${(e as Error).message}`, { kind: 'parse', cause: e });
  }
  if (rows.length === 0) throw new ActionstepError(`The ${source} is empty (no header row).`, { kind: 'parse' });
  const header = rows[0];
  const index = new Map<Column, number>();
  header.forEach((h, i) => {
    const key = h.toLowerCase().replace(/[^a-z0-9]/g, '');
    for (const [col, aliases] of Object.entries(ALIASES) as Array<[Column, string[]]>) {
      if (!index.has(col) && aliases.includes(key)) index.set(col, i);
    }
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new ActionstepError(
      `The ${source} lacks the column(s) ${missing.join(', ')} (header: ${header.join(', ')}).`,
      { kind: 'parse' },
    );
  }
  const out: TrustLedgerEntry[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const lineNo = r + 1; // 1-based, header is line 1
    const cell = (c: Column): string => (index.has(c) ? (row[index.get(c) as number] ?? '') : '');
    const fail = (c: Column, rule: string): TrustLedgerRowError => {
      const value = cell(c);
      const matter = cell('actionId') ? ` (matter ${cell('actionId')})` : '';
      return new TrustLedgerRowError(
        `${source} row ${lineNo}${matter}, column "${header[index.get(c) as number]}": ${JSON.stringify(value)} ${rule}.`,
        lineNo,
        header[index.get(c) as number],
      );
    };
    try {
      const actionId = cell('actionId').trim();
      if (!/^\d+$/.test(actionId)) throw fail('actionId', 'is not a matter id');
      const date = parseDate(cell('date'));
      if (!date) throw fail('date', 'is not a date (YYYY-MM-DD or DD/MM/YYYY)');
      const transactionType = cell('transactionType').trim();
      if (!transactionType) throw fail('transactionType', 'is empty');
      const money = (c: Column, allowEmpty: boolean): number => {
        const v = parseMoney(cell(c), allowEmpty);
        if (v === undefined) throw fail(c, allowEmpty ? 'is not an amount' : 'is not an amount (required)');
        return v;
      };
      out.push({
        actionId,
        matterReference: emptyToNull(cell('matterReference')),
        date,
        transactionType,
        reference: emptyToNull(cell('reference')),
        description: emptyToNull(cell('description')),
        amountIn: money('amountIn', true),
        amountOut: money('amountOut', true),
        balance: money('balance', false),
      });
    } catch (e) {
      if (e instanceof TrustLedgerRowError && options.onInvalidRow) options.onInvalidRow(e);
      else throw e;
    }
  }
  return out;
}

function emptyToNull(v: string): string | null {
  return v === '' ? null : v;
}

function parseDate(v: string): string | undefined {
  const s = v.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (match) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s))) [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else return undefined;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** "1,234.50", "$12.00", "(12.00)" (accounting negative), "-3". Empty: 0 when allowed. */
function parseMoney(v: string, allowEmpty: boolean): number | undefined {
  let s = v.trim();
  if (s === '') return allowEmpty ? 0 : undefined;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1);
  }
  s = s.replace(/[$,\s]/g, '');
  if (!/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  const n = Number(s);
  return negative ? -n : n;
}
