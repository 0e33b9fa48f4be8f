// The rows a fresh environment has: organization, business unit, team, base currency, admin and application
// users, the configured system users, the sdkmessagefilters that advertise bulk messages; and the solutions table
// that ImportSolution fills.
import { IDS, appUserId, type RecordService } from './recordService';
import { stableGuid } from './standardTables';
import type { SecurityModel } from './securityRoles';

/**
 * Writes a row as the platform itself does (seeding, solution import): no business rules, no API restrictions on
 * read-only columns. User-owned rows belong to the seeded admin, as rows an import creates belong to the importer.
 */
export function putRow(svc: RecordService, logical: string, id: string, data: Record<string, unknown>): void {
  const e = svc.catalog.entityOrThrow(logical);
  const existing = svc.store.get(e, id);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const owner = e.ownership === 'UserOwned' && !existing ? { ownerid: IDS.admin, 'ownerid@lt': 'systemuser', owninguser: IDS.admin, owningbusinessunit: IDS.businessUnit } : {};
  const full: Record<string, unknown> = { [e.primaryIdAttribute]: id, createdon: existing?.data.createdon ?? now, modifiedon: now, statecode: 0, statuscode: 1, ...owner, ...data };
  const version = svc.store.nextVersion();
  full.versionnumber = version;
  if (existing) svc.store.update(e, { id, data: { ...existing.data, ...full }, version });
  else svc.store.insert(e, { id, data: full, version });
}

export function seedEnvironment(svc: RecordService, security: SecurityModel, opts: { systemUsers: Array<{ fullname: string; email: string; isDisabled: boolean }>; appUsers: Array<{ clientId: string; name: string; roles: string[] }>; maxUploadFileSize: number }): void {
  const put = (logical: string, id: string, data: Record<string, unknown>) => putRow(svc, logical, id, data);
  put('transactioncurrency', IDS.currency, { currencyname: 'US Dollar', isocurrencycode: 'USD', currencysymbol: '$', currencyprecision: 2, exchangerate: 1 });
  put('organization', IDS.organization, { name: 'Emulated Organization', maxuploadfilesize: opts.maxUploadFileSize, basecurrencyid: IDS.currency, 'basecurrencyid@lt': 'transactioncurrency' });
  put('businessunit', IDS.businessUnit, { name: 'emulated-org' });
  put('team', IDS.team, { name: 'emulated-org', teamtype: 0, businessunitid: IDS.businessUnit, 'businessunitid@lt': 'businessunit' });
  const user = (id: string, fullname: string, email: string, extra: Record<string, unknown>) => {
    const [first, ...rest] = fullname.split(' ');
    put('systemuser', id, {
      fullname,
      firstname: rest.length ? first : null,
      lastname: rest.length ? rest.join(' ') : fullname,
      internalemailaddress: email,
      domainname: email,
      isdisabled: false,
      accessmode: 0,
      azureactivedirectoryobjectid: stableGuid(`aad:${id}`),
      businessunitid: IDS.businessUnit,
      'businessunitid@lt': 'businessunit',
      ...extra,
    });
  };
  user(IDS.admin, 'Emulator Admin', 'admin@emulator.local', {});
  security.assign(IDS.admin, ['System Administrator']);
  // The firm's people sell: they edit accounts, contacts, opportunities, activities and notes, nothing else.
  for (const u of opts.systemUsers) {
    const id = stableGuid(`seed:systemuser:${u.email.toLowerCase()}`);
    user(id, u.fullname, u.email, { isdisabled: u.isDisabled });
    security.assign(id, ['Salesperson']);
  }
  for (const a of opts.appUsers) {
    user(appUserId(a.clientId), a.name, `${a.clientId}@emulator.local`, { applicationid: a.clientId.toLowerCase(), accessmode: 4, domainname: null });
    security.assign(appUserId(a.clientId), a.roles);
  }
  put('sdkmessage', IDS.msgCreateMultiple, { name: 'CreateMultiple' });
  put('sdkmessage', IDS.msgUpdateMultiple, { name: 'UpdateMultiple' });
  seedBulkFilters(svc);
}

/** sdkmessagefilters rows for CreateMultiple/UpdateMultiple on every table that supports them. */
export function seedBulkFilters(svc: RecordService): void {
  const f = svc.catalog.entityOrThrow('sdkmessagefilter');
  for (const e of svc.catalog.entities.values()) {
    for (const [msgId, name] of [
      [IDS.msgCreateMultiple, 'CreateMultiple'],
      [IDS.msgUpdateMultiple, 'UpdateMultiple'],
    ]) {
      const id = stableGuid(`seed:filter:${name}:${e.logicalName}`);
      const exists = svc.store.get(f, id);
      if (svc.bulkSupported(e) && !exists)
        svc.store.insert(f, { id, version: svc.store.nextVersion(), data: { sdkmessagefilterid: id, name: `${name} ${e.logicalName}`, primaryobjecttypecode: e.logicalName, sdkmessageid: msgId, 'sdkmessageid@lt': 'sdkmessage', statecode: 0, statuscode: 1 } });
      if (!svc.bulkSupported(e) && exists) svc.store.delete(f, id);
    }
  }
}

export function recordSolution(svc: RecordService, uniqueName: string, version: string, managed: boolean, friendlyName: string): void {
  const e = svc.catalog.entityOrThrow('solution');
  const id = stableGuid(`solution:${uniqueName}`);
  const existing = svc.store.get(e, id);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const data = { ...(existing?.data ?? { createdon: now }), solutionid: id, uniquename: uniqueName, friendlyname: friendlyName, version, ismanaged: managed, installedon: now, modifiedon: now, statecode: 0, statuscode: 1 };
  const ver = svc.store.nextVersion();
  (data as Record<string, unknown>).versionnumber = ver;
  if (existing) svc.store.update(e, { id, data, version: ver });
  else svc.store.insert(e, { id, data, version: ver });
}
