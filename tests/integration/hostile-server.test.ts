import { problemText } from '../../shared/domain/problem.js';
import { signInFailureText } from '../../shared/domain/connection.js';
import { CallEndReason } from '../../shared/domain/calls.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { Engine } from '../../main/engine.js';
import { SipConnection } from '../../main/sip/sip-connection.js';
import { FileSecretStore } from '../../main/store/secret-store.js';
import { FakeClock } from '../support/fake-clock.js';
import { HostileSipServer, type Answer } from '../support/hostile-sip-server.js';
import { PAGELESS_SDP } from '../support/webrtc.js';

// A server that hands out absurd or hostile intervals. Each test lets the engine run against it until
// the server has seen three liveness checks (250 ms apart): a retry loop shows as hundreds of
// requests by then, a bounded client's count stays at one or two.
const open: { engine: Engine; server: HostileSipServer; dir: string }[] = [];

afterEach(async () => {
  for (const { engine, server, dir } of open.splice(0)) {
    await engine.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

type EngineOptions = ConstructorParameters<typeof Engine>[0];

/** A hostile server answering by `policies`, and an engine (not yet signed in) in a fresh folder, both closed after the test. */
async function engineAgainst(
  policies: Record<string, (request: Parameters<Parameters<HostileSipServer['on']>[1]>[0]) => Answer>,
  options: Pick<EngineOptions, 'sip' | 'presence'>,
) {
  const server = await HostileSipServer.start();
  for (const [method, policy] of Object.entries(policies)) server.on(method, policy);
  const dir = mkdtempSync(join(tmpdir(), 'parley-hostile-'));
  const engine = new Engine({
    dataDir: dir,
    mode: 'web',
    version: 'test',
    secrets: new FileSecretStore(join(dir, 'credentials.json')),
    ...options,
  });
  open.push({ engine, server, dir });
  return { engine, server };
}

/** The same, signed in (the server must let it). */
async function against(policies: Parameters<typeof engineAgainst>[0], presence: NonNullable<EngineOptions['presence']> = {}) {
  const { engine, server } = await engineAgainst(policies, { sip: { livenessIntervalMs: 250 }, presence });
  const signedIn = await engine.account.signIn({
    address: 'alice@hostile.test',
    password: 'pw',
    server: server.url,
    rememberPassword: false,
    xcapRoot: 'http://127.0.0.1:9/xcap-root',
  });
  expect(signedIn).toMatchObject({ ok: true, value: { status: 'registered' } });
  return { engine, server };
}

/** Three liveness checks reached the server since now. */
async function threeChecksLater(server: HostileSipServer): Promise<void> {
  const before = server.count('OPTIONS');
  await vi.waitFor(() => expect(server.count('OPTIONS') - before).toBeGreaterThanOrEqual(3), { timeout: 10_000, interval: 20 });
}

const presenceSubscribes = (server: HostileSipServer) =>
  server.received('SUBSCRIBE').filter((r) => r.header('event') === 'presence').length;

describe('two authentication hops (RFC 3261 §22.3)', () => {
  test('a call challenged by the proxy (407) and then by the far end (401) answers both, and no third', async () => {
    const seen: { proxy: boolean; www: boolean }[] = [];
    const { engine, server } = await against({
      INVITE: (request) => {
        const proxy = Boolean(request.header('proxy-authorization'));
        const www = Boolean(request.header('authorization'));
        seen.push({ proxy, www });
        if (!proxy)
          return {
            status: 407,
            reason: 'Proxy Authentication Required',
            headers: ['Proxy-Authenticate: Digest realm="proxy.test", nonce="n1", algorithm=MD5'],
          };
        if (!www)
          return {
            status: 401,
            reason: 'Unauthorized',
            headers: ['WWW-Authenticate: Digest realm="trunk.test", nonce="n2", algorithm=MD5'],
          };
        // Past both: the far end is busy (what matters is that the call got this far).
        return { status: 486, reason: 'Busy Here' };
      },
    });
    engine.calls.media.onDidRequest((request) =>
      engine.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: PAGELESS_SDP } : {}) }),
    );
    const started = engine.calls.start('bob@hostile.test', false, 'page');
    if (!started.ok) throw new Error(problemText(started.error));
    await vi.waitFor(() => expect(engine.calls.list()[0]).toMatchObject({ state: 'ended', end: { reason: CallEndReason.Busy } }), {
      timeout: 10_000,
    });
    expect(seen).toEqual([
      { proxy: false, www: false },
      { proxy: true, www: false },
      { proxy: true, www: true },
    ]);
    expect(server.count('INVITE')).toBe(3);
  });

  test('a second challenge of the same kind is still an authentication loop: refused, not answered for ever', async () => {
    const { engine, server } = await against({
      INVITE: () => ({
        status: 407,
        reason: 'Proxy Authentication Required',
        headers: ['Proxy-Authenticate: Digest realm="proxy.test", nonce="n1", algorithm=MD5'],
      }),
    });
    engine.calls.media.onDidRequest((request) =>
      engine.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: PAGELESS_SDP } : {}) }),
    );
    expect(engine.calls.start('bob@hostile.test', false, 'page').ok).toBe(true);
    await vi.waitFor(() => expect(engine.calls.list()[0]?.state).toBe('ended'), { timeout: 10_000 });
    expect(server.count('INVITE')).toBe(2);
  });
});

describe('a registrar that answers 200 but grants no time', () => {
  const bare = (contact: string) => contact.replace(/;expires=\d+/, '');
  const grants: [string, (contact: string) => string[]][] = [
    ['Contact ;expires=0', (contact) => [`Contact: ${bare(contact)};expires=0`]],
    ['Expires: 0', (contact) => ['Expires: 0', `Contact: ${bare(contact)}`]],
  ];
  for (const [how, headers] of grants) {
    test(`${how}: sign-in fails in words; later, a refresh granted nothing is retried with backoff, not in a loop`, async () => {
      const { engine, server } = await engineAgainst(
        { REGISTER: (request) => ({ status: 200, headers: headers(request.header('contact')!) }) },
        // Asks for 2 s (so the refresh comes soon); retries 50 ms, then 100, 200, 400 ms apart.
        { sip: { registerExpires: 2, backoff: { firstMinMs: 50, firstMaxMs: 60, baseMs: 100, capMs: 400 } } },
      );
      const account = { address: 'alice@hostile.test', password: 'pw', server: server.url, rememberPassword: false };
      expect(await engine.account.signIn(account)).toMatchObject({
        ok: false,
        error: { signIn: { problem: 'tooBrief', seconds: 0 } },
      });
      // The REGISTER, and at most the un-REGISTER that clears whatever binding the server may hold.
      expect(server.count('REGISTER')).toBeLessThanOrEqual(2);

      // Now the first REGISTER is granted its 2 s; the refresh, and everything after, nothing.
      let granted = false;
      server.on('REGISTER', (request) => {
        if (granted) return { status: 200, headers: headers(request.header('contact')!) };
        granted = true;
        return { status: 200, headers: [`Contact: ${bare(request.header('contact')!)};expires=2`] };
      });
      const retries: string[] = [];
      engine.connection.onDidChange((state) => {
        if (state.status === 'reconnecting') retries.push(signInFailureText(state.reason));
      });
      expect(await engine.account.signIn(account)).toMatchObject({ ok: true });
      const before = server.count('REGISTER');
      // The lapse, then three retries each met by the same zero grant: said, and the requests stay few.
      await vi.waitFor(() => expect(retries.length).toBeGreaterThanOrEqual(4), { timeout: 15_000, interval: 20 });
      expect(retries.slice(1, 4)).toEqual(Array(3).fill(expect.stringContaining('kept it for only 0 s')));
      expect(server.count('REGISTER') - before).toBeLessThanOrEqual(retries.length + 1);
    });
  }
});

describe('intervals from the network are bounded', () => {
  test('a registrar granting 3,000,000 s: one REGISTER, no storm (the timer would overflow to 1 ms)', async () => {
    const { server } = await against({
      REGISTER: (request) => ({
        status: 200,
        headers: [`Contact: ${request.header('contact')!.replace(/;expires=\d+/, '')};expires=3000000`],
      }),
    });
    await threeChecksLater(server);
    expect(server.count('REGISTER')).toBe(1);
  });

  test('a registrar granting more than asked is held to what was asked', async () => {
    const { server } = await against({
      // No expires on the Contact: the Expires header is what counts (RFC 3261 §10.2.4).
      REGISTER: (request) => ({
        status: 200,
        headers: ['Expires: 3000000', `Contact: ${request.header('contact')!.replace(/;expires=\d+/, '')}`],
      }),
    });
    await threeChecksLater(server);
    expect(server.count('REGISTER')).toBe(1);
  });

  test('PUBLISH answered with Expires: 3000000: one PUBLISH, refreshed only before what we asked for runs out', async () => {
    const { server } = await against({ PUBLISH: () => ({ status: 200, headers: ['SIP-ETag: e1', 'Expires: 3000000'] }) });
    await threeChecksLater(server);
    expect(server.count('PUBLISH')).toBe(1);
  });

  test('PUBLISH answered 423 with an absurd Min-Expires every time: a bounded number of tries', async () => {
    const { server } = await against({ PUBLISH: () => ({ status: 423, headers: ['Min-Expires: 3000000'] }) });
    await threeChecksLater(server);
    expect(server.count('PUBLISH')).toBeLessThanOrEqual(3);
    const asked = server.received('PUBLISH').map((r) => Number(r.header('expires')));
    expect(Math.max(...asked)).toBeLessThanOrEqual(86_400);
  });

  test('SUBSCRIBE answered 503 with Retry-After: 0 (or 3,000,000): retried with backoff, not in a loop', async () => {
    for (const retryAfter of ['0', '3000000']) {
      const { engine, server } = await against({
        SUBSCRIBE: (request) =>
          request.header('event') === 'presence' ? { status: 503, headers: [`Retry-After: ${retryAfter}`] } : { status: 489 },
      });
      engine.contacts.add({ address: 'bob@hostile.test' });
      await vi.waitFor(() => expect(presenceSubscribes(server)).toBeGreaterThanOrEqual(1));
      await threeChecksLater(server);
      expect({ retryAfter, subscribes: presenceSubscribes(server) }).toEqual({ retryAfter, subscribes: 1 });
    }
  });

  test('every NOTIFY says terminated;reason=probation;retry-after=0: retried with backoff, not in a loop', async () => {
    const { engine, server } = await against({
      SUBSCRIBE: (request) =>
        request.header('event') === 'presence'
          ? { status: 200, headers: ['Expires: 0'], notify: { state: 'terminated;reason=probation;retry-after=0' } }
          : { status: 489 },
    });
    engine.contacts.add({ address: 'bob@hostile.test' });
    await vi.waitFor(() => expect(presenceSubscribes(server)).toBeGreaterThanOrEqual(1));
    await threeChecksLater(server);
    expect(presenceSubscribes(server)).toBe(1);
  });

  test('a subscription granted for 3,000,000 s is not refreshed in a loop (its refresh timer would overflow)', async () => {
    const { engine, server } = await against({
      SUBSCRIBE: (request) =>
        request.header('event') === 'presence'
          ? { status: 200, headers: ['Expires: 3000000'], notify: { state: 'active;expires=3000000' } }
          : { status: 489 },
    });
    engine.contacts.add({ address: 'bob@hostile.test' });
    await vi.waitFor(() => expect(engine.contacts.list().contacts[0]?.subscription).toBe('active'));
    await threeChecksLater(server);
    expect(presenceSubscribes(server)).toBe(1);
  });
});

describe('a server that accepts and then drops us at once', () => {
  test('the reconnect backoff keeps growing across such flaps, and starts over only once a connection has held', async () => {
    const server = await HostileSipServer.start();
    let flapping = true;
    server.on('REGISTER', (request) => ({ status: 200, headers: [`Contact: ${request.header('contact')}`], thenClose: flapping }));
    const clock = new FakeClock();
    const connection = new SipConnection({ clock, livenessIntervalMs: 0, stableAfterMs: 60_000 });
    const attempts: number[] = [];
    connection.onDidChange((state) => {
      if (state.status === 'reconnecting') attempts.push(state.attempt);
    });
    try {
      await connection.signIn({ uri: 'sip:alice@hostile.test', server: server.url, authUser: '', password: 'pw', displayName: '' });
      for (let expected = 1; expected <= 5; expected++) {
        // Wait until the drop after the last REGISTER put us back to waiting, then let the retry fire.
        await vi.waitFor(() => expect(attempts.at(-1)).toBe(expected), { timeout: 5_000, interval: 10 });
        clock.advance(31_000);
      }
      expect(attempts.slice(0, 5)).toEqual([1, 2, 3, 4, 5]);

      // Now it holds: a minute registered, then one ordinary drop starts the backoff from the first step.
      flapping = false;
      await vi.waitFor(() => expect(connection.current.status).toBe('registered'), { timeout: 5_000, interval: 10 });
      clock.advance(60_000);
      server.dropClients();
      await vi.waitFor(() => expect(connection.current.status).toBe('reconnecting'), { timeout: 5_000, interval: 10 });
      expect(attempts.at(-1)).toBe(1);
    } finally {
      await connection.signOut();
      await server.close();
    }
  });
});

describe('a server without a presence service', () => {
  test('PUBLISH refused with 489: the person is told others cannot see the status, and it is not retried every few seconds', async () => {
    const { engine, server } = await against({ PUBLISH: () => ({ status: 489, reason: 'Bad Event' }) });
    await vi.waitFor(() => expect(engine.myPresence.current.notShared).toBe(true));
    await threeChecksLater(server);
    expect(server.count('PUBLISH')).toBe(1);
  });

  test("a contact's own device answering 405 to SUBSCRIBE is final, like 489", async () => {
    // Retries within 40 ms: were 405 not final, the server would see several SUBSCRIBEs by the barrier.
    const { engine, server } = await against(
      {
        SUBSCRIBE: (request) =>
          request.header('event') === 'presence' ? { status: 405, headers: ['Allow: INVITE, MESSAGE'] } : { status: 489 },
      },
      { backoff: { firstMinMs: 10, firstMaxMs: 20, baseMs: 20, capMs: 40 } },
    );
    engine.contacts.add({ address: 'phone@hostile.test' });
    await vi.waitFor(() => expect(engine.contacts.list().contacts[0]?.subscription).toBe('failed'));
    await threeChecksLater(server);
    expect(presenceSubscribes(server)).toBe(1);
  });
});
