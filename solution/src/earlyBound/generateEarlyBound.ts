// Early-bound types for dataverse-ify, generated from the schema as code (our tables and choices) and the platform
// tables we read: for each table an interface of its columns and the EntityWebApiMetadata dataverse-ify needs to
// turn Web API JSON into typed records and back (the shapes dataverse-gen writes: attributeTypes for non-text
// columns, navigation for lookups, typeName `mscrm.<table>`). No TypeScript enums: choices are const objects.
import type { ChoiceDef, ColumnDef, SolutionSchema, TableDef } from '../model';
import type { PlatformColumnDef, PlatformTableDef } from '../platformTables';

interface GenTable {
  logicalName: string;
  schemaName: string;
  displayName: string;
  entitySetName: string;
  primaryIdAttribute: string;
  columns: Array<PlatformColumnDef & { navigationProperty?: string; targets?: string[] }>;
  source: string;
}

const identifier = (label: string): string => {
  const words = label.normalize('NFKD').replace(/[^A-Za-z0-9 ]+/g, ' ').trim().split(/\s+/);
  const id = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(id) ? `_${id}` : id || '_';
};

/** dataverse-ify's attributeTypes value of a column (absent for text, booleans and lookups). */
function attributeType(c: ColumnDef): string | undefined {
  switch (c.type) {
    case 'integer':
      return 'Integer';
    case 'decimal':
      return 'Decimal';
    case 'money':
      return 'Money';
    case 'picklist':
      return 'Optionset';
    case 'multiselectpicklist':
      return 'MultiSelect';
    case 'datetime': {
      const behavior = c.dateBehavior ?? 'UserLocal';
      return `${behavior === 'DateOnly' ? 'DateOnly' : 'DateAndTime'}:${behavior}`;
    }
    default:
      return undefined;
  }
}

function tsType(c: ColumnDef): string {
  switch (c.type) {
    case 'integer':
    case 'decimal':
    case 'money':
    case 'picklist':
      return 'number';
    case 'multiselectpicklist':
      return 'number[]';
    case 'boolean':
      return 'boolean';
    case 'datetime':
      return 'Date';
    case 'lookup':
      return 'EntityReference';
    default:
      return 'string';
  }
}

const sys = (logicalName: string, displayName: string, type: ColumnDef['type'], extra: Partial<PlatformColumnDef> = {}): PlatformColumnDef =>
  ({ logicalName, schemaName: logicalName, displayName, type, ...extra });

/** The platform columns of every custom table we read (who/when, owner, state), and the currency ones with money. */
function systemColumns(t: TableDef): PlatformColumnDef[] {
  const out: PlatformColumnDef[] = [
    sys('createdon', 'Created On', 'datetime', { dateBehavior: 'UserLocal' }),
    sys('modifiedon', 'Modified On', 'datetime', { dateBehavior: 'UserLocal' }),
    sys('statecode', 'Status', 'picklist'),
    sys('statuscode', 'Status Reason', 'picklist'),
  ];
  if (t.ownership === 'UserOwned') out.push(sys('ownerid', 'Owner', 'lookup', { targets: ['systemuser', 'team'], navigationProperty: 'ownerid' }));
  if (t.columns.some((c) => c.type === 'money')) {
    out.push(
      sys('transactioncurrencyid', 'Currency', 'lookup', { targets: ['transactioncurrency'], navigationProperty: 'transactioncurrencyid' }),
      sys('exchangerate', 'Exchange Rate', 'decimal'),
    );
  }
  return out;
}

function fromSchema(schema: SolutionSchema, t: TableDef): GenTable {
  const columns: GenTable['columns'] = [];
  for (const c of t.columns) {
    if (c.type === 'lookup') {
      const rel = schema.relationships.find((r) => r.schemaName === c.relationship);
      columns.push({ ...c, targets: rel ? [rel.referencedEntity] : [], navigationProperty: rel?.referencingNavigationProperty ?? c.schemaName });
    } else columns.push(c);
    // The platform's base-currency twin of each money column (read only).
    if (c.type === 'money') columns.push({ ...c, logicalName: `${c.logicalName}_base`, schemaName: `${c.schemaName}_Base`, displayName: `${c.displayName} (Base)` });
  }
  return {
    logicalName: t.logicalName, schemaName: t.schemaName, displayName: t.displayName, entitySetName: t.entitySetName,
    primaryIdAttribute: t.primaryIdAttribute, columns: t.isCustom ? [...columns, ...systemColumns(t)] : columns,
    source: t.isCustom ? 'solution/src/schema.ts' : 'solution/src/schema.ts (our columns of a platform table)',
  };
}

function fromPlatform(t: PlatformTableDef): GenTable {
  return { ...t, source: 'solution/src/platformTables.ts' };
}

function choiceConst(c: ChoiceDef): string {
  const seen = new Set<string>();
  const members = c.options.map((o) => {
    let name = identifier(o.label);
    while (seen.has(name)) name = `${name}_${o.value}`;
    seen.add(name);
    return `  ${name}: ${o.value},`;
  });
  return [`/** ${c.displayName} (global choice ${c.name}). */`, `export const ${c.name} = {`, ...members, '} as const;'].join('\n');
}

const q = (s: string): string => JSON.stringify(s);

function tableCode(t: GenTable): string {
  const props = [
    `  ${t.primaryIdAttribute}?: string | null;`,
    ...t.columns.filter((c) => c.logicalName !== t.primaryIdAttribute).map((c) => `  /** ${c.displayName} */\n  ${c.logicalName}?: ${tsType(c)} | null;`),
  ];
  const types = t.columns.map((c) => [c.logicalName, attributeType(c)] as const).filter((x): x is readonly [string, string] => !!x[1]);
  const navigation = t.columns.filter((c) => c.type === 'lookup').map((c) => `    ${c.navigationProperty ?? c.logicalName}: [${(c.targets ?? []).map((x) => q(`mscrm.${x}`)).join(', ')}],`);
  return [
    `/** ${t.displayName} (${t.logicalName}), from ${t.source}. */`,
    `export interface ${t.schemaName} extends IEntity {`,
    ...props,
    '}',
    `export const ${t.logicalName}Metadata: EntityWebApiMetadata = {`,
    `  typeName: ${q(`mscrm.${t.logicalName}`)},`,
    `  logicalName: ${q(t.logicalName)},`,
    `  collectionName: ${q(t.entitySetName)},`,
    `  primaryIdAttribute: ${q(t.primaryIdAttribute)},`,
    '  attributeTypes: {',
    ...types.map(([n, ty]) => `    ${n}: ${q(ty)},`),
    '  },',
    '  navigation: {',
    ...navigation,
    '  },',
    '};',
  ].join('\n');
}

/** The generated module's text (deterministic: the same schema gives the same bytes). */
export function generateEarlyBound(schema: SolutionSchema, platformTables: PlatformTableDef[]): string {
  const tables = [...schema.tables.map((t) => fromSchema(schema, t)), ...platformTables.map(fromPlatform)];
  return [
    '// Generated by `npm run generate:early-bound` (run by `npm run build`) from solution/src/schema.ts and',
    '// solution/src/platformTables.ts: early-bound types and metadata for dataverse-ify. Do not edit; change the schema',
    '// and run the generator. solution/test/earlyBound.test.ts fails when this file is not current.',
    "import type { EntityWebApiMetadata } from 'dataverse-ify/lib/metadata/EntityWebApiMetadata';",
    "import type { EntityReference } from 'dataverse-ify/lib/types/EntityReference';",
    "import type { IEntity } from 'dataverse-ify/lib/types/IEntity';",
    '',
    ...schema.choices.map(choiceConst).flatMap((c) => [c, '']),
    ...tables.map(tableCode).flatMap((c) => [c, '']),
    '/** Logical names by type name. */',
    'export const EntityNames = {',
    ...tables.map((t) => `  ${t.schemaName}: ${q(t.logicalName)},`),
    '} as const;',
    '',
    '/** For dataverse-ify: `setMetadataCache(metadataCache)` before the first call. */',
    'export const metadataCache = {',
    '  entities: {',
    ...tables.map((t) => `    ${t.logicalName}: ${t.logicalName}Metadata,`),
    '  },',
    '  actions: {},',
    '};',
    '',
  ].join('\n');
}
