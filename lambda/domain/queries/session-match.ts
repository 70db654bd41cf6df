import { type JsonObject, toNumber } from '../json';
import { assertCanRead } from '../permissions';
import type { Principal } from '../principal';
import { visibilityOf } from '../session/constants-defaults';
import { findMemberByXuid, memberStatus, type SessionDocument } from '../session-document';
import type { SessionReference } from '../session-reference';
import type { SessionQueryParameters } from './query-parameters';
import { queryEntryOf, queryVisibilityOf } from './session-query-entry';

// Whether one session answers a query by xuid or keyword (spec/mpsd-family.md §5.2, §5.4), and its entry (§5.5).
// Pure: the session is the live view (timers applied), read strongly consistently, so a member who left is never
// found, whatever the index still says.

/** A member's state as a query reports it: ready counts as inactive (§5.5). */
type QueryStatus = 'active' | 'reserved' | 'inactive';

/** The constants' `version`, 1 when unset (the documented default, constants-defaults.ts). */
function sessionVersionOf(session: SessionDocument): number {
  return toNumber(session.constants.system.version) ?? 1;
}

function mayRead(session: SessionDocument, principal: Principal): boolean {
  try {
    assertCanRead(session, principal);
    return true;
  } catch {
    return false;
  }
}

/**
 * The entry of `session` for a query by `xuid` (or by keyword alone when `xuid` is undefined), or undefined when it
 * does not match: the xuid is not a member in a state the flags ask for (active always; inactive and ready with
 * `inactive`; reserved with `reservations`), the keyword is not among its keywords (case-insensitively), it is private
 * without `private`, its visibility or version is filtered out, or the caller could not read it with a GET.
 */
export function matchSession(
  session: SessionDocument,
  ref: SessionReference,
  query: SessionQueryParameters,
  xuid: string | undefined,
  principal: Principal,
): JsonObject | undefined {
  let status: QueryStatus | undefined;
  let myTurn = false;
  if (xuid !== undefined) {
    const found = findMemberByXuid(session, xuid);
    if (found === undefined) return undefined;
    const state = memberStatus(found.member);
    if (state === 'reserved' && !query.reservations) return undefined;
    if ((state === 'inactive' || state === 'ready') && !query.inactive) return undefined;
    status = state === 'ready' ? 'inactive' : state;
    const turn = session.properties.system.turn;
    myTurn = Array.isArray(turn) && turn.some((index) => toNumber(index) === Number(found.index));
  }
  if (query.keyword !== undefined) {
    const wanted = query.keyword.toLowerCase();
    const keywords = session.properties.system.keywords;
    if (!Array.isArray(keywords) || !keywords.some((k) => typeof k === 'string' && k.toLowerCase() === wanted)) {
      return undefined;
    }
  }
  if (visibilityOf(session.constants.system) === 'private' && !query.private) return undefined;
  if (query.visibility !== undefined && queryVisibilityOf(session) !== query.visibility) return undefined;
  if (query.version !== undefined && sessionVersionOf(session) > query.version) return undefined;
  if (!mayRead(session, principal)) return undefined;
  // The documented order (§5.5): xuid, startTime, sessionRef, accepted, status, visibility, joinRestriction, myTurn,
  // keywords.
  const { startTime, sessionRef, accepted, visibility, joinRestriction, keywords } = queryEntryOf(session, ref);
  return {
    ...(xuid === undefined ? {} : { xuid }),
    startTime,
    sessionRef,
    accepted,
    ...(status === undefined ? {} : { status }),
    visibility,
    ...(joinRestriction === undefined ? {} : { joinRestriction }),
    ...(myTurn ? { myTurn: true } : {}),
    ...(keywords === undefined ? {} : { keywords }),
  } as JsonObject;
}
