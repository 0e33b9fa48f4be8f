// Views (saved queries). Filters use option values from the schema, so a renamed label cannot break them.
import { choiceValue } from '../schema';
import { stableGuid } from '../pack/xml';
import type { ViewDef } from './types';

export const VIEW_IDS = {
  activeRuns: stableGuid('view:astep_migrationrun:active'),
  auditOfRun: stableGuid('view:astep_auditentry:ofrun'),
  stagingErrors: stableGuid('view:astep_stagingrow:errors'),
  participantsOfContact: stableGuid('view:astep_matterparticipant:ofcontact'),
};

export const VIEWS: ViewDef[] = [
  {
    id: VIEW_IDS.activeRuns,
    table: 'astep_migrationrun',
    name: 'Active Migration Runs',
    description: 'Migration runs that are not deactivated, newest first.',
    queryType: 0,
    isDefault: true,
    columns: [
      { field: 'astep_name', width: 250 },
      { field: 'astep_runid', width: 150 },
      { field: 'astep_status', width: 150 },
      { field: 'astep_currentstep', width: 120 },
      { field: 'astep_startedon', width: 150 },
      { field: 'astep_completedon', width: 150 },
    ],
    conditions: [{ attribute: 'statecode', operator: 'eq', value: 0 }],
    order: { attribute: 'astep_startedon', descending: true },
  },
  {
    id: VIEW_IDS.auditOfRun,
    table: 'astep_auditentry',
    name: 'Audit Entries of a Run',
    description: 'Operations of one run, in the order they happened (associated view under a Migration Run).',
    queryType: 2,
    isDefault: false,
    columns: [
      { field: 'astep_sequence', width: 90 },
      { field: 'astep_operation', width: 110 },
      { field: 'astep_targettable', width: 150 },
      { field: 'astep_targetid', width: 250 },
      { field: 'astep_sourceid', width: 150 },
      { field: 'astep_errorcode', width: 110 },
      { field: 'astep_occurredon', width: 150 },
    ],
    conditions: [],
    order: { attribute: 'astep_sequence', descending: false },
  },
  {
    id: VIEW_IDS.stagingErrors,
    table: 'astep_stagingrow',
    name: 'Staging Rows with Errors',
    description: 'Staged source records that failed, with the reason.',
    queryType: 0,
    isDefault: false,
    columns: [
      { field: 'astep_name', width: 200 },
      { field: 'astep_resource', width: 130 },
      { field: 'astep_sourceid', width: 150 },
      { field: 'astep_targettable', width: 130 },
      { field: 'astep_message', width: 400 },
    ],
    conditions: [{ attribute: 'astep_stagingstatus', operator: 'eq', value: choiceValue('astep_stagingstatus', 'Failed') }],
    order: { attribute: 'astep_name', descending: false },
  },
  {
    id: VIEW_IDS.participantsOfContact,
    table: 'astep_matterparticipant',
    name: 'Matter Participants of a Contact',
    description: 'Every role a contact holds on every matter (associated view under a Contact).',
    queryType: 2,
    isDefault: false,
    columns: [
      { field: 'astep_matterid', width: 200 },
      { field: 'astep_role', width: 130 },
      { field: 'astep_rolename', width: 160 },
      { field: 'astep_participantnumber', width: 90 },
      { field: 'astep_accountid', width: 200 },
    ],
    conditions: [{ attribute: 'statecode', operator: 'eq', value: 0 }],
    order: { attribute: 'astep_matterid', descending: false },
  },
];
