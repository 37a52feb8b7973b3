import { Problem } from '../../shared/domain/problem.js';
import type { callsRequests } from '../../shared/ipc/calls.js';
import type { IceServerConfig } from '../../shared/domain/calls.js';
import { err, ok, type Result } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { CallService } from './call-service.js';

/** The `calls` channels. */
export function callsHandlers(
  calls: CallService,
  iceServers: () => Promise<Result<readonly IceServerConfig[]>>,
): Handlers<ChannelsOf<typeof callsRequests>> {
  return {
    'calls:list': async () => ok(calls.list()),
    'calls:iceServers': () => iceServers(),
    'calls:history': async ({ before }) => calls.history(before),
    'calls:missed': async () => ok(calls.missed()),
    'calls:markSeen': async () => calls.markSeen(),
    'calls:start': async ({ peer, video, mediaToken }, caller) =>
      calls.media.claim(mediaToken, caller.id) ? calls.start(peer, video, mediaToken) : notYours(),
    'calls:answer': async ({ id, video, mediaToken }, caller) =>
      calls.media.claim(mediaToken, caller.id) ? calls.answer(id, video, mediaToken) : notYours(),
    'calls:hangUp': async ({ id }) => calls.hangUp(id),
    'calls:hold': async ({ id, hold }) => calls.hold(id, hold),
    'calls:video': async ({ id, on }) => calls.setVideo(id, on),
    'calls:mediaState': async ({ id, flowing }) => calls.mediaState(id, flowing),
    'calls:transfer': ({ id, target }) => calls.transfer(id, target),
    'calls:answerTransfer': async ({ id, accept }) => calls.answerTransfer(id, accept),
    'calls:dtmf': async ({ id, tones }) => calls.dtmf(id, tones),
    'calls:media': async ({ requestId, ok: succeeded, sdp, failure, error }, caller) =>
      calls.mediaReply(requestId, { ok: succeeded, sdp, failure, error }, caller.id),
  };
}

/** Another window's token: a page may hold only calls it started or answered itself. */
function notYours() {
  return err('forbidden', Problem.NotYourCall);
}
