import type { SessionDocument } from '../domain/session-document';

/** What the table holds under one session key. */
export type StoredRecord =
  | {
      readonly kind: 'session';
      readonly document: SessionDocument;
      /** The item's version; every write is conditional on it. */
      readonly version: number;
      /** Epoch seconds after which the item is garbage (DynamoDB TTL); a read treats it as absent from then on. */
      readonly expiresAt?: number;
      /** Ids of the most recent writes, newest first: how a write whose answer was lost is recognised later. */
      readonly recentWriteIds: readonly string[];
    }
  | {
      /**
       * A deleted session. The item is kept (until its TTL) so that the correlation id survives re-creation (spec
       * §2.2) and a re-creation is still a conditional write on a version, like every other write.
       */
      readonly kind: 'deleted';
      readonly version: number;
      readonly correlationId: string;
      readonly expiresAt?: number;
      readonly recentWriteIds: readonly string[];
    };

/**
 * What a write puts under the key. `recentWriteIds` is this write's id followed by the previous item's ids (at most
 * RECENT_WRITE_IDS): every item names the writes that led to it.
 */
export type NewRecord =
  | {
      readonly kind: 'session';
      readonly document: SessionDocument;
      readonly expiresAt?: number;
      readonly recentWriteIds?: readonly string[];
    }
  | {
      readonly kind: 'deleted';
      readonly correlationId: string;
      readonly expiresAt: number;
      readonly recentWriteIds?: readonly string[];
    };

/**
 * How many write ids an item keeps. A write whose answer was lost is known to be applied when its id is in a later
 * item, and known not to be when it is absent from an item fewer than this many versions later.
 */
export const RECENT_WRITE_IDS = 32;

/** The write's precondition: the item must be absent, or at exactly this version. */
export type ExpectedVersion = { readonly absent: true } | { readonly version: number };

/** Expected outcomes are values (DESIGN.md): a lost race is `rejected` with the item that won it. */
export type WriteResult =
  | { readonly outcome: 'written'; readonly version: number }
  | { readonly outcome: 'rejected'; readonly current: StoredRecord | undefined };

/** Per-call options: the service's time budget reaches every store call as an abort signal. */
export interface StoreCallOptions {
  /** Aborts the call (it then fails with StoreUnavailableError: whether a write was applied is unknown). */
  readonly abortSignal?: AbortSignal;
}

/**
 * One item per session, keyed `scid#template#name`. Reads are strongly consistent: they feed conditional writes,
 * and a client reading right after its own PUT must see it.
 */
export interface SessionStore {
  read(key: string, options?: StoreCallOptions): Promise<StoredRecord | undefined>;
  write(key: string, record: NewRecord, expected: ExpectedVersion, options?: StoreCallOptions): Promise<WriteResult>;
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
