// Client-side pacing. Actionstep rate-limits per user session with unpublished, load-dependent limits (reference §6),
// and every refused request is a wasted call, so the client learns the limit: a 429 sets the pace just under the rate
// that was refused (multiplicative decrease); each success raises it a little (additive increase), so the pace tracks
// the server's limit with only an occasional 429. A fixed `maxRequestsPerSecond` caps it.

export interface RequestPacerOptions {
  /** Hard cap; undefined = none. */
  maxRequestsPerSecond?: number;
  /** Learn the limit from 429s (default true). */
  adaptive?: boolean;
  now: () => number;
}

const WINDOW_MS = 1000;
const DECREASE = 0.85;
const INCREASE_PER_SUCCESS = 0.05;

export class RequestPacer {
  /** Requests per second currently allowed; undefined while no limit is known. */
  private learnedRate: number | undefined;
  private nextSlot = 0;
  private readonly recentStarts: number[] = [];

  constructor(private readonly options: RequestPacerOptions) {}

  /** What the pacer knows: the configured cap and the limit learned from 429s (undefined while none was seen). */
  get limits(): { capPerSecond?: number; learnedPerSecond?: number } {
    return { capPerSecond: this.options.maxRequestsPerSecond, learnedPerSecond: this.learnedRate };
  }

  get ratePerSecond(): number | undefined {
    const cap = this.options.maxRequestsPerSecond;
    if (this.learnedRate === undefined) return cap;
    return cap === undefined ? this.learnedRate : Math.min(cap, this.learnedRate);
  }

  /** Milliseconds to wait before the next request may start (reserves its slot). */
  reserve(): number {
    const now = this.options.now();
    this.recentStarts.push(now);
    while (this.recentStarts.length > 0 && this.recentStarts[0] <= now - WINDOW_MS) this.recentStarts.shift();
    const rate = this.ratePerSecond;
    if (!rate) return 0;
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + 1000 / rate;
    return slot - now;
  }

  onSuccess(): void {
    if (this.learnedRate !== undefined) this.learnedRate += INCREASE_PER_SUCCESS;
  }

  onThrottled(): void {
    if (this.options.adaptive === false) return;
    const now = this.options.now();
    const observed = this.recentStarts.filter((t) => t > now - WINDOW_MS).length;
    const base = this.learnedRate === undefined ? observed : Math.min(this.learnedRate, Math.max(observed, 1));
    this.learnedRate = Math.max(1, base * DECREASE);
  }
}
