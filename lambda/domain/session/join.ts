import { MpsdError } from '../errors';
import { cloneJson, isJsonObject, type JsonValue } from '../json';
import { type AccessGrant, satisfiesRestriction } from '../permissions';
import type { Principal } from '../principal';
import {
  findMemberByXuid,
  memberStatus,
  type PropertyBag,
  type SessionDocument,
  type StoredMember,
} from '../session-document';
import { expectKnownKeys, expectObject } from '../validate';
import { checkConstantsUnchanged } from './constants';
import { maxMembersCountOf, visibilityOf } from './constants-defaults';
import { mergeMemberSystem, readMemberConstants, readMemberPropertiesChange } from './member-properties';
import { removeMemberAt } from './member-removal';
import { grantStarterOwnership } from './ownership';
import { mergeCustom, restrictionsOf } from './properties';
import type { PutContext } from './put-context';
import { isoTime } from './render';
import { assignMemberRoles } from './roles';

// Where a join is validated: who may join without a reservation (visibility, closed, locked, joinRestriction), a
// user's own `members.me` (join, update itself, accept its reservation, leave), how a member is added, and the
// capacity check every added member passes (SessionFull).

/**
 * Throws unless the principal, not yet a member and without a reservation, may join the existing session (with a
 * handle's grant, whatever its joinRestriction).
 */
export function assertCanJoin(session: SessionDocument, principal: Principal, grant?: AccessGrant): void {
  const visibility = visibilityOf(session.constants.system);
  if (visibility === 'private') {
    throw new MpsdError('SessionAccessDenied', 'The session is private: only users with a reservation may join it.');
  }
  if (visibility === 'visible') {
    throw new MpsdError(
      'SessionNotJoinable',
      'The session\'s visibility is "visible": it can be read but only users with a reservation may join it.',
    );
  }
  if (session.properties.system.closed === true) {
    // A locked session lets its former members back in, and nobody else (spec §2.6); a locked session is closed.
    if (session.properties.system.locked === true) {
      const returning = principal.xuid !== undefined && (session.formerMembers ?? []).includes(principal.xuid);
      if (!returning) {
        throw new MpsdError(
          'SessionAccessDenied',
          'The session is locked: only its former members and users with a reservation may join it.',
        );
      }
    } else {
      throw new MpsdError('SessionAccessDenied', 'The session is closed: only users with a reservation may join it.');
    }
  }
  const { join } = restrictionsOf(session.properties.system, session.constants);
  if (!principal.isServer && grant === undefined && !satisfiesRestriction(session, principal, join)) {
    throw new MpsdError(
      'SessionAccessDenied',
      `The session's joinRestriction is "${join}": only users on the device of an active member may join without a reservation.`,
    );
  }
}

/** Appends a member at the next index (indices are never reused); a session with a member is no longer empty. */
export function addMember(session: SessionDocument, member: StoredMember): string {
  const index = String(session.nextMemberIndex);
  session.members[index] = member;
  session.nextMemberIndex += 1;
  delete session.emptySince;
  return index;
}

/** Sets the service-owned fields that follow from a member's own status change (spec §2.7.2, §2.7.5). */
function afterStatusChange(member: StoredMember, before: string, principal: Principal, now: number): void {
  const after = memberStatus(member);
  if (after !== before) member.stateSince = now;
  if (after === 'active' && principal.titleId !== undefined) member.activeTitleId = principal.titleId;
  if (after !== 'active') delete member.activeTitleId;
}

/** Adds the member constants the user sends that its reservation did not set (first level of system and custom). */
function fillUnsetMemberConstants(member: StoredMember, sent: PropertyBag): void {
  for (const [key, value] of Object.entries(sent.system)) {
    if (!Object.hasOwn(member.constants.system, key)) member.constants.system[key] = cloneJson(value);
  }
  if (isJsonObject(sent.custom) && isJsonObject(member.constants.custom)) {
    const current = member.constants.custom;
    const unset = Object.entries(sent.custom).filter(([key]) => !Object.hasOwn(current, key));
    // A new object, never the stored one changed in place: custom values are shared by copies (copySessionForChange).
    if (unset.length > 0) member.constants.custom = { ...current, ...cloneJson(Object.fromEntries(unset)) };
  }
}

/**
 * Applies `members.me`. `startsSession` is true when the session had no members before this PUT (it is being created,
 * or an emptied session is being restarted): the member who joins then is the first owner of a `hasOwners` session.
 * Returns true when the caller joined (a member was added).
 */
export function applyMe(
  session: SessionDocument,
  value: JsonValue,
  context: PutContext,
  creating: boolean,
  startsSession: boolean,
): boolean {
  const { principal, now } = context;
  if (principal.xuid === undefined) {
    throw new MpsdError('Forbidden', 'members.me needs a user principal: the token carries no xuid.');
  }
  const existing = findMemberByXuid(session, principal.xuid);
  if (value === null) {
    if (existing !== undefined) removeMemberAt(session, existing.index, now);
    return false;
  }
  const me = expectObject('members.me', value);
  expectKnownKeys('members.me', me, ['constants', 'properties', 'roles']);
  const constants = readMemberConstants('members.me.constants', me.constants);
  // The member is always the token's user: an xuid in the body that differs is ignored, not refused. Real clients send
  // one: MCXboxBroadcast's sub-accounts join with the primary account's xuid and ConnectionId (family spec §1.3,
  // §3.10, §7 contradiction 19, which replaces session spec §7 item 8). A `connection` is likewise taken as sent,
  // whoever obtained it.
  constants.system.xuid = principal.xuid;
  const change = readMemberPropertiesChange(
    'members.me.properties',
    me.properties,
    session.constants,
    session.nextMemberIndex,
  );
  let member: StoredMember;
  let joined = false;
  if (existing === undefined) {
    if (!creating) assertCanJoin(session, principal, context.grant);
    member = {
      constants,
      properties: { system: {}, custom: {} },
      joinTime: isoTime(now),
      stateSince: now,
      ...(principal.gamertag === undefined ? {} : { gamertag: principal.gamertag }),
    };
    const index = addMember(session, member);
    if (startsSession) grantStarterOwnership(session, index);
    joined = true;
  } else {
    member = existing.member;
    if (me.constants !== undefined && member.reserved === true) {
      // Accepting a reservation is the user's own join (XSAPI's Join sends its constants, e.g. `initialize: true`):
      // fields the reserver left unset are filled in; a field set to another value is still a conflict.
      fillUnsetMemberConstants(member, constants);
    }
    if (me.constants !== undefined) {
      // Member constants are set only when the member is added; the same values again are accepted (idempotent PUTs).
      const { xuid: _xuid, ...sentSystem } = constants.system;
      const unchanged = { system: { ...sentSystem }, custom: constants.custom };
      const { xuid: _stored, ...storedSystem } = member.constants.system;
      try {
        checkConstantsUnchanged({ system: storedSystem, custom: member.constants.custom }, unchanged);
      } catch {
        throw new MpsdError(
          'ConstantsConflict',
          'members.me.constants can only be set when the member is added; they differ from the stored ones.',
        );
      }
    }
    if (member.reserved === true) {
      // The first PUT by a reserved user accepts the reservation (spec §2.7.5).
      delete member.reserved;
      member.stateSince = now;
    }
  }
  if (principal.gamertag !== undefined) member.gamertag = principal.gamertag;
  if (principal.deviceId !== undefined) member.deviceId = principal.deviceId;
  const before = joined ? 'new' : memberStatus(member);
  mergeMemberSystem(member, change.system);
  member.properties.custom = mergeCustom(member.properties.custom, change.custom);
  afterStatusChange(member, before, principal, now);
  if (me.roles !== undefined) assignMemberRoles(session, member, me.roles, principal);
  return joined;
}

/**
 * The capacity check, made once the whole request is merged: a request that adds members (joins or reservations)
 * may not leave more than `maxMembersCount` (spec §2.3). A request that adds nobody is never refused for it.
 */
export function checkCapacity(session: SessionDocument, memberCountBefore: number, added: number): void {
  const max = maxMembersCountOf(session.constants.system);
  const count = Object.keys(session.members).length;
  if (added > 0 && count > max) {
    throw new MpsdError(
      'SessionFull',
      `The session is full: it holds ${memberCountBefore} of ${max} members (maxMembersCount) and this request would add ${added}.`,
    );
  }
}
