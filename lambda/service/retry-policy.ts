/**
 * How a PUT retries after losing a race for the session's item, or after a store call that may succeed later
 * (DESIGN.md, "Decisions"). Defaults are explained in the README ("Concurrency and faults").
 */
export interface RetryPolicy {
  /** Attempts in all, the first included; lost races and store faults both count. */
  readonly maxAttempts: number;
  /** Back-off before the second attempt; it doubles with every attempt, up to maxDelayMs. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /**
   * Wall-clock time a request may spend on the store, retries and back-off included. No store call runs past it
   * (each one is aborted at the budget's end), so a request ends well inside the Lambda timeout (10 s), which ends
   * inside API Gateway's 29-30 s integration limit.
   */
  readonly timeBudgetMs?: number;
}

/**
 * 60 attempts, 5 ms doubling to 200 ms, within 6 s (plus at most one SDK back-off, under 2 s, for a call aborted at
 * the end: about 8 s in a 10 s Lambda). A write cycle on one item takes a few ms, so a lost race is
 * worth retrying soon; the 200 ms cap keeps a writer that lost many races from sleeping through the gaps other
 * writers leave. 150 joiners racing for one session on a 2-core machine need up to about 40 attempts (test/concurrency);
 * the time budget, not the attempt count, is what ends a request under a sustained overload.
 */
export const DEFAULT_RETRY_POLICY: Required<RetryPolicy> = {
  maxAttempts: 60,
  baseDelayMs: 5,
  maxDelayMs: 200,
  timeBudgetMs: 6000,
};

/** "Full jitter" back-off: a uniformly random wait up to the capped exponential, so racing writers spread out. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}
