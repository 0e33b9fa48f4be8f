// Service protection limits (reference/dataverse.md §4, learn api-limits): per user, sliding 300 s window,
// 6,000 requests, 1,200,000 ms combined execution time, 52 concurrent requests. 429 + Retry-After with the real codes.
//
// COST MODEL (execution time charged per request, in virtual milliseconds). Microsoft publishes throughput, not
// per-request costs, so we derive costs that make the published figures come out of the published limits:
//   * execution budget = 1,200 s per 300 s = 4 s of server time per second of wall time, per user;
//   * single-record requests: ~50,000 records/hour/user = 13.9 records/s  →  4 s / 13.9 = 288 ms per request
//     (the request-count limit allows 20 requests/s = 72,000/h, so execution time binds first, as it does for real);
//   * bulk actions (CreateMultiple/UpdateMultiple/UpsertMultiple): ~10,000,000 records/hour = 2,778 records/s →
//     1.44 ms of execution per record; with 1,000 records/request the fixed 288 ms costs 0.288 ms/record, leaving
//     1.152 ms per record. Cost(n) = 288 + 1.152 n ms; 20 requests/s × 1,000 = 20,000 records/s would be allowed by
//     the request count, so execution time binds again;
//   * $batch gives no per-operation efficiency (operations run sequentially on the server): every inner write costs
//     like a single request; the batch counts as ONE request toward the request-count limit.
// Responses are delayed by cost / clockScale so that concurrency matters like on the real server.
import { DataverseError, CODES } from './errors';

export interface ServiceProtectionLimits {
  maxRequests: number;
  maxExecutionTimeMs: number;
  maxConcurrent: number;
  windowMs: number;
}
export const PRODUCTION_LIMITS: ServiceProtectionLimits = { maxRequests: 6000, maxExecutionTimeMs: 1_200_000, maxConcurrent: 52, windowMs: 300_000 };

export interface CostModel {
  /** One single-record write (POST/PATCH/DELETE) or action. */
  requestMs: number;
  /** Fixed part of a bulk action. */
  bulkBaseMs: number;
  /** Per target of a bulk action. */
  bulkPerRecordMs: number;
  /** Each operation inside a $batch (writes); reads inside a batch cost like reads. */
  batchPerOperationMs: number;
  /** A GET: base plus per returned row. */
  readBaseMs: number;
  readPerRowMs: number;
  /** Metadata writes (create table/column/key, import). */
  metadataWriteMs: number;
}
export const DEFAULT_COST_MODEL: CostModel = {
  requestMs: 288,
  bulkBaseMs: 288,
  bulkPerRecordMs: 1.152,
  batchPerOperationMs: 288,
  readBaseMs: 40,
  readPerRowMs: 0.05,
  metadataWriteMs: 1000,
};

export type LoadShape = 'single' | 'bulk' | 'batch';

/** Records/hour/user the limits allow for a request shape with `recordsPerRequest` records (writes). */
export function maxThroughputRecordsPerHour(
  shape: LoadShape,
  recordsPerRequest = 1,
  limits: ServiceProtectionLimits = PRODUCTION_LIMITS,
  cost: CostModel = DEFAULT_COST_MODEL,
): number {
  const n = shape === 'single' ? 1 : recordsPerRequest;
  const costMs = shape === 'single' ? cost.requestMs : shape === 'bulk' ? cost.bulkBaseMs + n * cost.bulkPerRecordMs : n * cost.batchPerOperationMs;
  const windowS = limits.windowMs / 1000;
  const byRequests = (limits.maxRequests / windowS) * n;
  const byExecution = (limits.maxExecutionTimeMs / windowS / costMs) * n;
  const byConcurrency = (limits.maxConcurrent * 1000) / costMs * n;
  return Math.min(byRequests, byExecution, byConcurrency) * 3600;
}

/** Recommended parallelism (x-ms-dop-hint): execution budget per second of wall time, in requests of ~1 s. */
export function dopHint(limits: ServiceProtectionLimits): number {
  return Math.max(1, Math.round(limits.maxExecutionTimeMs / limits.windowMs));
}

/**
 * How long a response waits before it goes: the request's modelled execution time on the scaled clock, less the time
 * the emulator already spent working on it since admitting it. The real server answers after its execution time,
 * which is what the limits charge (learn.microsoft.com power-apps/developer/data-platform/api-limits: "the combined
 * execution time of all requests"); the emulator's own work on a request (parsing, SQLite, building the answer) is
 * how it stands in for that time, not server time on top of it. Added on top, a bulk request of 1,000 rows at clock
 * x1 took its modelled 1.44 s plus the emulator's few hundred ms, and more while requests queued for the emulator's
 * one thread, so the emulator served less than the limits it charges allow. When the emulator's work takes longer
 * than the modelled time the response goes when the work is done: slower than modelled, never faster.
 */
export function responseDelayMs(costMs: number, clockScale: number, workedMs: number): number {
  return Math.max(0, costMs / clockScale - workedMs);
}

const SECONDS_FORMAT = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

interface WindowEntry {
  t: number;
  cost: number;
  pruned?: boolean;
}
interface UserState {
  entries: WindowEntry[];
  head: number;
  costSum: number;
  inflight: number;
  blockedUntil: number;
  blockedCode?: 'requests' | 'time';
  violations: number;
}

export interface Admission {
  release(costMs: number): void;
  headers(): Record<string, string>;
}

export class ServiceProtection {
  private users = new Map<string, UserState>();
  constructor(
    readonly limits: ServiceProtectionLimits | null,
    readonly clockScale: number,
  ) {}

  private realWindow(): number {
    return (this.limits?.windowMs ?? 300_000) / this.clockScale;
  }

  private state(user: string): UserState {
    let s = this.users.get(user);
    if (!s) {
      s = { entries: [], head: 0, costSum: 0, inflight: 0, blockedUntil: 0, violations: 0 };
      this.users.set(user, s);
    }
    const cutoff = Date.now() - this.realWindow();
    while (s.head < s.entries.length && s.entries[s.head].t < cutoff) {
      s.costSum -= s.entries[s.head].cost;
      s.entries[s.head].pruned = true;
      s.head++;
    }
    if (s.head > 4096) {
      s.entries = s.entries.slice(s.head);
      s.head = 0;
    }
    return s;
  }

  /** Retry-After in seconds of real time: whole seconds at clockScale 1, milliseconds precision when scaled. */
  formatRetryAfter(realMs: number): string {
    if (this.clockScale === 1) return String(Math.max(1, Math.ceil(realMs / 1000)));
    return Math.max(0.001, realMs / 1000).toFixed(3);
  }

  private throttle(code: 'requests' | 'time' | 'concurrency', realMs: number): DataverseError {
    const l = this.limits!;
    const msg =
      code === 'requests'
        ? `Number of requests exceeded the limit of ${l.maxRequests} over time window of ${l.windowMs / 1000} seconds.`
        : code === 'time'
          ? `Combined execution time of incoming requests exceeded limit of ${l.maxExecutionTimeMs.toLocaleString('en-US')} milliseconds over time window of ${l.windowMs / 1000} seconds. Decrease number of concurrent requests or reduce the duration of requests and try again later.`
          : `Number of concurrent requests exceeded the limit of ${l.maxConcurrent}.`;
    const hex = code === 'requests' ? CODES.requestsLimit : code === 'time' ? CODES.executionTimeLimit : CODES.concurrencyLimit;
    return new DataverseError(429, hex, msg, { 'Retry-After': this.formatRetryAfter(realMs) });
  }

  /** Admits a request for `user` or throws the 429. */
  admit(user: string): Admission {
    const l = this.limits;
    const s = this.state(user);
    const now = Date.now();
    if (l) {
      if (s.blockedUntil > now) {
        // Sending while throttled makes the wait grow (api-limits.md): +1 virtual second per violation, capped.
        s.violations++;
        s.blockedUntil = Math.min(s.blockedUntil + (1000 * s.violations) / this.clockScale, now + this.realWindow());
        throw this.throttle(s.blockedCode ?? 'requests', s.blockedUntil - now);
      }
      s.violations = 0;
      if (s.inflight >= l.maxConcurrent) throw this.throttle('concurrency', 1000 / this.clockScale);
      const count = s.entries.length - s.head;
      if (count >= l.maxRequests) {
        const wait = s.entries[s.head].t + this.realWindow() - now;
        s.blockedUntil = now + wait;
        s.blockedCode = 'requests';
        throw this.throttle('requests', wait);
      }
      if (s.costSum >= l.maxExecutionTimeMs) {
        let sum = s.costSum;
        let i = s.head;
        while (i < s.entries.length && sum >= l.maxExecutionTimeMs) sum -= s.entries[i++].cost;
        const t = s.entries[Math.max(s.head, i - 1)]?.t ?? now;
        const wait = Math.max(1, t + this.realWindow() - now);
        s.blockedUntil = now + wait;
        s.blockedCode = 'time';
        throw this.throttle('time', wait);
      }
    }
    const entry: WindowEntry = { t: now, cost: 0 };
    s.entries.push(entry);
    s.inflight++;
    let released = false;
    return {
      release: (costMs: number) => {
        if (released) return;
        released = true;
        s.inflight--;
        entry.cost = costMs;
        // An entry already pruned from the window must not add to the running sum.
        if (!entry.pruned) s.costSum += costMs;
      },
      headers: () => {
        const st = this.state(user);
        const lim = l ?? PRODUCTION_LIMITS;
        return {
          'x-ms-dop-hint': String(dopHint(lim)),
          'x-ms-ratelimit-burst-remaining-xrm-requests': String(Math.max(0, lim.maxRequests - (st.entries.length - st.head))),
          'x-ms-ratelimit-time-remaining-xrm-requests': SECONDS_FORMAT.format(Math.max(0, lim.maxExecutionTimeMs - st.costSum) / 1000),
        };
      },
    };
  }
}
