// The configuration file: endpoints, credential references and plan options, validated with a JSON schema (ajv).
// Secrets are given as references ({"env": "NAME"} or {"file": "path"}); an inline string works too, and every
// secret is redacted whenever the configuration is printed or logged.
import Ajv from 'ajv';
import fs from 'node:fs';
import path from 'node:path';
import { LICENSE_TIERS, MIGRATION_OPTIONS_SCHEMA, type LicenseTier, type MigrationOptions } from '@astep/orchestrator/options';

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
    licenseTier?: LicenseTier;
    maxConcurrency?: number;
  };
  /** Plan options (the orchestrator's vocabulary); what is left out gets the plan's recommendation or the default. */
  migration?: Partial<MigrationOptions>;
}

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
        authorizeUrl: { type: 'string', pattern: '^https?://' },
        tokenUrl: { type: 'string', pattern: '^https?://' },
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
        webApiUrl: { type: 'string', pattern: '^https?://' },
        tenantId: { type: 'string', minLength: 1 },
        clientId: { type: 'string', minLength: 1 },
        clientSecret: secret,
        authorityHost: { type: 'string', pattern: '^https://' },
        tokenEndpointOrigin: { type: 'string', pattern: '^https?://' },
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
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '(top level)'} ${e.message}${e.params && 'additionalProperty' in e.params ? `: "${(e.params as { additionalProperty: string }).additionalProperty}"` : ''}`);
    throw new ConfigError(`the config file ${file} is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  const config = raw as unknown as MigrationConfig;
  const base = path.dirname(path.resolve(file));
  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(base, p));
  config.stateDir = abs(config.stateDir);
  if (config.outDir) config.outDir = abs(config.outDir);
  config.actionstep.tokenStore.path = abs(config.actionstep.tokenStore.path);
  return config;
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
