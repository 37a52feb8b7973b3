import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { Engine } from '../../main/engine.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';

let kamailio: Kamailio;
const engines: Engine[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
});
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await kamailio?.dispose();
});

function engineIn(dataDir = mkdtempSync(join(tmpdir(), 'parley-account-'))): { engine: Engine; secrets: FileSecretStore; dataDir: string } {
  if (!dirs.includes(dataDir)) dirs.push(dataDir);
  const secrets = new FileSecretStore(join(dataDir, 'credentials.json'));
  const engine = new Engine({ dataDir, mode: 'web', version: 'test', secrets });
  engines.push(engine);
  return { engine, secrets, dataDir };
}

const alice = (password: string, rememberPassword = true) => ({
  address: `alice@${DOMAIN}`,
  password,
  server: kamailio.wsUrl,
  rememberPassword,
});

test('the account and password are on disk by the time "registered" is announced', async () => {
  const { engine, secrets } = engineIn();
  const seen: unknown[] = [];
  engine.connection.onDidChange((state) => {
    if (state.status === 'registered') seen.push(engine.account.get(), secrets.get(`password:sip:alice@${DOMAIN}`));
  });
  expect(await engine.account.signIn(alice('alice-pw'))).toMatchObject({ ok: true });
  const [account, password] = await Promise.all(seen);
  expect(account).toMatchObject({ uri: `sip:alice@${DOMAIN}`, server: kamailio.wsUrl, rememberPassword: true, hasPassword: true });
  expect(password).toBe('alice-pw');
});

test('a failed sign-in keeps what was remembered before', async () => {
  const { engine, secrets } = engineIn();
  await engine.account.signIn(alice('alice-pw'));
  await engine.account.signOut();
  expect(await engine.account.signIn(alice('wrong'))).toMatchObject({ ok: false, error: { kind: 'auth' } });
  expect(await secrets.get(`password:sip:alice@${DOMAIN}`)).toBe('alice-pw');
  expect(await engine.account.signIn({ ...alice(''), server: 'ws://127.0.0.1:9' })).toMatchObject({
    ok: false,
    error: { kind: 'unreachable' },
  });
  expect(await engine.account.get()).toMatchObject({ server: kamailio.wsUrl, hasPassword: true });
  // The remembered password still works with an empty field.
  expect(await engine.account.signIn(alice(''))).toMatchObject({ ok: true, value: { status: 'registered' } });
});

test('a first failed sign-in leaves nothing behind', async () => {
  const { engine, secrets } = engineIn();
  expect(await engine.account.signIn(alice('wrong'))).toMatchObject({ ok: false, error: { kind: 'auth' } });
  expect(await engine.account.get()).toBeNull();
  expect(await secrets.get(`password:sip:alice@${DOMAIN}`)).toBeNull();
});

test('signing in twice is refused without touching the remembered account', async () => {
  const { engine } = engineIn();
  await engine.account.signIn(alice('alice-pw'));
  const again = await engine.account.signIn({
    address: `bob@${DOMAIN}`,
    password: 'bob-pw',
    server: kamailio.wsUrl,
    rememberPassword: true,
  });
  expect(again).toMatchObject({ ok: false, error: { kind: 'state' } });
  expect(await engine.account.get()).toMatchObject({ uri: `sip:alice@${DOMAIN}` });
});

test('after Sign out the next start does not sign in by itself, but the form is filled in', async () => {
  const first = engineIn();
  await first.engine.account.signIn(alice('alice-pw'));
  await first.engine.account.signOut();
  await first.engine.close();
  const second = engineIn(first.dataDir);
  await second.engine.start();
  expect(second.engine.connection.current.status).toBe('signedOut');
  expect(await second.engine.account.get()).toMatchObject({ uri: `sip:alice@${DOMAIN}`, hasPassword: true });
});

test('two sign-ins at once (two tabs): one signs in, the other is told so; the account and password stay remembered', async () => {
  const { engine, dataDir } = engineIn();
  const [first, second] = await Promise.all([engine.account.signIn(alice('alice-pw')), engine.account.signIn(alice('alice-pw'))]);
  expect([first.ok, second.ok].sort()).toEqual([false, true]);
  expect([first, second].find((r) => !r.ok)).toMatchObject({ ok: false, error: { kind: 'state' } });
  expect(await engine.account.get()).toMatchObject({ uri: `sip:alice@${DOMAIN}`, hasPassword: true });
  await engine.close();
  // The next start signs in by itself: nothing was forgotten or corrupted.
  const { engine: again } = engineIn(dataDir);
  await again.start();
  expect(again.connection.current.status).toBe('registered');
});
