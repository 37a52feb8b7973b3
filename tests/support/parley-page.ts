import type { Browser, Page } from 'playwright-core';
import { WebParley } from './web-mode.js';
import { trackPeerConnections } from './webrtc.js';
import { DOMAIN } from './kamailio.js';
import { t, type MessageKey, type MessageValues } from '../../shared/i18n/format.js';

/** Fills and submits the sign-in form as `user` (password `<user>-pw`), then waits for Available. */
export async function signInAs(page: Page, user: string, server: string, options: SignInOptions = {}): Promise<void> {
  const words = options.words ?? t;
  await fillSignIn(page, user, server, options);
  await page.getByRole('button', { name: words('signIn.submit'), exact: true }).click();
  await page.getByRole('button', { name: words('me.status', { status: words('presence.available') }) }).waitFor();
}

interface SignInOptions {
  readonly remember?: boolean;
  /** The words the page speaks (the catalogue's in the language chosen), English by default. */
  readonly words?: Words;
}

/**
 * A new web-mode Parley (kept in `running`, for the test's end to stop) and a page signed in as
 * `user` that lists its RTCPeerConnections, for call tests.
 */
export async function signedInCallPage(browser: Browser, running: WebParley[], user: string, server: string): Promise<Page> {
  const parley = await WebParley.launch();
  running.push(parley);
  const page = await browser.newPage();
  await trackPeerConnections(page);
  await page.goto(parley.url);
  await signInAs(page, user, server);
  return page;
}

/** Fills the sign-in form's usual fields as `user`, without submitting it. */
export async function fillSignIn(page: Page, user: string, server: string, options: SignInOptions = {}): Promise<void> {
  const words = options.words ?? t;
  await page.getByLabel(words('signIn.address')).fill(`${user}@${DOMAIN}`);
  await page.getByLabel(words('signIn.password'), { exact: true }).fill(`${user}-pw`);
  await page.getByLabel(words('signIn.server'), { exact: true }).fill(server);
  if (options.remember !== undefined) await page.getByLabel(words('signIn.remember')).setChecked(options.remember);
}

/**
 * Opens the Add contact dialog. Right after sign-in an approval request can arrive and its bar push
 * the list down between the test's aim and its click, which then lands on the bar (CI runs showed
 * exactly that page): as a person would, click again once.
 */
export async function openAddContact(page: Page) {
  const dialog = page.getByRole('dialog', { name: 'Add contact' });
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('button', { name: 'Add contact' }).click();
    const opened = await dialog.waitFor({ timeout: 5_000 }).then(
      () => true,
      () => false,
    );
    if (opened) return dialog;
    if (attempt === 2)
      throw new Error(`Add contact did not open its dialog (twice); the page:\n${await page.locator('body').ariaSnapshot()}`);
  }
}

/**
 * Adds a contact through the Add contact dialog, and waits until the dialog has closed (the contact
 * is stored); if it does not close, says what the page showed instead of leaving a bare timeout.
 */
export async function addContact(page: Page, address: string, name = ''): Promise<void> {
  const dialog = await openAddContact(page);
  await dialog.getByLabel('SIP address').fill(address);
  if (name) await dialog.getByLabel('Display name').fill(name);
  await dialog.getByRole('button', { name: 'Add' }).click();
  try {
    await dialog.waitFor({ state: 'hidden', timeout: 15_000 });
  } catch {
    const shown = await page
      .locator('body')
      .ariaSnapshot({ timeout: 2_000 })
      .catch((error: unknown) => String(error));
    throw new Error(`Adding ${address} did not close the dialog; the page showed:\n${shown.slice(0, 4000)}`);
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

type Words = (key: MessageKey, values?: MessageValues) => string;

/** The buddy list. */
export const contactTree = (page: Page, words: Words = t) => page.getByRole('tree', { name: words('contacts.heading') });

/** A contact's row, named by its text: "Name, status — note" (in the pseudo-locale the words after the name are bracketed). */
export const contactRow = (page: Page, name: string, words: Words = t) =>
  contactTree(page, words).getByRole('treeitem', { name: new RegExp(`^${escape(name)}\\s*(\\[?,|$)`) });

/** Opens a contact's card from their row in the list. */
export async function openCard(page: Page, name: string, words: Words = t) {
  await contactRow(page, name, words).click();
  const card = page.getByRole('region', { name });
  await card.getByRole('heading', { name }).waitFor();
  return card;
}

/** The bar above the list with the oldest approval request. */
export const approvalsBar = (page: Page) => page.getByRole('region', { name: 'Waiting for your approval' });

/** A conversation's messages. */
export const messagesLog = (page: Page) => page.getByRole('log', { name: 'Messages' });
