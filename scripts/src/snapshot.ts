// Full snapshots of the Dataverse tables a migration touches, for "after rollback equals before the run". Columns the
// platform maintains on every write (modified on/by, version number) are left out: a restored record is restored
// in value, but Dataverse still stamps the write.
export const DATA_TABLES = [
  'account', 'contact', 'opportunity', 'opportunityclose', 'task', 'annotation',
  'astep_matter', 'astep_matterparticipant', 'astep_timeentry', 'astep_document', 'astep_step',
];

const VOLATILE = new Set(['modifiedon', 'modifiedby', '_modifiedby_value', 'versionnumber', 'modifiedonbehalfby', '_modifiedonbehalfby_value', 'timezoneruleversionnumber', 'utcconversiontimezonecode']);

export type Snapshot = Record<string, Array<Record<string, unknown>>>;

export function normalizeSnapshot(s: Snapshot): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const [table, rows] of Object.entries(s)) {
    const byId: Record<string, string> = {};
    for (const r of rows) {
      // A column never set and a column set to null read the same through the Web API: compare them as equal.
      const clean = Object.fromEntries(Object.entries(r).filter(([k, v]) => !VOLATILE.has(k) && v !== null).sort(([a], [b]) => (a < b ? -1 : 1)));
      const id = String(Object.entries(r).find(([k]) => k === `${table}id` || k === 'activityid' || k === 'annotationid')?.[1] ?? JSON.stringify(clean));
      byId[id] = JSON.stringify(clean);
    }
    out[table] = byId;
  }
  return out;
}

export interface SnapshotDifference {
  table: string;
  id: string;
  kind: 'extra' | 'missing' | 'changed';
  before: string | null;
  after: string | null;
}

export function compareSnapshots(before: Snapshot, after: Snapshot): SnapshotDifference[] {
  const a = normalizeSnapshot(before), b = normalizeSnapshot(after);
  const diffs: SnapshotDifference[] = [];
  for (const table of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[table] ?? {}, y = b[table] ?? {};
    for (const id of new Set([...Object.keys(x), ...Object.keys(y)])) {
      if (!(id in y)) diffs.push({ table, id, kind: 'missing', before: x[id], after: null });
      else if (!(id in x)) diffs.push({ table, id, kind: 'extra', before: null, after: y[id] });
      else if (x[id] !== y[id]) diffs.push({ table, id, kind: 'changed', before: x[id], after: y[id] });
    }
  }
  return diffs;
}
