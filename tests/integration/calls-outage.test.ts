import { problemText } from '../../shared/domain/problem.js';
import { CallEndReason } from '../../shared/domain/calls.js';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Engine } from '../../main/engine.js';
import { EngineFleet } from '../support/engines.js';
import { DOMAIN, Kamailio } from '../support/kamailio.js';
import { PAGELESS_SDP } from '../support/webrtc.js';

// A call whose connection to the server does not come back in time ends, saying so, instead of
// lingering as a silent dead call. This file has its own Kamailio: the test stops it.
let kamailio: Kamailio;
let fleet: EngineFleet;
beforeAll(async () => {
  kamailio = await Kamailio.launch({ users: { olga: 'olga-pw', piet: 'piet-pw' } });
  fleet = new EngineFleet(kamailio);
});
afterAll(async () => {
  await fleet?.dispose();
  await kamailio?.dispose();
});

// Audio described in the plainest way: neither engine here has a page, so the test answers for them.
const SDP = PAGELESS_SDP;
function answerMedia(engine: Engine): void {
  engine.calls.media.onDidRequest((request) =>
    engine.calls.mediaReply(request.requestId, { ok: true, ...(request.action === 'local' ? { sdp: SDP } : {}) }),
  );
}

test('the server stays away longer than a call waits: the call ends with the reason in words, and is in the history', async () => {
  const olga = await fleet.signedIn('olga', { calls: { reconnectMs: 1_500 } });
  const piet = await fleet.signedIn('piet');
  answerMedia(olga);
  answerMedia(piet);
  const started = olga.calls.start(`piet@${DOMAIN}`, false, 'olga-page');
  if (!started.ok) throw new Error(problemText(started.error));
  await vi.waitFor(() => expect(piet.calls.list().some((call) => call.state === 'incoming')).toBe(true), { timeout: 10_000 });
  const incoming = piet.calls.list().find((call) => call.state === 'incoming')!;
  expect((await piet.calls.answer(incoming.id, false, 'piet-page')).ok).toBe(true);
  await vi.waitFor(() => expect(olga.calls.list()[0]?.state).toBe('connected'), { timeout: 10_000 });

  await kamailio.stop();
  try {
    await vi.waitFor(() => expect(olga.calls.list()[0]?.reconnecting).toBe(true), { timeout: 10_000 });
    await vi.waitFor(
      () =>
        expect(olga.calls.list()[0]).toMatchObject({
          state: 'ended',
          end: { reason: CallEndReason.ServerLost },
        }),
      { timeout: 10_000 },
    );
    const history = olga.calls.history();
    expect(history.ok && history.value[0]).toMatchObject({
      outcome: 'answered',
      end: { reason: CallEndReason.ServerLost },
    });
  } finally {
    await kamailio.start();
  }
});
