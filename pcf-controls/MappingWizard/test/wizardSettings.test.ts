// The wizard's settings check: every environment variable it needs, read from Dataverse, is checked at once; a
// problem names the variable by its display name and says what is wrong; the connector's API name and the
// environment come from the platform, never from the host.
import type { EnvironmentVariableReading } from '@astep/dataverse-connector/xrmPlatformReads';
import { CONNECTION_VARIABLES } from '@astep/solution/ui/environmentVariables';
import { ENVIRONMENT_VARIABLES } from '@astep/solution/ui/environmentVariables';
import { checkSettings, WIZARD_VARIABLES, type PlatformFacts } from '../MappingWizard/wizardSettings';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const GOOD: Record<string, string | null> = {
  [CONNECTION_VARIABLES.entraClientId]: '0f2b8a51-3c7e-4d15-9a53-6e1d2b7c4f80',
  [CONNECTION_VARIABLES.entraTenantId]: TENANT,
  [CONNECTION_VARIABLES.powerAppsApiUrl]: 'https://api.powerapps.com/',
  [CONNECTION_VARIABLES.connectorRuntimeHost]: 'azure-apim.net',
  [CONNECTION_VARIABLES.connectorName]: 'astep_actionstep',
  [CONNECTION_VARIABLES.actionstepClientId]: 'firm-integration',
  [CONNECTION_VARIABLES.fallbackOwnerEmail]: null,
};

function readings(values: Record<string, string | null>, undefinedNames: string[] = []): Map<string, EnvironmentVariableReading> {
  return new Map(WIZARD_VARIABLES.map((name) => {
    const def = ENVIRONMENT_VARIABLES.find((v) => v.schemaName === name)!;
    const value = values[name] ?? null;
    return [name.toLowerCase(), { schemaName: name, displayName: def.displayName, defined: !undefinedNames.includes(name), value, source: value ? 'current' : 'none' }];
  }));
}

const platform = (apiName: string | null = 'shared_astep-5factionstep-5f0123456789abcdef'): PlatformFacts => ({
  connectorApiName: async (name) => (name === 'astep_actionstep' ? apiName : null), environmentId: 'Default-' + TENANT, tenantId: TENANT,
});

test('good values give the settings, with the API name and environment the platform assigned', async () => {
  const r = await checkSettings(readings(GOOD), platform());
  expect(r).toEqual({
    ok: true,
    settings: {
      entraClientId: GOOD[CONNECTION_VARIABLES.entraClientId], entraTenantId: TENANT, powerAppsApiUrl: 'https://api.powerapps.com',
      connectorRuntimeHost: 'azure-apim.net', connectorApiName: 'shared_astep-5factionstep-5f0123456789abcdef', environmentId: `Default-${TENANT}`, fallbackOwnerEmail: null,
    },
  });
});

test('every problem at once, each by display name', async () => {
  const r = await checkSettings(readings({
    ...GOOD,
    [CONNECTION_VARIABLES.entraClientId]: null,
    [CONNECTION_VARIABLES.entraTenantId]: 'not a tenant',
    [CONNECTION_VARIABLES.powerAppsApiUrl]: 'http://api.powerapps.com',
    [CONNECTION_VARIABLES.connectorRuntimeHost]: 'https://azure-apim.net/',
    [CONNECTION_VARIABLES.fallbackOwnerEmail]: 'owner-at-firm',
  }, [CONNECTION_VARIABLES.actionstepClientId]), platform());
  expect(r.ok).toBe(false);
  expect(!r.ok && r.problems.map((p) => [p.displayName, p.kind])).toEqual([
    ['Entra App (Client) ID', 'missing'],
    ['Entra Tenant ID', 'notTenant'],
    ['Power Apps API URL', 'notUrl'],
    ['Connector Runtime Host', 'notHost'],
    ['Actionstep Client ID', 'notDefined'],
    ['Fallback Owner Email', 'notEmail'],
  ]);
});

test('plain http only for a loopback host; a tenant other than the org\'s and a connector not in the environment are problems', async () => {
  const local = await checkSettings(readings({ ...GOOD, [CONNECTION_VARIABLES.powerAppsApiUrl]: 'http://127.0.0.1:5123' }), platform());
  expect(local.ok).toBe(true);
  const other = await checkSettings(readings({ ...GOOD, [CONNECTION_VARIABLES.entraTenantId]: '11111111-2222-4333-8444-555555555555' }), platform());
  expect(!other.ok && other.problems).toEqual([expect.objectContaining({ displayName: 'Entra Tenant ID', kind: 'otherTenant', detail: TENANT })]);
  const noConnector = await checkSettings(readings(GOOD), platform(null));
  expect(!noConnector.ok && noConnector.problems).toEqual([expect.objectContaining({ displayName: 'Actionstep Connector Name', kind: 'noConnector', detail: 'astep_actionstep' })]);
  // A verified domain is a valid tenant too.
  expect((await checkSettings(readings({ ...GOOD, [CONNECTION_VARIABLES.entraTenantId]: 'firm.onmicrosoft.com' }), platform())).ok).toBe(true);
});
