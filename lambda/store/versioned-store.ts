/**
 * The port every conditionally written item is stored through, whatever it holds: a session today; a handle, a
 * timer or a connection next. The conditional-write loop (lambda/service/conditional-write.ts) needs only this.
 */

/** What every item read for a conditional write carries beside its content. */
export interface VersionedRecord {
  /** The item's version; every write is conditional on it. */
  readonly version: number;
  /** Ids of the most recent writes, newest first: how a write whose answer was lost is recognised later. */
  readonly recentWriteIds: readonly string[];
  /** Epoch ms of the write that made this version (the writer's clock); absent on items written before it was kept. */
  readonly writtenAt?: number;
}

/** What the conditional-write loop adds to every item it writes: the write's id first among the recent ones, and when. */
export interface WriteStamp {
  readonly recentWriteIds: readonly string[];
  readonly writtenAt: number;
}

/**
 * How many write ids an item keeps. A write whose answer was lost is known to be applied when its id is in a later
 * item, and known not to be when it is absent from an item fewer than this many versions later.
 */
export const RECENT_WRITE_IDS = 32;

/** The write's precondition: the item must be absent, or at exactly this version. */
export type ExpectedVersion = { readonly absent: true } | { readonly version: number };

/** Expected outcomes are values (DESIGN.md): a lost race is `rejected` with the item that won it. */
export type ConditionalWriteResult<R> =
  | { readonly outcome: 'written'; readonly version: number }
  | { readonly outcome: 'rejected'; readonly current: R | undefined };

/** Per-call options: the caller's time budget reaches every store call as an abort signal. */
export interface StoreCallOptions {
  /** Aborts the call (it then fails with StoreUnavailableError: whether a write was applied is unknown). */
  readonly abortSignal?: AbortSignal;
}

/**
 * Items read strongly consistently (they feed conditional writes) and written only at the version read, or only
 * when absent. `N` is what a write puts under the key; the store adds the version.
 */
export interface VersionedStore<R extends VersionedRecord, N extends { readonly recentWriteIds?: readonly string[] }> {
  read(key: string, options?: StoreCallOptions): Promise<R | undefined>;
  write(
    key: string,
    record: N,
    expected: ExpectedVersion,
    options?: StoreCallOptions,
  ): Promise<ConditionalWriteResult<R>>;
}

/**
 * A dependency failure the caller may retry later (throttling, timeouts, 5xx from DynamoDB): the service answers
 * 503 with Retry-After. Whether a failed write was applied is unknown, which is safe: every write is conditional on
 * the version it read, so a blind repeat cannot apply twice.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
