// How many requests a client keeps in flight. Starts at the server's `x-ms-dop-hint`, never exceeds 52 (the
// service-protection concurrency limit per user), shrinks under execution-time pressure and grows back when clear.
import { EXECUTION_TIME_CODE } from './errors';
import { abortError } from './types';

export const SERVICE_CONCURRENCY_LIMIT = 52;

export interface AdaptiveConcurrencyOptions {
  /** Ceiling chosen by the caller; clamped to 52. */
  maxConcurrency?: number;
  /** Starting point until the server's `x-ms-dop-hint` is known. Default 4. */
  initialConcurrency?: number;
  /**
   * Requests in flight allowed with a full execution budget. With `x-ms-ratelimit-time-remaining-xrm-requests` = R
   * seconds left in the window and Rmax the fullest budget seen, the limit is burstConcurrency × R / Rmax: each
   * request in flight uses about one second of execution per second, so the budget never runs dry in less than
   * Rmax / burstConcurrency seconds (20 s with production's 1,200 s), whatever the limits are. A fresh window allows
   * the full burst (capped at 52); under sustained load the limit settles where consumption equals the window's
   * refill (1,200 s / 300 s = 4 in production) with about Rmax / 15 of budget to spare, so the limit is not tripped.
   * Default 60.
   */
  burstConcurrency?: number;
}

type Waiter = { grant: (release: () => void) => void; abortSignal?: AbortSignal; onAbort?: () => void };

export class AdaptiveConcurrency {
  readonly ceiling: number;
  /** Fractional so that additive increase can add 1/limit per success. */
  private limitValue: number;
  private inFlightValue = 0;
  private readonly waiters: Waiter[] = [];
  private readonly burst: number;
  private maxBudgetSeen = 0;
  private budgetSignal = false;
  private learnedCeiling = SERVICE_CONCURRENCY_LIMIT;
  private successesSinceCeiling = 0;
  /** Highest concurrency reached, for stats and tests. */
  peakInFlight = 0;

  constructor(options: AdaptiveConcurrencyOptions = {}) {
    this.ceiling = Math.max(1, Math.min(SERVICE_CONCURRENCY_LIMIT, Math.floor(options.maxConcurrency ?? SERVICE_CONCURRENCY_LIMIT)));
    this.limitValue = this.clamp(options.initialConcurrency ?? 4);
    this.burst = Math.max(1, options.burstConcurrency ?? 60);
  }

  get limit(): number {
    return Math.floor(this.limitValue);
  }
  get inFlight(): number {
    return this.inFlightValue;
  }

  private clamp(n: number): number {
    return Math.max(1, Math.min(this.ceiling, this.learnedCeiling, n));
  }

  private setLimit(n: number): void {
    this.limitValue = this.clamp(n);
    this.drain();
  }

  /** The server's recommended degree of parallelism (read on WhoAmI). */
  applyDopHint(dopHint: number): void {
    if (Number.isFinite(dopHint) && dopHint > 0 && !this.budgetSignal) this.setLimit(dopHint);
  }

  /** Waits for a slot; the returned function frees it. */
  acquire(abortSignal?: AbortSignal): Promise<() => void> {
    if (abortSignal?.aborted) return Promise.reject(abortError());
    if (this.inFlightValue < this.limit && this.waiters.length === 0) return Promise.resolve(this.take());
    return new Promise<() => void>((resolve, reject) => {
      const w: Waiter = { grant: resolve, abortSignal };
      if (abortSignal) {
        w.onAbort = () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(abortError());
        };
        abortSignal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiters.push(w);
    });
  }

  private take(): () => void {
    this.inFlightValue++;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlightValue);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlightValue--;
      this.drain();
    };
  }

  private drain(): void {
    while (this.waiters.length > 0 && this.inFlightValue < this.limit) {
      const w = this.waiters.shift()!;
      if (w.abortSignal && w.onAbort) w.abortSignal.removeEventListener('abort', w.onAbort);
      w.grant(this.take());
    }
  }

  /** Reads the rate-limit headers of a successful response and adjusts. */
  observe(headers: Record<string, string>): void {
    // A ceiling learned from 0x80072326 may have come from another client of the same user that has since gone:
    // win one slot back every 50 clean responses.
    if (this.learnedCeiling < SERVICE_CONCURRENCY_LIMIT && ++this.successesSinceCeiling >= 50) {
      this.successesSinceCeiling = 0;
      this.learnedCeiling++;
    }
    const remaining = parseLenientNumber(headers['x-ms-ratelimit-time-remaining-xrm-requests']);
    if (remaining !== undefined) {
      this.budgetSignal = true;
      this.maxBudgetSeen = Math.max(this.maxBudgetSeen, remaining);
      this.setLimit(this.maxBudgetSeen > 0 ? (this.burst * remaining) / this.maxBudgetSeen : 1);
      return;
    }
    // No budget signal: additive increase (one more slot per success, i.e. doubling per round trip).
    if (this.limitValue < this.ceiling) this.setLimit(this.limitValue + 1 / Math.max(1, this.limitValue));
  }

  /** A 429 (or other throttling error) with its Dataverse code. */
  onThrottled(code: string): void {
    if (code === '0x80072326') {
      // Concurrency limit hit: this user may have other clients; learn a lower ceiling.
      this.learnedCeiling = Math.max(1, this.inFlightValue - 1);
      this.successesSinceCeiling = 0;
      this.setLimit(this.limitValue);
    } else if (code === EXECUTION_TIME_CODE) {
      this.setLimit(this.limitValue / 2);
    }
    // 0x80072322 (request count): concurrency is not the cause; the gate's pause is enough.
  }
}

/** `1,200.00` (culture-formatted, seen in real responses) → 1200. */
export function parseLenientNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/,/g, '').trim());
  return Number.isFinite(n) ? n : undefined;
}
