import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium, showPagesIfFailed } from '../support/browser.js';
import { Baresip } from '../support/baresip.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { Rtpengine } from '../support/rtpengine.js';
import { writeTone } from '../support/tone.js';
import { WebParley } from '../support/web-mode.js';
import { signInAs } from '../support/parley-page.js';

// Calls between a WebRTC page and a plain-RTP SIP phone (baresip) through Kamailio and Debian's
// rtpengine media relay: ICE and DTLS-SRTP on the page's side, RTP/AVP on the phone's.
let kamailio: Kamailio;
let relay: Rtpengine;
let browser: Browser;
let scratch: string;
const running: WebParley[] = [];
const phones: Baresip[] = [];

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'parley-relay-'));
  writeTone(join(scratch, 'tone.wav'));
  relay = await Rtpengine.start();
  const users = { alice: 'alice-pw', desk: 'desk-pw', gateway: 'gateway-pw' };
  [kamailio, browser] = await Promise.all([
    Kamailio.launch({ users, rtpengine: { ngPort: relay.ngPort }, gateway: true }),
    launchChromium({ media: true }),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
  await relay?.stop();
  rmSync(scratch, { recursive: true, force: true });
});
afterEach(async (context) => {
  await showPagesIfFailed(context);
  if (context.task.result?.state === 'fail') {
    for (const phone of phones) console.error(`baresip (tail):\n${phone.log.slice(-3000)}`);
    for (const parley of running) console.error(`web mode log (tail):\n${parley.log.split('\n').slice(-30).join('\n')}`);
    console.error(`kamailio log (tail):\n${kamailio.output.split('\n').slice(-40).join('\n')}`);
    console.error(`rtpengine log (tail):\n${relay.output.split('\n').slice(-30).join('\n')}`);
  }
  for (const phone of phones.splice(0)) await phone.stop();
  for (const parley of running.splice(0)) await parley.dispose();
  for (const context of browser.contexts()) await context.close();
});

async function signIn(user: string): Promise<Page> {
  const parley = await WebParley.launch();
  running.push(parley);
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const Original = window.RTCPeerConnection;
    const list: RTCPeerConnection[] = [];
    (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections = list;
    window.RTCPeerConnection = class extends Original {
      constructor(configuration?: RTCConfiguration) {
        super(configuration);
        list.push(this);
      }
    };
  });
  await page.goto(parley.url);
  await signInAs(page, user, kamailio.wsUrl);
  return page;
}

const packetsIn = (page: Page) =>
  page.evaluate(async () => {
    let total = 0;
    for (const pc of (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections) {
      (await pc.getStats()).forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
        if (report.type === 'inbound-rtp' && report.kind === 'audio') total += report.packetsReceived ?? 0;
      });
    }
    return total;
  });

async function phone(autoAnswer: boolean, user = 'desk'): Promise<Baresip> {
  const desk = await Baresip.start({
    user,
    password: `${user}-pw`,
    domain: DOMAIN,
    proxyPort: kamailio.sipPort,
    contact: `sip:alice@${DOMAIN}`,
    audio: { wav: join(scratch, 'tone.wav'), autoAnswer },
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
    await expect.poll(() => packetsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
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

  test('a desk phone calls alice: she answers, audio flows both ways', async () => {
    const alice = await signIn('alice');
    const desk = await phone(false);
    desk.dial(`sip:alice@${DOMAIN}`);
    const ringing = alice.getByRole('region', { name: `Incoming call from desk@${DOMAIN}` });
    await ringing.getByRole('button', { name: 'Answer', exact: true }).click();
    const call = alice.getByRole('region', { name: `Call with desk@${DOMAIN}` });
    await call.getByText('In a call').waitFor();
    await expect.poll(() => packetsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
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
    await expect.poll(() => packetsIn(alice), { timeout: 15_000 }).toBeGreaterThan(50);
    // The number went on the wire as sip:+E164@domain;user=phone.
    expect(kamailio.output).toMatch(/to the phone network: sip:\+14155552671@uc\.test;user=phone/);
    await call.getByRole('button', { name: 'Hang up' }).click();
    expect(await phoneReceived(gateway)).toBeGreaterThan(40);
  });
});
