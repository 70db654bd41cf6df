import { copySessionForChange } from '../session-document';
import { checkSessionSize } from '../session-size';
import { sessionRecordOf } from './commit';
import { viewAt } from './live-view';
import type { SessionRecord, SessionRecordToWrite } from './session-record';

// The session's top-level `searchHandle` (spec/mpsd-family.md §3.6, §4.6): the id of its current search handle. It is
// the one home of "which search handle is current": a search handle whose id the session does not name is not live
// (isHandleLive), so the session write below is the commit point of a search handle's POST and DELETE (README
// "Handles"). Pure.

/** What a search handle's POST or DELETE does to the field. */
export type SearchHandleChange =
  /** POST: the new handle becomes current, replacing any other (§7 item 13). */
  | { readonly set: string }
  /** DELETE: cleared only while it still names this handle (a newer one stays). */
  | { readonly clear: string };

/** How the change went: written; the field already said so; or the session is gone (ended or never existed). */
export type SearchHandleAnswer = 'changed' | 'unchanged' | 'gone';

export type SearchHandleDecision =
  | { readonly answer: SearchHandleAnswer }
  | { readonly write: SessionRecordToWrite; readonly answer: SearchHandleAnswer };

/**
 * Decides the write of a `searchHandle` change on the session as it is at `now` (due timers applied, as every write
 * commits them): a session change like any other, so `changeNumber` goes up by one (and the change is tapped, §3.8).
 * Nothing is written when the session is gone or the field is already as asked.
 */
export function decideSearchHandleChange(
  record: SessionRecord | undefined,
  change: SearchHandleChange,
  now: number,
): SearchHandleDecision {
  const view = viewAt(record, now);
  if (view.session === undefined) return { answer: 'gone' };
  const current = view.session.searchHandle;
  const next = 'set' in change ? change.set : current === change.clear ? undefined : current;
  if (next === current) return { answer: 'unchanged' };
  const session = copySessionForChange(view.session);
  if (next === undefined) delete session.searchHandle;
  else session.searchHandle = next;
  session.changeNumber = view.session.changeNumber + 1;
  return { write: sessionRecordOf(session, checkSessionSize(session)), answer: 'changed' };
}
