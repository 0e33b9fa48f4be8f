/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are checked field by field in the tests */
// Test helpers: start an emulator, get a token over HTTP, call the Web API with fetch.
import { DEFAULT_CLIENT, startDataverseEmulator, type DataverseEmulator, type DataverseEmulatorOptions } from '@astep/dataverse-emulator';
import { SCHEMA } from '@astep/solution';

export interface Api {
  emu: DataverseEmulator;
  token: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: any; text: string }>;
}

export async function getToken(emu: DataverseEmulator, clientId = DEFAULT_CLIENT.clientId, clientSecret = DEFAULT_CLIENT.clientSecret): Promise<string> {
  const r = await fetch(emu.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, scope: `${emu.url}/.default` }),
  });
  const j = (await r.json()) as { access_token: string };
  if (!j.access_token) throw new Error(`no token: ${JSON.stringify(j)}`);
  return j.access_token;
}

export async function startApi(o: DataverseEmulatorOptions = {}): Promise<Api> {
  const emu = await startDataverseEmulator({ limits: 'off', ...o });
  const token = await getToken(emu);
  return {
    emu,
    token,
    async call(method, path, body, headers = {}) {
      const r = await fetch(path.startsWith('http') ? path : emu.webApiUrl + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', 'OData-Version': '4.0', ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await r.text();
      let json: any;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: r.status, headers: r.headers, json, text };
    },
  };
}

/** Emulator with the product schema applied through the Metadata API path (applySchema) and keys active at once. */
export async function startWithSchema(o: DataverseEmulatorOptions = {}): Promise<Api> {
  const api = await startApi({ metadataKeyActivationDelayMs: 0, ...o });
  return api;
}

export { SCHEMA };

export async function waitForKeys(api: Api, table: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await api.call('GET', `EntityDefinitions(LogicalName='${table}')/Keys?$select=LogicalName,EntityKeyIndexStatus`);
    const keys = r.json.value as Array<{ EntityKeyIndexStatus: string }>;
    if (keys.length && keys.every((k) => k.EntityKeyIndexStatus === 'Active' || k.EntityKeyIndexStatus === 'Failed')) return;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error(`keys of ${table} never became active`);
}

const lbl = (text: string) => ({ '@odata.type': 'Microsoft.Dynamics.CRM.Label', LocalizedLabels: [{ '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text, LanguageCode: 1033 }] });
const ODATA_TYPES: Record<string, string> = {
  string: 'StringAttributeMetadata',
  memo: 'MemoAttributeMetadata',
  integer: 'IntegerAttributeMetadata',
  decimal: 'DecimalAttributeMetadata',
  money: 'MoneyAttributeMetadata',
  boolean: 'BooleanAttributeMetadata',
  datetime: 'DateTimeAttributeMetadata',
  picklist: 'PicklistAttributeMetadata',
  multiselectpicklist: 'MultiSelectPicklistAttributeMetadata',
};

/** Metadata API JSON for one column (as a provisioner would send it). */
export function attributeBody(c: (typeof SCHEMA)['tables'][number]['columns'][number]): Record<string, unknown> {
  const b: Record<string, unknown> = {
    '@odata.type': `Microsoft.Dynamics.CRM.${ODATA_TYPES[c.type]}`,
    SchemaName: c.schemaName,
    DisplayName: lbl(c.displayName),
    RequiredLevel: { Value: c.required === 'required' ? 'ApplicationRequired' : c.required === 'recommended' ? 'Recommended' : 'None' },
  };
  if (c.isPrimaryName) b.IsPrimaryName = true;
  if (c.maxLength !== undefined) b.MaxLength = c.maxLength;
  if (c.precision !== undefined) b.Precision = c.precision;
  if (c.minValue !== undefined) b.MinValue = c.minValue;
  if (c.maxValue !== undefined) b.MaxValue = c.maxValue;
  if (c.type === 'datetime') {
    b.DateTimeBehavior = { Value: c.dateBehavior ?? 'UserLocal' };
    b.Format = c.dateBehavior === 'DateOnly' ? 'DateOnly' : 'DateAndTime';
  }
  if (c.optionSet) b['GlobalOptionSet@odata.bind'] = `/GlobalOptionSetDefinitions(Name='${c.optionSet}')`;
  return b;
}

/** Provisions a SolutionSchema through the Metadata API over HTTP (choices, tables, columns, relationships, keys). */
export async function provisionSchema(api: Api, schema = SCHEMA, only?: string[]): Promise<void> {
  const must = async (p: Promise<{ status: number; text: string }>, what: string) => {
    const r = await p;
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  };
  const tables = schema.tables.filter((t) => !only || only.includes(t.logicalName));
  for (const c of schema.choices)
    await must(api.call('POST', 'GlobalOptionSetDefinitions', { '@odata.type': 'Microsoft.Dynamics.CRM.OptionSetMetadata', Name: c.name, IsGlobal: true, OptionSetType: 'Picklist', DisplayName: lbl(c.displayName), Options: c.options.map((o) => ({ Value: o.value, Label: lbl(o.label) })) }), `choice ${c.name}`);
  for (const t of tables) {
    const cols = t.columns.filter((c) => c.type !== 'lookup');
    if (t.isCustom) {
      await must(
        api.call('POST', 'EntityDefinitions', {
          '@odata.type': 'Microsoft.Dynamics.CRM.EntityMetadata',
          SchemaName: t.schemaName,
          EntitySetName: t.entitySetName,
          DisplayName: lbl(t.displayName),
          DisplayCollectionName: lbl(t.displayCollectionName),
          Description: lbl(t.description),
          OwnershipType: t.ownership,
          HasNotes: t.hasNotes,
          HasActivities: t.hasActivities,
          IsActivity: false,
          Attributes: cols.filter((c) => c.isPrimaryName).map(attributeBody),
        }, { 'MSCRM.SolutionUniqueName': schema.uniqueName }),
        `table ${t.logicalName}`,
      );
    }
    for (const c of cols.filter((x) => !(t.isCustom && x.isPrimaryName)))
      await must(api.call('POST', `EntityDefinitions(LogicalName='${t.logicalName}')/Attributes`, attributeBody(c)), `column ${t.logicalName}.${c.logicalName}`);
  }
  for (const r of schema.relationships.filter((x) => tables.some((t) => t.logicalName === x.referencingEntity) && (!only || only.includes(x.referencedEntity) || !schema.tables.some((t) => t.logicalName === x.referencedEntity && t.isCustom)))) {
    const col = schema.tables.find((t) => t.logicalName === r.referencingEntity)!.columns.find((c) => c.logicalName === r.referencingAttribute)!;
    await must(
      api.call('POST', 'RelationshipDefinitions', {
        '@odata.type': 'Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
        SchemaName: r.schemaName,
        ReferencedEntity: r.referencedEntity,
        ReferencedAttribute: r.referencedAttribute,
        ReferencingEntity: r.referencingEntity,
        CascadeConfiguration: { Assign: 'NoCascade', Delete: r.cascadeDelete, Merge: 'NoCascade', Reparent: 'NoCascade', Share: 'NoCascade', Unshare: 'NoCascade' },
        Lookup: { '@odata.type': 'Microsoft.Dynamics.CRM.LookupAttributeMetadata', SchemaName: col.schemaName, DisplayName: lbl(col.displayName), RequiredLevel: { Value: 'None' } },
      }),
      `relationship ${r.schemaName}`,
    );
  }
  for (const t of tables)
    for (const k of t.keys)
      await must(api.call('POST', `EntityDefinitions(LogicalName='${t.logicalName}')/Keys`, { SchemaName: k.schemaName, DisplayName: lbl(k.displayName), KeyAttributes: k.columns }), `key ${k.logicalName}`);
}
