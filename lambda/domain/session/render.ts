import { cloneJson, isJsonObject, type JsonObject, type JsonValue } from '../json';
import {
  capabilitiesOf,
  hasAccepted,
  memberIndices,
  type PropertyBag,
  type SessionDocument,
  type StoredMember,
} from '../session-document';
import { type ContractVersion, downgradeToLegacySystemConstants, isLegacyContract } from './legacy-contract';
import { nextTimerAt } from './timers';

/** ISO 8601 UTC with seven fractional digits, the form MPSD documents (`2009-06-15T13:45:30.0900000Z`). */
export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.(\d{3})Z$/, '.$10000Z');
}

function renderSystemConstants(system: JsonObject, contractVersion: ContractVersion): JsonObject {
  const rendered: JsonObject = {};
  for (const [key, value] of Object.entries(system)) {
    // An infinite (null) timeout is omitted: XSAPI reads timeouts as numbers and a null aborts its parse (spec §2.2).
    if (value !== null) rendered[key] = value;
  }
  return isLegacyContract(contractVersion) ? downgradeToLegacySystemConstants(rendered) : rendered;
}

function renderBag(bag: PropertyBag): JsonObject {
  return { system: bag.system, custom: bag.custom };
}

function renderMember(member: StoredMember, index: number, next: number, turn: readonly JsonValue[]): JsonObject {
  const rendered: JsonObject = { next };
  if (member.reserved === true) rendered.reserved = true;
  if (member.gamertag !== undefined && member.reserved !== true) rendered.gamertag = member.gamertag;
  if (member.activeTitleId !== undefined && member.properties.system.active === true) {
    rendered.activeTitleId = member.activeTitleId;
  }
  if (member.deviceToken !== undefined) rendered.deviceToken = member.deviceToken;
  if (member.nat !== undefined) rendered.nat = member.nat;
  if (turn.includes(index)) rendered.turn = true;
  rendered.joinTime = member.joinTime;
  if (member.roles !== undefined) rendered.roles = member.roles;
  // The live service reports each member's own index in its constants (real MinecraftLobby capture, spec §2.7.3).
  rendered.constants = {
    system: { ...member.constants.system, index },
    custom: member.constants.custom,
  };
  rendered.properties = renderBag(member.properties);
  return rendered;
}

function renderRoleTypes(session: SessionDocument, large: boolean): JsonObject | undefined {
  if (session.roleTypes === undefined) return undefined;
  const rendered = cloneJson(session.roleTypes);
  for (const [typeName, roleType] of Object.entries(rendered)) {
    if (!isJsonObject(roleType) || !isJsonObject(roleType.roles)) continue;
    for (const [roleName, role] of Object.entries(roleType.roles)) {
      if (!isJsonObject(role)) continue;
      const xuids = Object.values(session.members)
        .filter((m) => m.roles?.[typeName] === roleName)
        .map((m) => m.constants.system.xuid ?? null);
      role.count = xuids.length;
      // A large session lists no members but the caller (spec §2.15), so its role holders are not listed either.
      if (!large) role.memberXuids = xuids;
    }
  }
  return rendered;
}

/** What a rendering depends on besides the session. */
export interface RenderContext {
  contractVersion: ContractVersion;
  /** The caller's xuid: large sessions list only the caller, as `me` (spec §2.15). */
  callerXuid?: string;
}

/**
 * The session document as clients read it (spec §2.2, §9.8): every top-level field with its strict JSON type,
 * `constants` and `properties` each with `system` and `custom`, members keyed by decimal index and chained by
 * `next`, and `membersInfo` with `first`, `next`, `count`, `accepted` and `active`.
 *
 * The rendering shares the session's values wherever it shows them unchanged (property bags, roles, constants)
 * rather than copying them: it is made to be serialised once, and a deep copy of every member's custom data cost as
 * much as the serialisation (bench/handler-cost.ts). Never change a rendering in place.
 */
export function renderSession(session: SessionDocument, context: RenderContext): JsonObject {
  const indices = memberIndices(session);
  const turn = Array.isArray(session.properties.system.turn) ? session.properties.system.turn : [];
  const large = capabilitiesOf(session.constants).large === true;
  const members: JsonObject = {};
  let accepted = 0;
  let active = 0;
  indices.forEach((index, position) => {
    const member = session.members[String(index)] as StoredMember;
    if (hasAccepted(member)) accepted += 1;
    if (member.properties.system.active === true) active += 1;
    const next = indices[position + 1] ?? session.nextMemberIndex;
    if (!large) members[String(index)] = renderMember(member, index, next, turn);
    else if (context.callerXuid !== undefined && member.constants.system.xuid === context.callerXuid) {
      members.me = renderMember(member, index, next, []);
    }
  });
  const rendered: JsonObject = {
    contractVersion: context.contractVersion,
    branch: session.branch,
    changeNumber: session.changeNumber,
    correlationId: session.correlationId,
    startTime: session.startTime,
  };
  // Family spec §4.6: the current search handle's id, absent when none.
  if (session.searchHandle !== undefined) rendered.searchHandle = session.searchHandle;
  const next = nextTimerAt(session);
  if (next !== undefined) rendered.nextTimer = isoTime(next);
  const roleTypes = renderRoleTypes(session, large);
  if (roleTypes !== undefined) rendered.roleTypes = roleTypes;
  rendered.constants = {
    system: renderSystemConstants(session.constants.system, context.contractVersion),
    custom: session.constants.custom,
  };
  rendered.properties = renderBag(session.properties);
  rendered.members = members;
  rendered.membersInfo = {
    first: indices[0] ?? session.nextMemberIndex,
    next: session.nextMemberIndex,
    count: indices.length,
    accepted,
    active,
  };
  const servers: JsonObject = {};
  for (const [name, server] of Object.entries(session.servers)) {
    servers[name] = { constants: renderBag(server.constants), properties: renderBag(server.properties) };
  }
  rendered.servers = servers;
  return rendered;
}
