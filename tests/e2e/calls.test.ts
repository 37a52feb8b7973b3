import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { endTest, launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';
import { violations } from '../support/axe.js';
import {
  audioDirection,
  audioPacketsIn,
  camerasSending,
  knownCalls,
  trackCalls,
  trackPeerConnections,
  videoFramesIn,
} from '../support/webrtc.js';
import { addContact, approvalsBar, contactRow, contactTree, fillSignIn, signInAs } from '../support/parley-page.js';
import { Coturn } from '../support/coturn.js';
import { Linphone } from '../support/linphone.js';

// Two people calling each other from two web-mode Parleys in Chromium (fake microphone and camera),
// through a real Kamailio: SIP in each engine, WebRTC in each page.
let kamailio: Kamailio;
let browser: Browser;
const running: WebParley[] = [];

beforeAll(async () => {
  const users = Object.fromEntries(
    [
      'alice',
      'bob',
      'carol',
      'dave',
      'erin',
      'frank',
      'grace',
      'heidi',
      'ivan',
      'judy',
      'kate',
      'leo',
      'mia',
      'linphone',
      'nina',
      'omar',
      'pia',
      'quinn',
    ].map((u) => [u, `${u}-pw`]),
  );
  [kamailio, browser] = await Promise.all([Kamailio.launch({ users, presRules: true }), launchChromium({ media: true, autoplay: true })]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
});
afterEach((context) => endTest(context, browser, running, { kamailio: () => kamailio.output }));

/**
 * Signs `user` in, in a page that keeps a list of its RTCPeerConnections (to read their statistics).
 * With `dataDir`, starts again on that data (remembered account: no form).
 */
async function signIn(user: string, dataDir?: string, prepare?: (page: Page) => Promise<void>): Promise<Page> {
  const parley = await WebParley.launch(dataDir ? { dataDir } : {});
  running.push(parley);
  dataDirs.set(user, parley);
  const page = await browser.newPage();
  await trackPeerConnections(page);
  await prepare?.(page);
  await page.goto(parley.url);
  if (dataDir) await page.getByRole('button', { name: 'Status: Available' }).waitFor();
  else await signInAs(page, user, kamailio.wsUrl, { remember: true });
  return page;
}
const dataDirs = new Map<string, WebParley>();

/** Whether a video element shows a picture (it has a size and is playing). */
const showsPicture = (page: Page, name: string) =>
  page
    .getByRole('region', { name: /^Call with / })
    .getByLabel(name)
    .evaluate((video: HTMLVideoElement) => video.videoWidth > 0 && !video.paused);

/** Waits until this page receives more audio packets than it had. */
async function audioFlows(page: Page): Promise<void> {
  const before = await audioPacketsIn(page);
  await expect.poll(() => audioPacketsIn(page), { timeout: 15_000 }).toBeGreaterThan(before + 10);
}

/** axe-core finds nothing on the page at 1280×800 and 360×720, light and dark. */
async function clean(page: Page): Promise<void> {
  for (const [width, height] of [
    [1280, 800],
    [360, 720],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width, height });
      await page.emulateMedia({ colorScheme: scheme });
      expect({ width, scheme, violations: await violations(page) }).toEqual({ width, scheme, violations: [] });
    }
  }
  await page.setViewportSize({ width: 1280, height: 720 });
}

const callWith = (page: Page, name: RegExp | string) =>
  page.getByRole('region', { name: typeof name === 'string' ? `Call with ${name}` : name });
const incoming = (page: Page) => page.getByRole('region', { name: /^Incoming call from / });

/** Alice adds `user` (unless they are her contact already) and calls them from the card. */
async function call(alice: Page, user: string, name: string, button: 'Call' | 'Video call' = 'Call') {
  if ((await contactRow(alice, name).count()) === 0) await addContact(alice, `${user}@${DOMAIN}`, name);
  await contactRow(alice, name).click();
  await alice
    .getByRole('region', { name })
    .getByRole('group', { name: `Actions for ${name}` })
    .getByRole('button', { name: button, exact: true })
    .click();
}

describe('calls between two people', () => {
  test('alice calls bob, bob answers: audio flows both ways; mute, hold and resume; bob hangs up', async () => {
    const [alice, bob] = await Promise.all([signIn('alice'), signIn('bob')]);
    await addContact(alice, `bob@${DOMAIN}`, 'Bob');
    // Bob lets alice see his presence: she sees him Available, then In a call while they talk.
    await approvalsBar(bob).getByRole('button', { name: 'Accept and add' }).click();
    await contactRow(alice, 'Bob').filter({ hasText: 'Available' }).waitFor();
    await call(alice, 'bob', 'Bob');
    await callWith(alice, 'Bob').getByText('Ringing…').waitFor();
    const toast = incoming(bob);
    await toast.getByText(`alice@${DOMAIN}`).first().waitFor();
    // Bob's Parley rings (the sound from assets/ plays); it stops once he answers.
    const ringing = () =>
      bob.evaluate(() => Array.from(document.querySelectorAll('audio')).some((audio) => audio.src.includes('ring') && !audio.paused));
    await expect.poll(ringing).toBe(true);
    // The ringing call and the incoming call pass axe (every rule, 24 px targets), wide and narrow, light and dark.
    await clean(alice);
    await clean(bob);
    await toast.getByRole('button', { name: 'Answer', exact: true }).click();

    await callWith(alice, 'Bob').getByText('In a call').waitFor();
    await callWith(bob, `alice@${DOMAIN}`).getByText('In a call').waitFor();
    expect(await ringing()).toBe(false);
    await Promise.all([audioFlows(alice), audioFlows(bob)]);
    await callWith(alice, 'Bob').getByLabel('Call time').waitFor();
    // On loopback the connection is good; the numbers come with it.
    // (the round trip joins the line once the first RTCP report has come back — later under load)
    await callWith(alice, 'Bob')
      .getByText(/^Good connection, 0\.0% lost, jitter \d+ ms, round trip \d+ ms$/)
      .waitFor({ timeout: 15_000 });
    await clean(alice);
    await contactRow(alice, 'Bob').filter({ hasText: 'In a call' }).waitFor();

    const mute = callWith(alice, 'Bob').getByRole('button', { name: 'Mute' });
    await mute.click();
    await expect.poll(() => mute.getAttribute('aria-pressed')).toBe('true');

    // Hold: alice's offer says sendonly, bob answers recvonly; bob is told he is on hold.
    await callWith(alice, 'Bob').getByRole('button', { name: 'Hold' }).click();
    await callWith(bob, `alice@${DOMAIN}`).getByText('On hold').waitFor();
    await expect.poll(() => audioDirection(alice)).toBe('sendonly');
    await expect.poll(() => audioDirection(bob)).toBe('recvonly');
    await callWith(alice, 'Bob').getByRole('button', { name: 'Resume' }).click();
    await callWith(bob, `alice@${DOMAIN}`).getByText('In a call').waitFor();
    await expect.poll(() => audioDirection(alice)).toBe('sendrecv');
    await audioFlows(alice);

    await callWith(bob, `alice@${DOMAIN}`).getByRole('button', { name: 'Hang up' }).click();
    await callWith(alice, 'Bob').getByText('They hung up').waitFor();
    await callWith(bob, `alice@${DOMAIN}`).getByText('Call ended').waitFor();
    await contactRow(alice, 'Bob').filter({ hasText: 'Available' }).waitFor();
  });

  test('a video call answered with video: each side decodes frames and shows the other, and its own camera', async () => {
    const [erin, frank] = await Promise.all([signIn('erin'), signIn('frank')]);
    await call(erin, 'frank', 'Frank', 'Video call');
    await incoming(frank).getByText('Incoming video call').waitFor();
    await incoming(frank).getByRole('button', { name: 'Answer with video' }).click();
    await callWith(erin, 'Frank').getByText('In a call').waitFor();
    await callWith(frank, `erin@${DOMAIN}`).getByText('In a call').waitFor();
    for (const [page, other] of [
      [erin, 'Frank'],
      [frank, `erin@${DOMAIN}`],
    ] as const) {
      await expect.poll(() => videoFramesIn(page), { timeout: 15_000 }).toBeGreaterThan(10);
      await expect.poll(() => showsPicture(page, `Video from ${other}`), { timeout: 15_000 }).toBe(true);
      await expect.poll(() => showsPicture(page, 'Your camera'), { timeout: 15_000 }).toBe(true);
    }
    await callWith(erin, 'Frank').getByRole('button', { name: 'Hang up' }).click();
    await callWith(frank, `erin@${DOMAIN}`).getByText('They hung up').waitFor();
  });

  test('video on and off mid-call: each camera joins by re-INVITE and the other side sees it; off stops the camera', async () => {
    const [grace, heidi] = await Promise.all([signIn('grace'), signIn('heidi')]);
    await call(grace, 'heidi', 'Heidi');
    await incoming(heidi).getByRole('button', { name: 'Answer', exact: true }).click();
    const graceCall = callWith(grace, 'Heidi');
    const heidiCall = callWith(heidi, `grace@${DOMAIN}`);
    await graceCall.getByText('In a call').waitFor();
    const graceVideo = graceCall.getByRole('button', { name: 'Video', exact: true });
    const heidiVideo = heidiCall.getByRole('button', { name: 'Video', exact: true });
    expect(await graceVideo.getAttribute('aria-pressed')).toBe('false');
    expect(await camerasSending(grace)).toBe(0);

    await graceVideo.click();
    await expect.poll(() => graceVideo.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => showsPicture(grace, 'Your camera'), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => videoFramesIn(heidi), { timeout: 15_000 }).toBeGreaterThan(10);
    await expect.poll(() => showsPicture(heidi, `Video from grace@${DOMAIN}`), { timeout: 15_000 }).toBe(true);
    // Heidi's camera stays off until she turns it on.
    expect(await heidiVideo.getAttribute('aria-pressed')).toBe('false');
    expect(await camerasSending(heidi)).toBe(0);
    expect(await graceCall.getByLabel('Video from Heidi').count()).toBe(0);

    await heidiVideo.click();
    await expect.poll(() => showsPicture(grace, 'Video from Heidi'), { timeout: 15_000 }).toBe(true);
    await Promise.all([audioFlows(grace), audioFlows(heidi)]);

    // Off: Heidi no longer shows grace's video, grace's camera stops; she still sees Heidi and they still talk.
    await graceVideo.click();
    await expect.poll(() => graceVideo.getAttribute('aria-pressed')).toBe('false');
    await heidiCall.getByLabel(`Video from grace@${DOMAIN}`).waitFor({ state: 'detached' });
    await graceCall.getByLabel('Your camera').waitFor({ state: 'detached' });
    expect(await camerasSending(grace)).toBe(0);
    expect(await showsPicture(grace, 'Video from Heidi')).toBe(true);
    await Promise.all([audioFlows(grace), audioFlows(heidi)]);
    await graceCall.getByRole('button', { name: 'Hang up' }).click();
    await heidiCall.getByText('They hung up').waitFor();
  });

  test('devices: the microphone and camera chosen in Settings (checked with a preview and a level) are the ones calls use', async () => {
    const [ivan, judy] = await Promise.all([signIn('ivan'), signIn('judy')]);
    await ivan.getByRole('button', { name: 'My account' }).click();
    await ivan.getByRole('menuitem', { name: 'Settings' }).click();
    const microphone = ivan.getByRole('combobox', { name: 'Microphone' });
    const camera = ivan.getByRole('combobox', { name: 'Camera' });
    await ivan.getByRole('combobox', { name: 'Speaker' }).waitFor();
    // The check shows the camera and the microphone's level (Chromium's fake microphone beeps).
    await ivan.getByRole('button', { name: 'Check microphone and camera' }).click();
    await expect.poll(() => ivan.getByLabel('Camera preview').evaluate((v: HTMLVideoElement) => v.videoWidth > 0 && !v.paused)).toBe(true);
    await expect
      .poll(() => ivan.getByRole('meter', { name: 'Microphone level' }).evaluate((m: HTMLMeterElement) => m.value), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await violations(ivan)).toEqual([]);
    // With the check allowed, every device is listed by name (Chromium's fake devices: two
    // microphones, one camera); choose the last microphone and camera.
    const lastOption = async (select: typeof microphone, atLeast: number) => {
      await expect.poll(() => select.getByRole('option').count()).toBeGreaterThanOrEqual(atLeast + 1);
      return (await select.getByRole('option').allTextContents()).at(-1)!;
    };
    const chosenMic = await lastOption(microphone, 2);
    const chosenCamera = await lastOption(camera, 1);
    await microphone.selectOption({ label: chosenMic });
    await camera.selectOption({ label: chosenCamera });
    await ivan.getByRole('button', { name: 'Stop checking' }).click();
    await ivan.getByLabel('Camera preview').waitFor({ state: 'detached' });

    // Remembered: after a reload the choices are still there.
    await ivan.reload();
    await ivan.getByRole('button', { name: 'My account' }).click();
    await ivan.getByRole('menuitem', { name: 'Settings' }).click();
    await expect.poll(async () => await microphone.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toBe(chosenMic);
    await ivan.keyboard.press('Escape');

    // A video call sends from those devices.
    await call(ivan, 'judy', 'Judy', 'Video call');
    await incoming(judy).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(ivan, 'Judy').getByText('In a call').waitFor();
    const sending = () =>
      ivan.evaluate(() =>
        (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections
          .flatMap((pc) => pc.getSenders())
          .map((sender) => sender.track?.label)
          .filter(Boolean),
      );
    await expect.poll(sending).toEqual(expect.arrayContaining([chosenMic, chosenCamera]));
    // Another microphone chosen during the call: the call takes it at once, and Judy still hears Ivan.
    await ivan.getByRole('button', { name: 'My account' }).click();
    await ivan.getByRole('menuitem', { name: 'Settings' }).click();
    const otherMic = (await microphone.getByRole('option').allTextContents()).find(
      (label) => label !== chosenMic && label !== 'System default',
    )!;
    await microphone.selectOption({ label: otherMic });
    await expect.poll(sending).toEqual(expect.arrayContaining([otherMic, chosenCamera]));
    expect(await sending()).not.toContain(chosenMic);
    await audioFlows(judy);
    await callWith(ivan, 'Judy').getByRole('button', { name: 'Hang up' }).click();
  });

  test('a TURN server set on the account (with a bad address refused first, and a phone gateway beside it) gives the call relay candidates through coturn', async () => {
    const turn = await Coturn.start();
    try {
      const parley = await WebParley.launch();
      running.push(parley);
      const kate = await browser.newPage();
      await trackPeerConnections(kate);
      await kate.goto(parley.url);
      await fillSignIn(kate, 'kate', kamailio.wsUrl);
      await kate.getByText('More options').click();
      const servers = kate.getByRole('textbox', { name: 'STUN/TURN servers for calls' });
      await servers.fill('turn.example.com');
      const gateway = kate.getByRole('textbox', { name: 'Phone gateway' });
      await gateway.fill('sip:pstn.example.com');
      await kate.getByRole('button', { name: 'Sign in' }).click();
      await kate.getByText('turn.example.com is not a STUN or TURN address').waitFor();
      await kate.getByText('The phone gateway must be a domain or host name, like pstn.example.com.').waitFor();
      await gateway.fill('pstn.example.com');
      await servers.fill(turn.url);
      await kate.getByRole('button', { name: 'Sign in' }).click();
      await kate.getByText('Enter the TURN user name your administrator gave you.').waitFor();
      await kate.getByRole('textbox', { name: 'TURN user name' }).fill(Coturn.user);
      await kate.getByLabel('TURN password').fill(Coturn.password);
      await kate.getByRole('button', { name: 'Sign in' }).click();
      await kate.getByRole('button', { name: 'Status: Available' }).waitFor();

      const leo = await signIn('leo');
      await call(kate, 'leo', 'Leo');
      await incoming(leo).getByRole('button', { name: 'Answer', exact: true }).click();
      await callWith(kate, 'Leo').getByText('In a call').waitFor();
      await audioFlows(kate);
      const relayCandidates = () =>
        kate.evaluate(async () => {
          let relays = 0;
          for (const pc of (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections) {
            (await pc.getStats()).forEach((report: { type: string; candidateType?: string }) => {
              if (report.type === 'local-candidate' && report.candidateType === 'relay') relays++;
            });
          }
          return relays;
        });
      expect(await relayCandidates()).toBeGreaterThan(0);
      // coturn allocated for Parley's credential.
      expect(turn.output).toMatch(new RegExp(`user <${Coturn.user}>.*ALLOCATE processed, success`));
      await callWith(kate, 'Leo').getByRole('button', { name: 'Hang up' }).click();
    } finally {
      await turn.stop();
    }
  });

  test('Linphone with no media relay on the server: its plain RTP cannot meet WebRTC, and each way ends cleanly, said in words', async () => {
    const mia = await signIn('mia');
    const linphone = await Linphone.start({ user: 'linphone', password: 'linphone-pw', domain: DOMAIN, proxyPort: kamailio.sipPort });
    try {
      await expect.poll(() => kamailio.contacts('linphone'), { timeout: 15_000 }).toHaveLength(1);
      linphone.command('soundcard use files');
      linphone.command(`call sip:mia@${DOMAIN}`);
      // Linphone calls: refused at once (nothing rings that could never be answered), kept as a missed call with the reason.
      await linphone.waitFor(/Call 1 with sip:mia@uc\.test error/, 15_000);
      // Linphone is not in Mia's contacts: its missed call is said apart and left off the title's count.
      await mia.getByText(`Missed call from linphone@${DOMAIN}, who is not in your contacts.`).waitFor();
      expect(await mia.title()).toBe('Parley');
      expect(await incoming(mia).count()).toBe(0);
      await mia.getByRole('button', { name: 'Call history' }).click();
      await mia.getByText(/^Missed: their phone's media is not encrypted for the web.*needs a media relay/).waitFor();
      await mia.keyboard.press('Escape');

      // Mia calls Linphone, which answers in plain RTP: the call ends saying why, and Linphone is told.
      linphone.command('autoanswer enable');
      await mia.getByRole('button', { name: 'Keypad' }).click();
      await mia.getByRole('textbox', { name: 'Number or address' }).fill(`linphone@${DOMAIN}`);
      await mia.getByRole('textbox', { name: 'Number or address' }).press('Enter');
      await callWith(mia, `linphone@${DOMAIN}`)
        .getByText(/^The call could not connect: their phone's media is not encrypted for the web/)
        .waitFor();
      await linphone.waitFor(/Call 2 with sip:mia@uc\.test ended/, 10_000);
    } finally {
      await linphone.stop();
    }
  });

  test('the other side vanishes without hanging up (their window died): Reconnecting…, then the call ends as lost and the BYE goes out', async () => {
    const [nina, omar] = await Promise.all([signIn('nina'), signIn('omar')]);
    await call(nina, 'omar', 'Omar');
    await incoming(omar).getByRole('button', { name: 'Answer', exact: true }).click();
    const ninaCall = callWith(nina, 'Omar');
    await ninaCall.getByText('In a call').waitFor();
    await audioFlows(nina);
    // Omar's page holds the media; it goes away, his Parley (and the SIP dialog) stays.
    await omar.close();
    await ninaCall.getByText('Reconnecting…').waitFor({ timeout: 20_000 });
    await ninaCall.getByText('Call lost: the connection to them dropped').waitFor({ timeout: 30_000 });
    // Omar's Parley was told (BYE): a fresh window of his shows no call under way.
    const omarAgain = await browser.newPage();
    await omarAgain.goto(dataDirs.get('omar')!.url);
    await omarAgain.getByRole('button', { name: 'Status: Available' }).waitFor();
    expect(
      await omarAgain
        .getByRole('region', { name: /^Call with / })
        .getByRole('button', { name: 'Hang up' })
        .count(),
    ).toBe(0);
  }, 90_000);

  test("the desktop app's call window (its page, here in Chromium): it rings, answers and holds the call", async () => {
    const [pia, quinn] = await Promise.all([signIn('pia'), signIn('quinn', undefined, trackCalls)]);
    await call(pia, 'quinn', 'Quinn');
    await incoming(quinn).waitFor();
    const ringing = (await knownCalls(quinn)).find((c) => c.state === 'incoming')!;
    // What the shell opens for it: the same page with ?call=<id>.
    const url = new URL(dataDirs.get('quinn')!.url);
    url.search = `?call=${ringing.id}`;
    const callWindow = await browser.newPage({ viewport: { width: 400, height: 240 } });
    await trackPeerConnections(callWindow);
    await callWindow.goto(url.toString());
    const toast = incoming(callWindow);
    await toast.getByText(`pia@${DOMAIN}`).first().waitFor();
    await expect.poll(() => callWindow.title()).toBe(`Incoming call: pia@${DOMAIN} — Parley`);
    // It rings; the main window shows the call too, but quietly (one ring tone, from the call window).
    const rings = (page: Page) =>
      page.evaluate(() => Array.from(document.querySelectorAll('audio')).some((a) => a.src.includes('ring') && !a.paused));
    await expect.poll(() => rings(callWindow), { timeout: 15_000 }).toBe(true);
    expect(await violations(callWindow)).toEqual([]);
    // In web mode the main page rings itself (there is no call window there).
    expect(await rings(quinn)).toBe(true);
    await toast.getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(callWindow, `pia@${DOMAIN}`).getByText('In a call').waitFor();
    await audioFlows(callWindow);
    // The main window shows the call too, without the microphone and camera it does not hold.
    const elsewhere = callWith(quinn, `pia@${DOMAIN}`);
    await elsewhere.getByRole('button', { name: 'Hang up' }).waitFor();
    expect(await elsewhere.getByRole('button', { name: 'Mute' }).count()).toBe(0);
    expect(await callWith(callWindow, `pia@${DOMAIN}`).getByRole('button', { name: 'Mute' }).count()).toBe(1);
    await callWith(callWindow, `pia@${DOMAIN}`).getByRole('button', { name: 'Hang up' }).click();
    await callWith(pia, 'Quinn').getByText('They hung up').waitFor();
  });

  test('declined, cancelled, and busy in Do not disturb: each said in words', async () => {
    const [carol, dave] = await Promise.all([signIn('carol'), signIn('dave')]);
    // Declined.
    await call(carol, 'dave', 'Dave');
    await incoming(dave).getByRole('button', { name: 'Decline' }).click();
    await callWith(carol, 'Dave').getByText('Declined').waitFor();
    await incoming(dave).waitFor({ state: 'detached' });

    // Cancelled while ringing: dave's toast goes, and he sees he missed it. (Close puts an ended
    // call away; a new call would too.)
    await callWith(carol, 'Dave').getByRole('button', { name: 'Close' }).click();
    await callWith(carol, 'Dave').waitFor({ state: 'detached' });
    await carol.getByRole('region', { name: 'Dave' }).getByRole('button', { name: 'Call', exact: true }).click();
    await incoming(dave).waitFor();
    await callWith(carol, 'Dave').getByRole('button', { name: 'Cancel' }).click();
    await callWith(carol, 'Dave').getByText('Cancelled').waitFor();
    await incoming(dave).waitFor({ state: 'detached' });
    await callWith(dave, `carol@${DOMAIN}`).getByText('Missed call').waitFor();

    // Do not disturb: the call is refused as busy, and nothing rings.
    await dave.getByRole('button', { name: /^Status: / }).click();
    await dave.getByRole('menu', { name: 'Status' }).getByRole('menuitemradio', { name: 'Do not disturb' }).click();
    await dave.getByRole('button', { name: 'Status: Do not disturb' }).waitFor();
    await carol.getByRole('region', { name: 'Dave' }).getByRole('button', { name: 'Call', exact: true }).click();
    await callWith(carol, 'Dave').getByText('Busy').waitFor();
    expect(await incoming(dave).count()).toBe(0);
  });

  test('the keypad calls an address or a number; a national number needs a country (said how), then shows its way; a tel: link opens it filled', async () => {
    const [alice, bob] = await Promise.all([signIn('alice'), signIn('bob')]);
    const keypad = alice.getByRole('region', { name: 'Keypad' });
    const box = keypad.getByRole('textbox', { name: 'Number or address' });
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    await box.fill(`bob@${DOMAIN}`);
    await box.press('Enter');
    await incoming(bob).getByRole('button', { name: 'Decline' }).click();
    await callWith(alice, `bob@${DOMAIN}`).getByText('Declined').waitFor();
    await callWith(alice, `bob@${DOMAIN}`).getByRole('button', { name: 'Close' }).click();

    // A national number without a country: refused on the field, saying what to do; the text stays.
    await alice.getByRole('button', { name: 'Keypad' }).click();
    for (const key of ['4', '1', '5', '5', '5', '5', '2', '6', '7', '1'])
      await keypad.getByRole('button', { name: key, exact: true }).click();
    expect(await box.inputValue()).toBe('4155552671');
    await keypad.getByRole('button', { name: 'Call', exact: true }).click();
    await keypad
      .getByRole('alert')
      .filter({ hasText: /choose your country in Settings/ })
      .waitFor();
    expect(await box.inputValue()).toBe('4155552671');

    await alice.getByRole('button', { name: 'My account' }).click();
    await alice.getByRole('menuitem', { name: 'Settings' }).click();
    await alice.getByRole('combobox', { name: 'Country for phone numbers' }).selectOption('US');
    await alice.getByRole('button', { name: 'Keypad' }).click();
    await box.fill('(415) 555-2671');
    await keypad.getByRole('button', { name: 'Call', exact: true }).click();
    // Through the server (nobody there has that number here): shown the national way.
    await callWith(alice, '(415) 555-2671').getByText('No such person or number').waitFor();
    await callWith(alice, '(415) 555-2671').getByRole('button', { name: 'Close' }).click();

    // A tel: link in a message opens the keypad with the number.
    await addContact(bob, `alice@${DOMAIN}`, 'Alice');
    await contactRow(bob, 'Alice').dblclick();
    await bob.getByRole('textbox', { name: 'Message' }).fill('my desk is tel:+14155552671');
    await bob.getByRole('textbox', { name: 'Message' }).press('Enter');
    await bob.getByRole('log', { name: 'Messages' }).getByRole('button', { name: 'tel:+14155552671' }).click();
    await expect(
      bob.getByRole('region', { name: 'Keypad' }).getByRole('textbox', { name: 'Number or address' }).inputValue(),
    ).resolves.toBe('+14155552671');
  });

  test('a missed call counts on the title and the contact until seen; the history lists it after a restart and calls back', async () => {
    const [alice, bob] = await Promise.all([signIn('alice'), signIn('bob')]);
    await addContact(bob, `alice@${DOMAIN}`, 'Alice');
    await call(alice, 'bob', 'Bob');
    await incoming(bob).waitFor();
    await callWith(alice, 'Bob').getByRole('button', { name: 'Cancel' }).click();
    await incoming(bob).waitFor({ state: 'detached' });
    await expect.poll(() => bob.title()).toBe('(1) Parley');
    await contactTree(bob)
      .getByRole('treeitem', { name: /^Alice , 1 missed call,/ })
      .waitFor();
    await bob.getByRole('status').filter({ hasText: 'Missed call from Alice.' }).waitFor();

    // Bob's Parley restarts: the missed call is still there, still unseen.
    const first = dataDirs.get('bob')!;
    await first.stop();
    const again = await signIn('bob', first.dataDir);
    await expect.poll(() => again.title()).toBe('(1) Parley');
    await again.getByRole('status').getByRole('button', { name: 'Call history' }).click();
    const calls = again.getByRole('list', { name: 'Calls' });
    await calls.getByRole('listitem').filter({ hasText: 'Alice' }).filter({ hasText: 'Missed call' }).waitFor();
    // Seen: the counts go.
    await expect.poll(() => again.title()).toBe('Parley');
    await contactTree(again)
      .getByRole('treeitem', { name: /^Alice , Available/ })
      .waitFor();
    await calls.getByRole('button', { name: 'Call Alice back' }).click();
    await callWith(alice, `bob@${DOMAIN}`)
      .waitFor({ state: 'detached' })
      .catch(() => undefined);
    await incoming(alice).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(again, 'Alice').getByText('In a call').waitFor();
    await callWith(again, 'Alice').getByRole('button', { name: 'Hang up' }).click();
    // The answered call joins the history at the top.
    await calls
      .getByRole('listitem')
      .first()
      .filter({ hasText: /Outgoing call, 0:0\d/ })
      .waitFor();
  });

  test('call waiting: a second call rings during a call; Answer puts the first on hold and takes the second; Resume swaps back', async () => {
    const [alice, bob, carol] = await Promise.all([signIn('alice'), signIn('bob'), signIn('carol')]);
    await call(alice, 'bob', 'Bob');
    await incoming(bob).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(alice, 'Bob').getByText('In a call').waitFor();

    await call(carol, 'alice', 'Alice');
    const waiting = incoming(alice);
    await waiting.getByText(`carol@${DOMAIN}`).first().waitFor();
    await waiting.getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(alice, 'Bob').getByText('You put the call on hold').waitFor();
    await callWith(bob, `alice@${DOMAIN}`).getByText('On hold').waitFor();
    await callWith(alice, `carol@${DOMAIN}`).getByText('In a call').waitFor();
    await callWith(carol, 'Alice').getByText('In a call').waitFor();
    await audioFlows(carol);

    // Back to Bob: Carol goes on hold.
    await callWith(alice, 'Bob').getByRole('button', { name: 'Resume' }).click();
    await callWith(carol, 'Alice').getByText('On hold').waitFor();
    await callWith(bob, `alice@${DOMAIN}`).getByText('In a call').waitFor();
    await audioFlows(bob);
  });

  test('a microphone the person refused: the call does not start, and the page says what to do', async () => {
    // Dave is signed in: an INVITE to him would be relayed (and logged as such) by the server.
    const [alice, dave] = await Promise.all([signIn('alice'), signIn('dave')]);
    await alice.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const relayed = () => kamailio.output.match(/relay INVITE /g)?.length ?? 0;
    const before = relayed();
    await call(alice, 'dave', 'Dave');
    await callWith(alice, 'Dave')
      .getByText(/isn't allowed to use your microphone or camera/)
      .waitFor();
    // No INVITE left, and nothing rang at Dave's.
    expect(relayed()).toBe(before);
    expect(await incoming(dave).count()).toBe(0);
  });

  test('blind transfer: alice hands bob over to carol; bob calls carol, alice is out of it', async () => {
    const [alice, bob, carol] = await Promise.all([signIn('alice'), signIn('bob'), signIn('carol')]);
    await call(alice, 'bob', 'Bob');
    await incoming(bob).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(alice, 'Bob').getByText('In a call').waitFor();
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer' }).click();
    await callWith(alice, 'Bob').getByRole('textbox', { name: 'Transfer to' }).fill(`carol@${DOMAIN}`);
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer call' }).click();
    await callWith(alice, 'Bob').getByText(`Transferring to carol@${DOMAIN}…`).waitFor();
    // Bob is asked first; nothing rings at Carol's until he says Call.
    const asked = bob.getByRole('group', { name: /^Transfer request from / });
    await asked.getByText(`wants to transfer you to carol@${DOMAIN}`).waitFor();
    expect(await incoming(carol).count()).toBe(0);
    await asked.getByRole('button', { name: 'Call' }).click();
    await incoming(carol).getByText(`bob@${DOMAIN}`).first().waitFor();
    await incoming(carol).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(alice, 'Bob').getByText('Transferred').waitFor();
    await callWith(bob, `carol@${DOMAIN}`).getByText('In a call').waitFor();
    await audioFlows(carol);
    await audioFlows(bob);
  });

  test('a transfer the other side declines: alice is told why, stays in the call, and can dismiss the words', async () => {
    const [alice, bob] = await Promise.all([signIn('alice'), signIn('bob')]);
    await call(alice, 'bob', 'Bob');
    await incoming(bob).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(alice, 'Bob').getByText('In a call').waitFor();
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer' }).click();
    await callWith(alice, 'Bob').getByRole('textbox', { name: 'Transfer to' }).fill(`carol@${DOMAIN}`);
    await callWith(alice, 'Bob').getByRole('button', { name: 'Transfer call' }).click();
    await bob
      .getByRole('group', { name: /^Transfer request from / })
      .getByRole('button', { name: 'Decline' })
      .click();
    const told = callWith(alice, 'Bob').getByRole('status').filter({ hasText: 'The transfer did not go through: Declined.' });
    await told.waitFor();
    await told.getByRole('button', { name: 'Dismiss' }).click();
    await told.waitFor({ state: 'detached' });
    await callWith(alice, 'Bob').getByText('In a call').waitFor();
  });

  test('a transfer that would make a third call is refused: alice is talking to bob while carol rings', async () => {
    const [alice, bob, carol] = await Promise.all([signIn('alice'), signIn('bob'), signIn('carol')]);
    await call(bob, 'alice', 'Alice');
    await incoming(alice).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(bob, 'Alice').getByText('In a call').waitFor();
    await call(carol, 'alice', 'Alice');
    await incoming(alice).waitFor();
    await callWith(bob, 'Alice').getByRole('button', { name: 'Transfer' }).click();
    await callWith(bob, 'Alice').getByRole('textbox', { name: 'Transfer to' }).fill(`dave@${DOMAIN}`);
    await callWith(bob, 'Alice').getByRole('button', { name: 'Transfer call' }).click();
    await bob.getByRole('alert').filter({ hasText: 'The transfer was refused: Declined.' }).waitFor();
    await callWith(bob, 'Alice').getByText('In a call').waitFor();
  });
});
