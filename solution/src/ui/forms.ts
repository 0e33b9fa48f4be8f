// Forms: the Migration Run main form (with places for the two PCF controls) and an "Actionstep" main form on
// account, contact and opportunity.
//
// Why new forms on the standard tables instead of sections added to their existing main forms: a main form
// travels in a solution as the whole form. Shipping the platform's account form would overwrite whatever the firm
// changed on it when the unmanaged package is imported, and a managed form diff has to name the target form's tab
// ids, which differ between the Sales Hub and classic forms. A separate main form leaves theirs untouched; users pick
// it in the form selector, and the app below lists it.
import { stableGuid } from '../pack/xml';
import type { FormDef } from './types';
import { VIEW_IDS } from './views';

export const MAPPING_WIZARD_CONTROL = 'astep_Astep.MappingWizard';
export const DIFF_VIEWER_CONTROL = 'astep_Astep.DiffViewer';

export const FORM_IDS = {
  migrationRun: stableGuid('form:astep_migrationrun:main'),
  account: stableGuid('form:account:actionstep'),
  contact: stableGuid('form:contact:actionstep'),
  opportunity: stableGuid('form:opportunity:actionstep'),
};

export const FORMS: FormDef[] = [
  {
    id: FORM_IDS.migrationRun,
    table: 'astep_migrationrun',
    name: 'Migration Run',
    description: 'Plan, map, sample, run and roll back one Actionstep migration.',
    tabs: [
      {
        name: 'tab_plan',
        label: 'Plan',
        sections: [
          {
            name: 'sec_run',
            label: 'Run',
            cells: [
              { kind: 'field', field: 'astep_name' },
              { kind: 'field', field: 'astep_runid' },
              { kind: 'field', field: 'astep_status' },
              { kind: 'field', field: 'astep_currentstep' },
              { kind: 'field', field: 'astep_startedon' },
              { kind: 'field', field: 'astep_completedon' },
            ],
          },
          { name: 'sec_plan', label: 'Data Migration Plan', cells: [{ kind: 'field', field: 'astep_planjson' }] },
        ],
      },
      {
        name: 'tab_mapping',
        label: 'Mapping Wizard',
        sections: [
          {
            name: 'sec_mappingwizard',
            label: 'Mapping Wizard',
            cells: [
              // The wizard keeps its state on the run (a reload resumes; "Start run" leaves its request there) and
              // needs the run id for the engine: the further bound properties of its manifest. The packer binds only
              // those the built manifest declares and reports the others; the shipped-zips test fails when the
              // manifest declares one this list does not map.
              {
                kind: 'pcf', field: 'astep_mappingjson', label: 'Field Map', control: MAPPING_WIZARD_CONTROL,
                extraBindings: { wizardState: 'astep_wizardstate', runId: 'astep_runid' },
              },
            ],
          },
        ],
      },
      {
        name: 'tab_diff',
        label: 'Sample Diff',
        sections: [
          {
            name: 'sec_diffviewer',
            label: 'Sample Diff',
            cells: [
              // The review's decisions (accept / correct / approve) go back to the run through a second bound field.
              { kind: 'pcf', field: 'astep_diffjson', label: 'Sample Diff', control: DIFF_VIEWER_CONTROL, extraBindings: { wizardState: 'astep_wizardstate' } },
              { kind: 'field', field: 'astep_approvedon' },
              { kind: 'field', field: 'astep_approvedby' },
            ],
          },
        ],
      },
      {
        name: 'tab_progress',
        label: 'Progress',
        sections: [
          {
            name: 'sec_progress',
            label: 'Progress',
            cells: [
              { kind: 'field', field: 'astep_extractionstartedon' },
              { kind: 'field', field: 'astep_summaryjson' },
            ],
          },
          {
            name: 'sec_errors',
            label: 'Staging Rows With Errors',
            cells: [
              {
                kind: 'subgrid',
                name: 'sub_stagingerrors',
                label: 'Staging Rows With Errors',
                targetEntity: 'astep_stagingrow',
                relationship: 'astep_astep_migrationrun_astep_stagingrow_migrationrunid',
                viewId: VIEW_IDS.stagingErrors,
              },
            ],
          },
        ],
      },
      {
        name: 'tab_audit',
        label: 'Audit',
        sections: [
          {
            name: 'sec_audit',
            label: 'Audit Entries',
            cells: [
              {
                kind: 'subgrid',
                name: 'sub_auditentries',
                label: 'Audit Entries',
                targetEntity: 'astep_auditentry',
                relationship: 'astep_astep_migrationrun_astep_auditentry_migrationrunid',
                viewId: VIEW_IDS.auditOfRun,
                rows: 10,
              },
              { kind: 'field', field: 'astep_rolledbackon' },
            ],
          },
        ],
      },
    ],
  },
  {
    id: FORM_IDS.account,
    table: 'account',
    name: 'Account (Actionstep)',
    description: 'The account with its Actionstep matter, roles, trust and billing.',
    scripts: [{ library: 'astep_/js/AccountForm.js', onLoad: 'Astep.AccountForm.onLoad' }],
    tabs: [
      {
        name: 'tab_actionstep',
        label: 'Actionstep',
        sections: [
          { name: 'sec_account', label: 'Account', cells: [{ kind: 'field', field: 'name' }] },
          {
            name: 'sec_matter',
            label: 'Matter',
            cells: [
              { kind: 'field', field: 'astep_mattername' },
              { kind: 'field', field: 'astep_matternumber' },
              { kind: 'field', field: 'astep_mattertype' },
              { kind: 'field', field: 'astep_matterstatus' },
              { kind: 'field', field: 'astep_sourceid' },
              { kind: 'field', field: 'astep_createdbyuserid' },
            ],
          },
          {
            name: 'sec_roles',
            label: 'Roles',
            cells: [
              {
                kind: 'subgrid',
                name: 'sub_participants',
                label: 'Matter Participants',
                targetEntity: 'astep_matterparticipant',
                relationship: 'astep_account_astep_matterparticipant_accountid',
                viewId: VIEW_IDS.participantsOfContact,
              },
            ],
          },
          {
            name: 'sec_trust',
            label: 'Trust',
            cells: [
              { kind: 'field', field: 'astep_trustbalance' },
              { kind: 'field', field: 'astep_trustin' },
              { kind: 'field', field: 'astep_trustout' },
            ],
          },
          { name: 'sec_billing', label: 'Billing', cells: [{ kind: 'field', field: 'astep_totalbilled' }] },
        ],
      },
    ],
  },
  {
    id: FORM_IDS.contact,
    table: 'contact',
    name: 'Contact (Actionstep)',
    description: 'The contact with the roles the person holds on Actionstep matters.',
    scripts: [{ library: 'astep_/js/ContactForm.js', onLoad: 'Astep.ContactForm.onLoad' }],
    tabs: [
      {
        name: 'tab_actionstep',
        label: 'Actionstep',
        sections: [
          {
            name: 'sec_contact',
            label: 'Contact',
            cells: [
              { kind: 'field', field: 'firstname' },
              { kind: 'field', field: 'lastname' },
            ],
          },
          {
            name: 'sec_roles',
            label: 'Roles',
            cells: [
              { kind: 'field', field: 'astep_participantroles' },
              { kind: 'field', field: 'astep_sourceid' },
              { kind: 'field', field: 'astep_createdbyuserid' },
              {
                kind: 'subgrid',
                name: 'sub_participants',
                label: 'Matter Participants',
                targetEntity: 'astep_matterparticipant',
                relationship: 'astep_contact_astep_matterparticipant_contactid',
                viewId: VIEW_IDS.participantsOfContact,
              },
            ],
          },
        ],
      },
    ],
  },
  {
    id: FORM_IDS.opportunity,
    table: 'opportunity',
    name: 'Opportunity (Actionstep)',
    description: 'The opportunity for an Actionstep matter: number, status and billing.',
    tabs: [
      {
        name: 'tab_actionstep',
        label: 'Actionstep',
        sections: [
          {
            name: 'sec_opportunity',
            label: 'Opportunity',
            cells: [
              { kind: 'field', field: 'name' },
              { kind: 'field', field: 'estimatedvalue', label: 'Billing Total' },
            ],
          },
          {
            name: 'sec_matter',
            label: 'Matter',
            cells: [
              { kind: 'field', field: 'astep_matternumber' },
              { kind: 'field', field: 'astep_matterstatus' },
              { kind: 'field', field: 'astep_sourceid' },
            ],
          },
        ],
      },
    ],
  },
];
