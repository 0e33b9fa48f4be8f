// Benchmark: load a firm into the emulator and page through time entries over HTTP, printing peak RSS against a
// tiny firm's, to show that loading and serving are streamed (memory does not grow with the firm).
// Run: npx esbuild emulators/actionstep/bench/loadMemory.ts --bundle --platform=node --tsconfig=tsconfig.json \
//        --external:better-sqlite3 --outfile=/tmp/astep-bench.js && node /tmp/astep-bench.js large
import { startActionstepEmulator, type FirmSize } from '../src';

async function measure(size: FirmSize): Promise<{ records: number; loadMs: number; peakRssMb: number; pagesPerSec: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = Date.now();
  const em = await startActionstepEmulator({ firm: size, seed: 1, rateLimit: { enabled: false } });
  const loadMs = Date.now() - t0;
  try {
    const u = new URL(em.authorizeUrl);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: em.clientId, redirect_uri: 'http://127.0.0.1:1/cb', scope: 'all' })) u.searchParams.set(k, v);
    const code = new URL((await fetch(u, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!;
    const tok = (await (await fetch(em.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:1/cb', client_id: em.clientId, client_secret: em.clientSecret }) })).json()) as { access_token: string };
    const t1 = Date.now();
    let pages = 0;
    for (let page = 1; page <= 100; page++) {
      const r = await fetch(`${em.apiEndpoint}rest/timeentries?pageSize=200&page=${page}`, { headers: { Authorization: `Bearer ${tok.access_token}` } });
      if (r.status !== 200) break;
      await r.arrayBuffer();
      pages++;
    }
    const pagesPerSec = pages / ((Date.now() - t1) / 1000);
    peak = Math.max(peak, process.memoryUsage().rss);
    return { records: em.firm.totalRecords, loadMs, peakRssMb: Math.round(peak / 1048576), pagesPerSec: Math.round(pagesPerSec) };
  } finally {
    clearInterval(timer);
    await em.close();
  }
}

async function main(): Promise<void> {
  const size = (process.argv[2] ?? 'large') as FirmSize;
  const small = await measure('tiny');
  const big = await measure(size);
  console.log(JSON.stringify({ tiny: small, [size]: big }));
  console.log(`records ratio ${size}/tiny: ${(big.records / small.records).toFixed(0)}x; peak RSS ratio: ${(big.peakRssMb / small.peakRssMb).toFixed(2)}x; ` +
    `load ${(big.records / (big.loadMs / 1000)).toFixed(0)} records/s; paging ${big.pagesPerSec} pages/s (200 records each)`);
}

void main();
