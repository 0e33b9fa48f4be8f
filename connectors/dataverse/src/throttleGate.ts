// One gate per client: a 429 pauses every request of the client until its Retry-After has passed (the service counts
// requests per user, so sending more while throttled only makes Retry-After grow).
import type { Clock } from './types';

export class ThrottleGate {
  private pausedUntil = 0;
  constructor(private readonly clock: Clock) {}

  /** Pause all sends until `now + ms`; a later, longer Retry-After extends the pause, a shorter one never shortens it. */
  pause(ms: number): number {
    this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
    return this.pausedUntil;
  }

  get resumeAt(): number {
    return this.pausedUntil;
  }

  /** Resolves once the gate is open (re-checks: another 429 may have extended the pause while sleeping). */
  async wait(abortSignal?: AbortSignal): Promise<void> {
    for (;;) {
      const remaining = this.pausedUntil - this.clock.now();
      if (remaining <= 0) return;
      await this.clock.sleep(remaining, abortSignal);
    }
  }
}
