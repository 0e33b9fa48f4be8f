// The engine names its progress tasks by resource and table ("extract actions", "astep_timeentry", "close"); people
// see what is happening in their words. Browser-safe.
import { objectLabel, tableLabel } from './objects';

/** "Reading matters from Actionstep" for `extract actions`. */
export function taskLabel(task: string): string {
  const [verb, ...rest] = task.split(' ');
  const what = rest.join(' ');
  switch (verb) {
    case 'extract': return `Reading ${objectLabel(what).toLowerCase()} from Actionstep`;
    case 'delta': return `Looking for changed ${objectLabel(what).toLowerCase()}`;
    case 'close': return 'Closing won and lost opportunities and completed tasks';
    case 'load': return 'Writing records to Dynamics';
    case 'download': return `Downloading ${what} from Actionstep`;
    case 'rollback': return 'Rolling back';
    case 'provision': return 'Creating tables, columns and choices';
    default: return `Writing ${tableLabel(task).toLowerCase()}`;
  }
}
