import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { EngineFleet } from '../support/engines.js';
import { Kamailio } from '../support/kamailio.js';
import { freePort } from '../support/ports.js';

// Two organisations, two servers: uc.test and partner.test, each the registrar, presence server and
// XCAP server for its own people, routing the other's domain to the other server.
let home: Kamailio;
let partner: Kamailio;
let homeFleet: EngineFleet;
let partnerFleet: EngineFleet;

/** Both servers, each told the other's SIP port before it starts. */
async function launchPair(): Promise<[Kamailio, Kamailio]> {
  const homeSip = await freePort();
  let partnerSip = await freePort();
  while (partnerSip === homeSip) partnerSip = await freePort();
  const launched = await Promise.allSettled([
    Kamailio.launch({
      domain: 'uc.test',
      sipPort: homeSip,
      users: { alice: 'alice-pw' },
      presRules: true,
      peer: { domain: 'partner.test', address: `sip:127.0.0.1:${partnerSip}` },
    }),
    Kamailio.launch({
      domain: 'partner.test',
      sipPort: partnerSip,
      users: { carol: 'carol-pw' },
      presRules: true,
      peer: { domain: 'uc.test', address: `sip:127.0.0.1:${homeSip}` },
    }),
  ]);
  const [first, second] = launched;
  if (first.status === 'fulfilled' && second.status === 'fulfilled') return [first.value, second.value];
  await Promise.all(launched.map((result) => (result.status === 'fulfilled' ? result.value.dispose() : undefined)));
  throw launched.find((result) => result.status === 'rejected')!.reason;
}

beforeAll(async () => {
  // The SIP ports are fixed before either server starts (each routes to the other), so Kamailio
  // cannot pick new ones itself when a port found free is taken before it binds (seen in a
  // clean-clone run): then both start again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      [home, partner] = await launchPair();
      break;
    } catch (error) {
      if (attempt >= 3 || !/address already in use|bind/i.test(String(error))) throw error;
    }
  }
  homeFleet = new EngineFleet(home);
  partnerFleet = new EngineFleet(partner);
});

afterAll(async () => {
  await homeFleet?.dispose();
  await partnerFleet?.dispose();
  await Promise.all([home?.dispose(), partner?.dispose()]);
});

const contact = (engine: Engine, uri: string) => engine.contacts.list().contacts.find((c) => c.uri === uri);
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 10_000, interval: 25 });

test('a contact on another domain: approval on their server, then live presence both ways', async () => {
  const alice = await homeFleet.signedIn('alice');
  const carol = await partnerFleet.signedIn('carol');

  expect(alice.contacts.add({ address: 'carol@partner.test', displayName: 'Carol (Partner)' })).toMatchObject({ ok: true });
  await waitFor(() => expect(contact(alice, 'sip:carol@partner.test')?.subscription).toBe('pending'));
  await waitFor(() => expect(carol.approvals.requests().map((r) => r.uri)).toEqual(['sip:alice@uc.test']));

  await carol.approvals.answer('sip:alice@uc.test', 'acceptAndAdd');
  await waitFor(() =>
    expect(contact(alice, 'sip:carol@partner.test')).toMatchObject({ subscription: 'active', presence: { availability: 'available' } }),
  );

  carol.myPresence.set('busy', 'Quarterly review');
  await waitFor(() =>
    expect(contact(alice, 'sip:carol@partner.test')?.presence).toEqual({ availability: 'busy', note: 'Quarterly review' }),
  );

  // Carol added alice back when accepting; alice let carol in when she added her, so nothing waits
  // on alice's side and carol sees her across the two servers.
  await waitFor(() => expect(contact(carol, 'sip:alice@uc.test')?.subscription).toBe('active'));
  expect(alice.approvals.requests()).toEqual([]);
  alice.myPresence.set('brb', 'Coffee');
  await waitFor(() => expect(contact(carol, 'sip:alice@uc.test')?.presence).toEqual({ availability: 'brb', note: 'Coffee' }));
});
