// Wires the engine's ports from a configuration: the Actionstep client (OAuth with an encrypted token store and a
// loopback sign-in), the Dataverse client (msal-node client credentials) and the SQLite state store.
import path from 'node:path';
import {
  ActionstepClient, ActionstepOAuthClient, ActionstepOAuthCredential, EncryptedFileTokenStore, followAuthorizeRedirect,
} from '@astep/actionstep-connector';
import {
  DataverseClient, DataverseClientPool, DataverseSink, createClientCertificateCredential, createClientSecretCredential, createNodeTransport,
  createRedirectingNetworkClient, type TokenProvider,
} from '@astep/dataverse-connector';
import { MigrationEngine, type ProgressReporter } from '@astep/orchestrator';
import { dataverseIdentities, resolveSecret, type MigrationConfig } from './config';
import { ActionstepSource } from './adapters/actionstepSource';

import { SqliteStateStore } from './state/sqliteStateStore';

export interface Session {
  engine: MigrationEngine;
  store: SqliteStateStore;
  source: ActionstepSource;
  sink: DataverseSink;
  /** Every configured application user behind one API (a pool of one for the single form). */
  dataverse: DataverseClientPool;
  secrets: string[];
  close(): void;
}

export async function openSession(config: MigrationConfig, progress: ProgressReporter): Promise<Session> {
  const secrets: string[] = [];
  const keep = (s: string) => (secrets.push(s), s);
  const store = new SqliteStateStore(path.join(config.stateDir, 'state.db'));

  const a = config.actionstep;
  const oauthClient = new ActionstepOAuthClient({
    authorizeUrl: a.authorizeUrl, tokenUrl: a.tokenUrl, clientId: a.clientId,
    clientSecret: keep(resolveSecret(a.clientSecret, 'actionstep.clientSecret')), scopes: a.scopes ?? ['all'],
  });
  const tokenStore = new EncryptedFileTokenStore({ path: a.tokenStore.path, passphrase: keep(resolveSecret(a.tokenStore.passphrase, 'actionstep.tokenStore.passphrase')) });
  const credential = new ActionstepOAuthCredential({ oauthClient, store: tokenStore, logger: (m) => progress.log(m) });
  let tokens = await tokenStore.load();
  if (!tokens) {
    const openUrl = a.signIn === 'followRedirect'
      ? followAuthorizeRedirect
      : async (url: string) => progress.log(`Open this address in a browser to sign in to Actionstep:\n  ${url}`);
    await credential.signIn({ openUrl, loginHint: a.loginHint, port: a.redirectPort });
    tokens = await tokenStore.load();
  }
  const apiEndpoint = tokens?.apiEndpoint ?? '';
  const client = new ActionstepClient({ credential, trustLedgerPath: a.trustLedgerPath, maxConcurrency: a.maxConcurrency ?? 4 });
  const source = new ActionstepSource(client, apiEndpoint, tokens?.orgKey ?? null);

  const d = config.dataverse;
  const webApiUrl = d.webApiUrl.endsWith('/') ? d.webApiUrl : `${d.webApiUrl}/`;
  const resource = new URL(webApiUrl).origin;
  // One client per application user: each has its own token, Retry-After pause, DOP hint and concurrency, like the
  // service's limits are per user. The pool spreads requests across them; the engine sees one sink.
  const identities = dataverseIdentities(config).map((id) => {
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
    return { name: id.name, client };
  });
  const dataverse = new DataverseClientPool(identities, { logger: { warn: (message) => progress.log(message) } });
  const sink = new DataverseSink(dataverse, webApiUrl);
  const engine = new MigrationEngine({ source, sink, store, progress });
  return { engine, store, source, sink, dataverse, secrets, close: () => store.close() };
}
