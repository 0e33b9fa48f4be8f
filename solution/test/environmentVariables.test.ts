// The options an admin sets inside Dynamics (environment variables) ship with the engine's own values and defaults:
// read from the packed solution, each variable's default equals the engine's default, and its description lists the
// values the engine takes.
import { XMLParser } from 'fast-xml-parser';
import { DEFAULT_OPTIONS, MIGRATION_OPTIONS_SCHEMA, OPTION_SETTINGS } from '@astep/orchestrator/options';
import { packSolution } from '../src/pack/packSolution';
import { SCHEMA } from '../src/schema';

const pkg = packSolution(SCHEMA, { version: '1.0.0.0', managed: false });
const shipped = (schemaName: string): { defaultvalue?: string; type: string } => {
  const file = pkg.files.find((f) => f.path === `environmentvariabledefinitions/${schemaName}/environmentvariabledefinition.xml`);
  if (!file) throw new Error(`the solution ships no environment variable ${schemaName}`);
  return new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(String(file.content)).environmentvariabledefinition;
};

test('every option variable ships the engine\'s default (or none where the plan recommends per firm)', () => {
  const defaults: Record<string, unknown> = {};
  for (const s of OPTION_SETTINGS) {
    const v = shipped(s.schemaName);
    expect(v.type).toBe(String({ String: 100000000, Number: 100000001, JSON: 100000003 }[s.type]));
    if (v.defaultvalue === undefined) continue;
    defaults[s.option] = s.type === 'JSON' ? JSON.parse(v.defaultvalue) : s.type === 'Number' ? Number(v.defaultvalue) : v.defaultvalue;
  }
  expect(defaults).toEqual({
    contacts: DEFAULT_OPTIONS.contacts, opportunityStrategy: DEFAULT_OPTIONS.opportunityStrategy, sampleSize: DEFAULT_OPTIONS.sampleSize,
    statusMap: DEFAULT_OPTIONS.statusMap, typeMap: DEFAULT_OPTIONS.typeMap, unknownValueMap: DEFAULT_OPTIONS.unknownValueMap,
  });
  // The values as people read them: the engine's names (perClientLatest, wonIfBilled), not a second spelling.
  expect(defaults).toMatchObject({ opportunityStrategy: 'perClientLatest', statusMap: { Closed: { matterStatus: 'Closed', opportunity: 'wonIfBilled' } } });
  expect(shipped('astep_DataCollectionPlacement').defaultvalue).toBeUndefined();
});

test('each variable covers one option of the vocabulary and names the values the engine takes', () => {
  const properties = MIGRATION_OPTIONS_SCHEMA.properties as Record<string, { enum?: readonly string[] }>;
  for (const s of OPTION_SETTINGS) {
    expect(properties[s.option]).toBeDefined();
    const description = String((shipped(s.schemaName) as unknown as { description: { '@_default': string } }).description['@_default']);
    for (const value of properties[s.option].enum ?? []) expect(description).toContain(value);
  }
  expect(OPTION_SETTINGS.map((s) => s.option).sort()).toEqual(['contacts', 'dataCollections', 'fallbackOwnerEmail', 'opportunityStrategy', 'sampleSize', 'statusMap', 'typeMap', 'unknownValueMap']);
});
