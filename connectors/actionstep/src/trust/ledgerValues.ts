// Cell values of the trust ledger report as a person's spreadsheet or Actionstep's export prints them: amounts with
// currency symbols, thousands separators and accounting brackets for negatives; dates day first (Actionstep's trust
// reports are used in Australia, New Zealand and the UK, where 05/03/2024 is 5 March) or ISO; a matter cell that
// holds "the matter ID and name" (support.actionstep.com, "Trust Account Ledgers Report": Report Output, Matter).
// Pure functions: a value that is not understood returns undefined and the caller names the row and column.

/** Currency symbols and ISO codes a firm's export may carry around an amount. */
const CURRENCY = /^(?:[A-Z]{3}\s?|[A-Z]{1,2}\$|\$|£|€)|(?:\s?[A-Z]{3})$/;

/**
 * "1,234.50", "$1,234.50", "NZ$12.00", "(12.00)" and "-$12.00" (negative), "12.00 NZD". Empty: null. Thousands
 * separators must group by three ("1,23.4" is refused, not read as 123.4). A decimal comma is refused too: "1.234,50"
 * reads two ways, and a wrong guess changes money silently.
 */
export function parseAmount(text: string): number | null | undefined {
  let s = text.trim();
  if (s === '' || s === '-' || s === '—') return null;
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1).trim();
  }
  s = s.replace(CURRENCY, '').trim();
  if (s.startsWith('-')) {
    negative = !negative;
    s = s.slice(1).trim();
  }
  if (!/^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/.test(s)) return undefined;
  const n = Number(s.replace(/,/g, ''));
  if (!Number.isFinite(n)) return undefined;
  return negative && n !== 0 ? -n : n;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * "2024-03-05", "05/03/2024", "5/3/24", "05-03-2024", "5 Mar 2024", "05-Mar-2024", with an optional time after it
 * (the date is kept). Day first unless `dayFirst` is false. Returns "YYYY-MM-DD", or undefined for an impossible date.
 */
export function parseLedgerDate(text: string, dayFirst = true): string | undefined {
  const s = text.trim().replace(/[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?$/, '');
  let y: number, m: number, d: number;
  let match: RegExpExecArray | null;
  if ((match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s))) [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  else if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s))) {
    const [a, b] = [Number(match[1]), Number(match[2])];
    [d, m] = dayFirst ? [a, b] : [b, a];
    y = fullYear(match[3]);
  } else if ((match = /^(\d{1,2})[\s-]([A-Za-z]{3,9})[\s-](\d{2}|\d{4})$/.exec(s))) {
    const month = MONTHS.indexOf(match[2].slice(0, 3).toLowerCase());
    if (month < 0) return undefined;
    [d, m, y] = [Number(match[1]), month + 1, fullYear(match[3])];
  } else return undefined;
  const dt = new Date(Date.UTC(y, m - 1, d));
  if (dt.getUTCFullYear() !== y || dt.getUTCMonth() !== m - 1 || dt.getUTCDate() !== d) return undefined;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Two-digit years: 00–69 are this century, 70–99 the last (the spreadsheet convention). */
function fullYear(text: string): number {
  const n = Number(text);
  return text.length === 4 ? n : n < 70 ? 2000 + n : 1900 + n;
}

/** The matter id at the start of a matter cell: "1234", "1234 - Smith v Jones", "#1234 Smith". */
export function matterIdOf(text: string): string | undefined {
  const match = /^\s*#?(\d+)(?:\s*(?:[-–:|]\s*|\s+|$))/.exec(text);
  return match ? String(Number(match[1])) : undefined;
}

/** An amount as the report prints it, for messages: 1234.5 → "1,234.50", -3 → "(3.00)". */
export function formatAmount(n: number): string {
  const text = Math.abs(n).toLocaleString('en-NZ', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return n < 0 ? `(${text})` : text;
}
