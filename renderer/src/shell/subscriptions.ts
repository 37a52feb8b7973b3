/** What a state class subscribed to (events from main, the window's own listeners), released together. */
export class Subscriptions {
  private readonly stops: (() => void)[] = [];

  /** Keeps the function that ends one subscription. */
  add(stop: () => void): void {
    this.stops.push(stop);
  }

  /** Ends every subscription kept (safe to call twice). */
  dispose(): void {
    for (const stop of this.stops.splice(0)) stop();
  }
}
