import { assembleConstants, checkConstantsUnchanged, readConstantsChange } from './constants';
import { invalidValue, MpsdError } from './errors';
import { cloneJson, isJsonObject, type JsonObject, type JsonValue, toNumber } from './json';
import { MAX_SERVERS } from './limits';
import { mergeMemberSystem, readMemberConstants, readMemberPropertiesChange } from './member-properties';
import { removeMemberAt } from './member-removal';
import { assertMayChangeSystemProperties, finishOwners, grantStarterOwnership, ownersOf } from './ownership';
import { type AccessGrant, assertCanJoin, assertCanRead, assertCanWrite, isMember } from './permissions';
import type { Principal } from './principal';
import { finishSessionProperties, mergeCustom, mergeSystem, readPropertiesChange } from './properties';
import { isoTime } from './render';
import { applyRoleTypesChange, assignMemberRoles, validateRoleTypes } from './roles';
import {
  capabilitiesOf,
  findMemberByXuid,
  memberStatus,
  type PropertyBag,
  type SessionDocument,
  type StoredMember,
} from './session-document';
import type { SessionTemplate } from './templates';
import { isEmptySessionExpired } from './timers';
import { expectKnownKeys, expectObject, readCustomChange } from './validate';

/** Top-level request members MPSD allows (spec §1.4): all others are prohibited. XSAPI also sends `roleTypes`. */
export const REQUEST_MEMBERS = ['constants', 'properties', 'members', 'servers', 'roleTypes'] as const;

const MEMBER_INDEX = /^(0|[1-9][0-9]{0,9})$/;
const RESERVATION_KEY = /^reserve_(0|[1-9][0-9]{0,4})$/;

export const MEMBER_REFERENCE_MESSAGE =
  "The request body can't contain existing member references unless the authentication principal includes a server.";

/** Everything besides the session and the body that a PUT's outcome depends on. */
export interface PutContext {
  readonly principal: Principal;
  readonly template: SessionTemplate;
  /** Epoch ms; the service's clock, injected. */
  readonly now: number;
  readonly contractVersion: number;
  /** Makes a new GUID (branch, correlation id). */
  readonly newGuid: () => string;
  /** The correlation id of a deleted session of the same name: kept across re-creation (spec §2.2). */
  readonly previousCorrelationId?: string;
  /** A handle's extra access (a PUT through an invite or transfer handle, spec/mpsd-family.md §3.10). */
  readonly grant?: AccessGrant;
}

export type PutOutcome =
  | { readonly kind: 'created' | 'updated'; readonly session: SessionDocument }
  /** The session existed and this PUT emptied it, so it is gone (spec §2.8). */
  | { readonly kind: 'deleted' }
  /** The PUT would have created a session with no members: nothing is created (spec §2.8). */
  | { readonly kind: 'not-created' };

function newSession(constants: PropertyBag, context: PutContext): SessionDocument {
  if (context.template.roleTypes !== undefined) validateRoleTypes(context.template.roleTypes, constants);
  return {
    branch: context.newGuid(),
    changeNumber: 0,
    correlationId: context.previousCorrelationId ?? context.newGuid(),
    startTime: isoTime(context.now),
    constants,
    properties: { system: {}, custom: {} },
    ...(context.template.roleTypes === undefined ? {} : { roleTypes: cloneJson(context.template.roleTypes) }),
    members: {},
    nextMemberIndex: 0,
    servers: {},
  };
}

function addMember(session: SessionDocument, member: StoredMember): string {
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
    for (const [key, value] of Object.entries(sent.custom)) {
      if (!Object.hasOwn(member.constants.custom, key)) member.constants.custom[key] = cloneJson(value);
    }
  }
}

/**
 * Applies `members.me`. `startsSession` is true when the session had no members before this PUT (it is being created,
 * or an emptied session is being restarted): the member who joins then is the first owner of a `hasOwners` session.
 */
function applyMe(
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
  const claimed = constants.system.xuid;
  if (claimed !== undefined && claimed !== principal.xuid) {
    throw new MpsdError(
      'Forbidden',
      `members.me.constants.system.xuid is ${String(claimed)} but the token belongs to xuid ${principal.xuid}; a caller can only join as itself.`,
    );
  }
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

function applyReservation(session: SessionDocument, key: string, value: JsonValue, context: PutContext): boolean {
  if (capabilitiesOf(session.constants).large === true) {
    throw new MpsdError('ConstantsConflict', 'Reservations are not available on large sessions.');
  }
  const entry = expectObject(`members.${key}`, value);
  expectKnownKeys(`members.${key}`, entry, ['constants']);
  const constants = readMemberConstants(`members.${key}.constants`, entry.constants);
  const xuid = constants.system.xuid;
  if (typeof xuid !== 'string') {
    throw invalidValue(`members.${key}.constants.system.xuid`, 'is required: a reservation names the user it is for.');
  }
  // A reservation lets its user in past visibility, `closed` and restrictions, so nobody may reserve one for
  // themselves: a stranger could otherwise walk into a private or closed session (spec §2.14).
  if (!context.principal.isServer && xuid === context.principal.xuid) {
    throw new MpsdError(
      'Forbidden',
      `members.${key} reserves a place for the caller itself; reservations are for other users. Join with members.me.`,
    );
  }
  // Reserving a user who is already in the session changes nothing, so a repeated PUT stays idempotent.
  if (findMemberByXuid(session, xuid) !== undefined) return false;
  addMember(session, {
    constants,
    properties: { system: {}, custom: {} },
    reserved: true,
    joinTime: isoTime(context.now),
    stateSince: context.now,
  });
  return true;
}

function applyMembers(session: SessionDocument, value: JsonValue, context: PutContext, creating: boolean): number {
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
      if (!context.principal.isServer) throw new MpsdError('MemberReferenceRequiresServer', MEMBER_REFERENCE_MESSAGE);
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
    } else {
      throw invalidValue(
        `members.${key}`,
        'is not a member key MPSD knows; use "me", "reserve_<n>" or (servers only) a member index.',
      );
    }
  }
  return added;
}

function applyServers(session: SessionDocument, value: JsonValue, principal: Principal): void {
  if (!principal.isServer) {
    throw new MpsdError('ServersRequireServer', 'The servers element can only be written by a server principal.');
  }
  for (const [name, entry] of Object.entries(expectObject('servers', value))) {
    if (entry === null) {
      delete session.servers[name];
      continue;
    }
    const body = expectObject(`servers.${name}`, entry);
    expectKnownKeys(`servers.${name}`, body, ['constants', 'properties']);
    // Own entries only: a server named "constructor" must not pick up Object's inherited member.
    const current = (Object.hasOwn(session.servers, name) ? session.servers[name] : undefined) ?? {
      constants: { system: {}, custom: {} },
      properties: { system: {}, custom: {} },
    };
    for (const part of ['constants', 'properties'] as const) {
      const bagValue = body[part];
      if (bagValue === undefined || bagValue === null) continue;
      const bag = expectObject(`servers.${name}.${part}`, bagValue);
      expectKnownKeys(`servers.${name}.${part}`, bag, ['system', 'custom']);
      if (bag.system !== undefined && bag.system !== null) {
        current[part].system = mergeSystem(
          current[part].system,
          expectObject(`servers.${name}.${part}.system`, bag.system),
        );
      }
      current[part].custom = mergeCustom(
        current[part].custom,
        readCustomChange(`servers.${name}.${part}.custom`, bag.custom),
      );
    }
    session.servers[name] = current;
  }
  if (Object.keys(session.servers).length > MAX_SERVERS) {
    throw invalidValue('servers', `can hold at most ${MAX_SERVERS} entries.`);
  }
}

/**
 * `host` must name a member's device token, else the field is deleted (spec §2.6). Device tokens compare
 * case-insensitively (spec §2.7.2).
 */
function dropUnmatchedHost(session: SessionDocument): void {
  const host = session.properties.system.host;
  if (typeof host !== 'string') return;
  const wanted = host.toLowerCase();
  if (!Object.values(session.members).some((m) => m.deviceToken?.toLowerCase() === wanted)) {
    delete session.properties.system.host;
  }
}

/**
 * A session with member initialization needs `membersNeededToStart` (default 1) members added with
 * `initialize: true` when it is created (spec §2.9; the message is the documented one). A creation without members
 * is not checked: it creates nothing (spec §2.8), or an empty session that waits for its members.
 */
function checkMembersNeededToStart(session: SessionDocument): void {
  const init = session.constants.system.memberInitialization;
  if (!isJsonObject(init)) return;
  const members = Object.values(session.members);
  if (members.length === 0) return;
  const needed = toNumber(init.membersNeededToStart) ?? 1;
  const initializing = members.filter((m) => m.constants.system.initialize === true).length;
  if (initializing < needed) {
    throw new MpsdError(
      'InvalidValue',
      `This session is configured for managed initialization requiring at least ${needed} members to start. The request adds ${initializing} member(s) with constants.system.initialize true.`,
    );
  }
}

function checkInitiators(constants: PropertyBag, principal: Principal): void {
  const initiators = constants.system.initiators;
  if (!Array.isArray(initiators) || principal.isServer) return;
  if (principal.xuid === undefined || !initiators.includes(principal.xuid)) {
    throw new MpsdError(
      'Forbidden',
      "constants.system.initiators must include the creator's xuid (or the creator must be a server).",
    );
  }
}

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
    session = cloneJson(current as unknown as JsonObject) as unknown as SessionDocument;
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

  const max =
    typeof session.constants.system.maxMembersCount === 'number' ? session.constants.system.maxMembersCount : 100;
  const count = Object.keys(session.members).length;
  if (added > 0 && count > max) {
    throw new MpsdError(
      'SessionFull',
      `The session is full: it holds ${memberCountBefore} of ${max} members (maxMembersCount) and this request would add ${added}.`,
    );
  }
  // Timers are not re-run here: a member this PUT made inactive stays visible until the next read or write.
  if (count === 0 && isEmptySessionExpired(session, context.now)) {
    return { kind: creating ? 'not-created' : 'deleted' };
  }
  if (creating && count === 0) session.emptySince = context.now;
  return { kind: creating ? 'created' : 'updated', session };
}
