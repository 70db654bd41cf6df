import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from './json';

/** A property bag (spec §2.1): a validated `system` object and free-form `custom` JSON. */
export interface PropertyBag {
  system: JsonObject;
  custom: JsonValue;
}

/** One member as stored. Read-only fields (spec §2.7.2) are set by the service only. */
export interface StoredMember {
  constants: PropertyBag;
  properties: PropertyBag;
  /** Role assignments `{ roleType: roleName }` (spec §2.11). */
  roles?: JsonObject;
  gamertag?: string;
  /** Present (true) while the member is a reservation nobody has accepted yet. */
  reserved?: boolean;
  /** Decimal title id the member is active in (present only while active). */
  activeTitleId?: string;
  deviceToken?: string;
  nat?: string;
  /** Device id from the member's token at its last write; the `local` restrictions compare it (spec §2.6). */
  deviceId?: string;
  /** ISO 8601 time the member joined or was reserved. */
  joinTime: string;
  /** Epoch ms the member entered its current state; the member timers run from here (spec §2.4). */
  stateSince: number;
}

/** A server participant (spec §2.13). */
export interface StoredServer {
  constants: PropertyBag;
  properties: PropertyBag;
}

/**
 * The session as stored: one per DynamoDB item. Derived fields (`membersInfo`, member `next` and `turn`,
 * `nextTimer`, role counts) are not stored; rendering computes them, so they can never disagree.
 */
export interface SessionDocument {
  /** GUID scoping `changeNumber`; new on every creation. */
  branch: string;
  /** Increases by one on every committed change. */
  changeNumber: number;
  /** GUID kept across deletion of an empty session and its re-creation (spec §2.2). */
  correlationId: string;
  /** ISO 8601 time the session was (re)created. */
  startTime: string;
  constants: PropertyBag;
  properties: PropertyBag;
  roleTypes?: JsonObject;
  /** Members by decimal index, in index order (indices only grow, so index order is join order). */
  members: Record<string, StoredMember>;
  /** The index the next added member gets (`membersInfo.next`); indices are never reused. */
  nextMemberIndex: number;
  servers: Record<string, StoredServer>;
  /** Epoch ms the session became empty; the session-empty timer runs from here. */
  emptySince?: number;
  /**
   * Xuids of users who were members and left or were removed, most recent last. A `locked` session lets exactly
   * these users back in (spec §2.6: "members who leave can come back but nobody else can take their spot").
   */
  formerMembers?: string[];
  /** The id of the session's current search handle (family spec §4.6); set and cleared only by the handle routes. */
  searchHandle?: string;
}

/** The session's capability flags (spec §2.3.1); an absent or malformed `capabilities` has none. */
export function capabilitiesOf(constants: PropertyBag): JsonObject {
  return isJsonObject(constants.system.capabilities) ? constants.system.capabilities : {};
}

/** Member indices in list order. */
export function memberIndices(session: SessionDocument): number[] {
  return Object.keys(session.members)
    .map(Number)
    .sort((a, b) => a - b);
}

/** The member's status in MPSD's precedence: active, ready, reserved, inactive (spec §2.7.5). */
export type MemberStatus = 'active' | 'ready' | 'reserved' | 'inactive';

export function memberStatus(member: StoredMember): MemberStatus {
  if (member.properties.system.active === true) return 'active';
  if (member.properties.system.ready === true) return 'ready';
  if (member.reserved === true) return 'reserved';
  return 'inactive';
}

/**
 * Whether the member has accepted: every member but an unaccepted reservation (`membersInfo.accepted`, spec §2.8;
 * a session query's `accepted`, family spec §5.5).
 */
export function hasAccepted(member: StoredMember): boolean {
  return member.reserved !== true;
}

/** Finds the member entry of a xuid (xuids are decimal strings). */
export function findMemberByXuid(
  session: SessionDocument,
  xuid: string,
): { index: string; member: StoredMember } | undefined {
  for (const [index, member] of Object.entries(session.members)) {
    if (member.constants.system.xuid === xuid) return { index, member };
  }
  return undefined;
}

/**
 * A copy of the session that a change may be made to in place, leaving `session` as it was. Deep, except the
 * `custom` values, which are shared whole: a change never edits one in place but puts a new one in its bag (the
 * merge of spec §2.1, mergeCustom; a joiner's unset constants, join.ts), and stores what is below its first level
 * verbatim (a test decides changes on a deeply frozen session). Custom data is most of a session's bytes: copying it
 * whole cost as much CPU as serialising it (bench/handler-cost.ts); shared, an unchanged member compares by identity
 * and keeps the text it was read with (json-texts.ts).
 */
export function copySessionForChange(session: SessionDocument): SessionDocument {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(session)) {
    if (key === 'constants' || key === 'properties') copy[key] = copyBag(value as PropertyBag);
    else if (key === 'members' || key === 'servers') copy[key] = copyEntries(value as Record<string, object>);
    else copy[key] = cloneJson(value as JsonValue);
  }
  return copy as unknown as SessionDocument;
}

/** A member's or server's entries, each copied as copySessionForChange does (bags shared below custom). */
function copyEntries(entries: Record<string, object>): Record<string, object> {
  const copy: Record<string, object> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(entry)) {
      fields[key] =
        key === 'constants' || key === 'properties' ? copyBag(value as PropertyBag) : cloneJson(value as JsonValue);
    }
    copy[name] = fields;
  }
  return copy;
}

function copyBag(bag: PropertyBag): PropertyBag {
  const copy: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(bag)) {
    copy[key] = key === 'custom' ? (value as JsonValue) : cloneJson(value as JsonValue);
  }
  return copy as unknown as PropertyBag;
}
