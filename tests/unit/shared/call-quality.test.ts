import { expect, test } from 'vitest';
import { qualityOf } from '../../../shared/domain/calls.js';

test('connection quality: good, fair and poor by loss, jitter and round trip, the worst of the three deciding', () => {
  expect(qualityOf(0, 5, 20)).toBe('good');
  expect(qualityOf(0.01, 29, 299)).toBe('good');
  expect(qualityOf(0.03, 5, 20)).toBe('fair');
  expect(qualityOf(0, 45, 20)).toBe('fair');
  expect(qualityOf(0, 5, 450)).toBe('fair');
  expect(qualityOf(0.1, 5, 20)).toBe('poor');
  expect(qualityOf(0, 80, 20)).toBe('poor');
  expect(qualityOf(0, 5, 900)).toBe('poor');
  // No round trip measured yet: judged on the rest.
  expect(qualityOf(0, 5, undefined)).toBe('good');
});
