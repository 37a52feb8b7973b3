import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';

let kamailio: Kamailio;
let fleet: EngineFleet;

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' }, presRules: true });
  fleet = new EngineFleet(kamailio);
});
afterEach(async () => {
  await fleet.dispose();
});
afterAll(async () => {
  await kamailio?.dispose();
});

const ALICE = `sip:alice@${DOMAIN}`;

test('"Try now", the network coming back and resume during one outage make one reconnect: the server sees every dialog renewed once', async () => {
  // Retries come within 300 ms and the liveness check every 1.5 s: once the server has seen a liveness
  // check after the reconnect, any stray second attempt (a leftover retry timer) has run too.
  const alice = await fleet.signedIn('alice', {
    sip: { backoff: { firstMinMs: 200, firstMaxMs: 300, baseMs: 300, capMs: 300 }, livenessIntervalMs: 1_500 },
  });
  for (const user of ['bob', 'carol']) alice.contacts.add({ address: `${user}@${DOMAIN}` });
  const settled = () =>
    alice.contacts.list().contacts.every((c) => c.subscription === 'pending' || c.subscription === 'active') &&
    kamailio.presenceRequests().some((r) => r.from === ALICE && r.event === 'presence.winfo');
  await vi.waitFor(() => expect(settled()).toBe(true), { timeout: 10_000 });
  const onlineCount = { value: 0 };
  alice.connection.onDidChange((state) => {
    if (state.status === 'registered') onlineCount.value++;
  });

  await kamailio.stop();
  await vi.waitFor(() => expect(alice.connection.current.status).toBe('reconnecting'), { timeout: 10_000 });
  await kamailio.start(); // its log starts afresh: everything below happened after the outage
  // Frozen, the server accepts connections but answers nothing: attempts stay in flight. Three
  // triggers arrive meanwhile — the person's click, the OS's "online", resume from sleep.
  kamailio.freeze();
  const seen: string[] = [];
  const stop = alice.connection.onDidChange((state) => seen.push(state.status));
  alice.connection.retryNow();
  alice.connection.retryNow();
  await new Promise((resolve) => setImmediate(resolve));
  alice.connection.retryNow();
  kamailio.thaw();
  await vi.waitFor(() => expect(alice.connection.current.status).toBe('registered'), { timeout: 10_000 });
  stop();
  // The triggers joined the attempt in flight: no second attempt failed beside it ("request pending").
  expect(seen).toEqual(['registered']);
  await vi.waitFor(() => expect(alice.contacts.list().contacts.every((c) => c.subscription !== 'subscribing')).toBe(true), {
    timeout: 10_000,
  });
  await vi.waitFor(() => expect(kamailio.keepalives(ALICE)).toBeGreaterThan(0), { timeout: 5_000 });
  // Signing out ends everything that is open; whatever a second reconnect would have opened is in
  // the log by then, followed by its own un-SUBSCRIBE.
  await alice.account.signOut();

  const requests = kamailio.presenceRequests().filter((r) => r.from === ALICE);
  for (const user of ['bob', 'carol']) {
    const expires = requests.filter((r) => r.method === 'SUBSCRIBE' && r.event === 'presence' && r.to === `sip:${user}@${DOMAIN}`);
    // The dead dialog ended, one new one, ended at sign-out.
    expect({ user, expires: expires.map((r) => r.expires) }).toEqual({ user, expires: ['0', '3600', '0'] });
  }
  const winfo = requests.filter((r) => r.event === 'presence.winfo').map((r) => r.expires);
  expect(winfo).toEqual(['0', '90', '0']);
  expect(kamailio.registers('alice')).toHaveLength(2); // one REGISTER after the outage, one un-REGISTER
  expect(onlineCount.value).toBe(1);
});
