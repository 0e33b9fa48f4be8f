// Numbers, dates, money and plurals in the reader's locale (Intl; the browser's language in the controls, the
// system's in the command line). Browser-safe, no state.

export interface LocaleSettings {
  /** BCP 47 tag; undefined: the runtime's default. */
  locale?: string;
  /** IANA zone dates are shown in; undefined: the runtime's. */
  timeZone?: string;
  /** ISO 4217 code of the firm's currency (the Dynamics organisation's base currency); null: plain amounts. */
  currency?: string | null;
}

export function formatCount(n: number, s: LocaleSettings = {}): string {
  return new Intl.NumberFormat(s.locale).format(n);
}

/** "1 change", "2 changes": `many` defaults to `one` + "s". */
export function plural(n: number, one: string, many = `${one}s`, s: LocaleSettings = {}): string {
  return `${formatCount(n, s)} ${n === 1 ? one : many}`;
}

export function formatPercent(ratio: number, s: LocaleSettings = {}): string {
  return new Intl.NumberFormat(s.locale, { style: 'percent', maximumFractionDigits: 0 }).format(ratio);
}

export function formatMoney(amount: number, s: LocaleSettings = {}): string {
  if (s.currency) {
    try {
      return new Intl.NumberFormat(s.locale, { style: 'currency', currency: s.currency }).format(amount);
    } catch {
      // An unknown code: the plain amount, never a wrong symbol.
    }
  }
  return new Intl.NumberFormat(s.locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export const isIsoDate = (v: unknown): v is string => typeof v === 'string' && ISO_DATE.test(v);
export const isIsoDateTime = (v: unknown): v is string => typeof v === 'string' && ISO_DATE_TIME.test(v);

/** A date-only value ("2024-03-01") as the reader writes dates; never shifted by a time zone. */
export function formatDate(iso: string, s: LocaleSettings = {}): string {
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(s.locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d);
}

/** An instant ("2024-03-01T02:00:00Z") in the reader's zone, with the zone named so nobody mistakes it for UTC. */
export function formatDateTime(iso: string, s: LocaleSettings = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // dateStyle cannot be combined with timeZoneName: the fields spelled out give the same medium style.
  const fields: Intl.DateTimeFormatOptions = { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short' };
  try {
    return new Intl.DateTimeFormat(s.locale, { ...fields, timeZone: s.timeZone }).format(d);
  } catch {
    // An unknown zone name: the runtime's zone, still named.
    return new Intl.DateTimeFormat(s.locale, fields).format(d);
  }
}

/** "0.8 s", "45 s", "3 min 20 s", "2 h 5 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 9.95) return `${Math.max(0, seconds).toFixed(1)} s`;
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/** "5 KB", "12.3 MB", "2.1 GB" (binary units; kilobytes rounded up, so a few bytes never read as nothing). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${Math.ceil(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

/** "1,234 records/s" style rate. */
export function formatRate(perSecond: number, unit: string, s: LocaleSettings = {}): string {
  return `${new Intl.NumberFormat(s.locale, { maximumFractionDigits: perSecond < 10 ? 1 : 0 }).format(perSecond)} ${unit}/s`;
}
