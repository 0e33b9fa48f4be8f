/// <reference types="xrm" />
// Stand-in for the platform's Xrm.WebApi (and a control's context.webAPI, which has the same record methods), as a
// model-driven page has it: same-origin calls to the org's Web API authenticated by the session cookie the browser
// holds (no token in script), the entity set name looked up from the table's metadata, every annotation asked for
// (Prefer: odata.include-annotations="*", which gives the lookups' logical names and formatted values), paging by
// odata.maxpagesize with the nextLink handed back; errors reject with the Web API's message and code.
// (learn.microsoft.com power-apps/developer/model-driven-apps/clientapi/reference/xrm-webapi)

export interface WebApiCall {
  method: string;
  path: string;
}

export function xrmWebApiStandIn(orgUrl: string, calls: WebApiCall[] = []): Xrm.WebApi {
  const base = `${orgUrl.replace(/\/+$/, '')}/api/data/v9.2/`;
  const sets = new Map<string, Promise<string>>();

  const send = async (method: string, path: string, body?: unknown, prefer: string[] = []): Promise<Response> => {
    calls.push({ method, path });
    const res = await fetch(`${base}${path}`, {
      method,
      credentials: 'same-origin',
      headers: {
        accept: 'application/json', 'OData-Version': '4.0', 'OData-MaxVersion': '4.0',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(prefer.length ? { Prefer: prefer.join(',') } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) {
      const text = await res.text();
      let error: { code?: string; message?: string } = {};
      try {
        error = (JSON.parse(text) as { error?: typeof error }).error ?? {};
      } catch {
        error = { message: text.slice(0, 200) };
      }
      throw Object.assign(new Error(error.message ?? `HTTP ${res.status}`), { errorCode: res.status, code: error.code, message: error.message ?? `HTTP ${res.status}` });
    }
    return res;
  };

  const entitySet = (logicalName: string): Promise<string> => {
    let set = sets.get(logicalName);
    if (!set) {
      set = send('GET', `EntityDefinitions(LogicalName='${logicalName}')?$select=EntitySetName`).then(async (r) => ((await r.json()) as { EntitySetName: string }).EntitySetName);
      sets.set(logicalName, set);
    }
    return set;
  };
  const bare = (id: string) => id.replace(/[{}]/g, '');
  const query = (options?: string) => (options ? (options.startsWith('?') ? options : `?${options}`) : '');
  const ANNOTATIONS = 'odata.include-annotations="*"';

  const api = {
    async retrieveRecord(entityLogicalName: string, id: string, options?: string) {
      const r = await send('GET', `${await entitySet(entityLogicalName)}(${bare(id)})${query(options)}`, undefined, [ANNOTATIONS]);
      return r.json();
    },
    async retrieveMultipleRecords(entityLogicalName: string, options?: string, maxPageSize?: number) {
      const r = await send('GET', `${await entitySet(entityLogicalName)}${query(options)}`, undefined, [ANNOTATIONS, ...(maxPageSize ? [`odata.maxpagesize=${maxPageSize}`] : [])]);
      const body = (await r.json()) as { value: unknown[]; '@odata.nextLink'?: string };
      return { entities: body.value, nextLink: body['@odata.nextLink'] };
    },
    async createRecord(entityLogicalName: string, data: Record<string, unknown>) {
      const r = await send('POST', await entitySet(entityLogicalName), data);
      const location = r.headers.get('OData-EntityId') ?? '';
      return { entityType: entityLogicalName, id: /\(([0-9a-f-]{36})\)$/i.exec(location)?.[1] ?? '' };
    },
    async updateRecord(entityLogicalName: string, id: string, data: Record<string, unknown>) {
      await send('PATCH', `${await entitySet(entityLogicalName)}(${bare(id)})`, data);
      return { entityType: entityLogicalName, id: bare(id) };
    },
    async deleteRecord(entityLogicalName: string, id: string) {
      await send('DELETE', `${await entitySet(entityLogicalName)}(${bare(id)})`);
      return { entityType: entityLogicalName, id: bare(id) };
    },
    isAvailableOffline: () => false,
    online: {},
    offline: {},
  };
  return api as unknown as Xrm.WebApi;
}
