import { etagOf } from '../etag';
import { copySessionForChange, type SessionDocument } from '../session-document';
import type { SessionRecord } from './session-record';
import { applyDueTimers, nextTimerAt } from './timers';

/** The stored record seen at `now`: the session with its due timers applied and its ETag, or absent. */
export type LiveView = {
  /** True when timers changed the session relative to what is stored. */
  readonly changedByTimers: boolean;
  /** The correlation id to keep when the session is created again (spec §2.2). */
  readonly previousCorrelationId: string | undefined;
  /**
   * With no session: the last change number the deleted or ended one took, after which a re-creation continues
   * (family spec §6.8); undefined when none is known.
   */
  readonly previousChangeNumber?: number;
} & (
  | {
      /**
       * The session as of `now`. When no timer fired it is the record's own document: change a copy
       * (copySessionForChange), never the view in place.
       */
      readonly session: SessionDocument;
      /** The view's ETag (spec §7.1): the stored commit's, or one naming this timer view of it. */
      readonly etag: string;
    }
  /** No session: never created, deleted, expired. */
  | { readonly session: undefined; readonly etag: undefined }
);

/**
 * Applies due timers to a stored record (spec §2.4). An item whose TTL has passed is absent even if DynamoDB has not
 * yet removed it (its TTL deletion can lag by days).
 */
export function viewAt(record: SessionRecord | undefined, now: number): LiveView {
  if (record === undefined)
    return { session: undefined, etag: undefined, changedByTimers: false, previousCorrelationId: undefined };
  if (record.kind === 'deleted') {
    return {
      session: undefined,
      etag: undefined,
      changedByTimers: false,
      previousCorrelationId: record.correlationId,
      ...(record.changeNumber === undefined ? {} : { previousChangeNumber: record.changeNumber }),
    };
  }
  const correlationId = record.document.correlationId;
  // An ended session's last change number: what it had, plus the change that ended it.
  const previousChangeNumber = record.document.changeNumber + 1;
  if (record.expiresAt !== undefined && record.expiresAt * 1000 <= now) {
    return {
      session: undefined,
      etag: undefined,
      changedByTimers: true,
      previousCorrelationId: correlationId,
      previousChangeNumber,
    };
  }
  // Timers change the session in place, so they run on a copy; when none is due (nothing can fire: every timer is
  // later than `now`) the view is the record's own document, spared a deep copy on every read and write.
  const due = nextTimerAt(record.document);
  const session = due !== undefined && due <= now ? copySessionForChange(record.document) : record.document;
  const outcome = applyDueTimers(session, now);
  if (outcome.deleted)
    return {
      session: undefined,
      etag: undefined,
      changedByTimers: true,
      previousCorrelationId: correlationId,
      previousChangeNumber: session.changeNumber + 1,
    };
  // Each fired timer is a change (spec §2.2): the view counts it in changeNumber, and a write then commits the next
  // number after it. The view's ETag names the commit plus the fired timers, never a commit's own ETag: a write
  // that read before these timers were due may commit that very change number with other content.
  const committed = session.changeNumber;
  if (outcome.fired > 0) session.changeNumber += outcome.fired;
  return {
    session,
    etag: etagOf(session.branch, committed, outcome.fired),
    changedByTimers: outcome.changed,
    previousCorrelationId: correlationId,
  };
}
