// The engine's store inside Dynamics: staging lives in Dataverse (astep_stagingrow, one row per source record, keyed
// `runId|resource|sourceId`), written in bulk and read back a page at a time; only the run's bounded bookkeeping
// (run state, checkpoints, the audit it mirrors to astep_auditentry, outcomes) stays in the tab. A reload therefore
// finds the firm staged without asking Actionstep again, and a run staged by the command line (which mirrors its
// staging to the same rows: stagingMirror.ts) continues here, and the reverse.
import { choiceValue } from '@astep/solution/schema';
import { keyLiteral, tableInfo } from '../load/tables';
import type { SinkPort, SinkUpsertTarget, SinkWriteOptions, StagedRecord, StagingChange, TableInfo } from '../ports';
import { MemoryStateStore } from './memoryStateStore';

export const STAGING_TABLE: TableInfo = tableInfo('astep_stagingrow');

/** One staged row as read back. */
export interface StagingRowRead {
  rowId: string;
  sourceId: string;
  /** Absent when only ids were asked for. */
  json?: string;
}

/**
 * Reads of staged rows: in the browser typed reads over Xrm.WebApi (dataverse-ify); elsewhere the sink's Web API
 * client. Rows whose key starts with `keyPrefix`, ordered by key, `pageSize` at a time.
 */
export interface StagingRowsReader {
  pages(keyPrefix: string, pageSize: number, withJson: boolean): AsyncIterable<StagingRowRead[]>;
}

export function stagingKey(runId: string, resource: string, sourceId: string): string {
  return `${runId}|${resource}|${sourceId}`;
}

/** The key prefix of one resource of one run (`runId|resource|`). */
export function stagingPrefix(runId: string, resource: string): string {
  return `${runId}|${resource}|`;
}

/** OData `startswith` over the staging key: the alternate key's index serves it. */
export function stagingFilter(keyPrefix: string): string {
  return `startswith(astep_stagingkey,'${keyPrefix.replace(/'/g, "''")}')`;
}

/** The default reader: the sink's own Web API reads. */
export function sinkStagingReader(sink: SinkPort): StagingRowsReader {
  return {
    async *pages(keyPrefix, pageSize, withJson) {
      const select = ['astep_stagingrowid', 'astep_sourceid', ...(withJson ? ['astep_rawjson'] : [])];
      for await (const page of sink.readAll(STAGING_TABLE, select, stagingFilter(keyPrefix), { orderBy: ['astep_stagingkey'], pageSize })) {
        yield page.map((r) => ({ rowId: String(r.astep_stagingrowid), sourceId: String(r.astep_sourceid ?? ''), ...(withJson ? { json: String(r.astep_rawjson ?? '') } : {}) }));
      }
    },
  };
}

/** Writes staged records as astep_stagingrow upserts (by key), in chunks the bulk loader batches. */
export async function writeStagingRows(sink: SinkPort, runId: string, records: StagedRecord[], options: SinkWriteOptions = {}): Promise<void> {
  const staged = choiceValue('astep_stagingstatus', 'Staged');
  const run = `/${tableInfo('astep_migrationrun').entitySetName}(astep_runid=${keyLiteral(runId)})`;
  for (let i = 0; i < records.length; i += 1000) {
    const targets: SinkUpsertTarget[] = records.slice(i, i + 1000).map((r) => ({
      key: { astep_stagingkey: stagingKey(runId, r.resource, r.id) },
      ref: `staged ${r.resource} ${r.id}`,
      attributes: {
        astep_name: `${r.resource} ${r.id}`.slice(0, 400),
        astep_resource: r.resource,
        astep_sourceid: r.id,
        astep_rawjson: r.json,
        astep_stagingstatus: staged,
        'astep_MigrationRunId@odata.bind': run,
      },
    }));
    const results = await sink.upsert(STAGING_TABLE, targets, options);
    const failed = results.filter((x) => x.outcome === 'failed');
    // Staging must not lose a record quietly: the step stops naming the first that did not land.
    if (failed.length) throw new Error(`${failed.length} records could not be staged in Dataverse (astep_stagingrow), first ${failed[0].ref ?? ''}: ${failed[0].message ?? failed[0].errorCode ?? 'failed'}`);
  }
}

export class DataverseStagingStore extends MemoryStateStore {
  constructor(
    private readonly runId: string,
    private readonly sink: SinkPort,
    private readonly reader: StagingRowsReader = sinkStagingReader(sink),
    /** Told of every checkpoint set, so the caller can keep the staging ones with the run (the tab forgets). */
    private readonly onCheckpoint: (name: string, value: string | null) => void = () => undefined,
  ) {
    super();
  }

  override setCheckpoint(name: string, value: string | null): void {
    super.setCheckpoint(name, value);
    this.onCheckpoint(name, value);
  }

  // The synchronous staging methods would read and write the tab's memory, which holds no staging here.
  override stage(): void {
    throw new Error('DataverseStagingStore keeps staging in Dataverse: use stageAsync');
  }
  override staged(_resource: string): StagedRecord[] {
    throw new Error('DataverseStagingStore keeps staging in Dataverse: use stagedPages');
  }
  override stagedCount(_resource: string): number {
    throw new Error('DataverseStagingStore keeps staging in Dataverse: use stagedCountAsync');
  }
  override stagedIds(_resource: string, _among?: string[]): string[] {
    throw new Error('DataverseStagingStore keeps staging in Dataverse: use stagedIdsAsync');
  }
  override clearStaged(): void {
    throw new Error('DataverseStagingStore keeps staging in Dataverse: use clearStagedAsync');
  }
  override unstage(): void {
    throw new Error('DataverseStagingStore keeps staging in Dataverse: use unstageAsync');
  }

  override async stageAsync(records: StagedRecord[]): Promise<void> {
    await writeStagingRows(this.sink, this.runId, records);
  }

  override async *stagedPages(resource: string, pageSize = 1000): AsyncIterable<StagedRecord[]> {
    for await (const rows of this.reader.pages(stagingPrefix(this.runId, resource), pageSize, true)) {
      yield rows.map((r) => ({ resource, id: r.sourceId, json: r.json ?? '' }));
    }
  }

  override async stagedCountAsync(resource: string): Promise<number> {
    let n = 0;
    for await (const rows of this.reader.pages(stagingPrefix(this.runId, resource), 5000, false)) n += rows.length;
    return n;
  }

  override async stagedIdsAsync(resource: string, among?: string[]): Promise<string[]> {
    if (among) {
      // By key (the alternate key's index), a chunk of values per request: the extraction asks this for every page.
      if (!among.length) return [];
      const rows = await this.sink.readByValues(STAGING_TABLE, 'astep_stagingkey', among.map((id) => stagingKey(this.runId, resource, id)), ['astep_sourceid']);
      const present = new Set(rows.map((r) => String(r.astep_sourceid)));
      return among.filter((id) => present.has(id));
    }
    const ids: string[] = [];
    for await (const rows of this.reader.pages(stagingPrefix(this.runId, resource), 5000, false)) ids.push(...rows.map((r) => r.sourceId));
    return ids;
  }

  override async clearStagedAsync(resource: string): Promise<void> {
    const ids: string[] = [];
    for await (const rows of this.reader.pages(stagingPrefix(this.runId, resource), 5000, false)) ids.push(...rows.map((r) => r.rowId));
    await this.removeRows(ids);
  }

  override async unstageAsync(resource: string, sourceIds: string[]): Promise<void> {
    if (!sourceIds.length) return;
    const keys = sourceIds.map((id) => stagingKey(this.runId, resource, id));
    const rows = await this.sink.readByValues(STAGING_TABLE, 'astep_stagingkey', keys, ['astep_stagingrowid']);
    await this.removeRows(rows.map((r) => String(r.astep_stagingrowid)));
  }

  // Dataverse gives no transaction across these requests: the staging lands first and the checkpoints last, so a tab
  // closed in between reads that page again on the next extract (upserts by staging key: the same rows, no duplicate).
  override async commitStaging(change: StagingChange): Promise<void> {
    if (change.clear !== undefined) await this.clearStagedAsync(change.clear);
    if (change.unstage?.ids.length) await this.unstageAsync(change.unstage.resource, change.unstage.ids);
    if (change.stage?.length) await this.stageAsync(change.stage);
    for (const [name, value] of Object.entries(change.checkpoints ?? {})) this.setCheckpoint(name, value);
  }

  private async removeRows(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 1000) {
      const results = await this.sink.remove(STAGING_TABLE, ids.slice(i, i + 1000).map((id) => ({ id, ref: `staging row ${id}` })));
      const failed = results.filter((r) => r.outcome === 'failed' && r.status !== 404);
      if (failed.length) throw new Error(`${failed.length} staging rows could not be removed, first ${failed[0].ref ?? ''}: ${failed[0].message ?? 'failed'}`);
    }
  }
}
