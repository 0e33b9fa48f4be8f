// The Power Platform custom connector, generated from resources.ts so it can never drift from what the client reads:
// a Swagger 2.0 apiDefinition (one list and one get-by-id operation per resource, paging and filter parameters, a
// definition per resource in wire shape) and apiProperties (generic OAuth 2 against Actionstep's endpoints).
import { RESOURCE_NAMES, RESOURCES, type FieldDef, type ResourceDef } from '../resources';
import { ACTIONSTEP_AUTHORIZE_URL, ACTIONSTEP_TOKEN_URL } from '../auth/oauthClient';

type Json = Record<string, unknown>;

/** Brand colour of the connector icon (Actionstep's blue). */
export const ICON_BRAND_COLOR = '#0072bc';
/** Default api_endpoint host; each org's real host is in its token response and set on the connection. */
export const DEFAULT_API_HOST = 'ap-southeast-2.actionstep.com';

export function pascal(name: string): string {
  // "datacollectionrecordvalues" has no word breaks on the wire; spell the known words for readable operation ids.
  const words = ['action', 'types', 'type', 'participants', 'participant', 'data', 'collection', 'records', 'record',
    'values', 'fields', 'time', 'entries', 'disbursements', 'bills', 'file', 'notes', 'tasks', 'documents', 'users',
    'steps', 'collections'];
  let out = '';
  let rest = name;
  while (rest.length > 0) {
    const w = words.filter((x) => rest.startsWith(x)).sort((a, b) => b.length - a.length)[0] ?? rest;
    out += w[0].toUpperCase() + w.slice(1);
    rest = rest.slice(w.length);
  }
  return out;
}

function wireSchema(fd: FieldDef): Json {
  const description = fd.description ? { description: fd.description } : {};
  switch (fd.kind) {
    case 'boolean':
      return { type: 'string', description: fd.description ?? 'Actionstep boolean: "T" or "F".', 'x-nullable': true };
    case 'integer':
      return fd.wireAsString ? { type: 'string', description: fd.description ?? 'Integer sent as a string.', 'x-nullable': true } : { type: 'integer', format: 'int64', 'x-nullable': true, ...description };
    case 'number':
    case 'money':
      return fd.wireAsString ? { type: 'string', description: fd.description ?? 'Decimal sent as a string.', 'x-nullable': true } : { type: 'number', format: 'double', 'x-nullable': true, ...description };
    case 'date':
      // Not `format: date`: real data carries invalid dates that a strict client would reject.
      return { type: 'string', description: fd.description ?? 'Date, YYYY-MM-DD.', 'x-nullable': true };
    case 'timestamp':
      return { type: 'string', description: fd.description ?? 'ISO 8601 timestamp with the org offset.', 'x-nullable': true };
    case 'time':
      return { type: 'string', description: fd.description ?? 'Time, HH:MM:SS.', 'x-nullable': true };
    case 'enum':
      // No `enum`: Actionstep sends values outside the documented set (kept verbatim by the client).
      return { type: 'string', description: fd.description ?? `One of: ${(fd.enumValues ?? []).join(', ')} (others possible).`, 'x-nullable': true };
    default:
      return { type: 'string', 'x-nullable': true, ...description };
  }
}

function definitionOf(def: ResourceDef): Json {
  const properties: Json = {};
  for (const fd of def.fields) {
    properties[fd.name] =
      fd.name === 'id'
        ? def.idKind === 'integer'
          ? { type: 'integer', format: 'int64', description: 'Record id.' }
          : { type: 'string', description: `Record id (${def.idKind}).` }
        : { ...wireSchema(fd), 'x-ms-summary': fd.name };
  }
  const links: Json = {};
  for (const ld of def.links) {
    links[ld.name] = ld.many
      ? { type: 'array', items: { type: 'string' }, 'x-nullable': true, description: `Ids of linked ${ld.resource}.` }
      : { type: 'string', 'x-nullable': true, description: `Id of the linked ${ld.resource} record.` };
  }
  properties.links = { type: 'object', properties: links };
  return { type: 'object', description: def.description, properties };
}

function listParameters(def: ResourceDef): Json[] {
  const params: Json[] = [
    { name: 'page', in: 'query', type: 'integer', minimum: 1, default: 1, 'x-ms-summary': 'Page', description: '1-based page number.' },
    { name: 'pageSize', in: 'query', type: 'integer', minimum: 1, maximum: 200, default: 200, 'x-ms-summary': 'Page size', description: 'Records per page (Actionstep caps it at 200).' },
    { name: 'sort', in: 'query', type: 'string', required: false, 'x-ms-summary': 'Sort', 'x-ms-visibility': 'advanced', description: 'Comma-separated fields, "-" for descending (e.g. "-id").' },
    { name: 'include', in: 'query', type: 'string', required: false, 'x-ms-summary': 'Include', 'x-ms-visibility': 'advanced', description: `Links to sideload: ${def.links.map((l) => l.name).join(', ') || 'none'}.` },
    { name: 'fields', in: 'query', type: 'string', required: false, 'x-ms-summary': 'Fields', 'x-ms-visibility': 'advanced', description: 'Comma-separated fields to return (":default" for the default set).' },
  ];
  if (def.modifiedField) {
    params.push({ name: `${def.modifiedField}_gteq`, in: 'query', type: 'string', required: false, 'x-ms-summary': 'Modified since', description: 'Only records changed at or after this timestamp (ISO 8601; without an offset it is read as UTC).' });
  }
  for (const ld of def.links) {
    if (ld.many) continue;
    params.push({ name: ld.name, in: 'query', type: 'string', required: false, 'x-ms-summary': `${ld.name} id`, 'x-ms-visibility': 'advanced', description: `Filter: id of the linked ${ld.resource} record.` });
  }
  for (const fd of def.fields) {
    if (fd.kind !== 'enum' && fd.kind !== 'boolean') continue;
    params.push({ name: fd.name, in: 'query', type: 'string', required: false, 'x-ms-summary': fd.name, 'x-ms-visibility': 'advanced', description: fd.kind === 'boolean' ? 'Filter: "T" or "F".' : `Filter: ${(fd.enumValues ?? []).join(', ')}.` });
  }
  return params;
}

function envelopeSchema(def: ResourceDef, single: boolean): Json {
  const ref = { $ref: `#/definitions/${pascal(def.name)}` };
  return {
    type: 'object',
    properties: {
      // A collection with exactly one record is a bare object on the real API; the connector documents arrays.
      [def.name]: single ? ref : { type: 'array', items: ref },
      linked: { type: 'object', description: 'Sideloaded records by resource (include).', additionalProperties: { type: 'array', items: { type: 'object' } } },
      meta: { $ref: '#/definitions/Meta' },
    },
  };
}

export function generateApiDefinition(): Json {
  const paths: Json = {};
  const definitions: Json = {
    Meta: {
      type: 'object',
      properties: {
        paging: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            properties: {
              recordCount: { type: 'integer' },
              pageCount: { type: 'integer' },
              page: { type: 'integer' },
              pageSize: { type: 'integer' },
              prevPage: { type: 'string', 'x-nullable': true },
              nextPage: { type: 'string', 'x-nullable': true },
            },
          },
        },
      },
    },
    Error: {
      type: 'object',
      properties: {
        errors: {
          type: 'object',
          properties: { status: { type: 'integer' }, code: { type: 'string' }, title: { type: 'string' }, detail: { type: 'string' } },
        },
      },
    },
  };
  const errorResponses = {
    '401': { description: 'Token expired or invalid (RFC 6749 error body).' },
    '403': { description: 'Missing scope (insufficient_scope).' },
    '429': { description: 'Rate limited: retry later.', schema: { $ref: '#/definitions/Error' } },
    default: { description: 'Actionstep error.', schema: { $ref: '#/definitions/Error' } },
  };
  for (const name of RESOURCE_NAMES) {
    const def = RESOURCES[name];
    const P = pascal(name);
    definitions[P] = definitionOf(def);
    paths[`/rest/${name}`] = {
      get: {
        operationId: `List${P}`,
        summary: `List ${name}`,
        description: `${def.description} Pages of up to 200; 204 when nothing matches.`,
        'x-ms-visibility': 'important',
        parameters: listParameters(def),
        responses: { '200': { description: 'A page of records.', schema: envelopeSchema(def, false) }, '204': { description: 'No matching records.' }, ...errorResponses },
        security: [{ oauth2: [def.scope] }],
      },
    };
    paths[`/rest/${name}/{id}`] = {
      get: {
        operationId: `Get${P}ById`,
        summary: `Get ${name} by id`,
        description: `One or more ${name} by id (comma-separated).${def.idKind === 'composite' ? ' Composite ids join their parts with "--".' : ''}`,
        parameters: [
          { name: 'id', in: 'path', required: true, type: 'string', 'x-ms-summary': 'Id', description: 'Record id, or several separated by commas.' },
          { name: 'include', in: 'query', type: 'string', required: false, 'x-ms-summary': 'Include', 'x-ms-visibility': 'advanced', description: 'Links to sideload.' },
        ],
        responses: { '200': { description: 'The record(s).', schema: envelopeSchema(def, true) }, '404': { description: 'No such record.', schema: { $ref: '#/definitions/Error' } }, ...errorResponses },
        security: [{ oauth2: [def.scope] }],
      },
    };
  }
  paths['/rest/files/{fileId}'] = {
    get: {
      operationId: 'DownloadFilePart',
      summary: 'Download a file part',
      description: 'Raw bytes of one 5 MB part of a document (actiondocuments.file). The id contains "::" and ";" that must not be percent-encoded.',
      produces: ['application/octet-stream'],
      parameters: [
        { name: 'fileId', in: 'path', required: true, type: 'string', 'x-ms-summary': 'File id', 'x-ms-url-encoding': 'single', description: 'e.g. DL::Actions::15::127' },
        { name: 'part_number', in: 'query', required: true, type: 'integer', minimum: 1, default: 1, 'x-ms-summary': 'Part number', description: '1-based, 5 MB parts.' },
      ],
      responses: { '200': { description: 'The bytes of the part.', schema: { type: 'string', format: 'binary' } }, ...errorResponses },
      security: [{ oauth2: ['files'] }],
    },
  };
  const scopes: Record<string, string> = { all: 'Everything the signed-in user can see (Actionstep wildcard).', files: 'Document file contents.' };
  for (const name of RESOURCE_NAMES) scopes[RESOURCES[name].scope] ??= `Read ${name}.`;
  return {
    swagger: '2.0',
    info: {
      title: 'Actionstep',
      description: 'Read an Actionstep practice (matters, participants, roles, data collections, time, billing, documents; the trust ledger is an exported report file, not an API) for migration to Dynamics 365. Generated from connectors/actionstep/src/resources.ts.',
      version: '1.0',
      contact: { name: 'Actionstep migration' },
    },
    host: DEFAULT_API_HOST,
    basePath: '/api',
    schemes: ['https'],
    consumes: ['application/vnd.api+json'],
    produces: ['application/vnd.api+json', 'application/json'],
    paths,
    definitions,
    parameters: {},
    responses: {},
    securityDefinitions: {
      oauth2: { type: 'oauth2', flow: 'accessCode', authorizationUrl: ACTIONSTEP_AUTHORIZE_URL, tokenUrl: ACTIONSTEP_TOKEN_URL, scopes },
    },
    security: [{ oauth2: ['all'] }],
    tags: [],
    'x-ms-connector-metadata': [
      { propertyName: 'Website', propertyValue: 'https://www.actionstep.com' },
      { propertyName: 'Privacy policy', propertyValue: 'https://www.actionstep.com/privacy-policy/' },
      { propertyName: 'Categories', propertyValue: 'Productivity;Data' },
    ],
  };
}

export function generateApiProperties(): Json {
  return {
    properties: {
      connectionParameters: {
        token: {
          type: 'oauthSetting',
          oAuthSettings: {
            identityProvider: 'oauth2',
            // Issued per integration by Actionstep support, so it is a setting of the solution: the environment variable
            // astep_ActionstepClientId (solution connectors may reference environment variables in their OAuth
            // settings as @environmentVariables("<schema name>"): learn.microsoft.com "Use environment variables in
            // solution custom connectors"; microsoft/PowerPlatformConnectors#4010 shows the same syntax for the secret).
            // The client secret is entered on the connector after import and never ships.
            clientId: '@environmentVariables("astep_ActionstepClientId")',
            scopes: ['all'],
            // Power Platform assigns a redirect URL per connector; register it with Actionstep for this client id.
            redirectMode: 'GlobalPerConnector',
            properties: { IsFirstParty: 'False', IsOnbehalfofLoginSupported: false },
            customParameters: {
              authorizationUrl: { value: ACTIONSTEP_AUTHORIZE_URL },
              tokenUrl: { value: ACTIONSTEP_TOKEN_URL },
              refreshUrl: { value: ACTIONSTEP_TOKEN_URL },
            },
          },
          uiDefinition: {
            displayName: 'Sign in with Actionstep',
            description: 'Sign in as an Actionstep user who can see every matter to migrate (restricted matters are visible only to their creator and nominated users).',
            tooltip: 'Actionstep login',
            constraints: { required: 'true' },
          },
        },
        apiHost: {
          type: 'string',
          uiDefinition: {
            displayName: 'Actionstep API host',
            description: 'Host of your org\'s api_endpoint, e.g. ap-southeast-2.actionstep.com (Actionstep serves each org from its own region).',
            tooltip: 'The host part of api_endpoint',
            constraints: { required: 'true', tabIndex: 2 },
          },
        },
      },
      iconBrandColor: ICON_BRAND_COLOR,
      capabilities: ['actions'],
      policyTemplateInstances: [
        {
          templateId: 'dynamichosturl',
          title: 'Actionstep org host',
          parameters: { 'x-ms-apimTemplateParameter.urlTemplate': "https://@connectionParameters('apiHost')/api" },
        },
      ],
      publisher: 'Actionstep Migration',
      stackOwner: 'Actionstep',
    },
  };
}

/** The two files exactly as committed (2-space JSON, trailing newline). */
export function renderConnectorFiles(): { 'apiDefinition.swagger.json': string; 'apiProperties.json': string } {
  return {
    'apiDefinition.swagger.json': `${JSON.stringify(generateApiDefinition(), null, 2)}\n`,
    'apiProperties.json': `${JSON.stringify(generateApiProperties(), null, 2)}\n`,
  };
}
