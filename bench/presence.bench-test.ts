import { problemText } from '../shared/domain/problem.js';
import { test } from 'vitest';
import type { Engine } from '../main/engine.js';
import { launchChromium } from '../tests/support/browser.js';
import { EngineFleet } from '../tests/support/engines.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { WebParley } from '../tests/support/web-mode.js';
import { contactRow, signInAs } from '../tests/support/parley-page.js';
import { median, percentile, record, size, type Figure } from './support/record.js';

function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const tick = () => {
      if (check()) return resolve();
      if (Date.now() > deadline) return reject(new Error('timed out'));
      setTimeout(tick, 1);
    };
    tick();
  });
}

/** Adds `count` contacts c0…c<count-1>@DOMAIN to the (signed-in) engine's list. */
function addContacts(engine: Engine, count: number): void {
  for (let i = 0; i < count; i++) {
    const added = engine.contacts.add({ address: `c${i}@${DOMAIN}` });
    if (!added.ok) throw new Error(problemText(added.error));
  }
}

test('presence: status change latency, and sign-in to presence known for 200 and 1000 contacts', async () => {
  const users: Record<string, string> = { alice: 'alice-pw', bob: 'bob-pw', watcher: 'watcher-pw' };
  const lists = [size(200, 10), size(1000, 20)];
  for (const n of lists) users[`big${n}`] = `big${n}-pw`;
  // Without pres-rules every watcher is allowed at once: this measures presence, not approvals.
  const kamailio = await Kamailio.launch({ users });
  const fleet = new EngineFleet(kamailio);
  const figures: Figure[] = [];
  try {
    // Status change → the watcher's engine sees it.
    const alice = await fleet.signedIn('alice');
    const bob = await fleet.signedIn('bob');
    alice.contacts.add({ address: `bob@${DOMAIN}` });
    const bobSeen = () => alice.contacts.list().contacts.find((c) => c.uri === `sip:bob@${DOMAIN}`)!;
    await until(() => bobSeen().subscription === 'active');
    const engineLatency: number[] = [];
    const changes = size(100, 3);
    for (let i = 0; i < changes; i++) {
      const note = `engine ${i}`;
      const started = performance.now();
      bob.myPresence.set(i % 2 ? 'busy' : 'available', note);
      await until(() => bobSeen().presence.note === note);
      engineLatency.push(performance.now() - started);
    }
    figures.push(
      {
        name: `status change → watcher engine sees it, median (${changes} changes)`,
        value: median(engineLatency),
        unit: 'ms',
        budget: 100,
      },
      { name: 'status change → watcher engine sees it, p99', value: percentile(engineLatency, 99), unit: 'ms', budget: 250 },
    );

    // Status change → the watcher's page shows it (web mode + Chromium).
    const browser = await launchChromium();
    const web = await WebParley.launch();
    try {
      const page = await browser.newPage();
      await page.goto(web.url);
      await signInAs(page, 'watcher', kamailio.wsUrl);
      await page.getByRole('button', { name: 'Add contact' }).click();
      await page.getByRole('dialog', { name: 'Add contact' }).getByLabel('SIP address').fill(`bob@${DOMAIN}`);
      await page.getByRole('dialog', { name: 'Add contact' }).getByRole('button', { name: 'Add' }).click();
      // A contact is a tree item of the Contacts tree (found by the name it shows).
      await contactRow(page, `bob@${DOMAIN}`).waitFor();
      const pageLatency: number[] = [];
      const pageChanges = size(40, 3);
      for (let i = 0; i < pageChanges; i++) {
        const note = `page ${i}`;
        const started = performance.now();
        bob.myPresence.set(i % 2 ? 'away' : 'available', note);
        await page.waitForFunction((text) => document.body.textContent?.includes(text), note, { polling: 'raf' });
        pageLatency.push(performance.now() - started);
      }
      figures.push(
        {
          name: `status change → watcher page shows it, median (${pageChanges} changes)`,
          value: median(pageLatency),
          unit: 'ms',
          budget: 150,
        },
        { name: 'status change → watcher page shows it, p99', value: percentile(pageLatency, 99), unit: 'ms', budget: 400 },
      );
    } finally {
      await browser.close();
      await web.dispose();
    }

    // Sign-in → presence known (first NOTIFY in) for every contact.
    for (const count of lists) {
      const user = `big${count}`;
      const engine = await fleet.signedIn(user);
      addContacts(engine, count);
      const known = () => engine.contacts.list().contacts.every((c) => c.subscription !== 'subscribing' && c.subscription !== 'idle');
      await until(known, 120_000);
      await engine.account.signOut();
      const runs: number[] = [];
      for (let run = 0; run < size(3, 1); run++) {
        const started = performance.now();
        const signedIn = await engine.account.signIn({
          address: `${user}@${DOMAIN}`,
          password: '',
          server: kamailio.wsUrl,
          rememberPassword: true,
        });
        if (!signedIn.ok) {
          const problems = kamailio.output.split('\n').filter((line) => /ERROR|WARN|CRITICAL/.test(line));
          throw new Error(`${count} contacts, run ${run}: ${problemText(signedIn.error)}\n${problems.slice(-20).join('\n')}`);
        }
        await until(known, 120_000);
        runs.push(performance.now() - started);
        await engine.account.signOut();
      }
      figures.push({
        name: `sign-in → presence known for all ${count} contacts (median of 3)`,
        value: median(runs),
        unit: 'ms',
        budget: count >= 1000 ? 2000 : 400,
        detail: `runs: ${runs.map((v) => v.toFixed(0)).join(', ')} ms`,
      });
    }
  } finally {
    record('presence', figures);
    await fleet.dispose();
    await kamailio.dispose();
  }
});
