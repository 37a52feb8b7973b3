import { describe, expect, test } from 'vitest';
import { DOMAIN } from '../support/kamailio.js';
import { usePresenceRig } from '../support/presence-rig.js';
import { addContact, approvalsBar, contactRow, openCard } from '../support/parley-page.js';

// The buddy list in Chromium through a real Kamailio with presence authorisation: narrow windows,
// search and the keyboard, mutual adds, blocking, status icons. (Approvals: presence.test.ts.)
const { signIn, contacts, focusedText, groupItem, request, review } = usePresenceRig();

describe('the buddy list as one person uses it', () => {
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

  test('search filters as you type; the list is one Tab stop that arrows, Home/End, typing, Enter, Escape and Shift+F10 drive; groups fold and stay folded', async () => {
    const { page } = await signIn('erin');
    for (const [address, name] of [
      [`frank@${DOMAIN}`, 'Frank Zappa'],
      [`someone@outlook.example`, 'Outlook Person'],
      [`carol@${DOMAIN}`, 'Carol King'],
    ] as const) {
      await addContact(page, address, name);
      await contactRow(page, name).waitFor();
    }
    const search = page.getByRole('searchbox', { name: 'Search contacts' });
    await search.fill('outlook');
    await expect(contactRow(page, 'Outlook Person').count()).resolves.toBe(1);
    await expect(contactRow(page, 'Frank Zappa').count()).resolves.toBe(0);
    await search.fill('');
    await contactRow(page, 'Frank Zappa').waitFor();

    const focused = () => focusedText(page);
    // One Tab stop for the whole tree, however long.
    expect(await contacts(page).locator('[tabindex="0"]').count()).toBe(1);
    await page.getByRole('button', { name: 'Keypad' }).focus();
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('Contacts, 0 of 3 online');
    await page.keyboard.press('Tab');
    expect(await focused()).not.toMatch(/Zappa|King|Person|online/);

    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toMatch(/^Carol King,/);
    await page.keyboard.press('ArrowDown');
    expect(await focused()).toMatch(/^Frank Zappa,/);
    await page.keyboard.press('End');
    expect(await focused()).toMatch(/^Outlook Person,/);
    await page.keyboard.press('Home');
    expect(await focused()).toBe('Contacts, 0 of 3 online');
    await page.keyboard.type('fr');
    expect(await focused()).toMatch(/^Frank Zappa,/);
    // The Tab stop follows: leaving and coming back lands on Frank.
    expect(await contacts(page).locator('[tabindex="0"]').getAttribute('data-name')).toBe('Frank Zappa');

    // Space opens the card with the focus on the name (once a key other than a letter ended the
    // type-ahead); Escape closes it and the focus comes back.
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press(' ');
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Frank Zappa');
    await page.getByRole('region', { name: 'Frank Zappa' }).getByText(`frank@${DOMAIN}`).waitFor();
    await expect(contactRow(page, 'Frank Zappa').getAttribute('aria-selected')).resolves.toBe('true');
    await page.keyboard.press('Escape');
    await expect.poll(focused).toMatch(/^Frank Zappa,/);
    expect(await page.getByRole('region', { name: 'Frank Zappa' }).count()).toBe(0);
    // Enter, the default action, opens the conversation, ready to type in.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('message-box');
    await page.getByRole('log', { name: 'Messages' }).waitFor({ state: 'attached' });
    await page.keyboard.press('Escape');
    await expect.poll(focused).toMatch(/^Frank Zappa,/);

    // Shift+F10 opens the same actions as a right click; moving through them does nothing; Escape returns.
    await page.keyboard.press('Shift+F10');
    const menu = page.getByRole('menu', { name: 'Actions for Frank Zappa' });
    await menu.waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Send message');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    await expect.poll(focused).toMatch(/^Frank Zappa,/);

    // Move to group from the menu: the card opens on its Group field.
    await page.getByRole('button', { name: 'New group' }).click();
    await page.getByRole('dialog', { name: 'New group' }).getByLabel('Group name').fill('Partners');
    await page.getByRole('dialog', { name: 'New group' }).getByRole('button', { name: 'Create' }).click();
    await groupItem(page, 'Partners').waitFor();
    await contactRow(page, 'Outlook Person').click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Move to group…' }).click();
    const group = page.getByRole('region', { name: 'Outlook Person' }).getByRole('combobox', { name: 'Group' });
    await expect.poll(() => group.evaluate((el) => el === document.activeElement)).toBe(true);
    await group.selectOption({ label: 'Partners' });
    await contacts(page)
      .getByRole('treeitem', { name: /^Partners\s*, 0 of 1 online$/ })
      .waitFor();

    // Left on a contact goes to its group; Left again folds it; folded survives a reload.
    await contactRow(page, 'Outlook Person').focus();
    await page.keyboard.press('ArrowLeft');
    expect(await focused()).toBe('Partners, 0 of 1 online');
    await page.keyboard.press('ArrowLeft');
    await expect(groupItem(page, 'Partners').getAttribute('aria-expanded')).resolves.toBe('false');
    await expect(contactRow(page, 'Outlook Person').count()).resolves.toBe(0);
    await page.reload();
    await groupItem(page, 'Partners').waitFor();
    await expect(groupItem(page, 'Partners').getAttribute('aria-expanded')).resolves.toBe('false');
    // Searching looks inside folded groups.
    await search.fill('outlook');
    await contactRow(page, 'Outlook Person').waitFor();
    await search.fill('');
    await groupItem(page, 'Partners').focus();
    await page.keyboard.press('ArrowRight');
    await contactRow(page, 'Outlook Person').waitFor();

    // Delete on a contact asks to remove (nothing is gone yet).
    await contactRow(page, 'Carol King').focus();
    await page.keyboard.press('Delete');
    const ask = page.getByRole('alertdialog', { name: /Remove Carol King from your contacts/ });
    // The safe choice has the focus.
    await expect.poll(() => ask.getByRole('button', { name: 'Keep' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.press('Escape');
    await contactRow(page, 'Carol King').waitFor();
  });

  test('mutual add: kate adds liam, liam accepts and adds her back from the bar — both see each other, nobody is asked twice', async () => {
    const kate = await signIn('kate');
    const liam = await signIn('liam');
    await addContact(kate.page, `liam@${DOMAIN}`, 'Liam');
    await approvalsBar(liam.page).getByText(`kate@${DOMAIN}`).waitFor();
    await approvalsBar(liam.page).getByRole('button', { name: 'Accept and add' }).click();
    await contactRow(kate.page, 'Liam').filter({ hasText: 'Available' }).waitFor();
    // Liam's subscription to kate is active without kate answering anything: adding him let him in.
    await contactRow(liam.page, `kate@${DOMAIN}`).filter({ hasText: 'Available' }).waitFor();
    expect(await approvalsBar(kate.page).count()).toBe(0);
    expect(await kate.page.title()).toBe('Parley');
  });

  test('blocked, then unblocked: the other side sees presence again after Ask again on the card', async () => {
    const mia = await signIn('mia');
    const noah = await signIn('noah');
    await addContact(mia.page, `noah@${DOMAIN}`, 'Noah');
    await approvalsBar(noah.page).getByRole('button', { name: 'Accept and add' }).click();
    await contactRow(mia.page, 'Noah').filter({ hasText: 'Available' }).waitFor();

    const card = await openCard(noah.page, `mia@${DOMAIN}`);
    await card.getByRole('button', { name: 'Block', exact: true }).click();
    await card.getByRole('status').filter({ hasText: 'Blocked.' }).waitFor({ state: 'attached' });
    await card.getByText('Blocked: cannot see your presence.').waitFor();
    await contactRow(mia.page, 'Noah').filter({ hasText: 'Not sharing presence' }).waitFor();

    await card.getByRole('button', { name: 'Unblock' }).click();
    // Said once the server has the new rules (the list may show the decision a moment earlier).
    await card.getByRole('status').filter({ hasText: 'Unblocked.' }).waitFor({ state: 'attached' });
    await card.getByText('Can see your presence.').waitFor();
    // Mia's side asked once and was refused; it does not poll. Ask again, from Noah's card.
    const noahCard = await openCard(mia.page, 'Noah');
    // Kamailio answers the rules' PUT before it re-reads its watchers, so a question asked at once can
    // still meet the old rule; a person would ask again — so does the test, a few times at most.
    const available = contactRow(mia.page, 'Noah').filter({ hasText: 'Available' });
    await expect
      .poll(
        async () => {
          if ((await available.count()) > 0) return true;
          const ask = noahCard.getByRole('button', { name: 'Ask again to see their presence' });
          if (await ask.isVisible()) await ask.click();
          return false;
        },
        { timeout: 40_000, interval: 3_000 },
      )
      .toBe(true);
  });

  test('status icons differ by shape, and keep their shape in forced-colours mode; offline contacts come after online ones', async () => {
    // People no other test uses: the server keeps everyone's decisions between tests.
    const { page } = await signIn('ivan');
    await addContact(page, `nobody-here@${DOMAIN}`, 'Aaron Absent');
    await addContact(page, `judy@${DOMAIN}`, 'Zed Judy');
    const judy = await signIn('judy');
    await review(judy.page);
    await request(judy.page, `ivan@${DOMAIN}`).getByRole('button', { name: 'Accept', exact: true }).click();
    await contactRow(page, 'Zed Judy').filter({ hasText: 'Available' }).waitFor();
    // Online first, though "Aaron" sorts before "Zed"; the one we know nothing of is dimmed.
    const order = await contacts(page)
      .getByRole('treeitem', { name: /Aaron|Zed/ })
      .evaluateAll((els) => els.map((el) => el.getAttribute('data-name')));
    expect(order).toEqual(['Zed Judy', 'Aaron Absent']);
    const weight = (name: string) =>
      contactRow(page, name)
        .getByText(name, { exact: true })
        .evaluate((el) => getComputedStyle(el).fontWeight);
    expect(Number(await weight('Zed Judy'))).toBeGreaterThan(Number(await weight('Aaron Absent')));

    // Every state the menu offers has its own icon shape (the drawing differs, not only its colour).
    await page.getByRole('button', { name: /^Status: / }).click();
    const shapes = await page
      .getByRole('menu', { name: 'Status' })
      .locator('svg')
      .evaluateAll((svgs) => svgs.map((svg) => svg.innerHTML.replace(/ class="[^"]*"/g, '')));
    await page.keyboard.press('Escape');
    // Six statuses; Appear offline is drawn as Offline, which is what others see.
    expect(new Set(shapes).size).toBe(6);

    await page.emulateMedia({ forcedColors: 'active' });
    try {
      // In forced colours every icon's shape is drawn in the system's text colour (what the person
      // chose to see), so it shows on whatever background they chose.
      const drawn = await contacts(page)
        .locator('svg[data-tone]')
        .evaluateAll((svgs) =>
          svgs.map((svg) => {
            const text = getComputedStyle(document.body).color;
            const shape = svg.querySelector('.body, .ring')!;
            const style = getComputedStyle(shape);
            return {
              tone: svg.getAttribute('data-tone'),
              visible: (shape.classList.contains('body') ? style.fill : style.stroke) === text,
            };
          }),
        );
      expect(drawn.length).toBeGreaterThanOrEqual(2);
      expect(drawn.filter((icon) => !icon.visible)).toEqual([]);
    } finally {
      await page.emulateMedia({ forcedColors: 'none' });
    }
  });
});
