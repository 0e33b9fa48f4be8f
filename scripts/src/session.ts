// Wires the engine's ports from a configuration: the Actionstep client (OAuth with an encrypted token store and a
// loopback sign-in), the Dataverse client (msal-node client credentials) and the SQLite state store.
import path from 'node:path';
import {
  ActionstepClient, ActionstepOAuthClient, ActionstepOAuthCredential, EncryptedFileTokenStore, followAuthorizeRedirect,
} from '@astep/actionstep-connector';
import { DataverseClient, DataverseSink, createClientSecretCredential, createNodeTransport, createRedirectingNetworkClient } from '@astep/dataverse-connector';
import { MigrationEngine, type ProgressReporter } from '@astep/orchestrator';
import { resolveSecret, type MigrationConfig } from './config';
import { ActionstepSource } from '@astep/actionstep-connector/engineSource';

import { SqliteStateStore } from './state/sqliteStateStore';

export interface Session {
  engine: MigrationEngine;
  store: SqliteStateStore;
  source: ActionstepSource;
  sink: DataverseSink;
  dataverse: DataverseClient;
  progress: ProgressReporter;
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
  const dvCredential = createClientSecretCredential({
    tenantId: d.tenantId, clientId: d.clientId, clientSecret: keep(resolveSecret(d.clientSecret, 'dataverse.clientSecret')),
    scope: `${resource}/.default`, authorityHost: d.authorityHost,
    networkClient: d.tokenEndpointOrigin ? createRedirectingNetworkClient(d.tokenEndpointOrigin) : undefined,
  });
  const dataverse = new DataverseClient({ webApiUrl, credential: dvCredential, transport: createNodeTransport({ maxSockets: 64 }), maxConcurrency: d.maxConcurrency ?? 52 });
  const sink = new DataverseSink(dataverse, webApiUrl, { maxConcurrency: d.maxConcurrency });
  const engine = new MigrationEngine({ source, sink, store, progress });
  return { engine, store, source, sink, dataverse, progress, secrets, close: () => store.close() };
}
