// Pause and resume for a run in the browser: every write to Dataverse passes a gate. Pausing closes it: writes
// already sent finish (their audit completes), new ones wait until resume. Nothing is cancelled, so nothing is lost
// and the write-ahead audit stays consistent.
import type { SinkPort, SinkUpsertTarget, SinkWriteOptions, SinkWriteResult, TableInfo, Row, ReadAllOptions } from '../ports';
import type { SolutionSchema } from '@astep/solution/model';

export class WriteGate {
  private waiting: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private readonly listeners = new Set<(paused: boolean) => void>();

  get paused(): boolean {
    return this.waiting !== null;
  }

  pause(): void {
    if (this.waiting) return;
    this.waiting = new Promise<void>((resolve) => (this.release = resolve));
    this.emit();
  }

  resume(): void {
    const release = this.release;
    this.waiting = null;
    this.release = null;
    release?.();
    this.emit();
  }

  /** Resolves at once when open; otherwise when resumed. */
  /** Writes waiting at the gate now (what a pause is holding back). */
  held = 0;

  async pass(): Promise<void> {
    if (!this.waiting) return;
    this.held++;
    try {
      while (this.waiting) await this.waiting;
    } finally {
      this.held--;
    }
  }

  onChange(listener: (paused: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l(this.paused);
  }
}

/** A SinkPort whose writes wait at the gate; reads go straight through (the diff and verification only read). */
export class PausableSink implements SinkPort {
  constructor(private readonly inner: SinkPort, readonly gate: WriteGate) {}

  webApiUrl(): string { return this.inner.webApiUrl(); }
  whoAmI(): Promise<{ userId: string }> { return this.inner.whoAmI(); }
  systemUsers() { return this.inner.systemUsers(); }
  maxUploadFileSize(): Promise<number> { return this.inner.maxUploadFileSize(); }
  customTables(): Promise<string[]> { return this.inner.customTables(); }
  baseCurrency(): Promise<string | null> { return this.inner.baseCurrency ? this.inner.baseCurrency() : Promise.resolve(null); }
  provision(schema: SolutionSchema, options?: { dryRun?: boolean; onProgress?: (message: string, done: number, total: number) => void }): Promise<string[]> {
    return this.inner.provision(schema, options);
  }
  readByValues(table: TableInfo, column: string, values: string[], select: string[]): Promise<Row[]> {
    return this.inner.readByValues(table, column, values, select);
  }
  readAll(table: TableInfo, select: string[], filter?: string, options?: ReadAllOptions): AsyncIterable<Row[]> {
    return this.inner.readAll(table, select, filter, options);
  }
  async upsert(table: TableInfo, targets: SinkUpsertTarget[], options?: SinkWriteOptions): Promise<SinkWriteResult[]> {
    await this.gate.pass();
    return this.inner.upsert(table, targets, options);
  }
  async remove(table: TableInfo, ids: Array<{ id: string; ref?: string }>, options?: SinkWriteOptions): Promise<SinkWriteResult[]> {
    await this.gate.pass();
    return this.inner.remove(table, ids, options);
  }
  async action(name: string, body: Record<string, unknown>): Promise<void> {
    await this.gate.pass();
    return this.inner.action(name, body);
  }
  // The run's lease is renewed while paused: a pause must not let another runner take the run over.
  readForUpdate(table: TableInfo, key: Record<string, string>, select: string[]) { return this.inner.readForUpdate(table, key, select); }
  writeIfUnchanged(table: TableInfo, key: Record<string, string>, etag: string | null, attributes: Row) { return this.inner.writeIfUnchanged(table, key, etag, attributes); }
  requestCount(): number { return this.inner.requestCount(); }
  capacity(): number { return this.inner.capacity?.() ?? 4; }
}
