// Progress on stderr: bars with counts and ETA on a terminal (cli-progress), plain lines otherwise (CI, pipes).
import cliProgress from 'cli-progress';
import type { ProgressReporter } from '@astep/orchestrator';

export function createProgress(options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { start() {}, tick() {}, done() {}, log() {} };
  if (!stream.isTTY) {
    const counts = new Map<string, { n: number; total: number; started: number }>();
    return {
      start(task, total) { counts.set(task, { n: 0, total, started: Date.now() }); },
      tick(task, n = 1) { const c = counts.get(task); if (c) c.n += n; },
      done(task) {
        const c = counts.get(task);
        if (c && c.n > 0) stream.write(`${task}: ${c.n}${c.total ? `/${c.total}` : ''} in ${((Date.now() - c.started) / 1000).toFixed(1)} s\n`);
        counts.delete(task);
      },
      log(message) { stream.write(`${message}\n`); },
    };
  }
  const multi = new cliProgress.MultiBar({
    stream, clearOnComplete: false, hideCursor: true,
    format: '{task} [{bar}] {value}/{total} | {percentage}% | ETA {eta_formatted} | {duration_formatted}',
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    start(task, total) { bars.set(task, multi.create(Math.max(total, 1), 0, { task: task.padEnd(28) })); },
    tick(task, n = 1) {
      const bar = bars.get(task);
      if (!bar) return;
      // Streams of unknown length (extraction pages) start at total 0: the total grows with them.
      const value = (bar as unknown as { value: number }).value + n;
      if (value > bar.getTotal()) bar.setTotal(value);
      bar.update(value);
    },
    done(task) { const bar = bars.get(task); if (bar) { bar.stop(); bars.delete(task); } if (!bars.size) multi.stop(); },
    log(message) { multi.log(`${message}\n`); },
  };
}
