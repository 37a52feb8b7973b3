import { t } from '../shared/i18n/format.js';
import { readFileSync } from 'node:fs';
import { test } from 'vitest';
import { launchChromium } from '../tests/support/browser.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { RawSipPeer } from '../tests/support/raw-sip-peer.js';
import { WebParley } from '../tests/support/web-mode.js';
import { signInAs } from '../tests/support/parley-page.js';
import { median, percentile, record, size, type Figure } from './support/record.js';

const REQUESTS = size(2000, 20);
const SECONDS = size(20, 1);
const CLICKS = size(10, 2);

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

test(`approval flood: ${REQUESTS} requests from invented watchers in ${SECONDS} s; clicks stay quick and memory bounded`, async () => {
  const bots = await RawSipPeer.start('bot', 'evil.test');
  const kamailio = await Kamailio.launch({
    users: { alice: 'alice-pw' },
    presRules: true,
    peer: { domain: 'evil.test', address: bots.address },
  });
  const browser = await launchChromium();
  const web = await WebParley.launch();
  const figures: Figure[] = [];
  try {
    const page = await browser.newPage();
    await page.goto(web.url);
    await signInAs(page, 'alice', kamailio.wsUrl);

    // A click a person makes (change my status) until the page shows what it did.
    let turn = 0;
    const click = async (): Promise<number> => {
      const [from, to] = turn++ % 2 ? ['Busy', 'Available'] : ['Available', 'Busy'];
      const started = performance.now();
      await page.getByRole('button', { name: `Status: ${from}` }).click();
      await page.getByRole('menuitemradio', { name: to }).click();
      // The engine took it and said so: the header's status shows the new one.
      await page.getByRole('button', { name: `Status: ${to}` }).waitFor();
      return performance.now() - started;
    };
    const before: number[] = [];
    for (let i = 0; i < CLICKS; i++) before.push(await click());

    const during: number[] = [];
    let flooding = true;
    const clicker = (async () => {
      while (flooding) {
        during.push(await click());
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const started = performance.now();
    const answers: Promise<{ status: number }>[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      answers.push(
        bots.request('SUBSCRIBE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
          from: `bot${i}@evil.test`,
          headers: ['Event: presence', 'Expires: 600', 'Accept: application/pidf+xml'],
        }),
      );
      // Spread over 20 s.
      const due = ((i + 1) / REQUESTS) * SECONDS * 1000;
      const wait = due - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // The test server's SQLite refuses a few under this load: count the requests it took, then wait
    // until the page shows them all.
    const taken = (await Promise.all(answers)).filter((answer) => answer.status >= 200 && answer.status < 300).length;
    // The bar above the list counts them on its Review button ("Review all 1,998", the catalogue's words).
    const bar = page.getByRole('region', { name: 'Waiting for your approval' });
    try {
      await bar.getByRole('button', { name: t('approvals.bar.review', { count: taken }) }).waitFor({ timeout: 60_000 });
    } catch (error) {
      const shown = await bar.textContent().catch(() => '(no bar)');
      throw new Error(`the bar shows "${shown}", the server took ${taken}\n${web.log.slice(-3000)}`, { cause: error });
    } finally {
      flooding = false;
      await clicker.catch(() => undefined);
    }
    const rss = rssMb(web.pid);
    const after: number[] = [];
    for (let i = 0; i < CLICKS; i++) after.push(await click());

    figures.push(
      { name: `click → page updated, before the flood (median of ${CLICKS})`, value: median(before), unit: 'ms', budget: 200 },
      {
        name: `click → page updated, during ${REQUESTS} requests in ${SECONDS} s (p90)`,
        value: percentile(during, 90),
        unit: 'ms',
        budget: 200,
        detail: `${during.length} clicks, median ${median(during).toFixed(0)} ms`,
      },
      { name: `click → page updated, after the flood (median of ${CLICKS})`, value: median(after), unit: 'ms', budget: 200 },
      {
        name: `engine RSS with ${REQUESTS} requests waiting (web mode process)`,
        value: rss,
        unit: 'MB',
        budget: 150,
        detail: `${taken} of ${REQUESTS} taken by the server`,
      },
    );
  } finally {
    record('approvals-flood', figures);
    await browser.close();
    await web.dispose();
    await kamailio.dispose();
    await bots.close();
  }
});
