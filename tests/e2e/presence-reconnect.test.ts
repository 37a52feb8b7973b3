import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { endTest, launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';
import { addContact, approvalsBar, contactRow, signInAs } from '../support/parley-page.js';

// The server goes away and comes back: this file has its own Kamailio, so that restarting it never
// touches another test's server.
let kamailio: Kamailio;
let browser: Browser;
const running: WebParley[] = [];

beforeAll(async () => {
  const users = { gina: 'gina-pw', hank: 'hank-pw' };
  [kamailio, browser] = await Promise.all([Kamailio.launch({ users, presRules: true }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
});
afterEach((context) => endTest(context, browser, running));

async function signIn(user: string): Promise<{ page: Page }> {
  const parley = await WebParley.launch();
  running.push(parley);
  const page = await browser.newPage();
  await page.goto(parley.url);
  await signInAs(page, user, kamailio.wsUrl);
  return { page };
}

test('while Parley is reconnecting, contacts show presence unknown (not their last green dot), and back again after', async () => {
  const gina = await signIn('gina');
  const hank = await signIn('hank');
  await addContact(gina.page, `hank@${DOMAIN}`, 'Hank');
  await approvalsBar(hank.page).getByRole('button', { name: 'Accept and add' }).click();
  await contactRow(gina.page, 'Hank').filter({ hasText: 'Available' }).waitFor();
  await kamailio.stop();
  try {
    await contactRow(gina.page, 'Hank').filter({ hasText: 'Presence unknown' }).waitFor();
    expect(await contactRow(gina.page, 'Hank').textContent()).not.toContain('Available');
    await gina.page.getByText('Not connected: a status or note you set now is shared as soon as Parley is back.').waitFor();
    // My own status says so too, not a green Available; it comes back with the connection.
    await gina.page.getByRole('button', { name: 'Status: Not connected', exact: true }).waitFor();
  } finally {
    await kamailio.start();
  }
  // Back without waiting out the backoff: both press "Try now", as a person would.
  for (const page of [gina.page, hank.page]) {
    const tryNow = page.getByRole('alert').getByRole('button', { name: 'Try now' });
    // It may have reconnected by itself meanwhile (the button then goes while being clicked).
    if (await tryNow.isVisible()) await tryNow.click({ timeout: 2_000 }).catch(() => undefined);
  }
  await contactRow(gina.page, 'Hank').filter({ hasText: 'Available' }).waitFor({ timeout: 40_000 });
  await gina.page.getByRole('button', { name: 'Status: Available', exact: true }).waitFor();
});
