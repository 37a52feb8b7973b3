import { problemText } from '../shared/domain/problem.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { test } from 'vitest';
import { Engine } from '../main/engine.js';
import { FileSecretStore } from '../main/store/secret-store.js';
import { EngineFleet, withPeer } from '../tests/support/engines.js';
import { HostileSipServer } from '../tests/support/hostile-sip-server.js';
import { DOMAIN, Kamailio } from '../tests/support/kamailio.js';
import { RawSipPeer } from '../tests/support/raw-sip-peer.js';
import { PAGELESS_SDP } from '../tests/support/webrtc.js';
import { median, percentile, record, size, type Figure } from './support/record.js';

// What one sender (or a hostile server) can do to Parley, measured beside what it must still do:
// a contact's call rings during an INVITE flood, messages from a contact are bounded, a locked-out
// watcher list is read after a re-sign-in, and a registrar granting nothing meets a backoff.
const INVITES = size(4000, 40);
const INVITE_RATE = 200;
const MESSAGES = size(3000, 30);
const MESSAGE_RATE = 500;
const WATCHERS = size(750, 700);
const STORED_AWAY = size(1_500, 30);

/** Sends `count` requests spread at `perSecond`; resolves once all are sent, with their answers to come. */
async function spread<T>(count: number, perSecond: number, send: (i: number) => Promise<T>): Promise<Promise<T>[]> {
  const started = performance.now();
  const answers: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    answers.push(send(i));
    const wait = ((i + 1) / perSecond) * 1000 - (performance.now() - started);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return answers;
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

test('floods: INVITEs from strangers, MESSAGEs from a contact, a watcher list over 64 KiB after re-sign-in, a registrar granting 0 s', async () => {
  const mallory = await RawSipPeer.start('mallory', 'evil.test');
  const kamailio = await Kamailio.launch({
    users: { alice: 'alice-pw', bob: 'bob-pw' },
    presRules: true,
    msilo: true,
    peer: { domain: 'evil.test', address: mallory.address },
  });
  const fleet = new EngineFleet(kamailio);
  const figures: Figure[] = [];
  const lag = monitorEventLoopDelay({ resolution: 10 });
  try {
    const alice = await fleet.signedIn('alice');
    const bob = await fleet.signedIn('bob');
    alice.contacts.add({ address: `bob@${DOMAIN}` });
    alice.contacts.add({ address: 'sip:mallory@evil.test' });
    for (const engine of [alice, bob]) {
      engine.calls.media.onDidRequest((request) =>
        engine.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: PAGELESS_SDP } : {}) }),
      );
    }

    // INVITEs from invented strangers at 200/s, never cancelled; bob calls halfway through.
    const heapBefore = process.memoryUsage().heapUsed;
    lag.enable();
    let ringMs = 0;
    const answerTimes: number[] = [];
    /** Answers that took over a second: which INVITE, what came back, when (to tell a lost answer from a late one). */
    const late: string[] = [];
    const sent = await spread(INVITES, INVITE_RATE, async (i) => {
      if (i === Math.floor(INVITES / 2)) {
        const started = performance.now();
        const call = bob.calls.start(`alice@${DOMAIN}`, false, 'page');
        if (!call.ok) throw new Error(problemText(call.error));
        void until(() => alice.calls.list().some((c) => c.peer === `sip:bob@${DOMAIN}` && c.state === 'incoming')).then(
          () => (ringMs = performance.now() - started),
        );
      }
      const at = performance.now();
      const answer = await mallory
        .request('INVITE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
          from: `caller${i}@evil.test`,
          body: PAGELESS_SDP,
          contentType: 'application/sdp',
        })
        .then(
          (response) => response,
          () => undefined,
        );
      const took = performance.now() - at;
      answerTimes.push(took);
      if (took > 1_000) late.push(`caller${i}: ${answer ? answer.status : 'no answer'} after ${took.toFixed(0)} ms`);
      return answer;
    });
    lag.disable();
    await until(() => ringMs > 0);
    // The one stranger allowed to ring, and bob, are declined now — and so is any stranger whose
    // INVITE is still on its way and rings once the line is free (it would ring until the server
    // gave up on it, 60 s later); then every INVITE has its answer.
    const rang = new Set<string>();
    const decline = (calls: readonly { id: string; state: string }[]) => {
      for (const call of calls) {
        if (call.state !== 'incoming' || rang.has(call.id)) continue;
        rang.add(call.id);
        alice.calls.hangUp(call.id);
      }
    };
    const declining = alice.calls.onDidChange(decline);
    decline(alice.calls.list());
    const answers = await Promise.all(sent);
    declining();
    const ringing = [...rang];
    const busy = answers.filter((answer) => answer?.status === 486).length;
    figures.push(
      { name: `a contact's call rings during ${INVITES} stranger INVITEs at ${INVITE_RATE}/s`, value: ringMs, unit: 'ms', budget: 1000 },
      {
        name: 'stranger INVITE → answered (486 while one rings), p99',
        value: percentile(answerTimes, 99),
        unit: 'ms',
        budget: 500,
        detail: `${busy} of ${INVITES} answered busy at once, ${ringing.length - 1} rang (declined after); median ${median(answerTimes).toFixed(1)} ms${
          late.length > 0 ? `; over a second: ${late.slice(0, 5).join(', ')}` : ''
        }`,
      },
      { name: 'event loop delay during the INVITE flood, p99', value: lag.percentile(99) / 1e6, unit: 'ms', budget: 100 },
      {
        name: 'engine heap grown by the INVITE flood',
        value: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20,
        unit: 'MB',
        budget: 50,
        detail: `missed calls not yet seen, from ${Object.keys(alice.calls.missed()).length} callers`,
      },
    );

    // MESSAGEs from a contact at 500/s: what is stored stays within its budget.
    lag.reset();
    lag.enable();
    const sentAt = performance.now();
    const messageAnswers = await Promise.all(
      await spread(MESSAGES, MESSAGE_RATE, (i) =>
        mallory.request('MESSAGE', `sip:alice@${DOMAIN}`, kamailio.sipPort, { body: `flood ${i} ${'x'.repeat(2_000)}` }),
      ),
    );
    const messageSeconds = (performance.now() - sentAt) / 1000;
    lag.disable();
    const stored = alice.messaging.history(withPeer(alice, 'sip:mallory@evil.test'), 5000);
    figures.push(
      {
        name: `messages from one contact kept (of ${MESSAGES} of 2 KB at ${MESSAGE_RATE}/s)`,
        value: stored.ok ? stored.value.length : 0,
        unit: 'msgs',
        detail: `${messageAnswers.filter((a) => a.status === 486).length} refused 486 (over budget), in ${messageSeconds.toFixed(1)} s`,
      },
      { name: 'event loop delay during the MESSAGE flood, p99', value: lag.percentile(99) / 1e6, unit: 'ms', budget: 100 },
    );

    // Messages the server kept while alice was away, all handed over at her sign-in: how long until
    // they are stored, and how long a request from her page waits meanwhile.
    alice.contacts.add({ address: 'sip:colleague@evil.test' });
    await alice.account.signOut();
    const kept = await Promise.all(
      await spread(STORED_AWAY, 1000, (i) =>
        mallory.request('MESSAGE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
          from: 'colleague@evil.test',
          body: `while you were away ${i}`,
        }),
      ),
    );
    const storedByServer = kept.filter((answer) => answer.status === 202).length;
    const awaySignIn = performance.now();
    const slowest: number[] = [];
    let dumping = true;
    const asking = (async () => {
      while (dumping) {
        const asked = performance.now();
        await alice.handlers['chat:conversations'](undefined, { id: 'bench' });
        slowest.push(performance.now() - asked);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    await alice.account.signIn({ address: `alice@${DOMAIN}`, password: 'alice-pw', server: kamailio.wsUrl, rememberPassword: true });
    const arrived = () => {
      const page = alice.messaging.history(withPeer(alice, 'sip:colleague@evil.test'), 5000);
      return page.ok ? page.value.length : 0;
    };
    await until(() => arrived() >= storedByServer, 120_000);
    const dumpMs = performance.now() - awaySignIn;
    dumping = false;
    await asking;
    figures.push(
      {
        name: `sign-in → all ${storedByServer} messages the server kept while away are stored`,
        value: dumpMs,
        unit: 'ms',
        budget: 10_000,
      },
      {
        name: 'a request from the page while they arrive, slowest answer',
        value: Math.max(...slowest),
        unit: 'ms',
        budget: 500,
        detail: `${slowest.length} requests, median ${median(slowest).toFixed(1)} ms`,
      },
    );

    // Hundreds waiting to see alice, then a re-sign-in: the full watcher list is one NOTIFY over 64 KiB.
    for (let wave = 0; wave < WATCHERS; wave += 25) {
      await Promise.all(
        Array.from({ length: 25 }, (_, i) =>
          mallory.request('SUBSCRIBE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
            from: `watcher${wave + i}@evil.test`,
            headers: ['Event: presence', 'Expires: 3600', 'Accept: application/pidf+xml'],
          }),
        ),
      );
    }
    await alice.account.signOut();
    await mallory.request('SUBSCRIBE', `sip:alice@${DOMAIN}`, kamailio.sipPort, {
      from: 'latecomer@evil.test',
      headers: ['Event: presence', 'Expires: 3600', 'Accept: application/pidf+xml'],
    });
    const signIn = performance.now();
    await alice.account.signIn({ address: `alice@${DOMAIN}`, password: 'alice-pw', server: kamailio.wsUrl, rememberPassword: true });
    await until(() => alice.approvals.requests().some((r) => r.uri === 'sip:latecomer@evil.test'));
    figures.push({
      name: `sign-in → a request made while away shows, among ${WATCHERS} waiting (one NOTIFY over 64 KiB)`,
      value: performance.now() - signIn,
      unit: 'ms',
      budget: 3000,
      detail: `${alice.approvals.page().total} waiting`,
    });
  } finally {
    record('floods', figures);
    await fleet.dispose();
    await kamailio.dispose();
    await mallory.close();
  }

  // A registrar that answers 200 but grants 0 s: REGISTERs over a few seconds, against a storm.
  const server = await HostileSipServer.start();
  server.on('REGISTER', (request) => ({
    status: 200,
    headers: [`Contact: ${request.header('contact')!.replace(/;expires=\d+/, '')};expires=0`],
  }));
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-storm-'));
  const engine = new Engine({ dataDir: dir, mode: 'web', version: 'bench', secrets: new FileSecretStore(join(dir, 'credentials.json')) });
  try {
    const seconds = size(10, 2);
    const started = performance.now();
    await engine.account.signIn({ address: 'alice@storm.test', password: 'pw', server: server.url, rememberPassword: false });
    // Signed out with the reason; the person (or a restart) tries again now and then.
    while (performance.now() - started < seconds * 1000) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await engine.account.signIn({ address: 'alice@storm.test', password: 'pw', server: server.url, rememberPassword: false });
    }
    figures.push({
      name: `REGISTERs sent in ${seconds} s to a registrar granting 0 s (one sign-in a second)`,
      value: server.count('REGISTER'),
      unit: 'reqs',
      budget: seconds * 3,
      detail: 'each failed sign-in is one REGISTER and at most one un-REGISTER; a refresh loop was ~450 a second',
    });
  } finally {
    record('floods', figures);
    await engine.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
