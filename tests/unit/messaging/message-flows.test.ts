import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../../main/engine.js';
import { hubForFile } from '../../support/sip-hub.js';
import { withPeer } from '../../support/engines.js';

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
  if (!sent.ok) throw new Error(sent.error.message);
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
