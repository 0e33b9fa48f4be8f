// The browser side of Actionstep calls through the Power Platform (issues 7 and 15): the connections API and the
// connector runtime are two hosts of the stand-in, each accepting only the Entra stand-in's tokens for its own
// audience; the runtime holds the connection's tokens and forwards to the Actionstep emulator; the unchanged
// ActionstepClient, with the runtime token provider and the browser transport, reads the whole tiny firm through it.
// Secrets never come back.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import { startActionstepEmulator, type ActionstepEmulator } from '@astep/actionstep-emulator';
import { startConnectorRuntime, type ConnectorRuntime } from '../../../test/helpers/connectorRuntime';
import { EntraStandIn, type EntraUser } from '../../../test/helpers/entraStandIn';
import { CHROMIUM, launchChromium } from '../../../test/helpers/browserHost';
import {
  ActionstepClient,
  ActionstepError,
  BrowserFetchHttpTransport,
  ConnectorRuntimeConnections,
  ConnectorRuntimeTokenProvider,
  checkRuntimeHost,
  consentReturn,
  extractFirm,
  type RecordsByResource,
  type ResourceName,
} from '../src/browser';
import { RESOURCE_NAMES } from '../src/resources';

const CALLER = 'https://org.crm.dynamics.example/WebResources/astep_/html/ConnectionSignedIn.html';
const ENVIRONMENT = 'b1e2c3d4-0000-4000-8000-0000000e0001';
const API_NAME = 'shared_astep-5factionstep-5f0123456789abcdef';
const POWER_APPS = 'https://service.powerapps.com/';
const API_HUB = 'https://apihub.azure.com';
const ADMIN: EntraUser = { upn: 'admin@firm.example', name: 'Firm Admin', oid: '0a000000-0000-4000-8000-00000000000a' };
const OTHER: EntraUser = { upn: 'clerk@firm.example', name: 'Firm Clerk', oid: '0b000000-0000-4000-8000-00000000000b' };
const entra = new EntraStandIn({ tenantId: 'c0ffee00-0000-4000-8000-000000000001', apps: [{ clientId: 'wizard-app', spaRedirectUris: [], resources: [POWER_APPS, API_HUB] }], users: [ADMIN, OTHER] });
const connectionsToken = (user = ADMIN) => entra.mint(user, POWER_APPS);
const runtimeToken = (user = ADMIN) => entra.mint(user, API_HUB);

let emu: ActionstepEmulator;
let runtime: ConnectorRuntime;
const runtimeLog: string[] = [];
/** Every response the browser side received (status line, headers, body) and every consent hop's Location. */
const seenByBrowser: string[] = [];
/** Tokens of runtimes other than the main one (closed before the leak check runs). */
const otherSecrets: string[] = [];

/** fetch that records what came back, as the browser would see it. */
const recordingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const copy = res.clone();
  const body = Buffer.from(await copy.arrayBuffer()).toString('latin1');
  const headers: string[] = [];
  res.headers.forEach((v, k) => headers.push(`${k}: ${v}`));
  seenByBrowser.push(`${res.status}\n${headers.join('\n')}\n${body}`);
  return res;
};

function connectionsClient(getUserToken = async () => connectionsToken(), rt: ConnectorRuntime = runtime): ConnectorRuntimeConnections {
  return new ConnectorRuntimeConnections({ apiUrl: rt.connectionsUrl, environmentId: ENVIRONMENT, apiName: rt.apiName, getUserToken, fetch: recordingFetch });
}

function clientFor(connectionId: string, getUserToken = async () => runtimeToken(), log?: string[]): ActionstepClient {
  const credential = new ConnectorRuntimeTokenProvider({ runtimeUrl: runtime.apiRuntimeUrl, connectionId, getUserToken, connections: connectionsClient() });
  const logger = log ? { info: (m: string) => log.push(m), warning: (m: string) => log.push(m) } : undefined;
  return new ActionstepClient({
    credential,
    transport: new BrowserFetchHttpTransport({ fetch: recordingFetch }),
    logger,
    retry: { retryDelayInMs: 10, maxRetryDelayInMs: 100 },
  });
}

/** What the wizard's popup does: open the consent link and let the browser follow every redirect. */
async function followConsent(link: string): Promise<URL> {
  let url = link;
  for (let hop = 0; hop < 6; hop++) {
    if (url.startsWith(CALLER)) return new URL(url);
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    seenByBrowser.push(`${res.status} ${location ?? ''}\n${await res.text()}`);
    if (res.status !== 302 || !location) throw new Error(`consent hop ${hop} answered ${res.status} without a redirect`);
    url = new URL(location, url).toString();
  }
  throw new Error('too many redirects');
}

/** Create, consent, confirm: the connection ends Connected. */
async function connect(connectionId: string, connections = connectionsClient()): Promise<void> {
  await connections.create(connectionId, `Actionstep (${connectionId})`);
  const back = consentReturn((await followConsent(await connections.consentLink(connectionId, CALLER))).toString());
  if (back.kind !== 'code') throw new Error(`consent of ${connectionId} came back ${JSON.stringify(back)}`);
  await connections.confirmConsentCode(connectionId, back.code);
}

const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

async function extractAll(client: ActionstepClient): Promise<{ records: { [R in ResourceName]: Array<RecordsByResource[R]> }; summary: Awaited<ReturnType<typeof extractFirm>> }> {
  const records = Object.fromEntries(RESOURCE_NAMES.map((r) => [r, []])) as unknown as { [R in ResourceName]: Array<RecordsByResource[R]> };
  const summary = await extractFirm(client, {
    onPage: (resource, page) => {
      (records[resource] as unknown[]).push(...page);
    },
  });
  return { records, summary };
}

beforeAll(async () => {
  emu = await startActionstepEmulator({ firm: 'tiny', seed: 1 });
  runtime = await startConnectorRuntime({
    actionstep: { authorizeUrl: emu.authorizeUrl, tokenUrl: emu.tokenUrl, clientId: emu.clientId, clientSecret: emu.clientSecret },
    identity: entra, environmentId: ENVIRONMENT, apiName: API_NAME,
    log: (line) => runtimeLog.push(line),
  });
});

afterAll(async () => {
  await runtime?.close();
  await emu?.close();
});

describe('connector runtime stand-in with the browser-side client', () => {
  test('a new connection is Unauthenticated; the consent signs in server side, comes back with a code, and confirming it connects', async () => {
    const connections = connectionsClient();
    expect(await connections.runtimeUrl()).toBe(runtime.apiRuntimeUrl);
    const created = await connections.create('conn-main', 'Actionstep (main)');
    expect(created).toMatchObject({ connectionId: 'conn-main', displayName: 'Actionstep (main)', status: 'Unauthenticated', code: 'Unauthenticated' });
    const link = await connections.consentLink('conn-main', CALLER);
    expect(link.startsWith(`${runtime.connectionsUrl}/login?data=`)).toBe(true);
    // The consent service sends the browser on to Actionstep's authorize page, with the connector's global redirect.
    const hop = await fetch(link, { redirect: 'manual' });
    const u = new URL(hop.headers.get('location')!);
    expect(`${u.origin}${u.pathname}`).toBe(emu.authorizeUrl);
    expect(u.searchParams.get('client_id')).toBe(emu.clientId);
    expect(u.searchParams.get('response_type')).toBe('code');
    expect(u.searchParams.get('scope')).toBe('all');
    expect(u.searchParams.get('redirect_uri')).toBe(`${runtime.connectionsUrl}/redirect/astep-5factionstep-5f0123456789abcdef`);
    expect(link).not.toContain(emu.clientSecret);

    const back = await followConsent(u.toString());
    expect(`${back.origin}${back.pathname}`).toBe(CALLER);
    const returned = consentReturn(back.toString());
    expect(returned.kind).toBe('code');
    // Signed in at Actionstep, but not Connected until the caller confirms the code.
    expect(await connections.status('conn-main')).toMatchObject({ status: 'Unauthenticated' });
    const code = (returned as { code: string }).code;
    // Another user cannot confirm it; a made-up code is refused.
    await expect(connectionsClient(async () => connectionsToken(OTHER)).confirmConsentCode('conn-main', code)).rejects.toMatchObject({ status: 403, code: 'AuthorizationFailed' });
    await expect(connections.confirmConsentCode('conn-main', 'made-up')).rejects.toMatchObject({ status: 400, code: 'InvalidConsentCode' });
    expect(await connections.confirmConsentCode('conn-main', code)).toMatchObject({ status: 'Connected' });
    expect(runtime.counters()).toMatchObject({ consents: 1, confirmations: 1 });
    // A consent code is single use.
    await expect(connections.confirmConsentCode('conn-main', code)).rejects.toMatchObject({ status: 400, code: 'InvalidConsentCode' });
    // The consent link is single use too: following it again cannot reuse the state.
    const replay = await fetch(link, { redirect: 'manual' });
    seenByBrowser.push(await replay.text());
    expect(replay.status).toBe(400);
  });

  test('the unchanged ActionstepClient reads the whole tiny firm and a file through the runtime', async () => {
    const client = clientFor('conn-main');
    const { records, summary } = await extractAll(client);
    const truth = emu.firm.groundTruth(emu.firm.adminUserId);
    for (const r of RESOURCE_NAMES) {
      expect({ resource: r, records: [...records[r]].sort(byId) }).toEqual({ resource: r, records: [...truth.records[r]].sort(byId) });
    }
    const total = RESOURCE_NAMES.reduce((n, r) => n + summary.records[r], 0);
    expect(total).toBe(RESOURCE_NAMES.reduce((n, r) => n + truth.records[r].length, 0));

    const doc = records.actiondocuments.find((d) => d.file && (d.fileSize ?? 0) > 0)!;
    const bytes = await client.downloadFile(doc.file as string, { fileSize: doc.fileSize });
    const f = emu.firm.file(doc.file as string)!;
    expect(bytes.length).toBe(f.size);
    expect(bytes.equals(f.read(0, f.size))).toBe(true);

    const c = runtime.counters();
    expect(c.forwarded).toBe(client.requestCount.byKind.list + client.requestCount.byKind.file);
    expect(c.byStatus['200']).toBe(c.forwarded);
  });

  test('expired Actionstep tokens (by fault and by clock) are refreshed by the runtime, one refresh per rotation', async () => {
    const before = runtime.counters().refreshes;
    emu.setFaults({ seed: 5, tokenExpiryRate: 0.15 });
    try {
      const client = clientFor('conn-main');
      const { records } = await extractAll(client);
      const truth = emu.firm.groundTruth(emu.firm.adminUserId);
      for (const r of RESOURCE_NAMES) expect([...records[r]].sort(byId)).toEqual([...truth.records[r]].sort(byId));
      const faulted = emu.counters().faults.tokenExpired;
      expect(faulted).toBeGreaterThan(0);
      expect(runtime.counters().refreshes - before).toBeGreaterThan(0);
    } finally {
      emu.setFaults({});
    }
    // Concurrent callers with the same stale token share one refresh: the refresh token rotates, a second use would
    // fail and break the connection.
    expect(runtime.counters().refreshFailures).toBe(0);
    expect(await connectionsClient().status('conn-main')).toMatchObject({ status: 'Connected' });

    const byClock = runtime.counters().refreshes;
    runtime.testing.expireAccessToken('conn-main');
    const types = [];
    for await (const t of clientFor('conn-main').list('actiontypes')) types.push(t);
    expect(types.length).toBe(emu.firm.counts.actiontypes);
    expect(runtime.counters().refreshes).toBe(byClock + 1);
  });

  test('each host accepts only its own audience; other users, unknown connections, undefined paths and missing filters are refused', async () => {
    const base = `${runtime.apiRuntimeUrl}`;
    const wrongAudience = await recordingFetch(`${base}/conn-main/rest/actions`, { headers: { Authorization: `Bearer ${connectionsToken()}` } });
    expect(wrongAudience.status).toBe(401);
    expect((await wrongAudience.json()).error).toMatchObject({ code: 'InvalidAuthenticationToken', message: expect.stringContaining('https://apihub.azure.com') });
    const forged = await recordingFetch(`${base}/conn-main/rest/actions`, { headers: { Authorization: 'Bearer not.a.token' } });
    expect(forged.status).toBe(401);
    const none = await recordingFetch(`${base}/conn-main/rest/actions`);
    expect(none.status).toBe(401);
    const someoneElse = await recordingFetch(`${base}/conn-main/rest/actions`, { headers: { Authorization: `Bearer ${runtimeToken(OTHER)}` } });
    expect(someoneElse.status).toBe(403);

    const auth = { Authorization: `Bearer ${runtimeToken()}` };
    const unknown = await recordingFetch(`${base}/conn-nope/rest/actions`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatchObject({ code: 'ConnectionNotFound', message: expect.stringContaining("'conn-nope'") });

    const forwardedBefore = runtime.counters().forwarded;
    const undefinedPath = await recordingFetch(`${base}/conn-main/rest/secretresource`, { headers: auth });
    expect(undefinedPath.status).toBe(404);
    expect((await undefinedPath.json()).error).toMatchObject({ code: 'OperationNotFound', message: expect.stringContaining('/rest/secretresource') });
    const wrongVerb = await recordingFetch(`${base}/conn-main/rest/actions`, { method: 'DELETE', headers: auth });
    expect(wrongVerb.status).toBe(404);
    const outsideBase = await recordingFetch(`${base}/conn-main/oauth/token`, { headers: auth });
    expect(outsideBase.status).toBe(404);
    expect(runtime.counters().forwarded).toBe(forwardedBefore); // none of them reached Actionstep
    // Through the client, the platform's code and reason are in the error.
    await expect(clientFor('conn-nope').list('actions').next()).rejects.toMatchObject({ kind: 'http', status: 404, code: 'ConnectionNotFound', message: expect.stringContaining("The connection 'conn-nope' does not exist") });
    // Dot segments (sent raw: fetch would resolve them before sending) cannot climb out of the defined operations.
    for (const raw of ['/rest/actions/..', '/rest/actions/%2e%2e', '/rest/files/../../oauth/token']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${base}/conn-main${raw}`, { headers: auth }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
      expect({ raw, status }).toEqual({ raw, status: 404 });
    }
    expect(runtime.counters().forwarded).toBe(forwardedBefore);

    // The client with a token the connections API also rejects ends with an auth error that says what to do.
    const bad = new ActionstepClient({
      credential: new ConnectorRuntimeTokenProvider({ runtimeUrl: runtime.apiRuntimeUrl, connectionId: 'conn-main', getUserToken: async () => 'stale-user-token', connections: connectionsClient(async () => 'stale-user-token') }),
      transport: new BrowserFetchHttpTransport({ fetch: recordingFetch }),
      retry: { retryDelayInMs: 10, maxRetryDelayInMs: 100 },
    });
    await expect(bad.list('actiontypes').next()).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/rejected the signed-in user's token.*sign in to Dynamics again/) });

    // Connections API: the runtime's audience, no token, no api-version, no environment filter, another environment,
    // another API, another user's connection.
    const mgmt = `${runtime.connectionsUrl}/providers/Microsoft.PowerApps/apis/${runtime.apiName}/connections/conn-main`;
    const env = `$filter=${encodeURIComponent(`environment eq '${ENVIRONMENT}'`)}`;
    const bearer = { Authorization: `Bearer ${connectionsToken()}` };
    expect((await recordingFetch(`${mgmt}?api-version=2016-11-01&${env}`, { headers: { Authorization: `Bearer ${runtimeToken()}` } })).status).toBe(401);
    expect((await recordingFetch(`${mgmt}?api-version=2016-11-01&${env}`)).status).toBe(401);
    const noVersion = await recordingFetch(`${mgmt}?${env}`, { headers: bearer });
    expect(noVersion.status).toBe(400);
    expect((await noVersion.json()).error.code).toBe('MissingApiVersionParameter');
    const noFilter = await recordingFetch(`${mgmt}?api-version=2016-11-01`, { headers: bearer });
    expect(noFilter.status).toBe(400);
    expect((await noFilter.json()).error.code).toBe('MissingEnvironmentFilter');
    const otherEnv = await recordingFetch(`${mgmt}?api-version=2016-11-01&$filter=${encodeURIComponent("environment eq 'Default-other'")}`, { headers: bearer });
    expect(otherEnv.status).toBe(404);
    const otherApi = await recordingFetch(`${runtime.connectionsUrl}/providers/Microsoft.PowerApps/apis/shared_other/connections/conn-main?api-version=2016-11-01&${env}`, { headers: bearer });
    expect(otherApi.status).toBe(404);
    await expect(connectionsClient(async () => connectionsToken(OTHER)).status('conn-main')).rejects.toMatchObject({ status: 403, code: 'AuthorizationFailed' });
    await expect(connectionsClient().consentLink('conn-main', 'javascript:alert(1)')).rejects.toMatchObject({ status: 400, code: 'InvalidRedirectUrl' });
    // The runtime URL the platform gives is used only on the configured host.
    expect(checkRuntimeHost(runtime.apiRuntimeUrl, '127.0.0.1')).toBe(runtime.apiRuntimeUrl);
    expect(() => checkRuntimeHost('https://westeurope.azure-apim.net.evil.example/apim/x', 'azure-apim.net')).toThrow(/not on the configured connector runtime host 'azure-apim.net'/);
    expect(checkRuntimeHost('https://westeurope.azure-apim.net/apim/x', 'azure-apim.net')).toBe('https://westeurope.azure-apim.net/apim/x');
  });

  test('a connection without consent answers 401 Unauthenticated; the client says to sign in again', async () => {
    await connectionsClient().create('conn-fresh', 'Never signed in');
    const res = await recordingFetch(`${runtime.apiRuntimeUrl}/conn-fresh/rest/actions`, { headers: { Authorization: `Bearer ${runtimeToken()}` } });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('Unauthenticated');
    const err = await clientFor('conn-fresh').list('actions').next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActionstepError);
    expect(err).toMatchObject({ kind: 'auth', code: 'Unauthenticated', message: expect.stringContaining("connection 'conn-fresh' needs to be signed in again") });
  });

  test('a refresh that fails marks the connection Unauthenticated; a new consent brings it back', async () => {
    await connect('conn-revoked');
    const client = clientFor('conn-revoked');
    expect((await client.list('actiontypes').byPage().next()).value?.length).toBeGreaterThan(0);
    runtime.testing.revokeRefreshToken('conn-revoked');
    runtime.testing.expireAccessToken('conn-revoked');
    const failures = runtime.counters().refreshFailures;
    await expect(client.list('actiontypes').next()).rejects.toMatchObject({
      kind: 'auth',
      code: 'Unauthenticated',
      message: expect.stringMatching(/needs to be signed in again.*Failed to refresh access token.*invalid_grant/),
    });
    expect(runtime.counters().refreshFailures).toBe(failures + 1);
    expect(await connectionsClient().status('conn-revoked')).toMatchObject({ status: 'Unauthenticated', code: 'Unauthenticated' });

    const back = consentReturn((await followConsent(await connectionsClient().consentLink('conn-revoked', CALLER))).toString());
    expect(back.kind).toBe('code');
    expect(await connectionsClient().confirmConsentCode('conn-revoked', (back as { code: string }).code)).toMatchObject({ status: 'Connected' });
    const types = [];
    for await (const t of clientFor('conn-revoked').list('actiontypes')) types.push(t);
    expect(types.length).toBe(emu.firm.counts.actiontypes);
  });

  test('a consent the identity provider refuses comes back with error=<base64> naming the code', async () => {
    const connections = connectionsClient();
    await connections.create('conn-denied', 'Denied');
    const hop = await fetch(await connections.consentLink('conn-denied', CALLER), { redirect: 'manual' });
    const authorize = new URL(hop.headers.get('location')!);
    authorize.searchParams.set('login_hint', 'nobody@nowhere.example');
    const back = consentReturn((await followConsent(authorize.toString())).toString());
    expect(back).toMatchObject({ kind: 'error', code: 'access_denied' });
    expect(await connections.status('conn-denied')).toMatchObject({ status: 'Error', code: 'access_denied' });
  });

  test('CORS: preflight allowed for Authorization and Content-Type; headers the client reads are exposed', async () => {
    const pre = await fetch(`${runtime.apiRuntimeUrl}/conn-main/rest/actions`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://org.crm.dynamics.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://org.crm.dynamics.example');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Content-Type/);
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const res = await fetch(`${runtime.apiRuntimeUrl}/conn-main/rest/actiontypes`, { headers: { Origin: 'https://x.example', Authorization: `Bearer ${runtimeToken()}` } });
    await res.arrayBuffer();
    expect(res.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/content-range/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/x-part-count/);
  });

  test("Actionstep's 429 comes back as it came: status, Retry-After (exposed to scripts) and body", async () => {
    const limited = await startActionstepEmulator({ firm: 'tiny', seed: 1, rateLimit: { sessionPerSecond: 0.5, sessionBurst: 1, retryAfterHeader: true } });
    const rt = await startConnectorRuntime({
      actionstep: { authorizeUrl: limited.authorizeUrl, tokenUrl: limited.tokenUrl, clientId: limited.clientId, clientSecret: limited.clientSecret },
      identity: entra, environmentId: ENVIRONMENT, apiName: API_NAME,
      log: (line) => runtimeLog.push(line),
    });
    try {
      await connect('conn-limited', connectionsClient(undefined, rt));
      const url = `${rt.apiRuntimeUrl}/conn-limited/rest/actiontypes`;
      const init = { headers: { Authorization: `Bearer ${runtimeToken()}`, Origin: 'https://org.crm.dynamics.example' } };
      const first = await recordingFetch(url, init);
      expect(first.status).toBe(200);
      const second = await recordingFetch(url, init);
      expect(second.status).toBe(429);
      expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(second.headers.get('access-control-expose-headers')).toMatch(/retry-after/);
      expect(second.headers.get('content-type')).toMatch(/json/);
      const body = (await second.json()) as { errors?: unknown };
      expect(body.errors).toBeDefined(); // Actionstep's own error body, not the platform's
      expect(rt.counters().byStatus['429']).toBe(1);
      expect(rt.counters().rejected).toBe(0); // Actionstep refused it, not the runtime
    } finally {
      otherSecrets.push(...rt.testing.issuedTokens());
      await rt.close();
      await limited.close();
    }
  });

  test('no response, consent hop or log line carries the client secret or an Actionstep token', () => {
    const secrets = [emu.clientSecret, ...runtime.testing.issuedTokens(), ...otherSecrets];
    expect(secrets.length).toBeGreaterThan(6); // consents and refreshes above issued several token pairs
    expect(seenByBrowser.length).toBeGreaterThan(50);
    expect(runtimeLog.length).toBeGreaterThan(50);
    const leaks = (texts: string[]): string[] => texts.filter((t) => secrets.some((s) => t.includes(s))).map((t) => t.slice(0, 120));
    expect(leaks(seenByBrowser)).toEqual([]);
    expect(leaks(runtimeLog)).toEqual([]);
    expect(runtimeLog.some((l) => l.includes('refreshed the Actionstep token'))).toBe(true);
  });
});

describe('browser bundle', () => {
  test('browser.ts bundles for the browser with no node: imports and reads through the runtime with no Node globals', async () => {
    const result = await build({
      entryPoints: [path.join(__dirname, '../src/browser.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'AstepActionstep',
      target: 'es2020',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((i) => /^node:|tokenStore|loopbackRedirect|oauthClient|auth\/credential/.test(i))).toEqual([]);
    expect(inputs.some((i) => /node_modules\/buffer\//.test(i))).toBe(true);
    const text = result.outputFiles[0].text;
    expect(text).not.toMatch(/require\(["'](node:)?[a-z_]+["']\)/);
    expect(text).not.toMatch(/["']node:[a-z_]+["']/);

    await connect('conn-bundle');

    // Run the bundle in a realm that has what a browser has (fetch, timers, URL, atob) and none of Node's globals
    // (no Buffer, process or require), then read through the runtime with it.
    const sandbox: Record<string, unknown> = {
      fetch, Headers, Request, Response, AbortController, AbortSignal, URL, URLSearchParams, TextDecoder, TextEncoder, atob, btoa,
      setTimeout, clearTimeout, queueMicrotask, console,
    };
    sandbox.globalThis = sandbox;
    sandbox.self = sandbox;
    const context = vm.createContext(sandbox);
    vm.runInContext(`${text}\n;globalThis.__lib = AstepActionstep;`, context);
    expect(vm.runInContext('typeof process + "," + typeof require', context)).toBe('undefined,undefined');
    expect(vm.runInContext('typeof Buffer', context)).toBe('function'); // the npm buffer package, installed by bufferGlobal
    const lib = sandbox.__lib as typeof import('../src/browser');
    const client = new lib.ActionstepClient({
      credential: new lib.ConnectorRuntimeTokenProvider({
        runtimeUrl: runtime.apiRuntimeUrl, connectionId: 'conn-bundle', getUserToken: async () => runtimeToken(),
        connections: new lib.ConnectorRuntimeConnections({ apiUrl: runtime.connectionsUrl, environmentId: ENVIRONMENT, apiName: runtime.apiName, getUserToken: async () => connectionsToken() }),
      }),
      transport: new lib.BrowserFetchHttpTransport(),
    });
    // The trust ledger is the firm's export file: the browser bundle reads the Excel workbook (exceljs) with no Node.
    const exported = await emu.exportTrustLedger({ format: 'xlsx', plantMismatch: false });
    const ledger = await lib.parseTrustLedgerFile({ name: exported.fileName, bytes: exported.bytes });
    expect(ledger.problems).toEqual([]);
    expect(ledger.rows.map(({ line: _l, printed: _p, ...e }) => e)).toEqual(emu.firm.groundTruth(emu.firm.adminUserId).trustLedger);
    let types = 0;
    for await (const page of client.list('actiontypes').byPage()) types += page.length;
    expect(types).toBe(emu.firm.counts.actiontypes);
  });
});

// The wizard's way, in Debian's chromium: a page on another origin asks the connections API where the runtime is,
// opens the consent link in a popup (opened blank on the click, so no popup blocker interferes), waits for the popup
// to come back to its own origin with the consent code, confirms it, then reads through the runtime with the browser
// bundle (CORS preflights, exposed headers and the npm Buffer all for real).
const canRunBrowser = existsSync(CHROMIUM) || !!process.env.CI;
(canRunBrowser ? describe : describe.skip)(`in chromium, from another origin${canRunBrowser ? '' : ' (skipped: /usr/bin/chromium missing, CI not set)'}`, () => {
  test('popup consent, confirmConsentCode, then listing, a file download, and the trust ledger export read in the page', async () => {
    const bundle = await build({ entryPoints: [path.join(__dirname, '../src/browser.ts')], bundle: true, platform: 'browser', format: 'iife', globalName: 'AstepActionstep', target: 'es2020', write: false, logLevel: 'silent' });
    const page = `<!doctype html><meta charset="utf-8"><title>wizard host</title><button id="connect">Connect</button>
<script src="/lib.js"></script><script>
document.getElementById('connect').addEventListener('click', async () => {
  const popup = window.open('about:blank', 'astep-consent', 'width=480,height=640');
  try {
    const { apiUrl, environmentId, apiName, connectionsToken, runtimeToken } = window.__config;
    const L = AstepActionstep;
    const connections = new L.ConnectorRuntimeConnections({ apiUrl, environmentId, apiName, getUserToken: async () => connectionsToken });
    const runtimeUrl = L.checkRuntimeHost(await connections.runtimeUrl(), '127.0.0.1');
    await connections.create('conn-browser', 'Actionstep (browser)');
    popup.location.href = await connections.consentLink('conn-browser', location.origin + '/consent-done');
    let landed = null;
    for (let i = 0; i < 100 && !landed; i++) {
      await new Promise((r) => setTimeout(r, 100));
      try { if (popup.location.origin === location.origin && popup.location.pathname === '/consent-done') landed = popup.location.href; } catch (e) { /* still at Actionstep */ }
    }
    popup.close();
    const back = L.consentReturn(landed);
    const state = await connections.confirmConsentCode('conn-browser', back.code);
    const provider = (connectionId) => new L.ConnectorRuntimeTokenProvider({ runtimeUrl, connectionId, getUserToken: async () => runtimeToken, connections });
    const client = new L.ActionstepClient({ credential: provider('conn-browser'), transport: new L.BrowserFetchHttpTransport() });
    let types = 0;
    for await (const t of client.list('actiontypes')) types++;
    const ledger = await L.parseTrustLedgerFile({ name: 'trust-ledger.xlsx', bytes: Uint8Array.from(atob(window.__config.ledgerXlsx), (c) => c.charCodeAt(0)) });
    let doc = null;
    for await (const d of client.list('actiondocuments')) if (!doc && d.file && d.fileSize > 0) doc = d;
    const bytes = await client.downloadFile(doc.file, { fileSize: doc.fileSize });
    let denied = null;
    try {
      await new L.ActionstepClient({ credential: provider('conn-none'), transport: new L.BrowserFetchHttpTransport() }).list('actions').next();
    } catch (e) { denied = { name: e.name, kind: e.kind, status: e.status, message: e.message }; }
    window.__result = { status: state.status, landed, kind: back.kind, types, ledgerRows: ledger.rows.length, ledgerProblems: ledger.problems.length, file: doc.file, fileBytes: bytes.length, firstByte: bytes[0], denied };
  } catch (e) {
    window.__result = { error: String(e && e.message || e) };
  }
});
</script>`;
    const server = http.createServer((req, res) => {
      const p = (req.url ?? '/').split('?')[0];
      if (p === '/') res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      else if (p === '/lib.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.outputFiles[0].text);
      else if (p === '/consent-done') res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>done</title>');
      else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hostUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect([runtime.connectionsUrl, runtime.runtimeUrl]).not.toContain(hostUrl); // another origin: every call is cross-origin
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      const pageErrors: string[] = [];
      tab.on('pageerror', (e) => pageErrors.push(String(e)));
      await tab.goto(hostUrl);
      await tab.evaluate((config) => {
        (window as unknown as { __config: unknown }).__config = config;
      }, { apiUrl: runtime.connectionsUrl, environmentId: ENVIRONMENT, apiName: runtime.apiName, connectionsToken: connectionsToken(), runtimeToken: runtimeToken(), ledgerXlsx: Buffer.from((await emu.exportTrustLedger({ format: 'xlsx', plantMismatch: false })).bytes).toString('base64') });
      await tab.click('#connect');
      await tab.waitForFunction(() => (window as unknown as { __result?: unknown }).__result !== undefined, undefined, { timeout: 30_000 });
      const result = (await tab.evaluate(() => (window as unknown as { __result: unknown }).__result)) as Record<string, unknown>;
      expect(pageErrors).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('Connected');
      expect(result.landed).toMatch(new RegExp(`^${hostUrl}/consent-done\\?code=[A-Za-z0-9_-]+$`));
      expect(result.kind).toBe('code');
      expect(result.types).toBe(emu.firm.counts.actiontypes);
      expect(result.ledgerRows).toBe(emu.firm.groundTruth(emu.firm.adminUserId).trustLedger.length);
      expect(result.ledgerProblems).toBe(0);
      const f = emu.firm.file(result.file as string)!;
      expect(result.fileBytes).toBe(f.size);
      expect(result.firstByte).toBe(f.read(0, 1)[0]);
      expect(result.denied).toMatchObject({ name: 'ActionstepError', kind: 'http', status: 404 });
      expect((result.denied as { message: string }).message).toMatch(/failed with 404 ConnectionNotFound: Power Platform connector runtime - The connection 'conn-none' does not exist/);
    } finally {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }, 60_000);
});
