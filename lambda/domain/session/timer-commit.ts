import type { Principal } from '../principal';
import { type CommitContext, decideSessionWrite, tombstoneOf } from './commit';
import { CURRENT_CONTRACT_VERSION } from './legacy-contract';
import { viewAt } from './live-view';
import type { SessionRecord, SessionRecordToWrite } from './session-record';

/** What committing a session's due timers came to. */
export type TimerCommitAnswer =
  /** The timers that fired were committed (a new changeNumber, and so a stream record and a shoulder tap). */
  | 'committed'
  /** The session-empty timer fired (or the item's lifetime ran out): the session ended, leaving its tombstone. */
  | 'ended'
  /** Nothing was due: another write committed the timers first, or the index entry was stale. */
  | 'nothing-due';

export type TimerCommitDecision =
  | { readonly answer: TimerCommitAnswer }
  | { readonly write: SessionRecordToWrite; readonly answer: TimerCommitAnswer };

/** The sweeper acts as the service itself: no user, so it is never refused a read or a change of its own. */
const SWEEPER: Principal = { isServer: true };

/**
 * Decides the sweeper's write of one session (spec §2.4; DESIGN.md: "a sweeper commits due timers on its own"):
 * exactly the write of a PUT with an empty body, which applies the due timers and commits them, so reservations
 * expire, inactive members leave and the change is tapped like any other. A session whose timers ended it is
 * written as the tombstone a deletion leaves (an empty PUT would not write it: it never creates). Nothing is written
 * when no timer is due. Pure.
 */
export function decideDueTimers(
  record: SessionRecord | undefined,
  now: number,
  context: CommitContext,
): TimerCommitDecision {
  if (record?.kind !== 'session') return { answer: 'nothing-due' };
  const view = viewAt(record, now);
  if (!view.changedByTimers) return { answer: 'nothing-due' };
  if (view.session === undefined) {
    return {
      write: tombstoneOf(
        view.previousCorrelationId ?? record.document.correlationId,
        now,
        view.previousChangeNumber ?? record.document.changeNumber + 1,
      ),
      answer: 'ended',
    };
  }
  const decision = decideSessionWrite(
    record,
    {
      principal: SWEEPER,
      contractVersion: CURRENT_CONTRACT_VERSION,
      body: {},
      noCommit: false,
      ifMatch: undefined,
      ifNoneMatch: undefined,
    },
    now,
    context,
  );
  if (!('write' in decision)) return { answer: 'nothing-due' };
  return { write: decision.write, answer: decision.write.kind === 'deleted' ? 'ended' : 'committed' };
}
