/** The `approvals` domain: people asking to see my presence, and my answers. */

import { ACCOUNT_LIMITS } from '../domain/account.js';
import type { ApprovalAnswer, ApprovalRequest } from '../domain/contacts.js';
import { event, type EventSpecs } from './define.js';
import { none, obj, oneOf, str } from './schema.js';

const ANSWERS: readonly ApprovalAnswer[] = ['accept', 'acceptAndAdd', 'decline', 'block'];

export const approvalsRequests = {
  'approvals:list': none,
  'approvals:answer': obj({ uri: str(ACCOUNT_LIMITS.address + 8), answer: oneOf(ANSWERS) }),
};

export interface ApprovalsResponses {
  'approvals:list': ApprovalRequest[];
  'approvals:answer': void;
}

export const approvalsEvents = {
  /** The approval inbox changed. */
  onDidChangeApprovals: event<readonly ApprovalRequest[]>(),
  /** Someone new asked to see my presence (for a notification). */
  onDidReceiveApprovalRequest: event<ApprovalRequest>(),
} satisfies EventSpecs;
