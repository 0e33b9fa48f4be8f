// MetadataProvisioner: makes an environment match the schema model through the Metadata API, idempotently.
// Order (each step needs the previous): global choices (+ InsertOptionValue for missing values) → tables →
// columns → relationships (lookups) → alternate keys → PublishXml → wait until every key is Active.
import type { ChoiceDef, ColumnDef, KeyDef, RelationshipDef, SolutionSchema, TableDef } from '@astep/solution';
import type { DataverseApi } from './dataverseApi';
import { DataverseError } from './errors';
import type { Logger } from './types';
import { randomGuid } from './formatKey';

export type ProvisioningChangeKind = 'createChoice' | 'insertChoiceValue' | 'createTable' | 'createColumn' | 'createRelationship' | 'createKey' | 'reactivateKey';

export interface ProvisioningChange {
  kind: ProvisioningChangeKind;
  /** Table logical name (tables, columns, keys) or the referencing table (relationships). */
  table?: string;
  /** Name of what changes: choice, `choice=value`, table, column, relationship or key. */
  name: string;
  /** One readable line for plans and logs. */
  description: string;
}

export interface MetadataProvisionerOptions {
  /** Unmanaged solution that new components join (`MSCRM.SolutionUniqueName`). */
  solutionUniqueName?: string;
  /** How long to wait for alternate keys to turn Active. Default 300,000 ms (Microsoft's sample waits ~5 min). */
  keyWaitTimeoutMs?: number;
  /** Default 2,000 ms (Microsoft's sample polls every 15 s; the index job is usually quick). */
  pollIntervalMs?: number;
  logger?: Logger;
}

export interface ApplyOptions {
  dryRun?: boolean;
  onProgress?: (done: number, total: number, change?: ProvisioningChange) => void;
  abortSignal?: AbortSignal;
}

type EntityDefinition = {
  LogicalName: string;
  EntitySetName?: string;
  MetadataId?: string;
  Attributes?: Array<{ LogicalName: string }>;
  Keys?: KeyMetadata[];
};
type KeyMetadata = { LogicalName: string; SchemaName?: string; KeyAttributes?: string[]; EntityKeyIndexStatus?: string };

const LANG = 1033;

export function label(text: string) {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.Label',
    LocalizedLabels: [{ '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text, LanguageCode: LANG }],
  };
}

function requiredLevel(level: ColumnDef['required']) {
  const Value = level === 'required' ? 'ApplicationRequired' : level === 'recommended' ? 'Recommended' : 'None';
  return { Value, CanBeChanged: true, ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings' };
}

const STRING_FORMAT: Record<string, string> = { text: 'Text', email: 'Email', url: 'Url', phone: 'Phone', textarea: 'TextArea' };

/** The AttributeMetadata body for one column (lookups are created through their relationship instead). */
export function attributeMetadata(column: ColumnDef, optionSetIds: Map<string, string>): Record<string, unknown> {
  const base = {
    SchemaName: column.schemaName,
    DisplayName: label(column.displayName),
    Description: label(column.description ?? ''),
    RequiredLevel: requiredLevel(column.required),
  };
  const bindChoice = () => {
    const id = optionSetIds.get(column.optionSet ?? '');
    if (!id) throw new Error(`Column ${column.logicalName} uses the global choice '${column.optionSet}', which does not exist in the environment or the schema.`);
    return { 'GlobalOptionSet@odata.bind': `/GlobalOptionSetDefinitions(${id})` };
  };
  switch (column.type) {
    case 'string':
      return { '@odata.type': 'Microsoft.Dynamics.CRM.StringAttributeMetadata', ...base, MaxLength: column.maxLength ?? 100, FormatName: { Value: STRING_FORMAT[column.format ?? 'text'] ?? 'Text' }, ...(column.isPrimaryName ? { IsPrimaryName: true } : {}) };
    case 'memo':
      return { '@odata.type': 'Microsoft.Dynamics.CRM.MemoAttributeMetadata', ...base, Format: 'TextArea', MaxLength: column.maxLength ?? 2000 };
    case 'integer':
      return { '@odata.type': 'Microsoft.Dynamics.CRM.IntegerAttributeMetadata', ...base, Format: 'None', MinValue: column.minValue ?? -2147483648, MaxValue: column.maxValue ?? 2147483647 };
    case 'decimal':
      return { '@odata.type': 'Microsoft.Dynamics.CRM.DecimalAttributeMetadata', ...base, Precision: column.precision ?? 2, MinValue: column.minValue ?? -100000000000, MaxValue: column.maxValue ?? 100000000000 };
    case 'money':
      // PrecisionSource 0 = use Precision. Dataverse adds `<col>_base` and, on a table without one, the
      // transactioncurrencyid lookup and exchangerate: rows then take the currency from `transactioncurrencyid`
      // (or the owner's / organisation's base currency when it is not set).
      return { '@odata.type': 'Microsoft.Dynamics.CRM.MoneyAttributeMetadata', ...base, PrecisionSource: 0, Precision: column.precision ?? 2, MinValue: column.minValue ?? -922337203685477, MaxValue: column.maxValue ?? 922337203685477 };
    case 'boolean':
      return {
        '@odata.type': 'Microsoft.Dynamics.CRM.BooleanAttributeMetadata',
        ...base,
        DefaultValue: false,
        OptionSet: { '@odata.type': 'Microsoft.Dynamics.CRM.BooleanOptionSetMetadata', TrueOption: { Value: 1, Label: label('Yes') }, FalseOption: { Value: 0, Label: label('No') } },
      };
    case 'datetime': {
      const behavior = column.dateBehavior ?? 'UserLocal';
      return { '@odata.type': 'Microsoft.Dynamics.CRM.DateTimeAttributeMetadata', ...base, Format: behavior === 'DateOnly' ? 'DateOnly' : 'DateAndTime', DateTimeBehavior: { Value: behavior } };
    }
    case 'picklist':
      return { '@odata.type': 'Microsoft.Dynamics.CRM.PicklistAttributeMetadata', ...base, ...bindChoice() };
    case 'multiselectpicklist':
      return { '@odata.type': 'Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata', ...base, ...bindChoice() };
    case 'lookup':
      throw new Error(`Column ${column.logicalName} is a lookup: it is created by its relationship (${column.relationship}).`);
  }
}

export function tableMetadata(table: TableDef): Record<string, unknown> {
  const primary = table.columns.find((c) => c.isPrimaryName) ?? table.columns.find((c) => c.logicalName === table.primaryNameAttribute);
  if (!primary || primary.type !== 'string') throw new Error(`Table ${table.logicalName} needs exactly one primary name column of type string.`);
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
    SchemaName: table.schemaName,
    DisplayName: label(table.displayName),
    DisplayCollectionName: label(table.displayCollectionName),
    Description: label(table.description),
    OwnershipType: table.ownership,
    IsActivity: false,
    HasActivities: table.hasActivities,
    HasNotes: table.hasNotes,
    // Only the primary name column travels with the table; the others are added one by one afterwards.
    Attributes: [{ ...attributeMetadata({ ...primary, isPrimaryName: true }, new Map()) }],
  };
}

export function choiceMetadata(choice: ChoiceDef): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.OptionSetMetadata',
    Name: choice.name,
    DisplayName: label(choice.displayName),
    Description: label(choice.description),
    IsGlobal: true,
    OptionSetType: 'Picklist',
    Options: choice.options.map((o) => ({ Value: o.value, Label: label(o.label), ...(o.description ? { Description: label(o.description) } : {}) })),
  };
}

export function relationshipMetadata(rel: RelationshipDef, lookupColumn: ColumnDef | undefined): Record<string, unknown> {
  return {
    '@odata.type': 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
    SchemaName: rel.schemaName,
    ReferencedEntity: rel.referencedEntity,
    ReferencedAttribute: rel.referencedAttribute,
    ReferencingEntity: rel.referencingEntity,
    ReferencedEntityNavigationPropertyName: rel.referencedNavigationProperty,
    ReferencingEntityNavigationPropertyName: rel.referencingNavigationProperty,
    CascadeConfiguration: { Assign: 'NoCascade', Delete: rel.cascadeDelete, Merge: 'NoCascade', Reparent: 'NoCascade', Share: 'NoCascade', Unshare: 'NoCascade' },
    Lookup: {
      '@odata.type': 'Microsoft.Dynamics.CRM.LookupAttributeMetadata',
      SchemaName: lookupColumn?.schemaName ?? rel.referencingNavigationProperty,
      DisplayName: label(lookupColumn?.displayName ?? rel.referencedEntity),
      Description: label(lookupColumn?.description ?? ''),
      RequiredLevel: requiredLevel(lookupColumn?.required),
    },
  };
}

export function keyMetadata(table: TableDef, key: KeyDef): Record<string, unknown> {
  return { SchemaName: key.schemaName, LogicalName: key.logicalName, EntityLogicalName: table.logicalName, DisplayName: label(key.displayName), KeyAttributes: key.columns };
}

function quote(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

function escapeXml(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export class MetadataProvisioner {
  private readonly keyWaitTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly client: DataverseApi, private readonly options: MetadataProvisionerOptions = {}) {
    this.keyWaitTimeoutMs = options.keyWaitTimeoutMs ?? 300_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
  }

  private get headers(): Record<string, string> {
    return this.options.solutionUniqueName ? { 'MSCRM.SolutionUniqueName': this.options.solutionUniqueName } : {};
  }

  /**
   * Metadata writes take an environment-wide customization lock: while another one runs (a solution import, a
   * publish) Dataverse answers "Cannot start the requested operation [X] because there is another
   * [EntityCustomization] running at this moment". That is worth waiting for, not failing on.
   */
  private async withCustomizationLock<T>(what: string, fn: () => Promise<T>, abortSignal?: AbortSignal): Promise<T> {
    const deadline = this.client.clock.now() + this.keyWaitTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        const locked = e instanceof DataverseError && /because there is another \[\w+\] running/i.test(e.message);
        if (!locked || this.client.clock.now() >= deadline) throw e;
        this.options.logger?.warn?.(`${what}: another customization is running; waiting`, { attempt });
        await this.client.clock.sleep(Math.min(30_000, this.pollIntervalMs * 2 ** Math.min(attempt, 5)), abortSignal);
      }
    }
  }

  private write(path: string, body: unknown, what: string, abortSignal?: AbortSignal): Promise<unknown> {
    return this.withCustomizationLock(what, () => this.client.post(path, body, { headers: this.headers, abortSignal }), abortSignal);
  }

  private action(name: string, body: unknown, what: string, abortSignal?: AbortSignal): Promise<unknown> {
    return this.withCustomizationLock(what, () => this.client.executeAction(name, body, { abortSignal }), abortSignal);
  }

  private async getOrNull<T>(path: string): Promise<T | null> {
    try {
      return await this.client.get<T>(path);
    } catch (e) {
      if (e instanceof DataverseError && e.status === 404) return null;
      throw e;
    }
  }

  private entity(logicalName: string): Promise<EntityDefinition | null> {
    return this.getOrNull<EntityDefinition>(`EntityDefinitions(LogicalName=${quote(logicalName)})?$select=LogicalName,EntitySetName,MetadataId&$expand=Attributes($select=LogicalName),Keys`);
  }

  private keys(logicalName: string): Promise<KeyMetadata[]> {
    return this.client.get<{ value?: KeyMetadata[] }>(`EntityDefinitions(LogicalName=${quote(logicalName)})/Keys`).then((r) => r?.value ?? []);
  }

  /** Compares the schema with the environment and lists what would change, writing nothing. */
  async plan(schema: SolutionSchema): Promise<ProvisioningChange[]> {
    const changes: ProvisioningChange[] = [];
    for (const choice of schema.choices) {
      const existing = await this.getOrNull<{ Options?: Array<{ Value: number }> }>(`GlobalOptionSetDefinitions(Name=${quote(choice.name)})`);
      if (!existing) {
        changes.push({ kind: 'createChoice', name: choice.name, description: `Create global choice ${choice.name} with ${choice.options.length} values` });
        continue;
      }
      const have = new Set((existing.Options ?? []).map((o) => o.Value));
      for (const o of choice.options) {
        if (!have.has(o.value)) changes.push({ kind: 'insertChoiceValue', name: `${choice.name}=${o.value}`, description: `Add value ${o.value} "${o.label}" to choice ${choice.name}` });
      }
    }
    const existingTables = new Map<string, EntityDefinition | null>();
    for (const table of schema.tables) {
      const def = await this.entity(table.logicalName);
      existingTables.set(table.logicalName, def);
      if (!def) {
        if (!table.isCustom) throw new Error(`Standard table ${table.logicalName} does not exist in this environment: is Dynamics 365 Sales installed?`);
        changes.push({ kind: 'createTable', table: table.logicalName, name: table.logicalName, description: `Create table ${table.logicalName} (${table.displayName})` });
      }
      const attrs = new Set((def?.Attributes ?? []).map((a) => a.LogicalName));
      for (const col of table.columns) {
        if (col.type === 'lookup') continue;
        if (!def && (col.isPrimaryName || col.logicalName === table.primaryNameAttribute)) continue; // created with the table
        if (!attrs.has(col.logicalName)) changes.push({ kind: 'createColumn', table: table.logicalName, name: col.logicalName, description: `Add ${col.type} column ${table.logicalName}.${col.logicalName}` });
      }
    }
    for (const rel of schema.relationships) {
      const referencing = existingTables.get(rel.referencingEntity);
      const lookupExists = referencing?.Attributes?.some((a) => a.LogicalName === rel.referencingAttribute);
      if (lookupExists) continue;
      const existing = await this.getOrNull(`RelationshipDefinitions(SchemaName=${quote(rel.schemaName)})`);
      if (!existing) changes.push({ kind: 'createRelationship', table: rel.referencingEntity, name: rel.schemaName, description: `Create lookup ${rel.referencingEntity}.${rel.referencingAttribute} → ${rel.referencedEntity} (${rel.schemaName})` });
    }
    for (const table of schema.tables) {
      const existing = existingTables.get(table.logicalName)?.Keys ?? [];
      for (const key of table.keys) {
        const found = existing.find((k) => k.LogicalName === key.logicalName || k.SchemaName?.toLowerCase() === key.schemaName.toLowerCase());
        if (!found) changes.push({ kind: 'createKey', table: table.logicalName, name: key.logicalName, description: `Create alternate key ${key.logicalName} on ${table.logicalName} (${key.columns.join(', ')})` });
        else if (found.EntityKeyIndexStatus === 'Failed') changes.push({ kind: 'reactivateKey', table: table.logicalName, name: key.logicalName, description: `Reactivate failed alternate key ${key.logicalName} on ${table.logicalName}` });
      }
    }
    if (schema.tables.some((t) => t.columns.some((c) => c.type === 'money'))) {
      const currencies = await this.client.get<{ value?: unknown[] }>('transactioncurrencies?$select=transactioncurrencyid&$top=1');
      if (!currencies?.value?.length) throw new Error('The schema has money columns but the environment has no transactioncurrency: add the base currency first.');
    }
    return changes;
  }

  /**
   * Applies the plan (a second call changes nothing), publishes what changed, and waits until every alternate key of
   * the schema is Active (a Failed key or the timeout → an error naming the key). Returns the changes applied.
   */
  async apply(schema: SolutionSchema, options: ApplyOptions = {}): Promise<ProvisioningChange[]> {
    const changes = await this.plan(schema);
    if (options.dryRun) return changes;
    const optionSetIds = new Map<string, string>();
    const needsChoiceId = new Set(schema.tables.flatMap((t) => t.columns.filter((c) => c.optionSet).map((c) => c.optionSet!)));
    let done = 0;
    const step = (c: ProvisioningChange) => {
      done++;
      this.options.logger?.info?.(c.description);
      options.onProgress?.(done, changes.length, c);
    };
    const tableByName = new Map(schema.tables.map((t) => [t.logicalName, t]));
    const choiceByName = new Map(schema.choices.map((c) => [c.name, c]));

    for (const c of changes.filter((x) => x.kind === 'createChoice')) {
      await this.write('GlobalOptionSetDefinitions', choiceMetadata(choiceByName.get(c.name)!), c.description, options.abortSignal);
      step(c);
    }
    for (const c of changes.filter((x) => x.kind === 'insertChoiceValue')) {
      const [name, value] = c.name.split('=');
      const option = choiceByName.get(name)!.options.find((o) => o.value === Number(value))!;
      await this.action('InsertOptionValue', { OptionSetName: name, Value: option.value, Label: label(option.label), ...(this.options.solutionUniqueName ? { SolutionUniqueName: this.options.solutionUniqueName } : {}) }, c.description, options.abortSignal);
      step(c);
    }
    for (const name of needsChoiceId) {
      const os = await this.getOrNull<{ MetadataId?: string }>(`GlobalOptionSetDefinitions(Name=${quote(name)})?$select=MetadataId`);
      if (os?.MetadataId) optionSetIds.set(name, os.MetadataId);
    }
    for (const c of changes.filter((x) => x.kind === 'createTable')) {
      await this.write('EntityDefinitions', tableMetadata(tableByName.get(c.name)!), c.description, options.abortSignal);
      step(c);
    }
    for (const c of changes.filter((x) => x.kind === 'createColumn')) {
      const column = tableByName.get(c.table!)!.columns.find((x) => x.logicalName === c.name)!;
      await this.write(`EntityDefinitions(LogicalName=${quote(c.table!)})/Attributes`, attributeMetadata(column, optionSetIds), c.description, options.abortSignal);
      step(c);
    }
    for (const c of changes.filter((x) => x.kind === 'createRelationship')) {
      const rel = schema.relationships.find((r) => r.schemaName === c.name)!;
      const lookupColumn = tableByName.get(rel.referencingEntity)?.columns.find((x) => x.relationship === rel.schemaName || x.logicalName === rel.referencingAttribute);
      await this.write('RelationshipDefinitions', relationshipMetadata(rel, lookupColumn), c.description, options.abortSignal);
      step(c);
    }
    for (const c of changes.filter((x) => x.kind === 'createKey' || x.kind === 'reactivateKey')) {
      const table = tableByName.get(c.table!)!;
      const key = table.keys.find((k) => k.logicalName === c.name)!;
      if (c.kind === 'createKey') {
        await this.write(`EntityDefinitions(LogicalName=${quote(table.logicalName)})/Keys`, keyMetadata(table, key), c.description, options.abortSignal);
      } else {
        try {
          await this.client.executeAction('ReactivateEntityKey', { EntityLogicalName: table.logicalName, EntityKeyLogicalName: key.logicalName }, { abortSignal: options.abortSignal });
        } catch (e) {
          // A server without the action: dropping and recreating the key starts a new index job just the same.
          if (!(e instanceof DataverseError) || (e.status !== 404 && e.status !== 501)) throw e;
          await this.client.send('DELETE', `EntityDefinitions(LogicalName=${quote(table.logicalName)})/Keys(LogicalName=${quote(key.logicalName)})`, { abortSignal: options.abortSignal });
          await this.client.post(`EntityDefinitions(LogicalName=${quote(table.logicalName)})/Keys`, keyMetadata(table, key), { headers: this.headers, abortSignal: options.abortSignal });
        }
      }
      step(c);
    }
    if (changes.length > 0) await this.publish(schema, changes, options.abortSignal);
    await this.waitForKeys(schema, options.abortSignal);
    return changes;
  }

  /** PublishXml with the tables and global choices that changed. */
  private async publish(schema: SolutionSchema, changes: ProvisioningChange[], abortSignal?: AbortSignal): Promise<void> {
    const entities = new Set<string>();
    const optionSets = new Set<string>();
    for (const c of changes) {
      if (c.table) entities.add(c.table);
      if (c.kind === 'createRelationship') {
        const rel = schema.relationships.find((r) => r.schemaName === c.name);
        if (rel) entities.add(rel.referencedEntity);
      }
      if (c.kind === 'createChoice') optionSets.add(c.name);
      if (c.kind === 'insertChoiceValue') optionSets.add(c.name.split('=')[0]);
    }
    const xml =
      '<importexportxml>' +
      (entities.size ? `<entities>${[...entities].map((e) => `<entity>${escapeXml(e)}</entity>`).join('')}</entities>` : '') +
      (optionSets.size ? `<optionsets>${[...optionSets].map((o) => `<optionset>${escapeXml(o)}</optionset>`).join('')}</optionsets>` : '') +
      '</importexportxml>';
    await this.action('PublishXml', { ParameterXml: xml }, 'Publish', abortSignal);
  }

  /** Polls every key of the schema until all are Active. */
  async waitForKeys(schema: SolutionSchema, abortSignal?: AbortSignal): Promise<void> {
    const clock = this.client.clock;
    const deadline = clock.now() + this.keyWaitTimeoutMs;
    let pending = schema.tables.flatMap((t) => t.keys.map((k) => ({ table: t.logicalName, key: k.logicalName, status: 'unknown' })));
    while (pending.length > 0) {
      const byTable = new Map<string, KeyMetadata[]>();
      for (const t of new Set(pending.map((p) => p.table))) byTable.set(t, await this.keys(t));
      const still: typeof pending = [];
      for (const p of pending) {
        const k = byTable.get(p.table)!.find((x) => x.LogicalName === p.key);
        const status = k?.EntityKeyIndexStatus ?? 'Missing';
        if (status === 'Active') continue;
        if (status === 'Failed') {
          throw new Error(`Alternate key ${p.key} on ${p.table} failed to activate (EntityKeyIndexStatus = Failed): existing rows probably hold duplicate values in ${k?.KeyAttributes?.join(', ') ?? 'its columns'}. Remove the duplicates, then provision again (it reactivates the key).`);
        }
        still.push({ ...p, status });
      }
      pending = still;
      if (pending.length === 0) return;
      if (clock.now() >= deadline) {
        throw new Error(`Timed out after ${this.keyWaitTimeoutMs} ms waiting for alternate keys to become Active: ${pending.map((p) => `${p.table}.${p.key} (${p.status})`).join(', ')}.`);
      }
      await clock.sleep(this.pollIntervalMs, abortSignal);
    }
  }

  /**
   * Imports a solution zip (same tables as apply). Uses `ImportSolutionAsync` and polls the async operation (a large
   * import outlasts any HTTP timeout); where that action does not exist, the synchronous `ImportSolution`.
   * Pass `schema` to wait for its alternate keys afterwards.
   */
  async importSolution(
    zip: Uint8Array,
    options: { overwriteUnmanagedCustomizations?: boolean; publishWorkflows?: boolean; schema?: SolutionSchema; abortSignal?: AbortSignal; importTimeoutMs?: number } = {},
  ): Promise<void> {
    const body = {
      CustomizationFile: toBase64(zip),
      OverwriteUnmanagedCustomizations: options.overwriteUnmanagedCustomizations ?? true,
      PublishWorkflows: options.publishWorkflows ?? true,
      ImportJobId: randomGuid(),
    };
    let asyncOperationId: string | undefined;
    try {
      const res = (await this.action('ImportSolutionAsync', body, 'Import solution', options.abortSignal)) as { AsyncOperationId?: string } | undefined;
      asyncOperationId = res?.AsyncOperationId;
    } catch (e) {
      if (!(e instanceof DataverseError) || (e.status !== 404 && e.status !== 501)) throw e;
      await this.action('ImportSolution', body, 'Import solution', options.abortSignal);
    }
    if (asyncOperationId) await this.waitForAsyncOperation(asyncOperationId, options.importTimeoutMs ?? 30 * 60_000, options.abortSignal);
    if (options.schema) await this.waitForKeys(options.schema, options.abortSignal);
  }

  /** Polls `asyncoperations(id)` until it completes (statecode 3); statuscode 30 = succeeded, 31/32 = failed/canceled. */
  private async waitForAsyncOperation(id: string, timeoutMs: number, abortSignal?: AbortSignal): Promise<void> {
    const clock = this.client.clock;
    const deadline = clock.now() + timeoutMs;
    for (;;) {
      const op = await this.client.get<{ statecode?: number; statuscode?: number; message?: string | null; friendlymessage?: string | null }>(
        `asyncoperations(${id})?$select=statecode,statuscode,message,friendlymessage`,
        { abortSignal },
      );
      if (op?.statecode === 3) {
        if (op.statuscode === 30) return;
        throw new Error(`Solution import ${op.statuscode === 32 ? 'was canceled' : 'failed'}: ${op.friendlymessage || op.message || `async operation ${id} ended with status ${op.statuscode}`}`);
      }
      if (clock.now() >= deadline) throw new Error(`Solution import still running after ${timeoutMs} ms (async operation ${id}); check Solution History.`);
      await clock.sleep(this.pollIntervalMs, abortSignal);
    }
  }
}

function toBase64(bytes: Uint8Array): string {
  const B = (globalThis as { Buffer?: { from(b: Uint8Array): { toString(enc: string): string } } }).Buffer;
  if (B) return B.from(bytes).toString('base64');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
