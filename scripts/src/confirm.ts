// Asking before a step changes a real organisation: `run` (writes every record), `delta` when it is about to delete
// records, `rollback` (deletes and restores). The emulators on loopback are a rehearsal and are not asked about.
// `--yes` answers for the user; without a terminal to ask on, the step stops and says to pass --yes.
import readline from 'node:readline/promises';

export class NotConfirmedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotConfirmedError';
  }
}

/** A Dynamics organisation somewhere other than this machine (the emulators listen on loopback). */
export function isRealOrg(webApiUrl: string): boolean {
  const host = new URL(webApiUrl).hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || /^127\./.test(host));
}

export interface ConfirmOptions {
  yes?: boolean;
  input?: NodeJS.ReadableStream & { isTTY?: boolean };
  output?: NodeJS.WritableStream;
}

/** Resolves when the user agrees; throws NotConfirmedError (nothing was changed) when they do not or cannot be asked. */
export async function confirmStep(question: string, o: ConfirmOptions = {}): Promise<void> {
  if (o.yes) return;
  const input = o.input ?? process.stdin;
  const output = o.output ?? process.stderr;
  if (!input.isTTY) throw new NotConfirmedError(`${question.replace(/\?$/, '')}: there is no terminal to ask on, so nothing was changed. Run it again with --yes to confirm.`);
  const rl = readline.createInterface({ input, output });
  try {
    const answer = (await rl.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') throw new NotConfirmedError('Not confirmed: nothing was changed.');
  } finally {
    rl.close();
  }
}
