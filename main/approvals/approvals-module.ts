import type { ApprovalRequest } from '../../shared/domain/contacts.js';
import { Throttle } from '../base/throttle.js';
import type { ModuleFactory } from '../engine-context.js';
import { ApprovalService } from './approvals.js';
import { approvalsHandlers } from './approvals-handlers.js';

/** Who may see me: the approval inbox (watcher info), my decisions and the rules on the server. */
export const approvalsModule: ModuleFactory = (context) => {
  const { clock, emit } = context;
  const approvals = new ApprovalService(context.db, context.owner, context.directory, clock ? { clock } : {});
  context.services.approvals = approvals;
  context.connection.onDidChange((state) => {
    if (state.status === 'registered') emit('onDidChangeApprovals', approvals.page());
  });
  // A flood of requests (anyone on any domain can ask) must not flood the page: the inbox goes out
  // as its first page and a total, at most four times a second; new requests are announced at
  // most every five seconds (the first at once), one event for the burst.
  // The contact list goes out again only when a decision or a contact's request changed it.
  let contactsTouched = false;
  const inboxChanged = new Throttle(
    250,
    () => {
      emit('onDidChangeApprovals', approvals.page());
      if (!contactsTouched) return;
      contactsTouched = false;
      // My decisions show on the contacts too (blocked, "sharing presence", asked to see me).
      emit('onDidChangeContacts', context.need('contacts').list());
    },
    clock,
  );
  let arrived: { count: number; first: ApprovalRequest } | undefined;
  const announce = new Throttle(
    5_000,
    () => {
      if (arrived) emit('onDidReceiveApprovalRequests', arrived);
      arrived = undefined;
    },
    clock,
  );
  approvals.onDidChange(({ fresh }) => {
    if (fresh.length === 0 || fresh.some((request) => request.isContact)) contactsTouched = true;
    inboxChanged.request();
    if (fresh.length === 0) return;
    arrived = { count: (arrived?.count ?? 0) + fresh.length, first: arrived?.first ?? fresh[0]! };
    announce.request();
  });
  return {
    name: 'approvals',
    handlers: approvalsHandlers(approvals),
    participants: [approvals],
    dispose: () => {
      inboxChanged.dispose();
      announce.dispose();
      approvals.dispose();
    },
  };
};
