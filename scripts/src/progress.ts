// Progress on stderr, in people's words. On a terminal: one live bar per step (cli-progress) that follows the
// step's current task with its count, rate and ETA, replaced by the step's summary line when it ends. Elsewhere
// (CI, pipes): only that summary line per step. Every task, with the engine's internal names, and every message
// also go to the log file when one is given (private to the user: mode 0600).
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { formatCount, formatDuration, taskLabel, type ProgressReporter } from '@astep/orchestrator';
import { colorsFor, type Colors } from './colors';

export interface StepTotals {
  label: string;
  /** Records or rows the step's tasks went through. */
  count: number;
  seconds: number;
}

export interface CliProgress extends ProgressReporter {
  /** Starts a step ("Reading Actionstep"): its tasks share one bar. */
  beginStep(label: string): void;
  /** Ends the step with a summary line ("Reading Actionstep: 24,279 records in 0.8 s"); `what` names the counted things.
   * `stopped` marks a step an error ended: its line must not read as done. */
  endStep(what?: string, stopped?: boolean): StepTotals;
  /** A message for the log file only (internal names welcome). */
  detail(message: string): void;
}

export function createProgress(options: { quiet?: boolean; stream?: NodeJS.WriteStream; logFile?: string; colors?: Colors } = {}): CliProgress {
  const stream = options.stream ?? process.stderr;
  const c = options.colors ?? colorsFor(stream);
  const logFd = options.logFile ? fs.openSync(options.logFile, 'a', 0o600) : null;
  const toLog = (line: string) => {
    if (logFd !== null) fs.writeSync(logFd, `${new Date().toISOString()} ${line}\n`);
  };
  const tty = !!stream.isTTY && !options.quiet;
  let step: { label: string; started: number; count: number } | null = null;
  let bar: cliProgress.SingleBar | null = null;
  const task = { name: '', done: 0, total: 0, started: 0 };

  const stopBar = () => {
    if (bar) {
      bar.stop();
      bar = null;
    }
  };
  const rate = () => {
    const seconds = (Date.now() - task.started) / 1000;
    if (seconds < 0.5 || task.done === 0) return '';
    const perSecond = task.done / seconds;
    const left = task.total > task.done ? ` · about ${formatDuration((task.total - task.done) / perSecond)} left` : '';
    return `${formatCount(Math.round(perSecond))}/s${left}`;
  };
  const redraw = () => {
    if (!tty || !task.name) return;
    if (!bar) {
      bar = new cliProgress.SingleBar({
        stream, hideCursor: true, clearOnComplete: true, barsize: 24, etaBuffer: 50,
        // Our own rate and ETA: cli-progress's ETA reads "NFs" when a task restarts the bar at 0.
        format: `${c.bold('{step}')} [{bar}] {value}/{total} {task} ${c.dim('{rate}')}`,
      }, cliProgress.Presets.shades_classic);
      bar.start(Math.max(task.total, 1), 0, { step: step?.label ?? '', task: taskLabel(task.name), rate: '' });
    }
    bar.setTotal(Math.max(task.total, task.done, 1));
    bar.update(task.done, { step: step?.label ?? '', task: taskLabel(task.name), rate: rate() });
  };

  const reporter: CliProgress = {
    beginStep(label) {
      step = { label, started: Date.now(), count: 0 };
      toLog(`step begins: ${label}`);
    },
    endStep(what = 'records', stopped = false) {
      stopBar();
      const s = step ?? { label: '', started: Date.now(), count: 0 };
      const totals = { label: s.label, count: s.count, seconds: (Date.now() - s.started) / 1000 };
      const mark = stopped ? c.red('✗') : c.green('✓');
      const counted = s.count ? `: ${formatCount(s.count)} ${what}` : '';
      if (!options.quiet) stream.write(`${mark} ${s.label}${stopped ? ' stopped' : ''}${counted} ${c.dim(`(${formatDuration(totals.seconds)})`)}\n`);
      toLog(`step ${stopped ? 'stopped' : 'ends'}: ${s.label}: ${s.count} ${what} in ${totals.seconds.toFixed(1)} s`);
      step = null;
      return totals;
    },
    start(name, total) {
      Object.assign(task, { name, done: 0, total, started: Date.now() });
      toLog(`task ${name}: ${total || 'unknown'} to do`);
      redraw();
    },
    tick(name, n = 1) {
      // The step counts every task's ticks (resources are read side by side); the bar follows the current task.
      if (step) step.count += n;
      if (name !== task.name) return;
      task.done += n;
      // Streams of unknown length (extraction pages) start at total 0: the total grows with them.
      if (task.done > task.total) task.total = task.done;
      redraw();
    },
    done(name) {
      toLog(`task ${name}: ${task.name === name ? task.done : '?'} done in ${((Date.now() - task.started) / 1000).toFixed(1)} s`);
    },
    log(message) {
      toLog(message);
      if (options.quiet) return;
      // Above the live bar, which the next tick draws again below it.
      stopBar();
      stream.write(`${message}\n`);
    },
    detail(message) {
      toLog(message);
    },
  };
  return reporter;
}
