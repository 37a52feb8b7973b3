import { Problem, problemText } from '../../shared/domain/problem.js';
import { messageFailureText } from '../../shared/domain/chat.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ChatMessage } from '../../shared/domain/chat.js';
import type { Engine } from '../../main/engine.js';
import { EngineFleet, withPeer } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { MAX_REQUEST_MESSAGES, MAX_TYPING_PEERS, MAX_WAITING_REQUESTS } from '../../main/chat/messaging-service.js';
import { Linphone } from '../support/linphone.js';
import { RawSipPeer } from '../support/raw-sip-peer.js';

// Instant messages between engines through a real Kamailio with msilo (offline store-and-forward).
let kamailio: Kamailio;
let fleet: EngineFleet;
const users = Object.fromEntries('alice bob carol dave erin frank linphone'.split(' ').map((u) => [u, `${u}-pw`]));

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users, msilo: true });
  fleet = new EngineFleet(kamailio);
});
afterEach(async () => {
  await fleet.dispose();
});
afterAll(async () => {
  await kamailio?.dispose();
});

const waitFor = (check: () => void, timeout = 10_000) => vi.waitFor(check, { timeout, interval: 20 });
const uri = (user: string) => `sip:${user}@${DOMAIN}`;
const texts = (engine: Engine, peer: string) => {
  const page = engine.messaging.history(withPeer(engine, uri(peer)), 200);
  return page.ok ? page.value.map((m) => `${m.direction} ${m.text}`) : [];
};
const states = (engine: Engine, peer: string) => {
  const page = engine.messaging.history(withPeer(engine, uri(peer)), 200);
  return page.ok ? page.value.filter((m) => m.direction === 'out').map((m) => m.state) : [];
};

/** Two people signed in who have each other in their contacts (receipts and typing go only to contacts). */
async function colleagues(one: string, two: string): Promise<[Engine, Engine]> {
  const engines = await Promise.all([fleet.signedIn(one), fleet.signedIn(two)]);
  engines[0].contacts.add({ address: uri(two) });
  engines[1].contacts.add({ address: uri(one) });
  return engines;
}

describe('chat between two people on the server', () => {
  test('alice ⇄ bob both ways; a message reads "delivered" once it arrives; markup and line breaks arrive as typed; events announce them', async () => {
    const [alice, bob] = await colleagues('alice', 'bob');
    const seen: ChatMessage[] = [];
    bob.messaging.onDidChange((messages) => seen.push(...messages));

    const sent = alice.messaging.send(withPeer(alice, `bob@${DOMAIN}`), '<b>hello</b>\nsecond line 👋');
    expect(sent).toMatchObject({
      ok: true,
      value: { state: 'queued', direction: 'out', sender: uri('alice'), conversationId: withPeer(alice, uri('bob')) },
    });
    await waitFor(() => expect(texts(bob, 'alice')).toEqual(['in <b>hello</b>\nsecond line 👋']));
    await waitFor(() => expect(states(alice, 'bob')).toEqual(['delivered']), 20_000);
    expect(seen.map((m) => [m.direction, m.state, m.text])).toEqual([['in', 'received', '<b>hello</b>\nsecond line 👋']]);

    expect(bob.messaging.send(withPeer(bob, uri('alice')), 'hi back').ok).toBe(true);
    await waitFor(() => expect(texts(alice, 'bob')).toEqual(['out <b>hello</b>\nsecond line 👋', 'in hi back']));
    // Unread until read.
    expect(alice.messaging.conversations()).toMatchObject([
      { kind: 'direct', members: [uri('bob')], unread: 1, stranger: false, last: { text: 'hi back', sender: uri('bob') } },
    ]);
    alice.messaging.markRead(withPeer(alice, uri('bob')));
    expect(alice.messaging.conversations()[0]?.unread).toBe(0);
  });

  test('refused before sending: empty, too long (the limit in words), not an address — nothing stored', async () => {
    const alice = await fleet.signedIn('alice');
    expect(alice.messaging.send(withPeer(alice, uri('bob')), '   ')).toMatchObject({
      ok: false,
      error: { problem: Problem.MessageEmpty, field: 'text' },
    });
    const long = alice.messaging.send(withPeer(alice, uri('bob')), 'é'.repeat(2100));
    expect(long).toMatchObject({ ok: false, error: { field: 'text' } });
    expect(long.ok ? '' : problemText(long.error)).toMatch(/at most 4,096 bytes.*this one has 4,200/);
    expect(alice.messaging.conversationWith('not an address')).toMatchObject({ ok: false, error: { field: 'peer' } });
    expect(texts(alice, 'bob')).toEqual([]);
  });

  test('a final rejection marks the message failed with the reason in words; Retry sends it again', async () => {
    const alice = await fleet.signedIn('alice');
    // A domain this server does not serve and cannot reach: 404.
    alice.messaging.send(withPeer(alice, 'someone@nowhere.example'), 'are you there?');
    const failed = () => alice.messaging.history(withPeer(alice, 'sip:someone@nowhere.example'), 10);
    await waitFor(() => expect(failed()).toMatchObject({ ok: true, value: [{ state: 'failed' }] }));
    const message = (failed() as { value: readonly ChatMessage[] }).value[0]!;
    expect(message.failure).toEqual({ status: 404, phrase: 'Not Found' });
    expect(messageFailureText(message.failure!)).toBe('There is no such user.');
    expect(alice.messaging.retry(message.id)).toMatchObject({ ok: true, value: { state: 'queued' } });
    await waitFor(() => expect(failed()).toMatchObject({ ok: true, value: [{ state: 'failed' }] }));
  });
});

describe('receipts (CPIM with IMDN, RFC 3862 and 5438)', () => {
  test('Parley to Parley: delivered when it arrives, read when bob reads it; with read receipts off, it stays delivered', async () => {
    const [alice, bob] = await colleagues('alice', 'bob');
    alice.messaging.send(withPeer(alice, uri('bob')), 'did you get this?');
    await waitFor(() => expect(texts(bob, 'alice')).toEqual(['in did you get this?']));
    await waitFor(() => expect(states(alice, 'bob')).toEqual(['delivered']), 20_000);
    bob.messaging.markRead(withPeer(bob, uri('alice')));
    await waitFor(() => expect(states(alice, 'bob')).toEqual(['read']), 20_000);

    // Bob turns read receipts off: the next one is delivered and stays so after he reads it.
    expect(await bob.handlers['settings:set']({ readReceipts: false }, { id: 'test' })).toMatchObject({
      ok: true,
      value: { readReceipts: false },
    });
    alice.messaging.send(withPeer(alice, uri('bob')), 'and this?');
    await waitFor(() => expect(states(alice, 'bob')).toEqual(['read', 'delivered']));
    bob.messaging.markRead(withPeer(bob, uri('alice')));
    // Barrier: a later message from bob arrives after any notification he would have sent.
    bob.messaging.send(withPeer(bob, uri('alice')), 'ok');
    await waitFor(() => expect(texts(alice, 'bob').at(-1)).toBe('in ok'));
    expect(states(alice, 'bob')).toEqual(['read', 'delivered']);
  });

  test('a CPIM message is stored by its IMDN Message-ID: a copy under a new Call-ID (as store-and-forward makes) is stored once', async () => {
    const alice = await fleet.signedIn('alice');
    const mallory = await RawSipPeer.start('mallory', 'elsewhere.test');
    try {
      // A CPIM message asking for a delivery notice.
      const body = (id: string) =>
        `From: <sip:mallory@elsewhere.test>\r\nTo: <${uri('alice')}>\r\nNS: imdn <urn:ietf:params:imdn>\r\nimdn.Message-ID: ${id}\r\nimdn.Disposition-Notification: positive-delivery\r\n\r\nContent-Type: text/plain\r\n\r\nhi via cpim`;
      expect(
        (await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: body('m-1'), contentType: 'message/cpim' })).status,
      ).toBe(200);
      // The same message again under a new Call-ID (as a store-and-forward copy would be): stored once.
      expect(
        (await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: body('m-1'), contentType: 'message/cpim' })).status,
      ).toBe(200);
      const page = alice.messaging.history(withPeer(alice, 'sip:mallory@elsewhere.test'), 10);
      expect(page.ok && page.value.map((m) => m.text)).toEqual(['hi via cpim']);
    } finally {
      await mallory.close();
    }
  });
});

describe('typing (RFC 3994 is-composing)', () => {
  test("alice typing shows on bob's side; stopping ends it; her message ends it too; once a refresh, not per keystroke", async () => {
    const [alice, bob] = await colleagues('carol', 'dave');
    const seen: boolean[] = [];
    // Told in a conversation: dave has his with carol open (typing alone makes none).
    withPeer(bob, uri('carol'));
    bob.messaging.onDidChangeTyping(({ conversationId, sender, typing }) => {
      if (sender === uri('carol') && conversationId === withPeer(bob, uri('carol'))) seen.push(typing);
    });
    for (let i = 0; i < 5; i++) expect(alice.messaging.setTyping(withPeer(alice, uri('dave')), true).ok).toBe(true);
    await waitFor(() => expect(seen).toEqual([true]));
    alice.messaging.setTyping(withPeer(alice, uri('dave')), false);
    await waitFor(() => expect(seen).toEqual([true, false]));
    alice.messaging.setTyping(withPeer(alice, uri('dave')), true);
    await waitFor(() => expect(seen).toEqual([true, false, true]));
    alice.messaging.send(withPeer(alice, uri('dave')), 'done typing');
    await waitFor(() => expect(texts(bob, 'carol')).toEqual(['in done typing']));
    await waitFor(() => expect(seen).toEqual([true, false, true, false]));
  });
});

describe('bounded against invented senders', () => {
  test('a flood of typing notices from 150 invented addresses shows at most 100 people typing', async () => {
    const alice = await fleet.signedIn('alice');
    const typing = new Set<string>();
    alice.messaging.onDidChangeTyping(({ sender, typing: on }) => (on ? typing.add(sender) : typing.delete(sender)));
    // Typing is told in a conversation: alice has one open with each of them (nobody's typing makes one).
    for (let i = 0; i < 150; i++) withPeer(alice, `sip:bot${i}@elsewhere.test`);
    const mallory = await RawSipPeer.start('mallory', 'elsewhere.test');
    const body =
      '<?xml version="1.0"?><isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state><refresh>300</refresh></isComposing>';
    try {
      for (let i = 0; i < 150; i++) {
        const answer = await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, {
          body,
          contentType: 'application/im-iscomposing+xml',
          from: `bot${i}@elsewhere.test`,
        });
        expect(answer.status).toBe(200);
      }
      expect(typing.size).toBe(MAX_TYPING_PEERS);
    } finally {
      await mallory.close();
    }
  });
});

describe('message requests are bounded', () => {
  test(`one stranger: at most ${MAX_REQUEST_MESSAGES} unread, then 486 until they are read; at most ${MAX_WAITING_REQUESTS} strangers waiting`, async () => {
    const alice = await fleet.signedIn('alice');
    const mallory = await RawSipPeer.start('mallory', 'elsewhere.test');
    const send = (from: string, body: string) =>
      mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body, contentType: 'text/plain', from }).then((r) => r.status);
    try {
      for (let i = 0; i < MAX_REQUEST_MESSAGES; i++) expect(await send('mallory@elsewhere.test', `spam ${i}`)).toBe(200);
      expect(await send('mallory@elsewhere.test', 'one too many')).toBe(486);
      const page = alice.messaging.history(withPeer(alice, 'sip:mallory@elsewhere.test'), 200);
      expect(page.ok && page.value.length).toBe(MAX_REQUEST_MESSAGES);
      // Read: room again.
      alice.messaging.markRead(withPeer(alice, 'sip:mallory@elsewhere.test'));
      expect(await send('mallory@elsewhere.test', 'after reading')).toBe(200);

      // Many strangers: one message each until the waiting list is full; the next new one waits outside.
      for (let i = 1; i < MAX_WAITING_REQUESTS; i++) expect(await send(`bot${i}@elsewhere.test`, 'hello')).toBe(200);
      expect(await send('latecomer@elsewhere.test', 'hello')).toBe(486);
      // Someone already waiting may still add to theirs; a contact is never a request.
      expect(await send('bot1@elsewhere.test', 'again')).toBe(200);
      alice.contacts.add({ address: 'friend@elsewhere.test' });
      expect(await send('friend@elsewhere.test', 'hi, it is me')).toBe(200);
    } finally {
      await mallory.close();
    }
  });
});

describe('never lose, never duplicate', () => {
  test('server stopped while alice sends three: when it is back bob gets exactly those three, once, in order', async () => {
    const [alice, bob] = await colleagues('carol', 'dave');
    await kamailio.stop();
    try {
      await waitFor(() => expect(alice.connection.current.status).toBe('reconnecting'));
      for (const text of ['one', 'two', 'three']) expect(alice.messaging.send(withPeer(alice, uri('dave')), text).ok).toBe(true);
      expect(states(alice, 'dave')).toEqual(['queued', 'queued', 'queued']);
    } finally {
      await kamailio.start();
    }
    // In the order they were sent (by the time carol's Parley gave them): one may have been stored
    // by the server for dave, not yet registered again, and delivered after two went straight.
    const sentOrder = () => {
      const page = bob.messaging.history(withPeer(bob, uri('carol')), 10);
      return page.ok ? [...page.value].sort((a, b) => a.sentAt - b.sentAt || a.id - b.id).map((m) => m.text) : [];
    };
    await waitFor(() => expect(sentOrder()).toEqual(['one', 'two', 'three']), 30_000);
    // Delivered straight, or stored by the server when dave had not registered again yet.
    await waitFor(
      () => expect(states(alice, 'dave').filter((state) => ['sent', 'stored', 'delivered'].includes(state))).toHaveLength(3),
      30_000,
    );
  });

  test('a retransmitted or replayed MESSAGE (same Call-ID and CSeq) is answered each time and stored once', async () => {
    const alice = await fleet.signedIn('alice');
    const mallory = await RawSipPeer.start('mallory', 'elsewhere.test');
    try {
      const send = () =>
        mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: 'only once', callId: 'replayed-call-id@elsewhere.test' });
      expect((await send()).status).toBe(200);
      expect((await send()).status).toBe(200);
      expect((await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: 'a new one' })).status).toBe(200);
      const page = alice.messaging.history(withPeer(alice, 'sip:mallory@elsewhere.test'), 10);
      expect(page.ok && page.value.map((m) => m.text)).toEqual(['only once', 'a new one']);
      // Someone not in my contacts: their conversation is a message request.
      expect(alice.messaging.conversations()).toMatchObject([{ members: ['sip:mallory@elsewhere.test'], stranger: true, unread: 2 }]);
    } finally {
      await mallory.close();
    }
  });

  test('a type Parley cannot show is refused 415 with what it takes; a delivery notification is taken and never shown', async () => {
    const alice = await fleet.signedIn('alice');
    const mallory = await RawSipPeer.start('mallory', 'elsewhere.test');
    try {
      const html = await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: '<p>hi</p>', contentType: 'text/html' });
      expect(html.status).toBe(415);
      expect(html.header('Accept')[0]).toMatch(/text\/plain/);
      const imdn = await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, {
        body: '<?xml version="1.0"?><imdn xmlns="urn:ietf:params:xml:ns:imdn"><message-id>x</message-id></imdn>',
        contentType: 'message/imdn+xml',
      });
      expect(imdn.status).toBe(200);
      const cpim = await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, {
        body: 'From: <sip:mallory@elsewhere.test>\r\nTo: <sip:alice@uc.test>\r\nDateTime: 2026-11-27T10:00:00Z\r\n\r\nContent-Type: text/plain;charset=utf-8\r\n\r\nwrapped text',
        contentType: 'message/cpim',
      });
      expect(cpim.status).toBe(200);
      const page = alice.messaging.history(withPeer(alice, 'sip:mallory@elsewhere.test'), 10);
      expect(page.ok && page.value.map((m) => m.text)).toEqual(['wrapped text']);
    } finally {
      await mallory.close();
    }
  });
});

describe('message requests (from people not in my contacts)', () => {
  test('Block refuses their messages from then on (403, nothing stored) and deletes what they sent; Delete removes a conversation', async () => {
    const alice = await fleet.signedIn('alice');
    const mallory = await RawSipPeer.start('mallory', 'elsewhere.test');
    const eve = await RawSipPeer.start('eve', 'elsewhere.test');
    try {
      expect((await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: 'buy now' })).status).toBe(200);
      expect((await eve.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: 'hello?' })).status).toBe(200);
      expect(alice.messaging.conversations().map((c) => [c.members[0], c.stranger])).toEqual([
        ['sip:eve@elsewhere.test', true],
        ['sip:mallory@elsewhere.test', true],
      ]);
      expect(alice.messaging.blockRequest(withPeer(alice, 'sip:mallory@elsewhere.test')).ok).toBe(true);
      expect((await mallory.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: 'buy again' })).status).toBe(403);
      expect(alice.messaging.deleteConversation(withPeer(alice, 'sip:eve@elsewhere.test')).ok).toBe(true);
      expect(alice.messaging.conversations()).toEqual([]);
      // Eve was only deleted, not blocked: she can write again.
      expect((await eve.request('MESSAGE', uri('alice'), kamailio.sipPort, { body: 'still there?' })).status).toBe(200);
      expect(alice.messaging.conversations().map((c) => c.last.text)).toEqual(['still there?']);
      // Accept: she becomes a contact, and the conversation an ordinary one.
      expect(alice.messaging.acceptRequest(withPeer(alice, 'sip:eve@elsewhere.test')).ok).toBe(true);
      expect(alice.messaging.conversations()).toMatchObject([{ members: ['sip:eve@elsewhere.test'], stranger: false }]);
    } finally {
      await mallory.close();
      await eve.close();
    }
  });
});

describe('search', () => {
  test('finds words (as prefixes, accents ignored) in every conversation, newest first; query syntax typed is just words; deleted ones are gone', async () => {
    const [alice, bob] = await colleagues('erin', 'frank');
    alice.messaging.send(withPeer(alice, uri('frank')), 'Lunch at the café tomorrow?');
    alice.messaging.send(withPeer(alice, uri('frank')), 'The deployment is done');
    await waitFor(() => expect(texts(bob, 'erin')).toHaveLength(2));
    bob.messaging.send(withPeer(bob, uri('erin')), 'Cafe sounds good, tomorrow then');
    await waitFor(() => expect(texts(alice, 'frank')).toHaveLength(3));
    const found = (engine: Engine, query: string) => {
      const result = engine.messaging.search(query);
      return result.ok ? result.value.map((m) => m.text) : [];
    };
    expect(found(alice, 'cafe tomor')).toEqual(['Cafe sounds good, tomorrow then', 'Lunch at the café tomorrow?']);
    expect(found(alice, 'deploy')).toEqual(['The deployment is done']);
    expect(found(alice, 'NEAR("x" OR *) AND')).toEqual([]);
    expect(found(alice, '   ')).toEqual([]);
    // Another account's messages are not mine to find.
    expect(found(bob, 'deployment')).toEqual(['The deployment is done']);
    alice.messaging.deleteConversation(withPeer(alice, uri('frank')));
    expect(found(alice, 'cafe')).toEqual([]);
  });
});

describe('offline delivery through the server (msilo)', () => {
  test('bob signed out → 202 "stored" → bob signs in and gets them in order, with the time they were sent', async () => {
    const alice = await fleet.signedIn('erin');
    const before = Date.now();
    for (const text of ['first while away', 'second while away']) alice.messaging.send(withPeer(alice, uri('frank')), text);
    await waitFor(() => expect(states(alice, 'frank')).toEqual(['stored', 'stored']));
    const bob = await fleet.signedIn('frank');
    await waitFor(() => expect(texts(bob, 'erin')).toEqual(['in first while away', 'in second while away']));
    const page = bob.messaging.history(withPeer(bob, uri('erin')), 10);
    const times = page.ok ? page.value.map((m) => m.sentAt) : [];
    // The time the server stored them — its Date header, in whole seconds — not the moment they
    // were delivered (which would carry milliseconds).
    expect(times).toHaveLength(2);
    for (const time of times) {
      expect(time % 1000).toBe(0);
      expect(time).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(time).toBeLessThanOrEqual(Date.now());
    }
  });
});

describe('offline delivery, then the receipt', () => {
  test('"Will be delivered when they sign in" becomes "Delivered" once they have signed in and got it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-frank-'));
    const erin = await fleet.signedIn('erin');
    const frank = await fleet.signedIn('frank', { dataDir });
    erin.contacts.add({ address: uri('frank') });
    frank.contacts.add({ address: uri('erin') });
    // They have chatted before: erin knows frank's Parley takes CPIM with receipts.
    erin.messaging.send(withPeer(erin, uri('frank')), 'see you tomorrow');
    await waitFor(() => expect(states(erin, 'frank')).toEqual(['delivered']));
    await frank.close();

    erin.messaging.send(withPeer(erin, uri('frank')), 'one more thing');
    await waitFor(() => expect(states(erin, 'frank')).toEqual(['delivered', 'stored']));
    await fleet.signedIn('frank', { dataDir });
    await waitFor(() => expect(states(erin, 'frank')).toEqual(['delivered', 'delivered']));
  });
});

describe('Linphone (linphonec 5.1) as the other side', () => {
  test('linphone ⇄ alice both ways; alice\'s message reads "delivered" from Linphone\'s compressed notification', async () => {
    const alice = await fleet.signedIn('alice');
    const linphone = await Linphone.start({ user: 'linphone', password: 'linphone-pw', domain: DOMAIN, proxyPort: kamailio.sipPort });
    try {
      await waitFor(async () => expect(await kamailio.contacts('linphone')).toHaveLength(1), 15_000);
      linphone.chat(uri('alice'), 'hello from Linphone');
      await waitFor(() => expect(texts(alice, 'linphone')).toEqual(['in hello from Linphone']));

      expect(alice.messaging.send(withPeer(alice, uri('linphone')), 'hello Linphone, from Parley').ok).toBe(true);
      await linphone.waitFor(/hello Linphone, from Parley/);
      // Linphone answers with a positive-delivery IMDN whose body is deflate-compressed (a binary
      // WebSocket frame): inflated, matched to the message by its Call-ID, never shown as a message.
      await waitFor(() => expect(states(alice, 'linphone')).toEqual(['delivered']));
      expect(texts(alice, 'linphone')).toEqual(['in hello from Linphone', 'out hello Linphone, from Parley']);
    } finally {
      await linphone.stop();
    }
  });
});
