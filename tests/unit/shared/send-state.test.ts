import { describe, expect, test } from 'vitest';
import { reduceSendState, summarizeSendStates, type RecipientState, type SendEvent } from '../../../shared/domain/send-state.js';

const STATES: RecipientState[] = ['queued', 'sent', 'stored', 'delivered', 'read', 'failed'];
const EVENTS: SendEvent[] = ['answered', 'stored', 'delivered', 'read', 'failed', 'retry'];

describe('where a message stands with one recipient', () => {
  // Every state × every event: the whole table, written out, so a changed cell fails by name.
  const TABLE: Record<RecipientState, Record<SendEvent, RecipientState>> = {
    queued: { answered: 'sent', stored: 'stored', delivered: 'delivered', read: 'read', failed: 'failed', retry: 'queued' },
    sent: { answered: 'sent', stored: 'sent', delivered: 'delivered', read: 'read', failed: 'sent', retry: 'sent' },
    stored: { answered: 'stored', stored: 'stored', delivered: 'delivered', read: 'read', failed: 'stored', retry: 'stored' },
    delivered: {
      answered: 'delivered',
      stored: 'delivered',
      delivered: 'delivered',
      read: 'read',
      failed: 'delivered',
      retry: 'delivered',
    },
    read: { answered: 'read', stored: 'read', delivered: 'read', read: 'read', failed: 'read', retry: 'read' },
    // No notification revives a failed message (anyone can claim to be its recipient); a retry requeues it.
    failed: { answered: 'failed', stored: 'failed', delivered: 'failed', read: 'failed', failed: 'failed', retry: 'queued' },
  };
  for (const state of STATES)
    for (const event of EVENTS)
      test(`${state} + ${event} → ${TABLE[state][event]}`, () => expect(reduceSendState(state, event)).toBe(TABLE[state][event]));

  test('no order of events moves a message back once it was answered', () => {
    const rank = { queued: 0, sent: 1, stored: 1, delivered: 2, read: 3 } as const;
    for (const start of ['sent', 'stored', 'delivered', 'read'] as const)
      for (const event of EVENTS) {
        const next = reduceSendState(start, event);
        expect(next).not.toBe('failed');
        expect(next).not.toBe('queued');
        expect(rank[next as keyof typeof rank]).toBeGreaterThanOrEqual(rank[start]);
      }
  });
});

describe("a message's state from its recipients'", () => {
  test('the least advanced; failed when any failed; read only when all have read', () => {
    expect(summarizeSendStates(['read'])).toBe('read');
    expect(summarizeSendStates(['read', 'delivered'])).toBe('delivered');
    expect(summarizeSendStates(['read', 'queued', 'sent'])).toBe('queued');
    expect(summarizeSendStates(['read', 'failed'])).toBe('failed');
    expect(summarizeSendStates([])).toBe('queued');
  });
});
