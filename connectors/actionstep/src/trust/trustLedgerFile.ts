// The trust ledger report file the firm exported from Actionstep, as CSV or as an Excel workbook, read into the
// same table of printed cells and then into rows (ledgerTable.ts). Actionstep's reports render on screen and export
// to files; list views "can be exported to spread sheets" (Actionstep API wiki, "Custom reporting" introduction),
// and no public page lists the trust reports' export formats, so both a CSV and an .xlsx workbook are accepted.
// Pure and browser-safe: bytes in, rows and problems out (the command line reads the file, the wizard downloads it
// from the Migration Run row's file column).
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { ParsedTrustLedger } from '../records';
import { readLedgerTable, TrustLedgerFileError } from './ledgerTable';

export interface TrustLedgerFile {
  /** The file's name as the firm gave it (its extension is a hint only: the bytes decide). */
  name: string;
  bytes: Uint8Array;
}

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const OLE_MAGIC = [0xd0, 0xcf, 0x11, 0xe0];
const startsWith = (bytes: Uint8Array, magic: number[]) => magic.every((b, i) => bytes[i] === b);

/** Reads a trust ledger export; throws TrustLedgerFileError (with what to do) when the file is not one. */
export async function parseTrustLedgerFile(file: TrustLedgerFile, options: { dayFirst?: boolean } = {}): Promise<ParsedTrustLedger> {
  const source = file.name;
  if (file.bytes.length === 0) throw new TrustLedgerFileError(`The trust ledger export ${source} is empty.`);
  if (startsWith(file.bytes, OLE_MAGIC)) {
    throw new TrustLedgerFileError(`The trust ledger export ${source} is an Excel 97-2003 workbook (.xls): open it in Excel and save it as .xlsx or CSV, then give that file.`);
  }
  if (startsWith(file.bytes, ZIP_MAGIC)) {
    return readLedgerTable(await xlsxTable(file), { source, format: 'xlsx', dayFirst: options.dayFirst });
  }
  if (/\.(xlsx|xlsm)$/i.test(file.name)) throw new TrustLedgerFileError(`The trust ledger export ${source} is named as an Excel workbook but is not one (it is not a zip package).`);
  return readLedgerTable(csvTable(file), { source, format: 'csv', dayFirst: options.dayFirst });
}

/** CSV as UTF-8 (with or without a byte order mark); text that is not UTF-8 is read as Windows-1252, as Excel on Windows saves CSV. */
function csvTable(file: TrustLedgerFile): string[][] {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(file.bytes);
  }
  try {
    // Title lines above the header and a totals line have fewer cells than the rows: the column count may vary.
    // Empty lines are kept (and passed over later) so that a row number is the row a spreadsheet shows.
    return parse(text, { bom: true, relax_column_count: true, skip_empty_lines: false, trim: false }) as string[][];
  } catch (e) {
    // csv-parse's own message names the line (an unclosed quote, say).
    throw new TrustLedgerFileError(`Cannot read the trust ledger export ${file.name} as CSV: ${(e as Error).message}`);
  }
}

/** The first worksheet of the workbook that has rows, as printed text: numbers as numbers, dates as YYYY-MM-DD. */
async function xlsxTable(file: TrustLedgerFile): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs reads the zip with JSZip, which checks the type with instanceof: a copy made here is of this realm's
    // Uint8Array even when the bytes came from another one (a frame, a worker, a test's sandbox).
    await workbook.xlsx.load(Uint8Array.from(file.bytes).buffer);
  } catch (e) {
    throw new TrustLedgerFileError(`Cannot read the trust ledger export ${file.name} as an Excel workbook: ${(e as Error).message}`);
  }
  const sheet = workbook.worksheets.find((ws) => ws.actualRowCount > 0);
  if (!sheet) throw new TrustLedgerFileError(`The trust ledger export ${file.name} has no worksheet with rows.`);
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, rowNumber) => {
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) cells.push(cellText(row.getCell(c).value));
    table[rowNumber - 1] = cells;
  });
  for (let i = 0; i < table.length; i++) table[i] ??= [];
  return table;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) {
    // exceljs turns a date-formatted serial into a Date at UTC midnight of that day.
    return `${value.getUTCFullYear()}-${String(value.getUTCMonth() + 1).padStart(2, '0')}-${String(value.getUTCDate()).padStart(2, '0')}`;
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('result' in value) return cellText(value.result as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
    if ('error' in value) return String(value.error);
    return '';
  }
  return String(value);
}

export { TrustLedgerFileError };
