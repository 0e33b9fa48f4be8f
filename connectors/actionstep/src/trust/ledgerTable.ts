// The trust ledger report as a table of printed cells (from a CSV or an Excel export alike) read into rows per
// matter. Actionstep has no trust API (reference "Trust accounting: [U]"; integrators' notes 2026-12-04): the firm
// exports the report from Reports > Trust / Client Reports. Its layout is documented only in words: "A table is created
// for each matter" with the matter's ID and name, dates, reference, debits, credits and the running balance
// (support.actionstep.com, "Trust Account Ledgers Report"; "Trust / Client Matter Accounts Ledger Report" prints
// Client Debit / Client Credit / Client Balance). So columns are found by name among the variants those reports and
// firms' own spreadsheets use, title lines above the header are passed over, a matter heading row may stand for the
// rows below it, and totals are not transactions. Nothing is guessed silently: a cell that cannot be read is a
// problem naming the row, the column and the rule, and the running balance is checked row by row.
import type { ParsedTrustLedger, TrustLedgerProblem, TrustLedgerRow, TrustLedgerRule } from '../records';
import { formatAmount, matterIdOf, parseAmount, parseLedgerDate } from './ledgerValues';

export type LedgerColumn = 'matter' | 'matterReference' | 'date' | 'transactionType' | 'reference' | 'description' | 'amountIn' | 'amountOut' | 'balance';

/** Header names per column, compared lower-case with everything but letters and digits removed. */
const ALIASES: Record<LedgerColumn, string[]> = {
  matter: ['matterid', 'matter', 'actionid', 'matterno', 'matternumberid', 'matterid/name', 'matteridname', 'action'],
  matterReference: ['matterreference', 'matterref', 'filereference', 'fileref', 'actionreference', 'yourref'],
  date: ['date', 'transactiondate', 'entrydate', 'datepaid', 'datereceived', 'datepaidreceived', 'txdate'],
  transactionType: ['transactiontype', 'type', 'txtype', 'paymentmethod', 'referencepaymentmethod'],
  reference: ['reference', 'references', 'transactionreference', 'receiptnumber', 'receiptno', 'ref', 'txno'],
  description: ['description', 'narrative', 'details', 'memo', 'reason', 'paidtoreason', 'receivedfromreason'],
  amountIn: ['clientcredit', 'credit', 'credits', 'deposit', 'deposits', 'amountin', 'in', 'moneyin', 'receipt', 'receipts', 'received'],
  amountOut: ['clientdebit', 'debit', 'debits', 'withdrawal', 'withdrawals', 'amountout', 'out', 'moneyout', 'payment', 'payments', 'paid'],
  balance: ['clientbalance', 'balance', 'runningbalance', 'trustbalance'],
};
const REQUIRED: LedgerColumn[] = ['matter', 'date', 'amountIn', 'amountOut', 'balance'];
const HEADER_SEARCH_ROWS = 25;

export const TRUST_RULE = {
  noMatter: 'trust ledger: row without a matter id',
  date: 'trust ledger: not a date',
  amount: 'trust ledger: not an amount',
  running: 'trust ledger: running balance does not add up',
} as const satisfies Record<string, TrustLedgerRule>;

export class TrustLedgerFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrustLedgerFileError';
  }
}

export interface ReadLedgerOptions {
  source: string;
  format: 'csv' | 'xlsx';
  /** Dates like 05/03/2024 are day first (default), as Actionstep prints them for AU, NZ and UK firms. */
  dayFirst?: boolean;
}

const key = (h: string) => h.toLowerCase().replace(/[^a-z0-9]/g, '');
const OPENING = /opening balance|brought forward|\bb\/f\b|balance b\/?fwd/i;
const TOTAL = /^(?:grand\s+)?totals?\b|^closing balance|carried forward|\bc\/f\b/i;

function findHeader(table: string[][]): { at: number; index: Map<LedgerColumn, number> } | null {
  for (let r = 0; r < Math.min(table.length, HEADER_SEARCH_ROWS); r++) {
    const index = new Map<LedgerColumn, number>();
    table[r].forEach((cell, i) => {
      const k = key(cell);
      if (!k) return;
      for (const [col, aliases] of Object.entries(ALIASES) as Array<[LedgerColumn, string[]]>) {
        if (!index.has(col) && aliases.includes(k)) {
          index.set(col, i);
          break;
        }
      }
    });
    if (REQUIRED.every((c) => index.has(c))) return { at: r, index };
  }
  return null;
}

/** Reads the table; throws TrustLedgerFileError only when the file as a whole cannot be a trust ledger. */
export function readLedgerTable(table: string[][], options: ReadLedgerOptions): ParsedTrustLedger {
  const { source, format } = options;
  const nonEmpty = table.filter((row) => row.some((c) => c.trim() !== ''));
  if (nonEmpty.length === 0) throw new TrustLedgerFileError(`The trust ledger export ${source} is empty.`);
  const found = findHeader(table);
  if (!found) {
    const first = nonEmpty[0].filter((c) => c.trim()).join(', ');
    throw new TrustLedgerFileError(
      `The trust ledger export ${source} has no header row with the columns ${REQUIRED.map(label).join(', ')} `
      + `(first line: ${first}). Export the Trust Account Ledgers report from Actionstep (Reports > Trust / Client Reports) with its column headings.`,
    );
  }
  const { at, index } = found;
  const header = table[at];
  const headerKey = header.map(key).join('|');
  const rows: TrustLedgerRow[] = [];
  const problems: TrustLedgerProblem[] = [];
  const previous = new Map<string, { balance: number; line: number }>();
  let headingMatter: string | null = null;

  for (let r = at + 1; r < table.length; r++) {
    const cells = table[r];
    const line = r + 1;
    const cell = (c: LedgerColumn): string => (index.has(c) ? (cells[index.get(c) as number] ?? '').trim() : '');
    const name = (c: LedgerColumn) => header[index.get(c) as number];
    if (!cells.some((c) => c.trim() !== '')) continue;
    if (cells.map(key).join('|') === headerKey) continue; // the header again, above the next matter's table
    const firstText = cells.find((c) => c.trim() !== '')?.trim() ?? '';
    const moneyCells = [cell('amountIn'), cell('amountOut'), cell('balance')];
    if (TOTAL.test(firstText) || (TOTAL.test(cell('description')) && !cell('date'))) continue;
    const matterCell = cell('matter');
    const matterId = matterCell ? matterIdOf(matterCell) : undefined;
    if (matterId && !cell('date') && moneyCells.every((m) => m === '')) {
      headingMatter = matterId; // "Matter: 1234 - Smith v Jones" above that matter's rows
      continue;
    }
    const actionId = matterId ?? (matterCell ? null : headingMatter);
    const problem = (c: LedgerColumn, rule: TrustLedgerRule, what: string) => problems.push({
      line, column: name(c), actionId, rule, value: cell(c),
      message: `${source} row ${line}${actionId ? ` (matter ${actionId})` : ''}, column "${name(c)}": ${JSON.stringify(cell(c))} ${what}`,
    });
    if (!actionId) {
      problem('matter', TRUST_RULE.noMatter, matterCell ? 'does not start with a matter id' : 'is empty and no matter heading comes before it');
      continue;
    }
    const date = parseLedgerDate(cell('date'), options.dayFirst ?? true);
    const amountIn = parseAmount(cell('amountIn'));
    const amountOut = parseAmount(cell('amountOut'));
    const balance = parseAmount(cell('balance'));
    let readable = true;
    if (!date) {
      problem('date', TRUST_RULE.date, `is not a date (${options.dayFirst === false ? 'MM/DD/YYYY' : 'DD/MM/YYYY'} or YYYY-MM-DD)`);
      readable = false;
    }
    for (const [c, v] of [['amountIn', amountIn], ['amountOut', amountOut]] as const) {
      if (v === undefined) {
        problem(c, TRUST_RULE.amount, 'is not an amount');
        readable = false;
      }
    }
    if (balance === undefined || balance === null) {
      problem('balance', TRUST_RULE.amount, balance === null ? 'is empty: the running balance is needed' : 'is not an amount');
      readable = false;
    }
    if (!readable) continue;
    const described = `${cell('transactionType')} ${cell('description')} ${cell('reference')}`;
    const opening = OPENING.test(described) && !amountIn && !amountOut;
    const moneyIn = amountIn ?? 0, moneyOut = amountOut ?? 0, printedBalance = balance as number;
    const before = previous.get(actionId);
    if (!opening) {
      // The report's own arithmetic: this row's balance follows from the row above it (from nothing on the first row).
      const expected = round2((before?.balance ?? 0) + moneyIn - moneyOut);
      if (expected !== round2(printedBalance)) {
        problem('balance', TRUST_RULE.running,
          `does not follow from ${before ? `row ${before.line}'s balance ${formatAmount(before.balance)}` : 'an opening balance of 0.00 (the matter\'s first row)'} `
          + `+ in ${formatAmount(moneyIn)} − out ${formatAmount(moneyOut)} = ${formatAmount(expected)}`);
      }
    }
    previous.set(actionId, { balance: printedBalance, line });
    rows.push({
      actionId,
      matterReference: cell('matterReference') || null,
      date: date as string,
      transactionType: cell('transactionType') || typeOf(opening, moneyIn, moneyOut),
      reference: cell('reference') || null,
      description: cell('description') || null,
      amountIn: moneyIn,
      amountOut: moneyOut,
      balance: printedBalance,
      line,
      printed: { date: cell('date'), amountIn: cell('amountIn'), amountOut: cell('amountOut'), balance: cell('balance') },
      ...(opening ? { opening: true } : {}),
    });
  }
  return { source, format, header, rows, problems };
}

/** The report has no type column (the Matter Accounts Ledger layout): what the amounts say. */
function typeOf(opening: boolean, moneyIn: number, moneyOut: number): string {
  if (opening) return 'Opening balance';
  if (moneyIn) return moneyIn > 0 ? 'Receipt' : 'Receipt reversal';
  return moneyOut >= 0 ? 'Payment' : 'Payment reversal';
}

function label(c: LedgerColumn): string {
  return { matter: 'Matter', matterReference: 'Matter Reference', date: 'Date', transactionType: 'Type', reference: 'Reference', description: 'Description', amountIn: 'Credit (in)', amountOut: 'Debit (out)', balance: 'Balance' }[c];
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
