// The migration's table mappings in load order (parents before children), with the accounting of the source
// records no table mapping turns into rows of their own.
import { ACCOUNT } from './account';
import { ANNOTATION } from './annotation';
import { CONTACT } from './contact';
import { DOCUMENT } from './document';
import { MATTER } from './matter';
import { MATTER_PARTICIPANT } from './matterParticipant';
import { MappingSet } from './mappingSet';
import { OPPORTUNITY } from './opportunity';
import { SOURCES } from './sources';
import { STEP } from './step';
import { TASK } from './task';
import { TIME_ENTRY } from './timeEntry';

export const MAPPINGS = new MappingSet(
  [ACCOUNT, OPPORTUNITY, CONTACT, MATTER, MATTER_PARTICIPANT, TIME_ENTRY, TASK, STEP, DOCUMENT, ANNOTATION],
  SOURCES,
);

export { MappingSet, infoOf } from './mappingSet';
export { mapFirm, recordRef, type Disposition, type MappedFirm } from './mapFirm';
export { FirmLookups, compareMatterAge } from './firmLookups';
export { FirmUnits, type UnitSource, type StagedUnit } from './firmUnits';
export { StagedFirm } from './stagedFirm';
export { PlanLookups } from './planLookups';
export type { MappingLookups } from './lookups';
export type { AccountGroup, MatterTasks, PersonGroup } from './units';
export type { TableMapping, ColumnMapping, LookupMapping, Lifecycle, CloseVia, Feed, RecordFeed, CountRule, SampleCoverage, SampleFacts, Conversion } from './tableMapping';
export type { SourceAccounting } from './sources';
export { SEED_MAPPINGS, type SeedMapping } from './seedMappings';
export { declareColumns, relationshipLookup, platformLookup, lookupAttribute, targetTable, OWNER, BY_SOURCE_MATTER, BY_OWN_KEY, type ColumnSpec } from './declare';
export { setText, matterProblem } from './shared';
