// Public surface of @astep/actionstep-connector.
export * from './records';
export {
  RESOURCES,
  RESOURCE_NAMES,
  resourceDef,
  fromWire,
  toWire,
  type ResourceDef,
  type FieldDef,
  type LinkDef,
  type WireIssue,
} from './resources';
export * from './actionstepClient';
export * from './errors';
export * from './auth/tokenProvider';
export * from './auth/tokenStore';
export * from './auth/oauthClient';
export * from './auth/credential';
export * from './auth/loopbackRedirect';
export * from './transport/httpTransport';
export * from './pipeline/retryPolicy';
export * from './pipeline/concurrencyLimiter';
export type { ActionstepLogger, PaceSnapshot, RequestCountSnapshot, RequestKind } from './pipeline/requestPipeline';
export * from './paging/pagedAsyncIterator';
export * from './trust/trustLedgerFile';
export * from './trust/ledgerTable';
export * from './trust/trustLedgerSource';
export * from './extraction/firmExtraction';
export { ActionstepSource, type ActionstepSourceOptions } from './engineSource';
export { ActionstepSessionPool } from './sessionPool';
