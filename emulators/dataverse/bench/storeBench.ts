// Store benchmark: 100,000 accounts through CreateMultiple (limits off), then alternate-key reads and upserts by
// key over HTTP, and the SQLite plan of a key lookup. Prints throughput figures measured in this run.
// Run: npx esbuild emulators/dataverse/bench/storeBench.ts --bundle --platform=node --external:better-sqlite3 \
//        --outfile=/tmp/dvbench/b.js && NODE_PATH=$PWD/node_modules [DV_DB=/tmp/dv.sqlite] node /tmp/dvbench/b.js [rows]
import Database from 'better-sqlite3';
import { DEFAULT_CLIENT, startDataverseEmulator } from '@astep/dataverse-emulator';

async function main(): Promise<void> {
  const rows = Number(process.argv[2] ?? 100_000);
  const emu = await startDataverseEmulator({ limits: 'off', metadataKeyActivationDelayMs: 0, dbPath: process.env.DV_DB });
  const tok = (await (await fetch(emu.tokenUrl, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: DEFAULT_CLIENT.clientId, client_secret: DEFAULT_CLIENT.clientSecret, scope: `${emu.url}/.default` }) })).json()) as { access_token: string };
  const h = { Authorization: `Bearer ${tok.access_token}`, 'Content-Type': 'application/json' };
  const call = (method: string, path: string, body?: unknown) => fetch(emu.webApiUrl + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  await call('POST', "EntityDefinitions(LogicalName='account')/Attributes", { '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata', SchemaName: 'astep_SourceId', MaxLength: 200 });
  await call('POST', "EntityDefinitions(LogicalName='account')/Keys", { SchemaName: 'astep_account_sourceid_key', KeyAttributes: ['astep_sourceid'] });
  await call('GET', "EntityDefinitions(LogicalName='account')/Keys");

  let t0 = Date.now();
  for (let i = 0; i < rows; i += 1000) {
    const Targets = Array.from({ length: Math.min(1000, rows - i) }, (_, j) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.account', name: `Account ${i + j}`, astep_sourceid: `S-${i + j}`, telephone1: '555-0100' }));
    const r = await call('POST', 'accounts/Microsoft.Dynamics.CRM.CreateMultiple', { Targets });
    if (r.status !== 200) throw new Error(`CreateMultiple ${r.status} ${await r.text()}`);
  }
  const createMs = Date.now() - t0;
  console.log(`CreateMultiple: ${rows} rows in ${createMs} ms = ${Math.round((rows / createMs) * 1000)} records/s (emulator CPU, limits off)`);
  console.log(`RSS after load: ${Math.round(process.memoryUsage().rss / 1048576)} MB (${process.env.DV_DB ? 'file database' : 'in-memory database'})`);

  const n = 2000;
  t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const r = await call('GET', `accounts(astep_sourceid='S-${Math.floor(Math.random() * rows)}')?$select=name`);
    if (r.status !== 200) throw new Error(`GET by key ${r.status}`);
  }
  const getMs = Date.now() - t0;
  t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const r = await call('PATCH', `accounts(astep_sourceid='S-${Math.floor(Math.random() * rows)}')`, { telephone1: `555-${i}` });
    if (r.status !== 204) throw new Error(`PATCH by key ${r.status}`);
  }
  const patchMs = Date.now() - t0;
  console.log(`GET by alternate key: ${n} in ${getMs} ms = ${(getMs / n).toFixed(2)} ms/request (sequential HTTP)`);
  console.log(`PATCH upsert by alternate key: ${n} in ${patchMs} ms = ${(patchMs / n).toFixed(2)} ms/request (sequential HTTP)`);
  t0 = Date.now();
  const q = await call('GET', `accounts?$select=name&$filter=${encodeURIComponent("astep_sourceid eq 'S-77'")}`);
  console.log(`$filter on the key column (${rows} rows): ${Date.now() - t0} ms, ${((await q.json()) as { value: unknown[] }).value.length} row`);
  await emu.close();

  // The plan SQLite uses for the lookup the emulator issues (same expressions as the key index).
  const db = new Database(':memory:');
  db.exec(`CREATE TABLE r_account (id TEXT PRIMARY KEY, data TEXT NOT NULL, ver INTEGER NOT NULL)`);
  db.exec(`CREATE UNIQUE INDEX k ON r_account (json_extract(data, '$."astep_sourceid"') COLLATE NOCASE)`);
  const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT id FROM r_account WHERE json_extract(data, '$."astep_sourceid"') = ? COLLATE NOCASE`).all('x') as Array<{ detail: string }>;
  console.log(`Key lookup plan: ${plan.map((p) => p.detail).join('; ')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
