// Child process of the extraction benchmark: runs the Actionstep emulator so that its memory (SQLite, the firm) is
// not counted in the extracting process's RSS. Prints one JSON line with the endpoints, serves until SIGTERM.
import { startActionstepEmulator, type RateLimitOptions } from '@astep/actionstep-emulator';

type Size = 'tiny' | 'demo' | 'medium' | 'large' | 'xl';

async function main(): Promise<void> {
  const size = (process.argv[2] ?? 'large') as Size;
  // Optional second argument (JSON): the sessions benchmark's per-session limits and the users it signs in.
  const options = JSON.parse(process.argv[3] ?? '{}') as { rateLimit?: RateLimitOptions; nominatedOnAllMatters?: string[] };
  // The real limits are unpublished; the benchmark scales the emulator's defaults (15/s per session) up so a 16k-call
  // extraction takes minutes, not half an hour. The ratio counts calls, so the scale does not flatter it: refusals
  // are still counted, and the client still has to learn the limit.
  const rateLimit = options.rateLimit ?? { sessionPerSecond: 200, sessionBurst: 100, orgPerSecond: 400, orgBurst: 400, ipPerSecond: 500, ipBurst: 500 };
  const started = Date.now();
  const emu = await startActionstepEmulator({
    firm: size, seed: 7, rateLimit, dbPath: process.env.ASTEP_BENCH_DB || undefined, nominatedOnAllMatters: options.nominatedOnAllMatters,
  });
  process.stdout.write(
    `${JSON.stringify({
      ready: true,
      loadMs: Date.now() - started,
      authorizeUrl: emu.authorizeUrl,
      tokenUrl: emu.tokenUrl,
      apiEndpoint: emu.apiEndpoint,
      clientId: emu.clientId,
      clientSecret: emu.clientSecret,
      totalRecords: emu.firm.totalRecords,
      userEmails: emu.firm.users.map((u) => u.emailAddress),
    })}\n`,
  );
  const stop = (): void => {
    void emu.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => {
  process.stderr.write(`emulator failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
