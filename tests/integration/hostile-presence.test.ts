import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { RawSipPeer } from '../support/raw-sip-peer.js';

// mallory@evil.test is a hand-written SIP peer behind a federation route: whatever it sends in its
// NOTIFYs reaches Parley byte for byte.
let kamailio: Kamailio;
let mallory: RawSipPeer;
let fleet: EngineFleet;
let alice: Engine;
let bob: Engine;

beforeAll(async () => {
  mallory = await RawSipPeer.start('mallory', 'evil.test');
  kamailio = await Kamailio.launch({
    users: { alice: 'alice-pw', bob: 'bob-pw' },
    peer: { domain: 'evil.test', address: mallory.address },
  });
  fleet = new EngineFleet(kamailio);
  [alice, bob] = await Promise.all([fleet.signedIn('alice'), fleet.signedIn('bob')]);
  alice.contacts.add({ address: 'mallory@evil.test' });
  alice.contacts.add({ address: `bob@${DOMAIN}` });
  await mallory.subscribed();
});

afterAll(async () => {
  await fleet?.dispose();
  await kamailio?.dispose();
  await mallory?.close();
});

const mal = () => alice.contacts.list().contacts.find((c) => c.uri === 'sip:mallory@evil.test')!;
const waitFor = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 20 });
const PIDF = (inner: string) =>
  `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:mallory@evil.test">${inner}</presence>`;
const OPEN = '<tuple id="t"><status><basic>open</basic></status></tuple>';

/** Sends a fine document first, so each hostile one must visibly change the state to count. */
async function reset(note: string): Promise<void> {
  mallory.notify(PIDF(`${OPEN}<note>${note}</note>`));
  await waitFor(() => expect(mal().presence).toEqual({ availability: 'available', note }));
}

test('a billion-laughs document is refused (shown Offline), quickly, and the engine carries on', async () => {
  await reset('before laughs');
  const laughs =
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
    Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
    ']><presence xmlns="urn:ietf:params:xml:ns:pidf"><tuple id="t"><status><basic>open</basic></status></tuple><note>&lol9;</note></presence>';
  mallory.notify(laughs);
  await waitFor(() => expect(mal().presence).toEqual({ availability: 'offline', note: '' }));
});

test('an external entity is never fetched or expanded', async () => {
  await reset('before xxe');
  mallory.notify(`<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>${PIDF(`${OPEN}<note>&x;</note>`)}`);
  await waitFor(() => expect(mal().presence.availability).toBe('offline'));
  expect(mal().presence.note).not.toMatch(/root:/);
});

test('deep nesting and a near-datagram-sized document are refused or bounded', async () => {
  await reset('before deep');
  mallory.notify(PIDF(`${OPEN}${'<x>'.repeat(3_000)}${'</x>'.repeat(3_000)}`));
  await waitFor(() => expect(mal().presence.availability).toBe('offline'));
  await reset('before big');
  mallory.notify(PIDF(`${OPEN}<note>${'A'.repeat(50_000)}</note>`));
  await waitFor(() => expect(mal().presence.note).toBe('A'.repeat(280)));
});

test('markup in notes stays text; wrong content types and garbage are ignored', async () => {
  mallory.notify(PIDF(`${OPEN}<note>&lt;img src=x onerror="alert(1)"&gt;&lt;script&gt;alert(2)&lt;/script&gt;</note>`));
  await waitFor(() => expect(mal().presence.note).toBe('<img src=x onerror="alert(1)"><script>alert(2)</script>'));
  mallory.notify('<html><body>not presence</body></html>', 'text/html');
  await waitFor(() => expect(mal().presence).toEqual({ availability: 'offline', note: '' }));
  await reset('before garbage');
  mallory.notify('\u0000\u0001<<<>>>&&&', 'application/pidf+xml');
  await waitFor(() => expect(mal().presence.availability).toBe('offline'));
});

test('after all that, the engine still works: presence from a real contact comes through', async () => {
  bob.myPresence.set('busy', 'still here');
  // bob has not approved anyone (no pres-rules here: everyone is allowed), so alice sees him.
  await waitFor(() =>
    expect(alice.contacts.list().contacts.find((c) => c.uri === `sip:bob@${DOMAIN}`)?.presence).toEqual({
      availability: 'busy',
      note: 'still here',
    }),
  );
  expect(alice.connection.current.status).toBe('registered');
});

test('bidi overrides, control characters and stacks of combining marks in a note arrive cleaned', async () => {
  await reset('before hostile text');
  mallory.notify(PIDF(`${OPEN}<note>alice\u202Egpj.exe\u0007 Z${'\u0301'.repeat(40)}</note>`));
  await waitFor(() => expect(mal().presence.note).toBe(`alicegpj.exe Z${'\u0301'.repeat(4)}`));
});

test("after our own un-SUBSCRIBE, the notifier's final NOTIFY is answered 200, not 481 (RFC 6665 §4.1.2.3)", async () => {
  await reset('about to be removed'); // the subscription is established (a NOTIFY made the dialog)
  const before = mallory.finalNotifyAnswers.length;
  expect(await alice.contacts.remove(mal().id)).toEqual({ ok: true, value: undefined });
  await waitFor(() => expect(mallory.finalNotifyAnswers.length).toBe(before + 1));
  expect(mallory.finalNotifyAnswers.at(-1)).toBe(200);
  // Put mallory back for whatever runs next.
  const again = mallory.nextSubscription();
  alice.contacts.add({ address: 'mallory@evil.test' });
  await again;
});
