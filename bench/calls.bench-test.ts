import type { Page } from 'playwright-core';
import { test } from 'vitest';
import { launchChromium } from '../tests/support/browser.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { WebParley } from '../tests/support/web-mode.js';
import { addContact, contactRow, signInAs } from '../tests/support/parley-page.js';
import { trackPeerConnections } from '../tests/support/webrtc.js';
import { median, percentile, record, size, type Figure } from './support/record.js';
import { servePlainPages } from './support/plain-pages.js';

const CALLS = size(20, 2);

/** The machine's clock, read in a page (the same clock in every page and in Node). */

/** Waits in the page until its newest connection has received audio; returns when, by the machine's clock. */
const firstPacket = (page: Page) =>
  page.evaluate(async () => {
    const list = (window as unknown as { testPeerConnections: RTCPeerConnection[] }).testPeerConnections;
    for (;;) {
      const pc = list.at(-1);
      let packets = 0;
      if (pc) {
        (await pc.getStats()).forEach((report: { type: string; kind?: string; packetsReceived?: number }) => {
          if (report.type === 'inbound-rtp' && report.kind === 'audio') packets += report.packetsReceived ?? 0;
        });
      }
      if (packets > 0) return performance.timeOrigin + performance.now();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });

type Marks = { benchMarks: { click: number; ring: number } };

/**
 * In the page, by the machine's clock: when the last click happened (the event itself, not the
 * test driver's round trip), and when an incoming call first appeared in the DOM — the same moments
 * the floor reads from sip.js in its page.
 */
function markClicksAndRings(): void {
  const now = () => performance.timeOrigin + performance.now();
  const marks = { click: 0, ring: 0 };
  (window as unknown as Marks).benchMarks = marks;
  document.addEventListener('click', () => (marks.click = now()), true);
  new MutationObserver(() => {
    if (!marks.ring && document.querySelector('[aria-label^="Incoming call from"]')) marks.ring = now();
  }).observe(document, { subtree: true, childList: true });
}

/** JS heap of a page during a video call, median of five one-second samples (MB). */
async function heapDuringCall(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  await session.send('Performance.enable');
  const samples: number[] = [];
  for (let i = 0; i < size(5, 1); i++) {
    await page.waitForTimeout(1000);
    const { metrics } = await session.send('Performance.getMetrics');
    samples.push((metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0) / 2 ** 20);
  }
  return median(samples);
}

type Plain = {
  plain: {
    start(uri: string, password: string, server: string): Promise<void>;
    call(target: string, video?: boolean): Promise<void>;
    rangAt(): number;
    answer(video?: boolean): Promise<void>;
    hangUp(): Promise<void>;
  };
};

/** The floor: the same calls between two bare sip.js + WebRTC pages, measured the same way. */
async function floor(kamailio: Kamailio, browser: Awaited<ReturnType<typeof launchChromium>>) {
  const site = await servePlainPages();
  try {
    const pages: Page[] = [];
    for (const user of ['carol', 'dave']) {
      const page = await browser.newPage();
      await trackPeerConnections(page);
      await page.goto(site.url);
      await page.evaluate(([uri, password, server]) => (window as unknown as Plain).plain.start(uri, password, server), [
        `sip:${user}@${DOMAIN}`,
        `${user}-pw`,
        kamailio.wsUrl,
      ] as const);
      pages.push(page);
    }
    const [carol, dave] = pages as [Page, Page];
    const ring: number[] = [];
    const media: number[] = [];
    for (let i = 0; i < CALLS + 2; i++) {
      const started = await carol.evaluate((target) => {
        const at = performance.timeOrigin + performance.now();
        void (window as unknown as Plain).plain.call(target);
        return at;
      }, `sip:dave@${DOMAIN}`);
      const rang = await dave.waitForFunction(() => (window as unknown as Plain).plain.rangAt() || false, undefined, { polling: 1 });
      const rangAt = (await rang.jsonValue()) as number;
      const heard = firstPacket(carol);
      const answerAt = await dave.evaluate(() => {
        const at = performance.timeOrigin + performance.now();
        void (window as unknown as Plain).plain.answer();
        return at;
      });
      const packet = await heard;
      if (i >= 2) {
        ring.push(rangAt - started);
        media.push(packet - answerAt);
      }
      await carol.evaluate(() => (window as unknown as Plain).plain.hangUp());
    }
    await carol.evaluate((target) => (window as unknown as Plain).plain.call(target, true), `sip:dave@${DOMAIN}`);
    await dave.waitForFunction(() => (window as unknown as Plain).plain.rangAt() || false, undefined, { polling: 5 });
    await dave.evaluate(() => (window as unknown as Plain).plain.answer(true));
    await firstPacket(carol);
    const heap = await heapDuringCall(carol);
    await carol.evaluate(() => (window as unknown as Plain).plain.hangUp());
    for (const page of pages) await page.close();
    return { ring, media, heap };
  } finally {
    await site.close();
  }
}

test('calls between two pages: Call → the far end rings; Answer → the first audio packet; a video call’s renderer memory', async () => {
  const kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw', dave: 'dave-pw' } });
  const browser = await launchChromium({ media: true });
  const [aliceParley, bobParley] = await Promise.all([WebParley.launch(), WebParley.launch()]);
  const figures: Figure[] = [];
  try {
    const pages: Page[] = [];
    for (const [parley, user] of [
      [aliceParley, 'alice'],
      [bobParley, 'bob'],
    ] as const) {
      const page = await browser.newPage();
      await trackPeerConnections(page);
      await page.addInitScript(markClicksAndRings);
      await page.goto(parley.url);
      await signInAs(page, user, kamailio.wsUrl);
      pages.push(page);
    }
    const [alice, bob] = pages as [Page, Page];
    await addContact(alice, `bob@${DOMAIN}`, 'Bob');
    await contactRow(alice, 'Bob').click();
    const callButton = alice.getByRole('group', { name: 'Actions for Bob' }).getByRole('button', { name: 'Call', exact: true });
    const ring: number[] = [];
    const media: number[] = [];
    for (let i = 0; i < CALLS + 2; i++) {
      await bob.evaluate(() => ((window as unknown as Marks).benchMarks.ring = 0));
      await callButton.click();
      const started = await alice.evaluate(() => (window as unknown as Marks).benchMarks.click);
      const toast = bob.getByRole('region', { name: /^Incoming call from / });
      await toast.waitFor();
      const rang = await bob.evaluate(() => (window as unknown as Marks).benchMarks.ring);
      const heard = firstPacket(alice);
      await toast.getByRole('button', { name: 'Answer', exact: true }).click();
      const answerAt = await bob.evaluate(() => (window as unknown as Marks).benchMarks.click);
      const packet = await heard;
      // The first two calls warm the paths up; they are not counted.
      if (i >= 2) {
        ring.push(rang - started);
        media.push(packet - answerAt);
      }
      const call = alice.getByRole('region', { name: 'Call with Bob' });
      await call.getByRole('button', { name: 'Hang up' }).click();
      await call.getByRole('button', { name: 'Close' }).click();
      await bob
        .getByRole('region', { name: /^Call with / })
        .getByRole('button', { name: 'Close' })
        .click();
    }
    // A video call running for a few seconds: what the page holds.
    await alice.getByRole('group', { name: 'Actions for Bob' }).getByRole('button', { name: 'Video call' }).click();
    await bob
      .getByRole('region', { name: /^Incoming call from / })
      .getByRole('button', { name: 'Answer with video' })
      .click();
    await alice.getByRole('region', { name: 'Call with Bob' }).getByLabel('Video from Bob').waitFor();
    await firstPacket(alice);
    const heap = await heapDuringCall(alice);
    await alice.getByRole('region', { name: 'Call with Bob' }).getByRole('button', { name: 'Hang up' }).click();
    const plain = await floor(kamailio, browser);
    const ratio = (parley: number, bare: number) => `${(parley / bare).toFixed(2)}× the floor (plain sip.js pages: ${bare.toFixed(0)} ms)`;
    figures.push(
      {
        name: `Call → far end ringing (median of ${CALLS})`,
        value: median(ring),
        unit: 'ms',
        budget: 500,
        detail: ratio(median(ring), median(plain.ring)),
      },
      {
        name: `Call → far end ringing (p99)`,
        value: percentile(ring, 99),
        unit: 'ms',
        budget: 1000,
        detail: ratio(percentile(ring, 99), percentile(plain.ring, 99)),
      },
      {
        name: `Answer → first audio packet in the caller's page (median of ${CALLS})`,
        value: median(media),
        unit: 'ms',
        budget: 500,
        detail: ratio(median(media), median(plain.media)),
      },
      {
        name: `Answer → first audio packet (p99)`,
        value: percentile(media, 99),
        unit: 'ms',
        budget: 1000,
        detail: ratio(percentile(media, 99), percentile(plain.media, 99)),
      },
      {
        name: 'renderer JS heap during a video call (median of 5 s)',
        value: heap,
        unit: 'MB',
        budget: 100,
        detail: `${(heap / plain.heap).toFixed(2)}× a plain sip.js page's ${plain.heap.toFixed(1)} MB (Parley's page also holds the buddy list, chat and settings UI)`,
      },
    );
  } finally {
    record('calls', figures);
    await browser.close();
    await aliceParley.dispose();
    await bobParley.dispose();
    await kamailio.dispose();
  }
}, 300_000);
