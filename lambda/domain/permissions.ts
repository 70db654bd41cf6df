import { MpsdError } from './errors';
import type { Principal } from './principal';
import { visibilityOf } from './session/constants-defaults';
import { type Restriction, restrictionsOf } from './session/properties';
import { findMemberByXuid, memberStatus, type SessionDocument } from './session-document';

// Access rules of spec §2.14: who may read and write a session. Who may join it is session/join.ts (assertCanJoin).
// Messages quote the live service where its wording is documented.

const PRIVATE_SESSION_MESSAGE =
  'The requested session cannot be accessed. Private Sessions can only be read by members of the session.';

export function isMember(session: SessionDocument, principal: Principal): boolean {
  return principal.xuid !== undefined && findMemberByXuid(session, principal.xuid) !== undefined;
}

/**
 * A `local` restriction admits users on the device of an active member (spec §2.6). `followed` needs a social
 * graph that a staging service does not have: it admits every signed-in user, as if every caller were followed by a
 * member (README, "Security model"). Treating it as `local` would lock out the real clients, which set `followed` and
 * then join a second account from another device (spec/client-captures friend-connect, bedrock-portal).
 */
export function satisfiesRestriction(
  session: SessionDocument,
  principal: Principal,
  restriction: Restriction,
): boolean {
  if (restriction !== 'local') return true;
  if (principal.deviceId === undefined) return false;
  return Object.values(session.members).some((m) => m.deviceId === principal.deviceId && memberStatus(m) === 'active');
}

/**
 * Extra access a handle gives its caller (spec/mpsd-family.md §3.10): an invite to its invitee, a transfer handle to
 * a member of its origin session. The session's `readRestriction` and `joinRestriction` do not apply to them; its
 * visibility, `closed` and `locked` still do (an invite to a closed session only reads it).
 */
export interface AccessGrant {
  readonly waivesRestrictions: true;
}

/** Throws 403 unless the principal may read the session (with a handle's grant, whatever its readRestriction). */
export function assertCanRead(session: SessionDocument, principal: Principal, grant?: AccessGrant): void {
  if (principal.isServer || isMember(session, principal)) return;
  if (visibilityOf(session.constants.system) === 'private')
    throw new MpsdError('SessionAccessDenied', PRIVATE_SESSION_MESSAGE);
  const { read } = restrictionsOf(session.properties.system, session.constants);
  if (grant === undefined && !satisfiesRestriction(session, principal, read)) {
    throw new MpsdError(
      'SessionAccessDenied',
      `The session's readRestriction is "${read}": only users on the device of an active member may read it.`,
    );
  }
}

/** Throws 403 unless the principal may change the session (it is a member after its own join, or a server). */
export function assertCanWrite(session: SessionDocument, principal: Principal): void {
  if (principal.isServer || isMember(session, principal)) return;
  throw new MpsdError(
    'SessionAccessDenied',
    'Only members of the session (or a server) may change it; join it with members.me first.',
  );
}
