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
  private abortTimer: ReturnType<typeof setTimeout> | undefined;

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
   * per call; bench/micro.ts). The timer is the budget's own rather than AbortSignal.timeout's, so `release` can stop
   * it: a timeout signal cannot be cancelled, and each one fired 7 s after its request had ended (a timer, a
   * TimeoutError with its stack, an abort event: issue 12 found them in every request's profile).
   */
  callOptions(): StoreCallOptions {
    if (this.abortSignal === undefined) {
      const controller = new AbortController();
      // The reason AbortSignal.timeout gives, so a call aborted at the deadline fails as it did before.
      const timer = setTimeout(
        () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
        Math.max(1, Math.ceil(this.remainingMs())),
      );
      // Like AbortSignal.timeout's: a pending budget never keeps the process alive.
      timer.unref();
      this.abortTimer = timer;
      this.abortSignal = controller.signal;
    }
    return { abortSignal: this.abortSignal };
  }

  /**
   * Ends the budget once its request is done with the store: the deadline's timer is stopped, so the signal of a
   * finished request never fires. Calls made with it after this are no longer aborted at the deadline.
   */
  release(): void {
    clearTimeout(this.abortTimer);
    this.abortTimer = undefined;
  }

  private remainingMs(): number {
    return this.deadline - this.elapsedMs();
  }
}
