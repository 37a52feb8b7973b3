/** The `approvals` domain: people asking to see my presence, and my answers. */

import { ACCOUNT_LIMITS } from '../domain/account.js';
import { APPROVAL_PAGE_SIZE, type ApprovalAnswer, type ApprovalPage, type NewApprovalRequests } from '../domain/contacts.js';
import { event, type EventSpecs } from './define.js';
import { int, obj, oneOf, optional, str } from './schema.js';

const ANSWERS: readonly ApprovalAnswer[] = ['accept', 'acceptAndAdd', 'decline', 'block'];

export const approvalsRequests = {
  /** A page of the inbox (default: the first). */
  'approvals:list': optional(obj({ offset: optional(int(0, 1_000_000)), limit: optional(int(1, APPROVAL_PAGE_SIZE)) })),
  'approvals:answer': obj({ uri: str(ACCOUNT_LIMITS.address + 8), answer: oneOf(ANSWERS) }),
  /** Declines or blocks every waiting request at once, or all of one domain's (a flood of invented watchers). */
  'approvals:answerAll': obj({ answer: oneOf(['decline', 'block'] as const), domain: optional(str(ACCOUNT_LIMITS.address)) }),
};

export interface ApprovalsResponses {
  'approvals:list': ApprovalPage;
  'approvals:answer': void;
  /** How many requests were answered. */
  'approvals:answerAll': number;
}

export const approvalsEvents = {
  /** The approval inbox changed: its first page and the total (coalesced, never the whole list). */
  onDidChangeApprovals: event<ApprovalPage>(),
  /** People asked to see my presence for the first time (one event per burst, for one notification). */
  onDidReceiveApprovalRequests: event<NewApprovalRequests>(),
} satisfies EventSpecs;
