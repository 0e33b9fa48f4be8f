// Browser entry: everything that runs inside Dynamics (no Node modules, no msal-node).
export * from './types';
export { DataverseError, KeyFormatError, CredentialError, CREDENTIAL_ERROR_CODE, parseRetryAfterMs } from './errors';
export { formatKey, keyLiteral, isGuid, forbiddenKeyCharacters, FORBIDDEN_KEY_CHARACTERS, idFromEntityUrl } from './formatKey';
export { writeBatch, readBatch } from './batchCodec';
export { AdaptiveConcurrency, SERVICE_CONCURRENCY_LIMIT } from './adaptiveConcurrency';
export { ThrottleGate } from './throttleGate';
export { DataverseApi, queryString } from './dataverseApi';
export type { ClientStats, RetrieveMultipleQuery, SendOptions, WhoAmIResult } from './dataverseApi';
export { DataverseClient, createFetchTransport } from './dataverseClient';
export type { DataverseClientOptions, RequestRecord } from './dataverseClient';
export { DataverseClientPool } from './clientPool';
export type { PoolIdentity, DataverseClientPoolOptions, IdentityStatus } from './clientPool';
export { BulkWriter, tableSupportsBulk } from './bulkWriter';
export type { BulkWriterOptions, TableRef, UpsertTarget, WriteOutcome, WriteResult, WriteProgress } from './bulkWriter';
export { MetadataProvisioner } from './metadataProvisioner';
export type { ProvisioningChange, ProvisioningChangeKind, MetadataProvisionerOptions, ApplyOptions } from './metadataProvisioner';
export { createBrowserTransport, createSameOriginSessionCredential } from './browserTransport';
export { DataverseSink } from './engineSink';
