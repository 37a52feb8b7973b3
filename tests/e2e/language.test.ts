import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';
import { addContact, openCard, signInAs } from '../support/parley-page.js';

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

async function openSettings(page: Page, settings: string) {
  await page.getByRole('button', { name: 'My account' }).click();
  await page.getByRole('menuitem', { name: settings }).click();
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

  await openSettings(page, 'Settings');
  // The window draws itself again in the new language (it reloads); the person is still signed in.
  await Promise.all([page.waitForEvent('load'), page.getByRole('combobox', { name: 'Parley speaks' }).selectOption('en-XA')]);
  await openSettings(page, 'Settings');
  await page.getByRole('heading', { name: '[Ļáñĝûáĝé~~~]' }).waitFor();
  await page.keyboard.press('Escape');
  card = await openCard(page, 'Bob');
  await card.getByRole('button', { name: '[Šéñð ɱéššáĝé~~~~]' }).waitFor();
  await card.getByRole('button', { name: '[Ṽîðéö çáļļ~~~]' }).waitFor();
  // Longer words do not push anything out of a narrow window.
  await page.setViewportSize({ width: 360, height: 720 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  // What is still plain English has not moved to the catalogue yet (counted, for the note).
  const left = await plainEnglish(page);
  if (process.env.SHOTS_DIR) await page.screenshot({ path: `${process.env.SHOTS_DIR}/pseudo-card-360.png` });
  console.info(`pseudo-locale: ${left.length} visible strings not from the catalogue yet: ${left.slice(0, 12).join(' | ')}`);

  await page.setViewportSize({ width: 1280, height: 800 });
  await openSettings(page, 'Settings');
  await Promise.all([page.waitForEvent('load'), page.getByRole('combobox', { name: /Þáŕļéý šþéáķš/ }).selectOption('en')]);
  await openSettings(page, 'Settings');
  await page.getByRole('heading', { name: 'Language' }).waitFor();
  await page.close();
});
