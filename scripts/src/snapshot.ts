// Full snapshots of the Dataverse tables a migration touches, read through the Web API, for "after rollback equals
// before the run" (the demo) and for the tests. Comparable across environments: every GUID that is a row of these
// tables (or a user, business unit, team or currency) is replaced by a stable name (`table:astep_sourceid`), so two
// runs that created the same records compare equal, and any difference in any column shows. Columns the platform
// stamps on every write (modified on/by, version number) are left out unless `keepTimes`: a restored record is
// restored in value, but Dataverse still stamps the write.
import { dataverseIdentities } from './config';
import { MAPPINGS, type MappingSet } from '@astep/orchestrator';
import type { RunningEmulators } from './emulate';

/** A token for the configuration's first application user (the emulator's configs hold their secrets inline). */
export async function dataverseToken(e: Pick<RunningEmulators, 'config' | 'dataverse'>): Promise<string> {
  const first = dataverseIdentities(e.config)[0];
  const res = await fetch(e.dataverse.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: first.clientId, client_secret: String(first.clientSecret), scope: `${e.dataverse.url}/.default` }),
  });
  if (!res.ok) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function webApi(e: Pick<RunningEmulators, 'config' | 'dataverse'>, method: string, pathAndQuery: string, body?: unknown): Promise<{ status: number; json: any; retryAfter: string | null }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const token = await dataverseToken(e);
  const res = await fetch(`${e.dataverse.webApiUrl}${pathAndQuery}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', 'content-type': 'application/json', 'OData-Version': '4.0' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = { error: { message: text.slice(0, 200) } }; // a proxy's or a reset connection's body is not JSON
  }
  return { status: res.status, json, retryAfter: res.headers.get('retry-after') };
}

/**
 * A GET that waits out service protection (429) and passing server errors, as every Dataverse client must: Retry-After
 * says how long (https://learn.microsoft.com/power-apps/developer/data-platform/api-limits#retry-operations); a reset
 * connection is tried again too. A snapshot taken under injected faults otherwise fails on the first throttled page.
 * Waits are capped (the emulator's clock may be scaled) and the attempts bounded; the last answer is returned for the
 * caller to judge.
 */
async function readPage(e: Pick<RunningEmulators, 'config' | 'dataverse'>, pathAndQuery: string): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  for (let attempt = 1; ; attempt++) {
    let r: Awaited<ReturnType<typeof webApi>>;
    try {
      r = await webApi(e, 'GET', pathAndQuery);
    } catch (err) {
      // A connection reset before any answer ("fetch failed: other side closed"): a GET is safe to send again.
      if (attempt >= 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
      continue;
    }
    if (!(r.status === 429 || r.status >= 500) || attempt >= 10) return r;
    const seconds = Number(r.retryAfter ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000, 5000)));
  }
}

interface SnapshotSet {
  set: string;
  id: string;
  /** Records a close creates (opportunityclose): no key of their own, named after the record they close. */
  closes?: { attribute: string };
}

/** The tables the mappings write, and the records their lifecycles create when they close one. */
export function snapshotSets(mappings: MappingSet = MAPPINGS): Record<string, SnapshotSet> {
  const sets: Record<string, SnapshotSet> = {};
  for (const m of mappings.tables) {
    sets[m.target.logicalName] = { set: m.target.entitySetName, id: m.target.primaryIdAttribute };
    const close = m.lifecycle?.closeRecords;
    if (close) {
      const info = mappings.tableInfo(close.table);
      sets[close.table] = { set: info.entitySetName, id: info.primaryIdAttribute, closes: { attribute: close.attribute } };
    }
  }
  return sets;
}

const VOLATILE = /^(modifiedon|createdon|versionnumber|overriddencreatedon|_modifiedby_value|_createdby_value|_modifiedonbehalfby_value|_createdonbehalfby_value|@odata\.etag|actualend|timezoneruleversionnumber|utcconversiontimezonecode)$/;

/**
 * Full snapshot of the migrated tables through the Web API, made comparable across environments: every GUID that
 * is a row of these tables is replaced by `table:astep_sourceid` (or the table and a stable name when a row has no
 * source id), so two runs that created the same records compare equal, and any difference in any column shows.
 * `keepTimes` keeps createdon/modifiedon-style columns (for same-environment comparisons).
 */
export async function snapshot(e: Pick<RunningEmulators, 'config' | 'dataverse' | 'actionstep'>, o: { keepTimes?: boolean; mappings?: MappingSet } = {}): Promise<Record<string, Record<string, Record<string, unknown>>>> {
  const sets = snapshotSets(o.mappings);
  const raw: Record<string, Array<Record<string, unknown>>> = {};
  for (const [table, { set }] of Object.entries(sets)) {
    const rows: Array<Record<string, unknown>> = [];
    let next: string | null = `${set}`;
    while (next) {
      const r = await readPage(e, next);
      if (r.status === 404) break; // table not provisioned yet
      if (r.status !== 200) throw new Error(`GET ${next}: ${r.status} ${JSON.stringify(r.json)}`);
      rows.push(...r.json.value);
      const link = r.json['@odata.nextLink'] as string | undefined;
      next = link ? link.slice(link.indexOf(e.dataverse.webApiUrl) >= 0 ? e.dataverse.webApiUrl.length : link.indexOf('/api/data/v9.2/') + '/api/data/v9.2/'.length) : null;
    }
    raw[table] = rows;
  }
  const names = new Map<string, string>();
  // Platform rows (users, business units, currencies) have per-environment GUIDs: name them by what identifies them.
  for (const [set, idCol, nameCol] of [['systemusers', 'systemuserid', 'internalemailaddress'], ['businessunits', 'businessunitid', 'name'], ['teams', 'teamid', 'name'], ['transactioncurrencies', 'transactioncurrencyid', 'isocurrencycode']]) {
    const r = await readPage(e, `${set}?$select=${idCol},${nameCol}`);
    for (const row of r.json?.value ?? []) names.set(String(row[idCol]).toLowerCase(), `${set}:${row[nameCol] ?? row[idCol]}`);
  }
  for (const [table, rows] of Object.entries(raw)) {
    if (sets[table].closes) continue;
    const idCol = sets[table].id;
    for (const r of rows) {
      const name = r.astep_sourceid ? `${table}:${r.astep_sourceid}` : table === 'annotation' ? `${table}:${r[idCol]}` : `${table}:${r.name ?? r.fullname ?? r.subject ?? r[idCol]}`;
      names.set(String(r[idCol]).toLowerCase(), name);
    }
  }
  // Close activities have no key of their own: name them after the record they close.
  for (const [table, { id, closes }] of Object.entries(sets)) {
    if (!closes) continue;
    for (const r of raw[table] ?? []) {
      const closed = names.get(String(r[closes.attribute] ?? '').toLowerCase()) ?? String(r[closes.attribute]);
      names.set(String(r[id]).toLowerCase(), `${table}:${closed}:${r.subject}`);
    }
  }
  const out: Record<string, Record<string, Record<string, unknown>>> = {};
  for (const [table, rows] of Object.entries(raw)) {
    const idCol = sets[table].id;
    out[table] = {};
    for (const r of rows) {
      const clean: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (k === idCol || k.includes('@') || (!o.keepTimes && VOLATILE.test(k))) continue;
        clean[k] = typeof v === 'string' && names.has(v.toLowerCase())
          ? names.get(v.toLowerCase())
          // Emulator addresses differ between environments (random ports): compare the path only.
          : typeof v === 'string' ? v.split(e.actionstep.url).join('<actionstep>/').split(e.dataverse.url).join('<dataverse>') : v;
      }
      // Duplicates (two rows with one source id) stay visible as extra keys.
      let key = names.get(String(r[idCol]).toLowerCase()) as string;
      for (let n = 2; key in out[table]; n++) key = `${names.get(String(r[idCol]).toLowerCase())}#${n}`;
      out[table][key] = clean;
    }
  }
  return out;
}

/** Lists the differences between two snapshots (empty when equal). */
export function snapshotDiff(a: Record<string, Record<string, Record<string, unknown>>>, b: Record<string, Record<string, Record<string, unknown>>>): string[] {
  const diffs: string[] = [];
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[table] ?? {}, y = b[table] ?? {};
    for (const key of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (!(key in y)) diffs.push(`${key}: only in the first`);
      else if (!(key in x)) diffs.push(`${key}: only in the second`);
      else {
        for (const col of new Set([...Object.keys(x[key]), ...Object.keys(y[key])])) {
          if (JSON.stringify(x[key][col] ?? null) !== JSON.stringify(y[key][col] ?? null)) diffs.push(`${key}.${col}: ${JSON.stringify(x[key][col] ?? null)} ≠ ${JSON.stringify(y[key][col] ?? null)}`);
        }
      }
    }
  }
  return diffs;
}
