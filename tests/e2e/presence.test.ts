import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../main/engine.js';
import { FileSecretStore } from '../../main/store/secret-store.js';

// Two people, two web-mode Parleys, two Chromium pages, one Kamailio with presence authorisation.
let kamailio: Kamailio;
let browser: Browser;
const running: WebParley[] = [];

beforeAll(async () => {
  const users = Object.fromEntries(['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank'].map((u) => [u, `${u}-pw`]));
  [kamailio, browser] = await Promise.all([Kamailio.launch({ users, presRules: true }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
});
afterEach(async () => {
  for (const parley of running.splice(0)) await parley.dispose();
});

async function signIn(
  user: string,
  dataDir?: string,
  pageFor: () => Promise<Page> = () => browser.newPage(),
): Promise<{ page: Page; parley: WebParley }> {
  const parley = await WebParley.launch(dataDir ? { dataDir } : {});
  running.push(parley);
  const page = await pageFor();
  await page.goto(parley.url);
  if (!dataDir) {
    await page.getByLabel('SIP address').fill(`${user}@${DOMAIN}`);
    await page.getByLabel('Password', { exact: true }).fill(`${user}-pw`);
    await page.getByLabel('Server', { exact: true }).fill(kamailio.wsUrl);
    await page.getByLabel('Remember password').setChecked(true);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  await page.getByRole('status', { name: 'Status' }).filter({ hasText: 'Available' }).waitFor();
  return { page, parley };
}

async function addContact(page: Page, address: string, name = '') {
  await page.getByRole('button', { name: 'Add contact' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add contact' });
  await dialog.getByLabel('SIP address').fill(address);
  if (name) await dialog.getByLabel('Display name').fill(name);
  await dialog.getByRole('button', { name: 'Add' }).click();
}

const contacts = (page: Page) => page.getByRole('region', { name: 'Contacts' });
const contactRow = (page: Page, name: string) => contacts(page).getByRole('listitem', { name, exact: true });
const request = (page: Page, name: string) => page.getByRole('list', { name: 'Approval requests' }).getByRole('listitem', { name });

describe('buddy list and approvals, as two people use them', () => {
  test('alice adds bob → bob accepts → alice sees bob Available; bob goes Busy with a note → alice sees it', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');

    await addContact(alice.page, `bob@${DOMAIN}`, 'Bob Builder');
    await contactRow(alice.page, 'Bob Builder').filter({ hasText: 'Awaiting approval' }).waitFor();

    await request(bob.page, `alice@${DOMAIN}`).waitFor();
    await expect(bob.page.getByRole('heading', { name: /Approval requests/ }).textContent()).resolves.toMatch(/1/);
    // The tab (or window) title counts what waits.
    await expect.poll(() => bob.page.title()).toBe('(1) Parley');
    await bob.page
      .getByRole('status')
      .filter({ hasText: `alice@${DOMAIN} wants to see your presence.` })
      .waitFor();
    await request(bob.page, `alice@${DOMAIN}`).getByRole('button', { name: 'Accept', exact: true }).click();
    await bob.page.getByText('Nobody is waiting for your approval.').waitFor();
    await expect.poll(() => bob.page.title()).toBe('Parley');

    await contactRow(alice.page, 'Bob Builder').filter({ hasText: 'Available' }).waitFor();
    await contacts(alice.page).getByLabel('1 of 1 online').waitFor();

    await bob.page.getByRole('combobox', { name: 'My status' }).selectOption('busy');
    const note = bob.page.getByRole('textbox', { name: 'Note' });
    await note.fill('<img src=x onerror=alert(1)> in a meeting');
    await note.press('Enter');
    await bob.page.getByRole('status', { name: 'Status' }).filter({ hasText: 'Busy' }).waitFor();

    const row = contactRow(alice.page, 'Bob Builder');
    await row.filter({ hasText: 'Busy' }).filter({ hasText: '<img src=x onerror=alert(1)> in a meeting' }).waitFor();
    // Shown as text: no element was created from the note.
    expect(await row.locator('img').count()).toBe(0);
  });

  test('decline: the other side reads "Not sharing presence"; block works from the inbox too', async () => {
    const carol = await signIn('carol');
    const dave = await signIn('dave');
    const erin = await signIn('erin');
    await addContact(carol.page, `dave@${DOMAIN}`);
    await addContact(erin.page, `dave@${DOMAIN}`);
    await request(dave.page, `carol@${DOMAIN}`).getByRole('button', { name: 'Decline' }).click();
    await request(dave.page, `erin@${DOMAIN}`).getByRole('button', { name: 'Block' }).click();
    await contactRow(carol.page, `dave@${DOMAIN}`).filter({ hasText: 'Not sharing presence' }).waitFor();
    await contactRow(erin.page, `dave@${DOMAIN}`).filter({ hasText: 'Not sharing presence' }).waitFor();
    await dave.page.getByText('Nobody is waiting for your approval.').waitFor();
  });

  test('requests wait across a restart; Accept and add to contacts puts them in the list', async () => {
    const frank = await signIn('frank');
    const first = await signIn('alice');
    await addContact(frank.page, `alice@${DOMAIN}`);
    await request(first.page, `frank@${DOMAIN}`).waitFor();
    await first.parley.stop();
    await first.page.close();

    const again = await signIn('alice', first.parley.dataDir);
    await request(again.page, `frank@${DOMAIN}`).getByRole('button', { name: 'Accept and add to contacts' }).click();
    await contactRow(again.page, `frank@${DOMAIN}`).waitFor();
    await contactRow(frank.page, `alice@${DOMAIN}`).filter({ hasText: 'Available' }).waitFor();
  });

  test('web mode: new requests raise a browser notification once allowed (not in Do not disturb)', async () => {
    // A page whose notifications are allowed, with the Notification constructor observed.
    const context = await browser.newContext({ permissions: ['notifications'] });
    await context.addInitScript(() => {
      const Real = window.Notification;
      const seen: { title: string; body: string }[] = [];
      (window as unknown as { seenNotifications: typeof seen }).seenNotifications = seen;
      class Observed extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          seen.push({ title, body: options?.body ?? '' });
        }
      }
      Object.defineProperty(window, 'Notification', { value: Observed });
    });
    try {
      const carol = await signIn('carol', undefined, () => context.newPage());
      const seen = () => carol.page.evaluate(() => (window as unknown as { seenNotifications: unknown[] }).seenNotifications);
      expect(await carol.page.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
      const erin = await signIn('erin');
      await addContact(erin.page, `carol@${DOMAIN}`);
      await request(carol.page, `erin@${DOMAIN}`).waitFor();
      await expect.poll(seen).toEqual([{ title: 'Approval request', body: `erin@${DOMAIN} wants to see your presence.` }]);

      await carol.page.getByRole('combobox', { name: 'My status' }).selectOption('dnd');
      await carol.page.getByRole('status', { name: 'Status' }).filter({ hasText: 'Do not disturb' }).waitFor();
      const frank = await signIn('frank');
      await addContact(frank.page, `carol@${DOMAIN}`);
      await request(carol.page, `frank@${DOMAIN}`).waitFor();
      expect(await seen()).toHaveLength(1);
    } finally {
      await context.close();
    }
    // A page that has not been allowed yet offers to turn them on.
    const { page } = await signIn('dave');
    await page.getByRole('button', { name: 'Turn on notifications' }).waitFor();
  });

  test('the idle time before Away is a setting that sticks; nonsense is refused', async () => {
    const { page } = await signIn('dave');
    const idle = page.getByRole('spinbutton', { name: /Away after/ });
    expect(await idle.inputValue()).toBe('10');
    await idle.fill('3');
    await idle.press('Tab');
    await page.reload();
    await page.getByRole('status', { name: 'Status' }).filter({ hasText: 'Available' }).waitFor();
    await expect.poll(() => idle.inputValue()).toBe('3');
    await idle.fill('-5');
    await idle.press('Tab');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Enter whole minutes from 0 (never) to 1440.');
  });

  test('the Add contact dialog refuses junk, myself and duplicates on the field, keeping what was typed', async () => {
    const { page } = await signIn('carol');
    const dialog = page.getByRole('dialog', { name: 'Add contact' });
    const field = dialog.getByLabel('SIP address');
    const fieldError = () =>
      field.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')!.split(' ')[0]!)?.textContent);

    await page.getByRole('button', { name: 'Add contact' }).click();
    await field.fill('bob at example');
    await dialog.getByRole('button', { name: 'Add' }).click();
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await fieldError()).toMatch(/not a SIP address/);
    expect(await field.inputValue()).toBe('bob at example');

    await field.fill(`sip:carol@${DOMAIN}`);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect.poll(fieldError).toBe('That is your own address.');

    await field.fill(`dave@${DOMAIN}`);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await contactRow(page, `dave@${DOMAIN}`).waitFor();
    await page.getByRole('button', { name: 'Add contact' }).click();
    await field.fill(`SIP:dave@UC.TEST`);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect.poll(fieldError).toBe(`dave@${DOMAIN} is already in your contacts.`);
    expect(await field.inputValue()).toBe('SIP:dave@UC.TEST');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).toBe(false);
  });

  test('a megabyte pasted into Display name is refused on the field before anything is sent; the page keeps working', async () => {
    const { page } = await signIn('carol');
    const dialog = page.getByRole('dialog', { name: 'Add contact' });
    await page.getByRole('button', { name: 'Add contact' }).click();
    await dialog.getByLabel('SIP address').fill(`grace@${DOMAIN}`);
    const name = dialog.getByLabel('Display name');
    await name.fill('x'.repeat(1_100_000));
    await dialog.getByRole('button', { name: 'Add' }).click();
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => dialog.getByText(/A name has at most 128 characters/).count()).toBe(1);
    // Still connected and working: a sensible name goes through.
    await name.fill('Grace');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await contactRow(page, 'Grace').waitFor();
  });

  test('a name with a bidi override is stored without it and shown isolated from the text around it', async () => {
    const { page } = await signIn('dave');
    const dialog = page.getByRole('dialog', { name: 'Add contact' });
    await page.getByRole('button', { name: 'Add contact' }).click();
    await dialog.getByLabel('SIP address').fill(`erin@${DOMAIN}`);
    await dialog.getByLabel('Display name').fill('Erin \u202Egpj.exe');
    await dialog.getByRole('button', { name: 'Add' }).click();
    const row = contactRow(page, 'Erin gpj.exe');
    await row.waitFor();
    expect(await row.getByText('Erin gpj.exe').evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('isolate');
  });

  test("a contact's Group and Name fields keep their names when the contact's id equals a group's", async () => {
    const { page } = await signIn('erin');
    // A fresh account: the default group and the first contact both have id 1.
    await addContact(page, `frank@${DOMAIN}`, 'Frank');
    await page.getByRole('button', { name: 'Actions for Frank' }).click();
    const actions = page.getByRole('group', { name: 'Actions for Frank' });
    expect(await actions.getByRole('combobox', { name: 'Group' }).count()).toBe(1);
    expect(await actions.getByRole('textbox', { name: 'Name' }).inputValue()).toBe('Frank');
    // The group's list is still named by its heading.
    await page.getByRole('list', { name: 'Contacts' }).first().waitFor();
  });

  test('Remove and Delete group ask first; Keep keeps, the second click does it', async () => {
    const { page } = await signIn('frank');
    await addContact(page, `erin@${DOMAIN}`, 'Erin');
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByRole('dialog', { name: 'New group' }).getByLabel('Group name').fill('Old team');
    await page.getByRole('dialog', { name: 'New group' }).getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Old team' }).waitFor();

    await page.getByRole('button', { name: 'Actions for Erin' }).click();
    await page.getByRole('group', { name: 'Actions for Erin' }).getByRole('button', { name: 'Remove', exact: true }).click();
    const ask = page.getByRole('alertdialog', { name: /Remove Erin from your contacts/ });
    await ask.waitFor();
    // The question has the focus, and nothing is gone yet.
    await expect.poll(() => ask.getByRole('button', { name: 'Remove Erin' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await ask.getByRole('button', { name: 'Keep' }).click();
    await contactRow(page, 'Erin').waitFor();
    await page.getByRole('group', { name: 'Actions for Erin' }).getByRole('button', { name: 'Remove', exact: true }).click();
    await ask.getByRole('button', { name: 'Remove Erin' }).click();
    await contactRow(page, 'Erin').waitFor({ state: 'detached' });

    await page.getByRole('button', { name: 'Delete group Old team' }).click();
    const askGroup = page.getByRole('alertdialog', { name: /Delete the group Old team/ });
    await askGroup.getByRole('button', { name: 'Keep' }).click();
    await page.getByRole('heading', { name: 'Old team' }).waitFor();
    await page.getByRole('button', { name: 'Delete group Old team' }).click();
    await askGroup.getByRole('button', { name: 'Delete group Old team' }).click();
    await page.getByRole('heading', { name: 'Old team' }).waitFor({ state: 'detached' });
  });

  test('while Parley is reconnecting, contacts show presence unknown (not their last green dot), and back again after', async () => {
    const gina = await signIn('gina');
    const hank = await signIn('hank');
    await addContact(gina.page, `hank@${DOMAIN}`, 'Hank');
    await request(hank.page, `gina@${DOMAIN}`).getByRole('button', { name: 'Accept', exact: true }).click();
    await contactRow(gina.page, 'Hank').filter({ hasText: 'Available' }).waitFor();
    await kamailio.stop();
    try {
      await contactRow(gina.page, 'Hank').filter({ hasText: 'Presence unknown' }).waitFor();
      expect(await contactRow(gina.page, 'Hank').textContent()).not.toContain('Available');
      await gina.page.getByText('Not connected: what you set here is shared as soon as Parley is back.').waitFor();
    } finally {
      await kamailio.start();
    }
    await contactRow(gina.page, 'Hank').filter({ hasText: 'Available' }).waitFor({ timeout: 20_000 });
  });

  test('at 360 px (the size of a buddy-list window) nothing scrolls sideways', async () => {
    const { page } = await signIn('erin');
    await addContact(page, 'someone.with.a.rather.long.address@outlook.example', 'A person with quite a long display name');
    await contactRow(page, 'A person with quite a long display name').waitFor();
    for (const scheme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: 360, height: 720 });
      await page.emulateMedia({ colorScheme: scheme });
      const widths = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, window: window.innerWidth }));
      expect(widths.page).toBeLessThanOrEqual(widths.window);
    }
  });

  test('with a long list, a waiting request is on the first screen at 360 px: Accept in one step', async () => {
    // A data folder with 60 contacts, made by an engine the way the app would have made it.
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-long-list-'));
    const seed = new Engine({ dataDir, mode: 'web', version: 'test', secrets: new FileSecretStore(join(dataDir, 'credentials.json')) });
    const signedIn = await seed.account.signIn({
      address: `gina@${DOMAIN}`,
      password: 'gina-pw',
      server: kamailio.wsUrl,
      rememberPassword: true,
    });
    expect(signedIn.ok).toBe(true);
    for (let i = 0; i < 60; i++)
      seed.contacts.add({ address: `person${i}@${DOMAIN}`, displayName: `Person ${String(i).padStart(2, '0')}` });
    await seed.close();

    const page = await browser.newPage({ viewport: { width: 360, height: 720 } });
    const { page: gina } = await signIn('gina', dataDir, async () => page);
    const frank = await signIn('frank');
    await addContact(frank.page, `gina@${DOMAIN}`);
    const accept = request(gina, `frank@${DOMAIN}`).getByRole('button', { name: 'Accept', exact: true });
    await accept.waitFor();
    // On the first screen, without scrolling: above the list, not 60 contacts below it.
    const box = await accept.boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(720);
    await accept.click();
    await contactRow(frank.page, `gina@${DOMAIN}`).filter({ hasText: 'Available' }).waitFor();
  });

  test('search filters as you type; arrow keys move through the list; groups can be made and used', async () => {
    const { page } = await signIn('erin');
    for (const [address, name] of [
      [`frank@${DOMAIN}`, 'Frank Zappa'],
      [`someone@outlook.example`, 'Outlook Person'],
      [`carol@${DOMAIN}`, 'Carol King'],
    ] as const) {
      await addContact(page, address, name);
      await contactRow(page, name).waitFor();
    }
    await page.getByRole('searchbox', { name: 'Search contacts' }).fill('outlook');
    await expect(
      contacts(page)
        .getByRole('button', { name: /^Outlook Person/ })
        .count(),
    ).resolves.toBe(1);
    await expect(
      contacts(page)
        .getByRole('button', { name: /^Frank Zappa/ })
        .count(),
    ).resolves.toBe(0);
    await page.getByRole('searchbox', { name: 'Search contacts' }).fill('');

    const first = page.getByRole('button', { name: /^Carol King/ });
    await first.focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/Frank Zappa/);
    await page.keyboard.press('End');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/Outlook Person/);

    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByRole('dialog', { name: 'New group' }).getByLabel('Group name').fill('Partners');
    await page.getByRole('dialog', { name: 'New group' }).getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Partners' }).waitFor();
    await page.getByRole('button', { name: 'Actions for Outlook Person' }).click();
    await page.getByRole('group', { name: 'Actions for Outlook Person' }).getByLabel('Group').selectOption({ label: 'Partners' });
    await page.getByRole('list', { name: 'Partners' }).getByRole('listitem', { name: 'Outlook Person' }).waitFor();
  });
});
