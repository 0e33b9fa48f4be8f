// Rate limiting as documented since April 2024 (reference §6): counted per user session, with higher-order limits per
// orgkey and per IP; over the limit the API answers 429. The numbers are not published, so they are options here, and
// the `Retry-After` header (undocumented for Actionstep) can be switched off to test clients both ways.
// Whether two sign-ins of the same user are two "user sessions" with a budget each is not documented: the emulator
// takes the harsher reading and counts the session budget per user, so a second sign-in of one user adds nothing
// (only another user's session brings its own budget).

export interface RateLimitOptions {
  /** false disables limiting entirely. */
  enabled?: boolean;
  /** Sustained requests per second per user session (every session of one user shares it). Default 15. */
  sessionPerSecond?: number;
  /** Burst size per session. Default 30. */
  sessionBurst?: number;
  /** Per organisation. Default 40/s, burst 80. */
  orgPerSecond?: number;
  orgBurst?: number;
  /** Per client IP. Default 50/s, burst 100. */
  ipPerSecond?: number;
  ipBurst?: number;
  /** Send `Retry-After` (seconds) with 429. Default true. */
  retryAfterHeader?: boolean;
}

interface Bucket {
  tokens: number;
  updated: number;
}

export class TokenBucketLimiter {
  private buckets = new Map<string, Bucket>();
  readonly options: Required<RateLimitOptions>;

  constructor(options: RateLimitOptions | undefined, private readonly now: () => number = Date.now) {
    this.options = {
      enabled: options?.enabled ?? true,
      sessionPerSecond: options?.sessionPerSecond ?? 15,
      sessionBurst: options?.sessionBurst ?? 30,
      orgPerSecond: options?.orgPerSecond ?? 40,
      orgBurst: options?.orgBurst ?? 80,
      ipPerSecond: options?.ipPerSecond ?? 50,
      ipBurst: options?.ipBurst ?? 100,
      retryAfterHeader: options?.retryAfterHeader ?? true,
    };
  }

  /** Takes one token from each bucket; returns null if allowed, else the seconds until a token is available. */
  take(userId: string, orgKey: string, ip: string): number | null {
    if (!this.options.enabled) return null;
    const o = this.options;
    const checks: Array<[string, number, number]> = [
      [`u:${userId}`, o.sessionPerSecond, o.sessionBurst],
      [`o:${orgKey}`, o.orgPerSecond, o.orgBurst],
      [`i:${ip}`, o.ipPerSecond, o.ipBurst],
    ];
    const t = this.now();
    let wait = 0;
    const buckets = checks.map(([key, rate, burst]) => {
      let b = this.buckets.get(key);
      if (!b) {
        b = { tokens: burst, updated: t };
        this.buckets.set(key, b);
      }
      b.tokens = Math.min(burst, b.tokens + ((t - b.updated) / 1000) * rate);
      b.updated = t;
      if (b.tokens < 1) wait = Math.max(wait, (1 - b.tokens) / rate);
      return b;
    });
    if (wait > 0) return wait;
    for (const b of buckets) b.tokens -= 1;
    return null;
  }
}
