// Several Actionstep sign-ins behind one source port. Actionstep limits requests per user session (reference §6), so
// each sign-in (a different Actionstep user) brings its own budget: the extraction spreads its listings across
// `sessions()`, and file downloads (the bulk of a firm's requests) go to the session with the fewest in flight. Other
// reads go through the first session: sessions are checked to see the same matters before anything is read through
// more than one (a matter one user may not see would otherwise vanish from the pages that user read).
import type { PageSpan, SourcePage, SourcePort, SourceSession } from '@astep/orchestrator/ports';
import type { ActionstepSource } from './engineSource';
import type { RecordsByResource, ResourceName } from './records';

export class ActionstepSessionPool implements SourcePort {
  private readonly inFlight: number[];
  private rotation = 0;

  constructor(private readonly members: ActionstepSource[]) {
    if (!members.length) throw new Error('ActionstepSessionPool needs at least one Actionstep sign-in.');
    this.inFlight = members.map(() => 0);
  }

  private get first(): ActionstepSource {
    return this.members[0];
  }

  sessions(): SourceSession[] {
    return this.members.flatMap((m) => m.sessions());
  }

  pages<R extends ResourceName>(resource: R, options?: { modifiedSince?: string; abortSignal?: AbortSignal; span?: PageSpan }): AsyncIterable<SourcePage<RecordsByResource[R]>> {
    return this.first.pages(resource, options);
  }

  lastId(resource: ResourceName, options?: { abortSignal?: AbortSignal }): Promise<string | null> {
    return this.first.lastId(resource, options);
  }

  count(resource: ResourceName): Promise<number | null> {
    return this.first.count(resource);
  }

  ids(resource: ResourceName, options?: { abortSignal?: AbortSignal }): AsyncIterable<string[]> {
    return this.first.ids(resource, options);
  }

  byIds<R extends ResourceName>(resource: R, ids: string[], options?: { abortSignal?: AbortSignal }): Promise<Array<RecordsByResource[R]>> {
    return this.first.byIds(resource, ids, options);
  }

  /** The least busy session downloads (ties: in turn), so every session's budget serves the documents. */
  async downloadFile(fileId: string, options?: { fileSize?: number | null; abortSignal?: AbortSignal }): Promise<Uint8Array> {
    const n = this.members.length;
    let pick = this.rotation++ % n;
    for (let k = 0; k < n; k++) {
      const i = (this.rotation + k) % n;
      if (this.inFlight[i] < this.inFlight[pick]) pick = i;
    }
    this.inFlight[pick]++;
    try {
      return await this.members[pick].downloadFile(fileId, options);
    } finally {
      this.inFlight[pick]--;
    }
  }

  filesUrl(): string {
    return this.first.filesUrl();
  }

  orgkey(): string | null {
    return this.first.orgkey();
  }

  requestCount(): number {
    return this.members.reduce((n, m) => n + m.requestCount(), 0);
  }
}
