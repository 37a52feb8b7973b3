import { problemText } from '../../shared/domain/problem.js';
import { CallEndReason } from '../../shared/domain/calls.js';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { createRouter } from '../../main/ipc/router.js';
import type { MediaRequest } from '../../shared/domain/calls.js';
import { EngineFleet, withPeer } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { RawSipPeer } from '../support/raw-sip-peer.js';
import { PAGELESS_SDP } from '../support/webrtc.js';

// Calls placed or kept without the person, through a real Kamailio: a transfer (REFER) is asked,
// never followed silently; a blocked caller never rings; strangers cannot take the line; a number
// names a contact only when my own server vouches for it. mallory@evil.test is a raw SIP peer on
// another domain; "trunk" is a raw peer playing the phone network's gateway on my own domain.
let kamailio: Kamailio;
let mallory: RawSipPeer;
let trunk: RawSipPeer;
let fleet: EngineFleet;

beforeAll(async () => {
  mallory = await RawSipPeer.start('mallory', 'evil.test');
  trunk = await RawSipPeer.start('trunk', DOMAIN);
  kamailio = await Kamailio.launch({
    users: { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' },
    peer: { domain: 'evil.test', address: mallory.address },
    gateway: true,
  });
  fleet = new EngineFleet(kamailio);
});
afterEach(async () => {
  await fleet?.dispose();
});
afterAll(async () => {
  await kamailio?.dispose();
  await mallory?.close();
  await trunk?.close();
});

function answerMedia(engine: Engine): void {
  engine.calls.media.onDidRequest((request) =>
    engine.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: PAGELESS_SDP } : {}) }),
  );
}

async function signedIn(user: string, gateway?: string): Promise<Engine> {
  const engine = await fleet.signedIn(user, gateway ? { account: { gateway } } : {});
  answerMedia(engine);
  return engine;
}

/** `from` calls `to` and `to` answers; resolves with each side's call id. */
async function connected(from: Engine, to: Engine, address: string) {
  const started = from.calls.start(address, false, 'page');
  if (!started.ok) throw new Error(problemText(started.error));
  await vi.waitFor(() => expect(to.calls.list().some((call) => call.state === 'incoming')).toBe(true), { timeout: 10_000 });
  const incoming = to.calls.list().find((call) => call.state === 'incoming')!;
  expect((await to.calls.answer(incoming.id, false, 'page')).ok).toBe(true);
  await vi.waitFor(() => expect(from.calls.list().find((call) => call.id === started.value.id)?.state).toBe('connected'), {
    timeout: 10_000,
  });
  return { caller: started.value.id, callee: incoming.id };
}

const invitesTo = (user: string) => (kamailio.output.match(new RegExp(`relay INVITE sip:${user}@`, 'g')) ?? []).length;
const invitesToNumber = () => (kamailio.output.match(/relay INVITE sip:gateway@|relay INVITE sip:\+19005550199@/g) ?? []).length;

describe('a transfer asked by the other side (REFER) is the person’s to accept', () => {
  test('nothing is dialled until the person answers; Decline tells the transferor, whose call goes on', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const { caller, callee } = await connected(alice, bob, `bob@${DOMAIN}`);
    const before = invitesToNumber();
    // Bob (or anyone in a call with alice) asks her to call a premium number through her own gateway.
    expect((await bob.calls.transfer(callee, '+19005550199')).ok).toBe(true);
    await vi.waitFor(() =>
      expect(alice.calls.list().find((call) => call.id === caller)?.transferRequest).toEqual({
        target: `sip:+19005550199@${DOMAIN}`,
        number: '+19005550199',
        name: '',
        outside: false,
      }),
    );
    expect(alice.calls.list()).toHaveLength(1);
    expect(invitesToNumber()).toBe(before);
    await vi.waitFor(() => expect(bob.calls.list()[0]?.transferring).toBe('+19005550199'));

    expect(alice.calls.answerTransfer(caller, false).ok).toBe(true);
    // The NOTIFY with "603 Declined" reaches bob: his call goes on, with the reason.
    await vi.waitFor(() =>
      expect(bob.calls.list()[0]).toMatchObject({
        state: 'connected',
        transferProblem: { kind: 'failed', end: { reason: CallEndReason.Declined, status: 603 } },
      }),
    );
    expect(bob.calls.list()[0]?.transferring).toBeUndefined();
    expect(alice.calls.list()).toMatchObject([{ id: caller, state: 'connected' }]);
    expect(alice.calls.list()[0]?.transferRequest).toBeUndefined();
    expect(invitesToNumber()).toBe(before);
  });

  test('a target on another domain is marked as outside; Call dials it, and its progress ends the transferor’s call', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    const carol = await signedIn('carol');
    alice.contacts.add({ address: `carol@${DOMAIN}`, displayName: 'Carol Ames' });
    const { caller, callee } = await connected(alice, bob, `bob@${DOMAIN}`);

    expect((await bob.calls.transfer(callee, 'eve@elsewhere.test')).ok).toBe(true);
    await vi.waitFor(() =>
      expect(alice.calls.list()[0]?.transferRequest).toMatchObject({ target: 'sip:eve@elsewhere.test', outside: true }),
    );
    alice.calls.answerTransfer(caller, false);
    await vi.waitFor(() => expect(bob.calls.list()[0]?.transferProblem).toMatchObject({ end: { reason: CallEndReason.Declined } }));

    const carolInvites = invitesTo('carol');
    expect((await bob.calls.transfer(callee, `carol@${DOMAIN}`)).ok).toBe(true);
    await vi.waitFor(() =>
      expect(alice.calls.list()[0]?.transferRequest).toMatchObject({ target: `sip:carol@${DOMAIN}`, name: 'Carol Ames', outside: false }),
    );
    expect(invitesTo('carol')).toBe(carolInvites);
    const accepted = alice.calls.answerTransfer(caller, true);
    if (!accepted.ok || !accepted.value) throw new Error('the transfer was not taken');
    await vi.waitFor(() => expect(carol.calls.list().some((call) => call.state === 'incoming')).toBe(true), { timeout: 10_000 });
    // The old call waits on hold while the new one rings.
    await vi.waitFor(() => expect(alice.calls.list().find((call) => call.id === caller)?.held).toBe(true));
    expect(bob.calls.list()[0]).toMatchObject({ state: 'connected' });
    const ringing = carol.calls.list().find((call) => call.state === 'incoming')!;
    expect((await carol.calls.answer(ringing.id, false, 'page')).ok).toBe(true);
    // RFC 3515 §2.4.5: the final NOTIFY (sipfrag 200) ends the transferor's call, which ends alice's.
    await vi.waitFor(() => expect(bob.calls.list()[0]).toMatchObject({ state: 'ended', end: { reason: CallEndReason.Transferred } }), {
      timeout: 10_000,
    });
    await vi.waitFor(() =>
      expect(alice.calls.list().find((call) => call.id === caller)).toMatchObject({
        state: 'ended',
        end: { reason: CallEndReason.Transferred },
      }),
    );
    expect(alice.calls.list().find((call) => call.id === accepted.value!.id)).toMatchObject({
      state: 'connected',
      peer: `sip:carol@${DOMAIN}`,
    });
  });

  test('a REFER outside any call is refused', async () => {
    await signedIn('alice');
    const response = await mallory.request('REFER', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      headers: ['Refer-To: <sip:+19005550199@' + DOMAIN + '>'],
    });
    expect(response.status).toBe(403);
  });
});

describe('calls that are forwarded (3xx)', () => {
  test('a 302 is followed, and the person told where the call went; a loop of forwards ends after three hops', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    mallory.redirectTo = `sip:bob@${DOMAIN}`;
    try {
      const started = alice.calls.start('mallory@evil.test', false, 'page');
      if (!started.ok) throw new Error(problemText(started.error));
      await vi.waitFor(() => expect(bob.calls.list()).toMatchObject([{ state: 'incoming', peer: `sip:alice@${DOMAIN}` }]), {
        timeout: 10_000,
      });
      expect(alice.calls.list().find((call) => call.id === started.value.id)?.end).toEqual({
        reason: CallEndReason.Forwarded,
        target: `bob@${DOMAIN}`,
      });
      expect(alice.calls.list().find((call) => call.peer === `sip:bob@${DOMAIN}`)).toMatchObject({ direction: 'out' });
      alice.calls.hangUp(alice.calls.list().find((call) => call.peer === `sip:bob@${DOMAIN}`)!.id);

      // Forwarded back to itself, again and again: three hops, then it stops, saying so.
      mallory.redirectTo = 'sip:mallory@evil.test';
      const before = mallory.invites.length;
      const looped = alice.calls.start('mallory@evil.test', false, 'page');
      if (!looped.ok) throw new Error(problemText(looped.error));
      await vi.waitFor(
        () => expect(alice.calls.list().map((call) => call.end)).toContainEqual({ reason: CallEndReason.ForwardUnfollowable, status: 302 }),
        { timeout: 10_000 },
      );
      expect(mallory.invites.length - before).toBe(4);
    } finally {
      mallory.redirectTo = undefined;
    }
  });
});

describe('who may ring', () => {
  const invite = (from?: string, headers: string[] = []) =>
    (from ? trunk : mallory).request('INVITE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      body: PAGELESS_SDP,
      contentType: 'application/sdp',
      ...(from ? { from } : {}),
      headers,
    });

  test('someone blocked (on their card or in Message requests) is declined 603 without ringing and leaves no missed call', async () => {
    const alice = await signedIn('alice');
    const seen: string[] = [];
    alice.calls.onDidChange((calls) => seen.push(...calls.map((call) => call.peer)));
    alice.messaging.blockRequest(withPeer(alice, 'sip:mallory@evil.test'));
    expect((await invite()).status).toBe(603);
    await alice.approvals.decide('sip:mallory@evil.test', 'blocked');
    expect((await invite()).status).toBe(603);
    expect(seen).toEqual([]);
    expect(alice.calls.missed()).toEqual({});
    expect(alice.calls.history().ok && alice.calls.history()).toMatchObject({ value: [] });
  });

  test('blocked on the card: their messages are refused too', async () => {
    const alice = await signedIn('alice');
    await alice.approvals.decide('sip:mallory@evil.test', 'blocked');
    const response = await mallory.request('MESSAGE', `sip:alice@${DOMAIN}`, kamailio.sipPort, { body: 'let me in' });
    expect(response.status).toBe(403);
    expect(alice.messaging.conversations()).toEqual([]);
  });

  test('strangers whose calls never end cannot take the line: one rings, the next is busy, and a contact still gets through', async () => {
    const alice = await signedIn('alice');
    const bob = await signedIn('bob');
    alice.contacts.add({ address: `bob@${DOMAIN}` });
    void invite();
    await vi.waitFor(() =>
      expect(alice.calls.list()).toMatchObject([{ peer: 'sip:mallory@evil.test', state: 'incoming', stranger: true }]),
    );
    expect((await invite()).status).toBe(486);
    expect((await invite()).status).toBe(486);
    expect(alice.calls.history().ok && alice.calls.history()).toMatchObject({ value: [] });
    const started = bob.calls.start(`alice@${DOMAIN}`, false, 'page');
    if (!started.ok) throw new Error(problemText(started.error));
    await vi.waitFor(() =>
      expect(alice.calls.list().find((call) => call.peer === `sip:bob@${DOMAIN}`)).toMatchObject({ state: 'incoming' }),
    );
    expect(alice.calls.list().find((call) => call.peer === `sip:bob@${DOMAIN}`)?.stranger).toBeUndefined();
  });

  test("a number names a contact only when my own server asserts it, never from another domain's user part", async () => {
    const alice = await signedIn('alice');
    const added = alice.contacts.add({ address: `dana@${DOMAIN}`, displayName: 'Dana Whitfield' });
    if (!added.ok) throw new Error(problemText(added.error));
    expect(alice.contacts.update(added.value.id, { phones: { work: '+493012345678' } }).ok).toBe(true);

    // Another domain puts Dana's number in its user part: shown as what it is.
    void mallory.request('INVITE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      body: PAGELESS_SDP,
      contentType: 'application/sdp',
      from: '+493012345678@evil.test',
    });
    await vi.waitFor(() => expect(alice.calls.list()).toHaveLength(1));
    expect(alice.calls.list()[0]).toMatchObject({ peer: 'sip:+493012345678@evil.test', peerName: '' });
    expect(alice.calls.list()[0]?.number).toBeUndefined();
    alice.calls.hangUp(alice.calls.list()[0]!.id);
    await vi.waitFor(() => expect(alice.calls.list()[0]?.state).toBe('ended'));

    // The trunk on my own domain sends its generic account in From and the caller in P-Asserted-Identity.
    void invite('+4930999000@' + DOMAIN, [`P-Asserted-Identity: <sip:+493012345678@${DOMAIN};user=phone>`]);
    await vi.waitFor(() => expect(alice.calls.list().find((call) => call.state === 'incoming')).toBeDefined());
    expect(alice.calls.list().find((call) => call.state === 'incoming')).toMatchObject({
      number: '+493012345678',
      peerName: 'Dana Whitfield',
    });
  });

  test('the phone gateway the account names is believed like my own server: its numbers name contacts', async () => {
    const alice = await signedIn('alice', 'Evil.test');
    const added = alice.contacts.add({ address: `dana@${DOMAIN}`, displayName: 'Dana Whitfield' });
    if (!added.ok) throw new Error(problemText(added.error));
    expect(alice.contacts.update(added.value.id, { phones: { work: '+493012345678' } }).ok).toBe(true);
    expect((await alice.account.get())?.gateway).toBe('evil.test');
    void mallory.request('INVITE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      body: PAGELESS_SDP,
      contentType: 'application/sdp',
      from: '+493012345678@evil.test',
    });
    await vi.waitFor(() => expect(alice.calls.list()).toHaveLength(1));
    expect(alice.calls.list()[0]).toMatchObject({ number: '+493012345678', peerName: 'Dana Whitfield' });
    expect(alice.calls.list()[0]?.stranger).toBeUndefined();
  });

  test('each missed call tells the pages what changed (that caller’s count), not the whole map of missed calls', async () => {
    const alice = await signedIn('alice');
    const [bob, carol] = await Promise.all([signedIn('bob'), signedIn('carol')]);
    alice.contacts.add({ address: `bob@${DOMAIN}` });
    alice.contacts.add({ address: `carol@${DOMAIN}` });
    alice.myPresence.set('dnd', '');
    const told: Record<string, number>[] = [];
    alice.calls.onDidRecord(({ missed }) => told.push({ ...missed }));
    for (const [engine, n] of [
      [bob, 1],
      [carol, 2],
      [bob, 3],
    ] as const) {
      expect(engine.calls.start(`alice@${DOMAIN}`, false, 'page').ok).toBe(true);
      await vi.waitFor(() => expect(told).toHaveLength(n), { timeout: 10_000 });
    }
    expect(told).toEqual([{ [`sip:bob@${DOMAIN}`]: 1 }, { [`sip:carol@${DOMAIN}`]: 1 }, { [`sip:bob@${DOMAIN}`]: 2 }]);
    expect(alice.calls.missed()).toEqual({ [`sip:bob@${DOMAIN}`]: 2, [`sip:carol@${DOMAIN}`]: 1 });
  });

  test('one 180 per call, and none before a refusal; an extension the caller requires (100rel, timer) is refused 420', async () => {
    const alice = await signedIn('alice');
    const ringing = invite();
    await vi.waitFor(() => expect(alice.calls.list()).toMatchObject([{ state: 'incoming' }]));
    alice.calls.hangUp(alice.calls.list()[0]!.id);
    const declined = await ringing;
    expect(declined.status).toBe(603);
    expect(declined.provisional.filter((status) => status === 180)).toEqual([180]);

    alice.myPresence.set('dnd', '');
    const busy = await invite();
    expect(busy.status).toBe(486);
    expect(busy.provisional.filter((status) => status !== 100)).toEqual([]);
    alice.myPresence.set('available', '');

    for (const tag of ['100rel', 'timer']) {
      const required = await invite(undefined, [`Require: ${tag}`, 'Session-Expires: 90']);
      expect(required.status).toBe(420);
      expect(required.header('Unsupported')).toEqual([tag]);
    }
  });

  test('a call and a text from a tel: URI (RFC 3966) ring and arrive, as the number', async () => {
    const alice = await signedIn('alice');
    void trunk.request('INVITE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      body: PAGELESS_SDP,
      contentType: 'application/sdp',
      fromUri: 'tel:+493055501234',
    });
    await vi.waitFor(() => expect(alice.calls.list()).toMatchObject([{ state: 'incoming', number: '+493055501234' }]), { timeout: 10_000 });
    const text = await trunk.request('MESSAGE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      fromUri: 'tel:+4915112345678;phone-context=+49',
      body: 'Your code is 5678',
    });
    expect(text.status).toBe(200);
    const conversation = alice.messaging.conversations().find((c) => c.last.text === 'Your code is 5678');
    expect(conversation?.members[0]).toMatch(/^sip:\+4915112345678@/);
  });

  test('the phone network’s own form of address (sip:+E164@…;user=phone) rings, and its texts arrive', async () => {
    const alice = await signedIn('alice');
    void invite('+493055501234@' + DOMAIN + ';user=phone');
    await vi.waitFor(() =>
      expect(alice.calls.list()).toMatchObject([{ state: 'incoming', peer: `sip:+493055501234@${DOMAIN}`, number: '+493055501234' }]),
    );
    const text = await mallory.request('MESSAGE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      from: '+4915112345678@evil.test;user=phone',
      body: 'Your code is 1234',
    });
    expect(text.status).toBe(200);
    const page = alice.messaging.history(withPeer(alice, 'sip:+4915112345678@evil.test'), 10);
    expect(page.ok && page.value.map((m) => m.text)).toEqual(['Your code is 1234']);
  });
});

describe('several pages on one engine (web mode: a socket each)', () => {
  test("a call's media requests go to the page that holds it, and only that page's answers count", async () => {
    const alice = await fleet.signedIn('alice');
    const bob = await signedIn('bob');
    const route = createRouter(alice.handlers);
    const heard: { A: MediaRequest[]; B: MediaRequest[] } = { A: [], B: [] };
    for (const page of ['A', 'B'] as const) {
      alice.addSink((event, payload) => {
        if (event === 'onDidRequestMedia') heard[page].push(payload as MediaRequest);
      }, page);
    }
    const started = await route('calls:start', { peer: `bob@${DOMAIN}`, video: false, mediaToken: 'token-of-A' }, { id: 'A' });
    expect(started.ok).toBe(true);
    await vi.waitFor(() => expect(heard.A).toHaveLength(1));
    expect(heard.B).toEqual([]);
    const request = heard.A[0]!;
    // Page B learnt the token somehow: it can neither answer A's request nor claim A's calls.
    expect(await route('calls:media', { requestId: request.requestId, ok: true, sdp: PAGELESS_SDP }, { id: 'B' })).toMatchObject({
      ok: false,
    });
    expect(await route('calls:start', { peer: `bob@${DOMAIN}`, video: false, mediaToken: 'token-of-A' }, { id: 'B' })).toMatchObject({
      ok: false,
      error: { kind: 'forbidden' },
    });
    expect(bob.calls.list()).toEqual([]);
    expect(await route('calls:media', { requestId: request.requestId, ok: true, sdp: PAGELESS_SDP }, { id: 'A' })).toMatchObject({
      ok: true,
    });
    await vi.waitFor(() => expect(bob.calls.list()).toMatchObject([{ state: 'incoming' }]), { timeout: 10_000 });
  });
});
