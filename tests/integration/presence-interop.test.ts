import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { Baresip } from '../support/baresip.js';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { Linphone } from '../support/linphone.js';

// What other clients show of Parley's presence, watching alice through the test Kamailio (GRUU on,
// the configuration the README recommends): baresip (1.0) with its presence module knows only
// Online, Busy and Offline and reads `<rpid:away/>` as Offline; Linphone (5.1) subscribes from its
// GRUU and shows the last RPID activity of a person.
let kamailio: Kamailio;
let fleet: EngineFleet;
let alice: Engine;
let desk: Baresip;
let linphone: Linphone;

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', desk: 'desk-pw', cell: 'cell-pw' } });
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
  linphone = await Linphone.start({ user: 'cell', password: 'cell-pw', domain: DOMAIN, proxyPort: kamailio.sipPort });
});
afterAll(async () => {
  await linphone?.stop();
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

test('Linphone, subscribed from its GRUU, gets every change: Busy, Away, Do not disturb as Busy and Be right back as Away — never "Moved"', async () => {
  const line = (status: string) => `Friend "alice" <sip:alice@${DOMAIN}> is ${status}\n`;
  const seen = () => linphone.log.length;
  // Linphone says each change once, in order: wait for this one after the previous one.
  let from = 0;
  async function shows(status: Parameters<Engine['myPresence']['set']>[0], word: string): Promise<void> {
    alice.myPresence.set(status, '');
    await vi.waitFor(
      () => {
        const at = linphone.log.indexOf(line(word), from);
        expect(at, linphone.log.slice(from)).toBeGreaterThanOrEqual(0);
        from = at + 1;
      },
      { timeout: 10_000 },
    );
  }
  await linphone.waitFor(/linphonec> /);
  // Alice is Available on the server before Linphone asks (the test before left her Appear offline).
  const published = () => kamailio.presenceRequests().filter((r) => r.method === 'PUBLISH' && r.from === `sip:alice@${DOMAIN}`).length;
  const before = published();
  alice.myPresence.set('available', '');
  await vi.waitFor(() => expect(published()).toBeGreaterThan(before), { timeout: 10_000 });
  linphone.command(`friend add alice sip:alice@${DOMAIN}`);
  await linphone.waitFor(new RegExp(line('Online')), 15_000);
  from = seen();
  await shows('busy', 'Busy');
  await shows('away', 'Away');
  await shows('dnd', 'Busy');
  await shows('brb', 'Away');
  await shows('appearOffline', 'Offline');
  await shows('available', 'Online');
  expect(linphone.log).not.toContain('is Moved');
});
