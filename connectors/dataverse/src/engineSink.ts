// The migration engine's sink port over this connector: bulk upserts through BulkWriter (UpsertMultiple where the
// table has it, else $batch), reads through the Web API, provisioning through the metadata provisioner. Browser-safe:
// the command line and the in-CRM commands use the same adapter.
import type { ReadAllOptions, Row, SinkPort, SinkUpsertTarget, SinkWriteOptions, SinkWriteResult, TableInfo } from '@astep/orchestrator/ports';
import type { SystemUserInfo } from '@astep/orchestrator/plan/buildPlan';
import type { SolutionSchema } from '@astep/solution/model';
import { BulkWriter } from './bulkWriter';
import type { DataverseApi } from './dataverseApi';
import { DataverseError } from './errors';
import { MetadataProvisioner, type ProvisioningChange } from './metadataProvisioner';

const trace = (line: string) => {
  if (typeof process !== 'undefined' && process.env?.ASTEP_TRACE) process.stderr.write(`${line}\n`);
};

export class DataverseSink implements SinkPort {
  private readonly writer: BulkWriter;
  private readonly provisioner: MetadataProvisioner;

  constructor(private readonly client: DataverseApi, private readonly url: string, options: { maxConcurrency?: number } = {}) {
    this.writer = new BulkWriter(client, { maxConcurrency: options.maxConcurrency });
    this.provisioner = new MetadataProvisioner(client, { solutionUniqueName: 'ActionstepMigration' });
  }

  webApiUrl(): string {
    return this.url;
  }

  async whoAmI(): Promise<{ userId: string }> {
    const who = await this.client.whoAmI();
    return { userId: who.UserId };
  }

  async systemUsers(): Promise<SystemUserInfo[]> {
    const rows = await this.client.retrieveAll('systemusers', { select: ['systemuserid', 'fullname', 'internalemailaddress', 'isdisabled'] });
    return rows.map((r) => ({
      systemuserid: String(r.systemuserid),
      fullname: (r.fullname as string) ?? null,
      internalemailaddress: (r.internalemailaddress as string) ?? null,
      isdisabled: r.isdisabled === true,
    }));
  }

  async maxUploadFileSize(): Promise<number> {
    const rows = await this.client.retrieveAll('organizations', { select: ['maxuploadfilesize'] });
    return Number(rows[0]?.maxuploadfilesize ?? 5242880);
  }

  /**
   * ISO code of the organisation's base currency (organization.basecurrencyid → transactioncurrency.isocurrencycode;
   * https://learn.microsoft.com/en-us/powerapps/developer/data-platform/transaction-currency-currency-entity): money
   * is shown in it. Null when the organisation names none.
   */
  async baseCurrency(): Promise<string | null> {
    const [org] = await this.client.retrieveAll('organizations', { select: ['_basecurrencyid_value'] });
    const id = org?._basecurrencyid_value;
    if (typeof id !== 'string' || !id) return null;
    const currency = await this.client.retrieve('transactioncurrencies', id, { select: ['isocurrencycode'] });
    return typeof currency?.isocurrencycode === 'string' ? currency.isocurrencycode : null;
  }

  async customTables(): Promise<string[]> {
    const res = await this.client.get<{ value: Array<{ LogicalName: string; IsCustomEntity: boolean }> }>('EntityDefinitions?$select=LogicalName,IsCustomEntity');
    return res.value.filter((e) => e.IsCustomEntity).map((e) => e.LogicalName).sort();
  }

  async provision(schema: SolutionSchema, options: { dryRun?: boolean; onProgress?: (message: string, done: number, total: number) => void } = {}): Promise<string[]> {
    const changes: ProvisioningChange[] = options.dryRun
      ? await this.provisioner.plan(schema)
      : await this.provisioner.apply(schema, { onProgress: (done, total, c) => options.onProgress?.(c?.description ?? '', done, total) });
    return changes.map((c) => c.description);
  }

  async readByValues(table: TableInfo, column: string, values: string[], select: string[]): Promise<Row[]> {
    if (!values.length) return [];
    const t0 = Date.now();
    // Many keys at once go as one $batch of GETs: the loader, verification and rollback read this way in bulk.
    const rows = await this.client.retrieveByValues(table.entitySetName, column, values, select, { batched: true });
    trace(`[trace] read ${table.logicalName}.${column} ${values.length} → ${rows.length} in ${Date.now() - t0} ms`);
    return rows;
  }

  async *readAll(table: TableInfo, select: string[], filter?: string, options: ReadAllOptions = {}): AsyncIterable<Row[]> {
    const query = { select, filter, orderBy: options.orderBy, maxPageSize: options.pageSize };
    for await (const page of this.client.retrieveMultiple(table.entitySetName, query).byPage()) yield page;
  }

  async upsert(table: TableInfo, targets: SinkUpsertTarget[], options: SinkWriteOptions = {}): Promise<SinkWriteResult[]> {
    const t0 = Date.now();
    const res = await this.writer.upsertMany(table, targets, options);
    trace(`[trace] upsert ${table.logicalName} ${targets.length} in ${Date.now() - t0} ms`);
    return res;
  }

  remove(table: TableInfo, ids: Array<{ id: string; ref?: string }>, options: SinkWriteOptions = {}): Promise<SinkWriteResult[]> {
    return this.writer.deleteMany(table, ids, options);
  }

  async action(name: string, body: Record<string, unknown>): Promise<void> {
    await this.client.executeAction(name, body);
  }

  async readForUpdate(table: TableInfo, key: Record<string, string>, select: string[]): Promise<{ row: Row; etag: string } | null> {
    const row = await this.client.retrieve(table.entitySetName, key, { select });
    return row ? { row, etag: String(row['@odata.etag']) } : null;
  }

  async writeIfUnchanged(table: TableInfo, key: Record<string, string>, etag: string | null, attributes: Row): Promise<boolean> {
    try {
      // If-Match with the etag read, or If-None-Match: * to create only (perform-conditional-operations-using-web-api).
      if (etag === null) await this.client.upsert(table.entitySetName, key, attributes, { createOnly: true });
      else await this.client.update(table.entitySetName, key, attributes, { ifMatch: etag });
      return true;
    } catch (e) {
      if (e instanceof DataverseError && e.status === 412) return false;
      throw e;
    }
  }

  requestCount(): number {
    return this.client.stats.requests;
  }

  applicationUsers(): number {
    return this.client.identityCount;
  }

  capacity(): number {
    return this.client.capacity;
  }
}
