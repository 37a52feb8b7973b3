import { problemText } from '../../../shared/domain/problem.js';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../../main/engine.js';
import { CallEndReason, RING_TIMEOUT_MS } from '../../../shared/domain/calls.js';
import { FakeClock } from '../../support/fake-clock.js';
import { hubForFile } from '../../support/sip-hub.js';
import { answerMediaAtOnce } from '../../support/fake-media.js';

// Call logic between real engines (sip.js, SQLite) wired through the in-process SIP hub: no
// Kamailio, no page (media answered at once), milliseconds per call.
const net = hubForFile({ beforeAll, afterAll });

let users = 0;
/** Two (or more) engines for users no other test uses, answering media at once. */
async function people(count = 2, clock?: FakeClock): Promise<Engine[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      // (on a fake clock, no liveness checks: advancing a minute would find their answers missing)
      const engine = await net.fleet.signedIn(`u${++users}`, clock ? { clock, sip: { livenessIntervalMs: 0 } } : {});
      answerMediaAtOnce(engine);
      return engine;
    }),
  );
}
const address = (engine: Engine) => engine.connection.account!.uri.replace(/^sip:/, '');
const only = (engine: Engine) => engine.calls.list().at(-1)!;
const until = (check: () => void) => vi.waitFor(check, { timeout: 5_000, interval: 5 });

async function ringing(from: Engine, to: Engine): Promise<{ caller: string; callee: string }> {
  const started = from.calls.start(address(to), false, 'page');
  if (!started.ok) throw new Error(problemText(started.error));
  await until(() => expect(to.calls.list().some((call) => call.state === 'incoming')).toBe(true));
  return { caller: started.value.id, callee: to.calls.list().find((call) => call.state === 'incoming')!.id };
}

async function connected(from: Engine, to: Engine) {
  const ids = await ringing(from, to);
  expect((await to.calls.answer(ids.callee, false, 'page')).ok).toBe(true);
  await until(() => expect(from.calls.list().find((call) => call.id === ids.caller)?.state).toBe('connected'));
  await until(() => expect(to.calls.list().find((call) => call.id === ids.callee)?.state).toBe('connected'));
  return ids;
}

test('answered, then they hang up: both sides connected, then ended — mine says they hung up, the history says answered', async () => {
  const [ada, bo] = await people();
  const ids = await connected(ada!, bo!);
  expect(bo!.calls.hangUp(ids.callee).ok).toBe(true);
  await until(() => expect(ada!.calls.list().find((call) => call.id === ids.caller)?.state).toBe('ended'));
  expect(ada!.calls.list().find((call) => call.id === ids.caller)?.end).toEqual({ reason: CallEndReason.RemoteHungUp });
  expect(bo!.calls.list().find((call) => call.id === ids.callee)?.end).toEqual({ reason: CallEndReason.Ended });
  const history = ada!.calls.history();
  expect(history.ok && history.value[0]).toMatchObject({ outcome: 'answered', end: { reason: CallEndReason.RemoteHungUp } });
});

test('declined and cancelled: each side keeps what happened as a value', async () => {
  const [ada, bo] = await people();
  let ids = await ringing(ada!, bo!);
  bo!.calls.hangUp(ids.callee);
  await until(() =>
    expect(ada!.calls.list().find((call) => call.id === ids.caller)?.end).toEqual({ reason: CallEndReason.Declined, status: 603 }),
  );
  ids = await ringing(ada!, bo!);
  ada!.calls.hangUp(ids.caller);
  await until(() => expect(bo!.calls.list().find((call) => call.id === ids.callee)?.state).toBe('ended'));
  expect(bo!.calls.list().find((call) => call.id === ids.callee)?.end).toEqual({ reason: CallEndReason.Missed });
  expect(ada!.calls.list().find((call) => call.id === ids.caller)?.end).toEqual({ reason: CallEndReason.Cancelled });
  const history = bo!.calls.history();
  expect(history.ok && history.value.map((record) => [record.outcome, record.end.reason])).toEqual([
    ['missed', 'missed'],
    ['declined', 'declined'],
  ]);
});

test('hold and resume: my hold is theirs on the other side, and back', async () => {
  const [ada, bo] = await people();
  const ids = await connected(ada!, bo!);
  expect((await ada!.calls.hold(ids.caller, true)).ok).toBe(true);
  expect(ada!.calls.list().find((call) => call.id === ids.caller)).toMatchObject({ held: true });
  await until(() => expect(only(bo!)).toMatchObject({ state: 'connected', participants: [{ media: { held: true } }] }));
  const resumed = await ada!.calls.hold(ids.caller, false);
  expect(resumed, JSON.stringify(resumed)).toMatchObject({ ok: true });
  await until(() => expect(only(bo!)).toMatchObject({ participants: [{ media: { held: false } }] }));
});

test('a hold their side cannot take yet (500 with Retry-After, RFC 3261 §14.2) is sent again after the wait, and goes through', async () => {
  const [ada, bo] = await people();
  const ids = await connected(ada!, bo!);
  net.hub.refuseNext('INVITE', 500, ['Retry-After: 1']);
  const invitesBefore = net.hub.seen.filter((line) => line.startsWith('INVITE ')).length;
  expect(await ada!.calls.hold(ids.caller, true)).toMatchObject({ ok: true });
  expect(net.hub.seen.filter((line) => line.startsWith('INVITE ')).length - invitesBefore).toBe(2);
  await until(() => expect(only(bo!)).toMatchObject({ participants: [{ media: { held: true } }] }));
});

test('call waiting: a second call rings during the first; answering it puts the first on hold', async () => {
  const [ada, bo, cy] = await people(3);
  const first = await connected(ada!, bo!);
  const second = await ringing(cy!, bo!);
  expect((await bo!.calls.answer(second.callee, false, 'page')).ok).toBe(true);
  await until(() => expect(bo!.calls.list().find((call) => call.id === first.callee)).toMatchObject({ state: 'connected', held: true }));
  await until(() => expect(cy!.calls.list().find((call) => call.id === second.caller)?.state).toBe('connected'));
  await until(() => expect(ada!.calls.list().find((call) => call.id === first.caller)?.participants[0]?.media.held).toBe(true));
});

test('a transfer they ask of me waits for my answer; Decline tells them, and both calls go on', async () => {
  const [ada, bo, cy] = await people(3);
  const ids = await connected(ada!, bo!);
  const asked = ada!.calls.transfer(ids.caller, address(cy!));
  await until(() => expect(only(bo!).transferRequest?.target).toBe(`sip:${address(cy!)}`));
  expect(cy!.calls.list()).toEqual([]);
  expect(bo!.calls.answerTransfer(ids.callee, false).ok).toBe(true);
  expect((await asked).ok).toBe(true);
  await until(() =>
    expect(ada!.calls.list().find((call) => call.id === ids.caller)?.transferProblem).toEqual({
      kind: 'failed',
      end: { reason: CallEndReason.Declined, status: 603 },
    }),
  );
  expect(ada!.calls.list().find((call) => call.id === ids.caller)?.state).toBe('connected');
  expect(cy!.calls.list()).toEqual([]);
});

test('no answer: on the fake clock, the ring time passes at once — the caller says No answer, the callee keeps a missed call', async () => {
  const clock = new FakeClock();
  const [ada, bo] = await people(2, clock);
  const ids = await ringing(ada!, bo!);
  await until(() => expect(ada!.calls.list().find((call) => call.id === ids.caller)?.state).toBe('ringing'));
  clock.advance(RING_TIMEOUT_MS);
  await until(() => {
    clock.advance(0);
    expect(bo!.calls.list().find((call) => call.id === ids.callee)?.state).toBe('ended');
    expect(ada!.calls.list().find((call) => call.id === ids.caller)?.state).toBe('ended');
  });
  expect(ada!.calls.list().find((call) => call.id === ids.caller)?.end).toEqual({ reason: CallEndReason.NoAnswer });
  expect(bo!.calls.missed()).toEqual({ [`sip:${address(ada!)}`]: 1 });
  const history = ada!.calls.history();
  expect(history.ok && history.value[0]).toMatchObject({ outcome: 'cancelled', end: { reason: CallEndReason.NoAnswer } });
});

test('busy and unreachable: the caller says which, and the history keeps busy and failed', async () => {
  const [ada, bo] = await people();
  bo!.contacts.add({ address: address(ada!) });
  // In Do not disturb, a call is answered busy (486) without ringing.
  bo!.myPresence.set('dnd');
  const busy = ada!.calls.start(address(bo!), false, 'page');
  if (!busy.ok) throw new Error(problemText(busy.error));
  await until(() =>
    expect(ada!.calls.list().find((call) => call.id === busy.value.id)?.end).toEqual({ reason: CallEndReason.Busy, status: 486 }),
  );
  // Nobody signed in there: the server answers 480.
  const gone = ada!.calls.start(`u${++users}@${net.hub.domain}`, false, 'page');
  if (!gone.ok) throw new Error(problemText(gone.error));
  await until(() =>
    expect(ada!.calls.list().find((call) => call.id === gone.value.id)?.end).toEqual({ reason: CallEndReason.Unavailable, status: 480 }),
  );
  await until(() => {
    const history = ada!.calls.history();
    expect(history.ok && history.value.map((record) => [record.outcome, record.end.reason, record.end.status])).toEqual([
      ['failed', 'unavailable', 480],
      ['busy', 'busy', 486],
    ]);
  });
  // Bo, in Do not disturb, keeps the call he did not hear as missed.
  const his = bo!.calls.history();
  expect(his.ok && his.value.map((record) => [record.outcome, record.end.reason])).toEqual([['missed', 'missedDnd']]);
});

test('a media request names the tracks the page is to send: the microphone, and the camera for video', async () => {
  const [ada, bo] = await people();
  const asked: string[][] = [];
  ada!.calls.media.onDidRequest((request) => {
    if (request.action === 'local') asked.push([...request.tracks]);
  });
  const ids = await connected(ada!, bo!);
  expect(asked).toEqual([['microphone']]);
  expect((await ada!.calls.setVideo(ids.caller, true)).ok).toBe(true);
  expect(asked).toEqual([['microphone'], ['microphone', 'camera']]);
});

/** Waits (through a reconnect: up to 15 s) until call `id` is back — connected, still held, no longer reconnecting. */
async function backOnHold(engine: Engine, id: string): Promise<void> {
  await vi.waitFor(
    () => {
      const call = engine.calls.list().find((candidate) => candidate.id === id);
      expect(call).toMatchObject({ state: 'connected', held: true });
      expect(call?.reconnecting).toBeFalsy();
    },
    { timeout: 15_000, interval: 20 },
  );
}

test('reconnect × hold: a held call survives the connection dropping — still held on both sides, and resumes after', async () => {
  const [ada, bo] = await people();
  const ids = await connected(ada!, bo!);
  expect((await ada!.calls.hold(ids.caller, true)).ok).toBe(true);
  await until(() => expect(only(bo!)).toMatchObject({ participants: [{ media: { held: true } }] }));
  net.hub.dropClients();
  // The call shows Reconnecting…, then is back: a re-INVITE with an ICE restart once online (RFC 8445 §9).
  await until(() => expect(ada!.calls.list().find((call) => call.id === ids.caller)?.reconnecting).toBe(true));
  await vi.waitFor(() => expect(ada!.connection.current.status).toBe('registered'), { timeout: 15_000, interval: 20 });
  await backOnHold(ada!, ids.caller);
  await vi.waitFor(() => expect(only(bo!)).toMatchObject({ state: 'connected', participants: [{ media: { held: true } }] }), {
    timeout: 15_000,
    interval: 20,
  });
  expect(await ada!.calls.hold(ids.caller, false)).toMatchObject({ ok: true });
  await until(() => expect(only(bo!)).toMatchObject({ participants: [{ media: { held: false } }] }));
  expect(ada!.calls.list().find((call) => call.id === ids.caller)).toMatchObject({ state: 'connected', held: false });
});

test('an ACK lost with the connection: sent again on the new one, so the held call recovers instead of refusing every re-INVITE', async () => {
  const [ada, bo] = await people();
  const ids = await connected(ada!, bo!);
  // The hold's 200 arrives, and the ACK is lost as the connection drops; bo's retransmitted 200s
  // go to the dead connection.
  net.hub.loseNext('ACK');
  expect((await ada!.calls.hold(ids.caller, true)).ok).toBe(true);
  net.hub.dropClients();
  await until(() => expect(ada!.calls.list().find((call) => call.id === ids.caller)?.reconnecting).toBe(true));
  await backOnHold(ada!, ids.caller);
  expect(await ada!.calls.hold(ids.caller, false)).toMatchObject({ ok: true });
  await until(() => expect(only(bo!)).toMatchObject({ state: 'connected', participants: [{ media: { held: false } }] }));
});
