// Wires the engine's ports from a configuration: the Actionstep client (OAuth with an encrypted token store and a
// loopback sign-in), the Dataverse client (msal-node client credentials) and the SQLite state store.
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  ActionstepClient, ActionstepOAuthClient, ActionstepOAuthCredential, ActionstepSessionPool, ActionstepSource, EncryptedFileTokenStore, followAuthorizeRedirect,
  TokenFileUnreadableError, TrustLedgerFileSource, type StoredTokenSet,
} from '@astep/actionstep-connector';
import {
  DataverseClient, DataverseClientPool, DataverseSink, createClientCertificateCredential, createClientSecretCredential, createNodeTransport,
  createRedirectingNetworkClient, type TokenProvider,
} from '@astep/dataverse-connector';
import { MigrationEngine, type ProgressReporter } from '@astep/orchestrator';
import { DocumentFileStore } from './state/documentFiles';
import { actionstepSignIns, ConfigError, dataverseIdentities, resolveSecret, type ActionstepSignIn, type MigrationConfig } from './config';
import { firstDataverseToken, reaching } from './endpoints';
import { fieldProblemsCsv } from './fieldProblemsCsv';

import { SqliteStateStore } from './state/sqliteStateStore';
import { acquireStateLock } from './state/stateLock';

export interface Session {
  engine: MigrationEngine;
  store: SqliteStateStore;
  /** One Actionstep sign-in, or several behind one pool. */
  source: ActionstepSource | ActionstepSessionPool;
  sink: DataverseSink;
  /** Every configured application user behind one API (a pool of one for the single form). */
  dataverse: DataverseClientPool;
  progress: ProgressReporter;
  secrets: string[];
  close(): void;
}

export interface SessionOptions {
  /** Names the command in the state folder's lock (one command at a time). */
  command?: string;
  /** Records per Actionstep page (default 200, the most Actionstep serves); tests use small pages to see paging. */
  actionstepPageSize?: number;
  /** The trust ledger export for this command (`extract --trust-ledger FILE`), over actionstep.trustLedgerFile. */
  trustLedgerFile?: string;
  /** The report folder: run and delta write field-problems.csv (delta-field-problems.csv) there. */
  outDir?: string;
  /**
   * Sign every Actionstep user in again instead of using the stored sign-ins (`--sign-in-again`): after the token
   * store's passphrase changed, or to sign in as someone else. A file that cannot be read is kept aside, not deleted.
   */
  signInAgain?: boolean;
}

/** The trust ledger port over the file named on the command line or in the config; none named: none given. */
export function trustLedgerFromFile(file: string | undefined, field: string): TrustLedgerFileSource {
  const where = file ?? 'none given: export the Trust Account Ledgers report from Actionstep and name it in actionstep.trustLedgerFile or pass `astep-migrate extract --trust-ledger FILE`';
  return new TrustLedgerFileSource(where, async () => {
    if (!file) return null;
    try {
      return { name: path.basename(file), bytes: new Uint8Array(await fs.readFile(file)) };
    } catch (e) {
      throw new ConfigError(`${field}: cannot read the trust ledger export ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
  });
}

export async function openSession(config: MigrationConfig, progress: ProgressReporter, options: SessionOptions = {}): Promise<Session> {
  const lock = acquireStateLock(config.stateDir, options.command ?? 'session', (m) => progress.log(m));
  try {
    return await openLocked(config, progress, options, () => lock.release());
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function openLocked(config: MigrationConfig, progress: ProgressReporter, options: SessionOptions, release: () => void): Promise<Session> {
  const secrets: string[] = [];
  const keep = (s: string) => (secrets.push(s), s);
  const store = new SqliteStateStore(path.join(config.stateDir, 'state.db'));
  try {
    const a = config.actionstep;
    const clientSecret = keep(resolveSecret(config.actionstep.clientSecret, 'actionstep.clientSecret'));
    // One client per sign-in: each Actionstep user has its own rate limit, so each paces itself (and counts its own
    // token calls).
    const signedIn: ActionstepSource[] = [];
    for (const signIn of actionstepSignIns(config)) signedIn.push(await openActionstepSignIn(config, signIn, clientSecret, progress, keep, options));
    const source = signedIn.length === 1 ? signedIn[0] : new ActionstepSessionPool(signedIn);

    const d = config.dataverse;
    const webApiUrl = d.webApiUrl.endsWith('/') ? d.webApiUrl : `${d.webApiUrl}/`;
    const resource = new URL(webApiUrl).origin;
    // One client per application user: each has its own token, Retry-After pause, DOP hint and concurrency, like the
    // service's limits are per user. The pool spreads requests across them; the engine sees one sink.
    const configured = dataverseIdentities(config);
    const identities = configured.map((id) => {
      const common = {
        tenantId: id.tenantId, clientId: id.clientId, scope: `${resource}/.default`, authorityHost: d.authorityHost,
        networkClient: d.tokenEndpointOrigin ? createRedirectingNetworkClient(d.tokenEndpointOrigin) : undefined,
      };
      const credential: TokenProvider = id.certificate
        ? createClientCertificateCredential({
          ...common, privateKey: keep(resolveSecret(id.certificate.privateKey, id.secretPath)),
          thumbprintSha256: id.certificate.thumbprintSha256, thumbprint: id.certificate.thumbprint, x5c: id.certificate.x5c,
        })
        : createClientSecretCredential({ ...common, clientSecret: keep(resolveSecret(id.clientSecret!, id.secretPath)) });
      const client = new DataverseClient({ webApiUrl, credential, transport: createNodeTransport({ maxSockets: 64 }), maxConcurrency: d.maxConcurrency ?? 52 });
      return { name: id.name, client, credential };
    });
    const dataverse = new DataverseClientPool(identities.map(({ name, client }) => ({ name, client })), { logger: { warn: (message) => progress.log(message) } });
    // One token and one WhoAmI per application user now, so that a wrong address fails here naming its config field,
    // not mid-step. The sign-in service is the same for every application user: reaching it is checked once; a
    // refused sign-in of any of them is named by the pool's WhoAmI.
    await firstDataverseToken(() => identities[0].credential.getToken(), { ...d, webApiUrl, tenantId: configured[0].tenantId, clientId: configured[0].clientId }, configured[0].secretPath);
    await reaching('dataverse.webApiUrl', webApiUrl, () => dataverse.whoAmI());
    const sink = new DataverseSink(dataverse, webApiUrl);
    const trustLedger = trustLedgerFromFile(options.trustLedgerFile ?? a.trustLedgerFile, options.trustLedgerFile ? '--trust-ledger' : 'actionstep.trustLedgerFile');
    const outDir = options.outDir ?? config.outDir ?? path.join(config.stateDir, 'out');
    const engine = new MigrationEngine({
      source, sink, store, progress, trustLedger,
      documentFiles: new DocumentFileStore(path.join(config.stateDir, 'documents')),
      fieldProblems: (_runId, phase) => fieldProblemsCsv(path.join(outDir, phase === 'delta' ? 'delta-field-problems.csv' : 'field-problems.csv')),
    });
    return {
      engine, store, source, sink, dataverse, progress, secrets,
      close: () => {
        store.close();
        release();
      },
    };
  } catch (e) {
    store.close();
    throw e;
  }
}

/**
 * The sign-in kept from an earlier step, or none. A file that cannot be read (most often: the passphrase in the
 * config is not the one it was written with) stops the step with what to do, exit 2; with `signInAgain` the store
 * sets it aside and the user signs in again.
 */
async function storedSignIn(tokenStore: EncryptedFileTokenStore, signIn: ActionstepSignIn, progress: ProgressReporter, again: boolean): Promise<StoredTokenSet | undefined> {
  const file = signIn.tokenStore.path;
  try {
    const tokens = await tokenStore.load();
    if (tokens && again) {
      progress.log(`Signing in to Actionstep again (--sign-in-again): the stored sign-in ${file} is replaced.`);
      await tokenStore.clear();
      return undefined;
    }
    return tokens;
  } catch (e) {
    if (!(e instanceof TokenFileUnreadableError)) throw e;
    if (!again) {
      throw new ConfigError(`${signIn.where}.tokenStore: the stored Actionstep sign-in ${file} cannot be read: ${e.reason}. `
        + `If ${signIn.where}.tokenStore.passphrase was changed by mistake, set it back to the passphrase the file was written with. `
        + 'If it was changed on purpose, or the file is damaged, run the step again with --sign-in-again: the file is kept aside and you sign in to Actionstep again.');
    }
    const aside = await tokenStore.setAside();
    progress.log(`The stored Actionstep sign-in ${file} cannot be read (${e.reason}): it is kept as ${aside}. Signing in again.`);
    return undefined;
  }
}

/** Signs one Actionstep user in (or reuses its stored tokens) and returns the source reading as that user. */
async function openActionstepSignIn(config: MigrationConfig, signIn: ActionstepSignIn, clientSecret: string, progress: ProgressReporter, keep: (s: string) => string, options: SessionOptions): Promise<ActionstepSource> {
  const a = config.actionstep;
  const oauthClient = new ActionstepOAuthClient({ authorizeUrl: a.authorizeUrl, tokenUrl: a.tokenUrl, clientId: a.clientId, clientSecret, scopes: a.scopes ?? ['all'] });
  const tokenStore = new EncryptedFileTokenStore({ path: signIn.tokenStore.path, passphrase: keep(resolveSecret(signIn.tokenStore.passphrase, `${signIn.where}.tokenStore.passphrase`)) });
  const credential = new ActionstepOAuthCredential({ oauthClient, store: tokenStore, logger: (m) => progress.log(m) });
  let tokens = await storedSignIn(tokenStore, signIn, progress, options.signInAgain === true);
  if (tokens && (tokens.tokenUrl !== a.tokenUrl || tokens.clientId !== a.clientId)) {
    // Tokens belong to the org and app that issued them: after a change of actionstep.tokenUrl or clientId, the old
    // file would keep every step talking to the old endpoint.
    progress.log(`The stored Actionstep sign-in (${signIn.tokenStore.path}) was made ${tokens.tokenUrl ? `at ${tokens.tokenUrl} for client ${tokens.clientId}` : 'before sign-ins recorded their endpoint'}, `
      + `not at actionstep.tokenUrl ${a.tokenUrl} for client ${a.clientId}: it is not used. Signing in again.`);
    await tokenStore.clear();
    tokens = undefined;
  }
  if (!tokens) {
    const openUrl = a.signIn === 'followRedirect'
      ? (url: string) => reaching('actionstep.authorizeUrl', a.authorizeUrl, () => followAuthorizeRedirect(url))
      : async (url: string) => progress.log(`Open this address in a browser to sign in to Actionstep${signIn.loginHint ? ` as ${signIn.loginHint}` : ''}:\n  ${url}`);
    await reaching('actionstep.tokenUrl', a.tokenUrl, () => credential.signIn({ openUrl, loginHint: signIn.loginHint, port: signIn.redirectPort }));
    tokens = await tokenStore.load();
  }
  const client = new ActionstepClient({
    credential, maxConcurrency: a.maxConcurrency ?? 4, pageSize: options.actionstepPageSize ?? a.pageSize,
    maxRequestsPerSecond: a.requestsPerSecond,
  });
  return new ActionstepSource(client, tokens?.apiEndpoint ?? '', tokens?.orgKey ?? null, { name: signIn.name });
}
