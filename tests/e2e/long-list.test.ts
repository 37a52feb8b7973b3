import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { endTest, launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { addContact, approvalsBar, contactRow, signInAs } from '../support/parley-page.js';
import { seedContacts } from '../support/seed.js';
import { WebParley } from '../support/web-mode.js';

// A long list: 300 contacts' subscriptions keep the (single-worker) test server busy for a while,
// so this file has its own Kamailio and never slows another test's sign-in.
let kamailio: Kamailio;
let browser: Browser;
const running: WebParley[] = [];

beforeAll(async () => {
  [kamailio, browser] = await Promise.all([
    Kamailio.launch({ users: { frank: 'frank-pw', gina: 'gina-pw' }, presRules: true }),
    launchChromium(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
});
afterEach((context) => endTest(context, browser, running));

async function signIn(user: string, dataDir?: string, pageFor: () => Promise<Page> = () => browser.newPage()): Promise<{ page: Page }> {
  const parley = await WebParley.launch(dataDir ? { dataDir } : {});
  running.push(parley);
  const page = await pageFor();
  await page.goto(parley.url);
  if (!dataDir) await signInAs(page, user, kamailio.wsUrl);
  else await page.getByRole('button', { name: 'Status: Available' }).waitFor();
  return { page };
}

test('with 300 contacts, a waiting request is on the first screen at 360 px: Accept in one step', async () => {
  const dataDir = await seedContacts(kamailio, 'gina', 300);

  // Frank first: gina's 300 subscriptions keep the (single-worker) test server busy for a while.
  const frank = await signIn('frank');
  const page = await browser.newPage({ viewport: { width: 360, height: 720 } });
  const { page: gina } = await signIn('gina', dataDir, async () => page);
  await addContact(frank.page, `gina@${DOMAIN}`);
  const accept = approvalsBar(gina).getByRole('button', { name: 'Accept and add' });
  await accept.waitFor({ timeout: 90_000 });
  // On the first screen, without scrolling: above the list, not 300 contacts below it.
  const box = await accept.boundingBox();
  expect(box!.y + box!.height).toBeLessThanOrEqual(720);
  await accept.click();
  await contactRow(frank.page, `gina@${DOMAIN}`).filter({ hasText: 'Available' }).waitFor({ timeout: 90_000 });
  // The bar is gone with the request; the focus went to the list, not to the page.
  await approvalsBar(gina).waitFor({ state: 'detached' });
  await expect.poll(() => gina.evaluate(() => document.activeElement?.closest('[role="tree"]') !== null)).toBe(true);
}, 240_000);
