import { SignInProblem, signInFailureText } from '../../shared/domain/connection.js';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ConnectionState } from '../../shared/domain/connection.js';
import { Engine } from '../../main/engine.js';
import { SipConnection, type SipAccountConfig } from '../../main/sip/sip-connection.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';

// The registrar grants at most 3 s, so a client that did not refresh would vanish within the test.
let kamailio: Kamailio;
const open: SipConnection[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', carol: 'carol-pw', dave: 'dave-pw' }, maxExpires: 3 });
});
afterEach(async () => {
  for (const connection of open.splice(0)) await connection.signOut();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await kamailio.start(); // tests that stop it leave it running again
});
afterAll(async () => {
  await kamailio?.dispose();
});

function account(user: string, password = `${user}-pw`): SipAccountConfig {
  return { uri: `sip:${user}@${DOMAIN}`, server: kamailio.wsUrl, authUser: '', password, displayName: '' };
}

function connect(options: ConstructorParameters<typeof SipConnection>[0] = {}): { connection: SipConnection; states: ConnectionState[] } {
  // The registrar here grants 3 s, far below what Parley takes from a real one.
  const connection = new SipConnection({ minRegistrationSeconds: 1, ...options });
  open.push(connection);
  const states: ConnectionState[] = [];
  connection.onDidChange((state) => states.push(state));
  return { connection, states };
}

describe('registration against a real Kamailio', () => {
  test('is refreshed before it expires, so the binding outlives the granted lifetime', async () => {
    const { connection } = connect();
    const before = kamailio.registers('alice').length;
    expect(await connection.signIn(account('alice'))).toMatchObject({ ok: true, value: { status: 'registered' } });
    // Two refreshes: by then the first 3 s grant has long expired, and the registrar still holds us.
    await vi.waitFor(() => expect(kamailio.registers('alice').length - before).toBeGreaterThanOrEqual(3), { timeout: 10_000 });
    expect(connection.current.status).toBe('registered');
    expect(await kamailio.contacts('alice')).toHaveLength(1);
  });

  test('sign out removes the binding (REGISTER with Expires: 0)', async () => {
    const { connection, states } = connect();
    await connection.signIn(account('carol'));
    expect(await kamailio.contacts('carol')).toHaveLength(1);
    await connection.signOut();
    expect(await kamailio.contacts('carol')).toEqual([]);
    // Removed by an un-REGISTER, not merely by the connection closing (RFC 3261 §10.2.2).
    const last = kamailio.registers('carol').at(-1)!;
    expect(last.expires === '0' || /;expires=0\b/.test(last.contact)).toBe(true);
    expect(states.map((s) => s.status)).toEqual(['signingIn', 'registered', 'signingOut', 'signedOut']);
  });

  test('while the server is down, retries back off with jitter; when it returns, registration comes back', async () => {
    const { connection, states } = connect();
    await connection.signIn(account('alice'));
    await kamailio.stop();
    await vi.waitFor(() => expect(states.filter((s) => s.status === 'reconnecting').length).toBeGreaterThanOrEqual(3), {
      timeout: 10_000,
      interval: 50,
    });
    const retries = states.filter((s): s is Extract<ConnectionState, { status: 'reconnecting' }> => s.status === 'reconnecting');
    expect(retries.map((s) => s.attempt).slice(0, 3)).toEqual([1, 2, 3]);
    expect(retries[0]!.reason).toEqual({ problem: SignInProblem.ConnectionLost });
    expect(retries[1]!.reason).toEqual({ problem: SignInProblem.ConnectionRefused, server: kamailio.wsUrl });
    expect(signInFailureText(retries[1]!.reason)).toBe(`Nothing answers at ${kamailio.wsUrl}. Check the server address and port.`);

    await kamailio.start();
    await vi.waitFor(() => expect(connection.current.status).toBe('registered'), { timeout: 20_000, interval: 50 });
    expect(await kamailio.contacts('alice')).toHaveLength(1);
  });

  test('a password changed on the server while reconnecting signs out with the reason, and stops retrying', async () => {
    // Retry timers run on a clock the test moves: once signed out, nothing at all may be left to fire.
    const clock = new FakeClock();
    const { connection, states } = connect({ clock });
    await connection.signIn(account('dave'));
    await kamailio.stop();
    const db = new Database(join(kamailio.dir, 'db', 'kamailio.sqlite'));
    db.prepare("UPDATE subscriber SET password = 'changed' WHERE username = 'dave'").run();
    db.close();
    await kamailio.start();
    await vi.waitFor(
      () => {
        clock.advance(1_000); // the next retry falls due; its REGISTER goes out on the real network
        expect(connection.current.status).toBe('signedOut');
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(connection.current).toEqual({
      status: 'signedOut',
      error: {
        kind: 'auth',
        problem: 'signIn',
        signIn: { problem: SignInProblem.AuthFailed },
      },
    });
    expect(clock.pending).toBe(0);
    const count = states.length;
    clock.advance(24 * 3600_000);
    expect(states.length).toBe(count);
  });
});

describe('a connection that dies without closing', () => {
  test('is noticed by the liveness check and replaced once the server answers again', async () => {
    const connection = new SipConnection({ minRegistrationSeconds: 1, livenessIntervalMs: 500, livenessTimeoutMs: 700 });
    open.push(connection);
    await connection.signIn(account('carol'));
    kamailio.freeze();
    try {
      await vi.waitFor(() => expect(connection.current.status).toBe('reconnecting'), { timeout: 5_000, interval: 50 });
      expect(connection.current).toMatchObject({ reason: { problem: SignInProblem.ServerSilent } });
    } finally {
      kamailio.thaw();
    }
    await vi.waitFor(() => expect(connection.current.status).toBe('registered'), { timeout: 20_000, interval: 50 });
    expect(await kamailio.contacts('carol')).toHaveLength(1);
  });

  test('a healthy connection is left alone', async () => {
    const connection = new SipConnection({ minRegistrationSeconds: 1, livenessIntervalMs: 200, livenessTimeoutMs: 1_000 });
    open.push(connection);
    const states: ConnectionState[] = [];
    connection.onDidChange((state) => states.push(state));
    const before = kamailio.keepalives(`sip:alice@${DOMAIN}`);
    await connection.signIn(account('alice'));
    // Five checks answered by the server, and nothing changed.
    await vi.waitFor(() => expect(kamailio.keepalives(`sip:alice@${DOMAIN}`) - before).toBeGreaterThanOrEqual(5), { timeout: 10_000 });
    expect(states.map((s) => s.status)).toEqual(['signingIn', 'registered']);
  });
});

describe('checking now instead of waiting', () => {
  test('while reconnecting, "try now" skips the backoff', async () => {
    // The backoff's timers run on a clock that never moves: only "try now" can bring the connection back.
    const clock = new FakeClock();
    const connection = new SipConnection({ minRegistrationSeconds: 1, clock });
    open.push(connection);
    await connection.signIn(account('alice'));
    await kamailio.stop();
    await vi.waitFor(() => expect(connection.current.status).toBe('reconnecting'), { timeout: 5_000, interval: 20 });
    await kamailio.start();
    connection.retryNow();
    await vi.waitFor(() => expect(connection.current.status).toBe('registered'), { timeout: 5_000, interval: 20 });
  });

  test('while registered, a check finds a dead connection at once instead of at the next liveness tick', async () => {
    const clock = new FakeClock();
    const connection = new SipConnection({ minRegistrationSeconds: 1, clock, livenessIntervalMs: 600_000, livenessTimeoutMs: 500 });
    open.push(connection);
    await connection.signIn(account('carol'));
    kamailio.freeze();
    try {
      connection.retryNow();
      clock.advance(500); // the check's own deadline; the next liveness tick is ten minutes away
      await vi.waitFor(
        () => expect(connection.current).toMatchObject({ status: 'reconnecting', reason: { problem: SignInProblem.ServerSilent } }),
        {
          timeout: 3_000,
          interval: 20,
        },
      );
    } finally {
      kamailio.thaw();
    }
  });
});

describe('signing in again at start', () => {
  test('with the server down at start, Parley keeps trying and signs in as soon as it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-engine-'));
    dirs.push(dataDir);
    const make = () =>
      new Engine({
        dataDir,
        mode: 'web',
        version: 'test',
        secrets: new FileSecretStore(join(dataDir, 'credentials.json')),
        sip: { minRegistrationSeconds: 1 },
      });
    const first = make();
    expect(
      await first.account.signIn({ address: `carol@${DOMAIN}`, password: 'carol-pw', server: kamailio.wsUrl, rememberPassword: true }),
    ).toMatchObject({ ok: true });
    await first.close();
    expect(await kamailio.contacts('carol')).toEqual([]);

    await kamailio.stop();
    const second = make();
    await second.start();
    expect(second.connection.current.status).toBe('reconnecting');
    await kamailio.start();
    await vi.waitFor(() => expect(second.connection.current.status).toBe('registered'), { timeout: 20_000, interval: 50 });
    expect(await kamailio.contacts('carol')).toHaveLength(1);
    await second.close();
  });
});
