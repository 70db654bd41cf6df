import { MpsdError } from '../errors';
import { cloneJson, isJsonObject, toNumber } from '../json';
import type { Principal } from '../principal';
import type { PropertyBag, SessionDocument } from '../session-document';
import type { PutContext } from './put-context';
import { isoTime } from './render';
import { validateRoleTypes } from './roles';

// What only a creating PUT checks and sets: the new session's identity, who may create it, and the members it must
// start with. The constants it is created with are assembled in constants.ts.

/** A new, empty session with the assembled constants and the template's role types (spec §2.2, §2.11). */
export function newSession(constants: PropertyBag, context: PutContext): SessionDocument {
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

/** `constants.system.initiators` must name the creator, unless a server creates the session (spec §2.3). */
export function checkInitiators(constants: PropertyBag, principal: Principal): void {
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
 * A session with member initialization needs `membersNeededToStart` (default 1) members added with
 * `initialize: true` when it is created (spec §2.9; the message is the documented one). A creation without members
 * is not checked: it creates nothing (spec §2.8), or an empty session that waits for its members.
 */
export function checkMembersNeededToStart(session: SessionDocument): void {
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
