/**
 * Where one of my messages stands with one person it goes to, and the only way it moves.
 *
 * The order is monotonic — queued → sent | stored → delivered → read — and `failed` is a branch off
 * the start: only a message not yet answered can fail, and only a retry (a click) takes it back to
 * the queue. Every other event either moves a state forward or leaves it, whatever order the
 * network delivers them in: a delivery notification can overtake the 200 it follows, a read
 * notification its delivery notification, a late 408 a delivery notification. A failed message
 * stays failed until the person retries it: no notification revives it.
 */
export type RecipientState = 'queued' | 'sent' | 'stored' | 'delivered' | 'read' | 'failed';

/** What can happen to a message on its way to one recipient. */
export type SendEvent =
  | 'answered' // 200: their server took it
  | 'stored' // 202: kept for someone signed out
  | 'delivered' // RFC 5438 delivery notification
  | 'read' // RFC 5438 display notification
  | 'failed' // a final refusal, or no answer while registered
  | 'retry'; // the person asked to send a failed message again

/** How far along the way each state is (`failed` stands apart). */
const RANK: Record<Exclude<RecipientState, 'failed'>, number> = { queued: 0, sent: 1, stored: 1, delivered: 2, read: 3 };

/** The state an event leads to; the same state when the event cannot move it. */
export function reduceSendState(state: RecipientState, event: SendEvent): RecipientState {
  switch (event) {
    case 'answered':
    case 'stored':
      return state === 'queued' ? (event === 'answered' ? 'sent' : 'stored') : state;
    case 'delivered':
    case 'read':
      // A failed message stays failed: a notification's sender is whoever it says it is (a
      // stranger's From is not checked by anyone), and the person was told it did not go.
      if (state === 'failed') return state;
      return RANK[event] > RANK[state] ? event : state;
    case 'failed':
      return state === 'queued' ? 'failed' : state;
    case 'retry':
      return state === 'failed' ? 'queued' : state;
  }
}

/**
 * One message's state from its recipients': failed when any failed (the message offers Retry, which
 * sends it to those again), otherwise the least advanced — "Read" only when every one has read it.
 */
export function summarizeSendStates(states: readonly RecipientState[]): RecipientState {
  if (states.length === 0) return 'queued';
  if (states.includes('failed')) return 'failed';
  return states.reduce((least, state) => (RANK[state as keyof typeof RANK] < RANK[least as keyof typeof RANK] ? state : least));
}
