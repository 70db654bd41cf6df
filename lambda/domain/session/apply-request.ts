import { MpsdError } from '../errors';
import type { JsonValue } from '../json';
import { assertCanRead, assertCanWrite, isMember } from '../permissions';
import { copySessionForChange, type SessionDocument } from '../session-document';
import { expectObject } from '../validate';
import { assembleConstants, checkConstantsUnchanged, readConstantsChange } from './constants';
import { checkInitiators, checkMembersNeededToStart, newSession } from './creation';
import { dropUnmatchedHost } from './host';
import { checkCapacity } from './join';
import { applyMembers } from './members';
import { assertMayChangeSystemProperties, finishOwners, ownersOf } from './ownership';
import { finishSessionProperties, mergeCustom, mergeSystem, readPropertiesChange } from './properties';
import type { PutContext } from './put-context';
import { applyRoleTypesChange } from './roles';
import { applyServers } from './servers';
import { isEmptySessionExpired } from './timers';

// The entry the write decision (commit.ts) calls: one PUT body merged into the session, each element by its own
// module, in the order spec §8 gives (constants, members, role types, properties, servers, then the checks that
// need the whole result).

/** Top-level request members MPSD allows (spec §1.4): all others are prohibited. XSAPI also sends `roleTypes`. */
export const REQUEST_MEMBERS = ['constants', 'properties', 'members', 'servers', 'roleTypes'] as const;

export type PutOutcome =
  | { readonly kind: 'created' | 'updated'; readonly session: SessionDocument }
  /** The session existed and this PUT emptied it, so it is gone (spec §2.8). */
  | { readonly kind: 'deleted' }
  /** The PUT would have created a session with no members: nothing is created (spec §2.8). */
  | { readonly kind: 'not-created' };

/**
 * Merges a PUT body into the session (spec §1.4, §8 PUT steps 5-8). `current` is the stored session with its due
 * timers already applied; it is not changed (a retried write merges again from a fresh read). The body has been
 * parsed exactly, so object key order is the request's.
 */
export function applySessionRequest(
  current: SessionDocument | undefined,
  body: JsonValue,
  context: PutContext,
): PutOutcome {
  const request = expectObject('The request body', body);
  for (const key of Object.keys(request)) {
    if (!(REQUEST_MEMBERS as readonly string[]).includes(key)) {
      throw new MpsdError(
        'ProhibitedMember',
        `The request body has a top-level member "${key}"; only ${REQUEST_MEMBERS.join(', ')} are allowed.`,
      );
    }
  }
  const creating = current === undefined;
  const requestConstants =
    request.constants === undefined ? undefined : readConstantsChange(request.constants, context.contractVersion);
  let session: SessionDocument;
  if (current === undefined) {
    const constants = assembleConstants(context.template.constants, requestConstants);
    checkInitiators(constants, context.principal);
    session = newSession(constants, context);
  } else {
    session = copySessionForChange(current);
    if (requestConstants !== undefined) {
      // Compared only for callers who may read the session: a 409-or-not answer would otherwise let a stranger
      // test guesses of a private session's constants.
      if (!context.principal.isServer && !isMember(session, context.principal))
        assertCanRead(session, context.principal);
      checkConstantsUnchanged(session.constants, requestConstants);
    }
  }

  const memberCountBefore = Object.keys(session.members).length;
  const wasMember = !creating && isMember(session, context.principal);
  let added = 0;
  if (request.members !== undefined) added = applyMembers(session, request.members, context, creating);
  if (!creating && !wasMember && !isMember(session, context.principal) && !context.principal.isServer) {
    // A caller who neither was nor became a member is answered with the session, so it must be allowed to read it
    // (a private session is 403, spec §2.14), and may change it only as a member.
    assertCanRead(session, context.principal);
    const changesSomething = request.properties !== undefined || request.roleTypes !== undefined || added > 0;
    if (changesSomething) assertCanWrite(session, context.principal);
  }
  if (request.roleTypes !== undefined) applyRoleTypesChange(session, request.roleTypes, context.principal, creating);
  if (request.properties !== undefined) {
    const change = readPropertiesChange(request.properties, session.constants);
    // Checked against the session as it was before this merge: a list of owners written by this PUT grants nothing.
    assertMayChangeSystemProperties(session, change.system, context.principal);
    const ownersBefore = ownersOf(session);
    session.properties.system = mergeSystem(session.properties.system, change.system);
    session.properties.custom = mergeCustom(session.properties.custom, change.custom);
    if (change.system.owners !== undefined) finishOwners(session, ownersBefore, context.principal);
  }
  finishSessionProperties(session.properties.system, session.constants);
  if (request.servers !== undefined) applyServers(session, request.servers, context.principal);
  dropUnmatchedHost(session);
  if (creating) checkMembersNeededToStart(session);

  checkCapacity(session, memberCountBefore, added);
  const count = Object.keys(session.members).length;
  // Timers are not re-run here: a member this PUT made inactive stays visible until the next read or write.
  if (count === 0 && isEmptySessionExpired(session, context.now)) {
    return { kind: creating ? 'not-created' : 'deleted' };
  }
  if (creating && count === 0) session.emptySince = context.now;
  return { kind: creating ? 'created' : 'updated', session };
}
