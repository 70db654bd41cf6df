import { isGuid } from '../guid';
import { isJsonObject, type JsonObject, type JsonValue, jsonEquals } from '../json';
import { capabilitiesOf, memberStatus, type SessionDocument } from '../session-document';

// Who is tapped on a committed change of a session, and why (family spec §6.6–§6.8). Pure: the tap function reads
// the old and new documents from the sessions table's stream and asks this module what to send to whom.

/** The `changeTypes` a member may subscribe to (§6.7; XSAPI's XblMultiplayerSessionChangeTypes). */
export const CHANGE_TYPES = [
  'everything',
  'host',
  'initialization',
  'matchmakingStatus',
  'membersList',
  'membersStatus',
  'joinability',
  'customProperty',
  'membersCustomProperty',
] as const;

export type ChangeType = (typeof CHANGE_TYPES)[number];

type Document = SessionDocument | undefined;
type ChangeDetector = (before: Document, after: Document) => boolean;

const systemProperty = (doc: Document, name: string): JsonValue | undefined => doc?.properties.system[name];
const memberIndicesOf = (doc: Document): string[] => Object.keys(doc?.members ?? {});
const unionOfMembers = (before: Document, after: Document): string[] => [
  ...new Set([...memberIndicesOf(before), ...memberIndicesOf(after)]),
];
const systemPropertiesDiffer = (names: readonly string[]) => (before: Document, after: Document) =>
  names.some((name) => !jsonEquals(systemProperty(before, name), systemProperty(after, name)));

/**
 * What triggers each change type: a diff of the committed documents (§6.7's suggested triggers). Over-notifying is
 * harmless (clients re-read only a newer `changeNumber`); missing a tap is not, so each detector errs wide.
 * `everything` is any committed change and has no detector of its own.
 */
const DETECTORS = {
  everything: () => true,
  host: systemPropertiesDiffer(['host', 'hostCandidates']),
  initialization: (before, after) =>
    systemPropertiesDiffer(['initializing'])(before, after) ||
    unionOfMembers(before, after).some((index) =>
      ['initializationEpisode', 'initializationFailure', 'initializationGroup'].some(
        (name) =>
          !jsonEquals(before?.members[index]?.properties.system[name], after?.members[index]?.properties.system[name]),
      ),
    ) ||
    unionOfMembers(before, after).some(
      (index) =>
        !jsonEquals(
          before?.members[index]?.constants.system.initialize,
          after?.members[index]?.constants.system.initialize,
        ),
    ),
  matchmakingStatus: (before, after) =>
    systemPropertiesDiffer(['matchmaking'])(before, after) ||
    !jsonEquals(
      before?.servers.matchmaking?.properties.system as JsonValue | undefined,
      after?.servers.matchmaking?.properties.system as JsonValue | undefined,
    ),
  membersList: (before, after) => {
    const was = memberIndicesOf(before);
    const is = memberIndicesOf(after);
    return was.length !== is.length || was.some((index) => after?.members[index] === undefined);
  },
  membersStatus: (before, after) =>
    unionOfMembers(before, after).some((index) => {
      const was = before?.members[index];
      const is = after?.members[index];
      // A member removed counts too (§7 contradiction 16): clients read membersStatus as "member left".
      if (was === undefined || is === undefined) return was !== undefined;
      return memberStatus(was) !== memberStatus(is);
    }),
  joinability: systemPropertiesDiffer(['joinRestriction', 'readRestriction', 'closed', 'locked']),
  customProperty: (before, after) => !jsonEquals(before?.properties.custom ?? {}, after?.properties.custom ?? {}),
  membersCustomProperty: (before, after) =>
    unionOfMembers(before, after).some(
      (index) =>
        !jsonEquals(before?.members[index]?.properties.custom ?? {}, after?.members[index]?.properties.custom ?? {}),
    ),
} satisfies Record<ChangeType, ChangeDetector>;

/** The change types a committed change triggers; empty when nothing was committed. */
export function changeTypesOf(before: Document, after: Document): Set<ChangeType> {
  if (!isCommittedChange(before, after)) return new Set();
  return new Set(CHANGE_TYPES.filter((type) => DETECTORS[type](before, after)));
}

/**
 * A write that changes nothing does not bump `changeNumber` and sends no tap (§7 item 28); a session that neither
 * existed before nor exists after (a tombstone rewritten) is no change either.
 */
function isCommittedChange(before: Document, after: Document): boolean {
  if (before === undefined || after === undefined) return before !== after;
  return before.branch !== after.branch || before.changeNumber !== after.changeNumber;
}

/** One (connection, subscription) a change is to be tapped to. */
export interface TapRecipient {
  /** The member's `connection`, lower-cased (the ConnectionId the service issued, compared case-insensitively). */
  readonly connection: string;
  /** The member's subscription id as written: `subscription.id`, or a key of the older `subscriptions` form. */
  readonly subscription: string;
}

/** What a change is tapped with (§6.8): where the session is and which change this is. */
export interface SessionTap {
  /** `<scid>~<template>~<name>`, lower-cased as the live service writes the template. */
  readonly resource: string;
  readonly branch: string;
  readonly changeNumber: number;
  /** One entry per (connection, subscription id), in member order. */
  readonly recipients: readonly TapRecipient[];
}

/**
 * The tap a committed change of one session makes, or undefined when nobody is to be tapped.
 *
 * Who (§6.8, §7 items 25 and 26): only sessions whose constants set `connectionRequiredForActiveMembers`; every
 * member of the old or the new document that is (or was, before this change) active and has a GUID `connection` and
 * a subscription whose change types match — the writer included, and members this change removed (they learn of
 * their removal). Members sharing a connection and a subscription id get one entry.
 *
 * What: the new document's branch and changeNumber; when the change deleted the session, the old branch and the
 * old changeNumber plus one (the deletion is a change too).
 */
export function shoulderTapOf(sessionKey: string, before: Document, after: Document): SessionTap | undefined {
  const changed = changeTypesOf(before, after);
  if (changed.size === 0) return undefined;
  if (!requiresConnection(before) && !requiresConnection(after)) return undefined;
  const recipients: TapRecipient[] = [];
  const seen = new Set<string>();
  for (const index of unionOfMembers(before, after).sort((a, b) => Number(a) - Number(b))) {
    const was = before?.members[index];
    const is = after?.members[index];
    const isActive =
      (was !== undefined && memberStatus(was) === 'active') || (is !== undefined && memberStatus(is) === 'active');
    const member = is ?? was;
    if (member === undefined || !isActive) continue;
    const connection = member.properties.system.connection;
    if (!isGuid(connection)) continue;
    for (const subscription of matchingSubscriptionsOf(member.properties.system, changed)) {
      const key = `${connection.toLowerCase()} ${subscription}`;
      if (seen.has(key)) continue;
      seen.add(key);
      recipients.push({ connection: connection.toLowerCase(), subscription });
    }
  }
  if (recipients.length === 0) return undefined;
  const tapped = (after ?? before) as SessionDocument;
  return {
    resource: resourceOfSessionKey(sessionKey),
    branch: tapped.branch,
    changeNumber: after === undefined ? tapped.changeNumber + 1 : tapped.changeNumber,
    recipients,
  };
}

/** The session's capabilities set `connectionRequiredForActiveMembers` (session spec §2.3.1). */
function requiresConnection(doc: Document): boolean {
  return doc !== undefined && capabilitiesOf(doc.constants).connectionRequiredForActiveMembers === true;
}

/**
 * The subscription ids of a member that this change matches: `subscription` (`{id, changeTypes}`) when one of its
 * types changed (`everything` matches every change; deprecated values never trigger), and every id of the older
 * `subscriptions` form, whose profiles name no change types (over-notifying is harmless, §6.7).
 */
function matchingSubscriptionsOf(system: JsonObject, changed: ReadonlySet<ChangeType>): string[] {
  const ids: string[] = [];
  const subscription = system.subscription;
  if (isJsonObject(subscription) && typeof subscription.id === 'string' && subscription.id !== '') {
    const types = Array.isArray(subscription.changeTypes) ? subscription.changeTypes : [];
    if (types.some((type) => typeof type === 'string' && changed.has(type as ChangeType))) ids.push(subscription.id);
  }
  if (isJsonObject(system.subscriptions)) ids.push(...Object.keys(system.subscriptions));
  return ids;
}

/**
 * `<scid>~<template>~<name>` from the storage key `<scid>#<template>#<name>` (lambda/domain/session-reference.ts
 * `sessionKey`; every part lower-cased, none containing `#`).
 */
export function resourceOfSessionKey(sessionKey: string): string {
  return sessionKey.split('#').join('~');
}
