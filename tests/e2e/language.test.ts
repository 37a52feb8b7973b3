import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';
import { addContact, openCard, signInAs } from '../support/parley-page.js';
import { setLocale, t, type MessageKey } from '../../shared/i18n/format.js';

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
function pseudo(key: MessageKey): string {
  setLocale('en-XA');
  try {
    return t(key);
  } finally {
    setLocale('en');
  }
}

async function openSettings(page: Page, words: (key: MessageKey) => string = t) {
  await page.getByRole('button', { name: words('me.account') }).click();
  await page.getByRole('menuitem', { name: words('me.settings') }).click();
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
  card = await openCard(page, 'Bob');
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
