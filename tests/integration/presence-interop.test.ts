import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { Baresip } from '../support/baresip.js';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';

// What another client shows of Parley's presence: baresip (1.0) watches alice through Kamailio with
// its presence module. It knows only Online, Busy and Offline, and reads `<rpid:away/>` as Offline.
let kamailio: Kamailio;
let fleet: EngineFleet;
let alice: Engine;
let desk: Baresip;

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', desk: 'desk-pw' } });
  fleet = new EngineFleet(kamailio);
  alice = await fleet.signedIn('alice');
  desk = await Baresip.start({
    user: 'desk',
    password: 'desk-pw',
    domain: DOMAIN,
    proxyPort: kamailio.sipPort,
    contact: `sip:alice@${DOMAIN}`,
    presence: true,
  });
});
afterAll(async () => {
  await desk?.stop();
  await fleet?.dispose();
  await kamailio?.dispose();
});

/** Sets alice's status, then waits for baresip to report a new change of her status from `from` to `to`. */
async function shows(status: Parameters<Engine['myPresence']['set']>[0], from: string, to: string): Promise<void> {
  // (baresip colours the status words: escape codes sit around them)
  const change = new RegExp(`<sip:alice@${DOMAIN.replace('.', '\\.')}> changed status from [^\\n]*?${from}[^\\n]*? to [^\\n]*?${to}`, 'g');
  const seen = () => desk.log.match(change)?.length ?? 0;
  const before = seen();
  alice.myPresence.set(status, '');
  await vi.waitFor(() => expect(seen()).toBeGreaterThan(before), { timeout: 10_000 });
}

test('baresip shows Parley Away and Be right back as reachable (Online), not Offline; Busy and Do not disturb as Busy', async () => {
  // Baresip's subscription stands once the server's first NOTIFY (alice Available) has reached it.
  await desk.waitFor(/NOTIFY sip:desk/, 10_000);
  await shows('busy', 'Online', 'Busy');
  await shows('away', 'Busy', 'Online');
  await shows('dnd', 'Online', 'Busy');
  await shows('brb', 'Busy', 'Online');
  await shows('appearOffline', 'Online', 'Offline');
});
