import { randomBytes } from 'node:crypto';
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
 * (a temp file of its own + rename) so a crash never leaves half a file, and one change at a time
 * (two sign-ins at once must not interleave their read-modify-write). A file that cannot be read as
 * such a map is moved aside (`<file>.corrupt-<time>`), not fatal forever: the person types the
 * password again. `encode`/`decode` let the desktop shell put `safeStorage` ciphertext in the same
 * shape of file.
 */
export class FileSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    readonly description: SecretStorage = { kind: 'file', location: file },
    private readonly codec: { encode(plain: string): string; decode(stored: string): string } = {
      encode: (plain) => plain,
      decode: (stored) => stored,
    },
  ) {}

  get(key: string): Promise<string | null> {
    return this.exclusive(async () => {
      const map = await this.read();
      const stored = Object.hasOwn(map, key) ? map[key] : undefined;
      return stored === undefined ? null : this.codec.decode(stored);
    });
  }

  set(key: string, secret: string): Promise<void> {
    return this.exclusive(async () => {
      const map = await this.read();
      map[key] = this.codec.encode(secret);
      await this.write(map);
    });
  }

  delete(key: string): Promise<void> {
    return this.exclusive(async () => {
      const map = await this.read();
      if (!Object.hasOwn(map, key)) return;
      delete map[key];
      if (Object.keys(map).length === 0) await rm(this.file, { force: true });
      else await this.write(map);
    });
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async read(): Promise<Record<string, string>> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      const aside = `${this.file}.corrupt-${Date.now()}`;
      await rename(this.file, aside).catch(() => undefined);
      process.stderr.write(`parley: the password file ${this.file} could not be read; moved aside to ${aside}\n`);
      return {};
    }
    const map: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') map[key] = value;
    return map;
  }

  private async write(map: Record<string, string>): Promise<void> {
    const dir = dirname(this.file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const temp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, JSON.stringify(map), { mode: 0o600 });
    await chmod(temp, 0o600);
    await rename(temp, this.file);
  }
}
