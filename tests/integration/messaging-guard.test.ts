import { problemText } from '../../shared/domain/problem.js';
import { afterAll, afterEach, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { EngineFleet, withPeer } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { RawSipPeer } from '../support/raw-sip-peer.js';

// Receipts and privacy, through a real Kamailio: mallory@evil.test is a raw SIP peer (it takes plain
// text and answers MESSAGE as the test says); anyone else on evil.test is spoofed from its socket.
let kamailio: Kamailio;
let mallory: RawSipPeer;
let fleet: EngineFleet;
let alice: Engine;
const ALICE = `sip:alice@${DOMAIN}`;
const MALLORY = 'sip:mallory@evil.test';

beforeAll(async () => {
  mallory = await RawSipPeer.start('mallory', 'evil.test');
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw' }, peer: { domain: 'evil.test', address: mallory.address } });
  fleet = new EngineFleet(kamailio);
});
afterEach(async () => {
  mallory.messageStatus = 200;
  await fleet?.dispose();
});
afterAll(async () => {
  await kamailio?.dispose();
  await mallory?.close();
});

const imdn = (messageId: string, status: 'delivered' | 'displayed') =>
  '<?xml version="1.0" encoding="UTF-8"?><imdn xmlns="urn:ietf:params:xml:ns:imdn">' +
  `<message-id>${messageId}</message-id><datetime>2026-12-07T10:00:00Z</datetime>` +
  (status === 'delivered'
    ? '<delivery-notification><status><delivered/></status></delivery-notification>'
    : '<display-notification><status><displayed/></status></display-notification>') +
  '</imdn>';

/** A receipt about `messageId` from `from` on evil.test; resolves when alice answered it. */
const receipt = (from: string, messageId: string, status: 'delivered' | 'displayed') =>
  mallory.request('MESSAGE', ALICE, kamailio.sipPort, { from, body: imdn(messageId, status), contentType: 'message/imdn+xml' });

const stateOf = (engine: Engine, peer: string, text: string) => {
  const page = engine.messaging.history(withPeer(engine, peer), 50);
  return page.ok ? page.value.find((m) => m.text === text)?.state : undefined;
};

test('a receipt counts only from the message’s recipient, about that message, forward, and never for one that failed', async () => {
  alice = await fleet.signedIn('alice');
  alice.contacts.add({ address: MALLORY });
  const before = mallory.messages.length;
  expect(alice.messaging.send(withPeer(alice, MALLORY), 'the quarterly numbers').ok).toBe(true);
  await mallory.received(before + 1);
  await vi.waitFor(() => expect(stateOf(alice, MALLORY, 'the quarterly numbers')).toBe('sent'));
  const { callId } = mallory.messages[before]!;

  // A third party (another address, the same domain) says it was read: ignored.
  expect((await receipt('eve@evil.test', callId, 'displayed')).status).toBe(200);
  expect(stateOf(alice, MALLORY, 'the quarterly numbers')).toBe('sent');
  // The recipient says it was delivered, then read: it moves forward...
  await receipt('mallory@evil.test', callId, 'displayed');
  expect(stateOf(alice, MALLORY, 'the quarterly numbers')).toBe('read');
  // ...and never back.
  await receipt('mallory@evil.test', callId, 'delivered');
  expect(stateOf(alice, MALLORY, 'the quarterly numbers')).toBe('read');

  // A message they refused stays failed whatever receipt follows.
  mallory.messageStatus = 488;
  expect(alice.messaging.send(withPeer(alice, MALLORY), 'refused one').ok).toBe(true);
  await mallory.received(before + 2);
  await vi.waitFor(() => expect(stateOf(alice, MALLORY, 'refused one')).toBe('failed'));
  await receipt('mallory@evil.test', mallory.messages[before + 1]!.callId, 'displayed');
  expect(stateOf(alice, MALLORY, 'refused one')).toBe('failed');
});

test('a stranger’s message request gets no receipt, on arrival or when opened, and no typing notice, until accepted', async () => {
  alice = await fleet.signedIn('alice');
  const cpim = (id: string, text: string) =>
    [
      `From: <${MALLORY}>`,
      `To: <${ALICE}>`,
      'NS: imdn <urn:ietf:params:imdn>',
      `imdn.Message-ID: ${id}`,
      'imdn.Disposition-Notification: positive-delivery, display',
      '',
      'Content-Type: text/plain;charset=utf-8',
      '',
      text,
    ].join('\r\n');
  expect(
    (await mallory.request('MESSAGE', ALICE, kamailio.sipPort, { body: cpim('m1', 'hi, who is this?'), contentType: 'message/cpim' }))
      .status,
  ).toBe(200);
  expect(alice.messaging.conversations()).toMatchObject([{ members: [MALLORY], stranger: true, unread: 1 }]);
  const before = mallory.messages.length;
  alice.messaging.markRead(withPeer(alice, MALLORY));
  alice.messaging.setTyping(withPeer(alice, MALLORY), true);
  // Accepting makes them a contact: what alice sends now is the first thing they hear from her.
  expect(alice.messaging.acceptRequest(withPeer(alice, MALLORY)).ok).toBe(true);
  expect(alice.messaging.send(withPeer(alice, MALLORY), 'Hello, Mallory').ok).toBe(true);
  await mallory.received(before + 1);
  const heard = mallory.messages.slice(before);
  expect(heard).toHaveLength(1);
  expect(heard[0]!.body).toContain('Hello, Mallory');

  // Once accepted, their next message is receipted as usual.
  await mallory.request('MESSAGE', ALICE, kamailio.sipPort, { body: cpim('m2', 'thanks'), contentType: 'message/cpim' });
  await mallory.received(before + 2);
  expect(mallory.messages[before + 1]!.body).toContain('<message-id>m2</message-id>');
});

test('a body is cleaned as names are (no bidi override turns a link around), and a date from 1970 neither counts nor reorders', async () => {
  alice = await fleet.signedIn('alice');
  alice.contacts.add({ address: MALLORY });
  const say = (body: string, headers: string[] = []) => mallory.request('MESSAGE', ALICE, kamailio.sipPort, { body, headers });
  expect((await say('first, today')).status).toBe(200);
  expect((await say('see https://files.example.test/\u202Efdp.exe', ['Date: Thu, 01 Jan 1970 00:00:00 GMT'])).status).toBe(200);
  const page = alice.messaging.history(withPeer(alice, MALLORY), 10);
  if (!page.ok) throw new Error(problemText(page.error));
  const [first, second] = [...page.value].sort((a, b) => a.id - b.id);
  expect(second!.text).toBe('see https://files.example.test/fdp.exe');
  // Shown after what it followed, stamped with when it came.
  expect(second!.sentAt).toBeGreaterThanOrEqual(first!.sentAt);
});

test('one sender cannot grow the store without bound: past their budget, messages are refused 486 with Retry-After and not kept', async () => {
  // A small budget for the test: 5 messages or 20,000 bytes at once, refilled slowly.
  alice = await fleet.signedIn('alice', {
    messaging: { budget: { messages: { burst: 5, perHour: 60 }, bytes: { burst: 20_000, perHour: 60_000 } } },
  });
  alice.contacts.add({ address: MALLORY });
  const big = 'x'.repeat(8_000);
  const answers = [];
  for (let i = 0; i < 4; i++) answers.push(await mallory.request('MESSAGE', ALICE, kamailio.sipPort, { body: `${i} ${big}` }));
  expect(answers.map((answer) => answer.status)).toEqual([200, 200, 486, 486]);
  expect(Number(answers[2]!.header('Retry-After')[0])).toBeGreaterThan(0);
  // Short ones still fit in the message budget; the sixth message of any size does not.
  for (let i = 0; i < 3; i++) expect((await mallory.request('MESSAGE', ALICE, kamailio.sipPort, { body: `short ${i}` })).status).toBe(200);
  expect((await mallory.request('MESSAGE', ALICE, kamailio.sipPort, { body: 'one more' })).status).toBe(486);
  const page = alice.messaging.history(withPeer(alice, MALLORY), 50);
  expect(page.ok && page.value.map((m) => m.text.slice(0, 7))).toEqual(['0 xxxxx', '1 xxxxx', 'short 0', 'short 1', 'short 2']);
});
