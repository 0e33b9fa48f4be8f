// Loader benchmark (a script, not a test): one run against the Dataverse emulator with PRODUCTION service-protection
// limits and a scaled clock. Prints
//   1. bulk loader throughput / the maximum the limits allow for this run (target >= 0.9), and
//   2. bulk loader throughput / a one-request-per-record loader (target >= 20).
// Throughputs are in records per *virtual* second (wall seconds × clockScale), the unit the limits are stated in.
//
// Usage: npm run bench:load -- [--records 100000] [--single-records 104] [--clock-scale 0.01]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  DEFAULT_COST_MODEL,
  PRODUCTION_LIMITS,
  maxThroughputRecordsPerHour,
  startDataverseEmulator,
  type CostModel,
  type ServiceProtectionLimits,
} from '@astep/dataverse-emulator';
import { SCHEMA } from '@astep/solution';
import { BulkWriter, type TableRef } from '../src/bulkWriter';
import { DataverseClient } from '../src/dataverseClient';
import { MetadataProvisioner } from '../src/metadataProvisioner';
import { createClientSecretCredential, createRedirectingNetworkClient } from '../src/msalCredentials';
import { createNodeTransport } from '../src/nodeTransport';
import { schemaSubset } from '../test/schemaSubset';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const RECORDS = arg('records', 100_000);
const SINGLE_RECORDS = arg('single-records', 104);
const CLOCK_SCALE = arg('clock-scale', 0.01);
const BATCH = 1000;
const ACCOUNTS: TableRef = { logicalName: 'account', entitySetName: 'accounts', primaryIdAttribute: 'accountid' };
const BULK_USER = { clientId: '0b6a6f1e-1111-4c55-9f1e-0d5b8c1a2b3c', clientSecret: 'bench-bulk-secret' };
const SINGLE_USER = { clientId: '0b6a6f1e-2222-4c55-9f1e-0d5b8c1a2b3c', clientSecret: 'bench-single-secret' };
const SETUP_USER = { clientId: '0b6a6f1e-3333-4c55-9f1e-0d5b8c1a2b3c', clientSecret: 'bench-setup-secret' };

/**
 * Shortest time (virtual ms) in which `records` can be written from a fresh 300 s window, whatever the client does,
 * with requests of `perRequest` records costing `costMs` each. Fluid bound over the three limits:
 *   - concurrency: at most 52 requests execute at once, so the total execution E takes at least E / 52;
 *   - execution time: a fresh window allows L = 1,200 s at once, then L per window (W = 300 s);
 *   - request count: 6,000 at once, then 6,000 per window;
 *   - and no run is shorter than one request.
 */
function minimumRunMs(records: number, perRequest: number, costMs: number, limits: ServiceProtectionLimits): number {
  const requests = Math.ceil(records / perRequest);
  const execution = requests * costMs;
  const byConcurrency = execution / limits.maxConcurrent;
  const byExecution = execution <= limits.maxExecutionTimeMs ? 0 : ((execution - limits.maxExecutionTimeMs) / limits.maxExecutionTimeMs) * limits.windowMs;
  const byRequests = requests <= limits.maxRequests ? 0 : ((requests - limits.maxRequests) / limits.maxRequests) * limits.windowMs;
  return Math.max(costMs, byConcurrency, byExecution, byRequests);
}

function connect(emu: { tenantId: string; url: string; webApiUrl: string }, user: { clientId: string; clientSecret: string }): DataverseClient {
  const credential = createClientSecretCredential({
    tenantId: emu.tenantId,
    clientId: user.clientId,
    clientSecret: user.clientSecret,
    scope: `${emu.url}/.default`,
    networkClient: createRedirectingNetworkClient(emu.url),
  });
  return new DataverseClient({ webApiUrl: emu.webApiUrl, credential, transport: createNodeTransport({ maxSockets: 64 }) });
}

async function main(): Promise<void> {
  const cost: CostModel = DEFAULT_COST_MODEL;
  const limits = PRODUCTION_LIMITS;
  // Provisioning is setup, not measured: it runs against the same SQLite file on a fast clock (metadata writes cost
  // 1 s of virtual time each), then the emulator restarts on that file with the benchmark's clock.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dv-bench-'));
  const dbPath = path.join(dir, 'dataverse.sqlite');
  const clients = [BULK_USER, SINGLE_USER, SETUP_USER];
  const setupEmu = await startDataverseEmulator({ dbPath, clients, limits: 'production', clockScale: 1000, bulkSupportedTables: 'all', metadataKeyActivationDelayMs: 1000 });
  try {
    await new MetadataProvisioner(connect(setupEmu, SETUP_USER), { pollIntervalMs: 20 }).apply(schemaSubset(SCHEMA, ['account']));
  } finally {
    await setupEmu.close();
  }
  const emu = await startDataverseEmulator({ dbPath, clients, limits: 'production', clockScale: CLOCK_SCALE, bulkSupportedTables: 'all' });
  try {
    // The schema survived the restart and the key is Active (nothing left to change).
    const pending = await new MetadataProvisioner(connect(emu, SETUP_USER)).plan(schemaSubset(SCHEMA, ['account']));
    if (pending.length) throw new Error(`provisioning did not persist: ${pending.map((c) => c.description).join('; ')}`);

    // ---- bulk loader
    const bulk = connect(emu, BULK_USER);
    const who = await bulk.whoAmI();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    let lastPrint = 0;
    const writer = new BulkWriter(bulk, {
      onProgress: (done, total) => {
        if (done - lastPrint >= total / 10 || done === total) {
          lastPrint = done;
          process.stderr.write(`  bulk ${done}/${total}\n`);
        }
      },
    });
    const results = await writer.upsertMany(
      ACCOUNTS,
      Array.from({ length: RECORDS }, (_, i) => ({ key: { astep_sourceid: `b-${i}` }, attributes: { name: `Bench client ${i}`, astep_matternumber: `M-${i}` }, ref: String(i) })),
    );
    const bulkWallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const failed = results.filter((r) => r.outcome !== 'upserted').length;
    if (failed) throw new Error(`${failed} bulk records failed: ${results.find((r) => r.outcome === 'failed')?.message}`);
    const bulkRate = RECORDS / ((bulkWallMs / 1000) * CLOCK_SCALE);

    // ---- one-request-per-record loader (same client pipeline, PATCH upsert by alternate key per record)
    const single = connect(emu, SINGLE_USER);
    await single.whoAmI();
    const t1 = performance.now();
    await Promise.all(Array.from({ length: SINGLE_RECORDS }, (_, i) => single.upsert('accounts', { astep_sourceid: `s-${i}` }, { name: `Single client ${i}` })));
    const singleWallMs = performance.now() - t1;
    const singleRate = SINGLE_RECORDS / ((singleWallMs / 1000) * CLOCK_SCALE);

    const bulkCostMs = cost.bulkBaseMs + BATCH * cost.bulkPerRecordMs;
    const maxRunRate = RECORDS / (minimumRunMs(RECORDS, BATCH, bulkCostMs, limits) / 1000);
    const maxSustainedRate = maxThroughputRecordsPerHour('bulk', BATCH, limits, cost) / 3600;
    const maxSingleRunRate = SINGLE_RECORDS / (minimumRunMs(SINGLE_RECORDS, 1, cost.requestMs, limits) / 1000);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    const snapshot = await emu.snapshot(['account']);
    const loaded = snapshot.account.filter((r) => String(r.astep_sourceid ?? '').startsWith('b-')).length;

    const report = {
      clockScale: CLOCK_SCALE,
      limits,
      costModel: cost,
      dopHint: who.dopHint,
      bulk: {
        records: RECORDS,
        loadedInEmulator: loaded,
        wallSeconds: +(bulkWallMs / 1000).toFixed(2),
        virtualSeconds: +((bulkWallMs / 1000) * CLOCK_SCALE).toFixed(3),
        recordsPerVirtualSecond: Math.round(bulkRate),
        requests: bulk.stats.requests,
        retries: bulk.stats.retries,
        byStatus: bulk.stats.byStatus,
        throttled: bulk.stats.throttled,
        peakConcurrency: bulk.concurrency.peakInFlight,
        processCpuSeconds: +(cpuMs / 1000).toFixed(2),
        cpuShareOfWall: +(cpuMs / bulkWallMs).toFixed(3),
      },
      single: {
        records: SINGLE_RECORDS,
        wallSeconds: +(singleWallMs / 1000).toFixed(2),
        recordsPerVirtualSecond: +singleRate.toFixed(1),
        maxForThisRun: +maxSingleRunRate.toFixed(1),
        throttled: single.stats.throttled,
      },
      maximum: {
        forThisRunRecordsPerSecond: Math.round(maxRunRate),
        sustainedRecordsPerSecond: Math.round(maxSustainedRate),
        sustainedRecordsPerHour: Math.round(maxSustainedRate * 3600),
      },
      ratios: {
        loaderVsMaximumForThisRun: +(bulkRate / maxRunRate).toFixed(3),
        loaderVsSingleRequestLoader: +(bulkRate / singleRate).toFixed(1),
        loaderVsSustainedMaximum: +(bulkRate / maxSustainedRate).toFixed(2),
      },
    };
    console.log(JSON.stringify(report, null, 2));
    console.log(
      `\nloader / maximum the limits allow for this run: ${report.ratios.loaderVsMaximumForThisRun} (target >= 0.9)` +
        `\nloader / one-request-per-record loader:        ${report.ratios.loaderVsSingleRequestLoader} (target >= 20)`,
    );
  } finally {
    await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
