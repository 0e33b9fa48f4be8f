// The seed's 13 mappings (and file notes), as the run report counts them: each table mapping says which of them its
// rows count towards (tableMapping.ts CountRule), in this order.
export const SEED_MAPPINGS = [
  'Matter → Account',
  'Matter → Opportunity',
  'Participant → Contact',
  'Participant role → contact roles + astep_matterparticipant',
  'Data collection field → columns',
  'Time entry → astep_timeentry',
  'Document → note attachment / astep_document',
  'Trust balance → account money columns',
  'Step / task → task (+ astep_step)',
  'Matter type → global choice',
  'Matter status → choice / opportunity outcome',
  'Billing total → opportunity amount / astep_totalbilled',
  'User → owner',
  'File note → note with original timestamp',
] as const;

export type SeedMapping = (typeof SEED_MAPPINGS)[number];
