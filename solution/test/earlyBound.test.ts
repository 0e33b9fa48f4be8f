// The early-bound types dataverse-ify uses in browser code are generated from the schema (never written by hand):
// the committed file must be what the generator writes now, and its metadata must describe the schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEarlyBound } from '../src/earlyBound/generateEarlyBound';
import { metadataCache } from '../src/generated/earlyBound';
import { PLATFORM_TABLES } from '../src/platformTables';
import { SCHEMA } from '../src/schema';
import { REPO_ROOT } from './xsd';

describe('early-bound types (solution/src/generated/earlyBound.ts)', () => {
  test('are current: regenerate with `npm run generate:early-bound` (npm run build does) after changing the schema', () => {
    const committed = readFileSync(join(REPO_ROOT, 'solution/src/generated/earlyBound.ts'), 'utf8');
    expect(committed).toBe(generateEarlyBound(SCHEMA, PLATFORM_TABLES));
  });

  test('describe every table of the schema and the platform tables the browser code reads', () => {
    const entities = metadataCache.entities as Record<string, { collectionName: string; primaryIdAttribute: string; attributeTypes: Record<string, string>; navigation: Record<string, string[]> }>;
    for (const t of [...SCHEMA.tables, ...PLATFORM_TABLES]) {
      expect({ table: t.logicalName, set: entities[t.logicalName]?.collectionName, pk: entities[t.logicalName]?.primaryIdAttribute })
        .toEqual({ table: t.logicalName, set: t.entitySetName, pk: t.primaryIdAttribute });
    }
    const run = entities.astep_migrationrun;
    expect(run.attributeTypes.astep_startedon).toBe('DateAndTime:UserLocal');
    expect(run.attributeTypes.astep_status).toBe('Optionset');
    const staging = entities.astep_stagingrow;
    expect(staging.navigation.astep_MigrationRunId).toEqual(['mscrm.astep_migrationrun']);
    const matter = entities.astep_matter;
    expect(matter.attributeTypes.astep_totalbilled).toBe('Money');
    expect(matter.attributeTypes.astep_totalbilled_base).toBe('Money');
    expect(matter.navigation.transactioncurrencyid).toEqual(['mscrm.transactioncurrency']);
    expect(entities.environmentvariablevalue.navigation.EnvironmentVariableDefinitionId).toEqual(['mscrm.environmentvariabledefinition']);
  });
});
