// One runner per run: before a step writes to Dataverse (sample, run, delta, rollback), the runner takes a lease on
// the run's astep_migrationrun row (holder, since, until), written with optimistic concurrency so that two runners
// cannot both win, and renews it while it works. The command line and the wizard take the same lease, so they can
// never run the same run at once; the second one is refused naming who holds it and since when. A runner that dies
// stops renewing, and its lease runs out.
import type { Row, SinkPort } from '../ports';
import { tableInfo } from '../load/tables';
import { EngineError } from '../run/engine';

export interface LeaseHolder {
  /** Stable for one runner: the command line on one host and state folder, or one wizard session. */
  id: string;
  /** What a person reads: "astep-migrate run (ann@host)", "the Mapping Wizard (Ann Smith)". */
  name: string;
}

export interface RunLeaseOptions {
  now?: () => Date;
  /** How long a lease lasts without renewal. Default 2 minutes. */
  durationInMs?: number;
  /** Renewal period. Default a quarter of the duration. */
  renewEveryInMs?: number;
  log?: (message: string) => void;
}

const RUN = tableInfo('astep_migrationrun');
const COLUMNS = ['astep_runid', 'astep_leaseholderid', 'astep_leaseholder', 'astep_leasesince', 'astep_leaseuntil'];

export class RunLeaseError extends EngineError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'RunLeaseError';
  }
}

export class RunLease {
  private timer: ReturnType<typeof setInterval> | null = null;
  private renewing: Promise<void> = Promise.resolve();
  /** Set when a renewal found the lease in someone else's hands (we were gone longer than the lease). */
  lost: string | null = null;

  private constructor(private readonly sink: SinkPort, readonly runId: string, readonly holder: LeaseHolder, private readonly o: Required<Omit<RunLeaseOptions, 'log'>> & Pick<RunLeaseOptions, 'log'>) {}

  /** Takes the run's lease (creating the run's row if it has none yet) or throws RunLeaseError naming the holder. */
  static async acquire(sink: SinkPort, runId: string, holder: LeaseHolder, options: RunLeaseOptions = {}): Promise<RunLease> {
    const durationInMs = options.durationInMs ?? 120_000;
    const lease = new RunLease(sink, runId, holder, { now: options.now ?? (() => new Date()), durationInMs, renewEveryInMs: options.renewEveryInMs ?? durationInMs / 4, log: options.log });
    await lease.write(true);
    lease.timer = setInterval(() => {
      lease.renewing = lease.renewing.then(() => lease.write(false)).catch((e) => options.log?.(`could not renew the lease on run ${runId}: ${(e as Error).message}`));
    }, lease.o.renewEveryInMs);
    (lease.timer as { unref?: () => void }).unref?.();
    return lease;
  }

  /** Stops renewing and clears the row's lease, if it is still ours. */
  async release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.renewing;
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.sink.readForUpdate(RUN, { astep_runid: this.runId }, COLUMNS);
      if (!current || current.row.astep_leaseholderid !== this.holder.id) return;
      const cleared = { astep_leaseholderid: null, astep_leaseholder: null, astep_leasesince: null, astep_leaseuntil: null };
      if (await this.sink.writeIfUnchanged(RUN, { astep_runid: this.runId }, current.etag, cleared)) return;
    }
  }

  /** Takes or renews; a conditional write that loses a race reads again (the row may have changed for any reason). */
  private async write(first: boolean): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.sink.readForUpdate(RUN, { astep_runid: this.runId }, COLUMNS);
      const row: Row = current?.row ?? {};
      const now = this.o.now();
      const heldByOther = row.astep_leaseholderid && row.astep_leaseholderid !== this.holder.id && Date.parse(String(row.astep_leaseuntil)) > now.getTime();
      if (heldByOther) {
        const message = `run ${this.runId} is being run by ${String(row.astep_leaseholder ?? row.astep_leaseholderid)} since ${String(row.astep_leasesince)} `
          + `(its lease runs until ${String(row.astep_leaseuntil)}, renewed while it works). Wait for it to finish, or until the lease runs out if it was stopped.`;
        if (first) throw new RunLeaseError(message);
        this.lost = message;
        this.o.log?.(`lost the lease on run ${this.runId}: ${message}`);
        return;
      }
      const ours = row.astep_leaseholderid === this.holder.id;
      const attributes: Row = {
        astep_leaseholderid: this.holder.id,
        astep_leaseholder: this.holder.name.slice(0, 400),
        astep_leasesince: ours && row.astep_leasesince ? row.astep_leasesince : now.toISOString(),
        astep_leaseuntil: new Date(now.getTime() + this.o.durationInMs).toISOString(),
        ...(current ? {} : { astep_name: `Actionstep migration ${this.runId}` }),
      };
      if (await this.sink.writeIfUnchanged(RUN, { astep_runid: this.runId }, current?.etag ?? null, attributes)) return;
    }
    throw new RunLeaseError(`could not take the lease on run ${this.runId}: its row kept changing under us; try again.`);
  }
}

/** Runs `fn` holding the run's lease; releases it afterwards, whatever happens. */
export async function withRunLease<T>(sink: SinkPort, runId: string, holder: LeaseHolder, fn: () => Promise<T>, options: RunLeaseOptions = {}): Promise<T> {
  const lease = await RunLease.acquire(sink, runId, holder, options);
  try {
    return await fn();
  } finally {
    await lease.release();
  }
}
