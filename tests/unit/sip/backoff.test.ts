import { expect, test } from 'vitest';
import { backoffDelay, DEFAULT_BACKOFF } from '../../../main/sip/backoff.js';

test('the first retry comes within a second, whatever the jitter', () => {
  expect(backoffDelay(1, () => 0)).toBe(250);
  expect(backoffDelay(1, () => 0.999999)).toBeLessThan(1000);
});

test('later retries double, are jittered, and never exceed the cap', () => {
  expect(backoffDelay(2, () => 0)).toBe(1000);
  expect(backoffDelay(2, () => 0.999999)).toBeLessThan(2000);
  expect(backoffDelay(3, () => 0)).toBe(2000);
  expect(backoffDelay(4, () => 0.5)).toBe(6000);
  for (let attempt = 5; attempt < 60; attempt++) {
    expect(backoffDelay(attempt, () => 0.999999)).toBeLessThanOrEqual(DEFAULT_BACKOFF.capMs);
    expect(backoffDelay(attempt, () => 0)).toBeGreaterThanOrEqual(Math.min(DEFAULT_BACKOFF.capMs, 2 ** (attempt - 1) * 1000) / 2);
  }
});

test('two clients with different luck do not retry in the same instant', () => {
  expect(backoffDelay(6, () => 0.1)).not.toBe(backoffDelay(6, () => 0.9));
});
