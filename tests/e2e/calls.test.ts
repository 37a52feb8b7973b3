import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { DOMAIN } from '../support/kamailio.js';
import { useCallRig } from '../support/call-rig.js';
import { violations } from '../support/axe.js';
import { WebParley } from '../support/web-mode.js';
import { audioDirection, camerasSending, knownCalls, trackCalls, trackPeerConnections, videoFramesIn } from '../support/webrtc.js';
import { addContact, approvalsBar, contactRow, fillSignIn } from '../support/parley-page.js';
import { Coturn } from '../support/coturn.js';
import { Linphone } from '../support/linphone.js';

// Two people calling each other from two web-mode Parleys in Chromium (fake microphone and camera),
// through a real Kamailio: SIP in each engine, WebRTC in each page. (More in calls-features.test.ts.)
const { rig, signIn, showsPicture, audioFlows, clean, callWith, incoming, call } = useCallRig();

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
      rig.running.push(parley);
      const kate = await rig.browser.newPage();
      await trackPeerConnections(kate);
      await kate.goto(parley.url);
      await fillSignIn(kate, 'kate', rig.kamailio.wsUrl);
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
    const linphone = await Linphone.start({ user: 'linphone', password: 'linphone-pw', domain: DOMAIN, proxyPort: rig.kamailio.sipPort });
    try {
      await expect.poll(() => rig.kamailio.contacts('linphone'), { timeout: 15_000 }).toHaveLength(1);
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
    const omarAgain = await rig.browser.newPage();
    await omarAgain.goto(rig.dataDirs.get('omar')!.url);
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
    const url = new URL(rig.dataDirs.get('quinn')!.url);
    url.search = `?call=${ringing.id}`;
    const callWindow = await rig.browser.newPage({ viewport: { width: 400, height: 240 } });
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
});
