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
 * Reads the changes and stages them (new and changed records replace their staged copies). The trust ledger is the
 * file the firm gives: read again (a newer export) and compared row by row; without one, what was staged stays.
 */
export async function scanDelta(source: SourcePort, store: StateStore, resources: ResourceName[], since: string, startedOn: string, progress: ProgressReporter, trustLedger?: TrustLedgerPort): Promise<DeltaScan> {
  const out: ResourceDelta[] = [];
  for (const resource of resources) {
    const modifiedField = RESOURCES[resource]?.modifiedField ?? null;
    const staged = await stagedCopies(store, resource);
    const delta: ResourceDelta = { resource, method: modifiedField ? 'modifiedSince' : 'rescan', added: [], changed: [], deleted: [] };
    const seen = new Set<string>();
    const toStage: StagedRecord[] = [];
    progress.start(`delta ${resource}`, 0);
    for await (const page of source.pages(resource, modifiedField ? { modifiedSince: since } : {})) {
      for (const record of page) {
        const id = (record as { id: string }).id;
        const json = stagedJson(record);
        seen.add(id);
        const before = staged.get(id);
        if (before === undefined) delta.added.push(id);
        else if (before !== json) delta.changed.push(id);
        else continue;
        toStage.push({ resource, id, json });
      }
      progress.tick(`delta ${resource}`, page.length);
    }
    progress.done(`delta ${resource}`);
    if (!modifiedField) {
      // A rescan pages by offset where ids are composite: a record deleted meanwhile shifts another past the reader,
      // and that one would look deleted. When the count says so, the ids are listed again before calling any gone.
      const count = await source.count(resource);
      if (count !== null && count !== seen.size) for await (const ids of source.ids(resource)) for (const id of ids) seen.add(id);
      for (const id of staged.keys()) if (!seen.has(id)) delta.deleted.push(id);
    }
    if (toStage.length) await store.stageAsync(toStage);
    out.push(delta);
  }
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
