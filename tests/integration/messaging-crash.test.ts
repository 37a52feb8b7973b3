import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { RawSipPeer } from '../support/raw-sip-peer.js';
import { seedContacts } from '../support/seed.js';
import { WebParley } from '../support/web-mode.js';

// Parley killed (SIGKILL) in the middle of a burst of 500 incoming messages: everything it
// acknowledged with a 200 is there after the restart, and nothing is there twice — not even when the
// sender sends the whole burst again.
let kamailio: Kamailio;
let mallory: RawSipPeer;

beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { alice: 'alice-pw' } });
  mallory = await RawSipPeer.start('mallory', 'elsewhere.test');
});
afterAll(async () => {
  await mallory?.close();
  await kamailio?.dispose();
});

const BURST = 500;

test('killed during a burst of 500 incoming messages: nothing acknowledged is missing, nothing is doubled after restart', async () => {
  // Mallory is a contact: a stranger's messages would be held to 100 waiting (message requests).
  const dataDir = await seedContacts(kamailio, 'alice', 0, { also: ['mallory@elsewhere.test'] });
  let parley = await WebParley.launch({ dataDir });
  try {
    await vi.waitFor(async () => expect(await kamailio.contacts('alice')).toHaveLength(1), { timeout: 15_000, interval: 50 });

    const answered = new Map<number, number>();
    const send = async (i: number) => {
      const response = await Promise.race([
        mallory.request('MESSAGE', `sip:alice@${DOMAIN}`, kamailio.sipPort, { body: `message ${i}`, callId: `burst-${i}@elsewhere.test` }),
        new Promise<{ status: number }>((resolve) => setTimeout(() => resolve({ status: 0 }), 15_000)),
      ]);
      answered.set(i, response.status);
    };
    // Ten at a time; the kill lands when about a third have been answered.
    let next = 0;
    let killed: Promise<void> | undefined;
    const worker = async () => {
      while (next < BURST) {
        const i = next++;
        await send(i);
        if (!killed && [...answered.values()].filter((status) => status === 200).length >= BURST / 3) killed = parley.kill();
      }
    };
    await Promise.all(Array.from({ length: 10 }, worker));
    await killed;
    const acknowledged = [...answered].filter(([, status]) => status === 200).map(([i]) => i);
    expect(acknowledged.length).toBeGreaterThanOrEqual(BURST / 3);
    expect(acknowledged.length).toBeLessThan(BURST);

    const stored = () => {
      const db = new Database(join(dataDir, 'parley.sqlite'), { readonly: true });
      try {
        return db
          .prepare<[], { body: string }>("SELECT body FROM messages WHERE direction = 'in' ORDER BY id")
          .all()
          .map((row) => row.body);
      } finally {
        db.close();
      }
    };
    const afterCrash = stored();
    for (const i of acknowledged) expect(afterCrash).toContain(`message ${i}`);
    expect(new Set(afterCrash).size).toBe(afterCrash.length);

    // Restarted, the whole burst comes again (same Call-IDs, as retransmissions would): each is
    // answered, none is stored twice, and the ones lost in the crash are there now.
    parley = await WebParley.launch({ dataDir });
    await vi.waitFor(async () => expect(await kamailio.contacts('alice')).toHaveLength(1), { timeout: 15_000, interval: 50 });
    answered.clear();
    next = 0;
    killed = Promise.resolve();
    await Promise.all(Array.from({ length: 10 }, worker));
    expect([...answered.values()].filter((status) => status === 200)).toHaveLength(BURST);
    const afterRestart = stored();
    expect(afterRestart).toHaveLength(BURST);
    expect(new Set(afterRestart).size).toBe(BURST);
  } finally {
    await parley.dispose();
  }
}, 120_000);
