// Settings the engine reads inside Dynamics (environment variables; admins set values per environment). The plan
// options' variables are generated from the orchestrator's options vocabulary: the same names, values and defaults
// as the engine and the command line's config.
import { OPTION_SETTINGS, settingDefault } from '@astep/orchestrator/options';
import type { EnvironmentVariableDef } from './types';

export const ENVIRONMENT_VARIABLES: EnvironmentVariableDef[] = [
  {
    schemaName: 'astep_ActionstepApiBaseUrl',
    displayName: 'Actionstep API Base URL',
    description: "Actionstep REST API base URL of the firm's region (the token response's api_endpoint).",
    type: 'String',
    defaultValue: 'https://api.actionstep.com/api/rest',
    isRequired: true,
  },
  // An option left unset follows the plan (its recommendation for the firm, or the engine's default).
  ...OPTION_SETTINGS.map((s): EnvironmentVariableDef => ({
    schemaName: s.schemaName, displayName: s.displayName, description: s.description, type: s.type, defaultValue: settingDefault(s), isRequired: false,
  })),
];

// ---- Connection and identity: what the Mapping Wizard signs in with and where the Power Platform is (issue 15). ----
// Read by the wizard when it starts (pcf-controls/MappingWizard/MappingWizard/wizardSettings.ts); a missing or invalid
// value is shown by its display name and nothing else runs until it is set.
export const CONNECTION_VARIABLES = {
  entraClientId: 'astep_EntraClientId',
  entraTenantId: 'astep_EntraTenantId',
  powerAppsApiUrl: 'astep_PowerAppsApiUrl',
  connectorRuntimeHost: 'astep_ConnectorRuntimeHost',
  connectorName: 'astep_ConnectorName',
  actionstepClientId: 'astep_ActionstepClientId',
  fallbackOwnerEmail: 'astep_FallbackOwnerEmail',
} as const;

ENVIRONMENT_VARIABLES.push(
  {
    schemaName: CONNECTION_VARIABLES.entraClientId,
    displayName: 'Entra App (Client) ID',
    description: 'Application (client) ID of the Entra ID app registration the Mapping Wizard signs in with: a single-page application whose redirect URI is this org\'s /WebResources/astep_/html/SignInRedirect.html, with delegated permissions to PowerApps Service and Azure API Connections.',
    type: 'String',
    isRequired: true,
  },
  {
    schemaName: CONNECTION_VARIABLES.entraTenantId,
    displayName: 'Entra Tenant ID',
    description: "Directory (tenant) ID of the organisation's Entra ID (a GUID, or a verified domain such as firm.onmicrosoft.com).",
    type: 'String',
    isRequired: true,
  },
  {
    schemaName: CONNECTION_VARIABLES.powerAppsApiUrl,
    displayName: 'Power Apps API URL',
    description: 'The Power Platform connections API the wizard creates the Actionstep connection with (public cloud: https://api.powerapps.com).',
    type: 'String',
    defaultValue: 'https://api.powerapps.com',
    isRequired: true,
  },
  {
    schemaName: CONNECTION_VARIABLES.connectorRuntimeHost,
    displayName: 'Connector Runtime Host',
    description: 'The wizard sends Actionstep calls only to a connector runtime on this host or its subdomains (public cloud: azure-apim.net).',
    type: 'String',
    defaultValue: 'azure-apim.net',
    isRequired: true,
  },
  {
    schemaName: CONNECTION_VARIABLES.connectorName,
    displayName: 'Actionstep Connector Name',
    description: 'Name of the Actionstep custom connector in this solution; the wizard reads the API name the platform assigned to it in this environment.',
    type: 'String',
    defaultValue: 'astep_actionstep',
    isRequired: true,
  },
  {
    schemaName: CONNECTION_VARIABLES.actionstepClientId,
    displayName: 'Actionstep Client ID',
    description: "Client id Actionstep issued for this integration; the Actionstep connector's OAuth settings read it (@environmentVariables). Its client secret is entered on the connector's Security tab after import.",
    type: 'String',
    isRequired: true,
  },
);

export const ENV_VAR_TYPE_CODE: Record<EnvironmentVariableDef['type'], number> = {
  String: 100000000,
  Number: 100000001,
  Boolean: 100000002,
  JSON: 100000003,
};
