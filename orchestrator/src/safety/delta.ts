// Delta pickup: what changed in Actionstep since the extraction began. Resources with a modified timestamp are read
// with a `modifiedSince` filter; the others have none, so they are rescanned in full and compared with staging.
// Records that disappeared from a rescan were deleted in Actionstep: reported, and removed from Dataverse only when
// the plan says so.
import { RESOURCES } from '@astep/actionstep-connector/resources';
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { ProgressReporter, SourcePort, StateStore, StagedRecord, TrustLedgerPort } from '../ports';
import { stagedRows, TRUST_RESOURCE } from '../run/trustExtraction';
import { stagedJson } from '../run/resourceExtraction';

export interface ResourceDelta {
  resource: string;
  method: 'modifiedSince' | 'rescan';
  added: string[];
  changed: string[];
  deleted: string[];
}

export interface DeltaScan {
  since: string;
  startedOn: string;
  resources: ResourceDelta[];
}

/** A resource's staged copies (id → JSON), read a page at a time. */
async function stagedCopies(store: StateStore, resource: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const page of store.stagedPages(resource)) for (const s of page) out.set(s.id, s.json);
  return out;
}

/**
 * The staged copies of a page of ids: by the store's index where it has one (nothing proportional to the firm in
 * memory), else from the resource's copies read once through the asynchronous pages (the browser's store).
 */
async function copiesOf(store: StateStore, resource: string): Promise<(ids: string[]) => Map<string, string>> {
  const staging = store.staging;
  if (staging) return (ids) => new Map(staging.byIds(resource, ids).map((s) => [s.id, s.json] as const));
  const all = await stagedCopies(store, resource);
  return () => all;
}

/**
 * Reads the changes and stages them (new and changed records replace their staged copies), a page at a time: each
 * page is compared with the staged copies of its ids, and a rescan notes the ids it saw in `seenLedger` (the state
 * store) so the staged records it did not see can be found afterwards without holding either list. The trust ledger
 * is the file the firm gives: read again (a newer export) and compared row by row; without one, what was staged stays.
 */
export async function scanDelta(
  source: SourcePort, store: StateStore, resources: ResourceName[], since: string, startedOn: string, progress: ProgressReporter,
  seenLedger: string, trustLedger?: TrustLedgerPort,
): Promise<DeltaScan> {
  const out: ResourceDelta[] = [];
  store.clearLedger(seenLedger);
  const see = (resource: string, ids: string[]) => store.putLoadedRows(seenLedger, ids.map((id) => ({ table: resource, key: id, outcome: 'skipped', targetId: null, json: '' })));
  for (const resource of resources) {
    const modifiedField = RESOURCES[resource]?.modifiedField ?? null;
    const copies = await copiesOf(store, resource);
    const delta: ResourceDelta = { resource, method: modifiedField ? 'modifiedSince' : 'rescan', added: [], changed: [], deleted: [] };
    let seen = 0;
    progress.start(`delta ${resource}`, 0);
    for await (const page of source.pages(resource, modifiedField ? { modifiedSince: since } : {})) {
      const ids = page.map((record) => (record as { id: string }).id);
      const staged = copies(ids);
      const toStage: StagedRecord[] = [];
      page.forEach((record, i) => {
        const id = ids[i];
        const json = stagedJson(record);
        const before = staged.get(id);
        if (before === undefined) delta.added.push(id);
        else if (before !== json) delta.changed.push(id);
        else return;
        toStage.push({ resource, id, json });
      });
      if (!modifiedField) {
        see(resource, ids);
        seen += ids.length;
      }
      if (toStage.length) await store.stageAsync(toStage);
      progress.tick(`delta ${resource}`, page.length);
    }
    progress.done(`delta ${resource}`);
    if (!modifiedField) {
      // A rescan pages by offset where ids are composite: a record deleted meanwhile shifts another past the reader,
      // and that one would look deleted. When the count says so, the ids are listed again before calling any gone.
      const count = await source.count(resource);
      if (count !== null && count !== seen) for await (const ids of source.ids(resource)) see(resource, ids);
      for await (const page of store.stagedPages(resource)) {
        const ids = page.map((s) => s.id);
        const found = new Set(store.loadedRows(seenLedger, resource, ids).map((l) => l.key));
        for (const id of ids) if (!found.has(id)) delta.deleted.push(id);
      }
    }
    out.push(delta);
  }
  store.clearLedger(seenLedger);
  // The trust ledger export has no timestamps: read the file again and compare.
  const ledger = trustLedger ? await trustLedger.read() : null;
  if (!ledger) return { since, startedOn, resources: out };
  const staged = await stagedCopies(store, TRUST_RESOURCE);
  const trust: ResourceDelta = { resource: TRUST_RESOURCE, method: 'rescan', added: [], changed: [], deleted: [] };
  const fresh = stagedRows(ledger);
  const freshIds = new Set(fresh.map((f) => f.id));
  for (const f of fresh) {
    const before = staged.get(f.id);
    if (before === undefined) trust.added.push(f.id);
    else if (before !== f.json) trust.changed.push(f.id);
  }
  for (const id of staged.keys()) if (!freshIds.has(id)) trust.deleted.push(id);
  if (trust.added.length || trust.changed.length || trust.deleted.length) {
    await store.clearStagedAsync(TRUST_RESOURCE);
    await store.stageAsync(fresh);
  }
  out.push(trust);
  return { since, startedOn, resources: out };
}
