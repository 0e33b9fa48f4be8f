// Extraction spread across Actionstep sessions and checkpointed page by page.
//
// Each resource's listing is cut into spans once its first page tells how big it is: id ranges where the resource is
// listed by id (keyset: records added or deleted meanwhile cannot shift another past the reader), page ranges where
// ids are composite (offset paging). Every session runs as many spans at once as its client does requests (its
// lanes); a session that runs out of work takes the next span from the shared queue, so a slow session is never
// waited for. Actionstep limits requests per user session (reference §6), so each session paces itself.
//
// After every page, its records and the resource's progress (every span's position, the counts seen, the findings so
// far) are written in one step (StateStore.commitStaging: one transaction where staging is local): a process killed
// at any moment resumes each span at its next page, with no record skipped. The progress saved holds only positions
// whose pages are staged (a span's position moves into it with its page's commit, commits of a resource run one after
// another), so a store that cannot write both at once (the browser's, in Dataverse) at worst reads a page again. When every span of a resource is read, the completeness checks run (counts,
// and the id listing for offset-paged resources or when anything moved: resourceExtraction.ts).
import type { ResourceName } from '@astep/actionstep-connector/records';
import type { Finding, ProgressReporter, SourcePage, SourcePort, SourceSession, StagingChange, StateStore } from '../ports';
import { FindingLog } from './findings';
import { FINDING, readWhatMoved, stagedJson } from './resourceExtraction';
import { sourceRecordName as recordName } from '../vocabulary/objects';

/** A listing with more pages than this left after its first page is cut into spans of about this many pages. */
export const SPAN_PAGES = 25;

/** Where one span of a listing stands. */
export type SpanProgress =
  /** The first span: reads page 1, then splits the rest of the listing or reads on. */
  | { kind: 'head'; done: boolean }
  /** Ids after `after` up to `upTo` (open-ended when absent); `count`: what Actionstep counted in it at first. */
  | { kind: 'ids'; after?: string; upTo?: string; read: number; count?: number; done: boolean }
  /** Pages `next`..`to` (open-ended when absent) of an offset listing. */
  | { kind: 'pages'; next: number; to?: number; done: boolean };

/** A resource's progress, saved with every page. */
export interface ResourceProgress {
  spans: SpanProgress[];
  /** How many records Actionstep counted in the whole listing on its first page. */
  count?: number;
  paging?: 'keyset' | 'pages';
  /** Why the completeness check must list ids (records moved while the listing was read). */
  moved: string | null;
  findings: Finding[];
}

export interface PagedExtractionDeps {
  sessions: SourceSession[];
  store: StateStore;
  progress: ProgressReporter;
}

/** Checkpoint names: a finished resource's count (read by the engine), its progress while being read, its findings. */
export const extractionKeys = (runId: string, resource: string) => ({
  done: `extract:${runId}:${resource}`,
  progress: `extract:${runId}:${resource}:pages`,
  findings: `findings:${runId}:${resource}`,
});

/** One session standing in for a source that names none (test doubles, a source of one sign-in). */
export function singleSession(source: SourcePort): SourceSession {
  return {
    name: 'Actionstep', source, lanes: 1,
    currentUser: () => Promise.reject(new Error('this source does not tell which Actionstep user it acts as')),
    pace: () => ({ answered: 0, throttled: 0 }),
  };
}

class ResourceRun {
  readonly keys: ReturnType<typeof extractionKeys>;
  readonly log: FindingLog;
  readonly task: string;
  queuedCheck = false;
  started = false;
  /** The spans as last saved: only positions whose pages are staged. */
  private saved: SpanProgress[];
  private commits: Promise<void> = Promise.resolve();

  constructor(readonly resource: ResourceName, runId: string, readonly state: ResourceProgress, readonly store: StateStore) {
    this.keys = extractionKeys(runId, resource);
    this.log = new FindingLog(state.findings);
    this.task = `extract ${resource}`;
    this.saved = state.spans.map((x) => ({ ...x }));
  }

  /**
   * Applies `change` and saves the progress with the positions of `spans` as they are now (the other spans as last
   * saved), one commit of this resource at a time.
   */
  commit(spans: number[], change: StagingChange = {}): Promise<void> {
    const positions = new Map(spans.map((i) => [i, { ...this.state.spans[i] }]));
    const next = this.commits.then(async () => {
      const saved = [...this.saved];
      for (const [i, span] of positions) saved[i] = span;
      const progress: ResourceProgress = { ...this.state, spans: saved, findings: this.log.list() };
      await this.store.commitStaging({ ...change, checkpoints: { ...change.checkpoints, [this.keys.progress]: JSON.stringify(progress) } });
      this.saved = saved;
    });
    this.commits = next;
    return next;
  }
}

type WorkItem = { run: ResourceRun; span: number } | { run: ResourceRun; check: true };

/**
 * Stages every record of `resources` for run `runId` (resources finished earlier in the run are kept as they are) and
 * returns each one's count. Spans of one resource may be read by different sessions at the same time.
 */
export async function extractResources(deps: PagedExtractionDeps, resources: ResourceName[], runId: string): Promise<Record<string, number>> {
  const { store, progress, sessions } = deps;
  if (!sessions.length) throw new Error('extraction needs at least one Actionstep session');
  const lanes = sessions.reduce((n, s) => n + Math.max(1, s.lanes), 0);
  const queue: WorkItem[] = [];
  for (const resource of resources) {
    const keys = extractionKeys(runId, resource);
    if (store.getCheckpoint(keys.done) !== null) continue;
    const saved = store.getCheckpoint(keys.progress);
    let state: ResourceProgress;
    if (saved) state = JSON.parse(saved) as ResourceProgress;
    else {
      state = { spans: [{ kind: 'head', done: false }], moved: null, findings: [] };
      // A resource read from its start replaces what an earlier extraction staged.
      await store.commitStaging({ clear: resource, checkpoints: { [keys.progress]: JSON.stringify(state) } });
    }
    enqueueRemaining(new ResourceRun(resource, runId, state, store), queue);
  }

  const abort = new AbortController();
  let failure: unknown = null;
  let running = 0;
  let waiters: Array<() => void> = [];
  const wake = (): void => {
    const w = waiters;
    waiters = [];
    for (const f of w) f();
  };
  const worker = async (session: SourceSession): Promise<void> => {
    for (;;) {
      if (failure) return;
      const item = queue.shift();
      if (!item) {
        if (running === 0) return wake();
        await new Promise<void>((r) => waiters.push(r));
        continue;
      }
      running++;
      if (!item.run.started) {
        item.run.started = true;
        progress.start(item.run.task, item.run.state.count ?? 0);
      }
      try {
        if ('check' in item) await checkResource(item.run, session.source, deps);
        else {
          await readSpan(item.run, item.span, session, lanes, queue, abort.signal, progress);
          enqueueCheck(item.run, queue);
        }
      } catch (e) {
        failure ??= e;
        abort.abort();
      } finally {
        running--;
        wake();
      }
    }
  };
  await Promise.all(sessions.flatMap((s) => Array.from({ length: Math.max(1, s.lanes) }, () => worker(s))));
  if (failure) throw failure;
  const counts: Record<string, number> = {};
  for (const r of resources) counts[r] = await store.stagedCountAsync(r);
  return counts;
}

function enqueueRemaining(run: ResourceRun, queue: WorkItem[]): void {
  run.state.spans.forEach((s, i) => {
    if (!s.done) queue.push({ run, span: i });
  });
  enqueueCheck(run, queue);
}

function enqueueCheck(run: ResourceRun, queue: WorkItem[]): void {
  if (!run.queuedCheck && run.state.spans.every((s) => s.done)) {
    run.queuedCheck = true;
    queue.push({ run, check: true });
  }
}

/** Reads one span page by page, each page committed with the progress; the head span may split the listing. */
async function readSpan(run: ResourceRun, index: number, session: SourceSession, lanes: number, queue: WorkItem[], abortSignal: AbortSignal, progress: ProgressReporter): Promise<void> {
  const { resource, state } = run;
  const start = state.spans[index];
  if (start.done) return;
  const span = start.kind === 'ids' ? { after: start.after, upToId: start.upTo } : start.kind === 'pages' ? { fromPage: start.next, toPage: start.to } : {};
  const readBefore = start.kind === 'ids' ? start.read : 0;
  for await (const page of session.source.pages(resource, { span, abortSignal })) {
    if (abortSignal.aborted) return;
    const current = state.spans[index];
    let added: SpanProgress[] = [];
    if (current.kind === 'head') {
      const decided = await decide(run, page, session.source, lanes, abortSignal);
      state.spans[index] = decided.head;
      added = decided.spans;
    } else if (current.kind === 'ids') {
      const count = readBefore + (page.recordCount ?? 0);
      current.count ??= count;
      if (page.recordCount !== undefined && count !== current.count) state.moved ??= `Actionstep's count of ${resource} up to id ${current.upTo ?? 'the last'} changed from ${current.count} to ${count} while the pages were read`;
      current.read += page.length;
      if (page.cursor) current.after = page.cursor.slice('after:'.length);
    } else if (current.kind === 'pages') {
      if (page.recordCount !== undefined && state.count !== undefined && page.recordCount !== state.count) state.moved ??= `Actionstep's count changed from ${state.count} to ${page.recordCount} while the pages were read`;
      if (page.pageNumber !== undefined) current.next = page.pageNumber + 1;
    }
    await stagePage(run, index, page, added);
    progress.tick(run.task, page.length);
    if (added.length) {
      // Split: the head has read its part; the spans go to whoever is free, this lane included.
      queue.unshift(...added.map((_, k) => ({ run, span: state.spans.length - added.length + k })));
      break;
    }
  }
  if (abortSignal.aborted) return;
  state.spans[index] = { ...state.spans[index], done: true } as SpanProgress;
  await run.commit([index]);
}

/** The first page tells whether the listing is by id or by page, how big it is, and so how to cut the rest. */
async function decide(run: ResourceRun, page: SourcePage<unknown>, source: SourcePort, lanes: number, abortSignal: AbortSignal): Promise<{ head: SpanProgress; spans: SpanProgress[] }> {
  const { state } = run;
  state.count = page.recordCount;
  const keyset = page.cursor !== undefined;
  state.paging = keyset ? 'keyset' : 'pages';
  if (keyset) {
    const last = (page.cursor as string).slice('after:'.length);
    const left = Math.max(0, (page.recordCount ?? page.length) - page.length);
    const pagesLeft = Math.ceil(left / Math.max(1, page.length));
    if (lanes > 1 && pagesLeft > SPAN_PAGES && source.lastId && /^\d+$/.test(last)) {
      const high = await source.lastId(run.resource, { abortSignal });
      if (high !== null && /^\d+$/.test(high) && Number(high) > Number(last)) {
        const parts = Math.ceil(pagesLeft / SPAN_PAGES);
        const lo = Number(last);
        const bounds = Array.from({ length: parts - 1 }, (_, i) => String(Math.round(lo + ((Number(high) - lo) * (i + 1)) / parts)));
        const edges = [last, ...bounds];
        // The last span is open-ended: records added past the highest id while the listing runs are read too.
        const spans: SpanProgress[] = edges.map((after, i) => ({ kind: 'ids', after, upTo: bounds[i], read: 0, done: false }));
        return { head: { kind: 'ids', upTo: last, read: page.length, count: page.length, done: true }, spans };
      }
    }
    return { head: { kind: 'ids', after: last, read: page.length, count: page.recordCount, done: false }, spans: [] };
  }
  const number = page.pageNumber ?? 1;
  const pagesLeft = Math.max(0, (page.pageCount ?? number) - number);
  if (lanes > 1 && pagesLeft > SPAN_PAGES) {
    const parts = Math.ceil(pagesLeft / SPAN_PAGES);
    const size = Math.ceil(pagesLeft / parts);
    const spans: SpanProgress[] = Array.from({ length: parts }, (_, i) => ({
      kind: 'pages', next: number + 1 + i * size, to: i === parts - 1 ? undefined : number + (i + 1) * size, done: false,
    }));
    return { head: { kind: 'pages', next: number + 1, to: number, done: true }, spans };
  }
  return { head: { kind: 'pages', next: number + 1, done: false }, spans: [] };
}

/** Stages a page's records and the resource's progress together, after the checks that need what is staged. */
async function stagePage(run: ResourceRun, index: number, page: SourcePage<unknown>, added: SpanProgress[]): Promise<void> {
  const { resource, state, log, store } = run;
  const ids = page.map((r) => (r as { id: string }).id);
  for (const id of await store.stagedIdsAsync(resource, ids)) {
    log.add(FINDING.duplicate, { resource, id, field: null, value: null, message: `${recordName(resource, id)} came on two pages: the listing shifted while it was read (staged once)` });
    state.moved ??= `${recordName(resource, id)} came on two pages`;
  }
  for (const i of page.issues ?? []) {
    log.add(FINDING.unparsed(i.rule), {
      resource: i.resource, id: i.id, field: i.field, value: i.value,
      message: `${i.resource} ${i.id ?? '(no id)'}: ${i.field} ${JSON.stringify(i.value)} is not understood (${i.rule}); it was left empty`,
    });
  }
  const first = state.spans.length;
  state.spans.push(...added);
  const spans = [index, ...added.map((_, k) => first + k)];
  await run.commit(spans, { stage: page.map((r, n) => ({ resource, id: ids[n], json: stagedJson(r) })) });
}

/** Every span is read: the completeness checks, then the resource is done. */
async function checkResource(run: ResourceRun, source: SourcePort, deps: PagedExtractionDeps): Promise<void> {
  const { resource, state, log, keys } = run;
  const { store, progress } = deps;
  // Counted again after a resume too (a kill may have come between the count and the id listing); `moved`, once
  // saved, keeps the id listing due until it has run.
  const staged = await store.stagedCountAsync(resource);
  const endCount = await source.count(resource);
  if (endCount !== null && endCount !== staged) state.moved ??= `Actionstep counts ${endCount} now and ${staged} were read`;
  if (endCount !== null && state.count !== undefined && endCount !== state.count) state.moved ??= `Actionstep's count went from ${state.count} to ${endCount} while reading`;
  if (state.moved) progress.log(`${run.task}: ${state.moved}; listing its ids to find what moved`);
  await run.commit([]);
  if (state.moved || (state.paging === 'pages' && (await store.stagedCountAsync(resource)) > 0)) {
    await readWhatMoved({ source, store, progress }, resource, log, (change) => run.commit([], change));
  }
  const findings = log.list();
  const count = await store.stagedCountAsync(resource);
  await store.commitStaging({ checkpoints: {
    [keys.findings]: findings.length ? JSON.stringify(findings) : null,
    [keys.done]: String(count),
    [keys.progress]: null,
  } });
  progress.done(run.task);
}
