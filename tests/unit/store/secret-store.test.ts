import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

test('many writes at once (two tabs signing in) all land, and the file stays valid JSON', async () => {
  const file = join(dir, 'concurrent', 'credentials.json');
  const store = new FileSecretStore(file);
  await Promise.all(Array.from({ length: 40 }, (_, i) => store.set(`password:sip:u${i}@b`, `pw${i}`)));
  const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  expect(Object.keys(stored)).toHaveLength(40);
  expect(stored['password:sip:u17@b']).toBe('pw17');
  // No temp file left behind.
  expect(readdirSync(join(dir, 'concurrent'))).toEqual(['credentials.json']);
});

test('a damaged file is moved aside, not fatal: the next write works and nothing is read from it', async () => {
  const folder = join(dir, 'damaged');
  mkdirSync(folder);
  const file = join(folder, 'credentials.json');
  writeFileSync(file, '{"password:sip:a@b": "hun', { mode: 0o600 });
  const store = new FileSecretStore(file);
  expect(await store.get('password:sip:a@b')).toBeNull();
  await store.set('password:sip:a@b', 'fresh');
  expect(await store.get('password:sip:a@b')).toBe('fresh');
  expect(readdirSync(folder).filter((name) => name.startsWith('credentials.json.corrupt-'))).toHaveLength(1);
});

test('keys are own properties only: "__proto__" or "constructor" never reads something that is not there', async () => {
  const store = new FileSecretStore(join(dir, 'proto', 'credentials.json'));
  await store.set('password:sip:a@b', 'x');
  expect(await store.get('constructor')).toBeNull();
  expect(await store.get('__proto__')).toBeNull();
});
