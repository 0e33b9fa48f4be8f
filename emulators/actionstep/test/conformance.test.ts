// Validates emulator responses against Actionstep's own OpenAPI schemas, with exactly the documented differences
// (src/conformance/allowedDifferences.ts) allowed.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { ActionstepEmulator } from '@astep/actionstep-emulator';
import {
  ALLOWED_DIFFERENCES, OPENAPI_ENTITIES, isActionstepTimestamp, relaxedCollectionSchema, relaxedEntitySchema,
} from '../src/conformance/allowedDifferences';
import { api, login, start } from './helpers';

// The shared reference beside the repository (../shared); a worktree elsewhere falls back to the main checkout's.
const CANDIDATES = [resolve(__dirname, '..', '..', '..', '..', 'shared', 'reference', 'actionstep-openapi'), '/work/shared/reference/actionstep-openapi'];
const DIR = CANDIDATES.find((d) => existsSync(d)) ?? CANDIDATES[0];

function schemasOf(file: string): Record<string, Record<string, unknown>> {
  const doc = load(readFileSync(join(DIR, file), 'utf8')) as { components: { schemas: Record<string, Record<string, unknown>> } };
  return doc.components.schemas;
}

describe('conformance with the Actionstep OpenAPI schemas', () => {
  let em: ActionstepEmulator;
  let token: string;
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('actionstep-timestamp', isActionstepTimestamp);
  beforeAll(async () => {
    // messyRate 0: planted anomalies (unknown enum values, invalid dates) are deliberate non-conformance.
    em = await start({ firm: 'tiny', seed: 5, messyRate: 0 });
    token = (await login(em)).access_token;
  });
  afterAll(() => em.close());

  it('documents every allowed difference once', () => {
    const ids = ALLOWED_DIFFERENCES.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(OPENAPI_ENTITIES)).toHaveLength(13);
  });

  it.each(Object.entries(OPENAPI_ENTITIES) as Array<[ResourceName, [string, string]]>)('%s: collection and by-id responses validate', async (resource, [file, entity]) => {
    const schemas = schemasOf(file);
    const collection = ajv.compile(relaxedCollectionSchema(schemas, entity, resource));
    const record = ajv.compile(relaxedEntitySchema(schemas, entity));
    const r = await api(em, token, `rest/${resource}?pageSize=200`);
    expect(r.status).toBe(200);
    const ok = collection(r.body);
    expect({ resource, errors: ok ? null : ajv.errorsText(collection.errors) }).toEqual({ resource, errors: null });
    const first = Array.isArray(r.body[resource]) ? r.body[resource][0] : r.body[resource];
    const one = await api(em, token, `rest/${resource}/${encodeURIComponent(String(first.id))}`);
    expect(record(one.body[resource]) ? null : ajv.errorsText(record.errors)).toBeNull();
  });

  it('the relaxed schema still rejects wrong casing, wrong types and unknown enum values', () => {
    const schemas = schemasOf('actions.yml');
    const record = ajv.compile(relaxedEntitySchema(schemas, 'Action'));
    expect(record({ id: 1, name: 'x', status: 'Active' })).toBe(true);
    expect(record({ id: 1, Name: 'x' })).toBe(false);
    expect(record({ id: 1, status: 'Pending Review' })).toBe(false);
    expect(record({ id: 1, priority: 'high' })).toBe(false);
    expect(record({ id: 1, modifiedTimestamp: '31/12/2020' })).toBe(false);
    expect(record({ id: 1, links: { actionType: '7', nope: '1' } })).toBe(false);
  });
});
