// Where refresh tokens live between runs. Refresh tokens rotate on every use (the old one dies), so the store is
// written after every token response: losing the new one would lock the tool out until someone signs in again.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ActionstepError } from '../errors';

export interface StoredTokenSet {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms. */
  expiresOnTimestamp: number;
  apiEndpoint: string;
  orgKey?: string;
  scope?: string;
  /** The token endpoint and client these tokens came from: a file made for another endpoint or client is not used
   *  (a changed URL in the config must not keep talking to the old org). Absent in files written before. */
  tokenUrl?: string;
  clientId?: string;
}

export interface TokenStore {
  load(): Promise<StoredTokenSet | undefined>;
  save(tokens: StoredTokenSet): Promise<void>;
  clear(): Promise<void>;
}

export class MemoryTokenStore implements TokenStore {
  private tokens?: StoredTokenSet;
  /** How many times tokens were saved (tests check rotation is persisted every time). */
  saveCount = 0;
  constructor(initial?: StoredTokenSet) {
    this.tokens = initial;
  }
  async load(): Promise<StoredTokenSet | undefined> {
    return this.tokens ? { ...this.tokens } : undefined;
  }
  async save(tokens: StoredTokenSet): Promise<void> {
    this.tokens = { ...tokens };
    this.saveCount++;
  }
  async clear(): Promise<void> {
    this.tokens = undefined;
  }
}

export interface EncryptedFileTokenStoreOptions {
  path: string;
  /** The passphrase itself (e.g. read from an env var named in the config). Never logged. */
  passphrase: string;
}

interface EncryptedFile {
  format: 'astep-tokens';
  version: 1;
  kdf: 'scrypt';
  salt: string;
  iv: string;
  tag: string;
  data: string;
}

/**
 * A token file that is there but cannot be used: not JSON, an unknown format, or it does not decrypt (a wrong
 * passphrase or a changed file: GCM cannot tell which). The caller decides what to offer: only it knows where the
 * passphrase is configured and how the user signs in again.
 */
export class TokenFileUnreadableError extends ActionstepError {
  constructor(readonly path: string, readonly reason: string) {
    super(`Token file ${path} cannot be read: ${reason}.`, { kind: 'auth' });
    this.name = 'TokenFileUnreadableError';
  }
}

/** AES-256-GCM with a scrypt-derived key; a fresh salt and IV on every write; file mode 0600; atomic rename. */
export class EncryptedFileTokenStore implements TokenStore {
  /** The usual configuration: the passphrase lives in an environment variable whose *name* is in the config file. */
  static fromEnv(options: { path: string; passphraseEnvVar: string; env?: NodeJS.ProcessEnv }): EncryptedFileTokenStore {
    const value = (options.env ?? process.env)[options.passphraseEnvVar];
    if (!value) {
      throw new ActionstepError(
        `Environment variable ${options.passphraseEnvVar} is not set: it must hold the passphrase that encrypts the Actionstep token file ${options.path}.`,
        { kind: 'usage' },
      );
    }
    return new EncryptedFileTokenStore({ path: options.path, passphrase: value });
  }

  constructor(private readonly options: EncryptedFileTokenStoreOptions) {
    if (!options.passphrase) {
      throw new ActionstepError('EncryptedFileTokenStore needs a non-empty passphrase.', { kind: 'usage' });
    }
  }

  async load(): Promise<StoredTokenSet | undefined> {
    let raw: string;
    try {
      raw = await fs.readFile(this.options.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    let file: EncryptedFile;
    try {
      file = JSON.parse(raw) as EncryptedFile;
    } catch {
      throw new TokenFileUnreadableError(this.options.path, 'it is not valid JSON');
    }
    if (file.format !== 'astep-tokens' || file.version !== 1) {
      throw new TokenFileUnreadableError(this.options.path, 'it has an unknown format');
    }
    try {
      const key = deriveKey(this.options.passphrase, Buffer.from(file.salt, 'base64'));
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(file.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(file.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(file.data, 'base64')), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as StoredTokenSet;
    } catch {
      // GCM authentication failed: wrong passphrase or a tampered file. Say which file, not what is inside it.
      throw new TokenFileUnreadableError(this.options.path, 'it does not decrypt with this passphrase (a wrong passphrase, or the file was modified)');
    }
  }

  async save(tokens: StoredTokenSet): Promise<void> {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = deriveKey(this.options.passphrase, salt);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const data = Buffer.concat([cipher.update(JSON.stringify(tokens), 'utf8'), cipher.final()]);
    const file: EncryptedFile = {
      format: 'astep-tokens',
      version: 1,
      kdf: 'scrypt',
      salt: salt.toString('base64'),
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await fs.mkdir(path.dirname(this.options.path), { recursive: true, mode: 0o700 });
    const tmp = `${this.options.path}.${process.pid}.${Date.now()}.tmp`;
    await fs.writeFile(tmp, JSON.stringify(file), { mode: 0o600 });
    await fs.rename(tmp, this.options.path);
  }

  async clear(): Promise<void> {
    await fs.rm(this.options.path, { force: true });
  }

  /**
   * Moves a file that cannot be read out of the way, beside itself (`<path>.unreadable-<time>`, its mode kept), and
   * returns where: it may be the only copy of a sign-in whose passphrase someone still has, so it is not deleted.
   */
  async setAside(now = new Date()): Promise<string> {
    const aside = `${this.options.path}.unreadable-${now.toISOString().replace(/[:.]/g, '-')}`;
    await fs.rename(this.options.path, aside);
    return aside;
  }
}

function deriveKey(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase, salt, 32, { N: 16384, r: 8, p: 1 });
}
