import { MpsdError } from '../errors';
import type { JsonObject, JsonValue } from '../json';
import type { Principal } from '../principal';
import { findMemberByXuid, type SessionDocument } from '../session-document';
import { type CommitContext, decideSessionWrite, type SessionWriteDecision, type SessionWriteRequest } from './commit';
import { viewAt } from './live-view';
import { MEMBER_INDEX } from './members';
import type { SessionRecord } from './session-record';

// The session sub-resources (family spec §2). Each is the equivalent session PUT (family spec §2 table), decided by
// the one write decision (commit.ts) with what the sub-resource adds around it, and nothing else: it never creates
// (404 when the session does not exist), and it answers 204 when the element it names did not exist (D-STATUS: "the
// session existed when the operation began but the element no longer exists"). Every other rule (preconditions,
// access, ownership, large sessions, removal, deletion of an emptied session) is the session PUT's own.

/** The element of a session that a sub-resource URI names. */
export type SessionElement =
  /** `PUT …/properties`: the session's properties; the body is the properties change. */
  | { readonly kind: 'properties' }
  /** `DELETE …/members/me` (`key` `me`) or `DELETE …/members/{index}` (`key` as the path has it). */
  | { readonly kind: 'member'; readonly key: string }
  /** `DELETE …/servers/{name}`. */
  | { readonly kind: 'server'; readonly name: string };

/** A write of one element: a session PUT's preconditions and principal, the element and (properties only) its body. */
export interface ElementWriteRequest extends Omit<SessionWriteRequest, 'body' | 'noCommit'> {
  readonly element: SessionElement;
  /** The request body: the properties change for `properties`; ignored by the deletions (they take none). */
  readonly body: JsonValue | undefined;
}

const SESSION_NOT_FOUND_MESSAGE =
  'The session does not exist. Sub-resources change an existing session only; create it with a PUT of the session.';

/**
 * Decides a sub-resource write on the record as read at `now`, in this order: the principal the element needs (401),
 * an invalid element lookup (404), a session that does not exist (404, whatever precondition was sent: there is no
 * session to compare it with), then the equivalent session PUT (preconditions 412, access 403, conflicts 409, ...).
 * An element that did not exist answers 204 instead of 200, after every check the equivalent PUT makes (so a private
 * session is still 403 to a stranger). Pure.
 */
export function decideElementWrite(
  record: SessionRecord | undefined,
  request: ElementWriteRequest,
  now: number,
  context: CommitContext,
): SessionWriteDecision {
  const { element, principal } = request;
  if (element.kind === 'member' && element.key === 'me' && principal.xuid === undefined) {
    // Every member operation needs a user principal (D-MEDEL); family spec §2.2 says 401 for a token without xuid.
    throw new MpsdError('InvalidToken', 'DELETE …/members/me needs a user token: this token carries no xuid claim.');
  }
  if (element.kind === 'member' && element.key !== 'me' && !MEMBER_INDEX.test(element.key)) {
    throw new MpsdError(
      'ElementNotFound',
      `"${element.key}" is not a member index: use "me" or a decimal member index (family spec §2.3).`,
    );
  }
  const session = viewAt(record, now).session;
  if (session === undefined) throw new MpsdError('SessionNotFound', SESSION_NOT_FOUND_MESSAGE);
  const existed = elementExists(session, element, principal);
  const decision = decideSessionWrite(
    record,
    { ...request, body: equivalentSessionChange(session, element, request.body, principal), noCommit: false },
    now,
    context,
  );
  // An absent element: whatever the PUT would have answered with the session is 204 (a write of timers that fired
  // is kept). A 412 still carries the session.
  if (!existed && decision.answer.kind === 'updated') return { ...decision, answer: { kind: 'gone' } };
  return decision;
}

/**
 * The session PUT body a sub-resource is equivalent to (family spec §2 table): `{"properties": body}`,
 * `{"members": {"me": null}}`, `{"members": {"<index>": null}}`, `{"servers": {"<name>": null}}`. A user deleting
 * the index of its own member leaves, as with `members/me` (family spec §2.3).
 */
export function equivalentSessionChange(
  session: SessionDocument,
  element: SessionElement,
  body: JsonValue | undefined,
  principal: Principal,
): JsonObject {
  switch (element.kind) {
    case 'properties':
      return { properties: body ?? {} };
    case 'member': {
      const own = principal.xuid === undefined ? undefined : findMemberByXuid(session, principal.xuid);
      const key = element.key === 'me' || own?.index === element.key ? 'me' : element.key;
      return { members: Object.fromEntries([[key, null]]) };
    }
    case 'server':
      // Object.fromEntries makes an own key whatever the name (`__proto__` too), as the exact JSON parser would.
      return { servers: Object.fromEntries([[element.name, null]]) };
  }
}

/** True when the element exists in the session (the session's properties always do). */
function elementExists(session: SessionDocument, element: SessionElement, principal: Principal): boolean {
  switch (element.kind) {
    case 'properties':
      return true;
    case 'member':
      if (element.key === 'me') return findMemberByXuid(session, principal.xuid as string) !== undefined;
      return Object.hasOwn(session.members, element.key);
    case 'server':
      return Object.hasOwn(session.servers, element.name);
  }
}
