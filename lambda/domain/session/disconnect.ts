import { capabilitiesOf, copySessionForChange, memberStatus, type SessionDocument } from '../session-document';
import { sessionRecordOf } from './commit';
import { viewAt } from './live-view';
import type { SessionRecord, SessionRecordToWrite } from './session-record';

/** How long a ConnectionId may be gone before its members become inactive (family spec §6.9). */
export const DISCONNECT_DETECTION_DELAY_MS = 30_000;

/** A member's `properties.system.connection`, when it wrote one. */
function connectionOf(session: SessionDocument, index: string): string | undefined {
  const connection = session.members[index]?.properties.system.connection;
  return typeof connection === 'string' ? connection.toLowerCase() : undefined;
}

/** Disconnect detection applies only to sessions whose constants ask for it (family spec §6.9, §7.26). */
function detectsDisconnects(session: SessionDocument | undefined): session is SessionDocument {
  return session !== undefined && capabilitiesOf(session.constants).connectionRequiredForActiveMembers === true;
}

/**
 * The ConnectionIds a change wrote into a session that detects disconnects: those of members that are new or whose
 * connection changed. The tap function records the session on each (family spec §6.9), so a closed ConnectionId
 * leads to its sessions by key, never by a Scan.
 */
export function connectionsWrittenInto(
  before: SessionDocument | undefined,
  after: SessionDocument | undefined,
): string[] {
  if (!detectsDisconnects(after)) return [];
  const written = new Set<string>();
  for (const index of Object.keys(after.members)) {
    const connection = connectionOf(after, index);
    if (connection === undefined) continue;
    if (before === undefined || !detectsDisconnects(before) || connectionOf(before, index) !== connection) {
      written.add(connection);
    }
  }
  return [...written];
}

/**
 * The ConnectionIds a change took out of a session: held by some member before and by none after (members who left
 * or wrote another connection, or the session ended). The tap function forgets the session on each, so a
 * ConnectionId's sessions are the ones it is in now (family spec §6.4: at most 10 per connection are documented).
 */
export function connectionsLeaving(before: SessionDocument | undefined, after: SessionDocument | undefined): string[] {
  if (!detectsDisconnects(before)) return [];
  const remaining = new Set<string>();
  if (detectsDisconnects(after)) {
    for (const index of Object.keys(after.members)) {
      const connection = connectionOf(after, index);
      if (connection !== undefined) remaining.add(connection);
    }
  }
  const leaving = new Set<string>();
  for (const index of Object.keys(before.members)) {
    const connection = connectionOf(before, index);
    if (connection !== undefined && !remaining.has(connection)) leaving.add(connection);
  }
  return [...leaving];
}

/** What a disconnect check did to one session. */
export type DisconnectAnswer = { readonly kind: 'set-inactive'; readonly members: number } | { readonly kind: 'none' };

export type DisconnectDecision =
  | { readonly answer: DisconnectAnswer }
  | { readonly write: SessionRecordToWrite; readonly answer: DisconnectAnswer };

/**
 * Family spec §6.9: the active members whose `connection` is still `connectionId` become inactive at `inactiveAt`
 * (30 s after it closed), so their `inactiveRemovalTimeout` runs from then. A member that has since written another
 * connection is untouched; members sharing the id go together. One write, with the next changeNumber (so a stream
 * record, and taps to the others), through the same conditional write as a PUT. Pure.
 */
export function decideDisconnect(
  record: SessionRecord | undefined,
  connectionId: string,
  inactiveAt: number,
  now: number,
): DisconnectDecision {
  if (record?.kind !== 'session') return { answer: { kind: 'none' } };
  const view = viewAt(record, now);
  if (!detectsDisconnects(view.session)) return { answer: { kind: 'none' } };
  // Changed in place below: a copy, since the view may be the record's own document.
  const session = copySessionForChange(view.session);
  let members = 0;
  for (const index of Object.keys(session.members)) {
    const member = session.members[index];
    if (member === undefined || memberStatus(member) !== 'active') continue;
    if (connectionOf(session, index) !== connectionId.toLowerCase()) continue;
    // XSAPI writes inactive as {"active": false, "ready": false} (spec §2.7.5); the title no longer runs for it.
    member.properties.system = { ...member.properties.system, active: false, ready: false };
    delete member.activeTitleId;
    member.stateSince = Math.min(inactiveAt, now);
    members += 1;
  }
  if (members === 0) return { answer: { kind: 'none' } };
  session.changeNumber += 1;
  return { write: sessionRecordOf(session), answer: { kind: 'set-inactive', members } };
}
