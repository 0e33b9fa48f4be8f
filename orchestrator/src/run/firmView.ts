// How the engine reads the staged firm for a mapping pass: through indexed staging page by page when the state store
// offers it (the command line's SQLite file: nothing proportional to the firm in memory), else from the whole firm
// loaded in memory through the store's asynchronous pages (the browser's store, whose staging is in Dataverse).
import type { DispositionRecord, ProgressReporter, StagingIndex, StateStore } from '../ports';
import type { MigrationPlan } from '../plan/migrationPlan';
import { FirmLookups } from '../mappings/firmLookups';
import { FirmUnits, type StagedUnit, type UnitSource } from '../mappings/firmUnits';
import { readingOrder, type Disposition, type DispositionSink } from '../mappings/mapFirm';
import type { PlanLookups } from '../mappings/planLookups';
import { StagedFirm } from '../mappings/stagedFirm';
import { FirmIndex, type FirmData, type StagedResource } from '../transform/firmData';

/** Staged records read per page. */
export const STAGED_PAGE = 500;

export interface FirmView {
  lookups: PlanLookups;
  units: UnitSource;
  /** The staged record a row came from (the diff's source values, the sample's facts), or undefined. */
  record(resource: string, id: string): unknown;
  /** A staged resource a page at a time (parsed), in staging order. */
  pages(resource: string): Iterable<StagedUnit[]>;
}

/** What the in-memory view needs from the engine: the whole staged firm (read through the store's asynchronous pages). */
export interface FirmSource {
  loadFirm: () => Promise<FirmData>;
  /** The extraction read a trust ledger export. */
  trustLedgerGiven: boolean;
}

export async function openFirmView(store: StateStore, plan: MigrationPlan, filesUrl: string, progress: ProgressReporter, source: FirmSource): Promise<FirmView> {
  const staging = store.staging;
  if (staging) {
    const firm = StagedFirm.open(store as StateStore & { staging: StagingIndex }, plan, filesUrl, source.trustLedgerGiven, progress);
    return {
      lookups: firm, units: firm,
      record: (resource, id) => {
        const [s] = staging.byIds(resource, [id]);
        return s ? JSON.parse(s.json) : undefined;
      },
      pages: (resource) => indexedPages(staging, resource),
    };
  }
  // No index (the browser's store, whose staging is in Dataverse): the whole firm in memory, read once through the
  // asynchronous pages; the view's pages are cut from it (never the store's synchronous staging methods).
  const index = new FirmIndex(await source.loadFirm());
  const lookups = new FirmLookups(index, plan, filesUrl);
  const units = new FirmUnits(index, lookups);
  const byResource = new Map<string, Map<string, unknown>>();
  return {
    lookups, units,
    record: (resource, id) => {
      let m = byResource.get(resource);
      if (!m) {
        m = new Map([...units.staged(resource as StagedResource)].map((u) => [u.id, u.record] as const));
        byResource.set(resource, m);
      }
      return m.get(id);
    },
    pages: (resource) => inPages(units.staged(resource as StagedResource)),
  };
}

function* indexedPages(staging: StagingIndex, resource: string): Generator<StagedUnit[]> {
  for (let after = 0; ;) {
    const page = staging.page(resource, after, STAGED_PAGE);
    if (!page.length) return;
    yield page.map((s) => ({ id: s.id, record: JSON.parse(s.json) as unknown }));
    after = page[page.length - 1].position;
  }
}

function* inPages(units: Iterable<StagedUnit>): Generator<StagedUnit[]> {
  let page: StagedUnit[] = [];
  for (const u of units) {
    page.push(u);
    if (page.length === STAGED_PAGE) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
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
