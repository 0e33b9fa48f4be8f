import ExcelJS from 'exceljs';
import { parseTrustLedgerFile } from '../src/trust/trustLedgerFile';
import { TRUST_RULE, TrustLedgerFileError } from '../src/trust/ledgerTable';
import { matterIdOf, parseAmount, parseLedgerDate } from '../src/trust/ledgerValues';

const file = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });

test('amounts as reports print them: symbols, thousands separators, brackets; a doubtful one is refused, never guessed', () => {
  expect(parseAmount('1,250,000.00')).toBe(1250000);
  expect(parseAmount('$1,234.50')).toBe(1234.5);
  expect(parseAmount('NZ$12.00')).toBe(12);
  expect(parseAmount('(1,234.50)')).toBe(-1234.5);
  expect(parseAmount('-$7.25')).toBe(-7.25);
  expect(parseAmount('12.00 AUD')).toBe(12);
  expect(parseAmount('£3')).toBe(3);
  expect(parseAmount('')).toBeNull();
  expect(parseAmount('1,23.4')).toBeUndefined();
  expect(parseAmount('1.234,50')).toBeUndefined();
  expect(parseAmount('abc')).toBeUndefined();
});

test('dates day first (AU/NZ/UK), ISO, month names; impossible dates refused', () => {
  expect(parseLedgerDate('05/03/2024')).toBe('2024-03-05');
  expect(parseLedgerDate('5/3/24')).toBe('2024-03-05');
  expect(parseLedgerDate('05/03/2024', false)).toBe('2024-05-03');
  expect(parseLedgerDate('2024-03-05')).toBe('2024-03-05');
  expect(parseLedgerDate('5 Mar 2024')).toBe('2024-03-05');
  expect(parseLedgerDate('05-Mar-2024 14:10')).toBe('2024-03-05');
  expect(parseLedgerDate('31/02/2024')).toBeUndefined();
  expect(parseLedgerDate('13/13/2024')).toBeUndefined();
  expect(matterIdOf('1234 - Smith v Jones')).toBe('1234');
  expect(matterIdOf('Smith v Jones')).toBeUndefined();
});

test('a CSV export: title lines, a header variant, matter headings, an opening balance, totals; the running balance is checked row by row', async () => {
  const csv = [
    'Trust Account Ledgers Report,,,,,,',
    'Period: 01/01/2024 to 31/03/2024,,,,,,',
    '',
    'Matter,Date,Reference,Reason,Client Debit,Client Credit,Client Balance',
    '12 - Smith v Jones,,,,,,',
    ',05/01/2024,R1,"Deposit, ""initial""",,"$1,000.00","$1,000.00"',
    ',01/02/2024,P1,Search fees,"$1,250.50",,"($250.50)"',
    'Total,,,,"$1,250.50","$1,000.00",',
    'Matter,Date,Reference,Reason,Client Debit,Client Credit,Client Balance',
    '13 - Brown purchase,01/03/2024,,Balance brought forward,,,500.00',
    '13 - Brown purchase,07/03/2024,R9,Receipt,,5.00,505.00',
    '13 - Brown purchase,08/03/2024,P9,Payment,10.00,,490.00',
  ].join('\r\n');
  const parsed = await parseTrustLedgerFile(file('ledger.csv', csv));
  expect(parsed.format).toBe('csv');
  expect(parsed.rows.map((r) => [r.actionId, r.line, r.date, r.amountIn, r.amountOut, r.balance, r.opening ?? false])).toEqual([
    ['12', 6, '2024-01-05', 1000, 0, 1000, false],
    ['12', 7, '2024-02-01', 0, 1250.5, -250.5, false],
    ['13', 10, '2024-03-01', 0, 0, 500, true],
    ['13', 11, '2024-03-07', 5, 0, 505, false],
    ['13', 12, '2024-03-08', 0, 10, 490, false],
  ]);
  expect(parsed.rows[0]).toMatchObject({ description: 'Deposit, "initial"', reference: 'R1', printed: { amountIn: '$1,000.00', balance: '$1,000.00', date: '05/01/2024' } });
  expect(parsed.rows[1].printed.balance).toBe('($250.50)');
  // Row 12: 505.00 − 10.00 = 495.00, but the report printed 490.00.
  expect(parsed.problems).toEqual([{
    line: 12, column: 'Client Balance', actionId: '13', rule: TRUST_RULE.running, value: '490.00',
    message: 'ledger.csv row 12 (matter 13), column "Client Balance": "490.00" does not follow from row 11\'s balance 505.00 + in 0.00 − out 10.00 = 495.00',
  }]);
});

test('a cell that cannot be read names the row, the matter, the column and the rule; the rest of the file is read', async () => {
  const csv = [
    'Matter ID,Date,Type,Deposit,Withdrawal,Balance',
    '14,2024-02-30,Receipt,10,,10',
    '14,2024-02-03,Receipt,abc,,20',
    'Smith,2024-02-03,Receipt,5,,5',
    '15,2024-02-03,Receipt,5,,5',
  ].join('\n');
  const parsed = await parseTrustLedgerFile(file('l.csv', csv));
  expect(parsed.rows.map((r) => r.actionId)).toEqual(['15']);
  expect(parsed.problems.map((p) => [p.line, p.column, p.rule, p.actionId])).toEqual([
    [2, 'Date', TRUST_RULE.date, '14'],
    [3, 'Deposit', TRUST_RULE.amount, '14'],
    [4, 'Matter ID', TRUST_RULE.noMatter, null],
  ]);
  expect(parsed.problems[0].message).toBe('l.csv row 2 (matter 14), column "Date": "2024-02-30" is not a date (DD/MM/YYYY or YYYY-MM-DD)');
});

test('a file that is not a trust ledger says what it lacks and what to do', async () => {
  await expect(parseTrustLedgerFile(file('x.csv', 'Name,Email\r\nA,a@b.c'))).rejects.toThrow(/has no header row with the columns Matter, Date, Credit \(in\), Debit \(out\), Balance \(first line: Name, Email\)/);
  await expect(parseTrustLedgerFile(file('x.csv', ''))).rejects.toThrow(TrustLedgerFileError);
  await expect(parseTrustLedgerFile({ name: 'old.xls', bytes: new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0, 0]) })).rejects.toThrow(/Excel 97-2003 workbook \(.xls\): open it in Excel and save it as .xlsx or CSV/);
  await expect(parseTrustLedgerFile(file('fake.xlsx', 'Matter,Date'))).rejects.toThrow(/named as an Excel workbook but is not one/);
});

test('an Excel export: numbers, real dates and text cells read like the CSV', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('Trust ledger');
  ws.addRow(['Trust Account Ledgers Report']);
  ws.addRow(['Matter ID', 'Matter Reference', 'Date', 'Transaction Type', 'Deposit', 'Withdrawal', 'Balance']);
  ws.addRow([21, 'CONV-00021', new Date(Date.UTC(2024, 2, 5)), 'Receipt', 1250000, null, 1250000]);
  ws.addRow([21, 'CONV-00021', '06/03/2024', 'Payment', null, '1,000.00', { formula: 'G3-F4', result: 1249000 }]);
  ws.getCell('C3').numFmt = 'dd/mm/yyyy';
  const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
  const parsed = await parseTrustLedgerFile({ name: 'ledger.xlsx', bytes });
  expect(parsed.format).toBe('xlsx');
  expect(parsed.problems).toEqual([]);
  expect(parsed.rows.map((r) => [r.actionId, r.matterReference, r.date, r.amountIn, r.amountOut, r.balance, r.line])).toEqual([
    ['21', 'CONV-00021', '2024-03-05', 1250000, 0, 1250000, 3],
    ['21', 'CONV-00021', '2024-03-06', 0, 1000, 1249000, 4],
  ]);
});
