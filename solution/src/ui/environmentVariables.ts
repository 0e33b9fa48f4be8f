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

export const ENV_VAR_TYPE_CODE: Record<EnvironmentVariableDef['type'], number> = {
  String: 100000000,
  Number: 100000001,
  Boolean: 100000002,
  JSON: 100000003,
};
