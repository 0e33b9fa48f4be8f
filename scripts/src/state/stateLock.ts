// One command at a time on a state folder: an exclusive lock file beside state.db, holding who took it (pid, host,
// user, command, when). Two processes on one SQLite file would meet "database is locked" or interleave their audit;
// the second one is refused up front, naming the holder. A lock whose process is gone (killed, crashed) on this same
// host is taken over with a message; a lock from another host is never guessed stale.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { privateDir } from './privateFiles';

export const LOCK_FILE = 'astep-migrate.lock';

export interface LockHolder {
  pid: number;
  host: string;
  user: string;
  command: string;
  startedOn: string;
}

export class StateLockedError extends Error {
  constructor(message: string, readonly holder: LockHolder) {
    super(message);
    this.name = 'StateLockedError';
  }
}

export interface StateLock {
  readonly file: string;
  readonly holder: LockHolder;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(file: string): LockHolder | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function describeHolder(h: LockHolder): string {
  return `\`astep-migrate ${h.command}\` (pid ${h.pid} on ${h.host}, user ${h.user}) since ${h.startedOn}`;
}

/** Takes the folder's lock or throws StateLockedError naming who holds it. `log` hears about a stale takeover. */
export function acquireStateLock(stateDir: string, command: string, log: (message: string) => void = () => undefined): StateLock {
  privateDir(stateDir);
  const file = path.join(stateDir, LOCK_FILE);
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), user: safeUser(), command, startedOn: new Date().toISOString() };
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, JSON.stringify(holder));
      fs.closeSync(fd);
      return {
        file,
        holder,
        release() {
          // Only our own lock: a takeover after we were presumed dead must not be undone by us.
          if (readHolder(file)?.pid === holder.pid && readHolder(file)?.startedOn === holder.startedOn) fs.rmSync(file, { force: true });
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const other = readHolder(file);
    if (!other && ageMs(file) < 2000) {
      // Just created by someone who has not written it yet: look again in a moment.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      continue;
    }
    if (other && (other.host !== holder.host || alive(other.pid))) {
      throw new StateLockedError(`the state folder ${stateDir} is in use by ${describeHolder(other)}. Wait for it to finish (or stop it), then try again.`, other);
    }
    // Stale: its process is gone from this host, or the file is unreadable (a crash while writing it).
    log(other
      ? `Taking over the lock on ${stateDir} left by ${describeHolder(other)}: that process is no longer running.`
      : `Taking over an unreadable lock file ${file} (left by a crash).`);
    fs.rmSync(file, { force: true });
  }
  throw new StateLockedError(`the state folder ${stateDir} is being locked and unlocked by other processes; try again.`, holder);
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}
