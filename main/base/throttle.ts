import { systemClock, type Clock } from './clock.js';
import { Timer } from './timer.js';

/**
 * Runs `action` at most once per `windowMs`: at once for the first call (a single event is not
 * delayed), then once more at the end of the window if anything was asked meanwhile. A burst of a
 * thousand calls is two runs.
 */
export class Throttle {
  private readonly timer: Timer;
  private asked = false;

  constructor(
    private readonly windowMs: number,
    private readonly action: () => void,
    clock: Clock = systemClock,
  ) {
    this.timer = new Timer(clock);
  }

  /** Asks for a run. */
  request(): void {
    if (this.timer.pending) {
      this.asked = true;
      return;
    }
    this.action();
    this.open();
  }

  dispose(): void {
    this.timer.dispose();
  }

  private open(): void {
    this.timer.schedule(this.windowMs, () => {
      if (!this.asked) return;
      this.asked = false;
      this.action();
      this.open();
    });
  }
}
