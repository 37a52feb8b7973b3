import type { approvalsRequests } from '../../shared/ipc/approvals.js';
import { ok } from '../../shared/ipc/result.js';
import type { ChannelsOf, Handlers } from '../ipc/handlers.js';
import type { ApprovalService } from './approvals.js';

/** The `approvals` channels: the inbox and my answers. */
export function approvalsHandlers(approvals: ApprovalService): Handlers<ChannelsOf<typeof approvalsRequests>> {
  return {
    'approvals:list': async (page) => ok(approvals.page(page?.offset ?? 0, page?.limit)),
    'approvals:answer': ({ uri, answer }) => approvals.answer(uri, answer),
    'approvals:answerAll': ({ answer, domain }) => approvals.answerAll(answer, domain),
  };
}
