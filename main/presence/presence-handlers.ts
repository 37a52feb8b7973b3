import type { approvalsRequests } from '../../shared/ipc/approvals.js';
import type { presenceRequests } from '../../shared/ipc/presence.js';
import { ok } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { ApprovalService } from './approvals.js';
import type { MyPresenceService } from './my-presence.js';

/** The `presence` channels: my status, note and idle time. */
export function presenceHandlers(myPresence: MyPresenceService): Handlers<ChannelsOf<typeof presenceRequests>> {
  return {
    'presence:getMine': async () => ok(myPresence.current),
    'presence:setMine': async ({ status, note }) => ok(myPresence.set(status, note)),
    'presence:setIdleMinutes': async ({ minutes }) => ok(myPresence.setIdleMinutes(minutes)),
    'presence:reportActivity': async () => ok(myPresence.reportActivity()),
  };
}

/** The `approvals` channels: the inbox and my answers. */
export function approvalsHandlers(approvals: ApprovalService): Handlers<ChannelsOf<typeof approvalsRequests>> {
  return {
    'approvals:list': async (page) => ok(approvals.page(page?.offset ?? 0, page?.limit)),
    'approvals:answer': ({ uri, answer }) => approvals.answer(uri, answer),
    'approvals:answerAll': ({ answer, domain }) => approvals.answerAll(answer, domain),
  };
}
