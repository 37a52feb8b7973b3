import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { endTest, launchChromium } from './browser.js';
import { DOMAIN, Kamailio } from './kamailio.js';
import { WebParley } from './web-mode.js';
import { violations } from './axe.js';
import { audioPacketsIn, trackPeerConnections } from './webrtc.js';
import { addContact, contactRow, signInAs } from './parley-page.js';

/** Everyone the files' tests sign in as, each file on its own server (password `<user>-pw`). */
const USERS = [
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
];

/**
 * What the call e2e files share: a Kamailio with USERS and a Chromium with
 * fake microphone and camera, started and stopped around the file, and the helpers their tests use.
 * Two files, so that the two test workers share the calls between them.
 */
export function useCallRig() {
  const rig = {
    kamailio: undefined as unknown as Kamailio,
    browser: undefined as unknown as Browser,
    running: [] as WebParley[],
    /** Each user's web-mode Parley (to open its page again, or start again on its data). */
    dataDirs: new Map<string, WebParley>(),
  };
  beforeAll(async () => {
    [rig.kamailio, rig.browser] = await Promise.all([
      Kamailio.launch({ users: Object.fromEntries(USERS.map((u) => [u, `${u}-pw`])), presRules: true }),
      launchChromium({ media: true, autoplay: true }),
    ]);
  });
  afterAll(async () => {
    await rig.browser?.close();
    await rig.kamailio?.dispose();
  });
  afterEach((context) => endTest(context, rig.browser, rig.running, { kamailio: () => rig.kamailio.output }));

  /**
   * Signs `user` in, in a page that keeps a list of its RTCPeerConnections (to read their statistics).
   * With `dataDir`, starts again on that data (remembered account: no form).
   */
  async function signIn(user: string, dataDir?: string, prepare?: (page: Page) => Promise<void>): Promise<Page> {
    const parley = await WebParley.launch(dataDir ? { dataDir } : {});
    rig.running.push(parley);
    rig.dataDirs.set(user, parley);
    const page = await rig.browser.newPage();
    await trackPeerConnections(page);
    await prepare?.(page);
    await page.goto(parley.url);
    if (dataDir) await page.getByRole('button', { name: 'Status: Available' }).waitFor();
    else await signInAs(page, user, rig.kamailio.wsUrl, { remember: true });
    return page;
  }

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

  /** `caller` calls `user` (their card named `name`), `callee` answers, and the caller sees them in a call. */
  async function talking(caller: Page, callee: Page, user: string, name: string) {
    await call(caller, user, name);
    await incoming(callee).getByRole('button', { name: 'Answer', exact: true }).click();
    await callWith(caller, name).getByText('In a call').waitFor();
  }

  return { rig, signIn, showsPicture, audioFlows, clean, callWith, incoming, call, talking };
}
