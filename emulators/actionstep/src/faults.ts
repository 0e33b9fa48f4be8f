// Fault injection, deterministic from a seed: each API request draws from one seeded stream, so a run with the same
// seed and the same request order meets the same faults.
import { Rng } from './generator/random';

export interface FaultOptions {
  seed?: number;
  /** Share of requests answered 500/502/503. */
  serverErrorRate?: number;
  /** Share of requests whose socket is destroyed without a response. */
  connectionResetRate?: number;
  /** Share of requests delayed by `slowMs` before being served normally. */
  slowRate?: number;
  slowMs?: number;
  /** Share of authenticated requests whose (valid) token suddenly answers 401 expired_token from then on. */
  tokenExpiryRate?: number;
  /**
   * Delay before the first page of a wide query (a collection GET with no filter, page 1). Integrators see it take
   * minutes on the live API and set HTTP timeouts of several minutes (seth-inertia-legal/actionstep-export-tool
   * docs/api-quirks.md; reference "Added 2026-12-04"); tests scale it down.
   */
  wideFirstPageMs?: number;
}

/** A collection GET with no filter on its first page: the query the live API is slow to start answering. */
export function isWideFirstPage(method: string, rest: string, search: URLSearchParams): boolean {
  if (method !== 'GET' || rest.includes('/') || rest === '') return false;
  const page = search.get('page');
  if (page !== null && page !== '1') return false;
  for (const name of search.keys()) if (!['page', 'pageSize', 'sort', 'fields', 'include'].includes(name)) return false;
  return true;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'serverError'; status: 500 | 502 | 503 }
  | { kind: 'reset' }
  | { kind: 'slow'; ms: number }
  | { kind: 'tokenExpired' };

export class FaultInjector {
  private rng: Rng;
  private options: FaultOptions;

  constructor(options: FaultOptions = {}) {
    this.options = options;
    this.rng = new Rng(options.seed ?? 1);
  }

  set(options: FaultOptions): void {
    this.options = options;
    this.rng = new Rng(options.seed ?? 1);
  }

  get wideFirstPageMs(): number {
    return this.options.wideFirstPageMs ?? 0;
  }

  /** One draw per request (always consumed, so rates are independent of which faults are enabled). */
  decide(authenticated: boolean): FaultDecision {
    const o = this.options;
    const roll = this.rng.next();
    const pick = this.rng.next();
    let edge = o.connectionResetRate ?? 0;
    if (roll < edge) return { kind: 'reset' };
    if (roll < (edge += o.serverErrorRate ?? 0)) return { kind: 'serverError', status: pick < 0.34 ? 500 : pick < 0.67 ? 502 : 503 };
    if (roll < (edge += authenticated ? (o.tokenExpiryRate ?? 0) : 0)) return { kind: 'tokenExpired' };
    if (roll < (edge += o.slowRate ?? 0)) return { kind: 'slow', ms: o.slowMs ?? 2000 };
    return { kind: 'none' };
  }
}
