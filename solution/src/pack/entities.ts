// Tables, columns, keys, global choices and relationships as customizations.xml writes them (CustomizationsSolution.xsd
// 9.0.0.2090; shapes from real exports, see reference/dataverse.md 10.3).
import { DECIMAL_LIMIT, MONEY_LIMIT, type ChoiceDef, type ColumnDef, type KeyDef, type RelationshipDef, type SolutionSchema, type TableDef } from '../model';
import { el, labelList, text, type XmlNode } from './xml';
import type { PackFlavor } from './flavor';

/** Column type → the `<Type>` value (CrmDataType) real exports write. */
export const CRM_TYPE: Record<ColumnDef['type'], string> = {
  string: 'nvarchar',
  memo: 'ntext',
  integer: 'int',
  decimal: 'decimal',
  money: 'money',
  boolean: 'bit',
  datetime: 'datetime',
  picklist: 'picklist',
  multiselectpicklist: 'multiselectpicklist',
  lookup: 'lookup',
};

/** `<Behavior>` numbering for datetime columns: 1 UserLocal, 2 DateOnly, 3 TimeZoneIndependent. */
export const DATE_BEHAVIOR: Record<string, number> = { UserLocal: 1, DateOnly: 2, TimeZoneIndependent: 3 };

const VALID_FOR = 'ValidForAdvancedFind|ValidForForm|ValidForGrid';

function displayMask(c: ColumnDef): string {
  if (c.isPrimaryName) return `PrimaryName|${VALID_FOR}|RequiredForForm`;
  return c.required === 'required' ? `${VALID_FOR}|RequiredForForm` : VALID_FOR;
}

function typeSpecific(c: ColumnDef): XmlNode[] {
  switch (c.type) {
    case 'string': {
      const max = c.maxLength ?? 100;
      // Length is the storage size in bytes (nvarchar: two per character), as exports write it.
      return [text('Format', c.format ?? 'text'), text('MaxLength', max), text('Length', max * 2)];
    }
    case 'memo':
      return [text('Format', c.format ?? 'textarea'), text('MaxLength', c.maxLength ?? 2000)];
    case 'integer':
      return [text('Format', 'none'), text('MinValue', c.minValue ?? -2147483648), text('MaxValue', c.maxValue ?? 2147483647)];
    case 'decimal':
      return [text('MinValue', c.minValue ?? -DECIMAL_LIMIT), text('MaxValue', c.maxValue ?? DECIMAL_LIMIT), text('Accuracy', c.precision ?? 2)];
    case 'money':
      // AccuracySource (MoneyAttributeMetadata.PrecisionSource): 0 = the column's own Accuracy, 1 = the organisation's
      // pricing precision, 2 = the record currency's precision. The schema states the precision, so 0.
      return [
        text('MinValue', c.minValue ?? -MONEY_LIMIT),
        text('MaxValue', c.maxValue ?? MONEY_LIMIT),
        text('Accuracy', c.precision ?? 2),
        text('AccuracySource', 0),
      ];
    case 'boolean':
      return [
        text('AppDefaultValue', 0),
        el('optionset', { Name: c.logicalName },
          text('OptionSetType', 'bit'),
          text('IsGlobal', false),
          el('options', null,
            el('option', { value: 1 }, el('labels', null, el('label', { description: 'Yes', languagecode: 1033 }))),
            el('option', { value: 0 }, el('labels', null, el('label', { description: 'No', languagecode: 1033 })))),
        ),
      ];
    case 'datetime': {
      const behavior = c.dateBehavior ?? 'UserLocal';
      return [
        text('Format', behavior === 'DateOnly' ? 'date' : 'datetime'),
        text('Behavior', DATE_BEHAVIOR[behavior]),
        text('CanChangeDateTimeBehavior', false),
      ];
    }
    case 'picklist':
    case 'multiselectpicklist':
      if (!c.optionSet) throw new Error(`Column ${c.logicalName}: a ${c.type} column needs optionSet (the global choice name)`);
      return [text('OptionSetName', c.optionSet)];
    case 'lookup':
      // LookupTypes lists target entity ids that the server assigns; the relationship defines the target.
      return [text('LookupStyle', 'single'), el('LookupTypes')];
    default:
      throw new Error(`Column ${(c as ColumnDef).logicalName}: unknown column type "${String((c as ColumnDef).type)}"`);
  }
}

export function attributeXml(c: ColumnDef, flavor: PackFlavor, keyColumns: Set<string>): XmlNode {
  const locked = c.isPrimaryName || keyColumns.has(c.logicalName);
  return el('attribute', { PhysicalName: c.schemaName },
    text('Type', CRM_TYPE[c.type] ?? c.type),
    text('Name', c.logicalName),
    text('LogicalName', c.logicalName),
    text('RequiredLevel', c.required ?? 'none'),
    text('DisplayMask', displayMask(c)),
    text('ImeMode', 'auto'),
    text('ValidForUpdateApi', true),
    text('ValidForReadApi', true),
    text('ValidForCreateApi', true),
    text('IsCustomField', true),
    text('IsAuditEnabled', true),
    text('IsSecured', false),
    text('IntroducedVersion', '1.0.0.0'),
    // Managed properties: in the managed package our columns keep their names and the upsert-key columns keep
    // their requirement level; the rest stays open so a firm can still put them on its own forms and views.
    text('IsCustomizable', true),
    text('IsRenameable', !flavor.managed),
    text('CanModifySearchSettings', true),
    text('CanModifyRequirementLevelSettings', !(flavor.managed && locked)),
    text('CanModifyAdditionalSettings', !flavor.managed),
    typeSpecific(c),
    labelList('displaynames', 'displayname', c.displayName),
    labelList('Descriptions', 'Description', c.description),
  );
}

function primaryKeyXml(t: TableDef): XmlNode {
  return el('attribute', { PhysicalName: `${t.schemaName}Id` },
    text('Type', 'primarykey'),
    text('Name', t.primaryIdAttribute),
    text('LogicalName', t.primaryIdAttribute),
    text('RequiredLevel', 'systemrequired'),
    text('DisplayMask', 'ValidForAdvancedFind|RequiredForGrid'),
    text('ValidForUpdateApi', false),
    text('ValidForReadApi', true),
    text('ValidForCreateApi', true),
    text('IsCustomField', false),
    text('IsLogical', false),
    labelList('displaynames', 'displayname', t.displayName),
  );
}

/**
 * The API and customisation flags of a column the platform manages (system columns, `_base` amounts), in the order
 * exports write them: readable; writable on create/update only where said; not audited, secured or renameable.
 */
function platformManagedFlags(o: { create?: boolean; update?: boolean; custom: boolean }): XmlNode[] {
  return [
    text('ValidForUpdateApi', o.update ?? false),
    text('ValidForReadApi', true),
    text('ValidForCreateApi', o.create ?? false),
    text('IsCustomField', o.custom),
    text('IsAuditEnabled', false),
    text('IsSecured', false),
    text('IntroducedVersion', '1.0.0.0'),
    text('IsCustomizable', true),
    text('IsRenameable', false),
    text('CanModifySearchSettings', true),
    text('CanModifyRequirementLevelSettings', false),
    text('CanModifyAdditionalSettings', false),
  ];
}

/** A platform column real exports list for every custom table (IsCustomField 0: the import creates it itself). */
function systemAttribute(
  physicalName: string,
  type: string,
  displayName: string,
  o: { create?: boolean; update?: boolean; required?: string; extra?: XmlNode[] } = {},
): XmlNode {
  const logicalName = physicalName.toLowerCase();
  return el('attribute', { PhysicalName: physicalName },
    text('Type', type),
    text('Name', logicalName),
    text('LogicalName', logicalName),
    text('RequiredLevel', o.required ?? 'none'),
    text('DisplayMask', VALID_FOR),
    text('ImeMode', 'auto'),
    platformManagedFlags({ create: o.create, update: o.update, custom: false }),
    o.extra ?? [],
    labelList('displaynames', 'displayname', displayName),
    labelList('Descriptions', 'Description', displayName),
  );
}

const lookupType = (): XmlNode[] => [text('LookupStyle', 'single'), el('LookupTypes')];
const stateLabel = (label: string) => el('labels', null, el('label', { description: label, languagecode: 1033 }));

/**
 * The platform columns a real export carries for a custom table (reference/dataverse.md 10.3 notes exports include
 * them; our import path and the emulator's create them too): who and when (created/modified, on behalf), ownership
 * (ownerid and its owning user/team/business unit) or the organisation, Active/Inactive state and status, version and
 * time-zone bookkeeping, and — with a money column — the record's currency and exchange rate.
 */
function systemAttributesXml(t: TableDef): XmlNode[] {
  const who = (name: string, label: string) => systemAttribute(name, 'lookup', label, { extra: lookupType() });
  const when = (name: string, label: string, o: { create?: boolean; format?: string } = {}) =>
    systemAttribute(name, 'datetime', label, { create: o.create, extra: [text('Format', o.format ?? 'datetime'), text('Behavior', 1), text('CanChangeDateTimeBehavior', false)] });
  const int = (name: string, label: string, o: { create?: boolean; update?: boolean; type?: string } = {}) =>
    systemAttribute(name, o.type ?? 'int', label, { create: o.create, update: o.update, extra: [text('Format', 'none')] });
  const out: XmlNode[] = [
    who('CreatedBy', 'Created By'),
    when('CreatedOn', 'Created On'),
    who('CreatedOnBehalfBy', 'Created By (Delegate)'),
    who('ModifiedBy', 'Modified By'),
    when('ModifiedOn', 'Modified On'),
    who('ModifiedOnBehalfBy', 'Modified By (Delegate)'),
    // Writable on create only: migrations keep a record's original creation date (overriddencreatedon).
    when('OverriddenCreatedOn', 'Record Created On', { create: true, format: 'date' }),
    int('ImportSequenceNumber', 'Import Sequence Number', { create: true }),
    int('TimeZoneRuleVersionNumber', 'Time Zone Rule Version Number', { create: true, update: true }),
    int('UTCConversionTimeZoneCode', 'UTC Conversion Time Zone Code', { create: true, update: true }),
    int('VersionNumber', 'Version Number', { type: 'bigint' }),
  ];
  if (t.ownership === 'OrganizationOwned') {
    out.push(who('OrganizationId', 'Organization Id'));
  } else {
    out.push(
      systemAttribute('OwnerId', 'owner', 'Owner', { create: true, update: true, required: 'systemrequired', extra: lookupType() }),
      who('OwningBusinessUnit', 'Owning Business Unit'),
      who('OwningTeam', 'Owning Team'),
      who('OwningUser', 'Owning User'),
    );
  }
  out.push(
    systemAttribute('statecode', 'state', 'Status', { update: true, required: 'systemrequired', extra: [
      el('optionset', { Name: `${t.logicalName}_statecode` },
        text('OptionSetType', 'state'),
        text('IsGlobal', false),
        text('IntroducedVersion', '1.0.0.0'),
        text('IsCustomizable', true),
        labelList('displaynames', 'displayname', 'Status'),
        el('states', null,
          el('state', { value: 0, defaultstatus: 1, invariantname: 'Active' }, stateLabel('Active')),
          el('state', { value: 1, defaultstatus: 2, invariantname: 'Inactive' }, stateLabel('Inactive')),
        ),
      ),
    ] }),
    systemAttribute('statuscode', 'status', 'Status Reason', { create: true, update: true, extra: [
      el('optionset', { Name: `${t.logicalName}_statuscode` },
        text('OptionSetType', 'status'),
        text('IsGlobal', false),
        text('IntroducedVersion', '1.0.0.0'),
        text('IsCustomizable', true),
        labelList('displaynames', 'displayname', 'Status Reason'),
        el('statuses', null,
          el('status', { value: 1, state: 0 }, stateLabel('Active')),
          el('status', { value: 2, state: 1 }, stateLabel('Inactive')),
        ),
      ),
    ] }),
  );
  if (t.columns.some((c) => c.type === 'money')) out.push(...currencyAttributesXml());
  return out;
}

/** The record's transaction currency and the exchange rate its `_base` amounts are computed with. */
function currencyAttributesXml(): XmlNode[] {
  return [
    systemAttribute('TransactionCurrencyId', 'lookup', 'Currency', { create: true, update: true, extra: lookupType() }),
    systemAttribute('ExchangeRate', 'decimal', 'Exchange Rate', { extra: [text('MinValue', '0.000000000001'), text('MaxValue', 100000000000), text('Accuracy', 10)] }),
  ];
}

/**
 * `<column>_base` of a money column: the read-only amount in the organisation's base currency, computed by the
 * platform (`CalculationOf` names the column it is computed from; learn.microsoft.com power-apps/developer/
 * data-platform/transaction-currency-currency-entity).
 */
function baseAmountXml(c: ColumnDef): XmlNode {
  const name = `${c.logicalName}_base`;
  return el('attribute', { PhysicalName: `${c.schemaName}_Base` },
    text('Type', 'money'),
    text('Name', name),
    text('LogicalName', name),
    text('RequiredLevel', 'none'),
    text('DisplayMask', VALID_FOR),
    text('ImeMode', 'disabled'),
    text('CalculationOf', c.logicalName),
    platformManagedFlags({ create: false, update: false, custom: true }),
    text('MinValue', c.minValue ?? -922337203685477),
    text('MaxValue', c.maxValue ?? 922337203685477),
    text('Accuracy', c.precision ?? 2),
    text('AccuracySource', 0),
    labelList('displaynames', 'displayname', `${c.displayName} (Base)`),
    labelList('Descriptions', 'Description', `Value of the ${c.displayName} in base currency.`),
  );
}

function keyXml(k: KeyDef): XmlNode {
  return el('EntityKey', null,
    text('Name', k.schemaName),
    text('LogicalName', k.logicalName),
    text('IntroducedVersion', '1.0.0.0'),
    labelList('displaynames', 'displayname', k.displayName),
    el('EntityKeyAttributes', null, k.columns.map((c) => text('AttributeName', c))),
  );
}

/**
 * `<EntityInfo><entity>` for one table. Custom tables are written in full; standard tables (account, contact, ...)
 * as an extension: `unmodified="1"` on the entity, only our columns and keys, no entity-level settings, so the import
 * adds columns without taking ownership of the platform's table.
 */
export function entityInfoXml(t: TableDef, flavor: PackFlavor): XmlNode {
  const keyColumns = new Set(t.keys.flatMap((k) => k.columns));
  const attributes = el('attributes', null,
    t.isCustom ? primaryKeyXml(t) : null,
    t.isCustom ? systemAttributesXml(t) : null,
    t.columns.flatMap((c) => (c.type === 'money' ? [attributeXml(c, flavor, keyColumns), baseAmountXml(c)] : [attributeXml(c, flavor, keyColumns)])),
  );
  const keys = t.keys.length ? el('EntityKeys', null, t.keys.map(keyXml)) : null;
  if (!t.isCustom) {
    return el('EntityInfo', null, el('entity', { Name: t.schemaName, unmodified: 1 }, attributes, keys));
  }
  return el('EntityInfo', null,
    el('entity', { Name: t.schemaName },
      labelList('LocalizedNames', 'LocalizedName', t.displayName),
      labelList('LocalizedCollectionNames', 'LocalizedCollectionName', t.displayCollectionName),
      labelList('Descriptions', 'Description', t.description),
      attributes,
      text('EntitySetName', t.entitySetName),
      text('IsDuplicateCheckSupported', false),
      text('IsBusinessProcessEnabled', false),
      text('IsRequiredOffline', false),
      text('IsInteractionCentricEnabled', false),
      text('IsCollaboration', false),
      text('AutoRouteToOwnerQueue', false),
      text('IsConnectionsEnabled', false),
      // Our tables are audited: the migration must be able to show who changed a run or an audit row.
      text('IsAuditEnabled', true),
      text('HasRelatedNotes', t.hasNotes ? 'True' : 'False'),
      text('HasRelatedActivities', t.hasActivities ? 'True' : 'False'),
      text('OwnershipTypeMask', t.ownership),
      text('IsActivity', false),
      text('IsQuickCreateEnabled', false),
      text('IntroducedVersion', '1.0.0.0'),
      // Managed properties: the firm may add columns (provisioning adds data collection fields to astep_matter),
      // forms and views, but may not rename our tables or change their ownership.
      text('IsCustomizable', true),
      text('IsRenameable', !flavor.managed),
      text('IsMappable', true),
      text('CanModifyAuditSettings', true),
      text('CanModifyDuplicateDetectionSettings', true),
      text('CanCreateAttributes', true),
      text('CanCreateForms', true),
      text('CanCreateViews', true),
      text('CanCreateCharts', true),
      text('CanBeRelatedEntityInRelationship', true),
      text('CanBePrimaryEntityInRelationship', true),
      text('CanBeInManyToMany', true),
      text('CanModifyAdditionalSettings', !flavor.managed),
      keys,
    ),
  );
}

export function optionSetXml(c: ChoiceDef): XmlNode {
  return el('optionset', { Name: c.name, localizedName: c.displayName },
    text('OptionSetType', 'picklist'),
    text('IsGlobal', true),
    text('IntroducedVersion', '1.0.0.0'),
    // Stays customizable in the managed package: provisioning adds the firm's matter types and roles as options.
    text('IsCustomizable', true),
    labelList('displaynames', 'displayname', c.displayName),
    labelList('Descriptions', 'Description', c.description),
    el('options', null,
      c.options.map((o) =>
        el('option', { value: o.value },
          el('labels', null, el('label', { description: o.label, languagecode: 1033 })),
          o.description === undefined ? null : labelList('Descriptions', 'Description', o.description),
        ),
      ),
    ),
  );
}

export function relationshipXml(r: RelationshipDef, schema: SolutionSchema, flavor: PackFlavor): XmlNode {
  const referencing = schema.tables.find((t) => t.logicalName === r.referencingEntity);
  const referenced = schema.tables.find((t) => t.logicalName === r.referencedEntity);
  if (!referencing) throw new Error(`Relationship ${r.schemaName}: referencing table ${r.referencingEntity} is not in the schema`);
  const lookupCol = referencing.columns.find((c) => c.logicalName === r.referencingAttribute);
  if (!lookupCol || lookupCol.type !== 'lookup') {
    throw new Error(`Relationship ${r.schemaName}: ${r.referencingEntity}.${r.referencingAttribute} is not a lookup column of the schema`);
  }
  const referencedName = referenced?.schemaName ?? r.referencedEntity.charAt(0).toUpperCase() + r.referencedEntity.slice(1);
  return el('EntityRelationship', { Name: r.schemaName },
    text('EntityRelationshipType', 'OneToMany'),
    // Cascades decide what rollback can delete: they stay fixed in the managed package.
    text('IsCustomizable', !flavor.managed),
    text('IntroducedVersion', '1.0.0.0'),
    text('IsHierarchical', false),
    text('ReferencingEntityName', referencing.schemaName),
    text('ReferencedEntityName', referencedName),
    text('CascadeAssign', 'NoCascade'),
    text('CascadeDelete', r.cascadeDelete),
    text('CascadeReparent', 'NoCascade'),
    text('CascadeShare', 'NoCascade'),
    text('CascadeUnshare', 'NoCascade'),
    text('CascadeRollupView', 'NoCascade'),
    text('IsValidForAdvancedFind', true),
    text('ReferencingAttributeName', lookupCol.schemaName),
    el('RelationshipDescription', null, labelList('Descriptions', 'Description', '')),
    el('EntityRelationshipRoles', null,
      el('EntityRelationshipRole', null,
        text('NavPaneDisplayOption', 'UseCollectionName'),
        text('NavPaneArea', 'Details'),
        text('NavPaneOrder', 10000),
        text('NavigationPropertyName', r.referencingNavigationProperty),
        text('RelationshipRoleType', 1),
      ),
      el('EntityRelationshipRole', null,
        text('NavigationPropertyName', r.referencedNavigationProperty),
        text('RelationshipRoleType', 0),
      ),
    ),
  );
}
