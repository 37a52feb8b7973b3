import { problemText } from '../shared/domain/problem.js';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { test } from 'vitest';
import { launchChromium } from '../tests/support/browser.js';
import { EngineFleet } from '../tests/support/engines.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { addContact, signInAs } from '../tests/support/parley-page.js';
import { RawSipPeer } from '../tests/support/raw-sip-peer.js';
import { WebParley } from '../tests/support/web-mode.js';
import { PAGELESS_SDP } from '../tests/support/webrtc.js';
import { median, percentile, record, size, type Figure } from './support/record.js';

// The INVITE flood as a person meets it: web-mode Parley (its own process) with its page open,
// 4,000 INVITEs from invented strangers at 200/s, a colleague calling halfway through. Measured:
// when the colleague's call shows in the page, the process's RSS and the page's heap before and
// after, and how quickly a click is answered during the flood.
const INVITES = size(4000, 40);
const INVITE_RATE = 200;

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

/** The page's JS heap after a full garbage collection (MB). */
async function pageHeapMb(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  await session.send('HeapProfiler.collectGarbage');
  const { usedSize } = await session.send('Runtime.getHeapUsage');
  await session.detach();
  return usedSize / 2 ** 20;
}

test(`INVITE flood in web mode: ${INVITES} stranger INVITEs at ${INVITE_RATE}/s against a page; a contact's call shows, memory stays bounded`, async () => {
  const mallory = await RawSipPeer.start('mallory', 'evil.test');
  const kamailio = await Kamailio.launch({
    users: { alice: 'alice-pw', bob: 'bob-pw' },
    peer: { domain: 'evil.test', address: mallory.address },
  });
  const browser = await launchChromium();
  const web = await WebParley.launch();
  const fleet = new EngineFleet(kamailio);
  const figures: Figure[] = [];
  try {
    const page = await browser.newPage();
    await page.goto(web.url);
    await signInAs(page, 'alice', kamailio.wsUrl);
    await addContact(page, `bob@${DOMAIN}`, 'Bob');
    const bob = await fleet.signedIn('bob');
    bob.calls.media.onDidRequest((request) =>
      bob.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: PAGELESS_SDP } : {}) }),
    );
    const rssBefore = rssMb(web.pid);
    const heapBefore = await pageHeapMb(page);

    // A click a person makes during the flood (my status menu opens and closes).
    const clicks: number[] = [];
    let flooding = true;
    const clicker = (async () => {
      while (flooding) {
        const started = performance.now();
        await page.getByRole('button', { name: /^Status: / }).click();
        await page.getByRole('menuitemradio', { name: 'Available' }).waitFor();
        await page.keyboard.press('Escape');
        await page.getByRole('menuitemradio', { name: 'Available' }).waitFor({ state: 'detached' });
        clicks.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    })();

    let ringShown: Promise<number> = Promise.resolve(0);
    const started = performance.now();
    let answered = 0;
    for (let i = 0; i < INVITES; i++) {
      if (i === Math.floor(INVITES / 2)) {
        const at = performance.now();
        const call = bob.calls.start(`alice@${DOMAIN}`, false, 'page');
        if (!call.ok) throw new Error(problemText(call.error));
        ringShown = page
          .getByRole('region', { name: /^Incoming call from Bob/ })
          .waitFor({ timeout: 30_000 })
          .then(() => performance.now() - at);
      }
      void mallory
        .request('INVITE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
          from: `caller${i}@evil.test`,
          body: PAGELESS_SDP,
          contentType: 'application/sdp',
        })
        .then(
          () => answered++,
          () => undefined,
        );
      const wait = ((i + 1) / INVITE_RATE) * 1000 - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const ringMs = await ringShown;
    flooding = false;
    await clicker;
    // Bob gives up. (The one stranger allowed to ring rings on: its INVITE is answered when it is
    // declined or its ring bound ends; every other one was answered busy at once.)
    for (const call of bob.calls.list()) bob.calls.hangUp(call.id);
    const rssAfter = rssMb(web.pid);
    const heapAfter = await pageHeapMb(page);
    figures.push(
      {
        name: `a contact's call shows in the page during ${INVITES} stranger INVITEs at ${INVITE_RATE}/s`,
        value: ringMs,
        unit: 'ms',
        budget: 2000,
      },
      {
        name: 'a click answered during the flood (status menu opens and closes), p95',
        value: percentile(clicks, 95),
        unit: 'ms',
        budget: 500,
        detail: `median ${median(clicks).toFixed(0)} ms over ${clicks.length} clicks; ${answered} of ${INVITES} INVITEs answered by the flood's end`,
      },
      {
        name: 'web-mode process RSS grown by the flood',
        value: rssAfter - rssBefore,
        unit: 'MB',
        budget: 80,
        detail: `${rssBefore.toFixed(0)} → ${rssAfter.toFixed(0)} MB`,
      },
      {
        name: "page's JS heap grown by the flood (after GC)",
        value: heapAfter - heapBefore,
        unit: 'MB',
        budget: 10,
        detail: `${heapBefore.toFixed(1)} → ${heapAfter.toFixed(1)} MB`,
      },
    );
  } finally {
    record('call-flood-web', figures);
    await fleet.dispose();
    await web.stop();
    await browser.close();
    await kamailio.dispose();
    await mallory.close();
  }
}, 300_000);
