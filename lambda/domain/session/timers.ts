import { memberIndices, memberStatus, type SessionDocument, type StoredMember } from '../session-document';
import { timeoutOf } from './constants-defaults';
import { removeMemberAt } from './member-removal';

/** What a member's timer does when it fires (spec §2.4). */
type MemberTimer = { at: number; action: 'remove' | 'become-inactive' };

function memberTimer(session: SessionDocument, member: StoredMember): MemberTimer | undefined {
  const status = memberStatus(member);
  const timeout =
    status === 'reserved'
      ? timeoutOf(session.constants, 'reservedRemovalTimeout')
      : status === 'ready'
        ? timeoutOf(session.constants, 'readyRemovalTimeout')
        : status === 'inactive'
          ? timeoutOf(session.constants, 'inactiveRemovalTimeout')
          : null;
  if (timeout === null) return undefined;
  return { at: member.stateSince + timeout, action: status === 'ready' ? 'become-inactive' : 'remove' };
}

/** The outcome of letting time pass over a session. */
export interface TimerOutcome {
  /** True when any timer fired (the session differs from the stored one). */
  changed: boolean;
  /** How many member timers fired: a fired timer is a change, so a view counts it in its changeNumber. */
  fired: number;
  /** True when the session-empty timer fired: the session no longer exists. */
  deleted: boolean;
}

/**
 * Fires every timer due at `now`, in place. Timers are evaluated lazily, when the session is read or written, as
 * MPSD does (spec §2.4). A fired timer takes effect at the moment it was due, not at `now`: a ready member whose
 * timer expired becomes inactive at that moment, and its inactive timer runs from there, so the outcome does not
 * depend on how often the session is read.
 */
export function applyDueTimers(session: SessionDocument, now: number): TimerOutcome {
  let fired = 0;
  for (const index of memberIndices(session)) {
    for (;;) {
      const member = session.members[index];
      if (member === undefined) break;
      const timer = memberTimer(session, member);
      if (timer === undefined || timer.at > now) break;
      fired += 1;
      if (timer.action === 'remove') {
        removeMemberAt(session, String(index), timer.at);
        break;
      }
      member.properties.system = { ...member.properties.system, ready: false };
      member.stateSince = timer.at;
    }
  }
  return { changed: fired > 0, fired, deleted: isEmptySessionExpired(session, now) };
}

/** True when the session has no members and its session-empty timer has run out (spec §2.8). */
export function isEmptySessionExpired(session: SessionDocument, now: number): boolean {
  if (Object.keys(session.members).length > 0) return false;
  const timeout = timeoutOf(session.constants, 'sessionEmptyTimeout');
  if (timeout === null) return false;
  return (session.emptySince ?? now) + timeout <= now;
}

/** The time of the next pending timer (`nextTimer`, `Expires`), or undefined when none is pending. */
export function nextTimerAt(session: SessionDocument): number | undefined {
  let next: number | undefined;
  for (const member of Object.values(session.members)) {
    const timer = memberTimer(session, member);
    if (timer !== undefined && (next === undefined || timer.at < next)) next = timer.at;
  }
  if (Object.keys(session.members).length === 0) {
    const timeout = timeoutOf(session.constants, 'sessionEmptyTimeout');
    if (timeout !== null && session.emptySince !== undefined) next = session.emptySince + timeout;
  }
  return next;
}

/**
 * When the session will be deleted if nobody touches it again, or undefined for never: each member is followed
 * through its timers to removal, then the session-empty timer runs. This sets the item's TTL, which is only
 * garbage collection, so it is never earlier than the lazy evaluation would delete the session.
 */
export function untouchedDeletionAt(session: SessionDocument): number | undefined {
  const sessionEmpty = timeoutOf(session.constants, 'sessionEmptyTimeout');
  if (sessionEmpty === null) return undefined;
  const inactive = timeoutOf(session.constants, 'inactiveRemovalTimeout');
  let emptyAt = session.emptySince ?? 0;
  for (const member of Object.values(session.members)) {
    const timer = memberTimer(session, member);
    if (timer === undefined) return undefined;
    let removedAt = timer.at;
    if (timer.action === 'become-inactive') {
      if (inactive === null) return undefined;
      removedAt += inactive;
    }
    emptyAt = Math.max(emptyAt, removedAt);
  }
  return emptyAt + sessionEmpty;
}
