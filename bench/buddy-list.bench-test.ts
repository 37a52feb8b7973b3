import { test } from 'vitest';
import { launchChromium } from '../tests/support/browser.js';
import { Kamailio } from '../tests/support/kamailio.js';
import { seedContacts } from '../tests/support/seed.js';
import { WebParley } from '../tests/support/web-mode.js';
import { median, percentile, record, size, type Figure } from './support/record.js';

const CONTACTS = 1000;
const LOADS = size(5, 1);

test('buddy list of 1000: page load → list usable, and search keystroke → list updated on screen', async () => {
  const kamailio = await Kamailio.launch({ users: { alice: 'alice-pw' }, presRules: true });
  const browser = await launchChromium();
  const figures: Figure[] = [];
  let web: WebParley | undefined;
  try {
    const dataDir = await seedContacts(kamailio, 'alice', CONTACTS, { groups: ['Team', 'Partners', 'Vendors'] });
    web = await WebParley.launch({ dataDir });

    // Load: from navigation until the list shows its first contacts and takes the focus; then End
    // (the last of 1000, scrolled to and focused).
    const loads: number[] = [];
    const ends: number[] = [];
    let nodes = 0;
    let heapMb = 0;
    for (let i = 0; i < LOADS; i++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      const started = performance.now();
      await page.goto(web.url);
      const tree = page.getByRole('tree', { name: 'Contacts' });
      const first = tree.locator('[data-name="Person 0000"]');
      await first.waitFor();
      await first.focus();
      loads.push(performance.now() - started);
      const pressed = performance.now();
      await page.keyboard.press('End');
      await page.waitForFunction(() => document.activeElement?.getAttribute('data-name')?.startsWith('Person 09'));
      ends.push(performance.now() - pressed);
      if (i === LOADS - 1) {
        nodes = await page.evaluate(() => document.getElementsByTagName('*').length);
        heapMb = await page.evaluate(
          () => (performance as unknown as { memory: { usedJSHeapSize: number } }).memory.usedJSHeapSize / 2 ** 20,
        );
        // Search: each keystroke until the next frame is painted with the filtered list (typed in
        // the page, so the figure is the page's work, not the test driver's round trip).
        const keystrokes = await page.evaluate(async () => {
          const field = document.getElementById('contact-search') as HTMLInputElement;
          const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
          const times: number[] = [];
          const words = ['Person 05', 'Person 099', 'team', 'xyz', 'Person 1'];
          for (const word of words) {
            const steps = [
              ...[...word].map((_, i) => word.slice(0, i + 1)),
              ...[...word].map((_, i) => word.slice(0, word.length - i - 1)),
            ];
            for (const value of steps) {
              const started = performance.now();
              field.value = value;
              field.dispatchEvent(new Event('input', { bubbles: true }));
              await frame();
              times.push(performance.now() - started);
            }
          }
          return times;
        });
        figures.push(
          {
            name: `search keystroke → list updated, ${CONTACTS} contacts (median of ${keystrokes.length})`,
            value: median(keystrokes),
            unit: 'ms',
            budget: 50,
          },
          {
            name: `search keystroke → list updated, ${CONTACTS} contacts (p95)`,
            value: percentile(keystrokes, 95),
            unit: 'ms',
            budget: 100,
          },
        );
      }
      await page.close();
    }
    figures.unshift(
      { name: `page load → list of ${CONTACTS} usable (median of ${LOADS})`, value: median(loads), unit: 'ms', budget: 1500 },
      { name: `page load → list of ${CONTACTS} usable (p95)`, value: percentile(loads, 95), unit: 'ms', budget: 2500 },
      { name: `End → last of ${CONTACTS} contacts focused (median of ${LOADS})`, value: median(ends), unit: 'ms', budget: 100 },
    );
    figures.push(
      { name: `DOM elements with ${CONTACTS} contacts in the list`, value: nodes, unit: 'nodes', budget: 2000 },
      { name: `page JS heap with ${CONTACTS} contacts`, value: heapMb, unit: 'MB', budget: 50 },
    );
  } finally {
    record('buddy-list', figures);
    await browser.close();
    await web?.dispose();
    await kamailio.dispose();
  }
});
