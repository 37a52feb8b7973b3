import { problemText } from '../shared/domain/problem.js';
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Messager, UserAgent } from 'sip.js';
import { test } from 'vitest';
import type { ChatMessage } from '../shared/domain/chat.js';
import type { Engine } from '../main/engine.js';
import { openDatabase } from '../main/store/db.js';
import {
  conversations,
  directConversation,
  history,
  insertIncoming,
  searchMessages,
  unreadCount,
} from '../main/store/messages-repository.js';
import { WsTransport } from '../main/sip/ws-transport.js';
import { cpimMessage } from '../main/chat/cpim.js';
import { EngineFleet, withPeer } from '../tests/support/engines.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { median, percentile, record, size, type Figure } from './support/record.js';

const MESSAGES = size(1000, 20);
// PARLEY_BENCH_STORED=1000 makes a quick run (the store figures then mean little).
const STORED = Number(process.env.PARLEY_BENCH_STORED ?? size(1_000_000, 1000));

/** Resolves when `engine` reports message `id` answered (sent, stored or better). */
function answered(engine: Engine, id: number): Promise<void> {
  return new Promise((resolve) => {
    const stop = engine.messaging.onDidChange((messages: readonly ChatMessage[]) => {
      if (messages.some((m) => m.id === id && ['sent', 'stored', 'delivered', 'read', 'failed'].includes(m.state))) {
        stop();
        resolve();
      }
    });
  });
}

/** 0…n-1 in an order that depends only on `seed` (the same every run). */
function shuffled(n: number, seed: number): number[] {
  const order = [...Array(n).keys()];
  let state = (seed * 2654435761 + 1) >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (state * 1664525 + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

test(`chat: send → 200 beside raw sip.js, sustained rate with nothing lost, and a store of ${STORED.toLocaleString('en')} messages`, async () => {
  const kamailio = await Kamailio.launch({ users: { alice: 'alice-pw', bob: 'bob-pw', raw: 'raw-pw' } });
  const fleet = new EngineFleet(kamailio);
  const figures: Figure[] = [];
  try {
    // Thousands of messages from one sender in a few minutes is a flood Parley refuses past a budget;
    // this measures sending, so bob's budget is lifted.
    const unlimited = { messages: { burst: 1e9, perHour: 1e9 }, bytes: { burst: 1e12, perHour: 1e12 } };
    const [alice, bob] = await Promise.all([fleet.signedIn('alice'), fleet.signedIn('bob', { messaging: { budget: unlimited } })]);
    // Colleagues: bob has both senders in his contacts (strangers' messages are bounded as requests).
    bob.contacts.add({ address: `alice@${DOMAIN}` });
    bob.contacts.add({ address: `raw@${DOMAIN}` });
    // Raw sip.js: the same messages to the same server from a bare user agent (no store, no queue):
    // as plain text, and as the same CPIM asking for receipts (bob answers each with a delivery
    // notification, which the bare agent takes with a 200, as Parley does).
    const ua = new UserAgent({
      uri: UserAgent.makeURI(`sip:raw@${DOMAIN}`),
      transportConstructor: WsTransport,
      transportOptions: { server: kamailio.wsUrl },
      authorizationUsername: 'raw',
      authorizationPassword: 'raw-pw',
      logLevel: 'error',
      delegate: { onMessage: (message) => void message.accept() },
    });
    await ua.start();
    const target = UserAgent.makeURI(`sip:bob@${DOMAIN}`)!;
    const rawSend = async (body: string, contentType: string): Promise<number> => {
      const started = performance.now();
      await new Promise<void>((resolve, reject) => {
        void new Messager(ua, target, body, contentType).message({
          requestDelegate: { onAccept: () => resolve(), onReject: (response) => reject(new Error(String(response.message.statusCode))) },
        });
      });
      return performance.now() - started;
    };
    // Parley: store-then-send, until the 200 is recorded. "Plain" is Parley to a peer taking plain
    // text only (no receipts coming back); the capability it learned is switched for that send.
    const peers = (alice.messaging as unknown as { cpimPeers: Map<string, { cpim: boolean }> }).cpimPeers;
    const parleySend = async (text: string, receipts: boolean): Promise<number> => {
      const known = peers.get(`sip:bob@${DOMAIN}`);
      if (known) known.cpim = receipts;
      const started = performance.now();
      const sent = alice.messaging.send(withPeer(alice, `bob@${DOMAIN}`), text);
      if (!sent.ok) throw new Error(problemText(sent.error));
      await answered(alice, sent.value.id);
      return performance.now() - started;
    };
    const cpim = (i: number) =>
      cpimMessage({ from: `sip:raw@${DOMAIN}`, to: `sip:bob@${DOMAIN}`, messageId: `raw${i}x`, sentAt: Date.now(), text: `raw ${i}` });
    // Warm up every path (the first run of each compiles it), and learn bob's capabilities.
    for (let i = 0; i < size(200, 3); i++) {
      await parleySend(`warm ${i}`, true);
      await parleySend(`warm ${i}`, false);
      await rawSend(`warm ${i}`, 'text/plain');
      await rawSend(cpim(-i), 'message/cpim');
    }
    // Interleaved, so that all four see the same server, machine and heap, in a shuffled order each
    // round: a send that follows one asking for a receipt shares the wire with that receipt, and a
    // fixed order (even a turning one) made the same kind always pay for it.
    const parley: number[] = [];
    const plain: number[] = [];
    const raw: number[] = [];
    const rawCpim: number[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const round = [
        async () => parley.push(await parleySend(`message ${i}`, true)),
        async () => rawCpim.push(await rawSend(cpim(i), 'message/cpim')),
        async () => plain.push(await parleySend(`plain ${i}`, false)),
        async () => raw.push(await rawSend(`raw ${i}`, 'text/plain')),
      ];
      for (const index of shuffled(round.length, i)) await round[index]!();
    }
    await ua.stop();
    figures.push(
      { name: `send → 200, Parley with receipts (median of ${MESSAGES})`, value: median(parley), unit: 'ms' },
      { name: `send → 200, raw sip.js, the same CPIM asking for receipts (median)`, value: median(rawCpim), unit: 'ms' },
      {
        name: 'send → 200 with receipts, Parley ÷ raw sip.js (median; goal ≤ 1.2)',
        value: median(parley) / median(rawCpim),
        unit: '×',
        budget: 1.2,
      },
      {
        name: 'send → 200 with receipts, Parley ÷ raw sip.js (p99)',
        value: percentile(parley, 99) / percentile(rawCpim, 99),
        unit: '×',
        budget: 1.2,
      },
      { name: `send → 200, Parley plain text, no receipts (median of ${MESSAGES})`, value: median(plain), unit: 'ms' },
      { name: `send → 200, raw sip.js plain text (median of ${MESSAGES})`, value: median(raw), unit: 'ms' },
      {
        name: 'send → 200 plain text, Parley ÷ raw sip.js (median; goal ≤ 1.2)',
        value: median(plain) / median(raw),
        unit: '×',
        budget: 1.2,
      },
      {
        name: 'send → 200 plain text, Parley ÷ raw sip.js (p99)',
        value: percentile(plain, 99) / percentile(raw, 99),
        unit: '×',
        budget: 1.2,
      },
      {
        name: 'send → 200, Parley with receipts ÷ raw sip.js plain text (median; the receipts traffic included)',
        value: median(parley) / median(raw),
        unit: '×',
      },
      { name: `send → 200, Parley with receipts (p99)`, value: percentile(parley, 99), unit: 'ms' },
    );

    // Sustained: a burst of 1000 queued at once; every one arrives, once.
    const started = performance.now();
    let last: ChatMessage | undefined;
    for (let i = 0; i < MESSAGES; i++) {
      const sent = alice.messaging.send(withPeer(alice, `bob@${DOMAIN}`), `burst ${i}`);
      if (sent.ok) last = sent.value;
    }
    await answered(alice, last!.id);
    const seconds = (performance.now() - started) / 1000;
    figures.push({ name: `sustained send rate (a burst of ${MESSAGES})`, value: MESSAGES / seconds, unit: 'msg/s' });
    // Read from bob's own database: every one of the burst arrived, once.
    const bobDb = new Database(join(bob.dataDir, 'parley.sqlite'), { readonly: true });
    const counted = bobDb
      .prepare<[], { n: number; distinct_n: number }>(
        "SELECT count(*) AS n, count(DISTINCT body) AS distinct_n FROM messages WHERE direction = 'in' AND body LIKE 'burst %'",
      )
      .get()!;
    bobDb.close();
    figures.push({
      name: `burst messages bob stored (of ${MESSAGES}; distinct ${counted.distinct_n})`,
      value: counted.n,
      unit: 'msgs',
    });
  } finally {
    // What the network half measured stays, whatever happens to the store half.
    record('chat', figures);
    await fleet.dispose();
    await kamailio.dispose();
  }

  // A store of 1,000,000 messages over 200 conversations.
  const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'parley-bench-store-'));
  const db = openDatabase(join(dir, 'parley.sqlite'));
  const owner = `sip:alice@${DOMAIN}`;
  const words = ['lunch', 'deploy', 'meeting', 'invoice', 'coffee', 'release', 'budget', 'travel', 'report', 'weekend'];
  const filled = performance.now();
  db.transaction(() => {
    for (let i = 0; i < STORED; i++) {
      const text = `Message ${i} about the ${words[i % words.length]} and the ${words[(i * 7) % words.length]} plan`;
      const peer = `sip:p${i % 200}@${DOMAIN}`;
      const conversationId = directConversation(db, owner, peer, i).id;
      insertIncoming(db, owner, { conversationId, sender: peer, text, sentAt: i, dedupe: `d${i}`, unread: false }, i);
    }
  })();
  const fillSeconds = (performance.now() - filled) / 1000;
  const time = (run: () => unknown, times = 20) => {
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
      const t = performance.now();
      run();
      samples.push(performance.now() - t);
    }
    return median(samples);
  };
  const p7 = directConversation(db, owner, `sip:p7@${DOMAIN}`, 0).id;
  const open = time(() => history(db, owner, p7, 50));
  const latest = history(db, owner, p7, 50);
  const back = time(() => history(db, owner, p7, 50, latest[0]!.id));
  const search = time(() => searchMessages(db, owner, 'invoice release', 50));
  const list = time(() => conversations(db, owner));
  const unread = time(() => unreadCount(db, owner));
  const rss = process.memoryUsage().rss / 2 ** 20;
  db.close();
  const bytes = ['', '-wal'].reduce((sum, suffix) => {
    try {
      return sum + statSync(join(dir, `parley.sqlite${suffix}`)).size;
    } catch {
      return sum;
    }
  }, 0);
  figures.push(
    { name: `store ${STORED.toLocaleString('en')} messages (one transaction, with the search index)`, value: fillSeconds, unit: 's' },
    { name: 'open a conversation: latest 50 (median)', value: open, unit: 'ms', budget: 10 },
    { name: 'scroll back 50 (median)', value: back, unit: 'ms', budget: 10 },
    { name: 'full-text search, two words, newest 50 (median)', value: search, unit: 'ms', budget: 100 },
    { name: 'the conversation list: 200 conversations, last message and unread each (median)', value: list, unit: 'ms', budget: 10 },
    { name: 'unread total (median)', value: unread, unit: 'ms', budget: 1 },
    { name: `database size on disk with ${STORED.toLocaleString('en')} messages`, value: bytes / 2 ** 20, unit: 'MB' },
    { name: 'process RSS with that database open', value: rss, unit: 'MB' },
  );
  (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
  record('chat', figures);
}, 600_000);
