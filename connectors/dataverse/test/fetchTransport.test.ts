import { getEventListeners } from 'node:events';
import { createFetchTransport } from '@astep/dataverse-connector';

describe('createFetchTransport', () => {
  const realFetch = globalThis.fetch;
  let seenSignals: AbortSignal[] = [];
  beforeEach(() => {
    seenSignals = [];
    globalThis.fetch = (async (_url: string, init: RequestInit) => {
      seenSignals.push(init.signal as AbortSignal);
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
  });
  afterEach(() => {
    globalThis.fetch = realFetch;
  });

  it('leaves no listener on a run-wide abort signal after each request', async () => {
    const run = new AbortController();
    const transport = createFetchTransport();
    for (let i = 0; i < 5; i++) {
      const res = await transport.send({ method: 'GET', url: 'http://127.0.0.1/x', headers: {}, abortSignal: run.signal, timeoutInMs: 60_000 });
      expect(res.status).toBe(200);
    }
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('passes an abort that happened before the send on to fetch', async () => {
    const run = new AbortController();
    run.abort();
    await createFetchTransport().send({ method: 'GET', url: 'http://127.0.0.1/x', headers: {}, abortSignal: run.signal, timeoutInMs: 60_000 });
    expect(seenSignals).toHaveLength(1);
    expect(seenSignals[0].aborted).toBe(true);
  });
});
