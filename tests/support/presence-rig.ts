import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { endTest, launchChromium } from './browser.js';
import { Kamailio } from './kamailio.js';
import { WebParley } from './web-mode.js';
import { approvalsBar, contactTree, signInAs } from './parley-page.js';

/** Everyone the files' tests sign in as, each file on its own server (password `<user>-pw`). */
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivan', 'judy', 'kate', 'liam', 'mia', 'noah'];

/**
 * What the presence e2e files share: a Kamailio with presence authorisation and USERS, and a
 * Chromium, started and stopped around the file, and the helpers their tests use.
 * Two files, so that the two test workers share them.
 */
export function usePresenceRig() {
  const rig = {
    kamailio: undefined as unknown as Kamailio,
    browser: undefined as unknown as Browser,
    running: [] as WebParley[],
  };
  beforeAll(async () => {
    [rig.kamailio, rig.browser] = await Promise.all([
      Kamailio.launch({ users: Object.fromEntries(USERS.map((u) => [u, `${u}-pw`])), presRules: true }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await rig.browser?.close();
    await rig.kamailio?.dispose();
  });
  afterEach((context) => endTest(context, rig.browser, rig.running));

  async function signIn(
    user: string,
    dataDir?: string,
    pageFor: () => Promise<Page> = () => rig.browser.newPage(),
  ): Promise<{ page: Page; parley: WebParley }> {
    const parley = await WebParley.launch(dataDir ? { dataDir } : {});
    rig.running.push(parley);
    const page = await pageFor();
    await page.goto(parley.url);
    if (!dataDir) await signInAs(page, user, rig.kamailio.wsUrl, { remember: true });
    else await page.getByRole('button', { name: 'Status: Available' }).waitFor();
    return { page, parley };
  }

  const contacts = contactTree;
  /** What a screen reader would read of the focused element (its text without the hidden decorations). */
  const focusedText = (page: Page) =>
    page.evaluate(() => {
      const focused = document.activeElement;
      if (!focused || focused === document.body) return 'BODY';
      const copy = focused.cloneNode(true) as HTMLElement;
      copy.querySelectorAll('[aria-hidden="true"]').forEach((hidden) => hidden.remove());
      return copy.getAttribute('aria-label') ?? copy.textContent!.replace(/\s+/g, ' ').replace(/ ,/g, ',').trim();
    });
  const groupItem = (page: Page, name: string) =>
    contacts(page).getByRole('treeitem', { name: new RegExp(`^${name}\\s*, \\d+ of \\d+ online$`) });
  const request = (page: Page, name: string) => page.getByRole('list', { name: 'Approval requests' }).getByRole('listitem', { name });

  /** Waits for a request to show in the bar above the list, then opens the full list with Review. */
  async function review(page: Page) {
    await approvalsBar(page)
      .getByRole('button', { name: /^Review/ })
      .click();
    await page.getByRole('heading', { name: /^Approval requests/ }).waitFor();
  }

  /** Chooses a status from the one status menu in the header. */
  async function setStatus(page: Page, label: string) {
    await page.getByRole('button', { name: /^Status: / }).click();
    await page.getByRole('menu', { name: 'Status' }).getByRole('menuitemradio', { name: label }).click();
    await page.getByRole('button', { name: `Status: ${label}` }).waitFor();
  }

  /** Opens Settings from the me menu. */
  async function openSettings(page: Page) {
    await page.getByRole('button', { name: 'My account' }).click();
    await page.getByRole('menuitem', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
  }

  return { rig, signIn, contacts, focusedText, groupItem, request, review, setStatus, openSettings };
}
