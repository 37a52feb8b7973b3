import { test } from 'vitest';
import { launchChromium } from '../tests/support/browser.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { WebParley } from '../tests/support/web-mode.js';
import { addContact, contactRow, signInAs } from '../tests/support/parley-page.js';
import { median, percentile, record, size, type Figure } from './support/record.js';

const MESSAGES = size(100, 3);

test('chat between two pages: Enter in one → the message painted in the other', async () => {
  const kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
  const browser = await launchChromium();
  const [aliceParley, bobParley] = await Promise.all([WebParley.launch(), WebParley.launch()]);
  const figures: Figure[] = [];
  try {
    const [alice, bob] = await Promise.all([browser.newPage(), browser.newPage()]);
    await alice.goto(aliceParley.url);
    await signInAs(alice, 'alice', kamailio.wsUrl);
    await bob.goto(bobParley.url);
    await signInAs(bob, 'bob', kamailio.wsUrl);
    // Each adds the other and opens the conversation.
    for (const [page, peer] of [
      [alice, 'bob'],
      [bob, 'alice'],
    ] as const) {
      await addContact(page, `${peer}@${DOMAIN}`);
      await contactRow(page, `${peer}@${DOMAIN}`).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
    }
    // Bob's page notes, by the machine's clock, when each message is painted in its log.
    await bob.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: Record<string, number> }).seen = seen;
      const log = document.querySelector('[role="log"]')!;
      new MutationObserver(() => {
        log.querySelectorAll('.message .text').forEach((item) => {
          const text = (item.textContent ?? '').trim();
          if (text.startsWith('probe ') && !(text in seen)) {
            // Painted at the next frame.
            requestAnimationFrame(() => (seen[text] = performance.timeOrigin + performance.now()));
            seen[text] = -1;
          }
        });
      }).observe(log, { childList: true, subtree: true, characterData: true });
    });
    const box = alice.getByRole('textbox', { name: 'Message' });
    const latencies: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const text = `probe ${i}`;
      await box.fill(text);
      const sentAt = await alice.evaluate(() => performance.timeOrigin + performance.now());
      await box.press('Enter');
      const shownAt = await bob.waitForFunction((t) => {
        const at = (window as unknown as { seen: Record<string, number> }).seen[t];
        return at !== undefined && at > 0 ? at : false;
      }, text);
      latencies.push(((await shownAt.jsonValue()) as number) - sentAt);
    }
    figures.push(
      { name: `Enter in alice's page → painted in bob's page (median of ${MESSAGES})`, value: median(latencies), unit: 'ms', budget: 100 },
      { name: `Enter in alice's page → painted in bob's page (p99)`, value: percentile(latencies, 99), unit: 'ms', budget: 250 },
    );
  } finally {
    record('chat-pages', figures);
    await browser.close();
    await aliceParley.dispose();
    await bobParley.dispose();
    await kamailio.dispose();
  }
});
