// Browser-side pieces of the Actionstep connection through the Power Platform: sign-in (msal-browser), the
// connections API and the connector runtime.
export * from './browserFetchHttpTransport';
export * from './connectorRuntimeConnections';
export * from './connectorRuntimeTokenProvider';
export * from './platformSignIn';
