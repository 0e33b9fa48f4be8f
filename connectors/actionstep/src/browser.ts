// Browser entry of @astep/actionstep-connector: everything the Mapping Wizard needs to read Actionstep through the
// custom connector, and nothing that needs Node (no token store, loopback redirect or OAuth client: the client
// secret and the Actionstep tokens stay in the connector runtime).
import './runtime/bufferGlobal'; // first: csv-parse needs a global Buffer when it loads
export * from './records';
export { RESOURCES, RESOURCE_NAMES, resourceDef, fromWire, toWire, type ResourceDef, type FieldDef, type LinkDef, type WireIssue } from './resources';
export * from './actionstepClient';
export * from './errors';
export * from './auth/tokenProvider';
export type { HttpRequest, HttpResponse, HttpTransport } from './transport/httpTransport';
export * from './pipeline/retryPolicy';
export type { ActionstepLogger, RequestCountSnapshot, RequestKind } from './pipeline/requestPipeline';
export * from './paging/pagedAsyncIterator';
export * from './trust/trustLedgerFile';
export * from './trust/ledgerTable';
export * from './trust/trustLedgerSource';
export * from './extraction/firmExtraction';
export { ActionstepSource } from './engineSource';
export * from './runtime';
