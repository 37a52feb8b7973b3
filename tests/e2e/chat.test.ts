import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { endTest, launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';
import { EngineFleet, withPeer } from '../support/engines.js';
import { addContact, contactRow, messagesLog, signInAs } from '../support/parley-page.js';
import { seedContacts } from '../support/seed.js';
import { openDatabase } from '../../main/store/db.js';
import { directConversation, insertIncoming } from '../../main/store/messages-repository.js';
import { join } from 'node:path';

// Two people chatting in two web-mode Parleys, through a real Kamailio (with msilo).
let kamailio: Kamailio;
let browser: Browser;
const running: WebParley[] = [];

beforeAll(async () => {
  const users = Object.fromEntries(['alice', 'bob', 'carol', 'dave'].map((u) => [u, `${u}-pw`]));
  [kamailio, browser] = await Promise.all([Kamailio.launch({ users, presRules: true, msilo: true }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
});
afterEach((context) => endTest(context, browser, running));

async function signIn(user: string): Promise<Page> {
  const parley = await WebParley.launch();
  running.push(parley);
  const page = await browser.newPage();
  await page.goto(parley.url);
  await signInAs(page, user, kamailio.wsUrl);
  return page;
}

const row = contactRow;
const log = messagesLog;

/** Whether an element is inside the window. */
const inView = (locator: Locator) =>
  locator.evaluate((el) => {
    const box = el.getBoundingClientRect();
    return box.top >= 0 && box.bottom <= window.innerHeight;
  });

/**
 * Opens web mode as alice, signed in, with `contacts` seeded contacts (person0…) and 120 stored
 * messages from `peer`; the oldest says "The wifi password is pineapple-42".
 */
async function openWithHistory(peer: string, contacts: number): Promise<Page> {
  const dataDir = await seedContacts(kamailio, 'alice', contacts);
  const db = openDatabase(join(dataDir, 'parley.sqlite'));
  const start = Date.now() - 120 * 60_000;
  const conversationId = directConversation(db, `sip:alice@${DOMAIN}`, peer, start).id;
  for (let i = 0; i < 120; i++) {
    const text = i === 0 ? 'The wifi password is pineapple-42' : `Message number ${i}`;
    insertIncoming(
      db,
      `sip:alice@${DOMAIN}`,
      { conversationId, sender: peer, text, sentAt: start + i * 60_000, dedupe: `seed-${i}`, unread: false },
      start,
    );
  }
  db.close();
  const parley = await WebParley.launch({ dataDir });
  running.push(parley);
  const page = await browser.newPage();
  await page.goto(parley.url);
  await page.getByRole('button', { name: 'Status: Available' }).waitFor();
  return page;
}

describe('a conversation between two people', () => {
  test('alice writes to bob (markup stays text, Shift+Enter is a new line); bob sees it unread, opens it, replies; both logs agree', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    await addContact(alice, `bob@${DOMAIN}`, 'Bob');
    // Alice's request reaches bob first (its bar moves his list down), then he adds her.
    await bob.getByRole('region', { name: 'Waiting for your approval' }).waitFor();
    await addContact(bob, `alice@${DOMAIN}`, 'Alice');

    await row(alice, 'Bob').dblclick();
    const box = alice.getByRole('textbox', { name: 'Message' });
    await expect.poll(() => box.evaluate((el) => el === document.activeElement)).toBe(true);
    // Bob has the conversation open: he sees alice typing, and not once she clears the box.
    await row(bob, 'Alice').focus();
    await bob.keyboard.press('Enter');
    const typing = bob.getByRole('status').filter({ hasText: 'Alice is typing…' });
    await box.pressSequentially('hel');
    await typing.waitFor();
    await box.fill('');
    await box.dispatchEvent('input');
    await typing.waitFor({ state: 'detached' });
    await bob.keyboard.press('Escape');
    await box.fill('<img src=x onerror=alert(1)> hello');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line 👋');
    await box.press('Enter');
    await log(alice)
      .getByText(/^(Sent|Delivered|Read)$/)
      .waitFor();
    expect(await box.inputValue()).toBe('');

    // Bob: an unread count on Alice and in the title, then the message as text.
    await row(bob, 'Alice').filter({ hasText: '1' }).getByText('unread', { exact: false }).waitFor();
    await expect.poll(() => bob.title()).toBe('(1) Parley');
    await row(bob, 'Alice').focus();
    await bob.keyboard.press('Enter');
    const received = log(bob).getByRole('listitem').filter({ hasText: 'hello' });
    await received.waitFor();
    expect(await received.getByText(/^<img src=x onerror=alert\(1\)> hello/).innerText()).toBe(
      '<img src=x onerror=alert(1)> hello\nsecond line 👋',
    );
    expect(await log(bob).locator('img').count()).toBe(0);
    await expect.poll(() => bob.title()).toBe('Parley');

    await bob.getByRole('textbox', { name: 'Message' }).fill('hi alice, see https://example.org/page.');
    await bob.getByRole('button', { name: 'Send' }).click();
    const reply = log(alice).getByRole('listitem').filter({ hasText: 'hi alice' });
    await reply.waitFor();
    // A link, and only the address itself (not the full stop after it).
    await expect(reply.getByRole('link').getAttribute('href')).resolves.toBe('https://example.org/page');
    // Read at once: the conversation was on screen.
    await expect.poll(() => alice.title()).toBe('Parley');
  });

  test('what is typed while a message is being sent stays in the box; only what was sent is cleared', async () => {
    const carol = await signIn('carol');
    await addContact(carol, `dave@${DOMAIN}`, 'Dave');
    // Main takes its time with each send (a busy engine, a slow link): 400 ms on the way there.
    await carol.evaluate(() => {
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (this: WebSocket, data: string) {
        if (typeof data === 'string' && data.includes('"chat:send"')) setTimeout(() => send.call(this, data), 400);
        else send.call(this, data);
      };
    });
    await row(carol, 'Dave').dblclick();
    const box = carol.getByRole('textbox', { name: 'Message' });
    await box.fill('first thought');
    await box.press('Enter');
    // Typed straight after Enter, before main has answered.
    await box.pressSequentially('and a second');
    await log(carol).getByText('first thought').waitFor();
    await expect.poll(() => log(carol).getByRole('listitem').count()).toBe(1);
    expect(await box.inputValue()).toBe('and a second');
  });

  test('a burst of 600 from one contact into the open conversation: all arrive, the page keeps a bounded window, and reads are told about once a second', async () => {
    const carol = await signIn('carol');
    await addContact(carol, `dave@${DOMAIN}`, 'Dave');
    // Count what the page asks main to mark read.
    await carol.evaluate(() => {
      const counted = window as unknown as { markReads: number };
      counted.markReads = 0;
      const send = WebSocket.prototype.send;
      WebSocket.prototype.send = function (this: WebSocket, data: string) {
        if (typeof data === 'string' && data.includes('"chat:markRead"')) counted.markReads++;
        send.call(this, data);
      };
    });
    await row(carol, 'Dave').dblclick();
    const fleet = new EngineFleet(kamailio);
    try {
      const dave = await fleet.signedIn('dave');
      dave.contacts.add({ address: `carol@${DOMAIN}` });
      const started = Date.now();
      for (let i = 0; i < 600; i++) expect(dave.messaging.send(withPeer(dave, `sip:carol@${DOMAIN}`), `burst ${i}`).ok).toBe(true);
      await log(carol).getByText('burst 599', { exact: true }).waitFor({ timeout: 60_000 });
      const seconds = (Date.now() - started) / 1000;
      // The page holds a window of the latest messages, not all 600; the rest load on scrolling up.
      const shown = await log(carol).getByRole('listitem').count();
      expect(shown).toBeLessThanOrEqual(400);
      expect(shown).toBeGreaterThan(100);
      // One mark-read per second or so while they poured in, not one per message.
      const markReads = await carol.evaluate(() => (window as unknown as { markReads: number }).markReads);
      expect(markReads).toBeLessThanOrEqual(seconds + 3);
      // Nothing waits unread: the conversation is on screen.
      await expect.poll(() => carol.title()).toBe('Parley');
      // And the page still answers at once.
      await carol.getByRole('textbox', { name: 'Message' }).fill('that was a lot');
      await carol.getByRole('textbox', { name: 'Message' }).press('Enter');
      await log(carol).getByText('that was a lot').waitFor({ timeout: 5_000 });
    } finally {
      await fleet.dispose();
    }
  });

  test('a message over the limit is refused before sending, the limit said in words, the text kept', async () => {
    const carol = await signIn('carol');
    await addContact(carol, `dave@${DOMAIN}`, 'Dave');
    await row(carol, 'Dave').dblclick();
    const box = carol.getByRole('textbox', { name: 'Message' });
    await box.fill('x'.repeat(5000));
    await box.press('Enter');
    await carol
      .getByRole('alert')
      .filter({ hasText: /at most 4,096 bytes/ })
      .waitFor();
    expect(await box.inputValue()).toHaveLength(5000);
    expect(await log(carol).getByRole('listitem').count()).toBe(0);
    // Shortened below the limit, the error goes (it is about the text, and the text is fine now).
    await box.fill('x'.repeat(4000));
    await carol
      .getByRole('alert')
      .filter({ hasText: /at most 4,096 bytes/ })
      .waitFor({ state: 'detached' });
  });

  test('to someone signed out: "will be delivered when they sign in"; they get it when they do', async () => {
    const carol = await signIn('carol');
    await addContact(carol, `dave@${DOMAIN}`, 'Dave');
    await row(carol, 'Dave').dblclick();
    await carol.getByRole('textbox', { name: 'Message' }).fill('see you tomorrow');
    await carol.getByRole('textbox', { name: 'Message' }).press('Enter');
    await log(carol).getByText('Will be delivered when they sign in').waitFor();

    const dave = await signIn('dave');
    // Not a contact of dave's: the message waits in Message requests.
    await dave
      .getByRole('status')
      .filter({ hasText: `Message from carol@${DOMAIN}` })
      .getByRole('button', { name: 'Review' })
      .click();
    const request = dave.getByRole('list', { name: 'Message requests' }).getByRole('listitem', { name: `carol@${DOMAIN}` });
    await request.getByText('see you tomorrow').waitFor();
    // Opened, the conversation says carol is not a contact and offers the same choices; Accept there
    // takes her as a contact, and the choices go.
    await request.getByRole('button', { name: 'Open' }).click();
    await log(dave).getByText('see you tomorrow').waitFor();
    const choices = dave.getByRole('group', { name: 'Not in your contacts' });
    await choices.getByText(`carol@${DOMAIN} is not in your contacts.`).waitFor();
    await choices.getByRole('button', { name: 'Accept' }).click();
    await row(dave, `carol@${DOMAIN}`).waitFor();
    await choices.waitFor({ state: 'detached' });
  });

  test('search finds an old message in a long conversation and opens it there, highlighted; reading on loads what followed', async () => {
    // Alice's history with bob: 120 messages, the one she looks for is the oldest.
    const page = await openWithHistory(`sip:bob@${DOMAIN}`, 0);

    await page.getByRole('button', { name: 'My account' }).click();
    await page.getByRole('menuitem', { name: 'Search messages' }).click();
    const field = page.getByRole('searchbox', { name: 'Search messages' });
    await field.fill('pineapple');
    await field.press('Enter');
    const results = page.getByRole('list', { name: 'Results' });
    await results.getByRole('button', { name: /pineapple-42/ }).click();
    const found = log(page).locator('[aria-current="true"]');
    await found.getByText('The wifi password is pineapple-42').waitFor();
    // In view, not 119 messages up.
    await expect.poll(() => inView(found)).toBe(true);
    // Only a page from there is loaded; scrolling down reads on to the latest, with no gap.
    expect(await log(page).getByText('Message number 119', { exact: true }).count()).toBe(0);
    const latest = log(page).getByText('Message number 119', { exact: true });
    await expect
      .poll(async () => {
        await log(page).hover();
        await page.mouse.wheel(0, 4000);
        return latest.count();
      })
      .toBe(1);
    expect(await log(page).getByRole('listitem').count()).toBe(120);
    expect(await page.getByRole('button', { name: 'Show newer messages' }).count()).toBe(0);
  });

  test('a long conversation opens at its latest messages; scrolling up loads older ones and keeps in place what you were reading', async () => {
    const page = await openWithHistory(`sip:person0@${DOMAIN}`, 1);
    await row(page, 'Person 0000').dblclick();
    await log(page).getByText('Message number 119', { exact: true }).waitFor();
    // The latest page: 70…119, not the oldest.
    expect(await log(page).getByText('Message number 69', { exact: true }).count()).toBe(0);
    const reading = log(page).getByText('Message number 70', { exact: true });
    await log(page).hover();
    await page.mouse.wheel(0, -20_000);
    await log(page).getByText('Message number 69', { exact: true }).waitFor();
    // The page came in above: the message that was at the top is still in view, not pushed away.
    await expect.poll(() => inView(reading)).toBe(true);
    // On up to the first message; then there is nothing earlier to show.
    const first = log(page).getByText('The wifi password is pineapple-42');
    await expect
      .poll(async () => {
        await page.mouse.wheel(0, -20_000);
        return first.count();
      })
      .toBe(1);
    await expect.poll(() => page.getByRole('button', { name: 'Show earlier messages' }).count()).toBe(0);
  });

  test("the desktop app's window for one conversation (the same page, opened for one person) shows it alone and sends", async () => {
    const alice = await signIn('alice');
    await addContact(alice, `bob@${DOMAIN}`, 'Bob');
    // Opened once in the main window: a fresh store numbers its first conversation 1.
    await row(alice, 'Bob').dblclick();
    await alice.getByRole('textbox', { name: 'Message' }).waitFor();
    const url = new URL(alice.url());
    url.search = '?conversation=1';
    const own = await browser.newPage();
    await own.goto(url.toString());
    await own.getByRole('heading', { name: 'Bob' }).waitFor();
    await expect.poll(() => own.title()).toBe('Bob — Parley');
    // Only the conversation: no buddy list in this window.
    expect(await own.getByRole('tree', { name: 'Contacts' }).count()).toBe(0);
    await own.getByRole('textbox', { name: 'Message' }).fill('from its own window');
    await own.getByRole('textbox', { name: 'Message' }).press('Enter');
    await log(own).getByText('from its own window').waitFor();
    // The main window hears it too.
    await row(alice, 'Bob').dblclick();
    await log(alice).getByText('from its own window').waitFor();
  });

  test('a sip: address in a message opens that conversation in Parley; javascript: stays text', async () => {
    const carol = await signIn('carol');
    await addContact(carol, `dave@${DOMAIN}`, 'Dave');
    await row(carol, 'Dave').dblclick();
    const box = carol.getByRole('textbox', { name: 'Message' });
    await box.fill(`ask sip:bob@${DOMAIN} about javascript:alert(1)`);
    await box.press('Enter');
    const mine = log(carol).getByRole('listitem').filter({ hasText: 'ask' });
    await mine.waitFor();
    expect(await mine.getByRole('link').count()).toBe(0);
    await mine.getByRole('button', { name: `sip:bob@${DOMAIN}` }).click();
    await carol.getByRole('heading', { name: `bob@${DOMAIN}` }).waitFor();
  });
});
