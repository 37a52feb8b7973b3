import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SecretStorage } from '../../shared/domain/app-info.js';

/**
 * Where passwords go. Never SQLite: on the desktop the Electron shell supplies a `safeStorage`
 * implementation; web mode uses `FileSecretStore`, a file readable by this user alone.
 */
export interface SecretStore {
  /** How the UI should describe where a remembered password is kept. */
  readonly description: SecretStorage;
  get(key: string): Promise<string | null>;
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Secrets as a JSON map in a file of mode 0600 inside a directory of mode 0700, written atomically
 * (temp file + rename) so a crash never leaves half a file. `encode`/`decode` let the desktop shell
 * put `safeStorage` ciphertext in the same shape of file.
 */
export class FileSecretStore implements SecretStore {
  constructor(
    private readonly file: string,
    readonly description: SecretStorage = { kind: 'file', location: file },
    private readonly codec: { encode(plain: string): string; decode(stored: string): string } = {
      encode: (plain) => plain,
      decode: (stored) => stored,
    },
  ) {}

  async get(key: string): Promise<string | null> {
    const map = await this.read();
    const stored = map[key];
    return stored === undefined ? null : this.codec.decode(stored);
  }

  async set(key: string, secret: string): Promise<void> {
    const map = await this.read();
    map[key] = this.codec.encode(secret);
    await this.write(map);
  }

  async delete(key: string): Promise<void> {
    const map = await this.read();
    if (!(key in map)) return;
    delete map[key];
    if (Object.keys(map).length === 0) await rm(this.file, { force: true });
    else await this.write(map);
  }

  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  }

  private async write(map: Record<string, string>): Promise<void> {
    const dir = dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, JSON.stringify(map), { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.file);
  }
}
