/** Stops listening. */
export type Unsubscribe = () => void;

/**
 * A typed event with many listeners. A listener that throws is reported and does not stop the
 * others (an exception escaping into sip.js's message handling would leave the user agent deaf).
 */
export class Emitter<T> {
  private readonly listeners = new Set<(value: T) => void>();

  constructor(private readonly onListenerError: (error: unknown) => void = reportListenerError) {}

  /** Listens; returns the function that stops listening. */
  readonly event = (listener: (value: T) => void): Unsubscribe => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}

function reportListenerError(error: unknown): void {
  process.stderr.write(`parley: error in an event listener: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}
