// The wizard's settings, read when it starts from the environment variables the solution ships (and the admin sets
// in Power Apps), plus what the platform assigned: the connector's API name and the org's environment. A missing or
// invalid value becomes a problem shown by the variable's display name with what to set; nothing else runs until
// every problem is solved. Nothing here comes from the host page.
import type { EnvironmentVariableReading } from '@astep/dataverse-connector/xrmPlatformReads';
import { CONNECTION_VARIABLES } from '@astep/solution/ui/environmentVariables';

export interface WizardSettings {
  entraClientId: string;
  entraTenantId: string;
  /** The connections API base URL (api.powerapps.com in the public cloud). */
  powerAppsApiUrl: string;
  /** The only host (or parent domain) the connector runtime URL may be on. */
  connectorRuntimeHost: string;
  /** The connector's API name the platform assigned in this environment. */
  connectorApiName: string;
  environmentId: string;
  fallbackOwnerEmail: string | null;
}

export const SETTING_PROBLEM_KINDS = ['notDefined', 'missing', 'notGuid', 'notTenant', 'notUrl', 'notHost', 'notEmail', 'noConnector', 'otherTenant'] as const;
export type SettingProblemKind = (typeof SETTING_PROBLEM_KINDS)[number];

export interface SettingProblem {
  schemaName: string;
  displayName: string;
  kind: SettingProblemKind;
  /** The value as read (never a secret: none of these variables holds one). */
  value: string | null;
  /** For noConnector: the connector name looked up; for otherTenant: the org's tenant. */
  detail?: string;
}

export type SettingsResult = { ok: true; settings: WizardSettings } | { ok: false; problems: SettingProblem[] };

/** Every variable the wizard reads. */
export const WIZARD_VARIABLES = Object.values(CONNECTION_VARIABLES);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const HOST = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** https, or http on a loopback host only (a developer's stand-in; tokens never go to plain http elsewhere). */
function isServiceUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))) && !u.search && !u.hash && !u.username;
  } catch {
    return false;
  }
}

export interface PlatformFacts {
  /** connector.connectorinternalid of the connector named by the setting, or null when there is none. */
  connectorApiName: (connectorName: string) => Promise<string | null>;
  environmentId: string;
  /** The org's Entra tenant (RetrieveCurrentOrganization), '' when unknown. */
  tenantId: string;
}

/** Checks the variables read from Dataverse and the platform facts; returns the settings or every problem at once. */
export async function checkSettings(read: Map<string, EnvironmentVariableReading>, platform: PlatformFacts): Promise<SettingsResult> {
  const problems: SettingProblem[] = [];
  const get = (schemaName: string, required: boolean, valid: (v: string) => SettingProblemKind | null): string | null => {
    const r = read.get(schemaName.toLowerCase()) ?? { schemaName, displayName: schemaName, defined: false, value: null, source: 'none' as const };
    const problem = (kind: SettingProblemKind, detail?: string) => problems.push({ schemaName, displayName: r.displayName, kind, value: r.value, ...(detail ? { detail } : {}) });
    if (!r.defined) {
      problem('notDefined');
      return null;
    }
    const value = r.value?.trim() ?? null;
    if (!value) {
      if (required) problem('missing');
      return null;
    }
    const kind = valid(value);
    if (kind) {
      problem(kind);
      return null;
    }
    return value;
  };
  const v = CONNECTION_VARIABLES;
  const clientId = get(v.entraClientId, true, (x) => (GUID.test(x) ? null : 'notGuid'));
  const tenant = get(v.entraTenantId, true, (x) => (GUID.test(x) || DOMAIN.test(x) ? null : 'notTenant'));
  const apiUrl = get(v.powerAppsApiUrl, true, (x) => (isServiceUrl(x) ? null : 'notUrl'));
  const runtimeHost = get(v.connectorRuntimeHost, true, (x) => (HOST.test(x) ? null : 'notHost'));
  const connectorName = get(v.connectorName, true, () => null);
  // The wizard does not use it, but the connector's OAuth settings do: without it the Actionstep sign-in fails there.
  get(v.actionstepClientId, true, () => null);
  const fallbackOwner = get(v.fallbackOwnerEmail, false, (x) => (EMAIL.test(x) ? null : 'notEmail'));

  // Signing in to another tenant than the org's would give tokens the org's Power Platform refuses.
  if (tenant && GUID.test(tenant) && platform.tenantId && tenant.toLowerCase() !== platform.tenantId.toLowerCase()) {
    const r = read.get(v.entraTenantId.toLowerCase())!;
    problems.push({ schemaName: v.entraTenantId, displayName: r.displayName, kind: 'otherTenant', value: tenant, detail: platform.tenantId });
  }
  let apiName: string | null = null;
  if (connectorName) {
    apiName = await platform.connectorApiName(connectorName);
    if (!apiName) {
      const r = read.get(v.connectorName.toLowerCase())!;
      problems.push({ schemaName: v.connectorName, displayName: r.displayName, kind: 'noConnector', value: connectorName, detail: connectorName });
    }
  }
  if (problems.length || !clientId || !tenant || !apiUrl || !runtimeHost || !apiName) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      entraClientId: clientId, entraTenantId: tenant, powerAppsApiUrl: apiUrl.replace(/\/+$/, ''), connectorRuntimeHost: runtimeHost.toLowerCase(),
      connectorApiName: apiName, environmentId: platform.environmentId, fallbackOwnerEmail: fallbackOwner,
    },
  };
}
