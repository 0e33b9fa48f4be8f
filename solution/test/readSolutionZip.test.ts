import JSZip from 'jszip';
import { SCHEMA } from '../src/schema';
import type { SolutionSchema } from '../src/model';
import { readSolutionZip, SolutionFormatError } from '../src/readSolutionZip';
import { join } from 'node:path';
import { EMPTY_INPUTS, loadPackInputs } from '../src/pack/inputs';
import { packSolution, zipPackage } from '../src/pack/packSolution';

/**
 * The schema as an import would see it: a standard table travels as an extension (our columns and keys only), so its
 * description is not in the zip.
 */
function asImported(schema: SolutionSchema): SolutionSchema {
  const copy = JSON.parse(JSON.stringify(schema)) as SolutionSchema;
  for (const t of copy.tables) if (!t.isCustom) t.description = '';
  return copy;
}

async function zipOf(managed: boolean, schema: SolutionSchema = SCHEMA): Promise<Uint8Array> {
  return zipPackage(packSolution(schema, { version: '2.5.1.0', managed, inputs: EMPTY_INPUTS }));
}

describe('readSolutionZip', () => {
  it.each([false, true])('round trip (managed=%s): gives back an equivalent schema', async (managed) => {
    const read = await readSolutionZip(await zipOf(managed));
    expect(read.uniqueName).toBe('ActionstepMigration');
    expect(read.version).toBe('2.5.1.0');
    expect(read.managed).toBe(managed);
    expect(read.schema).toEqual(asImported(SCHEMA));
  });

  it('reads a changed schema back changed (the round trip is not a constant)', async () => {
    const changed = structuredClone(SCHEMA);
    const matter = changed.tables.find((t) => t.logicalName === 'astep_matter')!;
    matter.columns.push({ logicalName: 'astep_dc_settlementdate', schemaName: 'astep_DcSettlementDate', displayName: 'Settlement Date', type: 'datetime', required: 'none', dateBehavior: 'DateOnly' });
    changed.choices[0].options.push({ value: 615200099, label: 'Probate' });
    const read = await readSolutionZip(await zipOf(false, changed));
    const col = read.schema.tables.find((t) => t.logicalName === 'astep_matter')!.columns.find((c) => c.logicalName === 'astep_dc_settlementdate');
    expect(col).toEqual({ logicalName: 'astep_dc_settlementdate', schemaName: 'astep_DcSettlementDate', displayName: 'Settlement Date', type: 'datetime', required: 'none', dateBehavior: 'DateOnly' });
    expect(read.schema.choices[0].options.at(-1)).toEqual({ value: 615200099, label: 'Probate' });
  });

  it('tells what is wrong with a bad zip', async () => {
    await expect(readSolutionZip(new Uint8Array([1, 2, 3]))).rejects.toThrow(/not a zip/);
    const noCustomizations = new JSZip();
    noCustomizations.file('solution.xml', '<ImportExportXml/>');
    await expect(readSolutionZip(await noCustomizations.generateAsync({ type: 'uint8array' }))).rejects.toThrow(/no customizations.xml/);

    const good = await JSZip.loadAsync(await zipOf(false));
    const cust = await good.file('customizations.xml')!.async('string');
    good.file('customizations.xml', cust.replace('<Type>nvarchar</Type>', '<Type>hologram</Type>'));
    const err = await readSolutionZip(await good.generateAsync({ type: 'uint8array' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SolutionFormatError);
    expect((err as Error).message).toMatch(/column account\.astep_sourceid has an unsupported <Type> "hologram"/);
  });
});

describe('readSolutionZip on a full package', () => {
  it('reads the schema from a zip that also carries web resources, controls, the connector and environment variables', async () => {
    const inputs = loadPackInputs(join(__dirname, 'fixtures', 'repo'));
    const zip = await zipPackage(packSolution(SCHEMA, { version: '0.9.0.0', managed: true, inputs }));
    const read = await readSolutionZip(zip);
    expect(read).toMatchObject({ uniqueName: 'ActionstepMigration', version: '0.9.0.0', managed: true });
    expect(read.schema).toEqual(asImported(SCHEMA));
  });
});

describe('readSolutionZip on export-style content', () => {
  it('skips platform columns (IsCustomField 0) and the relationships that are not behind our lookups', async () => {
    const zip = await JSZip.loadAsync(await zipOf(false));
    let cust = await zip.file('customizations.xml')!.async('string');
    const createdBy = `<attribute PhysicalName="CreatedBy"><Type>lookup</Type><Name>createdby</Name><LogicalName>createdby</LogicalName><IsCustomField>0</IsCustomField><LookupStyle>single</LookupStyle><displaynames><displayname description="Created By" languagecode="1033"/></displaynames></attribute>
            <attribute PhysicalName="statecode"><Type>state</Type><Name>statecode</Name><IsCustomField>0</IsCustomField></attribute>`;
    cust = cust.replaceAll('<attribute PhysicalName="astep_Name">', `${createdBy}\n<attribute PhysicalName="astep_Name">`);
    cust = cust.replace('<EntityRelationships>', `<EntityRelationships><EntityRelationship Name="lk_astep_matter_createdby"><EntityRelationshipType>OneToMany</EntityRelationshipType><ReferencingEntityName>astep_Matter</ReferencingEntityName><ReferencedEntityName>SystemUser</ReferencedEntityName><ReferencingAttributeName>CreatedBy</ReferencingAttributeName></EntityRelationship>`);
    expect(cust.match(/PhysicalName="CreatedBy"/g)?.length).toBeGreaterThanOrEqual(5);
    expect(cust).toContain('lk_astep_matter_createdby');
    zip.file('customizations.xml', cust);
    const read = await readSolutionZip(await zip.generateAsync({ type: 'uint8array' }));
    expect(read.schema).toEqual(asImported(SCHEMA));
  });
});
