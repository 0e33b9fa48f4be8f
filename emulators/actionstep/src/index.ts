// Public entry of the Actionstep emulator: start it on loopback with a generated firm loaded into SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RecordsByResource, ResourceName } from '@astep/actionstep-connector/records';
import { RESOURCES, fromWire, resourceDef, toWire, type WireObject } from '@astep/actionstep-connector/resources';
import { FaultInjector, type FaultOptions } from './faults';
import { generateFirm, type FirmSize, type GeneratedFirm } from './generator';
import { localTimestamp } from './generator/time';
import { OAuthServer } from './oauth';
import { TokenBucketLimiter, type RateLimitOptions } from './rateLimit';
import { ActionstepHttpServer, emptyCounters, type EmulatorCounters } from './server';
import { trustLedgerExport, type TrustExport, type TrustExportOptions } from './trustExport';
import { FirmStore, overlayCanonical } from './store';

export type { FaultOptions } from './faults';
export type { RateLimitOptions } from './rateLimit';
export type { EmulatorCounters } from './server';
export { FILE_PART_BYTES } from './server';
export type { TrustExport, TrustExportLayout, TrustExportOptions } from './trustExport';
export * from './generator';

/** Defaults the CLI writes to its config (they are test credentials of a local emulator, not secrets of anything). */
export const DEFAULT_CLIENT_ID = 'astep-emulator-client';
export const DEFAULT_CLIENT_SECRET = 'astep-emulator-secret';

export interface ActionstepEmulatorOptions {
  firm: FirmSize;
  seed?: number;
  messyRate?: number;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** SQLite file; default in-memory for tiny and demo, a temporary file (removed on close) for medium, large and xl
   *  so the firm is never held in memory. An existing file is rebuilt from the generator. */
  dbPath?: string;
  clientId?: string;
  clientSecret?: string;
  /** Exact redirect URIs; default: any loopback http URL. */
  redirectUris?: string[];
  /** Default 3600 (the lifetime has varied between 1800 and 28800 on the real service). */
  accessTokenTtlSeconds?: number;
  /** Default 21 days. */
  refreshTokenTtlSeconds?: number;
  rateLimit?: RateLimitOptions;
  faults?: FaultOptions;
  /** A collection with exactly one record is sent as a bare object (default true, as the real API does). */
  singleObjectQuirk?: boolean;
  /**
   * Users (ids) nominated on every restricted matter, as a firm does for the users a migration signs in as: restricted
   * matters are visible only to their creator and nominated users (reference §1 "User-centric model"), so sign-ins
   * that must see the same matters need the same nominations. Default none: the generated nominations only.
   */
  nominatedOnAllMatters?: string[];
}

export interface EmulatorMutations {
  /** Updates normalized fields; bumps the resource's modified timestamp (if it has one) unless the patch sets it. */
  update<R extends ResourceName>(resource: R, id: string, patch: Partial<RecordsByResource[R]>): void;
  /** Inserts a normalized record; an empty id gets the next integer id. Returns the id. */
  insert<R extends ResourceName>(resource: R, record: RecordsByResource[R]): string;
  /** Matters and documents are soft-deleted (isDeleted, deletedBy, deletedTimestamp); other records vanish. `hard`
   *  removes any record. */
  remove(resource: ResourceName, id: string, options?: { hard?: boolean }): void;
}

export interface ActionstepEmulator {
  /** http://127.0.0.1:PORT/ */
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** The api_endpoint value; ends with /api/. */
  apiEndpoint: string;
  clientId: string;
  clientSecret: string;
  firm: GeneratedFirm;
  counters(): EmulatorCounters;
  resetCounters(): void;
  setFaults(f: FaultOptions): void;
  mutate: EmulatorMutations;
  /**
   * The trust ledger report file as a person exports it from Actionstep's UI (Actionstep has no trust API), with the
   * matters that user may see (default: the firm's administrator).
   */
  exportTrustLedger(options: TrustExportOptions & { userId?: string }): Promise<TrustExport>;
  close(): Promise<void>;
}

export async function startActionstepEmulator(o: ActionstepEmulatorOptions): Promise<ActionstepEmulator> {
  const firm = generateFirm({ size: o.firm, seed: o.seed, messyRate: o.messyRate });
  let tempDir: string | null = null;
  let dbPath = o.dbPath;
  if (!dbPath && o.firm !== 'tiny' && o.firm !== 'demo') {
    tempDir = mkdtempSync(join(tmpdir(), 'astep-actionstep-'));
    dbPath = join(tempDir, 'actionstep.sqlite');
  }
  const removeTemp = (): void => {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  };
  const store = new FirmStore(dbPath ?? ':memory:');
  try {
    store.load(firm, { nominatedOnAllMatters: o.nominatedOnAllMatters });
  } catch (e) {
    store.close();
    removeTemp();
    throw e;
  }
  const clientId = o.clientId ?? DEFAULT_CLIENT_ID;
  const clientSecret = o.clientSecret ?? DEFAULT_CLIENT_SECRET;
  let counters = emptyCounters();
  const faults = new FaultInjector(o.faults);
  const oauth = new OAuthServer({
    clientId, clientSecret, redirectUris: o.redirectUris ?? [], accessTokenTtlSeconds: o.accessTokenTtlSeconds ?? 3600,
    refreshTokenTtlSeconds: o.refreshTokenTtlSeconds ?? 21 * 86400, apiEndpoint: '', orgKey: firm.orgKey,
  });
  const http = new ActionstepHttpServer({
    firm, store, oauth, limiter: new TokenBucketLimiter(o.rateLimit), faults, counters: () => counters,
    singleObjectQuirk: o.singleObjectQuirk ?? true,
  });
  let url: string;
  try {
    url = await http.listen(o.port ?? 0, o.host ?? '127.0.0.1');
  } catch (e) {
    store.close();
    removeTemp();
    throw e;
  }
  const apiEndpoint = `${url}api/`;
  oauth.config.apiEndpoint = apiEndpoint;
  const adminName = firm.users.find((u) => u.id === firm.adminUserId)?.displayName ?? 'Admin';

  const mutate: EmulatorMutations = {
    update(resource, id, patch) {
      const def = resourceDef(resource);
      const row = store.get(resource, id);
      if (!row) throw new Error(`mutate.update: no ${resource} record with id '${id}'.`);
      const rec = { ...fromWire(resource, row.wire), ...patch } as Record<string, unknown>;
      const modified = def.fields.find((f) => f.name === def.modifiedField);
      if (modified?.record && !(modified.record in patch)) rec[modified.record] = localTimestamp(Date.now());
      const wire: WireObject = overlayCanonical(resource, row.wire, toWire(resource, rec as never));
      store.replace(resource, wire);
    },
    insert(resource, record) {
      const def = RESOURCES[resource];
      const rec = { ...record } as Record<string, unknown>;
      if (!rec.id) rec.id = String(store.nextIntegerId(resource));
      const wire = toWire(resource, rec as never, resource === 'users' ? { extras: { isCurrent: 'F' } } : {});
      if (def.idKind !== 'integer' && !wire.id) throw new Error(`mutate.insert: ${resource} needs a composite id.`);
      store.insert(resource, wire);
      return String(rec.id);
    },
    remove(resource, id, options = {}) {
      if (!options.hard && (resource === 'actions' || resource === 'actiondocuments')) {
        const now = localTimestamp(Date.now());
        const patch: Record<string, unknown> = { isDeleted: true, modifiedTimestamp: now };
        if (resource === 'actions') Object.assign(patch, { deletedBy: adminName, deletedTimestamp: now });
        mutate.update(resource, id, patch as never);
        return;
      }
      if (!store.delete(resource, id)) throw new Error(`mutate.remove: no ${resource} record with id '${id}'.`);
    },
  };

  return {
    url, authorizeUrl: `${url}api/oauth/authorize`, tokenUrl: `${url}api/oauth/token`, apiEndpoint,
    clientId, clientSecret, firm,
    counters: () => counters,
    resetCounters: () => {
      counters = emptyCounters();
    },
    setFaults: (f) => faults.set(f),
    mutate,
    exportTrustLedger: (options) => trustLedgerExport([...store.trustRows(options.userId ?? firm.adminUserId)], firm.seed, options),
    close: async () => {
      await http.close();
      store.close();
      removeTemp();
    },
  };
}
