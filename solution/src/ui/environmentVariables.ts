// Settings the engine reads inside Dynamics (environment variables; admins set values per environment).
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
  {
    schemaName: 'astep_FallbackOwnerEmail',
    displayName: 'Fallback Owner Email',
    description: 'Email of the enabled Dynamics user who owns records whose Actionstep user is disabled or unmatched.',
    type: 'String',
    isRequired: false,
  },
  {
    schemaName: 'astep_OpportunityStrategy',
    displayName: 'Opportunity Strategy',
    description: 'none | perMatter | perClientLatest | perClientHighestValue: which matters become opportunities.',
    type: 'String',
    defaultValue: 'none',
    isRequired: true,
  },
  {
    schemaName: 'astep_SampleSize',
    displayName: 'Sample Size',
    description: 'Records migrated by the sample step (100 to 300).',
    type: 'Number',
    defaultValue: '200',
    isRequired: true,
  },
  {
    schemaName: 'astep_MatterStatusMap',
    displayName: 'Matter Status Map',
    description: 'JSON object mapping Actionstep matter statuses to Matter Status labels and opportunity outcomes.',
    type: 'JSON',
    defaultValue: '{"Active":"Active","Inactive":"Inactive","Closed":{"status":"Closed","opportunity":"won"}}',
    isRequired: false,
  },
];

export const ENV_VAR_TYPE_CODE: Record<EnvironmentVariableDef['type'], number> = {
  String: 100000000,
  Number: 100000001,
  Boolean: 100000002,
  JSON: 100000003,
};
