/** One fair-use counter to increment (lambda/domain/fair-use.ts names them). */
export interface CounterIncrement {
  /** The item holding the counter: subject, longest period and its window start. */
  readonly key: string;
  /** The counter's attribute in that item: period and window start. */
  readonly attribute: string;
  /** Epoch seconds after which the counter may be deleted (its window is over). */
  readonly expiresAt: number;
}

/**
 * Atomic request counters shared by every instance of the service (spec §1.6: the limits hold across all Lambda
 * instances, so an in-memory count would not do).
 */
export interface RateLimitStore {
  /**
   * Adds one to each counter, creating it at 1 if absent, and returns the counts after the increment in the same
   * order. Counters in one item are incremented by one atomic update. Rejects when the store cannot answer; callers decide what that means (the service lets the request in).
   */
  increment(counters: readonly CounterIncrement[], options?: { abortSignal?: AbortSignal }): Promise<number[]>;
}
