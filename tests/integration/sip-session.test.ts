import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { Baresip } from '../support/baresip.js';
import { EngineFleet, withPeer } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { RawSipPeer } from '../support/raw-sip-peer.js';

// mallory@evil.test is a hand-written SIP peer on another domain, federated through Kamailio: it sends
// requests to alice and reads exactly what Parley answers.
let kamailio: Kamailio;
let mallory: RawSipPeer;
let fleet: EngineFleet;
let alice: Engine;
const ALICE = `sip:alice@${DOMAIN}`;
/** What alice answers, chat and calls included (RFC 3261 §20.5: the truthful Allow). */
const ALLOWED = ['ACK', 'BYE', 'CANCEL', 'INFO', 'INVITE', 'MESSAGE', 'NOTIFY', 'OPTIONS', 'REFER'];

beforeAll(async () => {
  mallory = await RawSipPeer.start('mallory', 'evil.test');
  kamailio = await Kamailio.launch({
    users: { alice: 'alice-pw', baresip: 'baresip-pw' },
    peer: { domain: 'evil.test', address: mallory.address },
  });
  fleet = new EngineFleet(kamailio);
  alice = await fleet.signedIn('alice');
});

afterAll(async () => {
  await fleet?.dispose();
  await kamailio?.dispose();
  await mallory?.close();
});

const send = (method: string, options: Parameters<RawSipPeer['request']>[3] = {}) =>
  mallory.request(method, ALICE, kamailio.sipPort, options);
const allowOf = (response: { header(name: string): string[] }) =>
  response
    .header('Allow')
    .flatMap((value) => value.split(','))
    .map((method) => method.trim())
    .sort();

describe('nothing is answered 200 unless it was handled', () => {
  test('a chat message is answered 200 only once it is stored: it is in the history when the 200 arrives', async () => {
    const response = await send('MESSAGE', { body: 'are you there?' });
    expect(response.status).toBe(200);
    const page = alice.messaging.history(withPeer(alice, 'sip:mallory@evil.test'), 10);
    expect(page.ok && page.value.map((m) => m.text)).toContain('are you there?');
  });

  test('a call rings (it is listed as incoming) until the person answers it; Decline answers 603', async () => {
    const answered = send('INVITE', { body: 'v=0\r\n', contentType: 'application/sdp' });
    await vi.waitFor(() => expect(alice.calls.list().map((c) => [c.peer, c.state])).toEqual([['sip:mallory@evil.test', 'incoming']]));
    alice.calls.hangUp(alice.calls.list()[0]!.id);
    expect((await answered).status).toBe(603);
  });

  test('a method Parley does not implement gets 405 with an Allow that lists only what it implements', async () => {
    for (const method of ['UPDATE', 'FOO']) {
      const response = await send(method);
      expect({ method, status: response.status }).toEqual({ method, status: 405 });
      expect(allowOf(response)).toEqual(ALLOWED);
    }
  });

  test('REFER is taken only inside a call: outside one it is refused (403), never followed', async () => {
    expect((await send('REFER', { headers: [`Refer-To: <sip:bob@${DOMAIN}>`] })).status).toBe(403);
    expect(alice.calls.list().filter((call) => call.direction === 'out')).toEqual([]);
  });

  test('OPTIONS is answered with the truthful Allow', async () => {
    const response = await send('OPTIONS');
    expect(response.status).toBe(200);
    expect(allowOf(response)).toEqual(ALLOWED);
  });

  test("REGISTER and SUBSCRIBE tell the server the same truth (read from the server's log)", async () => {
    alice.contacts.add({ address: 'someone@evil.test' });
    await vi.waitFor(() => expect(kamailio.allowHeaders('SUBSCRIBE', ALICE).length).toBeGreaterThan(0), { timeout: 5_000 });
    // MESSAGE from the first REGISTER on: a store-and-forward server delivers only to contacts that say so.
    expect(new Set(kamailio.allowHeaders('REGISTER', ALICE))).toEqual(new Set([ALLOWED.join(', ')]));
    expect(new Set(kamailio.allowHeaders('SUBSCRIBE', ALICE))).toEqual(new Set([ALLOWED.join(', ')]));
  });
});

describe('a service that registers for a method gets it', () => {
  // A NOTIFY outside any subscription: nobody takes it (481) unless a service registers for it.
  const notify = () => send('NOTIFY', { headers: ['Event: x-parley-test', 'Subscription-State: active'] });

  test('a request goes to the handler, is answered by it, and Allow grows while one is registered', async () => {
    const received: string[] = [];
    const stop = alice.connection.session.handle('NOTIFY', (notification) => {
      received.push(notification.request.getHeader('Event') ?? '');
      void notification.reject({ statusCode: 489 });
    });
    const stopSubscribe = alice.connection.session.handle('SUBSCRIBE', (request) => void request.reject({ statusCode: 489 }));
    try {
      expect((await notify()).status).toBe(489);
      expect(received).toEqual(['x-parley-test']);
      expect(allowOf(await send('OPTIONS'))).toEqual([...ALLOWED, 'SUBSCRIBE'].sort());
    } finally {
      stop();
      stopSubscribe();
    }
    expect((await notify()).status).toBe(481);
    expect(received).toHaveLength(1);
    expect(allowOf(await send('OPTIONS'))).toEqual(ALLOWED);
  });

  test('a handler that throws is contained: the peer gets 500 and the session keeps working', async () => {
    const stop = alice.connection.session.handle('NOTIFY', () => {
      throw new Error('boom');
    });
    try {
      expect((await notify()).status).toBe(500);
    } finally {
      stop();
    }
    expect((await send('OPTIONS')).status).toBe(200);
    expect(alice.connection.current.status).toBe('registered');
  });
});

describe('a standard SIP phone (baresip) and chat', () => {
  test('baresip ⇄ alice both ways: its message arrives and is answered 200; hers reaches it and reads "sent"', async () => {
    const baresip = await Baresip.start({
      user: 'baresip',
      password: 'baresip-pw',
      domain: DOMAIN,
      proxyPort: kamailio.sipPort,
      contact: ALICE,
    });
    try {
      baresip.message('hello from a desk phone');
      // The final answer to its MESSAGE, read from baresip's own SIP trace.
      await vi.waitFor(() => expect(baresip.finalResponses('MESSAGE')).toEqual([200]), { timeout: 5_000 });
      const page = alice.messaging.history(withPeer(alice, `sip:baresip@${DOMAIN}`), 10);
      expect(page.ok && page.value.map((m) => m.text)).toEqual(['hello from a desk phone']);

      expect(alice.messaging.send(withPeer(alice, `baresip@${DOMAIN}`), 'hello desk phone, from Parley').ok).toBe(true);
      await baresip.waitFor(/hello desk phone, from Parley/);
      await vi.waitFor(() => {
        const mine = alice.messaging.history(withPeer(alice, `sip:baresip@${DOMAIN}`), 10);
        expect(mine.ok && mine.value.filter((m) => m.direction === 'out').map((m) => m.state)).toEqual(['sent']);
      });
    } finally {
      await baresip.stop();
    }
  });
});
