// An in-memory sink for loader unit tests: enough Dataverse behaviour (alternate-key upsert, binds, closed records
// read-only, Win/Lose) to check what the loader sends and skips. Real HTTP tests run against the emulator.
import type { Row, SinkPort, SinkUpsertTarget, SinkWriteResult, TableInfo } from '../src/ports';
import { MAPPINGS } from '../src/mappings';
import type { SolutionSchema } from '@astep/solution';

let counter = 0;
let version = 0;
/** Every write stamps the row as Dataverse does (versionnumber, modifiedon), so a change after a write shows. */
const stamp = (row: Row) => Object.assign(row, { versionnumber: ++version, modifiedon: new Date(Date.UTC(2026, 0, 1) + version * 1000).toISOString().replace('.000Z', 'Z') });
/** A person's edit in Dynamics after the run: the columns change and Dataverse stamps a new row version. */
export const userEdit = (row: Row, changes: Row): Row => stamp(Object.assign(row, changes));
const guid = () => `00000000-0000-4000-8000-${(++counter).toString(16).padStart(12, '0')}`;

export class FakeSink implements SinkPort {
  readonly tables = new Map<string, Map<string, Row>>();
  writes = 0;
  requests = 0;
  failKeys = new Set<string>();
  crashAfterWrites: number | null = null;

  private table(name: string) {
    let t = this.tables.get(name);
    if (!t) this.tables.set(name, (t = new Map()));
    return t;
  }
  rows(name: string): Row[] {
    return [...this.table(name).values()];
  }
  webApiUrl() { return 'fake://'; }
  async whoAmI() { return { userId: 'aaaaaaaa-0000-0000-0000-000000000001' }; }
  async systemUsers() { return []; }
  async maxUploadFileSize() { return 5242880; }
  async customTables() { return []; }
  async provision(_s: SolutionSchema): Promise<string[]> { return []; }
  async readByValues(info: TableInfo, column: string, values: string[], select: string[]): Promise<Row[]> {
    this.requests++;
    const set = new Set(values.map((v) => v.toLowerCase()));
    return this.rows(info.logicalName).filter((r) => set.has(String(r[column] ?? '').toLowerCase())).map((r) => pick(r, select));
  }
  async *readAll(info: TableInfo) { yield this.rows(info.logicalName); }
  private resolveBind(path: string): string {
    const m = /^\/(\w+)\((.*)\)$/.exec(path)!;
    const set = m[1];
    const table = [...MAPPINGS.names, 'systemuser'].find((t) => MAPPINGS.tableInfo(t).entitySetName === set) ?? set;
    if (table === 'systemuser') return m[2];
    const key = /astep_sourceid='(.*)'/.exec(m[2]);
    if (!key) return m[2];
    const value = decodeURIComponent(key[1]).replace(/''/g, "'");
    const hit = this.rows(table).find((r) => r.astep_sourceid === value);
    if (!hit) throw Object.assign(new Error(`A record with the specified key values does not exist in ${table} entity`), { code: '0x80060891' });
    return String(hit[MAPPINGS.tableInfo(table).primaryIdAttribute]);
  }
  async upsert(info: TableInfo, targets: SinkUpsertTarget[]): Promise<SinkWriteResult[]> {
    this.requests++;
    return targets.map((t, index) => {
      if (this.crashAfterWrites !== null && this.writes >= this.crashAfterWrites) throw new Error('simulated crash');
      const table = this.table(info.logicalName);
      const pk = info.primaryIdAttribute;
      const keyValue = 'id' in t.key ? null : String((t.key as Record<string, unknown>).astep_sourceid);
      if (keyValue && this.failKeys.has(keyValue)) return { index, ref: t.ref, outcome: 'failed', errorCode: '0x80044331', message: 'A validation error occurred.' };
      let row = 'id' in t.key ? table.get(String(t.key.id)) : [...table.values()].find((r) => r.astep_sourceid === keyValue);
      if (row && Number(row.statecode ?? 0) !== 0 && !('statecode' in t.attributes)) return { index, ref: t.ref, outcome: 'failed', errorCode: '0x80043a10', message: 'closed record is read-only' };
      if (!row) {
        const id = 'id' in t.key ? String(t.key.id) : guid();
        row = { [pk]: id, ...(keyValue ? { astep_sourceid: keyValue } : {}) };
        if (info.logicalName === 'task' || info.logicalName === 'opportunity') row.statecode = 0;
        table.set(id, row);
      }
      try {
        for (const [k, v] of Object.entries(t.attributes)) {
          if (k.endsWith('@odata.bind')) row[MAPPINGS.lookupByNavigation(info.logicalName, k.slice(0, -'@odata.bind'.length))!.attribute] = v === null ? null : this.resolveBind(String(v));
          else row[k] = v;
        }
      } catch (e) {
        return { index, ref: t.ref, outcome: 'failed', errorCode: (e as { code: string }).code, message: (e as Error).message };
      }
      this.writes++;
      stamp(row);
      return { index, ref: t.ref, outcome: 'upserted', id: String(row[pk]) };
    });
  }
  async remove(info: TableInfo, ids: Array<{ id: string }>): Promise<SinkWriteResult[]> {
    this.requests++;
    this.removeCalls++;
    return ids.map((x, index) => ({ index, outcome: this.table(info.logicalName).delete(x.id) ? 'deleted' : 'failed' }));
  }
  async action(name: string, body: Record<string, unknown>): Promise<void> {
    const close = body.OpportunityClose as Record<string, string>;
    const id = /\(([^)]+)\)/.exec(close['opportunityid@odata.bind'])![1];
    const row = this.table('opportunity').get(id)!;
    row.statecode = name === 'WinOpportunity' ? 1 : 2;
    row.statuscode = body.Status;
    stamp(row);
    this.writes++;
  }
  async readForUpdate(info: TableInfo, key: Record<string, string>, select: string[]) {
    const row = this.rows(info.logicalName).find((r) => Object.entries(key).every(([k, v]) => r[k] === v));
    return row ? { row: pick(row, select), etag: `W/"${String(row.versionnumber)}"` } : null;
  }
  async writeIfUnchanged(info: TableInfo, key: Record<string, string>, etag: string | null, attributes: Row) {
    const row = this.rows(info.logicalName).find((r) => Object.entries(key).every(([k, v]) => r[k] === v));
    if (etag === null ? !!row : !row || etag !== `W/"${String(row.versionnumber)}"`) return false;
    const target = row ?? { [info.primaryIdAttribute]: guid(), ...key };
    this.table(info.logicalName).set(String(target[info.primaryIdAttribute]), Object.assign(target, attributes));
    stamp(target);
    return true;
  }
  requestCount() { return this.requests; }
  /** Calls to remove (a real sink sends each as `$batch` requests of up to 1,000 deletes). */
  removeCalls = 0;
}

function pick(r: Row, select: string[]): Row {
  const out: Row = {};
  for (const c of select) out[c] = r[c] ?? null;
  return out;
}
