// Azure-style paged async iterator: `for await (const x of list)` yields items, `.byPage()` yields pages, and a page's
// `continuationToken` resumes a listing from the next page (the engine checkpoints it).

export interface PageSettings {
  continuationToken?: string;
  maxPageSize?: number;
}

export interface PagedAsyncIterableIterator<TElement, TPage = TElement[], TPageSettings = PageSettings> {
  next(): Promise<IteratorResult<TElement>>;
  [Symbol.asyncIterator](): PagedAsyncIterableIterator<TElement, TPage, TPageSettings>;
  byPage(settings?: TPageSettings): AsyncIterableIterator<TPage>;
  /** Stops the listing early (called by `break` in for-await); cancels prefetched pages. */
  return?(): Promise<IteratorResult<TElement>>;
}

export function pagedIterator<TElement, TPage extends TElement[]>(
  byPage: (settings?: PageSettings) => AsyncIterableIterator<TPage>,
): PagedAsyncIterableIterator<TElement, TPage> {
  let items: AsyncGenerator<TElement> | undefined;
  async function* flatten(): AsyncGenerator<TElement> {
    for await (const page of byPage()) yield* page;
  }
  const it: PagedAsyncIterableIterator<TElement, TPage> = {
    next() {
      items ??= flatten();
      return items.next();
    },
    [Symbol.asyncIterator]() {
      return it;
    },
    byPage,
    async return() {
      await items?.return(undefined);
      return { done: true, value: undefined };
    },
  };
  return it;
}
