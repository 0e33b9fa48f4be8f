// A counting semaphore shared by every request of one client, so parallel page fetches, file parts and reports
// together never exceed maxConcurrency (Actionstep rate-limits per user session).
import { abortError } from '../errors';

export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly maxConcurrency: number) {
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 1) {
      throw new RangeError(`maxConcurrency must be a positive integer, got ${maxConcurrency}`);
    }
  }

  get inUse(): number {
    return this.active;
  }

  async acquire(abortSignal?: AbortSignal): Promise<void> {
    if (abortSignal?.aborted) throw abortError();
    if (this.active < this.maxConcurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = (): void => {
        abortSignal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError());
      };
      abortSignal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
  }

  async run<T>(fn: () => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
    await this.acquire(abortSignal);
    try {
      return await fn();
    } finally {
      this.release();
    }
  }
}

/** Abortable sleep; injected into the pipeline so tests can run retry timing on a fake clock. */
export function abortableSleep(ms: number, abortSignal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abortSignal?.aborted) return reject(abortError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      abortSignal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    abortSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
