// Node-only pieces: keep-alive transport and msal-node credentials.
export { createNodeTransport } from './nodeTransport';
export {
  createClientSecretCredential,
  createClientCertificateCredential,
  createDeviceCodeCredential,
  createRedirectingNetworkClient,
  createFileCachePlugin,
} from './msalCredentials';
export type { CredentialCommonOptions } from './msalCredentials';
