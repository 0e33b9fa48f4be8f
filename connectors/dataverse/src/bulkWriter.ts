// BulkWriter: loads many rows into one table as fast as the service-protection limits allow.
// UpsertMultiple / CreateMultiple / UpdateMultiple where the table supports them (asked once per table), else `$batch`
// with continue-on-error. An all-or-nothing bulk request that fails for a record's data is split in halves until the
// bad records are isolated (so one bad record never fails 999 good ones). One result per input, in input order.
import type { DataverseApi } from './dataverseApi';
import { CREDENTIAL_ERROR_CODE, DataverseError, KeyFormatError, TRANSIENT_CODES } from './errors';
import { forbiddenKeyCharacters, formatKey, idFromEntityUrl, keyLiteral, randomGuid } from './formatKey';
import { abortError, type BatchRequest, type BatchResponse, type KeyValues } from './types';

export interface TableRef {
  logicalName: string;
  entitySetName: string;
  primaryIdAttribute: string;
}

export interface UpsertTarget {
  /** Alternate key (`{ astep_sourceid: "12" }`) or the row's id. */
  key: KeyValues | { id: string };
  /** Columns and `<nav>@odata.bind` entries. Key columns are not repeated (they are dropped if present). */
  attributes: Record<string, unknown>;
  /** Caller correlation (e.g. the source id), echoed back in the result and named in messages. */
  ref?: string;
}

export type WriteOutcome = 'upserted' | 'created' | 'updated' | 'deleted' | 'failed';

export interface WriteResult {
  index: number;
  ref?: string;
  outcome: WriteOutcome;
  id?: string;
  status?: number;
  errorCode?: string;
  /** Names the record (ref/key), and the column and rule when Dataverse does. */
  message?: string;
}

export interface WriteProgress {
  done: number;
  total: number;
  succeeded: number;
  failed: number;
}

export interface BulkWriterOptions {
  /** Records per request at the start. Default: 1,000 for bulk actions (Microsoft's "reasonable place to start"), 100 for `$batch`. */
  initialBatchSize?: number;
  /** Default 1,000 (also the `$batch` operation limit). */
  maxBatchSize?: number;
  /** Smallest size the writer shrinks to under pressure (SQL timeouts, execution-time throttling). Default 10. */
  minBatchSize?: number;
  /** Operations per `$batch` request when bulk actions are unavailable. Default 100: `$batch` gives no per-operation efficiency, so large batches only make each request slower. */
  batchOperationSize?: number;
  /** Caps this writer's requests in flight. The API's capacity also applies: a client's adaptive limit (at most 52), or the sum of a pool's identities. */
  maxConcurrency?: number;
  onProgress?: (done: number, total: number, progress: WriteProgress) => void;
  abortSignal?: AbortSignal;
  /** Use bulk actions where the table has them. Default true. */
  preferBulk?: boolean;
  /** Transient per-operation failures inside a `$batch` (5xx, deadlocks) are retried this many times. Default 3. */
  maxRecordRetries?: number;
  /** Extra headers for every write (e.g. `MSCRM.BypassCustomPluginExecution`). */
  headers?: Record<string, string>;
}

type Operation = 'upsert' | 'create' | 'update' | 'delete';

/** Per call: a caller running many calls at once asks each for few requests (see SinkWriteOptions). */
export interface CallOptions {
  maxConcurrency?: number;
}

interface Item {
  index: number;
  ref?: string;
  /** Human name of the record for messages: ref, else key. */
  label: string;
  key?: KeyValues | { id: string };
  attributes: Record<string, unknown>;
  attempts: number;
  /**
   * Set on a row whose URL-unsafe key was found by query and is now written by id: the row as asked, to be written
   * again one by one if someone else created its key between our read and our write.
   */
  resolvedFrom?: Item;
}

interface Unit {
  items: Item[];
  /** A key a URL cannot carry: found with a $filter query, then written by id (or created). */
  viaQuery?: boolean;
  /** Rows whose one-column keys a URL cannot carry: found with one read, then written by id in one request. */
  resolveKeys?: boolean;
}

/** Rows whose URL-unsafe keys are found with one read (a batch of In() queries) and then written together. */
const KEY_RESOLVE_GROUP = 100;

/** Duplicate primary key / duplicate alternate key. */
const DUPLICATE_CODES = new Set(['0x80040237', '0x80060892']);

const bulkSupportCache = new WeakMap<DataverseApi, Map<string, Promise<boolean>>>();

/** Asks the server whether the table has CreateMultiple (UpsertMultiple exists where Create/UpdateMultiple do). */
export function tableSupportsBulk(client: DataverseApi, logicalName: string): Promise<boolean> {
  let cache = bulkSupportCache.get(client);
  if (!cache) bulkSupportCache.set(client, (cache = new Map()));
  let answer = cache.get(logicalName);
  if (!answer) {
    const filter = `sdkmessageid/name eq 'CreateMultiple' and primaryobjecttypecode eq '${logicalName.replace(/'/g, "''")}'`;
    answer = client
      .get<{ value?: unknown[] }>(`sdkmessagefilters?$select=sdkmessagefilterid&$filter=${encodeURIComponent(filter)}`)
      .then((r) => (r?.value?.length ?? 0) > 0)
      .catch((e: unknown) => {
        if (e instanceof DataverseError && e.status >= 400 && e.status < 500 && e.status !== 429 && !signInFailed(e)) return false;
        cache!.delete(logicalName); // transient: ask again next time
        throw e;
      });
    cache.set(logicalName, answer);
  }
  return answer;
}

function describeKey(key: KeyValues | { id: string } | undefined): string {
  if (!key) return '';
  if ('id' in key && typeof key.id === 'string' && Object.keys(key).length === 1) return `id ${key.id}`;
  return Object.entries(key as KeyValues)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : v}`)
    .join(', ');
}

/**
 * No token could be had for the request (the pool has no identity left, or a lone client's credential is refused):
 * nothing about the records, and every other request would fail the same way, so the load stops with that message
 * instead of failing each record.
 */
function signInFailed(e: DataverseError): boolean {
  return e.code === CREDENTIAL_ERROR_CODE;
}

function isIdKey(key: KeyValues | { id: string }): key is { id: string } {
  return Object.keys(key).length === 1 && 'id' in key && typeof (key as { id: unknown }).id === 'string';
}

export class BulkWriter {
  private batchSize: number;
  private readonly maxBatchSize: number;
  private readonly minBatchSize: number;
  private readonly batchOperationSize: number;
  private readonly preferBulk: boolean;
  private readonly maxRecordRetries: number;
  private successesSinceShrink = 0;

  constructor(private readonly client: DataverseApi, private readonly options: BulkWriterOptions = {}) {
    this.maxBatchSize = Math.max(1, Math.min(1000, options.maxBatchSize ?? 1000));
    this.minBatchSize = Math.max(1, Math.min(this.maxBatchSize, options.minBatchSize ?? 10));
    this.batchSize = Math.max(this.minBatchSize, Math.min(this.maxBatchSize, options.initialBatchSize ?? 1000));
    this.batchOperationSize = Math.max(1, Math.min(1000, options.batchOperationSize ?? options.initialBatchSize ?? 100));
    this.preferBulk = options.preferBulk ?? true;
    this.maxRecordRetries = options.maxRecordRetries ?? 3;
  }

  /** Current records per bulk request (adapts under pressure). */
  get currentBatchSize(): number {
    return this.batchSize;
  }

  /** UpsertMultiple where supported, else `$batch` of alternate-key PATCH upserts. Outcome `upserted` (the Web API does not say created vs updated). */
  upsertMany(table: TableRef, targets: UpsertTarget[], call: CallOptions = {}): Promise<WriteResult[]> {
    const items = targets.map((t, index) => {
      const attributes = { ...t.attributes };
      if (t.key && !isIdKey(t.key)) for (const k of Object.keys(t.key)) delete attributes[k];
      return { index, ref: t.ref, label: t.ref ?? describeKey(t.key), key: t.key, attributes, attempts: 0 };
    });
    // The same key twice in one load (a duplicated source row): writing both at once would race (or fail the
    // bulk request), so repeats go in later waves, in input order: the last target for a key wins, deterministically.
    const waves: Item[][] = [];
    const seen = new Map<string, number>();
    for (const item of items) {
      const k = item.key ? JSON.stringify(isIdKey(item.key) ? { id: item.key.id.toLowerCase() } : item.key) : `#${item.index}`;
      const wave = seen.get(k) ?? 0;
      seen.set(k, wave + 1);
      (waves[wave] ??= []).push(item);
    }
    if (waves.length <= 1) return this.run('upsert', table, items, undefined, call);
    return (async () => {
      const results: WriteResult[] = new Array(items.length);
      let doneBefore = 0;
      for (const wave of waves) {
        const part = await this.run('upsert', table, wave, { size: items.length, doneBefore, grandTotal: items.length }, call);
        for (const item of wave) results[item.index] = part[item.index];
        doneBefore += wave.length;
      }
      return results;
    })();
  }

  /** CreateMultiple where supported, else `$batch` POSTs. Outcome `created` with the new id. */
  createMany(table: TableRef, rows: Array<{ attributes: Record<string, unknown>; ref?: string }>): Promise<WriteResult[]> {
    // Each new row gets its id from us, so a create retried after a lost response (the server applied it, the
    // connection dropped) is recognised as already done instead of creating the row twice.
    return this.run('create', table, rows.map((r, index) => {
      const attributes = { ...r.attributes };
      if (typeof attributes[table.primaryIdAttribute] !== 'string') attributes[table.primaryIdAttribute] = randomGuid();
      return { index, ref: r.ref, label: r.ref ?? `row ${index}`, attributes, attempts: 0 };
    }));
  }

  /**
   * After a duplicate-key failure on create: rows whose (our) id already exists were created by an earlier attempt of
   * this same write; mark them created and return the others.
   */
  private async settleRepeatedCreates(table: TableRef, items: Item[], finish: (item: Item, r: Omit<WriteResult, 'index' | 'ref'>) => void): Promise<Item[]> {
    const idOf = (it: Item) => String(it.attributes[table.primaryIdAttribute]).toLowerCase();
    const rows = await this.client.retrieveByValues(table.entitySetName, table.primaryIdAttribute, items.map(idOf), [table.primaryIdAttribute], { abortSignal: this.options.abortSignal });
    const existing = new Set(rows.map((r) => String(r[table.primaryIdAttribute]).toLowerCase()));
    const rest: Item[] = [];
    for (const it of items) {
      if (existing.has(idOf(it))) finish(it, { outcome: 'created', id: idOf(it), status: 204 });
      else rest.push(it);
    }
    return rest;
  }

  /** UpdateMultiple where supported, else `$batch` PATCH with If-Match: * (never creates). Outcome `updated`. */
  updateMany(table: TableRef, rows: Array<{ id: string; attributes: Record<string, unknown>; ref?: string }>): Promise<WriteResult[]> {
    return this.run('update', table, rows.map((r, index) => ({ index, ref: r.ref, label: r.ref ?? `id ${r.id}`, key: { id: r.id }, attributes: r.attributes, attempts: 0 })));
  }

  /** `$batch` DELETEs (DeleteMultiple exists only for elastic tables). Outcome `deleted`. */
  deleteMany(table: TableRef, ids: Array<{ id: string; ref?: string }>, call: CallOptions = {}): Promise<WriteResult[]> {
    return this.run('delete', table, ids.map((r, index) => ({ index, ref: r.ref, label: r.ref ?? `id ${r.id}`, key: { id: r.id }, attributes: {}, attempts: 0 })), undefined, call);
  }

  // ------------------------------------------------------------------ scheduling

  private async run(op: Operation, table: TableRef, allItems: Item[], wave?: { size: number; doneBefore: number; grandTotal: number }, call: CallOptions = {}): Promise<WriteResult[]> {
    let items = allItems;
    const total = items.length;
    const results: WriteResult[] = new Array(wave?.size ?? total);
    const queue: Unit[] = []; // split halves, retries and rows found by key go first
    const progress: WriteProgress = { done: 0, total, succeeded: 0, failed: 0 };
    const finish = (item: Item, r: Omit<WriteResult, 'index' | 'ref'>) => {
      if (results[item.index]) return;
      if (r.outcome === 'failed' && item.resolvedFrom && DUPLICATE_CODES.has(r.errorCode ?? '')) {
        // Its key was created elsewhere after our read: find it again and write it alone.
        queue.push({ items: [item.resolvedFrom], viaQuery: true });
        return;
      }
      results[item.index] = { index: item.index, ...(item.ref !== undefined ? { ref: item.ref } : {}), ...r };
      progress.done++;
      if (r.outcome === 'failed') progress.failed++;
      else progress.succeeded++;
    };
    if (total === 0) return results;
    let bulk = op !== 'delete' && this.preferBulk && (await tableSupportsBulk(this.client, table.logicalName));
    const abortSignal = this.options.abortSignal;
    // Keys holding characters a URL key cannot carry (/ < > * % & : \ ? + #) are resolved by query (reference §1),
    // not risked inside a bulk request's @odata.id, where the service parses them as a URL too. One-column keys are
    // found KEY_RESOLVE_GROUP at a time and written by id in bulk: one by one, a staged firm whose data collection
    // names hold such characters cost two requests per value. Keys of several columns still go one by one.
    if (op === 'upsert') {
      const byQuery = items.filter((it) => it.key && !isIdKey(it.key) && Object.values(it.key).some((v) => typeof v === 'string' && forbiddenKeyCharacters(v).length > 0));
      if (byQuery.length) {
        const set = new Set(byQuery);
        items = items.filter((it) => !set.has(it));
        const byColumn = new Map<string, Item[]>();
        for (const it of byQuery) {
          const columns = Object.keys(it.key as KeyValues);
          if (columns.length === 1) byColumn.set(columns[0], [...(byColumn.get(columns[0]) ?? []), it]);
          else queue.push({ items: [it], viaQuery: true });
        }
        for (const group of byColumn.values())
          for (let i = 0; i < group.length; i += KEY_RESOLVE_GROUP) queue.push({ items: group.slice(i, i + KEY_RESOLVE_GROUP), resolveKeys: true });
      }
    }
    let cursor = 0;
    const inFlight = new Set<Promise<void>>();
    let fatal: unknown;
    let lastReported = -1;
    const report = () => {
      if (progress.done !== lastReported) {
        lastReported = progress.done;
        if (wave) this.options.onProgress?.(wave.doneBefore + progress.done, wave.grandTotal, { ...progress, done: wave.doneBefore + progress.done, total: wave.grandTotal });
        else this.options.onProgress?.(progress.done, total, { ...progress });
      }
    };

    let plannedChunks = 0;
    let plannedSlots = 0;
    let plannedFull = 0;
    const nextUnit = (): Unit | undefined => {
      const queued = queue.shift();
      if (queued) return queued;
      if (cursor >= items.length) return undefined;
      const full = bulk ? this.batchSize : this.batchOperationSize;
      const remaining = items.length - cursor;
      const free = slots();
      // Plan equal chunks in whole rounds of the slots, so the last round does not leave most slots idle
      // (100,000 rows on 52 slots: 104 × ~962 in two equal rounds, not 52 × 1,000 then 48 × 1,000 while 4 wait).
      // Re-planned when the slots or the batch size change. Never below a quarter batch: tiny requests spend the
      // execution budget on per-request overhead.
      if (plannedChunks <= 0 || free !== plannedSlots || full !== plannedFull) {
        plannedChunks = Math.ceil(remaining / (free * full)) * free;
        plannedSlots = free;
        plannedFull = full;
      }
      const size = Math.min(full, Math.max(Math.ceil(full / 4), Math.ceil(remaining / plannedChunks)));
      plannedChunks--;
      const unit = { items: items.slice(cursor, cursor + size) };
      cursor += unit.items.length;
      return unit;
    };
    const slots = () => Math.max(1, Math.min(this.options.maxConcurrency ?? Infinity, call.maxConcurrency ?? Infinity, this.client.capacity));

    const process = async (unit: Unit): Promise<void> => {
      if (unit.viaQuery) {
        await this.upsertViaQuery(table, unit.items[0], finish);
      } else if (unit.resolveKeys) {
        const resolved = await this.resolveKeys(table, unit.items);
        const size = bulk ? this.batchSize : this.batchOperationSize;
        const parts: Unit[] = [];
        for (let i = 0; i < resolved.length; i += size) parts.push({ items: resolved.slice(i, i + size) });
        queue.unshift(...parts);
      } else if (bulk) {
        const outcome = await this.sendBulk(op, table, unit, finish);
        if (outcome === 'unsupported') {
          bulk = false;
          for (let i = 0; i < unit.items.length; i += this.batchOperationSize) queue.push({ items: unit.items.slice(i, i + this.batchOperationSize) });
        } else if (outcome) {
          queue.unshift(...outcome);
        }
      } else {
        const retry = await this.sendBatch(op, table, unit, finish);
        if (retry.length) queue.unshift(...retry);
      }
    };

    for (;;) {
      if (fatal) break;
      if (abortSignal?.aborted) {
        fatal = abortError();
        break;
      }
      while (inFlight.size >= slots()) await Promise.race(inFlight);
      const unit = nextUnit();
      if (!unit) {
        if (inFlight.size === 0) break;
        await Promise.race(inFlight);
        continue;
      }
      const p: Promise<void> = process(unit)
        .catch((e: unknown) => {
          fatal ??= e;
        })
        .finally(() => {
          inFlight.delete(p);
          report();
        });
      inFlight.add(p);
    }
    await Promise.allSettled(inFlight);
    if (fatal) throw fatal;
    report();
    return results;
  }

  // ------------------------------------------------------------------ bulk actions

  private bulkTarget(op: Operation, table: TableRef, item: Item): Record<string, unknown> {
    const target: Record<string, unknown> = { '@odata.type': `Microsoft.Dynamics.CRM.${table.logicalName}`, ...item.attributes };
    if (op === 'update' || (item.key && isIdKey(item.key))) {
      const id = (item.key as { id: string }).id;
      formatKey(id); // throws KeyFormatError for a non-GUID id, failing that record before anything is sent
      target[table.primaryIdAttribute] = id.replace(/^\{|\}$/g, '').toLowerCase();
    } else if (op === 'upsert' && item.key) {
      // Body keys, not URL keys: the forbidden URL characters do not apply here, so only the quotes are escaped.
      target['@odata.id'] = `${table.entitySetName}${formatKey(item.key, { percentEncode: false, checkForbidden: false })}`;
    }
    return target;
  }

  /** Returns units to retry (halves after a failure), 'unsupported' to switch to `$batch`, or undefined when done. */
  private async sendBulk(op: Operation, table: TableRef, unit: Unit, finish: (item: Item, r: Omit<WriteResult, 'index' | 'ref'>) => void): Promise<Unit[] | 'unsupported' | undefined> {
    const action = op === 'create' ? 'CreateMultiple' : op === 'update' ? 'UpdateMultiple' : 'UpsertMultiple';
    let targets: Record<string, unknown>[];
    try {
      targets = unit.items.map((item) => this.bulkTarget(op, table, item));
    } catch (e) {
      return this.failInvalidKeys(unit, e, finish);
    }
    try {
      const res = await this.client.send('POST', `${table.entitySetName}/Microsoft.Dynamics.CRM.${action}`, {
        body: { Targets: targets },
        abortSignal: this.options.abortSignal,
        headers: this.options.headers,
      });
      let ids: string[] = [];
      if (op === 'create' && res.bodyText) ids = ((JSON.parse(res.bodyText) as { Ids?: string[] }).Ids ?? []).map(String);
      unit.items.forEach((item, i) => {
        if (op === 'create') finish(item, { outcome: 'created', id: ids[i], status: res.status });
        else finish(item, { outcome: op === 'update' ? 'updated' : 'upserted', id: item.key && isIdKey(item.key) ? item.key.id : undefined, status: res.status });
      });
      this.grow();
      return undefined;
    } catch (e) {
      if (!(e instanceof DataverseError) || signInFailed(e)) throw e;
      if (isBulkUnsupported(e)) return 'unsupported';
      if (op === 'create' && DUPLICATE_CODES.has(e.code)) {
        const rest = await this.settleRepeatedCreates(table, unit.items, finish);
        if (rest.length < unit.items.length) return rest.length ? [{ items: rest }] : undefined;
      }
      if (e.status === 401) {
        // Authentication is about the request, not a record: splitting would only repeat the failure per record.
        for (const item of unit.items) finish(item, this.failure(item, e));
        return undefined;
      }
      // TRANSIENT_CODES holds the SQL timeout and the execution-time limit too.
      const pressure = e.status === 413 || e.status === 0 || e.status >= 500 || TRANSIENT_CODES.has(e.code);
      if (pressure) this.shrink();
      if (unit.items.length === 1) {
        if (pressure && unit.items[0].attempts < this.maxRecordRetries) {
          unit.items[0].attempts++;
          return [unit];
        }
        finish(unit.items[0], this.failure(unit.items[0], e));
        return undefined;
      }
      // All-or-nothing: nothing in this request was written. Split and try the halves; the good half succeeds, the bad
      // half splits again, until single bad records remain.
      const mid = Math.ceil(unit.items.length / 2);
      return [
        { items: unit.items.slice(0, mid) },
        { items: unit.items.slice(mid) },
      ];
    }
  }

  private async failInvalidKeys(
    unit: Unit,
    e: unknown,
    finish: (item: Item, r: Omit<WriteResult, 'index' | 'ref'>) => void,
  ): Promise<Unit[] | undefined> {
    if (!(e instanceof KeyFormatError)) throw e;
    // Fail exactly the records whose key cannot be written; keep the rest.
    const good: Item[] = [];
    for (const item of unit.items) {
      try {
        if (item.key && !isIdKey(item.key)) formatKey(item.key, { percentEncode: false, checkForbidden: false });
        else if (item.key) formatKey(item.key.id);
        good.push(item);
      } catch (err) {
        finish(item, { outcome: 'failed', status: 400, errorCode: (err as KeyFormatError).code ?? 'InvalidKeyValue', message: `Record ${item.label}: ${(err as Error).message}` });
      }
    }
    return good.length ? [{ items: good }] : undefined;
  }

  private failure(item: Item, e: DataverseError): Omit<WriteResult, 'index' | 'ref'> {
    // A row found by its key is named by that key, not by the id we wrote it with.
    const asked = item.resolvedFrom ?? item;
    const key = asked.key ? describeKey(asked.key) : '';
    const who = item.ref ? `Record ${item.ref}${key ? ` (${key})` : ''}` : `Record ${key || item.label}`;
    return { outcome: 'failed', status: e.status, errorCode: e.code, message: `${who}: ${e.message}${e.code ? ` [${e.code}]` : ''}` };
  }

  private shrink(): void {
    this.successesSinceShrink = 0;
    this.batchSize = Math.max(this.minBatchSize, Math.floor(this.batchSize / 2));
  }

  private grow(): void {
    if (this.batchSize >= this.maxBatchSize) return;
    if (++this.successesSinceShrink >= 3) {
      this.successesSinceShrink = 0;
      this.batchSize = Math.min(this.maxBatchSize, this.batchSize * 2);
    }
  }

  // ------------------------------------------------------------------ keys a URL cannot carry

  /**
   * Rows whose one-column alternate key a URL cannot carry, found with one read: each becomes a write by id (the row
   * found, or a new id with the key columns in the body, which an upsert by id creates). A read cannot hold the key's
   * row back from another writer; finish() sends a row that then meets a duplicate key to upsertViaQuery.
   */
  private async resolveKeys(table: TableRef, items: Item[]): Promise<Item[]> {
    const column = Object.keys(items[0].key as KeyValues)[0];
    const valueOf = (it: Item) => String((it.key as KeyValues)[column]);
    const rows = await this.client.retrieveByValues(table.entitySetName, column, items.map(valueOf), [table.primaryIdAttribute, column], { abortSignal: this.options.abortSignal, batched: true });
    // Keys compare as their column does: case-insensitively under Dataverse's default collation.
    const idByValue = new Map(rows.map((r) => [String(r[column]).toLowerCase(), String(r[table.primaryIdAttribute])]));
    return items.map((it) => {
      const found = idByValue.get(valueOf(it).toLowerCase());
      const attributes = found ? it.attributes : { ...it.attributes, ...(it.key as KeyValues) };
      return { ...it, key: { id: found ?? randomGuid() }, attributes, resolvedFrom: it };
    });
  }

  /**
   * Upsert of a row whose alternate key holds a character Dataverse cannot take in a URL key (reference §1: fall back
   * to a query and address the row by id): `$filter` on the key columns → PATCH by id, or POST with the key columns
   * when there is none. A concurrent create of the same key surfaces as a duplicate-key error; then we update.
   */
  private async upsertViaQuery(table: TableRef, item: Item, finish: (item: Item, r: Omit<WriteResult, 'index' | 'ref'>) => void): Promise<void> {
    const key = item.key as KeyValues;
    const filter = Object.entries(key)
      .map(([k, v]) => `${k} eq ${keyLiteral(k, v, { percentEncode: false, checkForbidden: false })}`)
      .join(' and ');
    const find = async () => {
      const rows = await this.client.retrieveAll(table.entitySetName, { select: [table.primaryIdAttribute], filter, top: 2, abortSignal: this.options.abortSignal });
      return rows[0]?.[table.primaryIdAttribute] as string | undefined;
    };
    const opts = { abortSignal: this.options.abortSignal, headers: this.options.headers };
    try {
      let id = await find();
      if (!id) {
        try {
          id = await this.client.create(table.entitySetName, { ...item.attributes, ...key }, opts);
          finish(item, { outcome: 'upserted', id, status: 204 });
          return;
        } catch (e) {
          if (!(e instanceof DataverseError) || !DUPLICATE_CODES.has(e.code)) throw e;
          id = await find();
          if (!id) throw e;
        }
      }
      await this.client.update(table.entitySetName, id, item.attributes, opts);
      finish(item, { outcome: 'upserted', id, status: 204 });
    } catch (e) {
      if (!(e instanceof DataverseError) || signInFailed(e)) throw e;
      finish(item, this.failure(item, e));
    }
  }

  // ------------------------------------------------------------------ $batch

  private batchOperation(op: Operation, table: TableRef, item: Item): BatchRequest {
    const headers = { ...(this.options.headers ?? {}) };
    switch (op) {
      case 'create':
        return { method: 'POST', url: table.entitySetName, body: item.attributes, headers };
      case 'update':
        return { method: 'PATCH', url: `${table.entitySetName}${formatKey((item.key as { id: string }).id)}`, body: item.attributes, headers: { ...headers, 'If-Match': '*' } };
      case 'delete':
        return { method: 'DELETE', url: `${table.entitySetName}${formatKey((item.key as { id: string }).id)}`, headers };
      case 'upsert': {
        const key = item.key!;
        return { method: 'PATCH', url: `${table.entitySetName}${formatKey(isIdKey(key) ? key.id : key)}`, body: item.attributes, headers };
      }
    }
  }

  /** Sends one `$batch` (continue-on-error); returns the items to retry. */
  private async sendBatch(op: Operation, table: TableRef, unit: Unit, finish: (item: Item, r: Omit<WriteResult, 'index' | 'ref'>) => void): Promise<Unit[]> {
    const sendable: Item[] = [];
    const requests: BatchRequest[] = [];
    for (const item of unit.items) {
      try {
        requests.push(this.batchOperation(op, table, item));
        sendable.push(item);
      } catch (e) {
        if (!(e instanceof KeyFormatError)) throw e;
        finish(item, { outcome: 'failed', status: 400, errorCode: e.code, message: `Record ${item.label}: ${e.message}` });
      }
    }
    if (requests.length === 0) return [];
    let responses: BatchResponse[];
    try {
      responses = await this.client.batch(requests, { continueOnError: true, abortSignal: this.options.abortSignal });
    } catch (e) {
      if (!(e instanceof DataverseError) || signInFailed(e)) throw e;
      if (sendable.length === 1 || e.status === 401) {
        for (const item of sendable) finish(item, this.failure(item, e));
        return [];
      }
      const mid = Math.ceil(sendable.length / 2);
      return [
        { items: sendable.slice(0, mid) },
        { items: sendable.slice(mid) },
      ];
    }
    const retry: Item[] = [];
    const duplicates: Array<{ item: Item; response: BatchResponse }> = [];
    sendable.forEach((item, i) => {
      const r = responses[i];
      if (!r) {
        // Fewer parts than operations: the service stopped early; send the rest again.
        retry.push(item);
        return;
      }
      if (r.status < 400) {
        const id = idFromEntityUrl(r.headers['odata-entityid'] ?? r.headers.location) ?? (item.key && isIdKey(item.key) ? item.key.id : undefined);
        const outcome: WriteOutcome = op === 'create' ? 'created' : op === 'update' ? 'updated' : op === 'delete' ? 'deleted' : 'upserted';
        finish(item, { outcome, id, status: r.status });
        return;
      }
      const code = r.error?.code ?? '';
      if (op === 'create' && DUPLICATE_CODES.has(code)) {
        duplicates.push({ item, response: r });
        return;
      }
      const transient = r.status === 429 || r.status >= 500 || TRANSIENT_CODES.has(code);
      if (transient && item.attempts < this.maxRecordRetries) {
        item.attempts++;
        retry.push(item);
        return;
      }
      finish(item, this.failure(item, partError(r)));
    });
    if (duplicates.length) {
      const rest = new Set(await this.settleRepeatedCreates(table, duplicates.map((d) => d.item), finish));
      for (const d of duplicates) {
        if (rest.has(d.item)) finish(d.item, this.failure(d.item, partError(d.response)));
      }
    }
    return retry.length ? [{ items: retry }] : [];
  }
}

/** The failure one `$batch` part reports, as the error a single request would have thrown. */
function partError(r: BatchResponse): DataverseError {
  return new DataverseError(r.error?.message ?? `HTTP ${r.status}`, { status: r.status, code: r.error?.code ?? '', headers: r.headers });
}

/** The table has no such bulk message after all (stale discovery, or a server without it). */
function isBulkUnsupported(e: DataverseError): boolean {
  if (e.status === 501) return true;
  if (e.status === 404 && (e.code === '0x8006088a' || /Resource not found for the segment|not supported|has not yet been implemented/i.test(e.message))) return true;
  return e.status === 400 && /is not supported for|not enabled for|has not yet been implemented/i.test(e.message) && /Multiple/i.test(e.message);
}
