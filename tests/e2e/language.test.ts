import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';
import { addContact, openCard, signInAs } from '../support/parley-page.js';
import { setLocale, t, type MessageKey, type MessageValues } from '../../shared/i18n/format.js';

// Settings ▸ Language: the pseudo-locale shows which words come from the catalogue (accented,
// bracketed, 30 % longer) and that the layout survives longer words.
let kamailio: Kamailio;
let browser: Browser;
let parley: WebParley;

beforeAll(async () => {
  [kamailio, browser, parley] = await Promise.all([
    Kamailio.launch({ users: { alice: 'alice-pw' }, presRules: true }),
    launchChromium(),
    WebParley.launch(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await parley?.dispose();
  await kamailio?.dispose();
});

/** The words of a catalogue message in the pseudo-locale (the test reads them from the same catalogue). */
function pseudo(key: MessageKey, values?: MessageValues): string {
  setLocale('en-XA');
  try {
    return t(key, values);
  } finally {
    setLocale('en');
  }
}

async function openSettings(page: Page, words: (key: MessageKey) => string = t) {
  await page.getByRole('button', { name: words('me.account') }).click();
  await page.getByRole('menuitem', { name: words('me.settings') }).click();
}

/** Text that runs past the window's right edge (hidden by an `overflow: hidden` rather than wrapped). */
const cutOff = (page: Page) =>
  page.evaluate(() => {
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      if (!node.textContent?.trim() || !element?.checkVisibility() || element.closest('select, option, [aria-hidden="true"]')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      if (range.getBoundingClientRect().right > window.innerWidth + 1) found.push(node.textContent.trim().slice(0, 40));
    }
    return found;
  });

async function openFromMyMenu(page: Page, item: MessageKey) {
  await page.getByRole('button', { name: pseudo('me.account') }).click();
  await page.getByRole('menuitem', { name: pseudo(item) }).click();
}

/** Visible text that is plain English (three letters or more, none accented): not from the catalogue. */
const plainEnglish = (page: Page) =>
  page.evaluate(() => {
    const found: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const text = node.textContent?.trim() ?? '';
      const element = node.parentElement;
      if (!text || !element || element.closest('bdi, input, textarea, select, [aria-hidden="true"]') || !element.checkVisibility())
        continue;
      if (/[A-Za-z]{3,}/.test(text) && !/^\[/.test(text)) found.push(text);
    }
    return [...new Set(found)];
  });

test('the pseudo-locale: chosen in Settings, every window speaks it at once; the catalogue’s words are accented and longer; 360 px still fits; back to English', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(parley.url);
  await signInAs(page, 'alice', kamailio.wsUrl);
  await addContact(page, `bob@${DOMAIN}`, 'Bob');
  let card = await openCard(page, 'Bob');
  await card.getByRole('button', { name: 'Send message' }).waitFor();

  await openSettings(page);
  // The window draws itself again in the new language (it reloads); the person is still signed in.
  await Promise.all([page.waitForEvent('load'), page.getByRole('combobox', { name: t('settings.language.label') }).selectOption('en-XA')]);
  await openSettings(page, pseudo);
  await page.getByRole('heading', { name: pseudo('settings.language.heading') }).waitFor();
  await page.keyboard.press('Escape');
  card = await openCard(page, 'Bob', pseudo);
  await card.getByRole('button', { name: pseudo('contact.action.message') }).waitFor();
  await card.getByRole('button', { name: pseudo('contact.action.video') }).waitFor();
  // The catalogue's words really are changed: not the English ones, longer, bracketed.
  expect(pseudo('contact.action.message')).toBe('[Šéñð ɱéššáĝé~~~~]');
  // Longer words do not push anything out of a narrow window.
  await page.setViewportSize({ width: 360, height: 720 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  // My bar and the contact card have every word from the catalogue: nothing on screen is plain English.
  expect(await plainEnglish(page)).toEqual([]);
  // So has a conversation.
  await card.getByRole('button', { name: pseudo('contact.action.message') }).click();
  await page.getByRole('textbox', { name: pseudo('chat.box') }).fill('hello');
  await page.getByRole('textbox', { name: pseudo('chat.box') }).press('Enter');
  // (bob is not signed in: it fails, and says why — in the pseudo-locale too)
  await page
    .getByRole('log')
    .getByRole('button', { name: pseudo('chat.retry') })
    .waitFor();
  if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/pseudo-conversation-360.png` });
  expect(await plainEnglish(page)).toEqual([]);

  // Every other view, narrow and wide: the words are the catalogue's and nothing spills sideways.
  const views: [string, () => Promise<unknown>][] = [
    ['settings', () => openSettings(page, pseudo)],
    ['history', () => openFromMyMenu(page, 'me.history')],
    [
      'search',
      async () => {
        await openFromMyMenu(page, 'me.search');
        await page.getByRole('searchbox', { name: pseudo('me.search') }).fill('hello');
        await page.getByRole('searchbox', { name: pseudo('me.search') }).press('Enter');
        await page.getByRole('list', { name: pseudo('search.results') }).waitFor();
      },
    ],
    [
      'keypad',
      async () => {
        await page.getByRole('button', { name: pseudo('contacts.keypad') }).click();
        await page.getByRole('textbox', { name: pseudo('keypad.target') }).fill('12');
        await page.getByRole('button', { name: pseudo('contact.action.call'), exact: true }).click();
        await page.getByRole('alert').first().waitFor();
      },
    ],
    ['add-contact', () => page.getByRole('button', { name: pseudo('contacts.add') }).click()],
  ];
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 720 : 800 });
    for (const [name, open] of views) {
      await page.keyboard.press('Escape');
      if (width === 360 && (await page.getByRole('button', { name: pseudo('pane.back') }).isVisible())) {
        await page.getByRole('button', { name: pseudo('pane.back') }).click();
      }
      await open();
      if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/pseudo-${name}-${width}.png` });
      expect(await plainEnglish(page), `${name} at ${width} px`).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width} px`).toBeLessThanOrEqual(width);
      expect(await cutOff(page), `${name} at ${width} px`).toEqual([]);
    }
  }
  await page.keyboard.press('Escape');

  // Signed out, the sign-in form speaks it too (the choice belongs to the installation).
  await page.getByRole('button', { name: pseudo('me.account') }).click();
  await page.getByRole('menuitem', { name: pseudo('me.signOut') }).click();
  await page.getByRole('button', { name: pseudo('signIn.submit') }).waitFor();
  await page.getByText(pseudo('signIn.more')).click();
  expect(await plainEnglish(page)).toEqual([]);
  await signInAs(page, 'alice', kamailio.wsUrl, { words: pseudo });

  await page.setViewportSize({ width: 1280, height: 800 });
  await openSettings(page, pseudo);
  await Promise.all([
    page.waitForEvent('load'),
    page.getByRole('combobox', { name: pseudo('settings.language.label') }).selectOption('en'),
  ]);
  await openSettings(page);
  await page.getByRole('heading', { name: 'Language' }).waitFor();
  await page.close();
});
