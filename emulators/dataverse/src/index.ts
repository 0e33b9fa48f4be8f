// Dataverse Web API (v9.2) emulator on SQLite: Entra-style token endpoint, records, alternate keys, $batch, bulk
// actions, Metadata API, ImportSolution, business rules and service protection limits. See README.md.
import { MetadataCatalog } from './metadataCatalog';
import type { EntityMeta, OptionSetMeta, RelationshipMeta } from './metadataTypes';
import { RecordStore } from './recordStore';
import { RecordService, IDS, appUserId } from './recordService';
import { seedEnvironment } from './environmentSeed';
import { EntraTokenEndpoint } from './entraTokenEndpoint';
import { DEFAULT_COST_MODEL, PRODUCTION_LIMITS, ServiceProtection, type CostModel, type ServiceProtectionLimits } from './serviceProtection';
import { WebApiServer, type DataverseCounters, type FaultOptions, emptyCounters } from './webApiServer';
import { BrowserSessions, SESSION_COOKIE } from './browserSessions';
import { stableGuid } from './standardTables';
import { SecurityModel, type RoleDefinition } from './securityRoles';

export { DataverseError, CODES as DATAVERSE_ERROR_CODES } from './errors';
export { parseBatch, serializeBatch, serializeBatchRequest, boundaryOf, hasBareLineFeeds, newBatchResponseBoundary } from './batchMultipart';
export type { BatchItem, BatchRequest, BatchResponse, BatchResponseItem } from './batchMultipart';
export { parseFilter, parseKeyPredicate, splitPath, tokenize, ODataSyntaxError } from './odataFilter';
export type { FilterNode, Literal, Operand, PropertyRef, KeyPredicate } from './odataFilter';
export { DEFAULT_COST_MODEL, PRODUCTION_LIMITS, maxThroughputRecordsPerHour, dopHint, responseDelayMs, ServiceProtection } from './serviceProtection';
export type { CostModel, ServiceProtectionLimits, LoadShape } from './serviceProtection';
export type { FaultOptions, DataverseCounters } from './webApiServer';
export { MetadataCatalog } from './metadataCatalog';
export { appUserId } from './recordService';
export { SESSION_COOKIE } from './browserSessions';
export { connectorInternalId } from './solutionComponents';
export { BUILT_IN_ROLES, type RoleDefinition } from './securityRoles';

/** Defaults, documented in README.md. */
export const DEFAULT_TENANT_ID = '6f0e2a4d-1c3b-4e5a-9d7f-00000000e3a1';
export const DEFAULT_CLIENT = { clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d', clientSecret: 'emulator-client-secret', applicationUserName: '# Actionstep Migration' };

export interface DataverseEmulatorOptions {
  port?: number;
  host?: string;
  dbPath?: string;
  tenantId?: string;
  /** App registrations; each has an application user holding `roles` (default: System Administrator). */
  clients?: Array<{ clientId: string; clientSecret: string; applicationUserName?: string; roles?: string[] }>;
  /** Security roles this environment has besides the built-in ones (created, or imported with a solution, by an admin). */
  roles?: RoleDefinition[];
  systemUsers?: Array<{ fullname: string; email: string; isDisabled: boolean }>;
  limits?: 'production' | 'off' | ServiceProtectionLimits;
  clockScale?: number;
  costModel?: Partial<CostModel>;
  faults?: FaultOptions;
  salesProfessional?: boolean;
  bulkSupportedTables?: string[] | 'all';
  maxUploadFileSize?: number;
  metadataKeyActivationDelayMs?: number;
  /** Delay responses by their execution cost / clockScale. Default: true unless limits are 'off'. */
  simulateExecutionTime?: boolean;
  /** Lifetime of issued tokens in seconds (default 3599). */
  tokenLifetimeSeconds?: number;
  /** Email of the systemuser who signs in through the device code flow (default: the seeded admin). */
  deviceCodeUser?: string;
  /** The Power Platform environment id of this org (RetrieveCurrentOrganization). Default: derived from the tenant. */
  environmentId?: string;
}

export interface DataverseEmulator {
  url: string;
  webApiUrl: string;
  tokenUrl: string;
  tenantId: string;
  /** Base URL used as the token scope resource: `${url}/.default`. */
  scope: string;
  counters(): DataverseCounters;
  resetCounters(): void;
  setFaults(f: FaultOptions): void;
  snapshot(tables?: string[]): Promise<Record<string, Array<Record<string, unknown>>>>;
  /** systemuserid of the application user behind a client id. */
  applicationUserId(clientId: string): string;
  /** The Power Platform environment id (RetrieveCurrentOrganization's Detail.EnvironmentId). */
  environmentId: string;
  /**
   * A browser session of a systemuser (by email), as the org's sign-in leaves it: the cookie to give the browser for
   * this origin. Same-origin calls with it need no bearer token (see browserSessions.ts).
   */
  browserSession(email: string): { name: string; value: string };
  /** What an admin does in the Power Platform admin center: define a role, set a user's roles. */
  defineRole(role: RoleDefinition): void;
  assignRoles(systemUserId: string, roleNames: string[]): void;
  close(): Promise<void>;
}

export async function startDataverseEmulator(o: DataverseEmulatorOptions = {}): Promise<DataverseEmulator> {
  const tenantId = o.tenantId ?? DEFAULT_TENANT_ID;
  const clients = o.clients && o.clients.length ? o.clients : [DEFAULT_CLIENT];
  const clockScale = o.clockScale ?? 1;
  const limits = o.limits === 'off' ? null : o.limits === undefined || o.limits === 'production' ? PRODUCTION_LIMITS : o.limits;
  const cost = { ...DEFAULT_COST_MODEL, ...(o.costModel ?? {}) };
  const maxUploadFileSize = o.maxUploadFileSize ?? 5_242_880;

  const store = new RecordStore(o.dbPath ?? ':memory:');
  const catalog = new MetadataCatalog();
  const saved = store.getMeta('catalog');
  if (saved) {
    catalog.load(JSON.parse(saved) as { entities: EntityMeta[]; optionSets: OptionSetMeta[]; relationships: RelationshipMeta[] });
    // The virtual clock restarts at 0: keys still building restart their activation on the new clock.
    for (const e of catalog.entities.values()) for (const k of e.keys) if (k.status === 'Pending' || k.status === 'InProgress') k.requestedAt = 0;
  }
  for (const e of catalog.entities.values()) store.ensureTable(e);
  catalog.onEntityCreated = (e) => store.ensureTable(e);
  const persistCatalog = () => store.setMeta('catalog', JSON.stringify(catalog.toJSON()));

  const ref: { server?: WebApiServer } = {};
  const users = () => catalog.entityOrThrow('systemuser');
  const security = new SecurityModel(store, (id) => store.peek(users(), id, 'accessmode').value as number | undefined);
  for (const r of o.roles ?? []) security.defineRole(r);
  const service = new RecordService(catalog, store, {
    maxUploadFileSize,
    keyActivationDelayMs: o.metadataKeyActivationDelayMs ?? 3000,
    now: () => ref.server?.virtualNow() ?? 0,
    bulkSupportedTables: o.bulkSupportedTables ?? 'all',
    onMetadataChanged: () => persistCatalog(),
    authorize: (ctx, e, access) => security.demand(ctx.userId, e, access),
  });
  seedEnvironment(service, security, {
    systemUsers: o.systemUsers ?? [],
    appUsers: clients.map((c) => ({ clientId: c.clientId, name: c.applicationUserName ?? `# ${c.clientId}`, roles: ('roles' in c && c.roles) || ['System Administrator'] })),
    maxUploadFileSize,
  });
  persistCatalog();

  let url = '';
  const signInUser = () => {
    const users = catalog.entityOrThrow('systemuser');
    const row = o.deviceCodeUser ? store.findByColumns(users, ['internalemailaddress'], [o.deviceCodeUser])[0] : store.get(users, IDS.admin);
    if (!row) return undefined;
    return { systemUserId: row.id, name: String(row.data.fullname ?? ''), email: String(row.data.internalemailaddress ?? ''), objectId: String(row.data.azureactivedirectoryobjectid) };
  };
  const tokens = new EntraTokenEndpoint(tenantId, clients, () => url, o.tokenLifetimeSeconds ?? 3599, signInUser);
  const environmentId = o.environmentId ?? stableGuid(`environment:${tenantId}`);
  const sessions = new BrowserSessions();
  const server = new WebApiServer({
    catalog,
    service,
    store,
    tokens,
    protection: new ServiceProtection(limits, clockScale),
    cost,
    clockScale,
    simulateExecutionTime: o.simulateExecutionTime ?? limits !== null,
    tenantId,
    salesProfessional: !!o.salesProfessional,
    persistCatalog,
    faults: o.faults ?? {},
    environmentId,
    sessions,
    security,
  });
  ref.server = server;
  await server.listen(o.port ?? 0, o.host ?? '127.0.0.1');
  url = server.url;
  const srv = server;
  return {
    url,
    webApiUrl: srv.webApiUrl,
    tokenUrl: `${url}/${tenantId}/oauth2/v2.0/token`,
    tenantId,
    scope: `${url}/.default`,
    counters: () => JSON.parse(JSON.stringify(srv.counters)) as DataverseCounters,
    resetCounters: () => {
      srv.counters = emptyCounters();
    },
    setFaults: (f) => srv.setFaults(f),
    snapshot: async (tables) => {
      const out: Record<string, Array<Record<string, unknown>>> = {};
      const names = tables ?? [...catalog.entities.values()].filter((e) => !['sdkmessage', 'sdkmessagefilter'].includes(e.logicalName)).map((e) => e.logicalName);
      for (const n of names) {
        const e = catalog.entity(n);
        if (!e) throw new Error(`snapshot: unknown table ${n}`);
        out[n] = store.all(e).map((r) => {
          const clean: Record<string, unknown> = {};
          for (const [k, v] of Object.entries(r.data)) if (!k.includes('@')) clean[k] = v;
          return clean;
        });
      }
      return out;
    },
    applicationUserId: (clientId) => appUserId(clientId),
    environmentId,
    browserSession: (email) => {
      const users = catalog.entityOrThrow('systemuser');
      const row = store.findByColumns(users, ['internalemailaddress'], [email])[0];
      if (!row) throw new Error(`browserSession: no systemuser with the email ${email}`);
      if (row.data.isdisabled === true) throw new Error(`browserSession: ${email} is disabled and cannot sign in`);
      return { name: SESSION_COOKIE, value: sessions.create(row.id) };
    },
    defineRole: (role) => security.defineRole(role),
    assignRoles: (id, names) => security.assign(id, names),
    close: async () => {
      await srv.close();
      persistCatalog();
      store.close();
    },
  };
}
