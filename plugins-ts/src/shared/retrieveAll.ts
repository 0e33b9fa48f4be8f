// Every page of a Web API query through Xrm.WebApi: the platform returns at most `maxPageSize` rows per call
// and a nextLink whose query part asks for the next page.

/** Bounded so a runaway query cannot hang the form: 20 pages of 500 is far more than one record's matters. */
export const MAX_PAGES = 20;

export interface RetrieveAllResult<T> {
  entities: T[];
  /** True when MAX_PAGES was reached and more rows exist. */
  truncated: boolean;
}

export async function retrieveAll<T = Record<string, unknown>>(entityLogicalName: string, query: string, pageSize = 500): Promise<RetrieveAllResult<T>> {
  const entities: T[] = [];
  let options: string | undefined = query;
  for (let page = 0; page < MAX_PAGES && options !== undefined; page++) {
    const result: Xrm.RetrieveMultipleResult = await Xrm.WebApi.retrieveMultipleRecords(entityLogicalName, options, pageSize);
    entities.push(...(result.entities as T[]));
    options = result.nextLink ? result.nextLink.slice(result.nextLink.indexOf('?')) : undefined;
  }
  return { entities, truncated: options !== undefined };
}

/** The record id without braces, lower case, or null on an unsaved (create) form. */
export function recordId(formContext: Xrm.FormContext): string | null {
  const id = formContext.data?.entity?.getId?.() ?? '';
  const clean = id.replace(/[{}]/g, '').toLowerCase();
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(clean) ? clean : null;
}

/** Formatted value annotation the Web API returns next to a lookup, choice or money column. */
export const formatted = (row: Record<string, unknown>, column: string): string | undefined => {
  const v = row[`${column}@OData.Community.Display.V1.FormattedValue`];
  return typeof v === 'string' ? v : undefined;
};

/** Replaces a form notification (setFormNotification alone keeps an older one with the same id). */
export function showNotification(formContext: Xrm.FormContext, message: string, level: Xrm.FormNotificationLevel, uniqueId: string): void {
  formContext.ui.clearFormNotification(uniqueId);
  formContext.ui.setFormNotification(message, level, uniqueId);
}

export const errorText = (e: unknown): string => (e && typeof e === 'object' && 'message' in e ? String((e as { message: unknown }).message) : String(e));
