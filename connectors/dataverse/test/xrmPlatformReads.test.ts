/// <reference types="xrm" />
// Reading the platform's rows through dataverse-ify over a Web API shaped as Xrm.WebApi answers (records with their
// annotations): environment variables (definition + value rows, current value over default, blank counts as unset),
// the connector's assigned API name, the user's sign-in name, and the org's environment.
import { connectorInternalId, currentEnvironment, readEnvironmentVariables, userSignInName } from '../src/xrmPlatformReads';
import { xrmRecords } from '../src/xrmRecords';

const DEF = { url: 'b7e0c1d2-0000-4000-8000-0000000000d1', tenant: 'b7e0c1d2-0000-4000-8000-0000000000d2', host: 'b7e0c1d2-0000-4000-8000-0000000000d3' };

function fakeWebApi(tables: Record<string, Array<Record<string, unknown>>>) {
  const calls: Array<[string, string | undefined]> = [];
  const api = {
    async retrieveMultipleRecords(entity: string, options?: string) {
      calls.push([entity, options]);
      return { entities: (tables[entity] ?? []).map((r) => ({ ...r })) };
    },
    async retrieveRecord(entity: string, id: string, options?: string) {
      calls.push([entity, `${id} ${options}`]);
      return { ...(tables[entity] ?? [])[0] };
    },
    createRecord: jest.fn(), updateRecord: jest.fn(), deleteRecord: jest.fn(),
  };
  return { api: api as unknown as Xrm.WebApi, calls };
}

test('environment variables: the current value wins over the default, a blank value counts as unset, a missing definition is said', async () => {
  const { api, calls } = fakeWebApi({
    environmentvariabledefinition: [
      { environmentvariabledefinitionid: DEF.url, schemaname: 'astep_PowerAppsApiUrl', displayname: 'Power Apps API URL', defaultvalue: 'https://api.powerapps.com' },
      { environmentvariabledefinitionid: DEF.tenant, schemaname: 'astep_EntraTenantId', displayname: 'Entra Tenant ID', defaultvalue: null },
      { environmentvariabledefinitionid: DEF.host, schemaname: 'astep_ConnectorRuntimeHost', displayname: 'Connector Runtime Host', defaultvalue: 'azure-apim.net' },
    ],
    environmentvariablevalue: [
      // As Xrm.WebApi returns them: the lookup's value with its annotations.
      { value: 'contoso.onmicrosoft.com', _environmentvariabledefinitionid_value: DEF.tenant, '_environmentvariabledefinitionid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'environmentvariabledefinition' },
      { value: '  ', _environmentvariabledefinitionid_value: DEF.host, '_environmentvariabledefinitionid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'environmentvariabledefinition' },
    ],
  });
  const read = await readEnvironmentVariables(xrmRecords(api), ['astep_PowerAppsApiUrl', 'astep_EntraTenantId', 'astep_ConnectorRuntimeHost', 'astep_EntraClientId']);
  expect(Object.fromEntries([...read.values()].map((r) => [r.schemaName, [r.displayName, r.defined, r.value, r.source]]))).toEqual({
    astep_PowerAppsApiUrl: ['Power Apps API URL', true, 'https://api.powerapps.com', 'default'],
    astep_EntraTenantId: ['Entra Tenant ID', true, 'contoso.onmicrosoft.com', 'current'],
    astep_ConnectorRuntimeHost: ['Connector Runtime Host', true, 'azure-apim.net', 'default'],
    astep_EntraClientId: ['astep_EntraClientId', false, null, 'none'],
  });
  expect(calls[0][1]).toContain("schemaname eq 'astep_PowerAppsApiUrl' or schemaname eq 'astep_EntraTenantId'");
  expect(calls[1][1]).toContain(`_environmentvariabledefinitionid_value eq ${DEF.url}`);
});

test('the connector API name, the user sign-in name and the environment', async () => {
  const { api, calls } = fakeWebApi({
    connector: [{ name: 'astep_actionstep', connectorinternalid: 'shared_astep-5factionstep-5f0123456789abcdef' }],
    systemuser: [{ systemuserid: 'a1', domainname: 'admin@contoso.example' }],
  });
  const records = xrmRecords(api);
  expect(await connectorInternalId(records, "astep_o'actionstep")).toBe('shared_astep-5factionstep-5f0123456789abcdef');
  expect(calls[0][1]).toContain("name eq 'astep_o''actionstep'");
  expect(await userSignInName(records, '{A1}')).toBe('admin@contoso.example');
  const get = jest.fn(async () => ({ Detail: { EnvironmentId: 'env-1', TenantId: 'tid-1' } }));
  expect(await currentEnvironment({ get: get as never })).toEqual({ environmentId: 'env-1', tenantId: 'tid-1' });
  expect(get).toHaveBeenCalledWith("RetrieveCurrentOrganization(AccessType=@p1)?@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Default'");
  await expect(currentEnvironment({ get: (async () => ({ Detail: {} })) as never })).rejects.toThrow(/EnvironmentId/);
});
