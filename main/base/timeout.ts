import { systemClock, type Clock } from './clock.js';

/** `promise`'s value, or `undefined` if it has not settled within `ms` (a rejection also gives `undefined`). */
export function withTimeout<T>(promise: Promise<T>, ms: number, clock: Clock = systemClock): Promise<T | undefined> {
  return new Promise((resolve) => {
    const handle = clock.setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clock.clearTimeout(handle);
        resolve(value);
      },
      () => {
        clock.clearTimeout(handle);
        resolve(undefined);
      },
    );
  });
}
