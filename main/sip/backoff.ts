/**
 * Reconnect delays: the first retry comes within a second (most drops are a blip or a server
 * restart), later ones double up to a cap, and every delay is jittered so that a server restart
 * does not see all its clients return in the same instant.
 */
export interface BackoffPolicy {
  /** The first retry lands in [firstMinMs, firstMaxMs). */
  readonly firstMinMs: number;
  readonly firstMaxMs: number;
  /** Later retries: `baseMs * 2^(attempt-1)`, capped at `capMs`, then "equal jitter" (half fixed, half random). */
  readonly baseMs: number;
  readonly capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { firstMinMs: 250, firstMaxMs: 1000, baseMs: 1000, capMs: 30_000 };

/** The delay before retry number `attempt` (1-based); `random` returns [0, 1). */
export function backoffDelay(attempt: number, random: () => number = Math.random, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (attempt <= 1) return policy.firstMinMs + random() * (policy.firstMaxMs - policy.firstMinMs);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}
