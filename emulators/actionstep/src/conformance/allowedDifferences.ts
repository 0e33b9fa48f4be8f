// The one place that lists how real Actionstep responses differ from Actionstep's own OpenAPI schemas
// (shared/reference/actionstep-openapi), and turns a schema into the relaxed schema real responses satisfy.
// Reference: actionstep-api.md, "Schemas vs. observed behaviour" and §7 "Spec defects to ignore".
// Everything not listed here must match the schema exactly; unknown properties are rejected (names are
// case-sensitive), which is stricter than the YAMLs themselves.
import type { ResourceName } from '@astep/actionstep-connector/records';

export interface AllowedDifference {
  id: string;
  description: string;
  evidence: string;
}

export const ALLOWED_DIFFERENCES: AllowedDifference[] = [
  { id: 'string-link-ids', description: 'Link values are strings even when the schema says integer ("actionType":"7").', evidence: 'C-obs S9, S10' },
  { id: 'link-arrays', description: 'Multi-valued links (primaryParticipants, relatedActions, bills.action) are arrays of strings, or null, although typed integer.', evidence: 'C-obs S9, S10; spec example [56, 60]' },
  { id: 'numbers-as-strings', description: 'Numbers may be JSON strings ("1.00") and empty numbers "".', evidence: 'C-doc S7 wiki example; C-obs customLogoFilesize ""' },
  { id: 'null-in-fields', description: 'Any field, whatever its type or enum, may be null.', evidence: 'C-obs S9, S10 (deletedTimestamp, reference, relatedActions null)' },
  { id: 'timestamp-format', description: '"format: timestamp" is ISO 8601 with the org offset; date-only values occur in some "timestamp" fields (actions.createdTimestamp).', evidence: 'C-obs S9, S10' },
  { id: 'bare-single-object', description: 'A collection with exactly one record holds a bare object, not an array.', evidence: 'C-obs S8-S12' },
  { id: 'paging-key', description: 'The paging key is the resource name; bills and disbursements YAMLs name it "participants".', evidence: 'reference §7' },
  { id: 'nullable-paging-urls', description: 'meta.paging prevPage/nextPage are null when there is no such page.', evidence: 'C-obs every capture' },
  { id: 'plural-paths', description: 'Real paths are plural (/datacollections/{id}, /datacollectionfields/{id}) and sit under {api_endpoint}rest/.', evidence: 'C-obs S8, S10' },
  { id: 'envelope-extras', description: 'Responses also carry top-level "links" templates, optional "linked" and meta.debug.', evidence: 'C-doc S2' },
];

/** Resource -> [OpenAPI file, entity schema name]. */
export const OPENAPI_ENTITIES: Partial<Record<ResourceName, [string, string]>> = {
  actions: ['actions.yml', 'Action'],
  actiontypes: ['actiontypes.yml', 'ActionType'],
  participants: ['participants.yml', 'Participant'],
  actionparticipants: ['actionparticipants.yml', 'ActionParticipants'],
  datacollections: ['datacollections.yml', 'DataCollection'],
  datacollectionfields: ['datacollectionfields.yml', 'DataCollectionField'],
  datacollectionrecords: ['datacollectionrecords.yml', 'DataCollectionRecord'],
  datacollectionrecordvalues: ['datacollectionrecordvalues.yml', 'DataCollectionRecordValue'],
  timeentries: ['timeentries.yml', 'TimeEntry'],
  disbursements: ['disbursements.yml', 'Disbursement'],
  bills: ['bills.yml', 'Bill'],
  filenotes: ['filenotes.yml', 'FileNote'],
  tasks: ['tasks.yml', 'Task'],
};

type Schema = Record<string, unknown>;
type Schemas = Record<string, Schema>;

const NUMERIC_STRING = '^-?\\d+(\\.\\d+)?$';

function deref(schemas: Schemas, s: Schema): Schema {
  const ref = s.$ref;
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '');
    const target = schemas[name];
    if (!target) throw new Error(`OpenAPI schema ${ref} not found`);
    return deref(schemas, target);
  }
  return s;
}

/** null-in-fields, numbers-as-strings, timestamp-format. */
function relaxField(s: Schema): Schema {
  const type = s.type;
  const alternatives: Schema[] = [{ type: 'null' }];
  if (type === 'integer' || type === 'number') {
    alternatives.push({ type: 'number' }, { type: 'string', pattern: NUMERIC_STRING }, { type: 'string', maxLength: 0 });
  } else if (type === 'string') {
    const base: Schema = { type: 'string' };
    if (Array.isArray(s.enum)) base.enum = s.enum;
    if (s.format === 'date') base.format = 'date';
    if (s.format === 'timestamp') base.format = 'actionstep-timestamp';
    alternatives.push(base);
  } else if (type === 'array') {
    alternatives.push({ type: 'array' });
  } else {
    alternatives.push({});
  }
  return { anyOf: alternatives };
}

/** string-link-ids, link-arrays. */
function relaxLink(): Schema {
  const id = { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] };
  return { anyOf: [{ type: 'null' }, id, { type: 'array', items: id }] };
}

/** The relaxed, self-contained JSON schema of one record of the resource. */
export function relaxedEntitySchema(schemas: Schemas, entity: string): Schema {
  const s = deref(schemas, schemas[entity] ?? {});
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const out: Record<string, Schema> = {};
  for (const [name, raw] of Object.entries(props)) {
    if (name === 'links') {
      const linkProps = (deref(schemas, raw).properties ?? {}) as Record<string, Schema>;
      const links: Record<string, Schema> = {};
      for (const l of Object.keys(linkProps)) links[l] = relaxLink();
      out.links = { type: 'object', properties: links, additionalProperties: false };
    } else if (name === 'id') {
      out.id = raw.type === 'integer' ? { type: 'integer' } : { anyOf: [{ type: 'string', minLength: 1 }, { type: 'integer' }] };
    } else {
      out[name] = relaxField(deref(schemas, raw));
    }
  }
  return { type: 'object', required: ['id'], properties: out, additionalProperties: false };
}

/** Relaxed schema of a collection response: bare-single-object, paging-key, nullable-paging-urls, envelope-extras. */
export function relaxedCollectionSchema(schemas: Schemas, entity: string, resource: string): Schema {
  const record = relaxedEntitySchema(schemas, entity);
  const paged = Object.entries(schemas).find(([k]) => k.startsWith('Paged'))?.[1];
  const pagingData = paged ? deref(schemas, ((deref(schemas, (paged.properties as Schemas).meta).properties as Schemas).paging)) : null;
  const pageDataRaw = pagingData ? Object.values((pagingData.properties ?? {}) as Schemas)[0] : null;
  const pageData = pageDataRaw ? deref(schemas, pageDataRaw) : { type: 'object' };
  const pageProps: Record<string, Schema> = {};
  for (const [k, v] of Object.entries((pageData.properties ?? {}) as Schemas)) {
    pageProps[k] = k === 'prevPage' || k === 'nextPage' ? { anyOf: [{ type: 'null' }, { type: 'string', format: 'uri' }] } : { type: v.type as string };
  }
  return {
    type: 'object',
    required: [resource, 'meta', 'links'],
    properties: {
      [resource]: { anyOf: [{ type: 'array', items: record }, record] },
      meta: {
        type: 'object',
        required: ['paging'],
        properties: {
          paging: {
            type: 'object',
            required: [resource],
            properties: { [resource]: { type: 'object', required: Object.keys(pageProps), properties: pageProps, additionalProperties: false } },
          },
        },
      },
      links: { type: 'object' },
      linked: { type: 'object' },
    },
    additionalProperties: false,
  };
}

/** ISO 8601 with offset (or Z), or a date only (timestamp-format). */
export function isActionstepTimestamp(v: string): boolean {
  return /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/.test(v);
}
