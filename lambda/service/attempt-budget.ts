import type { StoreCallOptions } from '../store/versioned-store';
import { backoffCeilingMs, backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

/**
 * The attempts and wall-clock time one request may spend on the store (RetryPolicy): lost races and store faults
 * both spend attempts, and every store call is aborted when the time runs out.
 */
export class AttemptBudget {
  private attempt = 1;
  /** Store faults met so far. */
  faults = 0;
  private readonly deadline: number;
  private abortSignal: AbortSignal | undefined;

  /** `elapsedMs` is a monotonic clock (performance.now), never the session clock. */
  constructor(
    private readonly policy: RetryPolicy,
    private readonly elapsedMs: () => number = performance.now.bind(performance),
  ) {
    this.deadline = elapsedMs() + (policy.timeBudgetMs ?? DEFAULT_RETRY_POLICY.timeBudgetMs);
  }

  /** Counts an attempt; false when the attempts are spent or too little time is left for a back-off and a call. */
  allowsAnother(): boolean {
    if (this.attempt >= this.policy.maxAttempts) return false;
    if (this.remainingMs() <= backoffCeilingMs(this.policy, this.attempt)) return false;
    this.attempt += 1;
    return true;
  }

  /** Attempts made so far, the first included. */
  get attempts(): number {
    return this.attempt;
  }

  /** The jittered wait before the attempt just counted. */
  backoffMs(): number {
    return backoffDelayMs(this.policy, this.attempt - 1);
  }

  /**
   * Every store call is aborted when the budget ends, so no request outlives it. The deadline is fixed, so one
   * signal (one timer) serves every call of the budget: a PUT's read and write share it (issue 12 measured a timer
   * per call; bench/micro.ts).
   */
  callOptions(): StoreCallOptions {
    this.abortSignal ??= AbortSignal.timeout(Math.max(1, Math.ceil(this.remainingMs())));
    return { abortSignal: this.abortSignal };
  }

  private remainingMs(): number {
    return this.deadline - this.elapsedMs();
  }
}
