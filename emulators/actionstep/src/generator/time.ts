// Org-local timestamps. The synthetic firm is in Pacific/Auckland; Actionstep sends timestamps with the org's offset
// (reference §7). DST is approximated by month (NZDT +13:00 October-March, NZST +12:00 April-September): the exact
// transition Sundays do not matter for a migration test, the presence of two offsets does.

export const FIRM_TIME_ZONE = 'Pacific/Auckland';
/** 2018-01-01T00:00:00Z: day 0 of the firm's history. */
export const HISTORY_START_MS = Date.UTC(2018, 0, 1);
export const DAY_MS = 86_400_000;

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function offsetHoursFor(utcMs: number): number {
  const month = new Date(utcMs).getUTCMonth(); // 0-based
  return month >= 3 && month <= 8 ? 12 : 13;
}

/** "2022-05-03T20:49:15+12:00" for a UTC instant. */
export function localTimestamp(utcMs: number): string {
  const off = offsetHoursFor(utcMs);
  const d = new Date(utcMs + off * 3_600_000);
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}+${pad(off)}:00`
  );
}

/** Local calendar date "YYYY-MM-DD" of a UTC instant. */
export function localDate(utcMs: number): string {
  return localTimestamp(utcMs).slice(0, 10);
}

/** Local midnight of the instant's local date, as Actionstep sends `timestampDate` ("2022-05-03T00:00:00+12:00"). */
export function localMidnight(utcMs: number): string {
  return `${localDate(utcMs)}T00:00:00+${pad(offsetHoursFor(utcMs))}:00`;
}

/** An instant on day `day` of the firm's history, `secondsIntoDay` after midnight in NZ standard time (UTC+12), so
 *  office hours in the generator read as office hours in the org-local timestamps. */
export function dayMs(day: number, secondsIntoDay = 0): number {
  return HISTORY_START_MS + day * DAY_MS + (secondsIntoDay - 12 * 3600) * 1000;
}
