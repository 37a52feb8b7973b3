import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { seedContacts } from '../support/seed.js';
import { WebParley } from '../support/web-mode.js';
import { addContact, contactRow, signInAs } from '../support/parley-page.js';
import { violations } from '../support/axe.js';

// Every screen, checked by axe-core as it renders in Chromium — light and dark, wide and narrow —
// with a 300-contact list, a waiting request, a card, the approval requests, Settings and the menus.

let kamailio: Kamailio;
let browser: Browser;
let alice: WebParley;
let fresh: WebParley;

beforeAll(async () => {
  [kamailio, browser] = await Promise.all([
    Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw' }, presRules: true }),
    launchChromium(),
  ]);
  const dataDir = await seedContacts(kamailio, 'alice', 300, { groups: ['Team', 'Partners at a long-named company'] });
  [alice, fresh] = await Promise.all([WebParley.launch({ dataDir }), WebParley.launch()]);
  // Bob asks to see alice: a request waits.
  const bob = await browser.newPage();
  const bobParley = await WebParley.launch();
  try {
    await bob.goto(bobParley.url);
    await signInAs(bob, 'bob', kamailio.wsUrl);
    await addContact(bob, `alice@${DOMAIN}`);
    await contactRow(bob, `alice@${DOMAIN}`).waitFor();
  } finally {
    await bob.close();
    await bobParley.dispose();
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await alice?.dispose();
  await fresh?.dispose();
  await kamailio?.dispose();
});

describe('axe-core finds nothing on any screen', () => {
  for (const [width, height] of [
    [1280, 800],
    [360, 720],
  ] as const) {
    for (const scheme of ['light', 'dark'] as const) {
      test(`${width}×${height}, ${scheme}: sign-in, buddy list of 300, card, menus, approval requests, settings`, async () => {
        const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
        try {
          const found: Record<string, string[]> = {};
          await page.goto(fresh.url);
          await page.getByRole('button', { name: 'Sign in' }).waitFor();
          found['sign-in'] = await violations(page);
          // A failed sign-in: errors on the fields.
          await page.getByRole('button', { name: 'Sign in' }).click();
          await page.getByLabel('SIP address').and(page.locator('[aria-invalid="true"]')).waitFor();
          found['sign-in with errors'] = await violations(page);

          await page.goto(alice.url);
          const tree = page.getByRole('tree', { name: 'Contacts' });
          await tree.getByRole('treeitem', { name: /^Person 0000/ }).waitFor();
          await page.getByRole('region', { name: 'Waiting for your approval' }).waitFor();
          found['list'] = await violations(page);

          await page.getByRole('button', { name: /^Status: / }).click();
          await page.getByRole('menu', { name: 'Status' }).waitFor();
          found['status menu'] = await violations(page);
          await page.keyboard.press('Escape');

          await tree.getByRole('treeitem', { name: /^Person 0000/ }).click({ button: 'right' });
          await page.getByRole('menu', { name: 'Actions for Person 0000' }).waitFor();
          found['contact menu'] = await violations(page);
          await page.keyboard.press('Escape');

          // A wide window opens the card on a click; a narrow one opens the conversation (its
          // header leads to the card).
          await tree.getByRole('treeitem', { name: /^Person 0000/ }).click();
          if (width < 760) await page.getByRole('button', { name: 'Contact card' }).click();
          const card = page.getByRole('region', { name: 'Person 0000' });
          // A wide window keeps the list beside the card; a narrow one shows the card instead.
          expect(await tree.isVisible()).toBe(width > 760);
          await card.getByRole('button', { name: 'Remove' }).click();
          await card.getByRole('alertdialog').waitFor();
          found['card with a question'] = await violations(page);
          await page.keyboard.press('Escape');
          await page.keyboard.press('Escape');

          await page
            .getByRole('region', { name: 'Waiting for your approval' })
            .getByRole('button', { name: /^Review/ })
            .click();
          await page.getByRole('heading', { name: /^Approval requests/ }).waitFor();
          found['approval requests'] = await violations(page);
          await page.keyboard.press('Escape');

          await page.getByRole('button', { name: 'My account' }).click();
          await page.getByRole('menuitem', { name: 'Settings' }).click();
          await page.getByRole('heading', { name: 'Settings' }).waitFor();
          found['settings'] = await violations(page);

          await page.getByRole('radio', { name: /^Compact/ }).check();
          await page.keyboard.press('Escape');
          // Compact: one line per contact, no picture (its initials are gone).
          await tree
            .getByRole('treeitem', { name: /^Person 0000/ })
            .getByText('P0', { exact: true })
            .waitFor({ state: 'detached' });
          found['compact list'] = await violations(page);
          await page.getByRole('button', { name: 'My account' }).click();
          await page.getByRole('menuitem', { name: 'Settings' }).click();
          await page.getByRole('radio', { name: /^Comfortable/ }).check();

          await page.keyboard.press('Escape');
          await tree.getByRole('treeitem', { name: /^Person 0000/ }).focus();
          await page.keyboard.press('Enter');
          await page.getByRole('textbox', { name: 'Message' }).fill('A draft');
          found['conversation'] = await violations(page);

          expect(found).toEqual(Object.fromEntries(Object.keys(found).map((screen) => [screen, []])));
        } finally {
          await page.close();
        }
      }, 90_000);
    }
  }
});

describe('a long list', () => {
  test('draws only the rows in view, yet the keyboard reaches every contact: End, Home, type-ahead scroll to the row and focus it', async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 720 } });
    try {
      await page.goto(alice.url);
      const tree = page.getByRole('tree', { name: 'Contacts' });
      const first = tree.getByRole('treeitem', { name: /^Contacts\s*, 0 of 100 online$/ });
      await first.waitFor();
      // 300 contacts, a few dozen rows in the page.
      expect(await tree.getByRole('treeitem').count()).toBeLessThan(60);
      // Each row still says where it stands in its group.
      await expect(tree.getByRole('treeitem', { name: /^Person 0000/ }).getAttribute('aria-setsize')).resolves.toBe('100');

      const focusedName = () => page.evaluate(() => document.activeElement?.getAttribute('data-name'));
      await first.focus();
      await page.keyboard.press('End');
      await expect.poll(focusedName).toBe('Person 0298');
      expect(await tree.locator('[tabindex="0"]').getAttribute('data-name')).toBe('Person 0298');
      await page.keyboard.press('Home');
      await expect.poll(focusedName).toBe('Contacts');
      // Far below the window: found by typing, scrolled to, focused.
      await page.keyboard.type('Person 0201');
      await expect.poll(focusedName).toBe('Person 0201');
      await page.keyboard.press('ArrowDown');
      await expect.poll(focusedName).toBe('Person 0204');
      expect(await tree.getByRole('treeitem').count()).toBeLessThan(100);
    } finally {
      await page.close();
    }
  });
});

describe('the status menu', () => {
  test('publishes only the status chosen, not every one the arrow keys pass over; Escape changes nothing', async () => {
    const page = await browser.newPage();
    const sent: string[] = [];
    page.on('websocket', (socket) => socket.on('framesent', (frame) => sent.push(String(frame.payload))));
    try {
      await page.goto(alice.url);
      const status = page.getByRole('button', { name: /^Status: / });
      await status.waitFor();
      const initial = await status.getAttribute('aria-label');
      const setMine = () => sent.filter((frame) => frame.includes('presence:setMine'));

      await status.press('Enter');
      const menu = page.getByRole('menu', { name: 'Status' });
      await menu.waitFor();
      // The focus starts on the current status; moving does not choose.
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-checked'))).toBe('true');
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'detached' });
      await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(initial);
      expect(setMine()).toEqual([]);

      // Choosing does: one request, for the one status chosen (Busy is one down from Available).
      await status.press('Enter');
      await menu.waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Status: Busy' }).waitFor();
      expect(setMine()).toHaveLength(1);
      expect(setMine()[0]).toContain('"busy"');
      // Back to Available for the other tests.
      await status.click();
      await menu.getByRole('menuitemradio', { name: 'Available' }).click();
      await page.getByRole('button', { name: 'Status: Available' }).waitFor();
    } finally {
      await page.close();
    }
  });
});
