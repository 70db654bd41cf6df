import type { SessionRecord, SessionRecordToWrite } from '../domain/session/session-record';
import type { ConditionalWriteResult, VersionedRecord, VersionedStore } from './versioned-store';

// The generic port's names stay importable from here: every session module and adapter reads them from this port.
export {
  type ExpectedVersion,
  RECENT_WRITE_IDS,
  type StoreCallOptions,
  StoreUnavailableError,
} from './versioned-store';

/** What the table holds under one session key: the session's record (the domain's shape), versioned. */
export type StoredRecord = SessionRecord & VersionedRecord;

/**
 * What a write puts under the key. `recentWriteIds` is this write's id followed by the previous item's ids (at most
 * RECENT_WRITE_IDS): every item names the writes that led to it.
 */
export type NewRecord = SessionRecordToWrite & {
  readonly recentWriteIds?: readonly string[];
  /** Epoch ms of this write (the loop's clock); the QA listing reports it as `lastChange`. */
  readonly writtenAt?: number;
};

/** Expected outcomes are values (DESIGN.md): a lost race is `rejected` with the item that won it. */
export type WriteResult = ConditionalWriteResult<StoredRecord>;

/**
 * One item per session, keyed `scid#template#name`. Reads are strongly consistent: they feed conditional writes,
 * and a client reading right after its own PUT must see it.
 */
export type SessionStore = VersionedStore<StoredRecord, NewRecord>;
