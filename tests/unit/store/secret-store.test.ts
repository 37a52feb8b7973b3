import { mkdtempSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { FileSecretStore } from '../../../main/store/secret-store.js';

const dir = mkdtempSync(join(tmpdir(), 'parley-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('web mode keeps passwords in a file only this user can read, in a private folder', async () => {
  const file = join(dir, 'nested', 'credentials.json');
  const store = new FileSecretStore(file);
  expect(store.description).toEqual({ kind: 'file', location: file });
  expect(await store.get('password:sip:a@b')).toBeNull();
  await store.set('password:sip:a@b', 'hunter2');
  await store.set('password:sip:c@d', 'other');
  expect(statSync(file).mode & 0o777).toBe(0o600);
  expect(statSync(join(dir, 'nested')).mode & 0o777).toBe(0o700);
  expect(await new FileSecretStore(file).get('password:sip:a@b')).toBe('hunter2');
  await store.delete('password:sip:a@b');
  expect(await store.get('password:sip:a@b')).toBeNull();
  expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ 'password:sip:c@d': 'other' });
  await store.delete('password:sip:c@d');
  expect(existsSync(file)).toBe(false);
});

test('a codec (safeStorage on the desktop) means the file never holds the plain text', async () => {
  const file = join(dir, 'secrets.json');
  const store = new FileSecretStore(
    file,
    { kind: 'safeStorage' },
    { encode: (p) => Buffer.from(p).toString('base64'), decode: (s) => Buffer.from(s, 'base64').toString() },
  );
  await store.set('k', 'plain-secret');
  expect(readFileSync(file, 'utf8')).not.toContain('plain-secret');
  expect(await store.get('k')).toBe('plain-secret');
});
