// The client over real HTTP against the Actionstep emulator: the tiny firm extracted through ~20% injected faults
// (5xx, connection resets, slow responses past the client timeout, tokens expiring mid-run) and 429s from the rate
// limiter (with and without Retry-After) must equal the generator's ground truth exactly.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startActionstepEmulator, type ActionstepEmulator } from '@astep/actionstep-emulator';
import {
  ActionstepClient,
  ActionstepOAuthClient,
  ActionstepOAuthCredential,
  EncryptedFileTokenStore,
  MemoryTokenStore,
  extractFirm,
  followAuthorizeRedirect,
  type RecordsByResource,
  type ResourceName,
  type StoredTokenSet,
  type TokenStore,
} from '../src';
import { RESOURCE_NAMES } from '../src/resources';

const FAULTS = { seed: 11, serverErrorRate: 0.06, connectionResetRate: 0.05, slowRate: 0.04, slowMs: 1200, tokenExpiryRate: 0.05 };

/** Remembers every token set it was given, so tests can check no token ever reached a log line or an error. */
class RecordingTokenStore extends MemoryTokenStore {
  readonly secrets: string[] = [];
  override async save(tokens: StoredTokenSet): Promise<void> {
    this.secrets.push(tokens.accessToken, tokens.refreshToken);
    await super.save(tokens);
  }
}

async function signIn(emu: ActionstepEmulator, store: TokenStore = new MemoryTokenStore()): Promise<ActionstepOAuthCredential> {
  const oauthClient = new ActionstepOAuthClient({
    clientId: emu.clientId,
    clientSecret: emu.clientSecret,
    authorizeUrl: emu.authorizeUrl,
    tokenUrl: emu.tokenUrl,
    scopes: ['all'],
  });
  const credential = new ActionstepOAuthCredential({ oauthClient, store });
  await credential.signIn({ openUrl: followAuthorizeRedirect });
  return credential;
}

function newClient(credential: ActionstepOAuthCredential, pageSize = 200, log?: string[]): ActionstepClient {
  // Short timeout so slow faults become timeouts (and are retried); short backoff to keep the suite fast.
  const logger = log ? { info: (m: string) => log.push(m), warning: (m: string) => log.push(m) } : undefined;
  return new ActionstepClient({ credential, pageSize, logger, timeoutInMs: 800, retry: { retryDelayInMs: 20, maxRetryDelayInMs: 200 } });
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function extractAll(client: ActionstepClient): Promise<{ records: { [R in ResourceName]: Array<RecordsByResource[R]> } }> {
  const records = Object.fromEntries(RESOURCE_NAMES.map((r) => [r, []])) as unknown as { [R in ResourceName]: Array<RecordsByResource[R]> };
  await extractFirm(client, {
    onPage: (resource, page) => {
      (records[resource] as unknown[]).push(...page);
    },
  });
  return { records };
}

describe('extraction against the emulator (tiny firm)', () => {
  let emu: ActionstepEmulator;
  afterEach(async () => {
    await emu?.close();
  });

  test('with ~20% injected faults and Retry-After 429s returns exactly the ground truth', async () => {
    emu = await startActionstepEmulator({ firm: 'tiny', seed: 7, rateLimit: { sessionPerSecond: 40, sessionBurst: 10, retryAfterHeader: true } });
    const store = new RecordingTokenStore();
    const credential = await signIn(emu, store);
    emu.setFaults(FAULTS);
    emu.resetCounters();
    // Small pages: ~150 requests, so every fault kind is met several times.
    const log: string[] = [];
    const client = newClient(credential, 20, log);
    const { records } = await extractAll(client);

    const truth = emu.firm.groundTruth(emu.firm.adminUserId);
    for (const r of RESOURCE_NAMES) {
      expect({ resource: r, records: [...records[r]].sort(byId) }).toEqual({ resource: r, records: [...truth.records[r]].sort(byId) });
    }

    const used = client.requestCount;
    const counters = emu.counters();
    expect(used.retries).toBeGreaterThan(0);
    expect(used.refreshesAfter401).toBeGreaterThan(0);
    expect(used.byOutcome.network ?? 0).toBeGreaterThan(0);
    expect(used.byOutcome.timeout ?? 0).toBeGreaterThan(0);
    expect(used.byOutcome['429'] ?? 0).toBeGreaterThan(0);
    expect((used.byOutcome['500'] ?? 0) + (used.byOutcome['502'] ?? 0) + (used.byOutcome['503'] ?? 0)).toBeGreaterThan(0);
    // Every request the client sent reached the emulator and was counted there too.
    expect(counters.requests).toBe(used.byKind.list);
    const faults = counters.faults.serverError + counters.faults.reset + counters.faults.slow + counters.faults.tokenExpired + counters.rateLimited;
    expect(faults / counters.requests).toBeGreaterThan(0.15);
    // Retries and refreshes were logged, and no access or refresh token appears in any log line.
    expect(log.length).toBeGreaterThan(10);
    expect(store.secrets.length).toBeGreaterThan(4);
    const text = log.join('\n');
    for (const secret of [...store.secrets, emu.clientSecret]) expect(text).not.toContain(secret);
  });

  test('429s without Retry-After are retried with backoff and the result is still exact', async () => {
    emu = await startActionstepEmulator({ firm: 'tiny', seed: 7, rateLimit: { sessionPerSecond: 30, sessionBurst: 5, retryAfterHeader: false } });
    const credential = await signIn(emu);
    const client = newClient(credential);
    const { records } = await extractAll(client);
    const truth = emu.firm.groundTruth(emu.firm.adminUserId);
    for (const r of RESOURCE_NAMES) expect([...records[r]].sort(byId)).toEqual([...truth.records[r]].sort(byId));
    expect(client.requestCount.byOutcome['429']).toBeGreaterThan(0);
  });

  test('tokens survive restarts in the encrypted file store; every rotation is persisted', async () => {
    emu = await startActionstepEmulator({ firm: 'tiny', seed: 7, accessTokenTtlSeconds: 30 });
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'astep-h2-')), 'tokens.json');
    const storeFor = () => new EncryptedFileTokenStore({ path: file, passphrase: 'integration passphrase' });
    await signIn(emu, storeFor());
    const afterSignIn = (await storeFor().load())!;
    expect(readFileSync(file, 'utf8')).not.toContain(afterSignIn.refreshToken);
    // A "new process": the 30 s token is inside the 60 s refresh margin, so it is refreshed (and rotated) first.
    const oauthClient = new ActionstepOAuthClient({ clientId: emu.clientId, clientSecret: emu.clientSecret, authorizeUrl: emu.authorizeUrl, tokenUrl: emu.tokenUrl });
    const second = new ActionstepOAuthCredential({ oauthClient, store: storeFor() });
    const types = [];
    for await (const t of newClient(second).list('actiontypes')) types.push(t);
    expect(types.length).toBe(emu.firm.counts.actiontypes);
    const rotated = (await storeFor().load())!;
    expect(rotated.refreshToken).not.toBe(afterSignIn.refreshToken);
    // The old refresh token is dead (single-use); the stored one works for the next process.
    await expect(oauthClient.refresh(afterSignIn.refreshToken)).rejects.toMatchObject({ code: 'invalid_grant' });
    const third = new ActionstepOAuthCredential({ oauthClient, store: storeFor() });
    expect((await third.getToken()).accessToken).not.toBe(rotated.accessToken);
  });

  test('keyset paging returns the same ground truth', async () => {
    emu = await startActionstepEmulator({ firm: 'tiny', seed: 7 });
    const credential = await signIn(emu);
    const client = new ActionstepClient({ credential, pageSize: 50, pagingMode: 'keyset' });
    const { records } = await extractAll(client);
    const truth = emu.firm.groundTruth(emu.firm.adminUserId);
    for (const r of RESOURCE_NAMES) expect([...records[r]].sort(byId)).toEqual([...truth.records[r]].sort(byId));
  });

  test('documents download byte for byte; restricted matters of another user stay invisible', async () => {
    emu = await startActionstepEmulator({ firm: 'tiny', seed: 7 });
    const credential = await signIn(emu);
    const client = newClient(credential);
    const docs = [];
    for await (const d of client.list('actiondocuments')) if (d.file) docs.push(d);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs.slice(0, 5)) {
      const bytes = await client.downloadFile(d.file as string, { fileSize: d.fileSize });
      const f = emu.firm.file(d.file as string);
      expect(f).not.toBeNull();
      expect(bytes.equals(f!.read(0, f!.size))).toBe(true);
    }
    // The largest document, size not given: parts follow from the server (multi-part when over 5 MB).
    const largest = [...docs].sort((a, b) => (b.fileSize ?? 0) - (a.fileSize ?? 0))[0];
    const big = await client.downloadFile(largest.file as string);
    const bf = emu.firm.file(largest.file as string)!;
    expect(big.length).toBe(bf.size);
    expect(big.equals(bf.read(0, bf.size))).toBe(true);
    const truth = emu.firm.groundTruth(emu.firm.adminUserId);
    const seen = new Set<string>();
    for await (const m of client.list('actions')) seen.add(m.id);
    for (const hidden of truth.hiddenActionIds) expect(seen.has(hidden)).toBe(false);
    const me = await client.getCurrentUser();
    expect(me).toEqual(truth.records.users.find((u) => u.id === emu.firm.adminUserId));
  });

  test('a wide first page that takes long (minutes on the live API) is waited for: the default timeout is minutes', async () => {
    emu = await startActionstepEmulator({ firm: 'tiny', seed: 7, faults: { wideFirstPageMs: 1500 } });
    const client = new ActionstepClient({ credential: await signIn(emu) });
    const t0 = Date.now();
    const types = [];
    for await (const t of client.list('actiontypes')) types.push(t);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1450);
    expect(types.length).toBe(emu.firm.counts.actiontypes);
  });

  test('delta: modifiedSince picks up what changed after extraction began; resources without a modified field refuse', async () => {
    emu = await startActionstepEmulator({ firm: 'tiny', seed: 7 });
    const client = newClient(await signIn(emu));
    const matters = [];
    for await (const m of client.list('actions')) matters.push(m);
    const latest = matters.map((m) => m.modifiedTimestamp ?? '').sort().pop() as string;
    // A moment after every existing timestamp, as UTC without offset (the form Actionstep reads as UTC).
    const since = new Date(Date.parse(latest) + 1000).toISOString().slice(0, 19);
    const before = [];
    for await (const m of client.list('actions', { modifiedSince: since })) before.push(m.id);
    const target = matters[3];
    emu.mutate.update('actions', target.id, { name: `${target.name} (renamed)` });
    const after = [];
    for await (const m of client.list('actions', { modifiedSince: since })) after.push(m);
    expect(after.map((m) => m.id)).toEqual([...before, target.id]);
    expect(after.find((m) => m.id === target.id)?.name).toBe(`${target.name} (renamed)`);
    // A watermark in the firm's local time with its offset is sent as UTC without one (what the API reads): the
    // record changed at that very moment is in (the offset, sent as is, would be ignored and land hours later).
    const [changed] = await client.get('actions', target.id);
    const changedAt = changed.modifiedTimestamp as string;
    expect(changedAt).toMatch(/[+-]\d{2}:\d{2}$/);
    const fromLocal = [];
    for await (const m of client.list('actions', { modifiedSince: changedAt })) fromLocal.push(m.id);
    expect(fromLocal).toContain(target.id);
    expect(() => client.list('filenotes', { modifiedSince: since })).toThrow(/no modified timestamp/);
  });
});
