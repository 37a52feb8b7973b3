import { problemText } from '../../../shared/domain/problem.js';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../../main/engine.js';
import { hubForFile } from '../../support/sip-hub.js';
import { withPeer } from '../../support/engines.js';
import { EMPTY_CONVERSATIONS_MAX } from '../../../main/store/messages-repository.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Chat logic between real engines (sip.js, SQLite) through the in-process SIP hub: no Kamailio.
const net = hubForFile({ beforeAll, afterAll });

let users = 0;
const person = () => net.fleet.signedIn(`m${++users}`);
const uri = (engine: Engine) => engine.connection.account!.uri;
const until = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 5 });
const texts = (engine: Engine, peer: string) => {
  const history = engine.messaging.history(withPeer(engine, peer), 50);
  return history.ok ? history.value.map((message) => message.text) : [];
};

test('between contacts: each message arrives once, in order, and the sender sees it delivered', async () => {
  const [ada, bo] = [await person(), await person()];
  ada.contacts.add({ address: uri(bo) });
  bo.contacts.add({ address: uri(ada) });
  for (const text of ['one', 'two', 'three']) expect(ada.messaging.send(withPeer(ada, uri(bo)), text).ok).toBe(true);
  await until(() => expect(texts(bo, uri(ada))).toEqual(['one', 'two', 'three']));
  await until(() => {
    const history = ada.messaging.history(withPeer(ada, uri(bo)), 50);
    expect(history.ok && history.value.map((message) => message.state)).toEqual(['delivered', 'delivered', 'delivered']);
  });
  expect(net.hub.seen.filter((line) => line === `MESSAGE ${uri(bo).slice(4, uri(bo).indexOf('@'))}`)).toHaveLength(3);
});

test('to someone signed out: the message fails, and Try again sends it exactly once when they are back', async () => {
  const ada = await person();
  const gone = `sip:m${++users}@${net.hub.domain}`;
  const sent = ada.messaging.send(withPeer(ada, gone), 'are you there?');
  if (!sent.ok) throw new Error(problemText(sent.error));
  await until(() => {
    const history = ada.messaging.history(withPeer(ada, gone), 50);
    expect(history.ok && history.value[0]?.state).toBe('failed');
  });
  const bo = await net.fleet.signedIn(gone.slice(4, gone.indexOf('@')));
  expect(ada.messaging.retry(sent.value.id).ok).toBe(true);
  await until(() => expect(texts(bo, uri(ada))).toEqual(['are you there?']));
  await until(() => {
    const history = ada.messaging.history(withPeer(ada, gone), 50);
    expect(history.ok && history.value.map((message) => message.state)).not.toContain('failed');
  });
  expect(texts(ada, gone)).toEqual(['are you there?']);
});

test('written while the connection is down and Parley then quit: sent exactly once after the next start, then delivered', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-outbox-'));
  try {
    const user = `m${++users}`;
    const ada = await net.fleet.signedIn(user, { dataDir });
    const bo = await person();
    ada.contacts.add({ address: uri(bo) });
    bo.contacts.add({ address: uri(ada) });
    net.hub.dropClients();
    await until(() => expect(ada.connection.current.status).not.toBe('registered'));
    const sent = ada.messaging.send(withPeer(ada, uri(bo)), 'written offline');
    expect(sent).toMatchObject({ ok: true, value: { state: 'queued' } });
    await ada.close();
    const seenBefore = net.hub.seen.filter((line) => line === `MESSAGE ${uri(bo).slice(4, uri(bo).indexOf('@'))}`).length;

    // (bo lost his connection too: he is back before ada starts again — this hub keeps no messages)
    await until(() => expect(net.hub.registered(uri(bo).slice(4, uri(bo).indexOf('@')))).toBe(true));
    const again = await net.fleet.signedIn(user, { dataDir });
    await until(() => expect(texts(bo, uri(again))).toEqual(['written offline']));
    await until(() => {
      const history = again.messaging.history(withPeer(again, uri(bo)), 50);
      expect(history.ok && history.value.map((message) => [message.id, message.state])).toEqual([[sent.ok && sent.value.id, 'delivered']]);
    });
    const sentAfter = net.hub.seen.filter((line) => line === `MESSAGE ${uri(bo).slice(4, uri(bo).indexOf('@'))}`).length;
    expect(sentAfter - seenBefore).toBe(1);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('read receipts: told when read, unless the reader turned them off (then it stays delivered)', async () => {
  const [ada, bo] = [await person(), await person()];
  const cy = await person();
  // As Settings ▸ Read receipts does.
  expect(await cy.handlers['settings:set']({ readReceipts: false }, { id: 'test' })).toMatchObject({ ok: true });
  for (const [a, b] of [
    [ada, bo],
    [bo, ada],
    [ada, cy],
    [cy, ada],
  ] as const)
    a.contacts.add({ address: uri(b) });
  const toBo = ada.messaging.send(withPeer(ada, uri(bo)), 'for bo');
  const toCy = ada.messaging.send(withPeer(ada, uri(cy)), 'for cy');
  if (!toBo.ok || !toCy.ok) throw new Error('not queued');
  const stateOf = (peer: Engine, id: number) => {
    const history = ada.messaging.history(withPeer(ada, uri(peer)), 50);
    return history.ok ? history.value.find((message) => message.id === id)?.state : undefined;
  };
  await until(() => expect(stateOf(bo, toBo.value.id)).toBe('delivered'));
  await until(() => expect(stateOf(cy, toCy.value.id)).toBe('delivered'));
  bo.messaging.markRead(withPeer(bo, uri(ada)));
  cy.messaging.markRead(withPeer(cy, uri(ada)));
  await until(() => expect(stateOf(bo, toBo.value.id)).toBe('read'));
  // A receipt cy sent on reading would go before her next message: once that is here, none came.
  cy.messaging.send(withPeer(cy, uri(ada)), 'read it');
  await until(() => expect(texts(ada, uri(cy))).toEqual(['for cy', 'read it']));
  expect(stateOf(cy, toCy.value.id)).toBe('delivered');
});

test('opening conversations without writing is bounded: the newest empty ones are kept, none with a message is lost', async () => {
  const ada = await person();
  const written = withPeer(ada, `sip:first@${net.hub.domain}`);
  expect(ada.messaging.send(written, 'kept').ok).toBe(true);
  const opened = Array.from({ length: EMPTY_CONVERSATIONS_MAX + 50 }, (_, i) => withPeer(ada, `sip:nobody${i}@${net.hub.domain}`));
  // The 50 oldest empty ones went; the newest stay, and asking again for a pruned one makes it anew.
  expect(ada.messaging.conversation(opened[0]!).ok).toBe(false);
  expect(ada.messaging.conversation(opened[49]!).ok).toBe(false);
  expect(ada.messaging.conversation(opened[50]!).ok).toBe(true);
  expect(ada.messaging.conversation(opened.at(-1)!).ok).toBe(true);
  expect(texts(ada, `sip:first@${net.hub.domain}`)).toEqual(['kept']);
  expect(ada.messaging.conversation(written).ok).toBe(true);
  expect(ada.messaging.conversation(withPeer(ada, `sip:nobody0@${net.hub.domain}`)).ok).toBe(true);
});
