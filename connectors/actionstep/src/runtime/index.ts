// Browser-side pieces of the Actionstep connection through the Power Platform connector runtime.
export * from './browserFetchHttpTransport';
export * from './connectorRuntimeConnections';
export * from './connectorRuntimeTokenProvider';
