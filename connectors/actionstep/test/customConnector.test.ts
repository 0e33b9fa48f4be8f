import { readFileSync } from 'node:fs';
import path from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { generateApiDefinition, pascal, renderConnectorFiles } from '../src/customConnector/connectorDefinition';
import { RESOURCE_NAMES } from '../src/resources';

const dir = path.resolve(__dirname, '..');
const committed = (name: string): string => readFileSync(path.join(dir, name), 'utf8');

test('the committed Swagger 2.0 file is valid', async () => {
  const api = await SwaggerParser.validate(JSON.parse(committed('apiDefinition.swagger.json')));
  expect((api as { swagger?: string }).swagger).toBe('2.0');
});

test('the committed files equal what the generator produces from resources.ts now', () => {
  const now = renderConnectorFiles();
  // Stale? Run: npm run generate:connector -w @astep/actionstep-connector
  expect(committed('apiDefinition.swagger.json')).toBe(now['apiDefinition.swagger.json']);
  expect(committed('apiProperties.json')).toBe(now['apiProperties.json']);
});

test('one list and one get operation per resource, with paging capped at 200', () => {
  const def = generateApiDefinition() as { paths: Record<string, { get: { operationId: string; parameters: Array<{ name: string; maximum?: number }> } }> };
  for (const r of RESOURCE_NAMES) {
    expect(def.paths[`/rest/${r}`].get.operationId).toBe(`List${pascal(r)}`);
    expect(def.paths[`/rest/${r}/{id}`].get.operationId).toBe(`Get${pascal(r)}ById`);
    const pageSize = def.paths[`/rest/${r}`].get.parameters.find((p) => p.name === 'pageSize');
    expect(pageSize?.maximum).toBe(200);
  }
  expect(def.paths['/rest/tasks'].get.parameters.map((p) => p.name)).toContain('lastModifiedTimestamp_gteq');
  expect(pascal('datacollectionrecordvalues')).toBe('DataCollectionRecordValues');
});

test('apiProperties: generic OAuth 2 with the three Actionstep URLs', () => {
  const props = JSON.parse(committed('apiProperties.json')).properties;
  const token = props.connectionParameters.token;
  expect(token.type).toBe('oauthSetting');
  expect(token.oAuthSettings.identityProvider).toBe('oauth2');
  expect(token.oAuthSettings.customParameters).toEqual({
    authorizationUrl: { value: 'https://go.actionstep.com/api/oauth/authorize' },
    tokenUrl: { value: 'https://api.actionstep.com/api/oauth/token' },
    refreshUrl: { value: 'https://api.actionstep.com/api/oauth/token' },
  });
  expect(token.oAuthSettings).toHaveProperty('clientId');
  expect(token.oAuthSettings).toHaveProperty('scopes');
  expect(token.oAuthSettings).toHaveProperty('redirectMode');
  for (const k of ['iconBrandColor', 'capabilities', 'publisher', 'stackOwner']) expect(props).toHaveProperty(k);
  expect(JSON.stringify(props)).not.toMatch(/clientSecret|client_secret/);
});
