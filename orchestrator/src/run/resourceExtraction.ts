// Extraction that misses nothing silently. The source pages by id (keyset) where it can; pagedExtraction.ts reads the
// pages (spread across sessions, checkpointed per page) and checks each against Actionstep: the count on each page
// and at the end, and the ids staged (a record on two pages means the listing shifted). When anything moved, the
// resource's ids are listed again (here): records deleted meanwhile leave staging, records added meanwhile are read
// by id, and what still differs is a finding by id (an open one: verify fails on it). Offset paging (composite ids)
// can lose a record without any count showing it (one deleted and one added between the same two pages), so those
// resources always get the id listing. Wire values that did not parse are findings too. Staging is read and written
// through the store's asynchronous methods, so the same code stages in SQLite (command line) and in Dataverse (the
// wizard).
import type { ResourceName } from '@astep/actionstep-connector/records';
import { WIRE_KEY, wireValuesOf } from '@astep/actionstep-connector/resources';
import type { ProgressReporter, SourcePort, StagingChange, StateStore } from '../ports';
import type { FindingLog } from './findings';
import { sourceRecordName as recordName } from '../vocabulary/objects';


export const FINDING = {
  duplicate: 'record on two pages',
  deleted: 'deleted in Actionstep during extraction',
  missed: 'not on the pages read',
  unreadable: 'listed but could not be read',
  countDiffers: 'count differs after a second read',
  unparsed: (rule: string) => `value not understood: ${rule}`,
};

/**
 * A record as staged: the normalized record and, under `$wire`, the values Actionstep sent where they differ from it
 * ("1,250.00", "T"), so the sample diff can show every source value as it came.
 */
export function stagedJson(record: unknown): string {
  const wire = wireValuesOf(record);
  return JSON.stringify(wire ? { ...(record as object), [WIRE_KEY]: wire } : record);
}

interface Deps {
  source: SourcePort;
  store: StateStore;
  progress: ProgressReporter;
}

/**
 * Lists the resource's ids and brings staging in line: records deleted meanwhile leave it, records not on the pages
 * read are read by id, each a finding by id. `commit` writes each change with the findings so far (one step: a process
 * killed here resumes with nothing reported twice or lost).
 */
export async function readWhatMoved(deps: Deps, resource: ResourceName, log: FindingLog, commit: (change: StagingChange) => Promise<void> = (change) => deps.store.commitStaging(change)): Promise<void> {
  const { source, store } = deps;
  const now = new Set<string>();
  for await (const ids of source.ids(resource)) for (const id of ids) now.add(id);
  const staged = await store.stagedIdsAsync(resource);
  const stagedSet = new Set(staged);
  const gone = staged.filter((id) => !now.has(id));
  for (const id of gone) log.add(FINDING.deleted, { resource, id, field: null, value: null, message: `${recordName(resource, id)} was read, then deleted in Actionstep before the extraction ended: it is not staged` });
  await commit({ unstage: { resource, ids: gone } });
  const added = [...now].filter((id) => !stagedSet.has(id));
  for (let i = 0; i < added.length; i += 50) {
    const chunk = added.slice(i, i + 50);
    const records = await source.byIds(resource, chunk);
    const read = new Set(records.map((r) => (r as { id: string }).id));
    for (const id of chunk) {
      if (read.has(id)) log.add(FINDING.missed, { resource, id, field: null, value: null, message: `${recordName(resource, id)} was not on the pages read (added meanwhile, or passed over when the listing shifted): read by id and staged` });
      else log.add(FINDING.unreadable, { resource, id, field: null, value: null, message: `${recordName(resource, id)} is listed by Actionstep but reading it by id found nothing: it is not staged` }, true);
    }
    await commit({ stage: records.map((r) => ({ resource, id: (r as { id: string }).id, json: stagedJson(r) })) });
  }
  const finalCount = await source.count(resource);
  const stagedNow = await store.stagedCountAsync(resource);
  if (finalCount !== null && finalCount !== stagedNow) {
    log.add(FINDING.countDiffers, {
      resource, id: null, field: null, value: { actionstep: finalCount, staged: stagedNow },
      message: `Actionstep counts ${finalCount} ${resource} but ${stagedNow} are staged after reading what moved (the firm is still changing): extract again when it is quiet`,
    }, true);
  }
}

/** Resources whose records belong to a matter (their normalized records carry `actionId`). */
const MATTER_CHILDREN: ResourceName[] = ['actionparticipants', 'datacollectionrecords', 'datacollectionrecordvalues', 'timeentries', 'disbursements', 'bills', 'actiondocuments', 'filenotes', 'tasks'];

/**
 * Matters that staged records belong to but the listing left out: Actionstep leaves deleted matters out of its
 * listing, yet returns them by id. Staging them lets every child say "matter 12 is deleted in Actionstep (deleted
 * on ... by ...)" instead of calling the link an orphan. Those it does not return either stay unknown.
 */
export async function stageUnlistedMatters(deps: Deps): Promise<number> {
  const { source, store } = deps;
  const wanted = new Set<string>();
  for (const resource of MATTER_CHILDREN) {
    for await (const page of store.stagedPages(resource)) {
      for (const s of page) {
        const actionId = (JSON.parse(s.json) as { actionId?: string | null }).actionId;
        if (actionId) wanted.add(actionId);
      }
    }
  }
  const listed = new Set(await store.stagedIdsAsync('actions', [...wanted]));
  const missing = [...wanted].filter((id) => !listed.has(id));
  let staged = 0;
  for (let i = 0; i < missing.length; i += 50) {
    const records = await source.byIds('actions', missing.slice(i, i + 50));
    await store.stageAsync(records.map((r) => ({ resource: 'actions', id: r.id, json: stagedJson(r) })));
    staged += records.length;
  }
  if (staged) deps.progress.log(`extract: ${staged} matters that Actionstep does not list (deleted ones) were read by id, so their records say why they do not migrate`);
  return staged;
}
