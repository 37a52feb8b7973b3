import { expect, test } from 'vitest';
import { resolveDevice } from '../../../shared/domain/settings.js';

const present = [
  { id: 'a1', label: 'Headset Microphone' },
  { id: 'b2', label: 'Built-in Microphone' },
];

test('a chosen device is found by id, else by its label (ids change per origin), else the system default', () => {
  expect(resolveDevice({ id: 'b2', label: 'Built-in Microphone' }, present)).toBe('b2');
  // Web mode on another port: new ids, same names.
  expect(resolveDevice({ id: 'old-id', label: 'Headset Microphone' }, present)).toBe('a1');
  // The headset was unplugged: the call still has sound, from the default.
  expect(resolveDevice({ id: 'gone', label: 'USB Headset' }, present)).toBeUndefined();
  expect(resolveDevice({ id: '', label: '' }, present)).toBeUndefined();
  expect(resolveDevice({ id: 'gone', label: '' }, [{ id: 'x', label: '' }])).toBeUndefined();
});
