// How the engine reads the staged firm for a mapping pass: through indexed staging page by page when the state store
// offers it (the command line's SQLite file: nothing proportional to the firm in memory), else from the whole firm
// loaded in memory (the browser's store, which holds staging in memory anyway).
import type { DispositionRecord, ProgressReporter, StagedRecord, StagingIndex, StateStore } from '../ports';
import type { MigrationPlan } from '../plan/migrationPlan';
import { FirmLookups } from '../mappings/firmLookups';
import { FirmUnits, type StagedUnit, type UnitSource } from '../mappings/firmUnits';
import { readingOrder, type Disposition, type DispositionSink } from '../mappings/mapFirm';
import type { PlanLookups } from '../mappings/planLookups';
import { StagedFirm } from '../mappings/stagedFirm';
import { FirmIndex, type FirmData } from '../transform/firmData';

/** Staged records read per page. */
export const STAGED_PAGE = 500;

export interface FirmView {
  lookups: PlanLookups;
  units: UnitSource;
  /** The staged record a row came from (the diff's source values, the sample's facts), or undefined. */
  record(resource: string, id: string): unknown;
}

export function openFirmView(store: StateStore, plan: MigrationPlan, filesUrl: string, progress: ProgressReporter, loadFirm: () => FirmData): FirmView {
  const staging = store.staging;
  if (staging) {
    const firm = StagedFirm.open(store as StateStore & { staging: StagingIndex }, plan, filesUrl, progress);
    return {
      lookups: firm, units: firm,
      record: (resource, id) => {
        const [s] = staging.byIds(resource, [id]);
        return s ? JSON.parse(s.json) : undefined;
      },
    };
  }
  const index = new FirmIndex(loadFirm());
  const lookups = new FirmLookups(index, plan, filesUrl);
  const byResource = new Map<string, Map<string, unknown>>();
  return {
    lookups, units: new FirmUnits(index, lookups),
    record: (resource, id) => {
      let m = byResource.get(resource);
      if (!m) {
        m = new Map(((index.data as unknown as Record<string, Array<{ id: string }>>)[resource] ?? []).map((r) => [r.id, r] as const));
        byResource.set(resource, m);
      }
      return m.get(id);
    },
  };
}

/** A resource's staged records a page at a time (parsed), in staging order. */
export function* stagedPages(store: StateStore, resource: string, size = STAGED_PAGE): Generator<StagedUnit[]> {
  for (const page of rawPages(store, resource, size)) yield page.map((s) => ({ id: s.id, record: JSON.parse(s.json) as unknown }));
}

/** A resource's staged ids a page at a time. */
export function* stagedIdPages(store: StateStore, resource: string, size = STAGED_PAGE): Generator<string[]> {
  for (const page of rawPages(store, resource, size)) yield page.map((s) => s.id);
}

function* rawPages(store: StateStore, resource: string, size: number): Generator<StagedRecord[]> {
  const staging = store.staging;
  if (!staging) {
    const all = store.staged(resource);
    for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
    return;
  }
  for (let after = 0; ;) {
    const page = staging.page(resource, after, size);
    if (!page.length) return;
    yield page;
    after = page[page.length - 1].position;
  }
}

/** The staged JSON of these ids (those staged), by id. */
export function stagedJson(store: StateStore, resource: string, ids: string[]): Map<string, string> {
  const wanted = new Set(ids);
  const list = store.staging ? store.staging.byIds(resource, ids) : store.staged(resource).filter((s) => wanted.has(s.id));
  return new Map(list.map((s) => [s.id, s.json] as const));
}

/** Dispositions go to the pass's ledger as they are produced, a few thousand per write. */
export class DispositionWriter {
  private buffer: DispositionRecord[] = [];
  constructor(private readonly store: StateStore, private readonly ledger: string) {}

  readonly record: DispositionSink = (resource, id, d, rank) => {
    this.buffer.push({ resource, id, rank, json: JSON.stringify(d) });
    if (this.buffer.length >= 5000) this.flush();
  };

  flush(): void {
    if (!this.buffer.length) return;
    this.store.addDispositions(this.ledger, this.buffer);
    this.buffer = [];
  }

  /** Which of these records have a disposition already (written ones; call flush first). */
  disposed(resource: string, ids: string[]): Set<string> {
    return new Set(this.store.dispositions(this.ledger, resource, ids).map((d) => d.id));
  }
}

/** Each record's dispositions from the ledger, in reading order. */
export function dispositionsByRecord(store: StateStore, ledger: string, resource: string, ids: string[]): Map<string, Disposition[]> {
  const grouped = new Map<string, Array<{ d: Disposition; rank: number }>>();
  for (const r of store.dispositions(ledger, resource, ids)) {
    const list = grouped.get(r.id) ?? [];
    list.push({ d: JSON.parse(r.json) as Disposition, rank: r.rank });
    grouped.set(r.id, list);
  }
  return new Map([...grouped].map(([id, list]) => [id, readingOrder(list)] as const));
}

/** The ledger of one pass over a run: `<run>:<pass>`. */
export const ledgerOf = (runId: string, pass: string) => `${runId}:${pass}`;
