import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { Baresip } from '../support/baresip.js';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { RawSipPeer } from '../support/raw-sip-peer.js';

// mallory@evil.test is a hand-written SIP peer on another domain, federated through Kamailio: it sends
// requests to alice and reads exactly what Parley answers.
let kamailio: Kamailio;
let mallory: RawSipPeer;
let fleet: EngineFleet;
let alice: Engine;
const ALICE = `sip:alice@${DOMAIN}`;

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
    const page = alice.messaging.history('sip:mallory@evil.test', 10);
    expect(page.ok && page.value.map((m) => m.text)).toContain('are you there?');
  });

  test('a call is refused with 480, not 486 Busy Here', async () => {
    const response = await send('INVITE', { body: 'v=0\r\n', contentType: 'application/sdp' });
    expect(response.status).toBe(480);
  });

  test('a method Parley does not implement gets 405 with an Allow that lists only what it implements', async () => {
    for (const method of ['REFER', 'UPDATE', 'FOO']) {
      const response = await send(method, method === 'REFER' ? { headers: [`Refer-To: <sip:bob@${DOMAIN}>`] } : {});
      expect({ method, status: response.status }).toEqual({ method, status: 405 });
      expect(allowOf(response)).toEqual(['MESSAGE', 'NOTIFY', 'OPTIONS']);
    }
  });

  test('OPTIONS is answered with the truthful Allow', async () => {
    const response = await send('OPTIONS');
    expect(response.status).toBe(200);
    expect(allowOf(response)).toEqual(['MESSAGE', 'NOTIFY', 'OPTIONS']);
  });

  test("REGISTER and SUBSCRIBE tell the server the same truth (read from the server's log)", async () => {
    alice.contacts.add({ address: 'someone@evil.test' });
    await vi.waitFor(() => expect(kamailio.allowHeaders('SUBSCRIBE', ALICE).length).toBeGreaterThan(0), { timeout: 5_000 });
    // MESSAGE from the first REGISTER on: a store-and-forward server delivers only to contacts that say so.
    expect(new Set(kamailio.allowHeaders('REGISTER', ALICE))).toEqual(new Set(['MESSAGE, NOTIFY, OPTIONS']));
    expect(new Set(kamailio.allowHeaders('SUBSCRIBE', ALICE))).toEqual(new Set(['MESSAGE, NOTIFY, OPTIONS']));
  });
});

describe('a service that registers for a method gets it', () => {
  const invite = () => send('INVITE', { body: 'v=0\r\n', contentType: 'application/sdp' });

  test('INVITE goes to the handler, is answered by it, and Allow grows while it is registered', async () => {
    const received: string[] = [];
    const stop = alice.connection.session.handle(
      'INVITE',
      (invitation) => {
        received.push(invitation.request.body);
        void invitation.reject({ statusCode: 488 });
      },
      ['ACK', 'BYE', 'CANCEL'],
    );
    try {
      expect((await invite()).status).toBe(488);
      expect(received).toEqual(['v=0\r\n']);
      expect(allowOf(await send('OPTIONS'))).toEqual(['ACK', 'BYE', 'CANCEL', 'INVITE', 'MESSAGE', 'NOTIFY', 'OPTIONS']);
    } finally {
      stop();
    }
    expect((await invite()).status).toBe(480);
    expect(received).toHaveLength(1);
    expect(allowOf(await send('OPTIONS'))).toEqual(['MESSAGE', 'NOTIFY', 'OPTIONS']);
  });

  test('a handler that throws is contained: the peer gets 500 and the session keeps working', async () => {
    const stop = alice.connection.session.handle('INVITE', () => {
      throw new Error('boom');
    });
    try {
      expect((await invite()).status).toBe(500);
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
      const page = alice.messaging.history(`sip:baresip@${DOMAIN}`, 10);
      expect(page.ok && page.value.map((m) => m.text)).toEqual(['hello from a desk phone']);

      expect(alice.messaging.send(`baresip@${DOMAIN}`, 'hello desk phone, from Parley').ok).toBe(true);
      await baresip.waitFor(/hello desk phone, from Parley/);
      await vi.waitFor(() => {
        const mine = alice.messaging.history(`sip:baresip@${DOMAIN}`, 10);
        expect(mine.ok && mine.value.filter((m) => m.direction === 'out').map((m) => m.state)).toEqual(['sent']);
      });
    } finally {
      await baresip.stop();
    }
  });
});
