// Work started while there is room: at most `count` pieces at once and, when pieces have weights (bytes), at most
// `maxWeight` in all (a heavier piece goes alone). The first failure stops new work and is thrown once the work in
// flight has ended, so nothing is left running behind the caller. Used by the closes (pages of a table side by side)
// and by extract's document downloads.
export class BoundedWork {
  private readonly running = new Set<Promise<void>>();
  private weight = 0;
  private failure: { error: unknown } | null = null;

  constructor(private readonly count: number, private readonly maxWeight = Infinity) {}

  /** A piece failed: starting more is pointless (start() then starts nothing). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Waits for room, then starts `work` without waiting for it. */
  async start(work: () => Promise<void>, weight = 0): Promise<void> {
    while (!this.failure && this.running.size > 0 && (this.running.size >= this.count || this.weight + weight > this.maxWeight)) {
      await Promise.race(this.running);
    }
    if (this.failure) return;
    this.weight += weight;
    const p: Promise<void> = work()
      .catch((error: unknown) => void (this.failure ??= { error }))
      .finally(() => {
        this.weight -= weight;
        this.running.delete(p);
      });
    this.running.add(p);
  }

  /** Waits for the work in flight; throws the first failure. */
  async finish(): Promise<void> {
    await Promise.all(this.running);
    if (this.failure) throw this.failure.error;
  }
}
