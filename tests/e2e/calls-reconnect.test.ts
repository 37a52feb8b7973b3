import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { endTest, launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import type { WebParley } from '../support/web-mode.js';
import { addContact, contactRow, signedInCallPage } from '../support/parley-page.js';
import { audioPacketsIn } from '../support/webrtc.js';

// The network drops in the middle of a call: this file has its own Kamailio, so that stopping it
// never touches another test's server.
let kamailio: Kamailio;
let browser: Browser;
const running: WebParley[] = [];

beforeAll(async () => {
  const users = { mona: 'mona-pw', ned: 'ned-pw' };
  [kamailio, browser] = await Promise.all([Kamailio.launch({ users }), launchChromium({ media: true })]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
});
afterEach((context) => endTest(context, browser, running, { kamailio: () => kamailio.output }));

const signIn = (user: string): Promise<Page> => signedInCallPage(browser, running, user, kamailio.wsUrl);

/** The ICE user fragment of the page's newest connection (it changes with an ICE restart). */
const iceUfrag = (page: Page) =>
  page.evaluate(() => {
    const list = (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections;
    return /a=ice-ufrag:(\S+)/.exec(list.at(-1)?.localDescription?.sdp ?? '')?.[1] ?? '';
  });

async function audioFlows(page: Page): Promise<void> {
  const before = await audioPacketsIn(page);
  await expect.poll(() => audioPacketsIn(page), { timeout: 15_000 }).toBeGreaterThan(before + 10);
}

test('the server connection drops mid-call: the call says Reconnecting…, survives, restarts ICE when back, and still hangs up', async () => {
  const [mona, ned] = await Promise.all([signIn('mona'), signIn('ned')]);
  await addContact(mona, `ned@${DOMAIN}`, 'Ned');
  await contactRow(mona, 'Ned').click();
  await mona
    .getByRole('region', { name: 'Ned' })
    .getByRole('group', { name: 'Actions for Ned' })
    .getByRole('button', { name: 'Call', exact: true })
    .click();
  await ned
    .getByRole('region', { name: /^Incoming call from / })
    .getByRole('button', { name: 'Answer', exact: true })
    .click();
  const monaCall = mona.getByRole('region', { name: 'Call with Ned' });
  const nedCall = ned.getByRole('region', { name: `Call with mona@${DOMAIN}` });
  await monaCall.getByText('In a call').waitFor();
  await audioFlows(mona);
  const ufrag = await iceUfrag(mona);

  await kamailio.stop();
  try {
    await monaCall.getByText('Reconnecting…').waitFor();
    await nedCall.getByText('Reconnecting…').waitFor();
    // The media did not go through the server: the people still hear each other meanwhile.
    await audioFlows(mona);
  } finally {
    await kamailio.start();
  }
  for (const page of [mona, ned]) {
    const tryNow = page.getByRole('alert').getByRole('button', { name: 'Try now' });
    // It may have reconnected by itself meanwhile (the button then goes while being clicked).
    if (await tryNow.isVisible()) await tryNow.click({ timeout: 2_000 }).catch(() => undefined);
  }
  await monaCall.getByText('In a call').waitFor({ timeout: 40_000 });
  await nedCall.getByText('In a call').waitFor({ timeout: 40_000 });
  // An ICE restart happened (new credentials), and the call carries audio after it.
  expect(await iceUfrag(mona)).not.toBe(ufrag);
  await audioFlows(mona);
  await audioFlows(ned);
  // Ned's BYE reaches mona over her new connection (her re-INVITE told him where she is now).
  await nedCall.getByRole('button', { name: 'Hang up' }).click();
  await monaCall.getByText('They hung up').waitFor();
});
