import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';

// Presence with authorisation: the server keeps a watcher pending until the presentity's pres-rules
// allow them (presence_xml force_active=0 with the integrated XCAP server).
let kamailio: Kamailio;
let fleet: EngineFleet;
const users = Object.fromEntries(['alice', 'bob', 'carol', 'dave', 'erin', 'frank'].map((u) => [u, `${u}-pw`]));

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

describe('adding a contact and approving a watcher', () => {
  test('alice adds bob → bob is asked → Accept → alice sees bob Available, then Busy with his note', async () => {
    const alice = await fleet.signedIn('alice');
    const bob = await fleet.signedIn('bob');
    expect(alice.contacts.add({ address: `bob@${DOMAIN}`, displayName: 'Bob' })).toMatchObject({
      ok: true,
      value: { uri: `sip:bob@${DOMAIN}` },
    });

    await waitFor(() => expect(contactOf(alice, 'bob')?.subscription).toBe('pending'));
    await waitFor(() => expect(bob.contacts.approvalRequests().map((r) => r.uri)).toEqual([`sip:alice@${DOMAIN}`]));

    expect(await bob.contacts.answer(`sip:alice@${DOMAIN}`, 'accept')).toEqual({ ok: true, value: undefined });
    await waitFor(() => expect(contactOf(alice, 'bob')).toMatchObject({ subscription: 'active', presence: { availability: 'available' } }));
    expect(bob.contacts.approvalRequests()).toEqual([]);

    bob.myPresence.set('busy', 'In a <b>meeting</b> until 3');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence).toEqual({ availability: 'busy', note: 'In a <b>meeting</b> until 3' }));
    bob.myPresence.set('appearOffline');
    await waitFor(() => expect(contactOf(alice, 'bob')?.presence.availability).toBe('offline'));
  });

  test('decline: the watcher is told "not sharing presence" and is not asked again', async () => {
    const carol = await fleet.signedIn('carol');
    const dave = await fleet.signedIn('dave');
    carol.contacts.add({ address: `dave@${DOMAIN}` });
    await waitFor(() => expect(dave.contacts.approvalRequests()).toHaveLength(1));
    await dave.contacts.answer(`sip:carol@${DOMAIN}`, 'decline');
    await waitFor(() => expect(contactOf(carol, 'dave')?.subscription).toBe('rejected'));
    expect(contactOf(carol, 'dave')?.presence.availability).toBe('offline');
    expect(dave.contacts.approvalRequests()).toEqual([]);
  });

  test('adding someone who already asked to see me accepts them automatically', async () => {
    const erin = await fleet.signedIn('erin');
    const frank = await fleet.signedIn('frank');
    erin.contacts.add({ address: `frank@${DOMAIN}` });
    await waitFor(() => expect(frank.contacts.approvalRequests()).toHaveLength(1));
    // Frank adds Erin back instead of answering: that is a yes.
    frank.contacts.add({ address: `erin@${DOMAIN}` });
    await waitFor(() => expect(contactOf(erin, 'frank')?.subscription).toBe('active'));
    expect(frank.contacts.approvalRequests()).toEqual([]);
    // And Frank waits for Erin's approval of his own request.
    await waitFor(() => expect(erin.contacts.approvalRequests().map((r) => r.uri)).toEqual([`sip:frank@${DOMAIN}`]));
  });
});
