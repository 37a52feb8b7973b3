import { describe, expect, test } from 'vitest';
import { DOMAIN } from '../support/kamailio.js';
import { usePresenceRig } from '../support/presence-rig.js';
import { addContact, approvalsBar, contactRow, openAddContact, openCard } from '../support/parley-page.js';

// Two people, two web-mode Parleys, two Chromium pages, one Kamailio with presence authorisation.
// (The buddy list's own behaviour: presence-list.test.ts.)
const { rig, signIn, focusedText, groupItem, request, review, setStatus, openSettings } = usePresenceRig();

describe('buddy list and approvals, as two people use them', () => {
  test('alice adds bob → bob accepts → alice sees bob Available; bob goes Busy with a note → alice sees it', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');

    await addContact(alice.page, `bob@${DOMAIN}`, 'Bob Builder');
    await contactRow(alice.page, 'Bob Builder').filter({ hasText: 'Awaiting approval' }).waitFor();

    // The notice offers Review, which opens the requests.
    const notice = bob.page.getByRole('status').filter({ hasText: `alice@${DOMAIN} wants to see your presence.` });
    await notice.getByRole('button', { name: 'Review' }).click();
    await request(bob.page, `alice@${DOMAIN}`).waitFor();
    await expect(bob.page.getByRole('heading', { name: /Approval requests/ }).textContent()).resolves.toMatch(/1/);
    // The tab (or window) title counts what waits.
    await expect.poll(() => bob.page.title()).toBe('(1) Parley');
    await request(bob.page, `alice@${DOMAIN}`).getByRole('button', { name: 'Accept', exact: true }).click();
    await bob.page.getByText('Nobody is waiting for your approval.').waitFor();
    // The notice was about that request: answered, it goes.
    await notice.waitFor({ state: 'detached' });
    await expect.poll(() => bob.page.title()).toBe('Parley');

    await contactRow(alice.page, 'Bob Builder').filter({ hasText: 'Available' }).waitFor();
    await groupItem(alice.page, 'Contacts').filter({ hasText: '1/1' }).waitFor();

    await setStatus(bob.page, 'Busy');
    const note = bob.page.getByRole('textbox', { name: 'Note' });
    await note.fill('<img src=x onerror=alert(1)> in a meeting');
    await note.press('Enter');

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
    await approvalsBar(dave.page)
      .getByText(/and 1 other/)
      .waitFor();
    await review(dave.page);
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
    await approvalsBar(first.page).getByText(`frank@${DOMAIN}`).waitFor();
    await first.parley.stop();
    await first.page.close();

    const again = await signIn('alice', first.parley.dataDir);
    await review(again.page);
    await request(again.page, `frank@${DOMAIN}`).getByRole('button', { name: 'Accept and add to contacts' }).click();
    await contactRow(again.page, `frank@${DOMAIN}`).waitFor();
    await contactRow(frank.page, `alice@${DOMAIN}`).filter({ hasText: 'Available' }).waitFor();
  });

  test('web mode: new requests raise a browser notification once allowed (not in Do not disturb)', async () => {
    // A page whose notifications are allowed, with the Notification constructor observed.
    const context = await rig.browser.newContext({ permissions: ['notifications'] });
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
      await openSettings(carol.page);
      await carol.page.getByText(/^On: this browser shows a notification/).waitFor();
      expect(await carol.page.getByRole('button', { name: 'Turn on notifications' }).count()).toBe(0);
      const erin = await signIn('erin');
      await addContact(erin.page, `carol@${DOMAIN}`);
      await approvalsBar(carol.page).getByText(`erin@${DOMAIN}`).waitFor();
      await expect.poll(seen).toEqual([{ title: 'Approval request', body: `erin@${DOMAIN} wants to see your presence.` }]);

      await setStatus(carol.page, 'Do not disturb');
      const frank = await signIn('frank');
      await addContact(frank.page, `carol@${DOMAIN}`);
      await approvalsBar(carol.page)
        .getByText(/and 1 other/)
        .waitFor();
      expect(await seen()).toHaveLength(1);
    } finally {
      await context.close();
    }
    // A page that has not been allowed yet offers to turn them on.
    const { page } = await signIn('dave');
    await openSettings(page);
    await page.getByRole('button', { name: 'Turn on notifications' }).waitFor();
  });

  test('the idle time before Away is a setting that sticks; nonsense is refused', async () => {
    const { page } = await signIn('dave');
    await openSettings(page);
    const idle = page.getByRole('spinbutton', { name: /Away after/ });
    expect(await idle.inputValue()).toBe('10');
    await idle.fill('3');
    await idle.press('Tab');
    await page.getByRole('status').filter({ hasText: 'Away after 3 minutes idle.' }).waitFor();
    await page.reload();
    await page.getByRole('button', { name: 'Status: Available' }).waitFor();
    await openSettings(page);
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

    await openAddContact(page);
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
    await openAddContact(page);
    await field.fill(`SIP:dave@UC.TEST`);
    await dialog.getByRole('button', { name: 'Add' }).click();
    await expect.poll(fieldError).toBe(`dave@${DOMAIN} is already in your contacts.`);
    expect(await field.inputValue()).toBe('SIP:dave@UC.TEST');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await dialog.isVisible()).toBe(false);
    // Cancel leaves nothing behind: opened again, the dialog is empty, with no error.
    await openAddContact(page);
    expect(await field.inputValue()).toBe('');
    expect(await dialog.getByRole('alert').count()).toBe(0);
    // A bare name is a colleague on my own server.
    await field.fill('erin');
    await dialog.getByRole('button', { name: 'Add' }).click();
    await contactRow(page, `erin@${DOMAIN}`).waitFor();
  });

  test('a megabyte pasted into Display name is refused on the field before anything is sent; the page keeps working', async () => {
    const { page } = await signIn('carol');
    const dialog = page.getByRole('dialog', { name: 'Add contact' });
    await openAddContact(page);
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
    await openAddContact(page);
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
    const card = await openCard(page, 'Frank');
    expect(await card.getByRole('combobox', { name: 'Group' }).count()).toBe(1);
    await card.getByRole('button', { name: 'Rename' }).click();
    expect(await card.getByRole('textbox', { name: 'Name' }).inputValue()).toBe('Frank');
    // The group keeps its own name.
    await groupItem(page, 'Contacts').waitFor();
  });

  test('Remove and Delete group ask first; Keep keeps, the second click does it', async () => {
    const { page } = await signIn('frank');
    await addContact(page, `erin@${DOMAIN}`, 'Erin');
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByRole('dialog', { name: 'New group' }).getByLabel('Group name').fill('Old team');
    await page.getByRole('dialog', { name: 'New group' }).getByRole('button', { name: 'Create' }).click();
    await groupItem(page, 'Old team').waitFor();
    const focused = () => focusedText(page);

    const card = await openCard(page, 'Erin');
    await card.getByRole('group', { name: 'Actions for Erin' }).getByRole('button', { name: 'Remove', exact: true }).click();
    const ask = page.getByRole('alertdialog', { name: /Remove Erin from your contacts/ });
    await ask.waitFor();
    // The safe choice has the focus (Enter on a reflex keeps), and nothing is gone yet.
    await expect.poll(() => ask.getByRole('button', { name: 'Keep' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await ask.waitFor({ state: 'detached' });
    await contactRow(page, 'Erin').waitFor();
    await card.getByRole('group', { name: 'Actions for Erin' }).getByRole('button', { name: 'Remove', exact: true }).click();
    await ask.getByRole('button', { name: 'Remove Erin' }).click();
    await contactRow(page, 'Erin').waitFor({ state: 'detached' });
    // The focus went back to the list, not to the page.
    await expect.poll(focused).toMatch(/ online$/);

    await groupItem(page, 'Old team').click({ button: 'right' });
    await page.getByRole('menu', { name: 'Actions for group Old team' }).getByRole('menuitem', { name: 'Delete group…' }).click();
    const askGroup = page.getByRole('alertdialog', { name: /Delete the group Old team/ });
    await expect.poll(() => askGroup.getByRole('button', { name: 'Keep' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await expect.poll(focused).toBe('Old team, 0 of 0 online');
    await page.keyboard.press('Delete');
    await askGroup.getByRole('button', { name: 'Delete group Old team' }).click();
    await groupItem(page, 'Old team').waitFor({ state: 'detached' });
    await expect.poll(focused).not.toBe('BODY');
  });
});
