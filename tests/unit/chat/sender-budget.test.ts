import { expect, test } from 'vitest';
import { SenderBudget } from '../../../main/chat/sender-budget.js';

const limits = { messages: { burst: 5, perHour: 3600 }, bytes: { burst: 10_000, perHour: 3_600_000 } };

test('a burst fits; past it, messages are refused with the seconds until the next one would be taken', () => {
  let now = 0;
  const budget = new SenderBudget(() => now, limits);
  for (let i = 0; i < 5; i++) expect(budget.take('sip:a@x', 10)).toBeUndefined();
  expect(budget.take('sip:a@x', 10)).toBe(1);
  // Another sender has a budget of their own.
  expect(budget.take('sip:b@x', 10)).toBeUndefined();
  now += 1000; // 3,600 an hour: one a second
  expect(budget.take('sip:a@x', 10)).toBeUndefined();
  expect(budget.take('sip:a@x', 10)).toBe(1);
});

test('bytes count too: big messages run out the byte budget first, and it refills with time', () => {
  let now = 0;
  const budget = new SenderBudget(() => now, limits);
  expect(budget.take('sip:a@x', 6_000)).toBeUndefined();
  // 4,000 left; 6,000 more needs 2,000 bytes of refill at 1,000 B/s.
  expect(budget.take('sip:a@x', 6_000)).toBe(2);
  now += 2_000;
  expect(budget.take('sip:a@x', 6_000)).toBeUndefined();
});
