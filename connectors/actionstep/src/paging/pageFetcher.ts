// Pages of one listing. Page 1 tells how many pages there are (meta.paging); the rest are fetched ahead in a bounded
// window (the client-wide limiter caps real concurrency) and yielded in order, so memory stays at a few pages.
import { abortError } from '../errors';
import type { PagingInfo, ParsedEnvelope } from './envelope';

export interface FetchedPage {
  pageNumber: number;
  envelope: ParsedEnvelope;
}

export interface PageFetcherOptions {
  startPage: number;
  pageSize: number;
  prefetch: number;
  fetchPage: (page: number, abortSignal: AbortSignal) => Promise<ParsedEnvelope>;
  abortSignal?: AbortSignal;
  /** The last page to read (a page range of a listing); default the listing's last. */
  lastPage?: number;
}

export async function* fetchPages(o: PageFetcherOptions): AsyncGenerator<FetchedPage & { paging: PagingInfo }> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  o.abortSignal?.addEventListener('abort', onAbort, { once: true });
  const inFlight = new Map<number, Promise<ParsedEnvelope>>();
  try {
    if (o.abortSignal?.aborted) throw abortError();
    const first = await o.fetchPage(o.startPage, controller.signal);
    const firstPaging = pagingOrGuess(first, o.startPage, o.pageSize);
    yield { pageNumber: o.startPage, envelope: first, paging: firstPaging };
    if (first.records.length === 0 || o.startPage >= (o.lastPage ?? Infinity)) return;
    let pageCount = firstPaging.pageCount;
    // Without meta.paging we cannot know the end: walk on until a short or empty page.
    const knownEnd = first.paging !== undefined;
    let next = o.startPage + 1;
    let lastRequested = o.startPage;
    /** The last page to fetch: the listing's, or the range's when it ends sooner. */
    let end = pageCount;
    const schedule = (): void => {
      const window = knownEnd ? o.prefetch : 1;
      while (inFlight.size < window && lastRequested < end) {
        const p = ++lastRequested;
        const promise = o.fetchPage(p, controller.signal);
        promise.catch(() => undefined); // awaited below in order; avoid unhandled rejections meanwhile
        inFlight.set(p, promise);
      }
    };
    if (!knownEnd) pageCount = first.records.length < o.pageSize ? o.startPage : Number.MAX_SAFE_INTEGER;
    end = Math.min(pageCount, o.lastPage ?? Infinity);
    while (next <= end) {
      // Pages that arrived before the abort are not handed out after it.
      if (o.abortSignal?.aborted) throw abortError();
      schedule();
      const promise = inFlight.get(next);
      if (!promise) break;
      const env = await promise;
      inFlight.delete(next);
      if (o.abortSignal?.aborted) throw abortError();
      // 204 past the end: records were deleted since page 1 counted them.
      if (env.records.length === 0) return;
      const paging = pagingOrGuess(env, next, o.pageSize);
      yield { pageNumber: next, envelope: env, paging: { ...paging, pageCount: knownEnd ? pageCount : paging.pageCount } };
      if (!knownEnd && env.records.length < o.pageSize) return;
      next++;
    }
  } finally {
    o.abortSignal?.removeEventListener('abort', onAbort);
    if (inFlight.size > 0) controller.abort();
  }
}

function pagingOrGuess(env: ParsedEnvelope, page: number, pageSize: number): PagingInfo {
  if (env.paging) return env.paging;
  const n = env.records.length;
  return { recordCount: n, pageCount: n < pageSize ? page : page + 1, page, pageSize };
}
