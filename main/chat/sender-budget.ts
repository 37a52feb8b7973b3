/**
 * How much one sender may put into my message store: a token bucket of messages and one of bytes,
 * per sender. Anyone can write to me, and a contact's address (or one posing as a contact's on
 * another domain) could otherwise grow the database without bound: 1,073 messages of 16 KB are
 * 21 MB. A burst as people chat (hundreds of short lines, a pasted log) fits; a sustained flood does
 * not, and its excess is refused in a way the sender's client shows (486 with Retry-After, RFC 3261
 * §21.4.24 and §20.33).
 */
export interface BudgetLimits {
  /** Messages one sender may send at once, and how many more per hour after that. */
  readonly messages: { readonly burst: number; readonly perHour: number };
  /** Bytes of text (UTF-8) one sender may send at once, and how many more per hour. */
  readonly bytes: { readonly burst: number; readonly perHour: number };
}

export const DEFAULT_BUDGET: BudgetLimits = {
  messages: { burst: 2_000, perHour: 3_600 },
  bytes: { burst: 2 * 1024 * 1024, perHour: 1024 * 1024 },
};

/** Senders whose buckets are remembered (the longest-quiet is forgotten first: it would be full again). */
const MAX_SENDERS = 1000;

interface Buckets {
  messages: number;
  bytes: number;
  at: number;
}

export class SenderBudget {
  private readonly senders = new Map<string, Buckets>();

  constructor(
    private readonly now: () => number,
    private readonly limits: BudgetLimits = DEFAULT_BUDGET,
  ) {}

  /**
   * Takes one message of `bytes` from `sender` if their budget allows: undefined when taken, else
   * the seconds until it would be (for Retry-After).
   */
  take(sender: string, bytes: number): number | undefined {
    const now = this.now();
    const { messages, bytes: size } = this.limits;
    const known = this.senders.get(sender);
    const elapsedHours = known ? Math.max(0, now - known.at) / 3_600_000 : 0;
    const buckets: Buckets = {
      messages: Math.min(messages.burst, (known?.messages ?? messages.burst) + elapsedHours * messages.perHour),
      bytes: Math.min(size.burst, (known?.bytes ?? size.burst) + elapsedHours * size.perHour),
      at: now,
    };
    this.senders.delete(sender);
    this.senders.set(sender, buckets);
    if (this.senders.size > MAX_SENDERS) this.senders.delete(this.senders.keys().next().value!);
    if (buckets.messages >= 1 && buckets.bytes >= bytes) {
      buckets.messages -= 1;
      buckets.bytes -= bytes;
      return undefined;
    }
    // A message larger than the whole byte budget would never fit: say so with the longest wait.
    const waitMessages = buckets.messages >= 1 ? 0 : ((1 - buckets.messages) / messages.perHour) * 3600;
    const waitBytes = buckets.bytes >= bytes ? 0 : ((Math.min(bytes, size.burst) - buckets.bytes) / size.perHour) * 3600;
    return Math.max(1, Math.ceil(Math.max(waitMessages, waitBytes)));
  }
}
