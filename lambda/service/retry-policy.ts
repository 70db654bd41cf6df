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
   * (each one is aborted at the budget's end), so a request ends well inside the Lambda timeout (15 s), which ends
   * inside API Gateway's 29-30 s integration limit.
   */
  readonly timeBudgetMs?: number;
}

/**
 * 40 attempts, 5 ms doubling to 1 s, within 7 s. After a lost race the writer backs off and reads afresh, so the
 * back-off must thin out the crowd: with many writers on one item only one wins each read-to-write window, and a
 * 1 s ceiling keeps 150 writers from spending their attempts on each other (test/concurrency reports the spread:
 * most PUTs need under 15 attempts). The time budget, not the attempt count, ends a request under sustained
 * overload; every store call is aborted at its end (the SDK's own retry delays included), so a PUT ends by about
 * 7 s; with the checks before it (token, fair use: up to 3 s) well inside the 15 s Lambda.
 */
export const DEFAULT_RETRY_POLICY: Required<RetryPolicy> = {
  maxAttempts: 40,
  baseDelayMs: 5,
  maxDelayMs: 1000,
  timeBudgetMs: 7000,
};

/** "Full jitter" back-off: a uniformly random wait up to the capped exponential, so racing writers spread out. */
export function backoffDelayMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * backoffCeilingMs(policy, attempt));
}

/** The longest wait before the attempt after `attempt`: baseDelayMs doubling with every attempt, up to maxDelayMs. */
export function backoffCeilingMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
}
