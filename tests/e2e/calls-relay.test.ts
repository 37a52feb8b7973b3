import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { endTest, launchChromium } from '../support/browser.js';
import { Baresip } from '../support/baresip.js';
import { Linphone } from '../support/linphone.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { Rtpengine } from '../support/rtpengine.js';
import { writeTone } from '../support/tone.js';
import { SippGateway } from '../support/sipp.js';
import type { WebParley } from '../support/web-mode.js';
import { addContact, openCard, signedInCallPage } from '../support/parley-page.js';
import { audioPacketsIn } from '../support/webrtc.js';

// Calls between a WebRTC page and a plain-RTP SIP phone (baresip) through Kamailio and Debian's
// rtpengine media relay: ICE and DTLS-SRTP on the page's side, RTP/AVP on the phone's.
let kamailio: Kamailio;
let relay: Rtpengine;
/** Another network's gateway (network.test), with early media. */
let gateway: SippGateway;
let browser: Browser;
let scratch: string;
const running: WebParley[] = [];
const phones: Baresip[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'parley-relay-'));
  writeTone(join(scratch, 'tone.wav'));
  // A phone that must not hang up by itself when its "microphone" file runs out.
  writeTone(join(scratch, 'long.wav'), 60);
  relay = await Rtpengine.start();
  gateway = await SippGateway.start({ answerAfterMs: 4_000 });
  const users = { alice: 'alice-pw', carol: 'carol-pw', desk: 'desk-pw', gateway: 'gateway-pw', linphone: 'linphone-pw' };
  [kamailio, browser] = await Promise.all([
    Kamailio.launch({
      users,
      rtpengine: { ngPort: relay.ngPort },
      gateway: true,
      peer: { domain: 'network.test', address: gateway.address },
    }),
    launchChromium({ media: true }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
  await relay?.stop();
  await gateway?.stop();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(async (context) => {
  await endTest(context, browser, running, {
    kamailio: () => kamailio.output,
    rtpengine: () => relay.output,
    ...Object.fromEntries(phones.map((phone, i) => [`baresip ${i + 1}`, () => phone.log])),
  });
  for (const phone of phones.splice(0)) await phone.stop();
});

const signIn = (user: string): Promise<Page> => signedInCallPage(browser, running, user, kamailio.wsUrl);

async function phone(autoAnswer: boolean, user = 'desk', register = true, wav = 'tone.wav', codecs?: string[]): Promise<Baresip> {
  const desk = await Baresip.start({
    user,
    password: `${user}-pw`,
    register,
    domain: DOMAIN,
    proxyPort: kamailio.sipPort,
    contact: `sip:alice@${DOMAIN}`,
    audio: { wav: join(scratch, wav), autoAnswer },
    ...(codecs ? { codecs } : {}),
  });
  phones.push(desk);
  return desk;
}

/** The RTP packets baresip received in the call that just ended (from its `rtp_stats` lines). */
async function phoneReceived(desk: Baresip): Promise<number> {
  // audio           Transmit:     Receive:
  // packets:             30           28
  const match = await desk.waitFor(/audio\s+Transmit:\s+Receive:\s*\r?\npackets:\s+(\d+)\s+(\d+)/, 10_000);
  return Number(match[2]);
}

describe('calls through the media relay to a plain SIP phone', () => {
  test('alice calls a desk phone (baresip, plain RTP): it answers, audio flows both ways', async () => {
    const alice = await signIn('alice');
    const desk = await phone(true);
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await alice.getByRole('textbox', { name: 'Number or address' }).fill(`desk@${DOMAIN}`);
    await alice.getByRole('textbox', { name: 'Number or address' }).press('Enter');
    const call = alice.getByRole('region', { name: `Call with desk@${DOMAIN}` });
    await call.getByText('In a call').waitFor();
    // A second of audio each way (50 packets at 20 ms), through the relay.
    await expect.poll(() => audioPacketsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
    // Keypad tones in the call reach the phone (RFC 4733 telephone events, through the relay).
    await call.getByRole('button', { name: 'Keypad' }).click();
    const tones = call.getByRole('group', { name: 'Keypad tones' });
    for (const key of ['1', '2', '#']) {
      await tones.getByRole('button', { name: key, exact: true }).click();
      await desk.waitFor(new RegExp(`"type":"CALL_DTMF_START"[^}]*"param":"${key}"`), 10_000);
    }
    await call.getByRole('button', { name: 'Hang up' }).click();
    expect(await phoneReceived(desk)).toBeGreaterThan(40);
  });

  test('a desk phone transfers alice to carol: she is asked first, calls carol, and the phone hangs up once carol answers', async () => {
    const [alice, carol] = await Promise.all([signIn('alice'), signIn('carol')]);
    const desk = await phone(true, 'desk', true, 'long.wav');
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await alice.getByRole('textbox', { name: 'Number or address' }).fill(`desk@${DOMAIN}`);
    await alice.getByRole('textbox', { name: 'Number or address' }).press('Enter');
    const call = alice.getByRole('region', { name: `Call with desk@${DOMAIN}` });
    await call.getByText('In a call').waitFor();
    desk.transfer(`sip:carol@${DOMAIN}`);
    const asked = call.getByRole('group', { name: `Transfer request from desk@${DOMAIN}` });
    await asked.getByText(`wants to transfer you to carol@${DOMAIN}`).waitFor({ timeout: 10_000 });
    await asked.getByRole('button', { name: 'Call' }).click();
    await carol
      .getByRole('region', { name: `Incoming call from alice@${DOMAIN}` })
      .getByRole('button', { name: 'Answer', exact: true })
      .click();
    await carol
      .getByRole('region', { name: `Call with alice@${DOMAIN}` })
      .getByText('In a call')
      .waitFor();
    // The NOTIFY with "SIP/2.0 200 OK" (RFC 3515 §2.4.5) tells the phone the transfer is done: it
    // takes it (the subscription still stands: no 481) and hangs up.
    await call.getByText('Transferred').waitFor({ timeout: 10_000 });
    await desk.waitFor(/Content-Type: message\/sipfrag[^\n]*\r?\n(?:[^\n]*\r?\n)*?SIP\/2\.0 200 OK/, 10_000);
    await desk.waitFor(/CALL_CLOSED/, 10_000);
    expect(desk.log).not.toMatch(/481 Subscription Does Not Exist/);
    expect(desk.log).not.toMatch(/"type":"CALL_CLOSED"[^}]*"param":"end of file"/);
    await alice
      .getByRole('region', { name: `Call with carol@${DOMAIN}` })
      .getByText('In a call')
      .waitFor();
  });

  test("early media: the far network's sound (183 with SDP) plays in the page before the answer, and the call says so", async () => {
    const alice = await signIn('alice');
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await alice.getByRole('textbox', { name: 'Number or address' }).fill('announcements@network.test');
    await alice.getByRole('textbox', { name: 'Number or address' }).press('Enter');
    const call = alice.getByRole('region', { name: 'Call with announcements@network.test' });
    await call.getByText('Ringing — playing sound from their network (tones or a message)').waitFor({ timeout: 10_000 });
    // Audio arrives while it is still ringing (the gateway answers 4 s after its 183).
    await expect.poll(() => audioPacketsIn(alice), { timeout: 10_000 }).toBeGreaterThan(25);
    expect(await call.getByText('In a call').count()).toBe(0);
    await call.getByText('In a call').waitFor({ timeout: 10_000 });
    await call.getByRole('button', { name: 'Hang up' }).click();
    await call.getByText('Call ended').waitFor();
  });

  test('keypad tones reach a desk phone on an opus call (RFC 4733 events at the clock it takes, or SIP INFO)', async () => {
    const alice = await signIn('alice');
    const desk = await phone(true, 'desk', true, 'long.wav', ['opus/48000/2', 'PCMU']);
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await alice.getByRole('textbox', { name: 'Number or address' }).fill(`desk@${DOMAIN}`);
    await alice.getByRole('textbox', { name: 'Number or address' }).press('Enter');
    const call = alice.getByRole('region', { name: `Call with desk@${DOMAIN}` });
    await call.getByText('In a call').waitFor();
    await desk.waitFor(/opus/i, 5_000);
    await call.getByRole('button', { name: 'Keypad' }).click();
    const tones = call.getByRole('group', { name: 'Keypad tones' });
    for (const key of ['4', '2']) {
      await tones.getByRole('button', { name: key, exact: true }).click();
      await desk.waitFor(new RegExp(`"type":"CALL_DTMF_START"[^}]*"param":"${key}"`), 10_000);
    }
    await call.getByRole('button', { name: 'Hang up' }).click();
  });

  test('a desk phone calls alice: she answers, audio flows both ways', async () => {
    const alice = await signIn('alice');
    const desk = await phone(false);
    desk.dial(`sip:alice@${DOMAIN}`);
    const ringing = alice.getByRole('region', { name: `Incoming call from desk@${DOMAIN}` });
    await ringing.getByRole('button', { name: 'Answer', exact: true }).click();
    const call = alice.getByRole('region', { name: `Call with desk@${DOMAIN}` });
    await call.getByText('In a call').waitFor();
    await expect.poll(() => audioPacketsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
    await call.getByRole('button', { name: 'Hang up' }).click();
    expect(await phoneReceived(desk)).toBeGreaterThan(40);
  });

  test('alice dials a phone number: the server routes it to the phone network gateway, which answers; audio both ways', async () => {
    const alice = await signIn('alice');
    const gateway = await phone(true, 'gateway');
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await alice.getByRole('textbox', { name: 'Number or address' }).fill('+1 415 555 2671');
    await alice.getByRole('button', { name: 'Call', exact: true }).click();
    // Shown as the number, internationally written (no home country chosen).
    const call = alice.getByRole('region', { name: 'Call with +1 415 555 2671' });
    await call.getByText('In a call').waitFor();
    await expect.poll(() => audioPacketsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
    // The number went on the wire as sip:+E164@domain;user=phone.
    expect(kamailio.output).toMatch(/to the phone network: sip:\+14155552671@uc\.test;user=phone/);
    await call.getByRole('button', { name: 'Hang up' }).click();
    expect(await phoneReceived(gateway)).toBeGreaterThan(40);
  });

  test('a call from the phone network with the number of a contact shows their name; the card offers the number', async () => {
    const alice = await signIn('alice');
    await addContact(alice, `dana@${DOMAIN}`, 'Dana Whitfield');
    const card = await openCard(alice, 'Dana Whitfield');
    await card.getByRole('button', { name: 'Add phone numbers' }).click();
    // A bad number is refused in words, and what was typed stays.
    await card.getByRole('textbox', { name: 'Mobile phone' }).fill('07911 123456');
    await card.getByRole('button', { name: 'Save numbers' }).click();
    await card
      .getByRole('alert')
      .filter({ hasText: /Mobile number: .*choose your country in Settings/ })
      .waitFor();
    expect(await card.getByRole('textbox', { name: 'Mobile phone' }).inputValue()).toBe('07911 123456');
    await card.getByRole('textbox', { name: 'Mobile phone' }).fill('+44 7911 123456');
    await card.getByRole('button', { name: 'Save numbers' }).click();
    const numbers = card.getByRole('list', { name: 'Phone numbers' });
    await numbers.getByRole('button', { name: 'Call mobile number +44 7911 123456' }).waitFor();
    await expect.poll(() => numbers.innerText()).toMatch(/Mobile\s+\+44 7911 123456/);

    // The gateway places a call from that number (its From carries it, as a gateway's does).
    const caller = await phone(false, '+447911123456', false);
    caller.dial(`sip:alice@${DOMAIN}`);
    const ringing = alice.getByRole('region', { name: 'Incoming call from Dana Whitfield' });
    await ringing.getByText('+44 7911 123456').waitFor();
    await ringing.getByRole('button', { name: 'Answer', exact: true }).click();
    const call = alice.getByRole('region', { name: 'Call with Dana Whitfield' });
    await call.getByText('In a call').waitFor();
    await expect.poll(() => audioPacketsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
    await call.getByRole('button', { name: 'Hang up' }).click();
    expect(await phoneReceived(caller)).toBeGreaterThan(40);
  });

  test('Linphone (linphonec 5.1) calls alice and alice calls Linphone, through the relay', async () => {
    const alice = await signIn('alice');
    const linphone = await Linphone.start({ user: 'linphone', password: 'linphone-pw', domain: DOMAIN, proxyPort: kamailio.sipPort });
    try {
      await expect.poll(() => kamailio.contacts('linphone'), { timeout: 15_000 }).toHaveLength(1);
      // No sound card here: Linphone plays a WAV file into the call instead of a microphone.
      linphone.command('soundcard use files');
      linphone.command(`call sip:alice@${DOMAIN}`);
      const ringing = alice.getByRole('region', { name: `Incoming call from linphone@${DOMAIN}` });
      await ringing.getByRole('button', { name: 'Answer', exact: true }).click();
      const call = alice.getByRole('region', { name: `Call with linphone@${DOMAIN}` });
      await call.getByText('In a call').waitFor();
      await linphone.waitFor(/connected/i, 15_000);
      linphone.command(`play ${join(scratch, 'tone.wav')}`);
      await expect.poll(() => audioPacketsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
      linphone.command('terminate');
      await call.getByText('They hung up').waitFor();
      await call.getByRole('button', { name: 'Close' }).click();

      // Alice calls Linphone, which answers by itself; she hangs up and Linphone hears it.
      linphone.command('autoanswer enable');
      const before = await audioPacketsIn(alice);
      await alice.getByRole('button', { name: 'Keypad' }).click();
      await alice.getByRole('textbox', { name: 'Number or address' }).fill(`linphone@${DOMAIN}`);
      await alice.getByRole('textbox', { name: 'Number or address' }).press('Enter');
      await linphone.waitFor(/Call 2 with sip:alice@uc\.test connected/, 15_000);
      linphone.command(`play ${join(scratch, 'tone.wav')}`);
      await call.getByText('In a call').waitFor();
      await expect.poll(() => audioPacketsIn(alice), { timeout: 15_000 }).toBeGreaterThan(before + 50);
      await call.getByRole('button', { name: 'Hang up' }).click();
      await linphone.waitFor(/Call 2 with sip:alice@uc\.test ended/, 10_000);
    } finally {
      await linphone.stop();
    }
  });
});
