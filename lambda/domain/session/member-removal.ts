import { MAX_MEMBERS_LARGE } from '../limits';
import type { SessionDocument } from '../session-document';
import { settleOwnershipAfterRemoval } from './ownership';

/** How many former members a session remembers: as many as the largest session holds. */
export const MAX_FORMER_MEMBERS = MAX_MEMBERS_LARGE;

/** Deletes one member entry, remembering its xuid for `locked` (spec §2.6). */
function dropMember(session: SessionDocument, index: string): void {
  const member = session.members[index];
  if (member === undefined) return;
  delete session.members[index];
  const xuid = member.constants.system.xuid;
  if (typeof xuid === 'string' && member.reserved !== true) {
    const former = (session.formerMembers ?? []).filter((x) => x !== xuid);
    former.push(xuid);
    session.formerMembers = former.slice(-MAX_FORMER_MEMBERS);
  }
}

/**
 * Removes a member. Every way a member goes comes here: `"me": null`, a server's removal by index, the reserved and
 * inactive timers (spec §2.4, §2.8). So what a removal implies has this one home: the xuid is remembered for
 * `locked`, ownership migrates when the last owner goes (`endsession` removes every member, spec §2.8), and the
 * session-empty timer starts when nobody is left.
 */
export function removeMemberAt(session: SessionDocument, index: string, at: number): void {
  if (session.members[index] === undefined) return;
  dropMember(session, index);
  if (settleOwnershipAfterRemoval(session, index) === 'end-session') {
    for (const other of Object.keys(session.members)) dropMember(session, other);
  }
  if (Object.keys(session.members).length === 0) session.emptySince = Math.max(session.emptySince ?? 0, at);
}
