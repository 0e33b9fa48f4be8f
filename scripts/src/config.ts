// The configuration file: endpoints, credential references and plan options, validated with a JSON schema (ajv).
// Secrets are given as references ({"env": "NAME"} or {"file": "path"}); an inline string works too, and every
// secret is redacted whenever the configuration is printed or logged.
import Ajv, { type ErrorObject } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import { LICENSE_TIERS, MIGRATION_OPTIONS_SCHEMA, type LicenseTier, type MigrationOptions } from '@astep/orchestrator/options';

export type SecretRef = string | { env: string } | { file: string };

/** A certificate registered on the Entra app: its private key (PEM, usually `{"file": ...}`) and thumbprint. */
export interface CertificateRef {
  privateKey: SecretRef;
  /** SHA-256 thumbprint (hex), what Entra shows for new certificates; or the SHA-1 `thumbprint`. */
  thumbprintSha256?: string;
  thumbprint?: string;
  /** The public certificate chain (PEM), sent as x5c for subject-name/issuer authentication. */
  x5c?: string;
}

/** One Dataverse application user: an Entra app (client id) with a secret or a certificate. */
export interface ApplicationUserConfig {
  /** Default: dataverse.tenantId. */
  tenantId?: string;
  clientId: string;
  clientSecret?: SecretRef;
  certificate?: CertificateRef;
}

export interface TokenStoreConfig {
  path: string;
  passphrase: SecretRef;
}

/** One Actionstep sign-in: a user of the firm, with the file its tokens are kept in. */
export interface ActionstepSignInConfig {
  /** Email of the user who signs in (pre-selects the account; the emulator consents at once for it). */
  loginHint?: string;
  tokenStore: TokenStoreConfig;
  redirectPort?: number;
}

export interface MigrationConfig {
  stateDir: string;
  outDir?: string;
  actionstep: {
    authorizeUrl: string;
    tokenUrl: string;
    clientId: string;
    clientSecret: SecretRef;
    scopes?: string[];
    /** One sign-in: email of the user who signs in (pre-selects the account; the emulator consents at once for it). */
    loginHint?: string;
    /** How the sign-in page is opened: a browser for people, or an HTTP GET that follows the redirect (emulator). */
    signIn?: 'browser' | 'followRedirect';
    redirectPort?: number;
    /**
     * The Trust Account Ledgers report exported from Actionstep's UI (CSV or .xlsx), relative to this file: Actionstep
     * has no trust API. Without it everything else migrates and the trust columns stay empty.
     */
    trustLedgerFile?: string;
    /** One sign-in: where its tokens are kept (encrypted). */
    tokenStore?: TokenStoreConfig;
    /**
     * Several sign-ins instead (not both forms), each a different Actionstep user who sees the same matters: Actionstep
     * limits requests per user session, so each brings its own budget and the extraction spreads its pages across them.
     */
    sessions?: ActionstepSignInConfig[];
    /** Requests in flight per sign-in. */
    maxConcurrency?: number;
    /**
     * Requests per second per sign-in, when the firm knows its pace (Actionstep publishes no limits; one production
     * integration runs one request every 2 s). The client never goes faster, and the plan estimates with it.
     */
    requestsPerSecond?: number;
    /** Records per page (at most 200, what Actionstep serves; smaller pages answer sooner on a slow server). */
    pageSize?: number;
  };
  dataverse: {
    webApiUrl: string;
    /** The environment's tenant; each application user may name its own. */
    tenantId?: string;
    /** One application user: clientId with clientSecret or certificate. */
    clientId?: string;
    clientSecret?: SecretRef;
    certificate?: CertificateRef;
    /**
     * Several application users instead (not both forms): requests are spread across them, each with its own
     * service-protection budget (limits are per user).
     */
    applicationUsers?: ApplicationUserConfig[];
    authorityHost?: string;
    /** Send msal-node's token requests to this origin instead (an emulator; msal refuses http authorities). */
    tokenEndpointOrigin?: string;
    licenseTier?: LicenseTier;
    /** Requests in flight per application user (at most 52, the per-user limit). */
    maxConcurrency?: number;
  };
  /** Plan options (the orchestrator's vocabulary); what is left out gets the plan's recommendation or the default. */
  migration?: Partial<MigrationOptions>;
}

/** An http(s) URL with a host: `"http://"` alone names no server. */
const url = (scheme = 'https?') => ({ type: 'string', pattern: `^${scheme}://[^/?#\\s]+` });

const secret = {
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'object', required: ['env'], additionalProperties: false, properties: { env: { type: 'string', minLength: 1 } } },
    { type: 'object', required: ['file'], additionalProperties: false, properties: { file: { type: 'string', minLength: 1 } } },
  ],
};

const certificate = {
  type: 'object',
  required: ['privateKey'],
  additionalProperties: false,
  properties: {
    privateKey: secret,
    thumbprintSha256: { type: 'string', pattern: '^[0-9A-Fa-f]{64}$' },
    thumbprint: { type: 'string', pattern: '^[0-9A-Fa-f]{40}$' },
    x5c: { type: 'string', minLength: 1 },
  },
};

const tokenStore = { type: 'object', required: ['path', 'passphrase'], additionalProperties: false, properties: { path: { type: 'string', minLength: 1 }, passphrase: secret } };

const applicationUser = {
  type: 'object',
  required: ['clientId'],
  additionalProperties: false,
  properties: {
    tenantId: { type: 'string', minLength: 1 },
    clientId: { type: 'string', minLength: 1 },
    clientSecret: secret,
    certificate,
  },
};

export const CONFIG_SCHEMA = {
  type: 'object',
  required: ['stateDir', 'actionstep', 'dataverse'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    stateDir: { type: 'string', minLength: 1 },
    outDir: { type: 'string' },
    actionstep: {
      type: 'object',
      required: ['authorizeUrl', 'tokenUrl', 'clientId', 'clientSecret'],
      additionalProperties: false,
      properties: {
        authorizeUrl: url(),
        tokenUrl: url(),
        clientId: { type: 'string', minLength: 1 },
        clientSecret: secret,
        scopes: { type: 'array', items: { type: 'string' } },
        loginHint: { type: 'string' },
        signIn: { enum: ['browser', 'followRedirect'] },
        redirectPort: { type: 'integer', minimum: 0, maximum: 65535 },
        trustLedgerFile: { type: 'string', minLength: 1 },
        tokenStore,
        sessions: {
          type: 'array', minItems: 1,
          items: { type: 'object', required: ['tokenStore'], additionalProperties: false, properties: { loginHint: { type: 'string', minLength: 1 }, tokenStore, redirectPort: { type: 'integer', minimum: 0, maximum: 65535 } } },
        },
        maxConcurrency: { type: 'integer', minimum: 1, maximum: 16 },
        requestsPerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1000 },
        pageSize: { type: 'integer', minimum: 1, maximum: 200 },
      },
    },
    dataverse: {
      type: 'object',
      required: ['webApiUrl'],
      additionalProperties: false,
      properties: {
        webApiUrl: url(),
        tenantId: { type: 'string', minLength: 1 },
        clientId: { type: 'string', minLength: 1 },
        clientSecret: secret,
        certificate,
        applicationUsers: { type: 'array', minItems: 1, items: applicationUser },
        authorityHost: url('https'),
        tokenEndpointOrigin: url(),
        licenseTier: { enum: LICENSE_TIERS },
        maxConcurrency: { type: 'integer', minimum: 1, maximum: 52 },
      },
    },
    migration: MIGRATION_OPTIONS_SCHEMA,
  },
} as const;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads, validates and resolves paths (relative to the config file's folder). */
export function loadConfig(file: string): MigrationConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`the config file ${file} is not valid JSON: ${(e as Error).message}`);
  }
  const ajv = new Ajv({ allErrors: true });
  const validate = ajv.compile(CONFIG_SCHEMA);
  if (!validate(raw)) {
    const errors = validate.errors ?? [];
    // A secret's three shapes fail as a group: one message for the group instead of one per shape.
    const oneOf = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
    const problems = errors.filter((e) => e.keyword === 'oneOf' || !oneOf.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))).map((e) => problemOf(e, raw));
    throw new ConfigError(`the config file ${file} is invalid:\n  - ${[...new Set(problems)].join('\n  - ')}`);
  }
  const config = raw as unknown as MigrationConfig;
  const base = path.dirname(path.resolve(file));
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(base, p));
  config.stateDir = abs(config.stateDir);
  if (config.outDir) config.outDir = abs(config.outDir);
  if (config.actionstep.trustLedgerFile) config.actionstep.trustLedgerFile = abs(config.actionstep.trustLedgerFile);
  // A secret file named relative to the config is found beside the config, not in whatever folder the command runs in.
  const absSecret = (ref: SecretRef): SecretRef => (typeof ref === 'object' && 'file' in ref ? { file: abs(ref.file) } : ref);
  for (const store of [config.actionstep.tokenStore, ...(config.actionstep.sessions ?? []).map((x) => x.tokenStore)]) {
    if (!store) continue;
    store.path = abs(store.path);
    store.passphrase = absSecret(store.passphrase);
  }
  config.actionstep.clientSecret = absSecret(config.actionstep.clientSecret);
  if (config.dataverse.clientSecret !== undefined) config.dataverse.clientSecret = absSecret(config.dataverse.clientSecret);
  if (config.dataverse.certificate) config.dataverse.certificate.privateKey = absSecret(config.dataverse.certificate.privateKey);
  for (const u of config.dataverse.applicationUsers ?? []) {
    if (u.clientSecret !== undefined) u.clientSecret = absSecret(u.clientSecret);
    if (u.certificate) u.certificate.privateKey = absSecret(u.certificate.privateKey);
  }
  const problems = [...urlProblems(config), ...timeZoneProblems(config)];
  if (problems.length) throw new ConfigError(`the config file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  // The checks JSON schema cannot say (which form, tenant, secret or certificate; token files apart).
  actionstepSignIns(config, file);
  dataverseIdentities(config, file);
  return config;
}

/** One Actionstep sign-in as the session opens it; `name` says where it is in the configuration (never a secret). */
export interface ActionstepSignIn {
  name: string;
  /** Config path of its token store, for messages. */
  where: string;
  loginHint?: string;
  tokenStore: TokenStoreConfig;
  redirectPort?: number;
}

/**
 * The Actionstep sign-ins of a configuration, single form (`actionstep.tokenStore`, `loginHint`) or list
 * (`actionstep.sessions`), checked: one form only, and no token file or user listed twice (two sign-ins sharing a
 * token file would overwrite each other's rotating refresh tokens; one user signed in twice shares one rate limit).
 */
export function actionstepSignIns(config: MigrationConfig, file = 'the config file'): ActionstepSignIn[] {
  const a = config.actionstep;
  const problems: string[] = [];
  let signIns: ActionstepSignIn[];
  if (a.sessions) {
    const single = (['tokenStore', 'loginHint', 'redirectPort'] as const).filter((k) => a[k] !== undefined);
    if (single.length) problems.push(`actionstep has both sessions and ${single.map((k) => `actionstep.${k}`).join(', ')}: list every sign-in in actionstep.sessions`);
    signIns = a.sessions.map((x, i) => ({
      name: `actionstep.sessions[${i}]${x.loginHint ? ` (${x.loginHint})` : ''}`, where: `actionstep.sessions[${i}]`, loginHint: x.loginHint, tokenStore: x.tokenStore, redirectPort: x.redirectPort,
    }));
    const twice = <T>(value: (s: ActionstepSignIn) => T | undefined, what: string, why: string) => {
      const seen = new Map<T, string>();
      for (const s of signIns) {
        const v = value(s);
        if (v === undefined) continue;
        const first = seen.get(v);
        if (first) problems.push(`${s.where} has the same ${what} as ${first}: ${why}`);
        else seen.set(v, s.where);
      }
    };
    twice((s) => s.tokenStore.path, 'token file', 'each sign-in keeps its own tokens (Actionstep rotates refresh tokens, so two sign-ins in one file would undo each other)');
    twice((s) => s.loginHint?.toLowerCase(), 'loginHint', 'a user signed in twice shares one rate limit; each sign-in must be another Actionstep user');
  } else if (!a.tokenStore) {
    problems.push('actionstep: the setting "tokenStore" is missing (or list the sign-ins in actionstep.sessions)');
    signIns = [];
  } else {
    signIns = [{ name: a.loginHint ? `Actionstep sign-in (${a.loginHint})` : 'Actionstep sign-in', where: 'actionstep', loginHint: a.loginHint, tokenStore: a.tokenStore, redirectPort: a.redirectPort }];
  }
  if (problems.length) throw new ConfigError(`the config file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return signIns;
}

/** One application user as the session signs it in; `name` says where it is in the configuration (never a secret). */
export interface DataverseIdentity {
  name: string;
  tenantId: string;
  clientId: string;
  clientSecret?: SecretRef;
  certificate?: CertificateRef;
  /** Config path of its secret or private key, for messages. */
  secretPath: string;
}

/**
 * The application users of a configuration, single form (`dataverse.clientId` + secret or certificate) or list
 * (`dataverse.applicationUsers`), checked: one form only, a tenant for each, exactly one of secret and certificate,
 * and no app listed twice (a second listing would share the first one's limits, not add to them).
 */
export function dataverseIdentities(config: MigrationConfig, file = 'the config file'): DataverseIdentity[] {
  const d = config.dataverse;
  const problems: string[] = [];
  const one = (u: ApplicationUserConfig, where: string, name: string): DataverseIdentity | undefined => {
    const tenantId = u.tenantId ?? d.tenantId;
    if (!tenantId) problems.push(`${where}.tenantId is missing (or set dataverse.tenantId for every application user)`);
    if (!u.clientId) problems.push(`${where}.clientId is missing`);
    if (u.clientSecret !== undefined && u.certificate !== undefined) problems.push(`${where} has both clientSecret and certificate: give one`);
    if (u.clientSecret === undefined && u.certificate === undefined) problems.push(`${where} needs clientSecret or certificate`);
    if (u.certificate && !u.certificate.thumbprintSha256 && !u.certificate.thumbprint) problems.push(`${where}.certificate needs thumbprintSha256 (or thumbprint)`);
    if (!tenantId || !u.clientId) return undefined;
    return { name, tenantId, clientId: u.clientId, clientSecret: u.clientSecret, certificate: u.certificate, secretPath: `${where}.${u.certificate ? 'certificate.privateKey' : 'clientSecret'}` };
  };
  let identities: Array<DataverseIdentity | undefined>;
  if (d.applicationUsers) {
    const single = (['clientId', 'clientSecret', 'certificate'] as const).filter((k) => d[k] !== undefined);
    if (single.length) problems.push(`dataverse has both applicationUsers and ${single.map((k) => `dataverse.${k}`).join(', ')}: list every application user in applicationUsers`);
    identities = d.applicationUsers.map((u, i) => one(u, `dataverse.applicationUsers[${i}]`, `dataverse.applicationUsers[${i}] (client id ${u.clientId})`));
    const seen = new Map<string, number>();
    d.applicationUsers.forEach((u, i) => {
      const key = u.clientId?.toLowerCase();
      const first = seen.get(key);
      if (first !== undefined) problems.push(`dataverse.applicationUsers[${i}] repeats the client id of dataverse.applicationUsers[${first}] (${u.clientId}): the same application user has one budget, listing it twice adds nothing`);
      else seen.set(key, i);
    });
  } else {
    identities = [one({ tenantId: d.tenantId, clientId: d.clientId ?? '', clientSecret: d.clientSecret, certificate: d.certificate }, 'dataverse', `application user (client id ${d.clientId})`)];
  }
  if (problems.length) throw new ConfigError(`the config file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return identities as DataverseIdentity[];
}

/** `/actionstep/tokenUrl` → `actionstep.tokenUrl`, `/actionstep/sessions/1` → `actionstep.sessions[1]`: the name a user sees in the file. */
function fieldName(instancePath: string): string {
  return instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/^\//, '').split('/').join('.') || '(top level)';
}

function problemOf(e: ErrorObject, raw: unknown): string {
  const field = fieldName(e.instancePath);
  const value = e.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), raw);
  if (e.keyword === 'pattern' && /:\/\//.test(String((e.params as { pattern?: string }).pattern))) {
    const scheme = String((e.params as { pattern: string }).pattern).startsWith('^https:') ? 'an https' : 'an http(s)';
    return `${field} must be ${scheme} URL with a host name (like https://example.com/...), got ${JSON.stringify(value)}`;
  }
  if (e.keyword === 'additionalProperties' && (e.params as { additionalProperty: string }).additionalProperty === 'trustLedgerPath') {
    return `${field}.trustLedgerPath is no longer read: Actionstep has no trust ledger API, so nothing can be fetched from its host. Export the Trust Account Ledgers report from Actionstep and name the file in ${field}.trustLedgerFile`;
  }
  if (e.keyword === 'additionalProperties') return `${field}: unknown setting "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  if (e.keyword === 'oneOf') return `${field} must be the secret itself, {"env": "VARIABLE_NAME"} or {"file": "path/to/file"}`;
  if (e.keyword === 'required') return `${field}: the setting "${(e.params as { missingProperty: string }).missingProperty}" is missing`;
  return `${field} ${e.message}`;
}

const URL_FIELDS: Array<[string, (c: MigrationConfig) => string | undefined]> = [
  ['actionstep.authorizeUrl', (c) => c.actionstep.authorizeUrl],
  ['actionstep.tokenUrl', (c) => c.actionstep.tokenUrl],
  ['dataverse.webApiUrl', (c) => c.dataverse.webApiUrl],
  ['dataverse.authorityHost', (c) => c.dataverse.authorityHost],
  ['dataverse.tokenEndpointOrigin', (c) => c.dataverse.tokenEndpointOrigin],
];

/** The schema's pattern catches the common mistakes; the URL parser the rest (a space in the host, a bad port). */
function urlProblems(config: MigrationConfig): string[] {
  const out: string[] = [];
  for (const [field, get] of URL_FIELDS) {
    const value = get(config);
    if (value === undefined) continue;
    try {
      if (!new URL(value).hostname) throw new Error('no host');
    } catch {
      out.push(`${field} is not a valid URL: ${JSON.stringify(value)}`);
    }
  }
  return out;
}

/** An IANA zone name the runtime knows (dates without an offset are read in it; a typo would shift every one). */
function timeZoneProblems(config: MigrationConfig): string[] {
  const zone = config.migration?.timeZone;
  if (zone === undefined) return [];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return [];
  } catch {
    return [`migration.timeZone: ${JSON.stringify(zone)} is not an IANA time zone name (like "Australia/Sydney", "Pacific/Auckland" or "UTC")`];
  }
}

/** The value of a secret reference; the error names the reference, never a value. */
export function resolveSecret(ref: SecretRef, what: string): string {
  if (typeof ref === 'string') return ref;
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (!v) throw new ConfigError(`${what}: environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    return fs.readFileSync(ref.file, 'utf8').trim();
  } catch {
    throw new ConfigError(`${what}: cannot read secret file ${ref.file}`);
  }
}

const SECRET_KEYS = new Set(['clientSecret', 'passphrase', 'secret', 'password', 'privateKey', 'access_token', 'refresh_token', 'accessToken', 'refreshToken']);

/** A copy with every secret replaced, for printing. References ({env}) are kept: they are names, not values. */
export function redactConfig<T>(value: T): T {
  const walk = (v: unknown, key?: string): unknown => {
    if (key && SECRET_KEYS.has(key) && typeof v === 'string') return '***';
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value) as T;
}

/** Removes known secret values from any text (errors from libraries may echo request bodies). */
export function scrubSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1***').replace(/((?:access|refresh)_token["=:\s]+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1***');
}
