// Reads a solution zip back into the schema model, as the import service would: solution.xml for the name, version
// and managed flag; customizations.xml for tables (columns, keys), global choices and relationships. The Dataverse
// emulator creates its tables from this.
import JSZip from 'jszip';
import { XMLParser } from 'fast-xml-parser';
import type {
  CascadeType,
  ChoiceDef,
  ColumnDef,
  ColumnType,
  DateTimeBehavior,
  KeyDef,
  PublisherDef,
  RelationshipDef,
  RequiredLevel,
  SolutionSchema,
  StringFormat,
  TableDef,
} from './model';

export interface ReadSolution {
  uniqueName: string;
  version: string;
  managed: boolean;
  schema: SolutionSchema;
  /** environmentvariabledefinitions/<name>/environmentvariabledefinition.xml (+ a value when the zip carries one). */
  environmentVariables: SolutionEnvironmentVariable[];
  /** `<WebResources>` with their content (the file at FileName). */
  webResources: SolutionWebResource[];
  /** `<Connectors>` (custom connectors) with their definition files. */
  connectors: SolutionConnector[];
}

export interface SolutionEnvironmentVariable {
  schemaName: string;
  displayName: string;
  description: string;
  /** 100000000 String, 100000001 Number, 100000002 Boolean, 100000003 JSON, 100000004 Data source, 100000005 Secret. */
  type: number;
  defaultValue: string | null;
  isRequired: boolean;
  /** environmentvariablevalues.json beside the definition, when the solution ships a current value. */
  value: string | null;
}

export interface SolutionWebResource {
  name: string;
  displayName: string;
  /** 1 HTML, 2 CSS, 3 JS, ... (WebResourceType). */
  type: number;
  content: Uint8Array;
}

export interface SolutionConnector {
  name: string;
  displayName: string;
  description: string;
  iconBrandColor: string | null;
  openApiDefinition: string;
  connectionParameters: string;
  policyTemplateInstances: string | null;
}

/** Platform knowledge about the standard tables a solution may extend without shipping them. */
const STANDARD_TABLES: Record<string, Pick<TableDef, 'displayName' | 'displayCollectionName' | 'entitySetName' | 'primaryIdAttribute' | 'primaryNameAttribute' | 'hasNotes' | 'hasActivities'>> = {
  account: { displayName: 'Account', displayCollectionName: 'Accounts', entitySetName: 'accounts', primaryIdAttribute: 'accountid', primaryNameAttribute: 'name', hasNotes: true, hasActivities: true },
  contact: { displayName: 'Contact', displayCollectionName: 'Contacts', entitySetName: 'contacts', primaryIdAttribute: 'contactid', primaryNameAttribute: 'fullname', hasNotes: true, hasActivities: true },
  opportunity: { displayName: 'Opportunity', displayCollectionName: 'Opportunities', entitySetName: 'opportunities', primaryIdAttribute: 'opportunityid', primaryNameAttribute: 'name', hasNotes: true, hasActivities: true },
  task: { displayName: 'Task', displayCollectionName: 'Tasks', entitySetName: 'tasks', primaryIdAttribute: 'activityid', primaryNameAttribute: 'subject', hasNotes: true, hasActivities: false },
  lead: { displayName: 'Lead', displayCollectionName: 'Leads', entitySetName: 'leads', primaryIdAttribute: 'leadid', primaryNameAttribute: 'fullname', hasNotes: true, hasActivities: true },
  systemuser: { displayName: 'User', displayCollectionName: 'Users', entitySetName: 'systemusers', primaryIdAttribute: 'systemuserid', primaryNameAttribute: 'fullname', hasNotes: false, hasActivities: false },
  annotation: { displayName: 'Note', displayCollectionName: 'Notes', entitySetName: 'annotations', primaryIdAttribute: 'annotationid', primaryNameAttribute: 'subject', hasNotes: false, hasActivities: false },
};

const TYPE_FROM_CRM: Record<string, ColumnType> = {
  nvarchar: 'string',
  ntext: 'memo',
  int: 'integer',
  decimal: 'decimal',
  money: 'money',
  bit: 'boolean',
  datetime: 'datetime',
  picklist: 'picklist',
  multiselectpicklist: 'multiselectpicklist',
  lookup: 'lookup',
};
const BEHAVIOR_FROM_CODE: Record<string, DateTimeBehavior> = { '1': 'UserLocal', '2': 'DateOnly', '3': 'TimeZoneIndependent' };

type Node = Record<string, unknown>;
const ARRAYS = new Set([
  'Entity', 'attribute', 'EntityKey', 'AttributeName', 'optionset', 'option', 'label', 'EntityRelationship', 'EntityRelationshipRole',
  'LocalizedName', 'LocalizedCollectionName', 'Description', 'displayname', 'RootComponent', 'WebResource', 'Connector',
]);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => ARRAYS.has(name),
});

export class SolutionFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SolutionFormatError';
  }
}

const arr = (v: unknown): Node[] => (Array.isArray(v) ? (v as Node[]) : v === undefined || v === null || v === '' ? [] : [v as Node]);
const str = (v: unknown): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'object') {
    const t = (v as Node)['#text'];
    return t === undefined ? undefined : String(t);
  }
  return String(v);
};
const num = (v: unknown): number | undefined => {
  const s = str(v);
  return s === undefined || s === '' ? undefined : Number(s);
};
/** First label of a `<X><Y description=".." languagecode="1033"/></X>` list (1033 preferred). */
function label(list: unknown, inner: string): string | undefined {
  const items = arr((list as Node | undefined)?.[inner]);
  const pick = items.find((i) => str(i['@languagecode']) === '1033') ?? items[0];
  return pick ? str(pick['@description']) : undefined;
}

function required(ctx: string, v: string | undefined): string {
  if (!v) throw new SolutionFormatError(`${ctx} is missing`);
  return v;
}

function readColumn(a: Node, tableName: string, relationships: RelationshipDef[]): ColumnDef | null {
  const crmType = required(`customizations.xml: table ${tableName}: an attribute's <Type>`, str(a.Type));
  const logicalName = required(`customizations.xml: table ${tableName}: attribute <Name>`, str(a.Name) ?? str(a.LogicalName)).toLowerCase();
  // Platform columns (primary key, owner, state, created by, ...) come with the table; real exports list them with
  // IsCustomField 0. The schema model holds only the columns a solution adds.
  if (crmType === 'primarykey' || str(a.IsCustomField) === '0') return null;
  // `<column>_base` amounts are computed by the platform from their money column (CalculationOf): they come with it.
  if (str(a.CalculationOf)) return null;
  const type = TYPE_FROM_CRM[crmType];
  if (!type) throw new SolutionFormatError(`customizations.xml: column ${tableName}.${logicalName} has an unsupported <Type> "${crmType}"`);
  const col: ColumnDef = {
    logicalName,
    schemaName: required(`customizations.xml: column ${tableName}.${logicalName}: PhysicalName`, str(a['@PhysicalName'])),
    displayName: required(`customizations.xml: column ${tableName}.${logicalName}: displayname (LocalizedName)`, label(a.displaynames, 'displayname')),
    type,
    required: (str(a.RequiredLevel) ?? 'none') as RequiredLevel,
  };
  const description = label(a.Descriptions, 'Description');
  if (description !== undefined) col.description = description;
  const mask = str(a.DisplayMask) ?? '';
  if (mask.split('|').includes('PrimaryName')) col.isPrimaryName = true;
  switch (type) {
    case 'string':
      col.maxLength = num(a.MaxLength);
      col.format = (str(a.Format) ?? 'text') as StringFormat;
      break;
    case 'memo':
      col.maxLength = num(a.MaxLength);
      col.format = (str(a.Format) ?? 'textarea') as StringFormat;
      break;
    case 'integer':
      col.minValue = num(a.MinValue);
      col.maxValue = num(a.MaxValue);
      break;
    case 'decimal':
    case 'money':
      col.precision = num(a.Accuracy);
      col.minValue = num(a.MinValue);
      col.maxValue = num(a.MaxValue);
      break;
    case 'datetime':
      col.dateBehavior = BEHAVIOR_FROM_CODE[str(a.Behavior) ?? '1'] ?? 'UserLocal';
      break;
    case 'picklist':
    case 'multiselectpicklist':
      col.optionSet = required(`customizations.xml: column ${tableName}.${logicalName}: <OptionSetName>`, str(a.OptionSetName));
      break;
    case 'lookup': {
      const rel = relationships.find((r) => r.referencingEntity === tableName && r.referencingAttribute === logicalName);
      if (!rel) throw new SolutionFormatError(`customizations.xml: lookup ${tableName}.${logicalName} has no EntityRelationship`);
      col.relationship = rel.schemaName;
      break;
    }
    default:
      break;
  }
  for (const k of Object.keys(col) as (keyof ColumnDef)[]) if (col[k] === undefined) delete col[k];
  return col;
}

function readKey(k: Node, tableName: string): KeyDef {
  const schemaName = required(`customizations.xml: a key of ${tableName}: <Name>`, str(k.Name));
  return {
    logicalName: str(k.LogicalName) ?? schemaName.toLowerCase(),
    schemaName,
    displayName: label(k.displaynames, 'displayname') ?? schemaName,
    columns: arr((k.EntityKeyAttributes as Node | undefined)?.AttributeName).map((x) => String(str(x)).toLowerCase()),
  };
}

function readRelationship(r: Node, tables: Map<string, string>): RelationshipDef {
  const name = required('customizations.xml: EntityRelationship @Name', str(r['@Name']));
  const type = str(r.EntityRelationshipType);
  if (type !== 'OneToMany') throw new SolutionFormatError(`customizations.xml: relationship ${name}: only OneToMany is supported, got ${type}`);
  const referencing = required(`relationship ${name}: ReferencingEntityName`, str(r.ReferencingEntityName)).toLowerCase();
  const referenced = required(`relationship ${name}: ReferencedEntityName`, str(r.ReferencedEntityName)).toLowerCase();
  const roles = arr((r.EntityRelationshipRoles as Node | undefined)?.EntityRelationshipRole);
  const nav = (roleType: string) => str(roles.find((x) => str(x.RelationshipRoleType) === roleType)?.NavigationPropertyName);
  const referencingAttributeSchema = required(`relationship ${name}: ReferencingAttributeName`, str(r.ReferencingAttributeName));
  return {
    schemaName: name,
    referencedEntity: referenced,
    referencedAttribute: tables.get(referenced) ?? `${referenced}id`,
    referencingEntity: referencing,
    referencingAttribute: referencingAttributeSchema.toLowerCase(),
    referencingNavigationProperty: nav('1') ?? referencingAttributeSchema,
    referencedNavigationProperty: nav('0') ?? name,
    cascadeDelete: (str(r.CascadeDelete) ?? 'RemoveLink') as CascadeType,
  };
}

function readChoice(o: Node): ChoiceDef {
  const name = required('customizations.xml: optionset @Name', str(o['@Name']));
  return {
    name,
    displayName: label(o.displaynames, 'displayname') ?? str(o['@localizedName']) ?? name,
    description: label(o.Descriptions, 'Description') ?? '',
    options: arr((o.options as Node | undefined)?.option).map((op) => {
      const value = num(op['@value']);
      if (value === undefined || Number.isNaN(value)) throw new SolutionFormatError(`customizations.xml: choice ${name}: an option has no numeric value`);
      const opt: ChoiceDef['options'][number] = { value, label: label(op.labels, 'label') ?? String(value) };
      const d = label(op.Descriptions, 'Description');
      if (d !== undefined) opt.description = d;
      return opt;
    }),
  };
}

function readPublisher(p: Node | undefined): PublisherDef {
  if (!p) throw new SolutionFormatError('solution.xml: <Publisher> is missing');
  const out: PublisherDef = {
    uniqueName: required('solution.xml: Publisher/UniqueName', str(p.UniqueName)),
    friendlyName: label(p.LocalizedNames, 'LocalizedName') ?? String(str(p.UniqueName)),
    description: label(p.Descriptions, 'Description') ?? '',
    customizationPrefix: required('solution.xml: Publisher/CustomizationPrefix', str(p.CustomizationPrefix)),
    customizationOptionValuePrefix: Number(required('solution.xml: Publisher/CustomizationOptionValuePrefix', str(p.CustomizationOptionValuePrefix))),
  };
  const email = str(p.EMailAddress);
  const website = str(p.SupportingWebsiteUrl);
  if (email) out.email = email;
  if (website) out.website = website;
  return out;
}

/** A file of the zip named by a path in customizations.xml (`/WebResources/...`, `/Connector/...`). */
async function zipFile(archive: JSZip, path: string, what: string): Promise<JSZip.JSZipObject> {
  const f = archive.file(path.replace(/^\/+/, ''));
  if (!f) throw new SolutionFormatError(`${what}: the zip has no file ${path}`);
  return f;
}

async function readEnvironmentVariables(archive: JSZip): Promise<SolutionEnvironmentVariable[]> {
  const out: SolutionEnvironmentVariable[] = [];
  const files = archive.file(/^environmentvariabledefinitions\/[^/]+\/environmentvariabledefinition\.xml$/);
  for (const f of files.sort((a, b) => a.name.localeCompare(b.name))) {
    const d = (parser.parse(await f.async('string')) as Node).environmentvariabledefinition as Node | undefined;
    const schemaName = required(`${f.name}: @schemaname`, str(d?.['@schemaname']));
    const folder = f.name.slice(0, f.name.lastIndexOf('/') + 1);
    // A value shipped with the solution: {"environmentvariablevalues":{"environmentvariablevalue":{"value":...}}}.
    const valueFile = archive.file(`${folder}environmentvariablevalues.json`);
    const shipped = valueFile ? (JSON.parse(await valueFile.async('string')) as { environmentvariablevalues?: { environmentvariablevalue?: { value?: unknown } } }) : null;
    const value = shipped?.environmentvariablevalues?.environmentvariablevalue?.value;
    // <displayname default=".."><label description=".." languagecode="1033"/></displayname> ('displayname' parses as a list).
    const labelOf = (n: unknown) => {
      const node = arr(n)[0];
      return str(node?.['@default']) ?? label(node, 'label');
    };
    out.push({
      schemaName,
      displayName: labelOf(d?.displayname) ?? schemaName,
      description: labelOf(d?.description) ?? '',
      type: Number(required(`${f.name}: <type>`, str(d?.type))),
      defaultValue: str(d?.defaultvalue) ?? null,
      isRequired: str(d?.isrequired) === '1',
      value: typeof value === 'string' ? value : null,
    });
  }
  return out;
}

async function readWebResources(archive: JSZip, root: Node): Promise<SolutionWebResource[]> {
  const out: SolutionWebResource[] = [];
  for (const w of arr((root.WebResources as Node | undefined)?.WebResource)) {
    const name = required('customizations.xml: WebResource/Name', str(w.Name));
    const file = await zipFile(archive, required(`web resource ${name}: FileName`, str(w.FileName)), `web resource ${name}`);
    out.push({ name, displayName: str(w.DisplayName) ?? name, type: Number(str(w.WebResourceType) ?? 0), content: await file.async('uint8array') });
  }
  return out;
}

async function readConnectors(archive: JSZip, root: Node): Promise<SolutionConnector[]> {
  const out: SolutionConnector[] = [];
  for (const c of arr((root.Connectors as Node | undefined)?.Connector)) {
    const name = required('customizations.xml: Connector/name', str(c.name));
    const text = async (element: string, optional = false): Promise<string | null> => {
      const path = str(c[element]);
      if (!path) {
        if (optional) return null;
        throw new SolutionFormatError(`connector ${name}: <${element}> is missing`);
      }
      return (await zipFile(archive, path, `connector ${name}`)).async('string');
    };
    out.push({
      name,
      displayName: str(c.displayname) ?? name,
      description: str(c.description) ?? '',
      iconBrandColor: str(c.iconbrandcolor) ?? null,
      openApiDefinition: (await text('openapidefinition')) as string,
      connectionParameters: (await text('connectionparameters')) as string,
      policyTemplateInstances: await text('policytemplateinstances', true),
    });
  }
  return out;
}

export async function readSolutionZip(zip: Uint8Array): Promise<ReadSolution> {
  let archive: JSZip;
  try {
    archive = await JSZip.loadAsync(zip);
  } catch (e) {
    throw new SolutionFormatError(`The file is not a zip archive: ${(e as Error).message}`);
  }
  const solutionFile = archive.file('solution.xml');
  const customizationsFile = archive.file('customizations.xml');
  if (!solutionFile) throw new SolutionFormatError('The zip has no solution.xml at its root');
  if (!customizationsFile) throw new SolutionFormatError('The zip has no customizations.xml at its root');

  const manifest = (parser.parse(await solutionFile.async('string')) as Node).ImportExportXml as Node | undefined;
  const sm = manifest?.SolutionManifest as Node | undefined;
  if (!sm) throw new SolutionFormatError('solution.xml: <ImportExportXml><SolutionManifest> is missing');
  const uniqueName = required('solution.xml: SolutionManifest/UniqueName', str(sm.UniqueName));
  const version = required('solution.xml: SolutionManifest/Version', str(sm.Version));
  const managedText = str(sm.Managed);
  if (managedText !== '0' && managedText !== '1') throw new SolutionFormatError(`solution.xml: <Managed> must be 0 or 1, got ${managedText}`);

  const root = (parser.parse(await customizationsFile.async('string')) as Node).ImportExportXml as Node | undefined;
  if (!root) throw new SolutionFormatError('customizations.xml: <ImportExportXml> root is missing');

  const entities = arr((root.Entities as Node | undefined)?.Entity);
  const entityNodes = entities.map((e) => {
    const info = (e.EntityInfo as Node | undefined)?.entity as Node | undefined;
    const schemaName = str(e.Name) ?? str(info?.['@Name']);
    if (!schemaName) throw new SolutionFormatError('customizations.xml: an <Entity> has no <Name>');
    if (!info) throw new SolutionFormatError(`customizations.xml: entity ${schemaName} has no <EntityInfo><entity>`);
    return { schemaName, logicalName: schemaName.toLowerCase(), info, e };
  });
  // Primary id attributes, so relationships can name the referenced column.
  const primaryIds = new Map<string, string>();
  for (const n of entityNodes) {
    const pk = arr((n.info.attributes as Node | undefined)?.attribute).find((a) => str(a.Type) === 'primarykey');
    const fallback = STANDARD_TABLES[n.logicalName]?.primaryIdAttribute ?? `${n.logicalName}id`;
    primaryIds.set(n.logicalName, pk ? String(str(pk.Name)).toLowerCase() : fallback);
  }
  const relationships = arr((root.EntityRelationships as Node | undefined)?.EntityRelationship).map((r) => readRelationship(r, primaryIds));

  const tables: TableDef[] = entityNodes.map(({ schemaName, logicalName, info, e }) => {
    const extension = str(info['@unmodified']) === '1';
    const columns = arr((info.attributes as Node | undefined)?.attribute)
      .map((a) => readColumn(a, logicalName, relationships))
      .filter((c): c is ColumnDef => c !== null);
    const keys = arr((info.EntityKeys as Node | undefined)?.EntityKey).map((k) => readKey(k, logicalName));
    if (extension) {
      const known = STANDARD_TABLES[logicalName];
      if (!known) throw new SolutionFormatError(`customizations.xml: entity ${schemaName} extends a table this importer does not know`);
      return {
        logicalName,
        schemaName,
        ...known,
        // An extension does not carry the platform table's description.
        description: '',
        isCustom: false,
        ownership: 'UserOwned',
        columns,
        keys,
      };
    }
    const primaryName = columns.find((c) => c.isPrimaryName);
    if (!primaryName) throw new SolutionFormatError(`customizations.xml: custom table ${schemaName} has no PrimaryName attribute`);
    return {
      logicalName,
      schemaName,
      displayName: required(`customizations.xml: table ${schemaName}: LocalizedName`, label(info.LocalizedNames, 'LocalizedName') ?? str((e.Name as Node | undefined)?.['@LocalizedName'])),
      displayCollectionName: label(info.LocalizedCollectionNames, 'LocalizedCollectionName') ?? schemaName,
      description: label(info.Descriptions, 'Description') ?? '',
      entitySetName: str(info.EntitySetName) ?? `${logicalName}s`,
      primaryIdAttribute: primaryIds.get(logicalName) ?? `${logicalName}id`,
      primaryNameAttribute: primaryName.logicalName,
      isCustom: true,
      ownership: (str(info.OwnershipTypeMask) === 'OrganizationOwned' ? 'OrganizationOwned' : 'UserOwned'),
      hasNotes: str(info.HasRelatedNotes) === 'True',
      hasActivities: str(info.HasRelatedActivities) === 'True',
      columns,
      keys,
      // Which plan needs a table is product knowledge, not solution metadata: an imported table is present.
    };
  });

  // Keep the relationships behind our lookup columns (real exports also list platform ones: created by, owner, ...).
  const lookups = new Set(tables.flatMap((t) => t.columns.filter((c) => c.type === 'lookup').map((c) => c.relationship)));
  const ownRelationships = relationships.filter((r) => lookups.has(r.schemaName));
  const choices = arr((root.optionsets as Node | undefined)?.optionset).map(readChoice);
  const schema: SolutionSchema = {
    uniqueName,
    friendlyName: label(sm.LocalizedNames, 'LocalizedName') ?? uniqueName,
    description: label(sm.Descriptions, 'Description') ?? '',
    publisher: readPublisher(sm.Publisher as Node | undefined),
    tables,
    choices,
    relationships: ownRelationships,
  };
  return {
    uniqueName, version, managed: managedText === '1', schema,
    environmentVariables: await readEnvironmentVariables(archive),
    webResources: await readWebResources(archive, root),
    connectors: await readConnectors(archive, root),
  };
}
