import { problemText } from '../../shared/domain/problem.js';
import { CallEndReason } from '../../shared/domain/calls.js';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { PAGELESS_SDP } from '../support/webrtc.js';

// How an outgoing call that never connects ends, in words, through a real Kamailio: nobody
// answers, the person is not signed in, nobody has that address.
let kamailio: Kamailio;
let fleet: EngineFleet;
beforeAll(async () => {
  kamailio = await Kamailio.launch({
    users: { rosa: 'rosa-pw', sven: 'sven-pw', tove: 'tove-pw', ulla: 'ulla-pw', vera: 'vera-pw', walt: 'walt-pw' },
  });
  fleet = new EngineFleet(kamailio);
});
afterAll(async () => {
  await fleet?.dispose();
  await kamailio?.dispose();
});

function answerMedia(engine: Engine): void {
  engine.calls.media.onDidRequest((request) =>
    engine.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: PAGELESS_SDP } : {}) }),
  );
}

async function ended(engine: Engine, id: string) {
  await vi.waitFor(() => expect(engine.calls.list().find((call) => call.id === id)?.state).toBe('ended'), { timeout: 15_000 });
  return engine.calls.list().find((call) => call.id === id)!;
}

test('no answer: the call gives up after its ring time, says so, and the other side has a missed call', async () => {
  const rosa = await fleet.signedIn('rosa', { calls: { ringMs: 1_500 } });
  const sven = await fleet.signedIn('sven');
  answerMedia(rosa);
  answerMedia(sven);
  const started = rosa.calls.start(`sven@${DOMAIN}`, false, 'rosa-page');
  if (!started.ok) throw new Error(problemText(started.error));
  await vi.waitFor(() => expect(rosa.calls.list()[0]?.state).toBe('ringing'), { timeout: 10_000 });
  expect(await ended(rosa, started.value.id)).toMatchObject({ end: { reason: CallEndReason.NoAnswer } });
  await vi.waitFor(() => expect(sven.calls.missed()).toEqual({ [`sip:rosa@${DOMAIN}`]: 1 }), { timeout: 10_000 });
});

test('not signed in, and no such person: each said in words', async () => {
  const rosa = await fleet.signedIn('rosa');
  answerMedia(rosa);
  const away = rosa.calls.start(`tove@${DOMAIN}`, false, 'rosa-page');
  if (!away.ok) throw new Error(problemText(away.error));
  expect(await ended(rosa, away.value.id)).toMatchObject({ end: { reason: CallEndReason.Unavailable, status: 480 } });
  const nobody = rosa.calls.start(`nobody@${DOMAIN}`, false, 'rosa-page');
  if (!nobody.ok) throw new Error(problemText(nobody.error));
  expect(await ended(rosa, nobody.value.id)).toMatchObject({ end: { reason: CallEndReason.NotFound, status: 404 } });
});

test('what the history keeps for each way a call does not connect: busy, declined, cancelled, no answer, failed — as values', async () => {
  // Users no other test signs in (an earlier test's engine still registered would ring too).
  const ulla = await fleet.signedIn('ulla');
  // (a short ring time for the call nobody answers; the others end long before theirs)
  const vera = await fleet.signedIn('vera', { calls: { ringMs: 1_500 } });
  const walt = await fleet.signedIn('walt');
  for (const engine of [ulla, vera, walt]) answerMedia(engine);
  const call = async (from: Engine, to: string, then?: (id: string) => void) => {
    const started = from.calls.start(to, false, 'page');
    if (!started.ok) throw new Error(problemText(started.error));
    then?.(started.value.id);
    await ended(from, started.value.id);
  };
  const ringing = () => vi.waitFor(() => expect(walt.calls.list().find((c) => c.state === 'incoming')).toBeDefined(), { timeout: 10_000 });
  // Busy: Walt is in Do not disturb (486).
  walt.myPresence.set('dnd', '');
  await call(ulla, `walt@${DOMAIN}`);
  walt.myPresence.set('available', '');
  // Declined: Walt says no (603).
  await call(
    ulla,
    `walt@${DOMAIN}`,
    () => void ringing().then(() => walt.calls.hangUp(walt.calls.list().find((c) => c.state === 'incoming')!.id)),
  );
  // Cancelled: Ulla gives up while it rings.
  await call(ulla, `walt@${DOMAIN}`, (id) => void ringing().then(() => ulla.calls.hangUp(id)));
  // Failed: nobody has that address (404).
  await call(ulla, `nobody@${DOMAIN}`);
  // No answer: the ring time runs out.
  await call(vera, `walt@${DOMAIN}`);
  const outcomes = (engine: Engine) => {
    const history = engine.calls.history();
    if (!history.ok) throw new Error(problemText(history.error));
    return history.value
      .slice()
      .reverse()
      .map((record) => [record.outcome, record.end]);
  };
  expect(outcomes(ulla)).toEqual([
    ['busy', { reason: CallEndReason.Busy, status: 486 }],
    ['declined', { reason: CallEndReason.Declined, status: 603 }],
    ['cancelled', { reason: CallEndReason.Cancelled }],
    ['failed', { reason: CallEndReason.NotFound, status: 404 }],
  ]);
  expect(outcomes(vera)).toEqual([['cancelled', { reason: CallEndReason.NoAnswer }]]);
});

test('media that flaps between lost and back (or a page that says so over and over) restarts ICE once, not per flap', async () => {
  const rosa = await fleet.signedIn('rosa');
  const sven = await fleet.signedIn('sven');
  answerMedia(rosa);
  answerMedia(sven);
  const count = (method: string) => (kamailio.output.match(new RegExp(`relay ${method} `, 'g')) ?? []).length;
  const [invitesBefore, acksBefore] = [count('INVITE'), count('ACK')];
  const started = rosa.calls.start(`sven@${DOMAIN}`, false, 'rosa-page');
  if (!started.ok) throw new Error(problemText(started.error));
  await vi.waitFor(() => expect(sven.calls.list().some((call) => call.state === 'incoming')).toBe(true), { timeout: 10_000 });
  expect((await sven.calls.answer(sven.calls.list().find((call) => call.state === 'incoming')!.id, false, 'sven-page')).ok).toBe(true);
  await vi.waitFor(() => expect(rosa.calls.list()[0]?.state).toBe('connected'), { timeout: 10_000 });
  // The call's own INVITE and ACK reach the server's log first (it can lag under load): only then
  // does an ACK counted below belong to a re-INVITE.
  await vi.waitFor(() => expect([count('INVITE'), count('ACK')]).toEqual([invitesBefore + 1, acksBefore + 1]), { timeout: 10_000 });
  const [invites, acks] = [invitesBefore + 1, acksBefore + 1];
  const id = started.value.id;
  // Lost, back, lost again: the first loss restarts ICE (a re-INVITE, answered and ACKed)...
  rosa.calls.mediaState(id, false);
  await vi.waitFor(() => expect(count('ACK')).toBe(acks + 1), { timeout: 10_000 });
  rosa.calls.mediaState(id, true);
  // ...the second, straight after, does not; a hold is the next re-INVITE on the wire.
  rosa.calls.mediaState(id, false);
  rosa.calls.mediaState(id, true);
  expect((await rosa.calls.hold(id, true)).ok).toBe(true);
  await vi.waitFor(() => expect(count('ACK')).toBe(acks + 2), { timeout: 10_000 });
  expect(count('INVITE')).toBe(invites + 2);
  expect(rosa.calls.list()[0]).toMatchObject({ state: 'connected', mediaInterrupted: false, held: true });
  rosa.calls.hangUp(started.value.id);
});
