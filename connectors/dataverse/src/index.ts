// Node entry of @astep/dataverse-connector: the browser-safe API plus the Node transport and msal-node credentials.
// Browser bundles import `@astep/dataverse-connector/browser` instead.
export * from './browser';
export * from './node';
