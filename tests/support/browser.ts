import { chromium, type Browser } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterEach, type TestContext } from 'vitest';
import type { WebParley } from './web-mode.js';

/** Browsers this test file launched, so that a failing test can show what their pages showed. */
const launched = new Set<Browser>();

/** Debian's Chromium, headless, without any of its calls home (the network here is closed). */
export async function launchChromium(options: { media?: boolean; autoplay?: boolean } = {}): Promise<Browser> {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
  ];
  // As the desktop app's windows are (autoplayPolicy): a call window rings without a click in it.
  if (options.autoplay) args.push('--autoplay-policy=no-user-gesture-required');
  if (options.media) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection');
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
  launched.add(browser);
  browser.on('disconnected', () => launched.delete(browser));
  return browser;
}

// When an end-to-end test fails, a timeout alone says little: print what each open page offered a
// screen reader at that moment (its accessibility tree, shortened) and keep a screenshot.
// Files whose own afterEach closes the engines call this first (after-hooks run last-registered first).
const shown = new WeakSet<object>();
export async function showPagesIfFailed(context: TestContext): Promise<void> {
  if (context.task.result?.state !== 'fail' || shown.has(context.task)) return;
  shown.add(context.task);
  const dir = join(process.env.PARLEY_FAILURES_DIR ?? join(tmpdir(), 'parley-test-failures'));
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const browser of launched) {
    for (const browserContext of browser.contexts()) {
      for (const page of browserContext.pages()) {
        n += 1;
        try {
          const tree = await page.locator('body').ariaSnapshot({ timeout: 2000 });
          const file = join(dir, `${context.task.name.slice(0, 60).replace(/[^\w-]+/g, '_')}-${n}.png`);
          await page.screenshot({ path: file, timeout: 2000 }).catch(() => undefined);
          console.error(
            `\n── page ${n} (${page.url().replace(/secret=[^&#]+/, 'secret=…')}) at the failure; screenshot ${file}\n${tree.slice(0, 6000)}`,
          );
        } catch (error) {
          console.error(`── page ${n}: no snapshot (${String(error)})`);
        }
      }
    }
  }
}
afterEach(showPagesIfFailed);

/**
 * The end of an end-to-end test: on failure, what the pages showed, the web-mode engines' logs and
 * any other `logs` given (a server's, a phone's), each shortened; then the engines stop and the
 * test's pages close (each page had its own context), so nothing piles up over the file.
 */
export async function endTest(
  context: TestContext,
  browser: Browser,
  running: WebParley[],
  logs: Record<string, () => string> = {},
): Promise<void> {
  await showPagesIfFailed(context);
  if (context.task.result?.state === 'fail') {
    const tail = (text: string) => text.split('\n').slice(-40).join('\n');
    for (const parley of running) console.error(`web mode log (tail):\n${tail(parley.log)}`);
    for (const [name, log] of Object.entries(logs)) console.error(`${name} log (tail):\n${tail(log())}`);
  }
  for (const parley of running.splice(0)) await parley.dispose();
  for (const browserContext of browser.contexts()) await browserContext.close();
}
