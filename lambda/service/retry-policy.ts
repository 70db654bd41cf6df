/**
 * How a PUT without a precondition retries after losing a race for the session's item (DESIGN.md, "Decisions").
 * Defaults are explained in the README ("Concurrency").
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Back-off before the second attempt; it doubles with every attempt, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 30, baseDelayMs: 4, maxDelayMs: 250 };

/** "Full jitter" back-off: a uniformly random wait up to the capped exponential, so racing writers spread out. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
