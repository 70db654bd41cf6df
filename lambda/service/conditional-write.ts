import { MpsdError, serviceUnavailable } from '../domain/errors';
import {
  RECENT_WRITE_IDS,
  StoreUnavailableError,
  type VersionedRecord,
  type VersionedStore,
  type WriteStamp,
} from '../store/versioned-store';
import { AttemptBudget } from './attempt-budget';
import type { RetryPolicy } from './retry-policy';
import { WriteQueue } from './write-queue';

// The conditional-write loop knows nothing of MPSD: it reads an item, asks a decision what to answer and what to
// write, and gets that written at exactly the version the decision read. Every writer of an item uses it (session
// PUT today; sub-resources, writes through a handle, the timer sweeper, disconnect detection next). From the domain
// it imports only the error catalogue, for the 503 it ends with.

/** What the decision returns: answer without writing, or write this (then answer). */
export type WriteDecision<W, A> = { readonly answer: A } | { readonly write: W; readonly answer: A };

/** One conditional write: the item's key and the decision made on the item as read at `now` (epoch ms). */
export interface ConditionalWrite<R, W, A> {
  readonly key: string;
  /** Pure: called again on every fresh read; may throw a refusal (it ends the write, nothing stored). */
  readonly decide: (record: R | undefined, now: number) => WriteDecision<W, A>;
  /**
   * After a lost race: `back-off` (the default) waits and reads afresh; `decide-on-winner` decides again at once on
   * the item that won (current at that instant), for a decision that depends on exactly which item it saw (an
   * If-Match answers 412 with the winner, never a blind retry).
   */
  readonly afterLostRace?: 'back-off' | 'decide-on-winner';
  /** Names an answer in the write report; the answer's `kind` when absent. */
  readonly outcomeOf?: (answer: A) => string;
}

/** How one write went through the loop (metrics, the concurrency tests). */
export interface WriteReport {
  /** Attempts used, the first included (lost races and store faults). */
  readonly attempts: number;
  readonly faults: number;
  /** The answer's kind, or the error code it ended with. */
  readonly outcome: string;
}

export interface ConditionalWriterDeps {
  readonly retry: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  /** Epoch ms, handed to every decision. */
  readonly clock: () => number;
  /** A new unique id for each write (how a write whose answer was lost is recognised). */
  readonly newWriteId: () => string;
  /** Monotonic milliseconds for the time budget (performance.now when absent); never the item clock. */
  readonly elapsedMs?: () => number;
  /** Told how every write went. */
  readonly observeWrite?: (report: WriteReport) => void;
}

// The 503 texts: the one home of what a caller is told when the loop gives up.
const UNCONFIRMED_MESSAGE =
  'The session store did not confirm a write in time; the change was stored once or not at all. Repeating the same request is safe.';
const STORE_BUSY_MESSAGE = 'The session store is busy; nothing was changed. Retry after the Retry-After delay.';
const CONTENDED_MESSAGE =
  'The session is being changed by many callers at once; nothing was changed. Retry after the Retry-After delay.';

/**
 * Reads and writes one kind of item conditionally, within the retry policy's attempts and time budget.
 *
 * - A lost race is decided again onto a fresh read, after a jittered back-off (or at once on the winner, see
 *   `afterLostRace`).
 * - A store fault (throttling, a time-out) is retried within the same attempts and time budget. A write whose answer
 *   was lost is resolved by reading: an item that names the write's id is ours; anything else is decided again,
 *   which cannot apply twice because every write is conditional on the version it read.
 * - When attempts or time run out: one last look at the winner's item, without writing; if the decision then only
 *   answers (a refusal, nothing left to change), that is the answer. Otherwise 503 with Retry-After, which
 *   guarantees that nothing was stored or (only after a write whose answer was lost) that it was stored once.
 * - Within this process, writes to the same key run one at a time (WriteQueue).
 */
export class ConditionalWriter<R extends VersionedRecord, W> {
  private readonly queue = new WriteQueue();

  constructor(
    private readonly store: VersionedStore<R, W & WriteStamp>,
    private readonly deps: ConditionalWriterDeps,
  ) {}

  /** Reads an item, retrying store faults within a fresh budget (a read never writes, so it is never contended). */
  async read(key: string): Promise<R | undefined> {
    const budget = this.newBudget();
    try {
      for (;;) {
        try {
          return await this.store.read(key, budget.callOptions());
        } catch (error) {
          await this.backOffAfterFault(error, budget, false);
        }
      }
    } finally {
      budget.release();
    }
  }

  /** Gets the decision written (or answered) and returns its answer; see the class comment. */
  async write<A>(request: ConditionalWrite<R, W, A>): Promise<A> {
    const budget = this.newBudget();
    let outcome = 'error';
    try {
      // The budget runs while the request waits its turn: a long queue ends in 503, not in a late answer.
      const result = await this.queue.run(request.key, () => this.writeWithin(request, budget));
      outcome = request.outcomeOf?.(result) ?? kindOf(result);
      return result;
    } catch (error) {
      if (error instanceof MpsdError) outcome = error.code;
      throw error;
    } finally {
      budget.release();
      this.deps.observeWrite?.({ attempts: budget.attempts, faults: budget.faults, outcome });
    }
  }

  private newBudget(): AttemptBudget {
    return new AttemptBudget(this.deps.retry, this.deps.elapsedMs);
  }

  private async writeWithin<A>(request: ConditionalWrite<R, W, A>, budget: AttemptBudget): Promise<A> {
    const { key } = request;
    let record: R | undefined;
    let known = false;
    // The write whose answer was lost, until a read tells whether it was applied.
    let unanswered: { readonly writeId: string; readonly version: number; readonly answer: A } | undefined;
    let maybeWritten = false;
    let finalLook = false;
    for (;;) {
      if (!known) {
        try {
          record = await this.store.read(key, budget.callOptions());
          known = true;
        } catch (error) {
          await this.backOffAfterFault(error, budget, maybeWritten);
          continue;
        }
        if (unanswered !== undefined) {
          const applied = wasApplied(record, unanswered.writeId, unanswered.version);
          if (applied === 'yes') return unanswered.answer;
          // Too many writes since to tell: deciding again could apply the change a second time.
          if (applied === 'unknown') throw contended(true);
        }
        unanswered = undefined;
      }
      const now = this.deps.clock();
      const decision = request.decide(record, now);
      if (!('write' in decision)) return decision.answer;
      if (finalLook) throw contended(maybeWritten);
      const writeId = this.deps.newWriteId();
      const recentWriteIds = [writeId, ...(record?.recentWriteIds ?? [])].slice(0, RECENT_WRITE_IDS);
      const expected = record === undefined ? { absent: true as const } : { version: record.version };
      let result: Awaited<ReturnType<typeof this.store.write>>;
      try {
        const stamped = { ...decision.write, recentWriteIds, writtenAt: now };
        result = await this.store.write(key, stamped, expected, budget.callOptions());
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          maybeWritten = true;
          unanswered = { writeId, version: expectedNextVersion(record), answer: decision.answer };
          known = false;
        }
        await this.backOffAfterFault(error, budget, maybeWritten);
        continue;
      }
      // A rejection that holds exactly our write means an SDK-level retry repeated a write that had been applied.
      if (result.outcome === 'written' || wasApplied(result.current, writeId, expectedNextVersion(record)) === 'yes') {
        return decision.answer;
      }
      if (finalLook || !budget.allowsAnother()) {
        if (finalLook || result.current === undefined) throw contended(maybeWritten);
        // Out of attempts: one last look at the winner's item, current at this instant, without writing. If it
        // already decides the request (a refusal, nothing left to change), that is the answer, not a 503.
        finalLook = true;
        record = result.current;
        continue;
      }
      if (request.afterLostRace === 'decide-on-winner' && result.current !== undefined) {
        // The winner's item (ALL_OLD) is current now: decided on at once (a precondition's 412).
        record = result.current;
        continue;
      }
      // Back off, then read afresh: the winner's item would be stale after the wait, and deciding on a stale item
      // only loses again. The short read-to-write window is what lets one of many racing writers win each round.
      await this.deps.sleep(budget.backoffMs());
      known = false;
    }
  }

  /** Waits before the next attempt after a store fault, or ends the request with 503 when none is left. */
  private async backOffAfterFault(error: unknown, budget: AttemptBudget, maybeWritten: boolean): Promise<void> {
    if (!(error instanceof StoreUnavailableError)) throw error;
    budget.faults += 1;
    if (!budget.allowsAnother()) {
      throw serviceUnavailable(maybeWritten ? UNCONFIRMED_MESSAGE : STORE_BUSY_MESSAGE, error);
    }
    await this.deps.sleep(budget.backoffMs());
  }
}

/** The 503 of a write that kept losing races (or whose write was not confirmed) until its attempts ran out. */
function contended(maybeWritten: boolean): MpsdError {
  return serviceUnavailable(maybeWritten ? UNCONFIRMED_MESSAGE : CONTENDED_MESSAGE);
}

function kindOf(answer: unknown): string {
  const kind = typeof answer === 'object' && answer !== null ? (answer as { kind?: unknown }).kind : undefined;
  return typeof kind === 'string' ? kind : 'answered';
}

function expectedNextVersion(record: VersionedRecord | undefined): number {
  return record === undefined ? 1 : record.version + 1;
}

/**
 * Whether the write with this id (which would have made `version`) is in the stored record: every item names the
 * ids of the writes that led to it, so an applied write is recognised even after others wrote on top of it.
 */
function wasApplied(record: VersionedRecord | undefined, writeId: string, version: number): 'yes' | 'no' | 'unknown' {
  if (record === undefined || record.version < version) return 'no';
  if (record.recentWriteIds.includes(writeId)) return 'yes';
  return record.version - version < RECENT_WRITE_IDS ? 'no' : 'unknown';
}
