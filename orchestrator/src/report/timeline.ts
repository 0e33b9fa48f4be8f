// Records how far a long step got over time (for the progress chart), passing every call on to the reporter that
// draws the live progress. Rows across all the step's tasks add up; at most one point per interval is kept.
import type { ProgressReporter } from '../ports';
import type { TimePoint } from './charts';

export class ProgressTimeline {
  private readonly started: number;
  private done = 0;
  private total = 0;
  private readonly list: TimePoint[] = [{ seconds: 0, done: 0 }];
  private lastAt = 0;

  constructor(private readonly inner: ProgressReporter, private readonly clock: () => number = Date.now, private readonly intervalInMs = 250) {
    this.started = clock();
  }

  readonly reporter: ProgressReporter = {
    start: (task, total) => { this.total += total; this.inner.start(task, total); },
    tick: (task, n = 1) => {
      this.done += n;
      const now = this.clock();
      if (now - this.lastAt >= this.intervalInMs) this.mark(now);
      this.inner.tick(task, n);
    },
    done: (task) => { this.mark(this.clock()); this.inner.done(task); },
    log: (m) => this.inner.log(m),
  };

  private mark(now: number): void {
    this.lastAt = now;
    this.list.push({ seconds: (now - this.started) / 1000, done: this.done });
  }

  points(): TimePoint[] {
    return [...this.list];
  }

  /** What the step's tasks announced (rows that were already in place count as done too). */
  expected(): number {
    return Math.max(this.total, this.done);
  }
}
