import { invalidValue, MpsdError } from '../errors';
import type { JsonValue } from '../json';
import { capabilitiesOf, type SessionDocument } from '../session-document';
import { expectObject } from '../validate';
import { applyMe } from './join';
import { removeMemberAt } from './member-removal';
import { actsAsOwner } from './ownership';
import type { PutContext } from './put-context';
import { applyReservation, RESERVATION_KEY } from './reservations';

// The `members` element of a PUT (spec §2.7): each key to its rule, in request order.

/** A member's key in `members` (spec §2.7.1): a decimal integer, as a session PUT and `DELETE …/members/{index}` take it. */
export const MEMBER_INDEX = /^(0|[1-9][0-9]{0,9})$/;

export const MEMBER_REFERENCE_MESSAGE =
  "The request body can't contain existing member references unless the authentication principal includes a server.";

/**
 * A server, or on a `hasOwners` session an owner, removes a member by its index (`"<index>": null`, spec §2.8,
 * §2.12); nothing else about another member.
 */
function removeByIndex(session: SessionDocument, key: string, entry: JsonValue, context: PutContext): void {
  if (!actsAsOwner(session, context.principal))
    throw new MpsdError('MemberReferenceRequiresServer', MEMBER_REFERENCE_MESSAGE);
  if (capabilitiesOf(session.constants).large === true) {
    throw new MpsdError(
      'ConstantsConflict',
      'Members cannot be removed by index on large sessions; a member leaves with "me": null.',
    );
  }
  if (entry !== null) {
    throw invalidValue(
      `members.${key}`,
      'can only be null (remove the member); a server cannot change other fields of a member.',
    );
  }
  if (session.members[key] !== undefined) removeMemberAt(session, key, context.now);
}

/** Applies the `members` element: `me` (join.ts), `reserve_<n>` (reservations.ts), a member index (servers only). */
export function applyMembers(
  session: SessionDocument,
  value: JsonValue,
  context: PutContext,
  creating: boolean,
): number {
  const members = expectObject('members', value);
  const startsSession = Object.keys(session.members).length === 0;
  let added = 0;
  // Object key order is the request's order (exact JSON parse), so reservations are appended in request order.
  for (const [key, entry] of Object.entries(members)) {
    if (key === 'me') {
      if (applyMe(session, entry, context, creating, startsSession)) added += 1;
    } else if (RESERVATION_KEY.test(key)) {
      if (applyReservation(session, key, entry, context)) added += 1;
    } else if (MEMBER_INDEX.test(key)) {
      removeByIndex(session, key, entry, context);
    } else {
      throw invalidValue(
        `members.${key}`,
        'is not a member key MPSD knows; use "me", "reserve_<n>" or (servers only) a member index.',
      );
    }
  }
  return added;
}
