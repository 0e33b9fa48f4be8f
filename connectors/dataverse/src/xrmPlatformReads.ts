/// <reference types="xrm" />
// What browser code reads from the platform's own tables inside Dynamics, typed (early-bound) through dataverse-ify
// over Xrm.WebApi: environment variables as an org stores them (a definition row, and a value row when an admin set a
// current value), the custom connector's platform-assigned API name, the signed-in user's sign-in name; and, through
// the Web API, the org's Power Platform environment.
import type { XrmContextDataverseClient } from 'dataverse-ify/lib/dataverse-ify/DataverseClient/XrmContextDataverseClient';
import type { Connector, EnvironmentVariableDefinition, EnvironmentVariableValue, SystemUser } from '@astep/solution/generated/earlyBound';
import { odataString } from './xrmRecords';

export interface EnvironmentVariableReading {
  schemaName: string;
  /** The definition's display name as the admin sees it in the solution (the schema name when there is none). */
  displayName: string;
  /** A definition row exists (the solution was imported with it). */
  defined: boolean;
  /** The current value when one is set and not blank, else the default value, else null. */
  value: string | null;
  source: 'current' | 'default' | 'none';
}

/**
 * Environment variables by schema name. An org keeps each variable as an environmentvariabledefinition row (type,
 * default value) and, once an admin sets a current value, an environmentvariablevalue row that "holds the value for
 * the associated EnvironmentVariableDefinition" (learn.microsoft.com power-apps/developer/data-platform/reference/
 * entities/environmentvariabledefinition and .../environmentvariablevalue); the current value wins over the default.
 * A value row whose value is blank counts as not set (harsher than taking the blank: the setting is then reported).
 */
export async function readEnvironmentVariables(records: XrmContextDataverseClient, schemaNames: readonly string[]): Promise<Map<string, EnvironmentVariableReading>> {
  const byName = new Map<string, EnvironmentVariableReading>(schemaNames.map((s) => [s.toLowerCase(), { schemaName: s, displayName: s, defined: false, value: null, source: 'none' }]));
  if (!schemaNames.length) return byName;
  const defs = await records.retrieveMultiple<EnvironmentVariableDefinition>(
    `?$select=environmentvariabledefinitionid,schemaname,displayname,defaultvalue&$filter=${schemaNames.map((s) => `schemaname eq ${odataString(s)}`).join(' or ')}`,
    { logicalName: 'environmentvariabledefinition' },
  );
  const byDefinitionId = new Map<string, EnvironmentVariableReading>();
  for (const d of defs.entities) {
    const reading = byName.get((d.schemaname ?? '').toLowerCase());
    if (!reading || !d.environmentvariabledefinitionid) continue;
    reading.defined = true;
    reading.displayName = d.displayname || reading.schemaName;
    if (notBlank(d.defaultvalue)) Object.assign(reading, { value: d.defaultvalue, source: 'default' });
    byDefinitionId.set(d.environmentvariabledefinitionid.toLowerCase(), reading);
  }
  if (byDefinitionId.size) {
    const values = await records.retrieveMultiple<EnvironmentVariableValue>(
      `?$select=value,_environmentvariabledefinitionid_value&$filter=${[...byDefinitionId.keys()].map((id) => `_environmentvariabledefinitionid_value eq ${id}`).join(' or ')}`,
      { logicalName: 'environmentvariablevalue' },
    );
    for (const v of values.entities) {
      // dataverse-ify turns the lookup (with the lookuplogicalname annotation Xrm.WebApi asks for) into a reference.
      const reading = byDefinitionId.get(String(v.environmentvariabledefinitionid?.id ?? '').replace(/[{}]/g, '').toLowerCase());
      if (reading && notBlank(v.value)) Object.assign(reading, { value: v.value, source: 'current' });
    }
  }
  return byName;
}

/**
 * The API name the platform assigned to a custom connector of a solution in this environment (connector.
 * connectorinternalid, e.g. `shared_astep-5factionstep-5f…`): the connections API and the runtime address the
 * connector by it, and it differs per environment, so it is read, never derived from the connector's name.
 */
export async function connectorInternalId(records: XrmContextDataverseClient, connectorName: string): Promise<string | null> {
  const page = await records.retrieveMultiple<Connector>(`?$select=name,connectorinternalid&$filter=name eq ${odataString(connectorName)}`, { logicalName: 'connector' });
  return page.entities.find((c) => c.connectorinternalid)?.connectorinternalid ?? null;
}

/** The user's sign-in name (systemuser.domainname: the UPN in an Entra-backed org), the wizard's login hint. */
export async function userSignInName(records: XrmContextDataverseClient, systemUserId: string): Promise<string | null> {
  const user = await records.retrieve<SystemUser>('systemuser', systemUserId.replace(/[{}]/g, ''), ['domainname']);
  return user.domainname || null;
}

export interface CurrentEnvironment {
  environmentId: string;
  tenantId: string;
}

/**
 * The org's Power Platform environment and Entra tenant: RetrieveCurrentOrganization's OrganizationDetail
 * (EnvironmentId, TenantId; learn.microsoft.com power-apps/developer/data-platform/webapi/reference/
 * retrievecurrentorganization and .../organizationdetail). A function, not a table: read through the Web API.
 */
export async function currentEnvironment(webApi: { get<T>(path: string): Promise<T> }): Promise<CurrentEnvironment> {
  const r = await webApi.get<{ Detail?: { EnvironmentId?: unknown; TenantId?: unknown } }>("RetrieveCurrentOrganization(AccessType=@p1)?@p1=Microsoft.Dynamics.CRM.EndpointAccessType'Default'");
  const environmentId = typeof r.Detail?.EnvironmentId === 'string' ? r.Detail.EnvironmentId : '';
  const tenantId = typeof r.Detail?.TenantId === 'string' ? r.Detail.TenantId : '';
  if (!environmentId) throw new Error('RetrieveCurrentOrganization did not name the Power Platform environment of this org (Detail.EnvironmentId).');
  return { environmentId, tenantId };
}

function notBlank(v: string | null | undefined): v is string {
  return typeof v === 'string' && v.trim() !== '';
}
