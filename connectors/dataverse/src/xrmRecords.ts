/// <reference types="xrm" />
// Typed record access inside Dynamics: dataverse-ify's XrmContextDataverseClient over Xrm.WebApi (the page's own
// session; no token in sight), with the early-bound metadata generated from the schema as code. Reads and small
// writes of browser code go through here; bulk writes stay on the bulk loader (BulkWriter), which batches through
// UpsertMultiple / $batch, something Xrm.WebApi does not offer. Only dataverse-ify's browser modules are imported:
// its package index also loads its Node client (msal-node, node-fetch).
import { XrmContextDataverseClient } from 'dataverse-ify/lib/dataverse-ify/DataverseClient/XrmContextDataverseClient';
import { setMetadataCache } from 'dataverse-ify/lib/metadata/MetadataCache';
import type { EntityCollection } from 'dataverse-ify/lib/types/EntityCollection';
import type { IEntity } from 'dataverse-ify/lib/types/IEntity';
import { metadataCache } from '@astep/solution/generated/earlyBound';

export type { IEntity };

/**
 * The record operations dataverse-ify calls: Xrm.WebApi in form scripts and web resources, or a code component's own
 * context.webAPI (the PCF WebAPI: createRecord, deleteRecord, retrieveMultipleRecords, retrieveRecord, updateRecord;
 * learn.microsoft.com power-apps/developer/component-framework/reference/webapi), which has the same signatures.
 */
export type RecordsWebApi = Pick<Xrm.WebApi, 'createRecord' | 'deleteRecord' | 'retrieveMultipleRecords' | 'retrieveRecord' | 'updateRecord'>;

/** A typed client over the given Web API (default: the page's Xrm.WebApi). */
export function xrmRecords(webApi: RecordsWebApi = Xrm.WebApi): XrmContextDataverseClient {
  // dataverse-ify reads types and entity sets from a module-level cache: set ours (idempotent).
  setMetadataCache(metadataCache);
  // Only execute()/executeMultiple() use Xrm.WebApi.online, and nothing here calls them.
  return new XrmContextDataverseClient(webApi as Xrm.WebApi);
}

/**
 * Every page of an OData query, `pageSize` records at a time: Xrm.WebApi returns a nextLink whose query part is the
 * next request ("To retrieve the next set of records, pass the query portion of the nextLink URL to the options
 * parameter": learn.microsoft.com power-apps/developer/model-driven-apps/clientapi/reference/xrm-webapi/
 * retrievemultiplerecords). Memory stays at one page.
 */
export async function* recordPages<T extends IEntity>(client: XrmContextDataverseClient, logicalName: string, query: string, pageSize: number): AsyncGenerator<T[]> {
  let options: string | undefined = query;
  while (options !== undefined) {
    const page: EntityCollection<T> = await client.retrieveMultiple<T>(options, { logicalName, maxPageSize: pageSize });
    yield page.entities;
    options = page.nextLink ? nextOptions(page.nextLink) : undefined;
  }
}

/** The query part (`?...`) of a nextLink URL. */
export function nextOptions(nextLink: string): string {
  const q = nextLink.indexOf('?');
  if (q < 0) throw new Error(`The Web API returned a nextLink without a query: ${nextLink}`);
  return nextLink.slice(q);
}

/**
 * A date column as dataverse-ify returns it, or null: it turns every value of a date column into a Date, so a null
 * column becomes an Invalid Date rather than null.
 */
export function dateOrNull(value: Date | null | undefined): Date | null {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : null;
}

/** The platform's message of a failed write (dataverse-ify prefixes updates with "Error during update:"). */
export function recordErrorMessage(e: unknown): string {
  return String((e as Error)?.message ?? e).replace(/^Error during update:\s*/, '');
}

/** OData string literal ('' escapes a quote). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
