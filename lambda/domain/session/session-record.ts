import type { SessionDocument } from '../session-document';
import type { StoredSessionText } from './session-text';

/**
 * What one session's item holds, as the write decision reads it and decides to write it: the session, or the
 * tombstone a deleted session leaves (DESIGN.md, "Decisions").
 *
 * The domain defines this shape rather than the service mapping the store's records to it: what is stored for a
 * session (a tombstone that keeps the correlation id, a TTL derived from the timers) is an MPSD decision the
 * commit makes, and a mapping would write the shape a second time. The store's StoredRecord and NewRecord are these
 * types plus what only the conditional write needs (version, recent write ids), so the store imports this module,
 * never the other way round.
 */
export type SessionRecord =
  | {
      readonly kind: 'session';
      readonly document: SessionDocument;
      /** Epoch seconds after which the item is garbage (DynamoDB TTL); a read treats it as absent from then on. */
      readonly expiresAt?: number;
      /**
       * Epoch ms of the session's next timer (nextTimerAt), written with the session so the sweeper finds it by an
       * index; absent when no timer is pending. Only written: a read derives timers from the document.
       */
      readonly timersDueAt?: number;
    }
  | {
      /**
       * A deleted session. The item is kept (until its TTL) so that the correlation id survives re-creation (spec
       * §2.2) and a re-creation is still a conditional write on a version, like every other write.
       */
      readonly kind: 'deleted';
      readonly correlationId: string;
      /**
       * The change number the deletion took (the session's last + 1, as its shoulder tap says): a re-creation
       * continues after it, so a session's changeNumber never goes backwards, even on a new branch (family spec
       * §6.8: Multiplayer Manager compares change numbers without the branch). Absent on tombstones written before.
       */
      readonly changeNumber?: number;
      readonly expiresAt?: number;
    };

/** What a session write puts under the key: a tombstone always has its TTL. */
export type SessionRecordToWrite =
  | (Extract<SessionRecord, { kind: 'session' }> & {
      /**
       * The document's stored text, when the decision already made it (the size backstop measures the bytes that
       * are stored): the item codec stores this text rather than serialising the document a second time.
       */
      readonly storedText?: StoredSessionText;
    })
  | (Extract<SessionRecord, { kind: 'deleted' }> & { readonly expiresAt: number });
