import { systemClock, type Clock, type TimerHandle } from './clock.js';

/**
 * One pending callback at a time: `schedule` replaces whatever was pending, `cancel` drops it.
 * Written once here instead of the `if (timer) clearTimeout(timer); timer = undefined` pattern in
 * every service.
 */
export class Timer {
  private handle: TimerHandle | undefined;
  private disposed = false;

  constructor(private readonly clock: Clock = systemClock) {}

  /** True while a callback is pending. */
  get pending(): boolean {
    return this.handle !== undefined;
  }

  /** Runs `callback` after `ms` (replacing any pending one). Does nothing once disposed. */
  schedule(ms: number, callback: () => void): void {
    this.cancel();
    if (this.disposed) return;
    const handle = this.clock.setTimeout(() => {
      if (this.handle !== handle) return;
      this.handle = undefined;
      callback();
    }, ms);
    this.handle = handle;
  }

  /** Drops the pending callback, if any. */
  cancel(): void {
    if (this.handle !== undefined) this.clock.clearTimeout(this.handle);
    this.handle = undefined;
  }

  /** Cancels and refuses further scheduling. */
  dispose(): void {
    this.cancel();
    this.disposed = true;
  }
}

/** Calls `callback` every `ms` until cancelled (each run scheduled after the previous one). */
export class Interval {
  private readonly timer: Timer;
  private ms = 0;
  private callback: (() => void) | undefined;

  constructor(clock: Clock = systemClock) {
    this.timer = new Timer(clock);
  }

  get running(): boolean {
    return this.timer.pending;
  }

  start(ms: number, callback: () => void): void {
    this.ms = ms;
    this.callback = callback;
    this.next();
  }

  cancel(): void {
    this.callback = undefined;
    this.timer.cancel();
  }

  dispose(): void {
    this.cancel();
    this.timer.dispose();
  }

  private next(): void {
    this.timer.schedule(this.ms, () => {
      const callback = this.callback;
      if (!callback) return;
      this.next();
      callback();
    });
  }
}
