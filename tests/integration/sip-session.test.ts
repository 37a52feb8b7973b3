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
  test('a chat message is refused with 480 (chat is not built yet), not swallowed with a 200', async () => {
    const response = await send('MESSAGE', { body: 'are you there?' });
    expect(response.status).toBe(480);
  });

  test('a call is refused with 480, not 486 Busy Here', async () => {
    const response = await send('INVITE', { body: 'v=0\r\n', contentType: 'application/sdp' });
    expect(response.status).toBe(480);
  });

  test('a method Parley does not implement gets 405 with an Allow that lists only what it implements', async () => {
    for (const method of ['REFER', 'UPDATE', 'FOO']) {
      const response = await send(method, method === 'REFER' ? { headers: [`Refer-To: <sip:bob@${DOMAIN}>`] } : {});
      expect({ method, status: response.status }).toEqual({ method, status: 405 });
      expect(allowOf(response)).toEqual(['NOTIFY', 'OPTIONS']);
    }
  });

  test('OPTIONS is answered with the truthful Allow', async () => {
    const response = await send('OPTIONS');
    expect(response.status).toBe(200);
    expect(allowOf(response)).toEqual(['NOTIFY', 'OPTIONS']);
  });

  test("REGISTER and SUBSCRIBE tell the server the same truth (read from the server's log)", async () => {
    alice.contacts.add({ address: 'someone@evil.test' });
    await vi.waitFor(() => expect(kamailio.allowHeaders('SUBSCRIBE', ALICE).length).toBeGreaterThan(0), { timeout: 5_000 });
    expect(new Set(kamailio.allowHeaders('REGISTER', ALICE))).toEqual(new Set(['NOTIFY, OPTIONS']));
    expect(new Set(kamailio.allowHeaders('SUBSCRIBE', ALICE))).toEqual(new Set(['NOTIFY, OPTIONS']));
  });
});

describe('a service that registers for a method gets it', () => {
  test('MESSAGE goes to the handler, is answered by it, and Allow grows while it is registered', async () => {
    const received: string[] = [];
    const stop = alice.connection.session.handle('MESSAGE', (message) => {
      received.push(message.request.body);
      void message.accept();
    });
    try {
      expect((await send('MESSAGE', { body: 'routed' })).status).toBe(200);
      expect(received).toEqual(['routed']);
      expect(allowOf(await send('OPTIONS'))).toEqual(['MESSAGE', 'NOTIFY', 'OPTIONS']);
    } finally {
      stop();
    }
    expect((await send('MESSAGE', { body: 'after' })).status).toBe(480);
    expect(received).toEqual(['routed']);
    expect(allowOf(await send('OPTIONS'))).toEqual(['NOTIFY', 'OPTIONS']);
  });

  test('a handler that throws is contained: the peer gets 500 and the session keeps working', async () => {
    const stop = alice.connection.session.handle('MESSAGE', () => {
      throw new Error('boom');
    });
    try {
      expect((await send('MESSAGE', { body: 'x' })).status).toBe(500);
    } finally {
      stop();
    }
    expect((await send('OPTIONS')).status).toBe(200);
    expect(alice.connection.current.status).toBe('registered');
  });
});

describe('a standard SIP phone (baresip) sending a chat message', () => {
  test('is told it did not arrive (480), where it used to be told "delivered" while alice saw nothing', async () => {
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
      await vi.waitFor(() => expect(baresip.finalResponses('MESSAGE')).toHaveLength(1), { timeout: 5_000 });
      expect(baresip.finalResponses('MESSAGE')).toEqual([480]);
    } finally {
      await baresip.stop();
    }
  });
});
