// The run's lease on its Migration Run row, over the in-memory sink (the real HTTP path is in test/e2e/oneRunAtATime):
// a second holder is refused by name until the first releases or its lease runs out; the same holder takes it again
// (a command line restarted after a crash); a lost race on the row's etag is read again, never won twice.
import { RunLease, RunLeaseError, withRunLease } from '../src/safety/runLease';
import { tableInfo } from '../src/load/tables';
import { FakeSink } from './fakeSink';

const RUN = tableInfo('astep_migrationrun');
const cli = { id: 'cli:host:abc', name: 'astep-migrate run (ann@host)' };
const wizard = { id: 'wizard:1', name: 'the Mapping Wizard (Ben)' };

test('a second holder is refused naming the first and since when; after release it gets the lease', async () => {
  const sink = new FakeSink();
  let t = Date.parse('2026-03-01T10:00:00Z');
  const now = () => new Date(t);
  const first = await RunLease.acquire(sink, 'r1', cli, { now });
  expect(sink.rows('astep_migrationrun')[0]).toMatchObject({ astep_runid: 'r1', astep_name: 'Actionstep migration r1', astep_leaseholder: cli.name, astep_leasesince: '2026-03-01T10:00:00.000Z', astep_leaseuntil: '2026-03-01T10:02:00.000Z' });
  t += 30_000;
  await expect(RunLease.acquire(sink, 'r1', wizard, { now })).rejects.toThrow(new RunLeaseError(
    'run r1 is being run by astep-migrate run (ann@host) since 2026-03-01T10:00:00.000Z (its lease runs until 2026-03-01T10:02:00.000Z, renewed while it works). Wait for it to finish, or until the lease runs out if it was stopped.',
  ));
  await first.release();
  expect(sink.rows('astep_migrationrun')[0]).toMatchObject({ astep_leaseholderid: null, astep_leaseholder: null, astep_leaseuntil: null });
  const second = await RunLease.acquire(sink, 'r1', wizard, { now });
  await second.release();
});

test('a lease that ran out (its holder died) is taken over; the same holder takes its own lease again at once', async () => {
  const sink = new FakeSink();
  let t = Date.parse('2026-03-01T10:00:00Z');
  const now = () => new Date(t);
  await RunLease.acquire(sink, 'r2', cli, { now }); // never released: the process was killed
  const again = await RunLease.acquire(sink, 'r2', cli, { now });
  expect(sink.rows('astep_migrationrun')[0].astep_leasesince).toBe('2026-03-01T10:00:00.000Z');
  t += 121_000;
  const taken = await RunLease.acquire(sink, 'r2', wizard, { now });
  expect(sink.rows('astep_migrationrun')[0]).toMatchObject({ astep_leaseholderid: wizard.id, astep_leasesince: '2026-03-01T10:02:01.000Z' });
  await taken.release();
  await again.release(); // no longer ours: leaves the row alone
  expect(sink.rows('astep_migrationrun')[0].astep_leaseholderid).toBeNull();
});

test('two runners racing for the same row: exactly one wins', async () => {
  const sink = new FakeSink();
  const now = () => new Date('2026-03-01T10:00:00Z');
  const results = await Promise.allSettled([RunLease.acquire(sink, 'r3', cli, { now }), RunLease.acquire(sink, 'r3', wizard, { now })]);
  expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  expect(results.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).message)).toEqual([expect.stringMatching(/^run r3 is being run by /)]);
  for (const r of results) if (r.status === 'fulfilled') await r.value.release();
});

test('withRunLease renews while the work runs and releases afterwards, even when the work fails', async () => {
  const sink = new FakeSink();
  const seen: string[] = [];
  await expect(withRunLease(sink, 'r4', cli, async () => {
    const until0 = String(sink.rows('astep_migrationrun')[0].astep_leaseuntil);
    await new Promise((r) => setTimeout(r, 80));
    seen.push(until0, String(sink.rows('astep_migrationrun')[0].astep_leaseuntil));
    throw new Error('the step failed');
  }, { durationInMs: 100, renewEveryInMs: 20 })).rejects.toThrow('the step failed');
  expect(seen[1] > seen[0]).toBe(true);
  expect((await sink.readForUpdate(RUN, { astep_runid: 'r4' }, ['astep_leaseholderid']))?.row.astep_leaseholderid).toBeNull();
});
