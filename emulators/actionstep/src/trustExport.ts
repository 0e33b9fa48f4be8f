// The trust ledger as the firm gets it: a report exported from Actionstep's UI, never an API (Actionstep has no trust
// endpoint: reference "Trust accounting: [U]" and the integrators' notes of 2026-12-04). The emulator writes that file
// the way a person would download it, with what real exports carry: a title and period above the header, one of two
// column layouts (Deposit/Withdrawal/Balance, or the Matter Accounts Ledger's Client Debit/Client Credit/Client
// Balance with a heading and a total per matter, support.actionstep.com "Trust / Client Matter Accounts Ledger
// Report"), currency symbols and thousands separators, reversals in brackets, dates day first (the firm is in New
// Zealand), and one planted typo: the closing balance of one matter printed wrong, which a reader must name.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { TrustLedgerEntry } from '@astep/actionstep-connector/records';

export type TrustExportLayout = 'deposits' | 'clientLedger';

export interface TrustExportOptions {
  format: 'csv' | 'xlsx';
  /** Default: `deposits` for odd seeds, `clientLedger` for even ones. */
  layout?: TrustExportLayout;
  /** Plant one misprinted closing balance (default true). */
  plantMismatch?: boolean;
}

export interface TrustExport {
  bytes: Uint8Array;
  fileName: string;
  layout: TrustExportLayout;
  /** Row of the file whose printed balance is wrong, and by how much; null when none was planted. */
  planted: { actionId: string; line: number; printedBalance: number; trueBalance: number } | null;
}

const MISPRINT = 100;

/** Rows in report order (matter, then date), as the acting user may see them. */
export async function trustLedgerExport(entries: TrustLedgerEntry[], seed: number, options: TrustExportOptions): Promise<TrustExport> {
  const layout = options.layout ?? (seed % 2 === 1 ? 'deposits' : 'clientLedger');
  const byMatter = new Map<string, TrustLedgerEntry[]>();
  for (const e of entries) byMatter.set(e.actionId, [...(byMatter.get(e.actionId) ?? []), e]);
  // The typo sits on the closing row of the first matter with at least two rows.
  const typoMatter = options.plantMismatch === false ? null : [...byMatter.entries()].find(([, list]) => list.length >= 2)?.[0] ?? null;
  const dates = entries.map((e) => e.date).sort();
  const period = dates.length ? `Period: ${dayFirst(dates[0])} to ${dayFirst(dates[dates.length - 1])}` : 'Period: (no transactions)';
  const table: Cell[][] = [[text('Trust Account Ledgers Report')], [text(period)], []];
  let planted: TrustExport['planted'] = null;
  const header = (layout === 'deposits'
    ? ['Matter ID', 'Matter Reference', 'Date', 'Transaction Type', 'Reference', 'Description', 'Deposit', 'Withdrawal', 'Balance']
    : ['Matter', 'Date', 'Reference', 'Reason', 'Client Debit', 'Client Credit', 'Client Balance']).map(text);
  if (layout === 'deposits') table.push(header);
  for (const [actionId, list] of byMatter) {
    if (layout === 'clientLedger') table.push(header, [{ text: `${actionId} - ${list[0].matterReference ?? ''}`.trim() }]);
    list.forEach((e, i) => {
      let balance = e.balance;
      if (actionId === typoMatter && i === list.length - 1) {
        balance = Math.round((e.balance + MISPRINT) * 100) / 100;
        planted = { actionId, line: table.length + 1, printedBalance: balance, trueBalance: e.balance };
      }
      table.push(layout === 'deposits'
        ? [{ number: Number(actionId) }, { text: e.matterReference ?? '' }, { date: e.date }, { text: e.transactionType }, { text: e.reference ?? '' }, { text: e.description ?? '' },
          money(e.amountIn || null), money(e.amountOut || null), money(balance)]
        : [{ text: '' }, { date: e.date }, { text: e.reference ?? '' }, { text: e.description ?? '' }, money(e.amountOut || null), money(e.amountIn || null), money(balance)]);
    });
    if (layout === 'clientLedger') {
      const sum = (f: (e: TrustLedgerEntry) => number) => Math.round(list.reduce((s, e) => s + f(e), 0) * 100) / 100;
      table.push([{ text: 'Total' }, { text: '' }, { text: '' }, { text: '' }, money(sum((e) => e.amountOut)), money(sum((e) => e.amountIn)), { text: '' }]);
    }
  }
  const fileName = `trust-ledger.${options.format}`;
  const bytes = options.format === 'csv' ? csvBytes(table) : await xlsxBytes(table);
  return { bytes, fileName, layout, planted };
}

type Cell = { text: string } | { number: number } | { date: string } | { money: number | null };

const money = (n: number | null): Cell => ({ money: n });
const text = (t: string): Cell => ({ text: t });
const dayFirst = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;

/** As a spreadsheet shows money: "$1,250.00", reversals "($500.00)". */
function printedMoney(n: number | null): string {
  if (n === null) return '';
  const text = `$${Math.abs(n).toLocaleString('en-NZ', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  return n < 0 ? `(${text})` : text;
}

function csvBytes(table: Cell[][]): Uint8Array {
  const rows = table.map((row) => row.map((c) => ('text' in c ? c.text : 'number' in c ? String(c.number) : 'date' in c ? dayFirst(c.date) : printedMoney(c.money))));
  return new TextEncoder().encode(stringify(rows, { record_delimiter: '\r\n' }));
}

async function xlsxBytes(table: Cell[][]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Trust Account Ledgers');
  for (const row of table) {
    const added = ws.addRow(row.map((c) => ('text' in c ? c.text : 'number' in c ? c.number : 'date' in c ? new Date(`${c.date}T00:00:00Z`) : c.money)));
    row.forEach((c, i) => {
      if ('date' in c) added.getCell(i + 1).numFmt = 'dd/mm/yyyy';
      if ('money' in c) added.getCell(i + 1).numFmt = '"$"#,##0.00;("$"#,##0.00)';
    });
  }
  return new Uint8Array(await wb.xlsx.writeBuffer());
}
