import type { FinderChange } from '../domain/queries/finder-terms';

/** One page of candidate sessions for a term, newest first, and where the next page starts. */
export interface CandidatePage {
  readonly keys: readonly string[];
  /** Opaque position after this page; absent when the term has no more sessions. */
  readonly next?: string;
}

/**
 * The index of sessions by member xuid and by keyword (README "Finding sessions"), kept from the sessions stream.
 * Eventually consistent twice over (the stream's delay, then the global index's): the query checks every candidate
 * against the session itself.
 */
export interface SessionFinder {
  /** Applies one committed change of a session to the index (idempotent: a repeat writes the same items). */
  apply(sessionKey: string, change: FinderChange): Promise<void>;
  /** Session keys with this term in a SCID (optionally one template), newest start time first. */
  candidates(
    scid: string,
    term: string,
    page: { readonly templateName?: string; readonly limit: number; readonly after?: string },
  ): Promise<CandidatePage>;
}
