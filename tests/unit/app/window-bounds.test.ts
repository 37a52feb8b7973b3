import { expect, test } from 'vitest';
import { restorableBounds } from '../../../main/app/window-bounds.js';

const laptop = [{ x: 0, y: 0, width: 1440, height: 900 }];
const docked = [...laptop, { x: 1440, y: 0, width: 2560, height: 1440 }];

test('saved bounds on a present display are restored', () => {
  expect(restorableBounds({ x: 100, y: 50, width: 420, height: 720 }, laptop)).toEqual({ x: 100, y: 50, width: 420, height: 720 });
  expect(restorableBounds({ x: 2000, y: 100, width: 420, height: 720 }, docked)).toEqual({ x: 2000, y: 100, width: 420, height: 720 });
});

test('bounds on a monitor that is gone, or junk, are not (the OS places the window)', () => {
  expect(restorableBounds({ x: 2000, y: 100, width: 420, height: 720 }, laptop)).toBeUndefined();
  expect(restorableBounds({ x: 100, y: -700, width: 420, height: 720 }, laptop)).toBeUndefined();
  expect(restorableBounds({ x: 100, y: 50, width: 20, height: 20 }, laptop)).toBeUndefined();
  expect(restorableBounds({ x: '100', y: 50, width: 420, height: 720 }, laptop)).toBeUndefined();
  expect(restorableBounds(undefined, laptop)).toBeUndefined();
});
