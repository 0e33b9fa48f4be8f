// Both emulators on 127.0.0.1 and a ready configuration file for the steps, so a firm can rehearse offline.
import crypto from 'node:crypto';
import path from 'node:path';
import { generateFirm, startActionstepEmulator, type ActionstepEmulator, type RateLimitOptions } from '@astep/actionstep-emulator';
import { startDataverseEmulator, type DataverseEmulator } from '@astep/dataverse-emulator';
import type { MigrationConfig } from './config';
import { privateDir, writePrivateFile } from './state/privateFiles';
import { SCHEMA } from '@astep/solution/schema';
import { ROLE_NAME, adminRole } from '@astep/solution/ui/role';

export type FirmSize = 'tiny' | 'demo' | 'medium' | 'large' | 'xl';

export interface EmulateOptions {
  firm: FirmSize;
  seed: number;
  faults: number;
  limits: 'production' | 'off';
  actionstepPort?: number;
  dataversePort?: number;
  stateDir: string;
  /**
   * Dataverse clock scale: how much faster than real time the emulator's virtual clock runs (service-protection
   * window, execution costs, Retry-After). Default 60 (a 300 s window lasts 5 s: the limits rarely bind).
   */
  clockScale?: number;
  /** Dataverse application users to register and list in the config (default 1: the single-user form). */
  appUsers?: number;
  licenseTier?: 'SalesProfessional' | 'SalesEnterprise' | 'SalesPremium';
  /**
   * Actionstep sign-ins to list in the config (default 1: the single form, as the firm's administrator). Several are
   * the firm's first active users, each nominated on every restricted matter (so that all of them see the same
   * matters, as the firm must arrange before a migration reads through several users).
   */
  actionstepSessions?: number;
  /** Replaces the Actionstep emulator's rate limits (benchmarks pace it per session). */
  actionstepRateLimit?: RateLimitOptions;
  /** Written to the config as actionstep.requestsPerSecond (the pace per sign-in the client keeps to). */
  actionstepRequestsPerSecond?: number;
  /**
   * The trust ledger export the emulator writes into the state folder, as a firm downloads it from Actionstep's UI, and
   * names in the config (default csv); `none`: the config names no ledger (trust is then not migrated).
   */
  trustLedger?: 'csv' | 'xlsx' | 'none';
  /** More app registrations in the same environment (tests: another app that must not read the audit). */
  extraClients?: Array<{ clientId: string; clientSecret: string; applicationUserName?: string; roles?: string[] }>;
}

export interface RunningEmulators {
  actionstep: ActionstepEmulator;
  dataverse: DataverseEmulator;
  config: MigrationConfig;
  configPath: string;
  close(): Promise<void>;
}

export const DEMO_TENANT = '00000000-0000-4000-8000-00000000a57e';
/** `emulate`/`demo` run Dataverse's virtual clock 60× faster than real time unless told otherwise. */
export const DEFAULT_CLOCK_SCALE = 60;

export async function startEmulators(o: EmulateOptions): Promise<RunningEmulators> {
  privateDir(o.stateDir);
  const faultRate = Math.max(0, Math.min(o.faults, 0.5));
  const sessions = Math.max(1, o.actionstepSessions ?? 1);
  const signInUsers = sessions > 1 ? generateFirm({ size: o.firm, seed: o.seed }).users.filter((u) => u.isActive).slice(0, sessions) : [];
  if (sessions > 1 && signInUsers.length < sessions) throw new Error(`the ${o.firm} firm has ${signInUsers.length} active users: it cannot sign in ${sessions}`);
  const actionstep = await startActionstepEmulator({
    nominatedOnAllMatters: signInUsers.map((u) => u.id),
    firm: o.firm,
    seed: o.seed,
    port: o.actionstepPort ?? 0,
    host: '127.0.0.1',
    dbPath: o.firm === 'tiny' || o.firm === 'demo' ? undefined : path.join(o.stateDir, 'actionstep-emulator.db'),
    faults: faultRate > 0 ? actionstepFaults(faultRate, o.seed) : undefined,
    // Actionstep publishes no rate-limit numbers (reference section 6). The emulator's own default (15 requests/s per
    // session) is deliberately harsh and is what the connector's tests run under; "production" here is a moderate
    // 60/s per session (org 80/s, IP 100/s), still with 429s and Retry-After when exceeded. Off means off.
    rateLimit: o.actionstepRateLimit ?? (o.limits === 'off'
      ? { enabled: false }
      : { sessionPerSecond: 60, sessionBurst: 120, orgPerSecond: 80, orgBurst: 160, ipPerSecond: 100, ipBurst: 200 }),
  });
  // Each application user is its own app registration in the emulator (its own systemuser and its own limits).
  const appUsers = Array.from({ length: Math.max(1, o.appUsers ?? 1) }, (_, i) => ({
    clientId: i === 0 ? 'astep-migration-app' : `astep-migration-app-${i + 1}`,
    clientSecret: crypto.randomBytes(24).toString('base64url'),
    applicationUserName: i === 0 ? 'Actionstep Migration (application user)' : `Actionstep Migration (application user ${i + 1})`,
  }));
  const firm = actionstep.firm as unknown as { dataverseUsers?: Array<{ fullname: string; email: string; isDisabled: boolean }>; timeZone?: string };
  const dataverse = await startDataverseEmulator({
    port: o.dataversePort ?? 0,
    host: '127.0.0.1',
    tenantId: DEMO_TENANT,
    // As an admin sets it up: the solution's "Actionstep Migration Administrator" role (what loading, auditing and
    // rollback need) and System Customizer (provisioning creates tables and columns), nothing more; the same roles for
    // every application user, so no write depends on which identity the pool sent it through.
    roles: [{ name: ROLE_NAME, privileges: adminRole(SCHEMA).privileges.map((p) => p.name) }],
    clients: [
      ...appUsers.map((u) => ({ ...u, roles: ['System Customizer', ROLE_NAME] })),
      ...(o.extraClients ?? []),
    ],
    systemUsers: firm.dataverseUsers ?? [],
    limits: o.limits,
    clockScale: o.clockScale ?? DEFAULT_CLOCK_SCALE,
    faults: faultRate > 0 ? dataverseFaults(faultRate, o.seed) : undefined,
  });

  // Actionstep has no trust API: the firm exports the Trust Account Ledgers report and gives us the file.
  let trustLedgerFile: string | undefined;
  if ((o.trustLedger ?? 'csv') !== 'none') {
    const exported = await actionstep.exportTrustLedger({ format: o.trustLedger === 'xlsx' ? 'xlsx' : 'csv' });
    trustLedgerFile = path.join(o.stateDir, exported.fileName);
    writePrivateFile(trustLedgerFile, exported.bytes);
  }

  const config: MigrationConfig = {
    stateDir: path.join(o.stateDir, 'engine'),
    outDir: path.join(o.stateDir, 'out'),
    actionstep: {
      authorizeUrl: actionstep.authorizeUrl,
      tokenUrl: actionstep.tokenUrl,
      clientId: actionstep.clientId,
      clientSecret: actionstep.clientSecret,
      scopes: ['all'],
      signIn: 'followRedirect',
      // One sign-in: the single form (the emulator consents as the firm's administrator); several: one per user.
      ...(sessions === 1
        ? { tokenStore: { path: path.join(o.stateDir, 'engine', 'actionstep-tokens.enc'), passphrase: crypto.randomBytes(18).toString('base64url') } }
        : {
          sessions: signInUsers.map((u, i) => ({
            loginHint: u.emailAddress ?? undefined,
            tokenStore: { path: path.join(o.stateDir, 'engine', `actionstep-tokens-${i + 1}.enc`), passphrase: crypto.randomBytes(18).toString('base64url') },
          })),
        }),
      ...(trustLedgerFile ? { trustLedgerFile } : {}),
      ...(o.actionstepRequestsPerSecond ? { requestsPerSecond: o.actionstepRequestsPerSecond } : {}),
    },
    dataverse: {
      webApiUrl: dataverse.webApiUrl,
      tenantId: dataverse.tenantId,
      // One application user: the single form; several: the list, each entry an app registration of its own.
      ...(appUsers.length === 1
        ? { clientId: appUsers[0].clientId, clientSecret: appUsers[0].clientSecret }
        : { applicationUsers: appUsers.map((u) => ({ clientId: u.clientId, clientSecret: u.clientSecret })) }),
      tokenEndpointOrigin: dataverse.url,
      licenseTier: o.licenseTier ?? 'SalesEnterprise',
    },
    migration: { timeZone: firm.timeZone ?? 'UTC' },
  };
  const configPath = path.join(o.stateDir, 'astep-migrate.config.json');
  writePrivateFile(configPath, JSON.stringify(config, null, 2) + '\n');
  return {
    actionstep, dataverse, config, configPath,
    async close() {
      await Promise.allSettled([actionstep.close(), dataverse.close()]);
    },
  };
}

/** An overall fault rate split across the kinds the Actionstep emulator injects (5xx, resets, slow, expired tokens). */
function actionstepFaults(rate: number, seed: number) {
  const each = rate / 4;
  return { seed, serverErrorRate: each, connectionResetRate: each, slowRate: each, slowMs: 150, tokenExpiryRate: each / 4 };
}

/** An overall fault rate split across the kinds the Dataverse emulator injects (503, resets, slow, 429, expired tokens). */
function dataverseFaults(rate: number, seed: number) {
  const each = rate / 5;
  return { seed, serviceUnavailableRate: each, connectionResetRate: each, slowRate: each, slowResponseMs: 150, throttleRate: each, expiredTokenRate: each / 4 };
}
