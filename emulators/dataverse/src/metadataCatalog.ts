// The live metadata: standard tables plus whatever applySchema added (Metadata API or solution import).
// applySchema is the ONE path that creates custom tables, columns, choices, relationships and keys.
import type { ChoiceDef, ColumnDef, SolutionSchema, TableDef } from '@astep/solution';
import { DataverseError, CODES } from './errors';
import type { AttrMeta, AttrType, EntityMeta, KeyMeta, OptionSetMeta, RelationshipMeta, RequiredLevelValue } from './metadataTypes';
import { ACTIVE_INACTIVE, attr, buildStandardTables, makeEntity, optionSet, stableGuid } from './standardTables';

export interface NavProp {
  name: string;
  attr: AttrMeta;
  targets: string[];
}

export interface ApplySchemaOptions {
  /** Metadata API semantics: a table/column/choice/key/relationship that already exists is an error. */
  strict?: boolean;
  /** Sales Professional: at most this many custom tables (0x80048547 beyond). */
  customTableCap?: number;
  /** Virtual time (ms) the keys are requested at. */
  now: number;
}

export interface ApplySchemaResult {
  tablesCreated: string[];
  columnsCreated: string[];
  keysCreated: string[];
  choicesCreated: string[];
  relationshipsCreated: string[];
}

/** Platform one-to-many navigation property names: [parent table, name, child table, lookup]. */
const STANDARD_COLLECTIONS: Array<[string, string, string, string]> = [
  ['account', 'contact_customer_accounts', 'contact', 'parentcustomerid'],
  ['contact', 'contact_customer_contacts', 'contact', 'parentcustomerid'],
  ['account', 'opportunity_customer_accounts', 'opportunity', 'customerid'],
  ['contact', 'opportunity_customer_contacts', 'opportunity', 'customerid'],
  ['account', 'opportunity_parent_account', 'opportunity', 'parentaccountid'],
  ['account', 'Account_Tasks', 'task', 'regardingobjectid'],
  ['contact', 'Contact_Tasks', 'task', 'regardingobjectid'],
  ['opportunity', 'Opportunity_Tasks', 'task', 'regardingobjectid'],
  ['account', 'Account_Annotation', 'annotation', 'objectid'],
  ['contact', 'Contact_Annotation', 'annotation', 'objectid'],
  ['opportunity', 'Opportunity_Annotation', 'annotation', 'objectid'],
  ['task', 'Task_Annotation', 'annotation', 'objectid'],
  ['opportunity', 'Opportunity_OpportunityClose', 'opportunityclose', 'opportunityid'],
  ['environmentvariabledefinition', 'environmentvariabledefinition_environmentvariablevalue', 'environmentvariablevalue', 'environmentvariabledefinitionid'],
];

const REQ: Record<string, RequiredLevelValue> = { none: 'None', recommended: 'Recommended', required: 'ApplicationRequired' };

export class MetadataCatalog {
  entities = new Map<string, EntityMeta>();
  bySet = new Map<string, EntityMeta>();
  optionSets = new Map<string, OptionSetMeta>();
  relationships = new Map<string, RelationshipMeta>();
  private navCache = new Map<string, Map<string, NavProp>>();
  private nextTypeCode = 10000;
  /** Called when a table is created (the store creates its SQLite table). */
  onEntityCreated: (e: EntityMeta) => void = () => undefined;

  constructor() {
    const std = buildStandardTables();
    for (const e of std.entities) this.addEntity(e);
    for (const o of std.optionSets) this.optionSets.set(o.name, o);
  }

  private addEntity(e: EntityMeta): void {
    this.entities.set(e.logicalName, e);
    this.bySet.set(e.entitySetName, e);
    if (e.objectTypeCode >= this.nextTypeCode) this.nextTypeCode = e.objectTypeCode + 1;
    this.navCache.clear();
    this.refCache.clear();
  }

  entity(logicalName: string): EntityMeta | undefined {
    return this.entities.get(logicalName);
  }
  entityOrThrow(logicalName: string): EntityMeta {
    const e = this.entities.get(logicalName);
    if (!e) throw new DataverseError(404, CODES.querySyntax, `Could not find entity with logical name '${logicalName}'.`);
    return e;
  }
  entityBySet(set: string): EntityMeta | undefined {
    return this.bySet.get(set);
  }
  attribute(e: EntityMeta, name: string): AttrMeta | undefined {
    return e.attributes.find((a) => a.logicalName === name);
  }
  customTableCount(): number {
    return [...this.entities.values()].filter((e) => e.isCustom).length;
  }

  lookupTargets(a: AttrMeta): string[] {
    if (a.targets === 'notes') return [...this.entities.values()].filter((e) => e.hasNotes).map((e) => e.logicalName);
    if (a.targets === 'activities') return [...this.entities.values()].filter((e) => e.hasActivities).map((e) => e.logicalName);
    return a.targets ?? [];
  }

  private refCache = new Map<string, Array<{ entity: EntityMeta; attr: AttrMeta }>>();

  /**
   * Collection-valued navigation properties of a table (one-to-many): custom relationships by their
   * ReferencedEntityNavigationPropertyName, standard ones by their platform names.
   */
  collectionNavs(e: EntityMeta): Map<string, { child: EntityMeta; attr: AttrMeta }> {
    const m = new Map<string, { child: EntityMeta; attr: AttrMeta }>();
    for (const r of this.relationships.values()) {
      if (r.referencedEntity !== e.logicalName) continue;
      const child = this.entities.get(r.referencingEntity);
      const attr = child && this.attribute(child, r.referencingAttribute);
      if (child && attr) m.set(r.referencedNavigationProperty, { child, attr });
    }
    for (const [parent, name, childName, attrName] of STANDARD_COLLECTIONS) {
      if (parent !== e.logicalName) continue;
      const child = this.entities.get(childName);
      const attr = child && this.attribute(child, attrName);
      if (child && attr) m.set(name, { child, attr });
    }
    return m;
  }
  /** Lookups (with a delete cascade) that can point at rows of `target`. */
  referencingLookups(target: string): Array<{ entity: EntityMeta; attr: AttrMeta }> {
    let r = this.refCache.get(target);
    if (r) return r;
    r = [];
    for (const e of this.entities.values())
      for (const a of e.attributes) if (a.cascadeDelete && this.lookupTargets(a).includes(target)) r.push({ entity: e, attr: a });
    this.refCache.set(target, r);
    return r;
  }

  /** Single-valued navigation properties of a table, by name (case-sensitive, as in `@odata.bind`). */
  navProps(e: EntityMeta): Map<string, NavProp> {
    let m = this.navCache.get(e.logicalName);
    if (m) return m;
    m = new Map();
    for (const a of e.attributes) {
      if (a.type !== 'lookup' && a.type !== 'customer' && a.type !== 'owner') continue;
      const targets = this.lookupTargets(a);
      if (a.navStyle === 'owner') m.set('ownerid', { name: 'ownerid', attr: a, targets });
      else if (a.navStyle === 'suffix') for (const t of targets) m.set(`${a.logicalName}_${t}`, { name: `${a.logicalName}_${t}`, attr: a, targets: [t] });
      else if (a.navStyle === 'regarding')
        for (const t of targets) m.set(`${a.logicalName}_${t}_${e.logicalName}`, { name: `${a.logicalName}_${t}_${e.logicalName}`, attr: a, targets: [t] });
      else m.set(a.navName ?? a.logicalName, { name: a.navName ?? a.logicalName, attr: a, targets });
    }
    this.navCache.set(e.logicalName, m);
    return m;
  }

  // ---------------------------------------------------------------- applySchema

  applySchema(schema: Pick<SolutionSchema, 'tables' | 'choices' | 'relationships'>, o: ApplySchemaOptions): ApplySchemaResult {
    const r: ApplySchemaResult = { tablesCreated: [], columnsCreated: [], keysCreated: [], choicesCreated: [], relationshipsCreated: [] };
    // Validate first so a failing strict request changes nothing.
    const newTables = schema.tables.filter((t) => !this.entities.has(t.logicalName));
    if (o.strict) {
      for (const t of schema.tables) if (this.entities.has(t.logicalName) && t.isCustom && t.columns.some((c) => c.isPrimaryName))
        throw new DataverseError(400, CODES.duplicateName, `An entity with the specified name already exists. Specify a unique name. Entity: ${t.schemaName}`);
      for (const c of schema.choices) if (this.optionSets.get(c.name)?.isGlobal)
        throw new DataverseError(400, CODES.duplicateName, `An OptionSet with the specified name already exists. Specify a unique name. OptionSet: ${c.name}`);
      for (const rel of schema.relationships) if (this.relationships.has(rel.schemaName))
        throw new DataverseError(400, CODES.duplicateName, `A relationship with the specified name already exists. Specify a unique name. Relationship: ${rel.schemaName}`);
    }
    const customNew = newTables.filter((t) => t.isCustom).length;
    if (o.customTableCap !== undefined && customNew > 0 && this.customTableCount() + customNew > o.customTableCap) {
      throw new DataverseError(
        400,
        CODES.appEntityLimit,
        `This operation failed since it exceeded the maximum entity limit of ${o.customTableCap} total entities for the app Sales Professional set by its owning publisher Microsoft Dynamics 365.`,
      );
    }
    for (const t of newTables) if (!t.isCustom) throw new DataverseError(400, CODES.querySyntax, `Standard table '${t.logicalName}' does not exist in this environment.`);

    for (const c of schema.choices) if (this.upsertGlobalChoice(c)) r.choicesCreated.push(c.name);
    for (const t of newTables) {
      this.createCustomEntity(t);
      r.tablesCreated.push(t.logicalName);
    }
    for (const t of schema.tables) {
      const e = this.entities.get(t.logicalName)!;
      for (const c of t.columns) {
        if (c.type === 'lookup') continue; // created with its relationship
        const existing = this.attribute(e, c.logicalName);
        if (existing) {
          if (o.strict && !r.tablesCreated.includes(t.logicalName))
            throw new DataverseError(400, CODES.duplicateAttributeSchemaName, `An attribute with the specified name ${c.schemaName} already exists for entity ${e.logicalName}.`);
          continue;
        }
        // The same path as the Metadata API's Attributes POST: a money column brings its _base twin and, on a table
        // without one yet, the currency lookup and exchange rate.
        this.pushColumn(e, c);
        r.columnsCreated.push(`${e.logicalName}.${c.logicalName}`);
      }
    }
    for (const rel of schema.relationships) {
      if (this.relationships.has(rel.schemaName)) continue;
      const referencing = this.entities.get(rel.referencingEntity);
      if (!referencing || !this.entities.has(rel.referencedEntity))
        throw new DataverseError(400, CODES.querySyntax, `Relationship ${rel.schemaName}: table ${referencing ? rel.referencedEntity : rel.referencingEntity} does not exist.`);
      const col: ColumnDef | undefined = schema.tables.find((t) => t.logicalName === rel.referencingEntity)?.columns.find((c) => c.logicalName === rel.referencingAttribute);
      if (!this.attribute(referencing, rel.referencingAttribute)) {
        const a = attr(referencing.logicalName, rel.referencingAttribute, 'lookup', col?.displayName ?? rel.referencingAttribute, {
          targets: [rel.referencedEntity],
          navName: rel.referencingNavigationProperty,
          schemaName: col?.schemaName ?? rel.referencingNavigationProperty,
          required: REQ[col?.required ?? 'none'],
          cascade: rel.cascadeDelete === 'Restrict' ? 'Restrict' : ['Cascade', 'Active', 'UserOwned'].includes(rel.cascadeDelete) ? 'Cascade' : 'RemoveLink',
        });
        a.isCustom = true;
        a.relationship = rel.schemaName;
        a.metadataId = stableGuid(`attr:${referencing.logicalName}.${rel.referencingAttribute}`);
        referencing.attributes.push(a);
        r.columnsCreated.push(`${referencing.logicalName}.${rel.referencingAttribute}`);
      }
      this.relationships.set(rel.schemaName, { ...rel, metadataId: stableGuid(`rel:${rel.schemaName}`), isCustom: true });
      r.relationshipsCreated.push(rel.schemaName);
      this.navCache.clear();
    this.refCache.clear();
    }
    for (const t of schema.tables) {
      const e = this.entities.get(t.logicalName)!;
      for (const k of t.keys) {
        if (e.keys.some((x) => x.logicalName === k.logicalName)) {
          if (o.strict) throw new DataverseError(400, CODES.duplicateName, `An entity key with the specified name ${k.schemaName} already exists for entity ${e.logicalName}.`);
          continue;
        }
        this.addKey(e, { logicalName: k.logicalName, schemaName: k.schemaName, displayName: k.displayName, columns: k.columns }, o.now);
        r.keysCreated.push(`${e.logicalName}.${k.logicalName}`);
      }
    }
    return r;
  }

  addKey(e: EntityMeta, k: { logicalName: string; schemaName: string; displayName: string; columns: string[] }, now: number): KeyMeta {
    if (e.keys.length >= 10) throw new DataverseError(400, CODES.notSupported, `The entity ${e.logicalName} already has the maximum number of 10 alternate keys.`);
    const allowed: AttrType[] = ['decimal', 'integer', 'string', 'datetime', 'lookup', 'picklist', 'customer', 'owner'];
    for (const c of k.columns) {
      const a = this.attribute(e, c);
      if (!a) throw new DataverseError(400, CODES.querySyntax, `The attribute ${c} does not exist on entity ${e.logicalName}.`);
      if (!allowed.includes(a.type)) throw new DataverseError(400, CODES.notSupported, `The attribute ${c} of type ${a.type} cannot be part of an entity key.`);
    }
    if (k.columns.length > 16) throw new DataverseError(400, CODES.notSupported, 'An entity key can have at most 16 attributes.');
    const key: KeyMeta = {
      logicalName: k.logicalName,
      schemaName: k.schemaName,
      displayName: k.displayName,
      keyAttributes: [...k.columns],
      status: 'Pending',
      requestedAt: now,
      metadataId: stableGuid(`key:${e.logicalName}.${k.logicalName}`),
      isCustom: true,
    };
    e.keys.push(key);
    return key;
  }

  private upsertGlobalChoice(c: ChoiceDef): boolean {
    const existing = this.optionSets.get(c.name);
    if (existing) {
      for (const opt of c.options) if (!existing.options.some((x) => x.value === opt.value)) existing.options.push({ value: opt.value, label: opt.label, description: opt.description });
      return false;
    }
    this.optionSets.set(c.name, {
      name: c.name,
      displayName: c.displayName,
      description: c.description,
      isGlobal: true,
      optionSetType: 'Picklist',
      options: c.options.map((x) => ({ value: x.value, label: x.label, description: x.description })),
      metadataId: stableGuid(`optionset:${c.name}`),
    });
    return true;
  }

  private createCustomEntity(t: TableDef): void {
    const entities: EntityMeta[] = [];
    const sets: OptionSetMeta[] = [];
    const primary = t.columns.find((c) => c.isPrimaryName);
    if (!primary) throw new DataverseError(400, CODES.invalidArgument, `Table ${t.schemaName} needs exactly one primary name column (IsPrimaryName).`);
    makeEntity(
      entities,
      sets,
      t.logicalName,
      t.entitySetName,
      this.nextTypeCode,
      t.displayName,
      t.displayCollectionName,
      t.primaryNameAttribute,
      {
        primaryIdAttribute: t.primaryIdAttribute,
        ownership: t.ownership,
        hasNotes: t.hasNotes,
        hasActivities: t.hasActivities,
        isCustom: true,
        schemaName: t.schemaName,
        description: t.description,
        metadataId: stableGuid(`entity:${t.logicalName}`),
        ...ACTIVE_INACTIVE,
        money: t.columns.some((c) => c.type === 'money'),
      },
      () => [],
    );
    const e = entities[0];
    for (const s of sets) this.optionSets.set(s.name, s);
    this.addEntity(e);
    this.onEntityCreated(e);
  }

  /** Adds a column to an existing table (Metadata API `.../Attributes` POST). */
  addColumn(e: EntityMeta, c: ColumnDef): AttrMeta {
    if (this.attribute(e, c.logicalName))
      throw new DataverseError(400, CODES.duplicateAttributeSchemaName, `An attribute with the specified name ${c.schemaName} already exists for entity ${e.logicalName}.`);
    return this.pushColumn(e, c);
  }

  /**
   * Creating a money column also creates its read-only `<column>_base` twin ("for each money attribute in a table,
   * Dataverse automatically creates a corresponding read-only, system-calculated money attribute called base",
   * creditlimit_base = creditlimit / exchangerate: learn.microsoft.com power-apps/developer/data-platform/
   * transaction-currency-currency-entity) and, when the table has none yet, the record's transaction currency
   * (`transactioncurrencyid`) and `exchangerate` the base value is computed from.
   */
  private pushColumn(e: EntityMeta, c: ColumnDef): AttrMeta {
    const a = this.columnToAttr(e, c);
    e.attributes.push(a);
    if (c.type !== 'money') return a;
    e.attributes.push(attr(e.logicalName, `${c.logicalName}_base`, 'money', `${c.displayName} (Base)`, { create: false, update: false, precision: c.precision, computed: true }));
    if (!this.attribute(e, 'transactioncurrencyid')) {
      e.attributes.push(attr(e.logicalName, 'transactioncurrencyid', 'lookup', 'Currency', { targets: ['transactioncurrency'] }));
      e.attributes.push(attr(e.logicalName, 'exchangerate', 'decimal', 'Exchange Rate', { create: false, update: false, precision: 10 }));
      this.navCache.clear();
      this.refCache.clear();
    }
    return a;
  }

  private columnToAttr(e: EntityMeta, c: ColumnDef): AttrMeta {
    if ((c.type === 'picklist' || c.type === 'multiselectpicklist') && (!c.optionSet || !this.optionSets.has(c.optionSet)))
      throw new DataverseError(400, CODES.querySyntax, `Column ${e.logicalName}.${c.logicalName}: option set '${c.optionSet ?? ''}' does not exist.`);
    if (c.type === 'string' && c.maxLength !== undefined && (c.maxLength < 1 || c.maxLength > 4000))
      throw new DataverseError(400, CODES.invalidArgument, `MaxLength ${c.maxLength} of ${c.schemaName} is outside 1..4000.`);
    if (c.type === 'memo' && c.maxLength !== undefined && (c.maxLength < 1 || c.maxLength > 1048576))
      throw new DataverseError(400, CODES.invalidArgument, `MaxLength ${c.maxLength} of ${c.schemaName} is outside 1..1048576.`);
    let optionSetName = c.optionSet;
    if (c.type === 'boolean') {
      optionSetName = `${e.logicalName}_${c.logicalName}`;
      this.optionSets.set(optionSetName, optionSet(optionSetName, 'Boolean', [
        { value: 0, label: 'No' },
        { value: 1, label: 'Yes' },
      ]));
    }
    const a = attr(e.logicalName, c.logicalName, c.type as AttrType, c.displayName, {
      schemaName: c.schemaName,
      required: REQ[c.required ?? 'none'],
      maxLength: c.type === 'string' ? (c.maxLength ?? 100) : c.type === 'memo' ? (c.maxLength ?? 2000) : undefined,
      precision: c.type === 'money' ? (c.precision ?? 2) : c.type === 'decimal' ? (c.precision ?? 2) : undefined,
      minValue: c.minValue,
      maxValue: c.maxValue,
      dateBehavior: c.dateBehavior,
      optionSet: optionSetName,
      format: c.format,
    });
    a.isCustom = true;
    a.description = c.description;
    if (c.isPrimaryName) a.isPrimaryName = true;
    return a;
  }

  insertOptionValue(optionSetName: string, value: number | undefined, label: string, prefix: number): number {
    const os = this.optionSets.get(optionSetName);
    if (!os) throw new DataverseError(404, CODES.objectDoesNotExist, `optionset With Name = ${optionSetName} Does Not Exist`);
    let v = value;
    if (v === undefined || v === null) {
      const base = prefix * 10000;
      v = base;
      while (os.options.some((o) => o.value === v)) v++;
    }
    if (os.options.some((o) => o.value === v)) throw new DataverseError(400, CODES.duplicateName, `An option with the value ${v} already exists in option set ${optionSetName}.`);
    os.options.push({ value: v, label });
    return v;
  }

  // ---------------------------------------------------------------- persistence

  toJSON(): unknown {
    return {
      entities: [...this.entities.values()],
      optionSets: [...this.optionSets.values()],
      relationships: [...this.relationships.values()],
    };
  }
  load(json: { entities: EntityMeta[]; optionSets: OptionSetMeta[]; relationships: RelationshipMeta[] }): void {
    this.entities.clear();
    this.bySet.clear();
    this.optionSets.clear();
    this.relationships.clear();
    for (const e of json.entities) this.addEntity(e);
    for (const o of json.optionSets) this.optionSets.set(o.name, o);
    for (const r of json.relationships) this.relationships.set(r.schemaName, r);
  }
}
