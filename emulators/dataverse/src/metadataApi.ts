// Metadata API: EntityDefinitions (+ Attributes, Keys), GlobalOptionSetDefinitions, RelationshipDefinitions,
// InsertOptionValue. Writes go through MetadataCatalog.applySchema (the same path as ImportSolution).
import { randomUUID } from 'node:crypto';
import type { ColumnDef, RelationshipDef, TableDef } from '@astep/solution';
import { DataverseError, CODES, err } from './errors';
import type { MetadataCatalog } from './metadataCatalog';
import type { AttrMeta, EntityMeta, KeyMeta, OptionSetMeta, RelationshipMeta } from './metadataTypes';
import { parseFilter, parseKeyPredicate, type FilterNode, ODataSyntaxError, isGuid } from './odataFilter';

export interface WebResult {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Raw text body (with contentType). */
  text?: string;
  contentType?: string;
}

export function label(text: string | undefined): Record<string, unknown> {
  const l = { '@odata.type': 'Microsoft.Dynamics.CRM.LocalizedLabel', Label: text ?? '', LanguageCode: 1033, IsManaged: false };
  return { '@odata.type': 'Microsoft.Dynamics.CRM.Label', LocalizedLabels: text === undefined ? [] : [l], UserLocalizedLabel: text === undefined ? null : l };
}
function labelText(v: unknown): string | undefined {
  const l = v as { LocalizedLabels?: Array<{ Label?: string; LanguageCode?: number }>; UserLocalizedLabel?: { Label?: string } } | undefined;
  return l?.LocalizedLabels?.find((x) => x.LanguageCode === 1033)?.Label ?? l?.LocalizedLabels?.[0]?.Label ?? l?.UserLocalizedLabel?.Label;
}

const TYPE_NAMES: Record<AttrMeta['type'], [string, string, string]> = {
  uniqueidentifier: ['Uniqueidentifier', 'UniqueidentifierType', 'UniqueIdentifierAttributeMetadata'],
  string: ['String', 'StringType', 'StringAttributeMetadata'],
  memo: ['Memo', 'MemoType', 'MemoAttributeMetadata'],
  integer: ['Integer', 'IntegerType', 'IntegerAttributeMetadata'],
  bigint: ['BigInt', 'BigIntType', 'BigIntAttributeMetadata'],
  decimal: ['Decimal', 'DecimalType', 'DecimalAttributeMetadata'],
  double: ['Double', 'DoubleType', 'DoubleAttributeMetadata'],
  money: ['Money', 'MoneyType', 'MoneyAttributeMetadata'],
  boolean: ['Boolean', 'BooleanType', 'BooleanAttributeMetadata'],
  datetime: ['DateTime', 'DateTimeType', 'DateTimeAttributeMetadata'],
  picklist: ['Picklist', 'PicklistType', 'PicklistAttributeMetadata'],
  state: ['State', 'StateType', 'StateAttributeMetadata'],
  status: ['Status', 'StatusType', 'StatusAttributeMetadata'],
  multiselectpicklist: ['Virtual', 'MultiSelectPicklistType', 'MultiSelectPicklistAttributeMetadata'],
  lookup: ['Lookup', 'LookupType', 'LookupAttributeMetadata'],
  customer: ['Customer', 'CustomerType', 'LookupAttributeMetadata'],
  owner: ['Owner', 'OwnerType', 'LookupAttributeMetadata'],
  entityname: ['EntityName', 'EntityNameType', 'EntityNameAttributeMetadata'],
};

export class MetadataApi {
  constructor(
    private readonly catalog: MetadataCatalog,
    private readonly hooks: {
      now: () => number;
      customTableCap?: number;
      refreshKeys: (e: EntityMeta) => void;
      dropKey: (e: EntityMeta, k: KeyMeta) => void;
      changed: () => void;
      webApiUrl: () => string;
      optionValuePrefix: () => number;
    },
  ) {}

  // ------------------------------------------------------------- JSON shapes

  optionSetJson(o: OptionSetMeta): Record<string, unknown> {
    const type = o.optionSetType === 'Boolean' ? 'BooleanOptionSetMetadata' : 'OptionSetMetadata';
    const base: Record<string, unknown> = {
      '@odata.type': `#Microsoft.Dynamics.CRM.${type}`,
      MetadataId: o.metadataId,
      Name: o.name,
      IsGlobal: o.isGlobal,
      IsCustomOptionSet: o.isGlobal,
      OptionSetType: o.optionSetType,
      DisplayName: label(o.displayName),
      Description: label(o.description),
      IsManaged: false,
    };
    const opt = (x: OptionSetMeta['options'][number]) => ({
      Value: x.value,
      Label: label(x.label),
      Description: label(x.description ?? ''),
      ...(x.state !== undefined ? { State: x.state } : {}),
      ...(x.defaultStatus !== undefined ? { DefaultStatus: x.defaultStatus } : {}),
    });
    if (o.optionSetType === 'Boolean') {
      base.FalseOption = opt(o.options.find((x) => x.value === 0) ?? { value: 0, label: 'No' });
      base.TrueOption = opt(o.options.find((x) => x.value === 1) ?? { value: 1, label: 'Yes' });
    } else base.Options = o.options.map(opt);
    return base;
  }

  attributeJson(e: EntityMeta, a: AttrMeta): Record<string, unknown> {
    const [t, tn, odt] = TYPE_NAMES[a.type];
    const j: Record<string, unknown> = {
      '@odata.type': `#Microsoft.Dynamics.CRM.${odt}`,
      MetadataId: a.metadataId,
      LogicalName: a.logicalName,
      SchemaName: a.schemaName,
      EntityLogicalName: e.logicalName,
      AttributeType: t,
      AttributeTypeName: { Value: tn },
      DisplayName: label(a.displayName),
      Description: label(a.description ?? ''),
      RequiredLevel: { Value: a.required, CanBeChanged: true, ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings' },
      IsCustomAttribute: a.isCustom,
      IsPrimaryId: !!a.isPrimaryId,
      IsPrimaryName: !!a.isPrimaryName,
      IsValidForCreate: a.validForCreate,
      IsValidForUpdate: a.validForUpdate,
      IsValidForRead: true,
      IsManaged: false,
    };
    if (a.maxLength !== undefined) j.MaxLength = a.maxLength;
    if (a.format) j.FormatName = { Value: a.format.charAt(0).toUpperCase() + a.format.slice(1) };
    if (a.precision !== undefined) j.Precision = a.precision;
    if (a.minValue !== undefined) j.MinValue = a.minValue;
    if (a.maxValue !== undefined) j.MaxValue = a.maxValue;
    if (a.type === 'datetime') {
      j.DateTimeBehavior = { Value: a.dateBehavior ?? 'UserLocal' };
      j.Format = a.dateBehavior === 'DateOnly' ? 'DateOnly' : 'DateAndTime';
    }
    if (a.type === 'lookup' || a.type === 'customer' || a.type === 'owner') j.Targets = this.catalog.lookupTargets(a);
    if (a.optionSet) {
      const os = this.catalog.optionSets.get(a.optionSet);
      if (os) {
        j.OptionSet = this.optionSetJson(os);
        if (os.isGlobal) j.GlobalOptionSet = this.optionSetJson(os);
      }
    }
    return j;
  }

  keyJson(e: EntityMeta, k: KeyMeta): Record<string, unknown> {
    return {
      '@odata.type': '#Microsoft.Dynamics.CRM.EntityKeyMetadata',
      MetadataId: k.metadataId,
      LogicalName: k.logicalName,
      SchemaName: k.schemaName,
      EntityLogicalName: e.logicalName,
      DisplayName: label(k.displayName),
      KeyAttributes: k.keyAttributes,
      EntityKeyIndexStatus: k.status,
      IsCustomizable: { Value: true, CanBeChanged: true, ManagedPropertyLogicalName: 'iscustomizable' },
      IsManaged: false,
      AsyncJob: null,
    };
  }

  relationshipJson(r: RelationshipMeta): Record<string, unknown> {
    return {
      '@odata.type': '#Microsoft.Dynamics.CRM.OneToManyRelationshipMetadata',
      MetadataId: r.metadataId,
      SchemaName: r.schemaName,
      RelationshipType: 'OneToManyRelationship',
      ReferencedEntity: r.referencedEntity,
      ReferencedAttribute: r.referencedAttribute,
      ReferencingEntity: r.referencingEntity,
      ReferencingAttribute: r.referencingAttribute,
      ReferencingEntityNavigationPropertyName: r.referencingNavigationProperty,
      ReferencedEntityNavigationPropertyName: r.referencedNavigationProperty,
      IsCustomRelationship: r.isCustom,
      CascadeConfiguration: { Assign: 'NoCascade', Delete: r.cascadeDelete, Merge: 'NoCascade', Reparent: 'NoCascade', Share: 'NoCascade', Unshare: 'NoCascade' },
    };
  }

  entityJson(e: EntityMeta): Record<string, unknown> {
    return {
      '@odata.type': '#Microsoft.Dynamics.CRM.EntityMetadata',
      MetadataId: e.metadataId,
      LogicalName: e.logicalName,
      SchemaName: e.schemaName,
      EntitySetName: e.entitySetName,
      LogicalCollectionName: e.entitySetName,
      CollectionSchemaName: e.schemaName + 's',
      PrimaryIdAttribute: e.primaryIdAttribute,
      PrimaryNameAttribute: e.primaryNameAttribute,
      ObjectTypeCode: e.objectTypeCode,
      IsCustomEntity: e.isCustom,
      IsActivity: e.isActivity,
      OwnershipType: e.ownership === 'None' ? 'BusinessOwned' : e.ownership,
      HasNotes: e.hasNotes,
      HasActivities: e.hasActivities,
      IsManaged: false,
      IsOptimisticConcurrencyEnabled: e.concurrency,
      ChangeTrackingEnabled: false,
      DisplayName: label(e.displayName),
      DisplayCollectionName: label(e.displayCollectionName),
      Description: label(e.description),
    };
  }

  private entityFull(e: EntityMeta, expand: Map<string, ExpandOpt>, select?: string[]): Record<string, unknown> {
    this.hooks.refreshKeys(e);
    const j = project(this.entityJson(e), select);
    const a = expand.get('Attributes');
    if (a) j.Attributes = filterList(e.attributes.map((x) => this.attributeJson(e, x)), a);
    const k = expand.get('Keys');
    if (k) j.Keys = filterList(e.keys.map((x) => this.keyJson(e, x)), k);
    const m1 = expand.get('ManyToOneRelationships');
    if (m1) j.ManyToOneRelationships = filterList([...this.catalog.relationships.values()].filter((r) => r.referencingEntity === e.logicalName).map((r) => this.relationshipJson(r)), m1);
    const m2 = expand.get('OneToManyRelationships');
    if (m2) j.OneToManyRelationships = filterList([...this.catalog.relationships.values()].filter((r) => r.referencedEntity === e.logicalName).map((r) => this.relationshipJson(r)), m2);
    return j;
  }

  private findEntity(key: string): EntityMeta {
    const inner = key.trim();
    if (isGuid(inner)) {
      const e = [...this.catalog.entities.values()].find((x) => x.metadataId === inner.toLowerCase());
      if (!e) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find entity with MetadataId '${inner}'.`);
      return e;
    }
    const pred = safeKey(inner);
    const ln = pred.kind === 'alternate' ? pred.parts.find((p) => p.name === 'LogicalName')?.value.value : undefined;
    if (typeof ln !== 'string') throw err.querySyntax('EntityDefinitions must be addressed by MetadataId or LogicalName.');
    const e = this.catalog.entity(ln);
    if (!e) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find entity with logical name '${ln}'.`);
    return e;
  }

  // ------------------------------------------------------------- dispatch

  handle(method: string, segs: Array<{ name: string; key?: string }>, query: URLSearchParams, body: unknown, headers: Record<string, string | undefined>): WebResult {
    const root = segs[0].name;
    const ctx = this.hooks.webApiUrl() + '$metadata#';
    if (root === 'EntityDefinitions') {
      if (segs.length === 1 && segs[0].key === undefined) {
        if (method === 'GET') {
          const list = [...this.catalog.entities.values()].map((e) => this.entityFull(e, parseExpand(query.get('$expand'))));
          const value = applyListFilter(list, query.get('$filter')).map((x) => project(x, selectOf(query)));
          return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions`, value } };
        }
        if (method === 'POST') return this.createEntity(body as Record<string, unknown>, headers);
      }
      const e = this.findEntity(segs[0].key ?? '');
      if (segs.length === 1) {
        if (method !== 'GET') throw new DataverseError(405, CODES.notSupported, `${method} on EntityDefinitions is not supported by the emulator (use POST to create, PUT is not emulated).`);
        return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions/$entity`, ...this.entityFull(e, parseExpand(query.get('$expand')), selectOf(query)) } };
      }
      const sub = segs[1].name;
      if (sub === 'Attributes') {
        if (segs[1].key === undefined) {
          if (method === 'POST') return this.createAttribute(e, body as Record<string, unknown>);
          // `.../Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata` casts the collection to one type.
          const cast = segs[2]?.name.replace(/^Microsoft\.Dynamics\.CRM\./, '#Microsoft.Dynamics.CRM.');
          const all = e.attributes.map((a) => this.attributeJson(e, a)).filter((j) => !cast || j['@odata.type'] === cast);
          const list = applyListFilter(all, query.get('$filter')).map((x) => project(x, selectOf(query)));
          return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${e.metadataId}')/Attributes`, value: list } };
        }
        const pred = safeKey(segs[1].key);
        const name = pred.kind === 'alternate' ? pred.parts.find((p) => p.name === 'LogicalName')?.value.value : undefined;
        const a = pred.kind === 'id' ? e.attributes.find((x) => x.metadataId === pred.id) : e.attributes.find((x) => x.logicalName === name);
        if (!a) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find attribute '${String(name ?? segs[1].key)}' on entity ${e.logicalName}.`);
        return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${e.metadataId}')/Attributes/$entity`, ...project(this.attributeJson(e, a), selectOf(query)) } };
      }
      if (sub === 'Keys') {
        this.hooks.refreshKeys(e);
        if (segs[1].key === undefined) {
          if (method === 'POST') return this.createKey(e, body as Record<string, unknown>);
          return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${e.metadataId}')/Keys`, value: e.keys.map((k) => project(this.keyJson(e, k), selectOf(query))) } };
        }
        const pred = safeKey(segs[1].key);
        const name = pred.kind === 'alternate' ? pred.parts.find((p) => p.name === 'LogicalName')?.value.value : undefined;
        const k = pred.kind === 'id' ? e.keys.find((x) => x.metadataId === pred.id) : e.keys.find((x) => x.logicalName === name);
        if (!k) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find key '${String(name ?? segs[1].key)}' on entity ${e.logicalName}.`);
        if (method === 'DELETE') {
          e.keys.splice(e.keys.indexOf(k), 1);
          this.hooks.dropKey(e, k);
          this.hooks.changed();
          return { status: 204 };
        }
        return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${e.metadataId}')/Keys/$entity`, ...project(this.keyJson(e, k), selectOf(query)) } };
      }
      if (sub === 'ManyToOneRelationships' || sub === 'OneToManyRelationships') {
        const list = [...this.catalog.relationships.values()].filter((r) => (sub === 'ManyToOneRelationships' ? r.referencingEntity : r.referencedEntity) === e.logicalName);
        return { status: 200, body: { '@odata.context': `${ctx}EntityDefinitions('${e.metadataId}')/${sub}`, value: list.map((r) => this.relationshipJson(r)) } };
      }
      throw err.segment(sub);
    }
    if (root === 'GlobalOptionSetDefinitions') {
      if (segs[0].key === undefined) {
        if (method === 'POST') return this.createOptionSet(body as Record<string, unknown>);
        const list = applyListFilter([...this.catalog.optionSets.values()].filter((o) => o.isGlobal).map((o) => this.optionSetJson(o)), query.get('$filter')).map((x) => project(x, selectOf(query)));
        return { status: 200, body: { '@odata.context': `${ctx}GlobalOptionSetDefinitions`, value: list } };
      }
      const os = this.findOptionSet(segs[0].key);
      return { status: 200, body: { '@odata.context': `${ctx}GlobalOptionSetDefinitions/$entity`, ...project(this.optionSetJson(os), selectOf(query)) } };
    }
    if (root === 'RelationshipDefinitions') {
      if (segs[0].key === undefined) {
        if (method === 'POST') return this.createRelationship(body as Record<string, unknown>);
        const list = applyListFilter([...this.catalog.relationships.values()].map((r) => this.relationshipJson(r)), query.get('$filter')).map((x) => project(x, selectOf(query)));
        return { status: 200, body: { '@odata.context': `${ctx}RelationshipDefinitions`, value: list } };
      }
      const inner = segs[0].key;
      const pred = safeKey(inner);
      const name = pred.kind === 'alternate' ? pred.parts.find((p) => p.name === 'SchemaName')?.value.value : undefined;
      const r = pred.kind === 'id' ? [...this.catalog.relationships.values()].find((x) => x.metadataId === pred.id) : this.catalog.relationships.get(String(name));
      if (!r) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find relationship '${String(name ?? inner)}'.`);
      return { status: 200, body: { '@odata.context': `${ctx}RelationshipDefinitions/$entity`, ...project(this.relationshipJson(r), selectOf(query)) } };
    }
    throw err.segment(root);
  }

  private findOptionSet(key: string): OptionSetMeta {
    const pred = safeKey(key);
    const name = pred.kind === 'alternate' ? pred.parts.find((p) => p.name === 'Name')?.value.value : undefined;
    const os = pred.kind === 'id' ? [...this.catalog.optionSets.values()].find((o) => o.metadataId === pred.id) : this.catalog.optionSets.get(String(name));
    if (!os || !os.isGlobal) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find optionset '${String(name ?? key)}'.`);
    return os;
  }

  // ------------------------------------------------------------- writes

  private apply(schema: { tables: TableDef[]; choices: Array<{ name: string; displayName: string; description: string; options: Array<{ value: number; label: string }> }>; relationships: RelationshipDef[] }) {
    const r = this.catalog.applySchema(schema, { strict: true, customTableCap: this.hooks.customTableCap, now: this.hooks.now() });
    this.hooks.changed();
    return r;
  }

  private createEntity(body: Record<string, unknown>, _headers: Record<string, string | undefined>): WebResult {
    const schemaName = body.SchemaName;
    if (typeof schemaName !== 'string' || !/^[A-Za-z][A-Za-z0-9]{1,7}_[A-Za-z0-9_]+$/.test(schemaName))
      throw err.payload('EntityMetadata needs a SchemaName of the form <prefix>_<Name> (prefix 2–8 letters or digits, starting with a letter).');
    const logicalName = schemaName.toLowerCase();
    const attrs = Array.isArray(body.Attributes) ? (body.Attributes as Array<Record<string, unknown>>) : [];
    const primaries = attrs.filter((a) => a.IsPrimaryName === true);
    if (primaries.length !== 1) throw new DataverseError(400, CODES.invalidArgument, 'A new entity needs exactly one StringAttributeMetadata with IsPrimaryName = true.');
    const columns = attrs.map((a) => this.toColumn(logicalName, a));
    const table: TableDef = {
      logicalName,
      schemaName,
      displayName: labelText(body.DisplayName) ?? schemaName,
      displayCollectionName: labelText(body.DisplayCollectionName) ?? schemaName,
      description: labelText(body.Description) ?? '',
      entitySetName: typeof body.EntitySetName === 'string' ? body.EntitySetName : pluralize(logicalName),
      primaryIdAttribute: `${logicalName}id`,
      primaryNameAttribute: columns.find((c) => c.isPrimaryName)!.logicalName,
      isCustom: true,
      ownership: body.OwnershipType === 'OrganizationOwned' ? 'OrganizationOwned' : 'UserOwned',
      hasNotes: body.HasNotes === true,
      hasActivities: body.HasActivities === true,
      columns,
      keys: [],
    };
    if (this.catalog.entity(logicalName))
      throw new DataverseError(400, CODES.duplicateName, `An entity with the specified name already exists. Specify a unique name. Entity: ${schemaName}`);
    if (this.catalog.entityBySet(table.entitySetName)) throw new DataverseError(400, CODES.duplicateName, `The entity set name ${table.entitySetName} is already used.`);
    this.apply({ tables: [table], choices: [], relationships: [] });
    const e = this.catalog.entity(logicalName)!;
    return { status: 204, headers: { 'OData-EntityId': `${this.hooks.webApiUrl()}EntityDefinitions(${e.metadataId})` } };
  }

  private createAttribute(e: EntityMeta, body: Record<string, unknown>): WebResult {
    const col = this.toColumn(e.logicalName, body);
    if (this.catalog.attribute(e, col.logicalName))
      throw new DataverseError(400, CODES.duplicateAttributeSchemaName, `An attribute with the specified name ${col.schemaName} already exists for entity ${e.logicalName}.`);
    const table = this.tableFragment(e, [col]);
    this.apply({ tables: [table], choices: [], relationships: [] });
    const a = this.catalog.attribute(e, col.logicalName)!;
    return { status: 204, headers: { 'OData-EntityId': `${this.hooks.webApiUrl()}EntityDefinitions(${e.metadataId})/Attributes(${a.metadataId})` } };
  }

  private tableFragment(e: EntityMeta, columns: ColumnDef[], keys: TableDef['keys'] = []): TableDef {
    return {
      logicalName: e.logicalName,
      schemaName: e.schemaName,
      displayName: e.displayName,
      displayCollectionName: e.displayCollectionName,
      description: e.description,
      entitySetName: e.entitySetName,
      primaryIdAttribute: e.primaryIdAttribute,
      primaryNameAttribute: e.primaryNameAttribute,
      isCustom: e.isCustom,
      ownership: e.ownership === 'OrganizationOwned' ? 'OrganizationOwned' : 'UserOwned',
      hasNotes: e.hasNotes,
      hasActivities: e.hasActivities,
      columns,
      keys,
    };
  }

  private createKey(e: EntityMeta, body: Record<string, unknown>): WebResult {
    const schemaName = body.SchemaName;
    const cols = body.KeyAttributes;
    if (typeof schemaName !== 'string' || !Array.isArray(cols) || cols.length === 0 || cols.some((c) => typeof c !== 'string'))
      throw err.payload('EntityKeyMetadata needs SchemaName and a non-empty KeyAttributes array.');
    const logicalName = typeof body.LogicalName === 'string' ? body.LogicalName : schemaName.toLowerCase();
    if (e.keys.some((k) => k.logicalName === logicalName))
      throw new DataverseError(400, CODES.duplicateName, `An entity key with the specified name ${schemaName} already exists for entity ${e.logicalName}.`);
    this.apply({ tables: [this.tableFragment(e, [], [{ logicalName, schemaName, displayName: labelText(body.DisplayName) ?? schemaName, columns: cols as string[] }])], choices: [], relationships: [] });
    const k = e.keys.find((x) => x.logicalName === logicalName)!;
    return { status: 204, headers: { 'OData-EntityId': `${this.hooks.webApiUrl()}EntityDefinitions(${e.metadataId})/Keys(${k.metadataId})` } };
  }

  private createOptionSet(body: Record<string, unknown>): WebResult {
    const name = body.Name;
    if (typeof name !== 'string' || !name) throw err.payload('OptionSetMetadata needs a Name.');
    if (this.catalog.optionSets.get(name)?.isGlobal)
      throw new DataverseError(400, CODES.duplicateName, `An OptionSet with the specified name already exists. Specify a unique name. OptionSet: ${name}`);
    const options = (Array.isArray(body.Options) ? (body.Options as Array<Record<string, unknown>>) : []).map((o, i) => ({
      value: typeof o.Value === 'number' ? o.Value : this.hooks.optionValuePrefix() * 10000 + i,
      label: labelText(o.Label) ?? String(o.Value ?? i),
    }));
    this.apply({ tables: [], choices: [{ name, displayName: labelText(body.DisplayName) ?? name, description: labelText(body.Description) ?? '', options }], relationships: [] });
    const os = this.catalog.optionSets.get(name)!;
    return { status: 204, headers: { 'OData-EntityId': `${this.hooks.webApiUrl()}GlobalOptionSetDefinitions(${os.metadataId})` } };
  }

  private createRelationship(body: Record<string, unknown>): WebResult {
    const type = String(body['@odata.type'] ?? '');
    if (!/OneToManyRelationshipMetadata$/.test(type)) throw new DataverseError(400, CODES.notSupported, 'The emulator supports OneToManyRelationshipMetadata only.');
    const lookup = body.Lookup as Record<string, unknown> | undefined;
    const schemaName = body.SchemaName;
    if (typeof schemaName !== 'string' || !lookup || typeof lookup.SchemaName !== 'string') throw err.payload('OneToManyRelationshipMetadata needs SchemaName and Lookup.SchemaName.');
    const referencingEntity = String(body.ReferencingEntity ?? '');
    const referencedEntity = String(body.ReferencedEntity ?? '');
    const e = this.catalog.entity(referencingEntity);
    if (!e || !this.catalog.entity(referencedEntity)) throw new DataverseError(404, CODES.objectDoesNotExist, `Could not find entity '${e ? referencedEntity : referencingEntity}'.`);
    if (this.catalog.relationships.has(schemaName))
      throw new DataverseError(400, CODES.duplicateName, `A relationship with the specified name already exists. Specify a unique name. Relationship: ${schemaName}`);
    const referencingAttribute = lookup.SchemaName.toLowerCase();
    if (this.catalog.attribute(e, referencingAttribute))
      throw new DataverseError(400, CODES.duplicateAttributeSchemaName, `An attribute with the specified name ${lookup.SchemaName} already exists for entity ${e.logicalName}.`);
    const cascade = body.CascadeConfiguration as Record<string, unknown> | undefined;
    const rel: RelationshipDef = {
      schemaName,
      referencedEntity,
      referencedAttribute: String(body.ReferencedAttribute ?? `${referencedEntity}id`),
      referencingEntity,
      referencingAttribute,
      referencingNavigationProperty: typeof body.ReferencingEntityNavigationPropertyName === 'string' ? body.ReferencingEntityNavigationPropertyName : lookup.SchemaName,
      referencedNavigationProperty: typeof body.ReferencedEntityNavigationPropertyName === 'string' ? body.ReferencedEntityNavigationPropertyName : schemaName,
      cascadeDelete: (cascade?.Delete as RelationshipDef['cascadeDelete']) ?? 'RemoveLink',
    };
    const col: ColumnDef = {
      logicalName: referencingAttribute,
      schemaName: lookup.SchemaName,
      displayName: labelText(lookup.DisplayName) ?? lookup.SchemaName,
      type: 'lookup',
      required: reqLevel(lookup.RequiredLevel),
      relationship: schemaName,
    };
    this.apply({ tables: [this.tableFragment(e, [col])], choices: [], relationships: [rel] });
    const r = this.catalog.relationships.get(schemaName)!;
    return { status: 204, headers: { 'OData-EntityId': `${this.hooks.webApiUrl()}RelationshipDefinitions(${r.metadataId})` } };
  }

  insertOptionValue(body: Record<string, unknown>): WebResult {
    let name = typeof body.OptionSetName === 'string' ? body.OptionSetName : undefined;
    if (!name && typeof body.EntityLogicalName === 'string' && typeof body.AttributeLogicalName === 'string') {
      const e = this.catalog.entity(body.EntityLogicalName);
      const a = e ? this.catalog.attribute(e, body.AttributeLogicalName) : undefined;
      name = a?.optionSet;
    }
    if (!name) throw err.payload('InsertOptionValue needs OptionSetName, or EntityLogicalName and AttributeLogicalName.');
    const value = this.catalog.insertOptionValue(name, typeof body.Value === 'number' ? body.Value : undefined, labelText(body.Label) ?? '', this.hooks.optionValuePrefix());
    this.hooks.changed();
    return { status: 200, body: { '@odata.context': `${this.hooks.webApiUrl()}$metadata#Microsoft.Dynamics.CRM.InsertOptionValueResponse`, NewOptionValue: value } };
  }

  private toColumn(entity: string, a: Record<string, unknown>): ColumnDef {
    const t = String(a['@odata.type'] ?? '').replace(/^#?Microsoft\.Dynamics\.CRM\./, '');
    const schemaName = a.SchemaName;
    if (typeof schemaName !== 'string' || !schemaName) throw err.payload('AttributeMetadata needs a SchemaName.');
    const map: Record<string, ColumnDef['type']> = {
      StringAttributeMetadata: 'string',
      MemoAttributeMetadata: 'memo',
      IntegerAttributeMetadata: 'integer',
      DecimalAttributeMetadata: 'decimal',
      MoneyAttributeMetadata: 'money',
      BooleanAttributeMetadata: 'boolean',
      DateTimeAttributeMetadata: 'datetime',
      PicklistAttributeMetadata: 'picklist',
      MultiSelectPicklistAttributeMetadata: 'multiselectpicklist',
    };
    if (t === 'LookupAttributeMetadata') throw new DataverseError(400, CODES.notSupported, 'Lookup attributes are created with their relationship (POST RelationshipDefinitions).');
    const type = map[t];
    if (!type) throw err.payload(`The '@odata.type' of attribute ${schemaName} is missing or not supported ('${t}').`);
    const col: ColumnDef = {
      logicalName: schemaName.toLowerCase(),
      schemaName,
      displayName: labelText(a.DisplayName) ?? schemaName,
      description: labelText(a.Description),
      type,
      required: reqLevel(a.RequiredLevel),
      isPrimaryName: a.IsPrimaryName === true,
    };
    if (typeof a.MaxLength === 'number') col.maxLength = a.MaxLength;
    if (typeof a.Precision === 'number') col.precision = a.Precision;
    if (typeof a.MinValue === 'number') col.minValue = a.MinValue;
    if (typeof a.MaxValue === 'number') col.maxValue = a.MaxValue;
    const fmt = (a.FormatName as { Value?: string } | undefined)?.Value;
    if (fmt) col.format = fmt.toLowerCase() as ColumnDef['format'];
    if (type === 'datetime') {
      const b = (a.DateTimeBehavior as { Value?: string } | undefined)?.Value;
      if (b === 'DateOnly' && a.Format !== undefined && a.Format !== 'DateOnly') throw new DataverseError(400, CODES.invalidArgument, 'DateTimeBehavior DateOnly needs Format DateOnly.');
      col.dateBehavior = (b as ColumnDef['dateBehavior']) ?? 'UserLocal';
    }
    if (type === 'picklist' || type === 'multiselectpicklist') {
      const bind = a['GlobalOptionSet@odata.bind'];
      if (typeof bind === 'string') {
        const m = /GlobalOptionSetDefinitions\((.+)\)$/.exec(bind);
        if (!m) throw err.payload(`Bad GlobalOptionSet@odata.bind '${bind}'.`);
        col.optionSet = this.findOptionSet(m[1]).name;
      } else {
        const os = a.OptionSet as Record<string, unknown> | undefined;
        if (os?.IsGlobal === true && typeof os.Name === 'string') col.optionSet = this.findOptionSet(`Name='${os.Name}'`).name;
        else {
          const name = `${entity}_${col.logicalName}`;
          const opts = (Array.isArray(os?.Options) ? (os!.Options as Array<Record<string, unknown>>) : []).map((o, i) => ({
            value: typeof o.Value === 'number' ? o.Value : this.hooks.optionValuePrefix() * 10000 + i,
            label: labelText(o.Label) ?? String(i),
          }));
          this.catalog.optionSets.set(name, { name, displayName: col.displayName, description: '', isGlobal: false, optionSetType: 'Picklist', options: opts, metadataId: randomUUID() });
          col.optionSet = name;
        }
      }
    }
    return col;
  }
}

function reqLevel(v: unknown): ColumnDef['required'] {
  const s = (v as { Value?: string } | undefined)?.Value;
  return s === 'ApplicationRequired' || s === 'SystemRequired' ? 'required' : s === 'Recommended' ? 'recommended' : 'none';
}

/** English plural the way Dataverse derives EntitySetName when none is given. */
export function pluralize(name: string): string {
  if (/(s|x|z|ch|sh)$/.test(name)) return `${name}es`;
  if (/[^aeiou]y$/.test(name)) return `${name.slice(0, -1)}ies`;
  return `${name}s`;
}

function safeKey(inner: string) {
  try {
    return parseKeyPredicate(inner);
  } catch (e) {
    if (e instanceof ODataSyntaxError) throw err.querySyntax(e.message);
    throw e;
  }
}

interface ExpandOpt {
  select?: string[];
  filter?: string;
}
function parseExpand(s: string | null): Map<string, ExpandOpt> {
  const m = new Map<string, ExpandOpt>();
  if (!s) return m;
  let depth = 0;
  let cur = '';
  const items: string[] = [];
  for (const c of s) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      items.push(cur);
      cur = '';
    } else cur += c;
  }
  items.push(cur);
  for (const it of items) {
    const mm = /^\s*([A-Za-z]+)(?:\((.*)\))?\s*$/.exec(it);
    if (!mm) continue;
    const o: ExpandOpt = {};
    for (const part of (mm[2] ?? '').split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      const k = part.slice(0, eq).trim();
      const v = part.slice(eq + 1).trim();
      if (k === '$select') o.select = v.split(',').map((x) => x.trim());
      if (k === '$filter') o.filter = v;
    }
    m.set(mm[1], o);
  }
  return m;
}
function selectOf(q: URLSearchParams): string[] | undefined {
  const s = q.get('$select');
  return s ? s.split(',').map((x) => x.trim()) : undefined;
}
function project(o: Record<string, unknown>, select?: string[]): Record<string, unknown> {
  if (!select) return o;
  const out: Record<string, unknown> = {};
  if (o['@odata.type']) out['@odata.type'] = o['@odata.type'];
  out.MetadataId = o.MetadataId;
  for (const s of select) if (s in o) out[s] = o[s];
  for (const nav of ['Attributes', 'Keys', 'ManyToOneRelationships', 'OneToManyRelationships']) if (nav in o) out[nav] = o[nav];
  return out;
}
function filterList(list: Array<Record<string, unknown>>, o: ExpandOpt): Array<Record<string, unknown>> {
  return applyListFilter(list.map((x) => project(x, o.select)), o.filter ?? null);
}

function applyListFilter(list: Array<Record<string, unknown>>, filter: string | null): Array<Record<string, unknown>> {
  if (!filter) return list;
  let ast: FilterNode;
  try {
    ast = parseFilter(filter);
  } catch (e) {
    if (e instanceof ODataSyntaxError) throw err.querySyntax(e.message);
    throw e;
  }
  return list.filter((o) => evalNode(ast, o));
}
function pathValue(o: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = o;
  for (const p of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined;
  return v;
}
/** In-memory $filter over metadata objects (small lists). */
export function evalNode(n: FilterNode, o: Record<string, unknown>): boolean {
  switch (n.kind) {
    case 'and':
      return evalNode(n.left, o) && evalNode(n.right, o);
    case 'or':
      return evalNode(n.left, o) || evalNode(n.right, o);
    case 'not':
      return !evalNode(n.operand, o);
    case 'func': {
      const v = String(pathValue(o, n.property.path) ?? '').toLowerCase();
      const x = String(n.value.value ?? '').toLowerCase();
      return n.name === 'contains' ? v.includes(x) : n.name === 'startswith' ? v.startsWith(x) : v.endsWith(x);
    }
    case 'in': {
      const v = pathValue(o, n.property.path);
      const hit = n.values.some((x) => x.value === v);
      return n.negate ? !hit : hit;
    }
    case 'cmp': {
      const l = n.left.kind === 'prop' ? pathValue(o, n.left.path) : n.left.value;
      const r = n.right.kind === 'prop' ? pathValue(o, n.right.path) : n.right.value;
      const a = l as string | number;
      const b = r as string | number;
      switch (n.op) {
        case 'eq':
          return (l ?? null) === (r ?? null);
        case 'ne':
          return (l ?? null) !== (r ?? null);
        case 'gt':
          return a > b;
        case 'ge':
          return a >= b;
        case 'lt':
          return a < b;
        case 'le':
          return a <= b;
      }
    }
  }
  return false;
}
