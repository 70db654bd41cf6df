import { randomUUID } from 'node:crypto';
import { AttemptBudget } from '../../lambda/service/attempt-budget';
import { ConditionalWriter } from '../../lambda/service/conditional-write';
import type { RetryPolicy } from '../../lambda/service/retry-policy';
import type { ExpectedVersion, StoreCallOptions, VersionedRecord } from '../../lambda/store/versioned-store';
import { MemoryVersionedStore } from '../support/memory-versioned-store';

// The time budget's abort signal (issue 12): every store call of a request is aborted at the budget's end, and once
// the request is done with the store its timer is stopped, so the signal of a finished request never fires later.
// No test here depends on speed: a budget of 1 ms either fires before a later timer of 30 ms or, stopped, never.

const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2, timeBudgetMs: 1 };

/** Resolves after every timer due within `ms` has run (Node runs timers in the order they are due). */
const afterTimersOf = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the attempt budget', () => {
  it("aborts the store calls of a budget that ran out, with AbortSignal.timeout's reason", async () => {
    const signal = new AttemptBudget(POLICY).callOptions().abortSignal as AbortSignal;
    expect(signal.aborted).toBe(false);
    const reason = await new Promise<unknown>((resolve) =>
      signal.addEventListener('abort', () => resolve(signal.reason)),
    );
    expect(reason).toBeInstanceOf(DOMException);
    expect((reason as DOMException).name).toBe('TimeoutError');
  });

  it('gives every call of one budget the same signal (one timer per request)', () => {
    const budget = new AttemptBudget({ ...POLICY, timeBudgetMs: 60_000 });
    expect(budget.callOptions().abortSignal).toBe(budget.callOptions().abortSignal);
    budget.release();
  });

  it('stops its timer when released: the signal of a finished request never fires', async () => {
    const budget = new AttemptBudget(POLICY);
    const signal = budget.callOptions().abortSignal as AbortSignal;
    budget.release();
    await afterTimersOf(30);
    expect(signal.aborted).toBe(false);
  });
});

/** A counter store that keeps the signal of every call it is given. */
class SignalRecordingStore extends MemoryVersionedStore<{ count: number }> {
  readonly signals: AbortSignal[] = [];
  failReads = false;
  override async read(key: string, options?: StoreCallOptions) {
    if (options?.abortSignal !== undefined) this.signals.push(options.abortSignal);
    if (this.failReads) throw new Error('not a store fault: the request fails');
    return super.read(key, options);
  }
  override async write(key: string, record: { count: number }, expected: ExpectedVersion, options?: StoreCallOptions) {
    if (options?.abortSignal !== undefined) this.signals.push(options.abortSignal);
    return super.write(key, record, expected, options);
  }
}

function writerOver(
  store: SignalRecordingStore,
): ConditionalWriter<{ count: number } & VersionedRecord, { count: number }> {
  return new ConditionalWriter(store, {
    // The budget's clock stands still, so its deadline is 1 ms after each call's start, whatever the machine does.
    retry: POLICY,
    elapsedMs: () => 0,
    sleep: async () => {},
    clock: () => 0,
    newWriteId: randomUUID,
  });
}

describe('the conditional-write loop', () => {
  it("releases a write's budget when the write is done: its signal never fires afterwards", async () => {
    const store = new SignalRecordingStore();
    const writer = writerOver(store);
    await writer.write({
      key: 'k',
      decide: (record) => ({ write: { count: (record?.count ?? 0) + 1 }, answer: 'counted' }),
    });
    expect(store.signals).toHaveLength(2);
    await afterTimersOf(30);
    expect(store.signals.map((signal) => signal.aborted)).toEqual([false, false]);
  });

  it("releases a read's budget, and a failed request's too", async () => {
    const store = new SignalRecordingStore();
    const writer = writerOver(store);
    await writer.read('k');
    store.failReads = true;
    await expect(writer.read('k')).rejects.toThrow(/not a store fault/);
    await expect(writer.write({ key: 'k', decide: () => ({ answer: 'none' }) })).rejects.toThrow(/not a store fault/);
    expect(store.signals).toHaveLength(3);
    await afterTimersOf(30);
    expect(store.signals.map((signal) => signal.aborted)).toEqual([false, false, false]);
  });
});
