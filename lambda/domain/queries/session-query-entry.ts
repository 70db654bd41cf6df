import type { JsonObject } from '../json';
import { maxMembersCountOf, type Visibility, visibilityOf } from '../session/constants-defaults';
import { restrictionsOf } from '../session/properties';
import { hasAccepted, type SessionDocument } from '../session-document';
import type { SessionReference } from '../session-reference';

// What a session query answers per session (spec/mpsd-family.md §5.5), and the QA listing's entry: the documented
// fields plus a few this project adds for QA only (README "Finding sessions"). Pure: the session is the live view.

/** A session's visibility as queries report it (§5.4): its constant, except that an open session with no free slot is `full`. */
export type QueryVisibility = Visibility | 'full';

export function queryVisibilityOf(session: SessionDocument): QueryVisibility {
  const visibility = visibilityOf(session.constants.system);
  if (visibility !== 'open') return visibility;
  const members = Object.keys(session.members).length;
  return members >= maxMembersCountOf(session.constants.system) ? 'full' : 'open';
}

/**
 * The documented fields every entry has, in the documented order (§5.5): `startTime`, `sessionRef`, `accepted`,
 * `visibility`, `joinRestriction` (only when visible as `open` or `full` and not `none`), `keywords` (when the session
 * has some). The xuid-specific fields (`xuid`, `status`, `myTurn`) are the caller's to add.
 */
export function queryEntryOf(session: SessionDocument, ref: SessionReference): JsonObject {
  const visibility = queryVisibilityOf(session);
  const entry: JsonObject = {
    startTime: session.startTime,
    sessionRef: { scid: ref.scid, templateName: ref.templateName, name: ref.name },
    accepted: Object.values(session.members).filter(hasAccepted).length,
    visibility,
  };
  if (visibility === 'open' || visibility === 'full') {
    const { join } = restrictionsOf(session.properties.system, session.constants);
    if (join !== 'none') entry.joinRestriction = join;
  }
  const keywords = session.properties.system.keywords;
  if (Array.isArray(keywords) && keywords.length > 0) entry.keywords = [...keywords];
  return entry;
}

/**
 * One entry of the QA listing (a project extension, README "Finding sessions"): the documented fields, then
 * `membersCount`, `maxMembersCount`, `closed`, `locked`, `changeNumber` and `lastChange` (ISO 8601 time of the last
 * commit). The shape is agreed with the QA page that reads it: change it only together with that page.
 */
export function listingEntryOf(session: SessionDocument, ref: SessionReference, lastChange: string): JsonObject {
  const system = session.properties.system;
  return {
    ...queryEntryOf(session, ref),
    membersCount: Object.keys(session.members).length,
    maxMembersCount: maxMembersCountOf(session.constants.system),
    closed: system.closed === true,
    locked: system.locked === true,
    changeNumber: session.changeNumber,
    lastChange,
  };
}
