/** A timer handle as the clock hands it out; only the clock that made it can cancel it. */
export type TimerHandle = { readonly __timer: unique symbol };

/**
 * Time as the engine's services see it: the current time and timers. Services take one instead of
 * calling `Date.now` and `setTimeout` themselves, so that their state machines can be driven by a
 * test's fake clock.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Node's timers overflow above 2^31 − 1 ms (about 24.8 days): a larger delay fires after 1 ms. A
 * delay is never longer than this, whoever computed it.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** The real clock. Globals are looked up at each call, so test frameworks' fake timers still apply. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, clampDelay(ms)) as unknown as TimerHandle,
  clearTimeout: (handle) => clearTimeout(handle as unknown as ReturnType<typeof setTimeout>),
};

/** A delay a timer can take: a finite number of milliseconds in [0, MAX_TIMER_MS]. */
export function clampDelay(ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) return ms === Infinity ? MAX_TIMER_MS : 0;
  return Math.min(ms, MAX_TIMER_MS);
}
