import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { endTest, launchChromium } from '../support/browser.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { WebParley } from '../support/web-mode.js';

let kamailio: Kamailio;
let browser: Browser;
const running: WebParley[] = [];

beforeAll(async () => {
  [kamailio, browser] = await Promise.all([Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw' } }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await kamailio?.dispose();
});

afterEach((context) => endTest(context, browser, running, { kamailio: () => kamailio.output }));

/** Opens web mode in a new page; `sent` collects the requests the page sends to the engine (channel names). */
async function openParley(dataDir?: string): Promise<{ parley: WebParley; page: Page; sent: string[] }> {
  const parley = await WebParley.launch(dataDir ? { dataDir } : {});
  running.push(parley);
  const page = await browser.newPage();
  const sent: string[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      const channel = /"channel":"([a-z]+:[A-Za-z]+)"/.exec(String(payload))?.[1];
      if (channel) sent.push(channel);
    }),
  );
  await page.goto(parley.url);
  return { parley, page, sent };
}

async function fillSignIn(page: Page, fields: { address: string; password: string; server: string; remember?: boolean }) {
  await page.getByLabel('SIP address').fill(fields.address);
  await page.getByLabel('Password', { exact: true }).fill(fields.password);
  await page.getByLabel('Server', { exact: true }).fill(fields.server);
  if (fields.remember !== undefined) await page.getByLabel('Remember password').setChecked(fields.remember);
}

describe('signing in through the web UI against a real Kamailio', () => {
  test('a person signs in, sees Available and is on the registrar; Sign out un-registers', async () => {
    const { page } = await openParley();
    await fillSignIn(page, { address: `alice@${DOMAIN}`, password: 'alice-pw', server: kamailio.wsUrl });
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.getByRole('button', { name: 'Status: Available' }).waitFor();
    await expect(page.getByRole('heading', { name: `alice@${DOMAIN}` }).isVisible()).resolves.toBe(true);
    expect(await kamailio.contacts('alice')).toHaveLength(1);

    await page.getByRole('button', { name: 'My account' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await kamailio.contacts('alice')).toEqual([]);
    expect(kamailio.registers('alice').at(-1)!.contact).toMatch(/;expires=0\b/);
  });

  test('a wrong password reads as a person would want, keeps the form and registers nothing', async () => {
    const { page } = await openParley();
    await fillSignIn(page, { address: `sip:bob@${DOMAIN}`, password: 'not-his-password', server: kamailio.wsUrl });
    await page.getByRole('button', { name: 'Sign in' }).click();

    await expect(page.getByRole('alert').textContent()).resolves.toBe('The server rejected the user name or password.');
    expect(await page.getByLabel('SIP address').inputValue()).toBe(`sip:bob@${DOMAIN}`);
    expect(await page.getByLabel('Server', { exact: true }).inputValue()).toBe(kamailio.wsUrl);
    expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('not-his-password');
    expect(await kamailio.contacts('bob')).toEqual([]);
    // The person is taken to the field at fault, marked invalid.
    const password = page.getByLabel('Password', { exact: true });
    await expect.poll(() => password.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await password.getAttribute('aria-invalid')).toBe('true');
  });

  test("with the Server left empty, wss:// and the address's domain are used; trouble there focuses Server", async () => {
    const { page } = await openParley();
    await fillSignIn(page, { address: 'alice@127.0.0.1', password: 'x', server: '' });
    const server = page.getByLabel('Server', { exact: true });
    expect(await server.getAttribute('placeholder')).toBe('wss://127.0.0.1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Nothing answers at wss://127.0.0.1. Check the server address and port.',
    );
    await expect.poll(() => server.evaluate((el) => el === document.activeElement)).toBe(true);
    expect(await server.getAttribute('aria-invalid')).toBe('true');
  });

  test("the page has Parley's icon (favicon), served under the strict CSP", async () => {
    const { page } = await openParley();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    const icon = await page.evaluate(async () => {
      const href = document.querySelector<HTMLLinkElement>('link[rel="icon"]')?.href ?? '';
      const response = await fetch(href);
      return { status: response.status, type: response.headers.get('content-type') };
    });
    expect(icon).toEqual({ status: 200, type: 'image/png' });
  });

  test('an unreachable server says so with its URL', async () => {
    const { page } = await openParley();
    await fillSignIn(page, { address: `alice@${DOMAIN}`, password: 'alice-pw', server: 'ws://127.0.0.1:9' });
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toBe(
      'Nothing answers at ws://127.0.0.1:9. Check the server address and port.',
    );
  });

  test('a malformed address or server URL gets an inline error on that field before anything is sent', async () => {
    const { page } = await openParley();
    await fillSignIn(page, { address: 'alice at example', password: 'x', server: 'http://example.com' });
    await page.getByRole('button', { name: 'Sign in' }).click();

    const address = page.getByLabel('SIP address');
    const server = page.getByLabel('Server', { exact: true });
    expect(await address.getAttribute('aria-invalid')).toBe('true');
    expect(await server.getAttribute('aria-invalid')).toBe('true');
    // The error is announced with the field (aria-describedby), so a screen reader reads it there.
    expect(
      await address.evaluate((el) =>
        el
          .getAttribute('aria-describedby')
          ?.split(' ')
          .map((id) => document.getElementById(id)?.textContent)
          .join(' '),
      ),
    ).toMatch(/not a SIP address/);
    expect(
      await server.evaluate((el) => document.getElementById(el.getAttribute('aria-describedby')!.split(' ')[0]!)?.textContent),
    ).toMatch(/ws:\/\/ or wss:\/\//);
    expect(await address.inputValue()).toBe('alice at example');
    expect(await page.getByRole('status').count()).toBe(0);
  });

  test('the account and (when asked) the password are remembered: the next start signs in by itself', async () => {
    const first = await openParley();
    await fillSignIn(first.page, { address: `alice@${DOMAIN}`, password: 'alice-pw', server: kamailio.wsUrl, remember: true });
    // Web mode says where the password would be kept.
    await expect(first.page.getByText(`Kept in ${first.parley.dataDir}/credentials.json`).isVisible()).resolves.toBe(true);
    await first.page.getByRole('button', { name: 'Sign in' }).click();
    await first.page.getByRole('button', { name: 'Status: Available' }).waitFor();
    await first.parley.stop();
    await first.page.close();

    const second = await openParley(first.parley.dataDir);
    await second.page.getByRole('button', { name: 'Status: Available' }).waitFor();
    expect(await kamailio.contacts('alice')).toHaveLength(1);
  });

  test('without Remember password the next start asks for the password again, address and server filled in', async () => {
    const first = await openParley();
    await fillSignIn(first.page, { address: `bob@${DOMAIN}`, password: 'bob-pw', server: kamailio.wsUrl, remember: false });
    await first.page.getByRole('button', { name: 'Sign in' }).click();
    await first.page.getByRole('button', { name: 'Status: Available' }).waitFor();
    await first.parley.stop();

    const second = await openParley(first.parley.dataDir);
    await second.page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await second.page.getByLabel('SIP address').inputValue()).toBe(`bob@${DOMAIN}`);
    expect(await second.page.getByLabel('Server', { exact: true }).inputValue()).toBe(kamailio.wsUrl);
    expect(await second.page.getByLabel('Password', { exact: true }).inputValue()).toBe('');
  });
});

describe('staying signed in', () => {
  test('server stopped and restarted: Reconnecting…, then Available again, and the registrar has the contact again', async () => {
    const { page, sent } = await openParley();
    await fillSignIn(page, { address: `alice@${DOMAIN}`, password: 'alice-pw', server: kamailio.wsUrl });
    await page.getByRole('button', { name: 'Sign in' }).click();
    const status = page.getByRole('button', { name: 'Status: Available' });
    await status.waitFor();

    await kamailio.stop();
    const banner = page.getByRole('alert').filter({ hasText: 'Trying again automatically' });
    await banner.waitFor();
    // My own presence shows as unknown while nobody can see it, and the status menu says so.
    await page.getByText('Not connected: a status or note you set now is shared as soon as Parley is back.').waitFor();
    expect(await kamailio.contacts('alice').catch(() => 'server down')).toBe('server down');

    // The banner offers "Try now": the click asks the engine to retry at once (what the engine then
    // does, skipping the backoff, is proven in tests/integration/registration.test.ts).
    expect(sent).not.toContain('connection:check');
    await page.getByRole('alert').getByRole('button', { name: 'Try now' }).click();
    await expect.poll(() => sent).toContain('connection:check');

    await kamailio.start();
    await banner.waitFor({ state: 'detached', timeout: 20_000 });
    await status.waitFor();
    expect(await kamailio.contacts('alice')).toHaveLength(1);
  });
});

describe('a private server with its own certificate', () => {
  test('the form names the problem, shows the certificate, and "Trust this certificate" signs in', async () => {
    const { HostileSipServer } = await import('../support/hostile-sip-server.js');
    const { makeCertificate } = await import('../support/certificates.js');
    const certificate = makeCertificate('localhost');
    const server = await HostileSipServer.start({ tls: certificate });
    try {
      const { page } = await openParley();
      await fillSignIn(page, { address: 'alice@private.test', password: 'pw', server: server.url });
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').textContent()).resolves.toMatch(/self-signed/);
      const shown = page.getByRole('region', { name: "The server's certificate" });
      await expect(shown.textContent()).resolves.toContain(certificate.fingerprint);
      await shown.getByRole('button', { name: 'Trust this certificate and sign in' }).click();
      await page.getByRole('button', { name: 'Status: Available' }).waitFor();
      expect(server.count('REGISTER')).toBeGreaterThanOrEqual(1);
    } finally {
      await server.close();
    }
  });
});
