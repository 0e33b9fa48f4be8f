// One resource read into staging so that nothing is missed silently. The source pages by id (keyset) where it can;
// for every resource the extraction then checks what it read against Actionstep: the count on each page and at the
// end, and the ids staged (a record on two pages means the listing shifted). When anything moved, the resource's ids
// are listed again: records deleted meanwhile leave staging, records added meanwhile are read by id, and what still
// differs is a finding by id (an open one: verify fails on it). Offset paging (composite ids) can lose a record
// without any count showing it (one deleted and one added between the same two pages), so those resources always
// get the id listing. Wire values that did not parse are findings too.
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { ProgressReporter, SourcePort, StateStore } from '../ports';
import type { FindingLog } from './findings';
import { objectLabel } from '../vocabulary/objects';

/** "Matter participant 2": findings are read by people; the resource's internal name stays in the finding's `resource`. */
const recordName = (resource: string, id: string): string => `${objectLabel(resource, 1)} ${id}`;

export const FINDING = {
  duplicate: 'record on two pages',
  deleted: 'deleted in Actionstep during extraction',
  missed: 'not on the pages read',
  unreadable: 'listed but could not be read',
  countDiffers: 'count differs after a second read',
  unparsed: (rule: string) => `value not understood: ${rule}`,
};

interface Deps {
  source: SourcePort;
  store: StateStore;
  progress: ProgressReporter;
}

/** Stages every record of `resource` (replacing what was staged) and returns how many are staged. */
export async function extractResource(deps: Deps, resource: ResourceName, log: FindingLog): Promise<number> {
  const { source, store, progress } = deps;
  const task = `extract ${resource}`;
  store.clearStaged(resource);
  progress.start(task, 0);
  let firstCount: number | undefined;
  let moved: string | null = null;
  let keyset = true;
  for await (const page of source.pages(resource)) {
    if (page.cursor === undefined) keyset = false;
    const ids = page.map((r) => (r as { id: string }).id);
    if (page.recordCount !== undefined) {
      firstCount ??= page.recordCount;
      if (page.recordCount !== firstCount) moved ??= `Actionstep's count changed from ${firstCount} to ${page.recordCount} while the pages were read`;
    }
    for (const id of store.stagedIds(resource, ids)) {
      log.add(FINDING.duplicate, { resource, id, field: null, value: null, message: `${recordName(resource, id)} came on two pages: the listing shifted while it was read (staged once)` });
      moved ??= `${recordName(resource, id)} came on two pages`;
    }
    for (const i of page.issues ?? []) {
      log.add(FINDING.unparsed(i.rule), {
        resource: i.resource, id: i.id, field: i.field, value: i.value,
        message: `${i.resource} ${i.id ?? '(no id)'}: ${i.field} ${JSON.stringify(i.value)} is not understood (${i.rule}); it was left empty`,
      });
    }
    store.stage(page.map((r, n) => ({ resource, id: ids[n], json: JSON.stringify(r) })));
    progress.tick(task, page.length);
  }
  const staged = store.stagedCount(resource);
  const endCount = await source.count(resource);
  if (endCount !== null && endCount !== staged) moved ??= `Actionstep counts ${endCount} now and ${staged} were read`;
  if (endCount !== null && firstCount !== undefined && endCount !== firstCount) moved ??= `Actionstep's count went from ${firstCount} to ${endCount} while reading`;
  if (moved) progress.log(`${task}: ${moved}; listing its ids to find what moved`);
  if (moved || (!keyset && staged > 0)) await readWhatMoved(deps, resource, log);
  progress.done(task);
  return store.stagedCount(resource);
}

async function readWhatMoved(deps: Deps, resource: ResourceName, log: FindingLog): Promise<void> {
  const { source, store } = deps;
  const now = new Set<string>();
  for await (const ids of source.ids(resource)) for (const id of ids) now.add(id);
  const staged = store.stagedIds(resource);
  const stagedSet = new Set(staged);
  const gone = staged.filter((id) => !now.has(id));
  store.unstage(resource, gone);
  for (const id of gone) log.add(FINDING.deleted, { resource, id, field: null, value: null, message: `${recordName(resource, id)} was read, then deleted in Actionstep before the extraction ended: it is not staged` });
  const added = [...now].filter((id) => !stagedSet.has(id));
  for (let i = 0; i < added.length; i += 50) {
    const chunk = added.slice(i, i + 50);
    const records = await source.byIds(resource, chunk);
    store.stage(records.map((r) => ({ resource, id: (r as { id: string }).id, json: JSON.stringify(r) })));
    const read = new Set(records.map((r) => (r as { id: string }).id));
    for (const id of chunk) {
      if (read.has(id)) log.add(FINDING.missed, { resource, id, field: null, value: null, message: `${recordName(resource, id)} was not on the pages read (added meanwhile, or passed over when the listing shifted): read by id and staged` });
      else log.add(FINDING.unreadable, { resource, id, field: null, value: null, message: `${recordName(resource, id)} is listed by Actionstep but reading it by id found nothing: it is not staged` }, true);
    }
  }
  const finalCount = await source.count(resource);
  const stagedNow = store.stagedCount(resource);
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
    for (const s of store.staged(resource)) {
      const actionId = (JSON.parse(s.json) as { actionId?: string | null }).actionId;
      if (actionId) wanted.add(actionId);
    }
  }
  const missing = [...wanted].filter((id) => !store.stagedIds('actions', [id]).length);
  let staged = 0;
  for (let i = 0; i < missing.length; i += 50) {
    const records = await source.byIds('actions', missing.slice(i, i + 50));
    store.stage(records.map((r) => ({ resource: 'actions', id: r.id, json: JSON.stringify(r) })));
    staged += records.length;
  }
  if (staged) deps.progress.log(`extract: ${staged} matters that Actionstep does not list (deleted ones) were read by id, so their records say why they do not migrate`);
  return staged;
}
