// Names that belong to the engine, not to people: API resource names, logical names of our tables and columns,
// option values and licence keys. A test runs this over what people actually see (the rendered wizard and Diff
// Viewer, report.html, the command line's summary) and fails on any hit. Browser-safe.
import { SOURCE_OBJECTS } from './objects';

/** Resource names that are not also plain English words ("users", "participants", "tasks" are). */
const RESOURCE_NAMES = Object.keys(SOURCE_OBJECTS).filter((r) => !['users', 'steps', 'actions', 'participants', 'tasks', 'bills', 'disbursements'].includes(r));

const OPTION_VALUES = ['matterTable', 'perPerson', 'perRole', 'perMatter', 'perClientLatest', 'perClientHighest', 'wonIfBilled', 'onHold', 'noEmail'];
const OPTION_NAMES = ['dataCollections', 'opportunityStrategy', 'fallbackOwnerEmail', 'skipTemplateMatters', 'skipSystemFileNotes', 'attachDocuments', 'applyDeletions', 'sampleSize', 'statusMap'];
const TIERS = ['SalesProfessional', 'SalesEnterprise', 'SalesPremium'];

const word = (w: string) => `\\b${w}\\b`;
const PATTERN = new RegExp([
  ...[...RESOURCE_NAMES, ...OPTION_VALUES, ...OPTION_NAMES, ...TIERS].map(word),
  // Logical names of our tables and columns (astep_matter, astep_dc_casedetails_court).
  '\\bastep_[a-z0-9_]+',
  // Web API lookup attributes (_ownerid_value).
  '\\b_[a-z0-9]+_value\\b',
  // GUIDs (record ids).
  '\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b',
].join('|'), 'gi');

/** Every internal name in a text, with a little context, for a test's failure message. */
export function findInternalNames(text: string): string[] {
  const hits: string[] = [];
  for (const m of text.matchAll(PATTERN)) {
    const at = m.index ?? 0;
    hits.push(`${m[0]} in "…${text.slice(Math.max(0, at - 40), at + m[0].length + 40).replace(/\s+/g, ' ')}…"`);
  }
  return hits;
}
