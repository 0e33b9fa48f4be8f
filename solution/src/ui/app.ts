// The model-driven app "Actionstep Migration" and its site map.
import type { AppDef } from './types';

export const APP_UNIQUE_NAME = 'astep_ActionstepMigration';

export const APP: AppDef = {
  uniqueName: APP_UNIQUE_NAME,
  displayName: 'Actionstep Migration',
  description: 'Plan, run, verify and roll back the move from Actionstep; see migrated matters and participants.',
  areaId: 'astep_area_migration',
  areaTitle: 'Actionstep Migration',
  groups: [
    {
      id: 'astep_grp_migration',
      title: 'Migration',
      subAreas: [
        { id: 'astep_sub_runs', entity: 'astep_migrationrun' },
        { id: 'astep_sub_staging', entity: 'astep_stagingrow' },
        { id: 'astep_sub_audit', entity: 'astep_auditentry' },
      ],
    },
    {
      id: 'astep_grp_actionstep',
      title: 'Actionstep Data',
      subAreas: [
        { id: 'astep_sub_matters', entity: 'astep_matter' },
        { id: 'astep_sub_participants', entity: 'astep_matterparticipant' },
        { id: 'astep_sub_time', entity: 'astep_timeentry' },
        { id: 'astep_sub_documents', entity: 'astep_document' },
        { id: 'astep_sub_steps', entity: 'astep_step' },
      ],
    },
    {
      id: 'astep_grp_customers',
      title: 'Customers',
      subAreas: [
        { id: 'astep_sub_accounts', entity: 'account' },
        { id: 'astep_sub_contacts', entity: 'contact' },
        { id: 'astep_sub_opportunities', entity: 'opportunity' },
        { id: 'astep_sub_tasks', entity: 'task' },
      ],
    },
  ],
};
