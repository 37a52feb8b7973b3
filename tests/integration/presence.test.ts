import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { EngineFleet } from '../support/engines.js';
import { FakeClock } from '../support/fake-clock.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';

// Presence with authorisation: the server keeps a watcher pending until the presentity's pres-rules
// allow them (presence_xml force_active=0 with the integrated XCAP server).
let kamailio: Kamailio;
let fleet: EngineFleet;
const NAMES = 'alice bob carol dave erin frank gina hank ivan judy kim leo max nia olga pete quin rita sam tia';
const users = Object.fromEntries(NAMES.split(' ').map((u) => [u, `${u}-pw`]));

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users, presRules: true });
  fleet = new EngineFleet(kamailio);
});
afterEach(async () => {
  await fleet.dispose();
});
afterAll(async () => {
  await kamailio?.dispose();
});

const contactOf = (engine: Engine, user: string) => engine.contacts.list().contacts.find((c) => c.uri === `sip:${user}@${DOMAIN}`);
const waitFor = (check: () => void, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 25 });

/**
 * Makes `watcher` follow `presentity` with the presentity's approval, whatever earlier tests in this
 * file (same server, same users) already decided.
 */
async function follow(watcher: Engine, watcherName: string, presentity: Engine, presentityName: string): Promise<void> {
  watcher.contacts.add({ address: `${presentityName}@${DOMAIN}` });
  await waitFor(() => expect(['pending', 'active']).toContain(contactOf(watcher, presentityName)?.subscription));
  if (contactOf(watcher, presentityName)?.subscription === 'pending') {
    const asked = () => expect(presentity.approvals.requests().map((r) => r.uri)).toContain(`sip:${watcherName}@${DOMAIN}`);
    try {
      await waitFor(asked, 5_000);
      await presentity.approvals.answer(`sip:${watcherName}@${DOMAIN}`, 'accept');
    } catch {
      // Under a full run the request sometimes never reaches the presentity's inbox (seen in two
      // clean-clone runs of 5, cause not found yet — a fresh SUBSCRIBE did not bring it either).
      // This helper only sets the scene, so the presentity lets them in the other way Parley has:
      // adding them as a contact writes the allow rule whether or not it saw the request.
      presentity.contacts.add({ address: `${watcherName}@${DOMAIN}` });
    }
  }
  await waitFor(() => expect(contactOf(watcher, presentityName)?.subscription).toBe('active'));
}

describe('adding a contact and approving a watcher', () => {
  test('alice adds bob → bob is asked → Accept → alice sees bob Available, then Busy with his note', async () => {
    const alice = await fleet.signedIn('alice');
    const bob = await fleet.signedIn('bob');
    expect(alice.contacts.add({ address: `bob@${DOMAIN}`, displayName: 'Bob' })).toMatchObject({
      ok: true,
      value: { uri: `sip:bob@${DOMAIN}` },
    });

    await waitFor(() => expect(contactOf(alice, 'bob')?.subscription).toBe('pending'));
    await waitFor(() => expect(bob.approvals.requests().map((r) => r.uri)).toEqual([`sip:alice@${DOMAIN}`]));

    expect(await bob.approvals.answer(`sip:alice@${DOMAIN}`, 'accept')).toEqual({ ok: true, value: undefined });
    await waitFor(() => expect(contactOf(alice, 'bob')).toMatchObject({ subscription: 'active', presence: { availability: 'available' } }));
    expect(bob.approvals.requests()).toEqual([]);

    bob.myPresence.set('busy', 'In a <b>meeting</b> until 3');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence).toEqual({ availability: 'busy', note: 'In a <b>meeting</b> until 3' }));
    bob.myPresence.set('appearOffline');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence.availability).toBe('offline'));
  });

  test('decline: the watcher is told "not sharing presence" and is not asked again', async () => {
    const carol = await fleet.signedIn('carol');
    const dave = await fleet.signedIn('dave');
    carol.contacts.add({ address: `dave@${DOMAIN}` });
    await waitFor(() => expect(dave.approvals.requests()).toHaveLength(1));
    await dave.approvals.answer(`sip:carol@${DOMAIN}`, 'decline');
    await waitFor(() => expect(contactOf(carol, 'dave')?.subscription).toBe('rejected'));
    expect(contactOf(carol, 'dave')?.presence.availability).toBe('offline');
    expect(dave.approvals.requests()).toEqual([]);
  });

  test('adding someone who already asked to see me accepts them automatically', async () => {
    const erin = await fleet.signedIn('erin');
    const frank = await fleet.signedIn('frank');
    erin.contacts.add({ address: `frank@${DOMAIN}` });
    await waitFor(() => expect(frank.approvals.requests()).toHaveLength(1));
    // Frank adds Erin back instead of answering: that is a yes.
    frank.contacts.add({ address: `erin@${DOMAIN}` });
    await waitFor(() => expect(contactOf(erin, 'frank')?.subscription).toBe('active'));
    expect(frank.approvals.requests()).toEqual([]);
    // And Frank sees Erin at once: she let him in when she added him, so no request waits for her.
    await waitFor(() => expect(contactOf(frank, 'erin')?.subscription).toBe('active'));
    expect(erin.approvals.requests()).toEqual([]);
  });

  test('adding someone lets them see me: their "Accept and add" completes it both ways, with no second request', async () => {
    const rita = await fleet.signedIn('rita');
    const sam = await fleet.signedIn('sam');
    rita.contacts.add({ address: `sam@${DOMAIN}` });
    await waitFor(() => expect(sam.approvals.requests().map((r) => r.uri)).toEqual([`sip:rita@${DOMAIN}`]));
    expect(await sam.approvals.answer(`sip:rita@${DOMAIN}`, 'acceptAndAdd')).toEqual({ ok: true, value: undefined });
    await waitFor(() => expect(contactOf(rita, 'sam')?.subscription).toBe('active'));
    await waitFor(() => expect(contactOf(sam, 'rita')?.subscription).toBe('active'));
    expect(rita.approvals.requests()).toEqual([]);
    expect(contactOf(rita, 'sam')?.decision).toBe('allowed');
  });
});

describe('blocking, restarts and sign-out', () => {
  test('block: the watcher stops seeing presence at once; unblock from the contact menu lets them back', async () => {
    const gina = await fleet.signedIn('gina');
    const hank = await fleet.signedIn('hank');
    gina.contacts.add({ address: `hank@${DOMAIN}` });
    await waitFor(() => expect(hank.approvals.requests()).toHaveLength(1));
    hank.contacts.add({ address: `gina@${DOMAIN}` }); // auto-accepts gina's pending request
    await waitFor(() => expect(contactOf(gina, 'hank')?.subscription).toBe('active'));

    const ginaInHank = contactOf(hank, 'gina')!;
    expect(await hank.contacts.setBlocked(ginaInHank.id, true)).toMatchObject({ ok: true, value: { blocked: true } });
    await waitFor(() => expect(contactOf(gina, 'hank')?.subscription).toBe('rejected'));
    // Alice, whom hank lets see him, is the barrier: once she has the new status, the server has
    // sent it to every watcher it was going to send it to.
    const alice = await fleet.signedIn('alice');
    await follow(alice, 'alice', hank, 'hank');
    const notifiesToGina = () => kamailio.output.split('\n').filter((line) => /local NOTIFY to .* tu=sip:gina@/.test(line)).length;
    const before = notifiesToGina();
    expect(before).toBeGreaterThan(0); // the count does see NOTIFYs to gina (her active, then terminated subscription)
    hank.myPresence.set('busy', 'secret plans');
    await waitFor(() => expect(contactOf(alice, 'hank')?.presence).toEqual({ availability: 'busy', note: 'secret plans' }));
    expect(notifiesToGina()).toBe(before);
    expect(contactOf(gina, 'hank')?.presence).toEqual({ availability: 'offline', note: '' });

    // Changing my mind: unblock. The rejected side does not poll; "Ask again" (or its next sign-in,
    // or six hours) sees me.
    expect(await hank.contacts.setBlocked(ginaInHank.id, false)).toMatchObject({ ok: true, value: { blocked: false } });
    expect(contactOf(gina, 'hank')?.subscription).toBe('rejected');
    expect(gina.contacts.askAgain(contactOf(gina, 'hank')!.id)).toEqual({ ok: true, value: undefined });
    await waitFor(() =>
      expect(contactOf(gina, 'hank')).toMatchObject({ subscription: 'active', presence: { availability: 'busy', note: 'secret plans' } }),
    );
    // …and so does a fresh sign-in, without anyone asking.
    hank.myPresence.set('away', 'after lunch');
    await gina.account.signOut();
    await gina.account.signIn({ address: `gina@${DOMAIN}`, password: '', server: kamailio.wsUrl, rememberPassword: true });
    await waitFor(() => expect(contactOf(gina, 'hank')).toMatchObject({ subscription: 'active', presence: { note: 'after lunch' } }));
  });

  test('pending requests survive a restart; signing out shows me Offline to my watchers', async () => {
    const ivan = await fleet.signedIn('ivan');
    const judyFirst = await fleet.signedIn('judy');
    ivan.contacts.add({ address: `judy@${DOMAIN}` });
    await waitFor(() => expect(judyFirst.approvals.requests()).toHaveLength(1));
    const dataDir = judyFirst.dataDir;
    await judyFirst.close();

    const judy = fleet.create({ dataDir });
    await judy.start();
    await waitFor(() => expect(judy.connection.current.status).toBe('registered'));
    expect(judy.approvals.requests()).toMatchObject([{ uri: `sip:ivan@${DOMAIN}`, address: `ivan@${DOMAIN}`, isContact: false }]);

    await judy.approvals.answer(`sip:ivan@${DOMAIN}`, 'acceptAndAdd');
    expect(judy.contacts.list().contacts.map((c) => c.uri)).toEqual([`sip:ivan@${DOMAIN}`]);
    await waitFor(() => expect(contactOf(ivan, 'judy')).toMatchObject({ subscription: 'active', presence: { availability: 'available' } }));

    await judy.account.signOut();
    await waitFor(() => expect(contactOf(ivan, 'judy')?.presence.availability).toBe('offline'));
  });

  test('after a server restart, presence is published and subscribed again without anyone doing anything', async () => {
    const alice = await fleet.signedIn('alice');
    const bob = await fleet.signedIn('bob');
    await follow(alice, 'alice', bob, 'bob');
    bob.myPresence.set('dnd', 'Focus time');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence).toEqual({ availability: 'dnd', note: 'Focus time' }));

    await kamailio.stop();
    await kamailio.start();
    await waitFor(() => expect(alice.connection.current.status).toBe('registered'), 20_000);
    await waitFor(() => expect(bob.connection.current.status).toBe('registered'), 20_000);
    bob.myPresence.set('brb', 'Back in 5');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence).toEqual({ availability: 'brb', note: 'Back in 5' }), 20_000);
  });
});

describe('the buddy list itself', () => {
  test('addresses are normalised; myself, duplicates and junk are refused with a message on the field', async () => {
    const alice = await fleet.signedIn('alice');
    expect(alice.contacts.add({ address: ` SIP:Bob@UC.TEST ` })).toMatchObject({ ok: true, value: { uri: `sip:Bob@${DOMAIN}` } });
    expect(alice.contacts.add({ address: `sip:Bob@${DOMAIN}` })).toMatchObject({
      ok: false,
      error: { field: 'address', problem: 'alreadyContact', values: { address: `Bob@${DOMAIN}` } },
    });
    expect(alice.contacts.add({ address: `alice@${DOMAIN}` })).toMatchObject({
      ok: false,
      error: { field: 'address', problem: 'ownAddress' },
    });
    expect(alice.contacts.add({ address: 'not an address' })).toMatchObject({ ok: false, error: { field: 'address' } });
    expect(alice.contacts.add({ address: 'someone@outlook.example', displayName: 'Outlook friend' })).toMatchObject({
      ok: true,
      value: { address: 'someone@outlook.example' },
    });
  });

  test('a contact I added sees me at once; blocking and unblocking from the menu take effect on the server', async () => {
    const sam = await fleet.signedIn('sam');
    const tia = await fleet.signedIn('tia');
    tia.contacts.add({ address: `sam@${DOMAIN}` }); // tia lets sam see her by adding him
    await waitFor(() => expect(contactOf(tia, 'sam')?.decision).toBe('allowed'));
    sam.contacts.add({ address: `tia@${DOMAIN}` }); // …so sam's subscription needs no request
    await waitFor(() => expect(contactOf(sam, 'tia')?.subscription).toBe('active'));
    expect(tia.approvals.requests()).toEqual([]);
    const samInTia = contactOf(tia, 'sam')!;
    expect(await tia.contacts.setBlocked(samInTia.id, true)).toMatchObject({ ok: true, value: { decision: 'blocked', blocked: true } });
    await waitFor(() => expect(contactOf(sam, 'tia')?.subscription).toBe('rejected'));
    expect(await tia.contacts.setBlocked(samInTia.id, false)).toMatchObject({ ok: true, value: { decision: 'allowed', blocked: false } });
  });

  test('groups: create, rename, move contacts, delete (contacts move to the default group); all survives a restart', async () => {
    const carol = await fleet.signedIn('carol');
    const work = carol.contacts.createGroup('Work');
    expect(work).toMatchObject({ ok: true, value: { name: 'Work', isDefault: false } });
    const workId = work.ok ? work.value.id : 0;
    expect(carol.contacts.createGroup('work')).toMatchObject({ ok: false, error: { field: 'name' } });
    expect(carol.contacts.createGroup('  ')).toMatchObject({ ok: false, error: { problem: 'groupNameEmpty', field: 'name' } });
    const added = carol.contacts.add({ address: `dave@${DOMAIN}`, groupId: workId });
    const daveId = added.ok ? added.value.id : 0;
    expect(carol.contacts.renameGroup(workId, 'Team')).toMatchObject({ ok: true, value: { name: 'Team' } });
    const defaultGroup = carol.contacts.list().groups.find((g) => g.isDefault)!;
    expect(carol.contacts.update(daveId, { groupId: defaultGroup.id, displayName: 'Dave D.' })).toMatchObject({
      ok: true,
      value: { groupId: defaultGroup.id, displayName: 'Dave D.' },
    });
    carol.contacts.update(daveId, { groupId: workId });
    expect(carol.contacts.deleteGroup(defaultGroup.id)).toMatchObject({ ok: false });
    expect(carol.contacts.deleteGroup(workId)).toEqual({ ok: true, value: undefined });
    expect(carol.contacts.list()).toMatchObject({
      groups: [{ name: 'Contacts', isDefault: true }],
      contacts: [{ uri: `sip:dave@${DOMAIN}`, groupId: defaultGroup.id, displayName: 'Dave D.' }],
    });
    expect(await carol.contacts.remove(daveId)).toEqual({ ok: true, value: undefined });
    expect(carol.contacts.list().contacts).toEqual([]);
  });
});

describe('my presence over time', () => {
  test('idle makes me Away (only over Available), activity brings me back; watchers see both', async () => {
    // Kim's presence runs on a clock the test moves: the idle checks run inside advance().
    const clock = new FakeClock(Date.now());
    const kim = await fleet.signedIn('kim', { presence: { clock } });
    const leo = await fleet.signedIn('leo');
    leo.contacts.add({ address: `kim@${DOMAIN}` });
    await waitFor(() => expect(kim.approvals.requests()).toHaveLength(1));
    await kim.approvals.answer(`sip:leo@${DOMAIN}`, 'accept');
    await waitFor(() => expect(contactOf(leo, 'kim')?.presence.availability).toBe('available'));

    kim.myPresence.setIdleMinutes(5);
    clock.advance(4 * 60_000);
    expect(kim.myPresence.current.idle).toBe(false);
    clock.advance(60_000);
    expect(kim.myPresence.current).toMatchObject({ status: 'available', idle: true });
    await waitFor(() => expect(contactOf(leo, 'kim')?.presence.availability).toBe('away'));
    kim.myPresence.reportActivity();
    await waitFor(() => expect(contactOf(leo, 'kim')?.presence.availability).toBe('available'));

    kim.myPresence.set('busy');
    await waitFor(() => expect(contactOf(leo, 'kim')?.presence.availability).toBe('busy'));
    clock.advance(60 * 60_000);
    // A status chosen by hand is never overridden by idle.
    expect(kim.myPresence.current).toMatchObject({ status: 'busy', idle: false });
  });

  test('a burst of status changes ends in the last one, and the connection stays healthy', async () => {
    const alice = await fleet.signedIn('alice');
    const bob = await fleet.signedIn('bob');
    await follow(alice, 'alice', bob, 'bob');
    const statuses = ['busy', 'available', 'dnd', 'away', 'brb', 'available', 'busy'] as const;
    for (let i = 0; i < 30; i++) bob.myPresence.set(statuses[i % statuses.length]!, `burst ${i}`);
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence).toEqual({ availability: 'available', note: 'burst 29' }));
    // Still fully working: a later change arrives, and signing out is quick.
    bob.myPresence.set('busy', 'after the burst');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence).toEqual({ availability: 'busy', note: 'after the burst' }));
    await bob.account.signOut();
    // The publication was removed (not left to expire), so Alice sees Offline at once.
    const bobsPublishes = kamailio.presenceRequests().filter((r) => r.method === 'PUBLISH' && r.from === `sip:bob@${DOMAIN}`);
    expect(bobsPublishes.at(-1)?.expires).toBe('0');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence.availability).toBe('offline'));
  });

  test('an answer the server cannot take is kept and written at the next sign-in', async () => {
    const max = await fleet.signedIn('max');
    const nia = fleet.create();
    const signIn = (xcapRoot: string) =>
      nia.account.signIn({ address: `nia@${DOMAIN}`, password: 'nia-pw', server: kamailio.wsUrl, rememberPassword: true, xcapRoot });
    expect(await signIn('http://127.0.0.1:9/xcap-root')).toMatchObject({ ok: true });
    max.contacts.add({ address: `nia@${DOMAIN}` });
    await waitFor(() => expect(nia.approvals.requests()).toHaveLength(1));
    const answered = await nia.approvals.answer(`sip:max@${DOMAIN}`, 'accept');
    expect(answered).toMatchObject({ ok: false, error: { kind: 'unreachable', problem: 'answersNotStored' } });
    expect(nia.approvals.requests()).toEqual([]);
    // (Max's engine hears "pending" in its own NOTIFY, which may come after Nia saw the request.)
    await waitFor(() => expect(contactOf(max, 'nia')?.subscription).toBe('pending'));

    await nia.account.signOut();
    expect(await signIn('')).toMatchObject({ ok: true });
    expect(await nia.account.get()).toMatchObject({ xcapRoot: '' });
    // Max's pending subscription turns active once the kept rule reaches the server.
    await waitFor(() => expect(contactOf(max, 'nia')?.subscription).toBe('active'));
  });
});

describe('what the server sees', () => {
  const subscribes = (from: string, to: string) =>
    kamailio
      .presenceRequests()
      .filter(
        (r) => r.method === 'SUBSCRIBE' && r.event === 'presence' && r.from === `sip:${from}@${DOMAIN}` && r.to === `sip:${to}@${DOMAIN}`,
      );

  test('a rejected subscription is not retried: no re-subscribe loop', async () => {
    // Olga retries failed subscriptions within 40 ms and checks her connection every 300 ms: by the
    // time the server has seen three of those checks, any re-subscribe loop would have shown.
    const olga = await fleet.signedIn('olga', {
      presence: { backoff: { firstMinMs: 10, firstMaxMs: 20, baseMs: 20, capMs: 40 } },
      sip: { livenessIntervalMs: 300 },
    });
    const pete = await fleet.signedIn('pete');
    olga.contacts.add({ address: `pete@${DOMAIN}` });
    await waitFor(() => expect(pete.approvals.requests()).toHaveLength(1));
    await pete.approvals.answer(`sip:olga@${DOMAIN}`, 'block');
    await waitFor(() => expect(contactOf(olga, 'pete')?.subscription).toBe('rejected'));
    const count = subscribes('olga', 'pete').length;
    const checks = kamailio.keepalives(`sip:olga@${DOMAIN}`);
    await waitFor(() => expect(kamailio.keepalives(`sip:olga@${DOMAIN}`) - checks).toBeGreaterThanOrEqual(3));
    expect(subscribes('olga', 'pete')).toHaveLength(count);
    expect(contactOf(olga, 'pete')?.subscription).toBe('rejected');
  });

  test('removing a contact, and signing out, end the subscriptions on the server (SUBSCRIBE Expires: 0)', async () => {
    const quin = await fleet.signedIn('quin');
    await fleet.signedIn('rita');
    const added = quin.contacts.add({ address: `rita@${DOMAIN}` });
    quin.contacts.add({ address: `pete@${DOMAIN}` });
    await waitFor(() => expect(contactOf(quin, 'rita')?.subscription).toBe('pending'));
    await waitFor(() => expect(contactOf(quin, 'pete')?.subscription).toBe('pending'));
    await quin.contacts.remove(added.ok ? added.value.id : 0);
    await waitFor(() => expect(subscribes('quin', 'rita').map((r) => r.expires)).toContain('0'));
    await quin.account.signOut();
    await waitFor(() => expect(subscribes('quin', 'pete').map((r) => r.expires)).toContain('0'));
    // …and the watcher-info subscription and the publication too.
    const mine = kamailio.presenceRequests().filter((r) => r.from === `sip:quin@${DOMAIN}` && r.to === `sip:quin@${DOMAIN}`);
    expect(mine.filter((r) => r.event === 'presence.winfo').at(-1)?.expires).toBe('0');
    expect(mine.filter((r) => r.method === 'PUBLISH').at(-1)?.expires).toBe('0');
  });

  test('the publication is refreshed before it expires, so watchers keep seeing me', async () => {
    const alice = await fleet.signedIn('alice', { presence: { publishExpires: 2 } });
    const bob = await fleet.signedIn('bob');
    await follow(bob, 'bob', alice, 'alice');
    alice.myPresence.set('busy', 'long meeting');
    await waitFor(() => expect(contactOf(bob, 'alice')?.presence).toEqual({ availability: 'busy', note: 'long meeting' }));
    // Three refreshes, each before the 2 s lifetime ran out: the publication still stands (a lapsed
    // one would have reached Bob as Offline).
    const publishes = () => kamailio.presenceRequests().filter((r) => r.method === 'PUBLISH' && r.from === `sip:alice@${DOMAIN}`).length;
    const before = publishes();
    await waitFor(() => expect(publishes() - before).toBeGreaterThanOrEqual(3));
    expect(contactOf(bob, 'alice')?.presence).toEqual({ availability: 'busy', note: 'long meeting' });
  });
});
