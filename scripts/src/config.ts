// The configuration file: endpoints, credential references and plan options, validated with a JSON schema (ajv).
// Secrets are given as references ({"env": "NAME"} or {"file": "path"}); an inline string works too, and every
// secret is redacted whenever the configuration is printed or logged.
import Ajv, { type ErrorObject } from 'ajv';
import fs from 'node:fs';
import path from 'node:path';

export type SecretRef = string | { env: string } | { file: string };

export interface MigrationConfig {
  stateDir: string;
  outDir?: string;
  actionstep: {
    authorizeUrl: string;
    tokenUrl: string;
    clientId: string;
    clientSecret: SecretRef;
    scopes?: string[];
    /** Email of the user who signs in (pre-selects the account; the emulator consents at once for it). */
    loginHint?: string;
    /** How the sign-in page is opened: a browser for people, or an HTTP GET that follows the redirect (emulator). */
    signIn?: 'browser' | 'followRedirect';
    redirectPort?: number;
    trustLedgerPath?: string;
    tokenStore: { path: string; passphrase: SecretRef };
    maxConcurrency?: number;
  };
  dataverse: {
    webApiUrl: string;
    tenantId: string;
    clientId: string;
    clientSecret: SecretRef;
    authorityHost?: string;
    /** Send msal-node's token requests to this origin instead (an emulator; msal refuses http authorities). */
    tokenEndpointOrigin?: string;
    licenseTier?: 'SalesProfessional' | 'SalesEnterprise' | 'SalesPremium';
    maxConcurrency?: number;
  };
  migration?: {
    timeZone?: string;
    dataCollections?: 'account' | 'matterTable';
    contacts?: 'perPerson' | 'perRole';
    opportunityStrategy?: 'none' | 'perMatter' | 'perClientLatest' | 'perClientHighest';
    fallbackOwnerEmail?: string | null;
    skipTemplateMatters?: boolean;
    skipSystemFileNotes?: boolean;
    attachDocuments?: boolean;
    applyDeletions?: boolean;
    sampleSize?: number;
    statusMap?: Record<string, { matterStatus: string; opportunity: 'open' | 'onHold' | 'wonIfBilled' | 'won' | 'lost' }>;
  };
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
      required: ['authorizeUrl', 'tokenUrl', 'clientId', 'clientSecret', 'tokenStore'],
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
        trustLedgerPath: { type: 'string' },
        tokenStore: { type: 'object', required: ['path', 'passphrase'], additionalProperties: false, properties: { path: { type: 'string' }, passphrase: secret } },
        maxConcurrency: { type: 'integer', minimum: 1, maximum: 16 },
      },
    },
    dataverse: {
      type: 'object',
      required: ['webApiUrl', 'tenantId', 'clientId', 'clientSecret'],
      additionalProperties: false,
      properties: {
        webApiUrl: url(),
        tenantId: { type: 'string', minLength: 1 },
        clientId: { type: 'string', minLength: 1 },
        clientSecret: secret,
        authorityHost: url('https'),
        tokenEndpointOrigin: url(),
        licenseTier: { enum: ['SalesProfessional', 'SalesEnterprise', 'SalesPremium'] },
        maxConcurrency: { type: 'integer', minimum: 1, maximum: 52 },
      },
    },
    migration: {
      type: 'object',
      additionalProperties: false,
      properties: {
        timeZone: { type: 'string' },
        dataCollections: { enum: ['account', 'matterTable'] },
        contacts: { enum: ['perPerson', 'perRole'] },
        opportunityStrategy: { enum: ['none', 'perMatter', 'perClientLatest', 'perClientHighest'] },
        fallbackOwnerEmail: { type: ['string', 'null'] },
        skipTemplateMatters: { type: 'boolean' },
        skipSystemFileNotes: { type: 'boolean' },
        attachDocuments: { type: 'boolean' },
        applyDeletions: { type: 'boolean' },
        sampleSize: { type: 'integer', minimum: 100, maximum: 300 },
        statusMap: {
          type: 'object',
          additionalProperties: {
            type: 'object', required: ['matterStatus', 'opportunity'], additionalProperties: false,
            properties: { matterStatus: { type: 'string' }, opportunity: { enum: ['open', 'onHold', 'wonIfBilled', 'won', 'lost'] } },
          },
        },
      },
    },
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
  config.actionstep.tokenStore.path = abs(config.actionstep.tokenStore.path);
  // A secret file named relative to the config is found beside the config, not in whatever folder the command runs in.
  const absSecret = (ref: SecretRef): SecretRef => (typeof ref === 'object' && 'file' in ref ? { file: abs(ref.file) } : ref);
  config.actionstep.clientSecret = absSecret(config.actionstep.clientSecret);
  config.actionstep.tokenStore.passphrase = absSecret(config.actionstep.tokenStore.passphrase);
  config.dataverse.clientSecret = absSecret(config.dataverse.clientSecret);
  const problems = [...urlProblems(config), ...timeZoneProblems(config)];
  if (problems.length) throw new ConfigError(`the config file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  return config;
}

/** `/actionstep/tokenUrl` → `actionstep.tokenUrl`: the name a user sees in the file. */
function fieldName(instancePath: string): string {
  return instancePath.replace(/^\//, '').split('/').join('.') || '(top level)';
}

function problemOf(e: ErrorObject, raw: unknown): string {
  const field = fieldName(e.instancePath);
  const value = e.instancePath.split('/').slice(1).reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), raw);
  if (e.keyword === 'pattern' && /:\/\//.test(String((e.params as { pattern?: string }).pattern))) {
    const scheme = String((e.params as { pattern: string }).pattern).startsWith('^https:') ? 'an https' : 'an http(s)';
    return `${field} must be ${scheme} URL with a host name (like https://example.com/...), got ${JSON.stringify(value)}`;
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

const SECRET_KEYS = new Set(['clientSecret', 'passphrase', 'secret', 'password', 'access_token', 'refresh_token', 'accessToken', 'refreshToken']);

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
