import { invalidValue, MpsdError } from './errors';
import { isJsonObject, type JsonObject, type JsonValue, toNumber } from './json';
import type { Principal } from './principal';
import { capabilitiesOf, type PropertyBag, type SessionDocument, type StoredMember } from './session-document';
import {
  expectBoolean,
  expectInteger,
  expectKnownKeys,
  expectObject,
  expectString,
  expectStringArray,
} from './validate';

// Roles (spec §2.11): role types are defined by the template; members take one role per type through
// `members.me.roles`; only settings listed in `mutableRoleSettings` may change after that.

/** True when the principal's member index is in `properties.system.owners` (spec §2.12). */
function isOwner(session: SessionDocument, principal: Principal): boolean {
  const owners = Array.isArray(session.properties.system.owners) ? session.properties.system.owners : [];
  const ownerXuids = owners.map((i) => session.members[String(i)]?.constants.system.xuid);
  return principal.xuid !== undefined && ownerXuids.includes(principal.xuid);
}

/** Applies `members.me.roles`: each role must exist and must not be full (MPSD enforces `max`, not `target`). */
export function assignMemberRoles(
  session: SessionDocument,
  member: StoredMember,
  value: JsonValue,
  principal: Principal,
): void {
  const roles = expectObject('members.me.roles', value);
  const assigned = { ...(member.roles ?? {}) };
  for (const [typeName, roleName] of Object.entries(roles)) {
    const path = `members.me.roles.${typeName}`;
    if (roleName === null) {
      delete assigned[typeName];
      continue;
    }
    expectString(path, roleName, 100);
    const roleType = session.roleTypes?.[typeName];
    const role =
      isJsonObject(roleType) && isJsonObject(roleType.roles) ? roleType.roles[roleName as string] : undefined;
    if (!isJsonObject(role))
      throw invalidValue(path, `names a role the session does not define ("${String(roleName)}").`);
    if (assigned[typeName] === roleName) continue;
    if (
      isJsonObject(roleType) &&
      roleType.ownerManaged === true &&
      !principal.isServer &&
      !isOwner(session, principal)
    ) {
      throw new MpsdError(
        'Forbidden',
        `${path}: the role type "${typeName}" is owner-managed; only session owners assign its roles.`,
      );
    }
    const max = toNumber(role.max);
    const taken = Object.values(session.members).filter((m) => m !== member && m.roles?.[typeName] === roleName).length;
    if (max !== undefined && taken >= max) {
      throw new MpsdError(
        'ConstantsConflict',
        `The role ${typeName}/${String(roleName)} is full: ${taken} of ${max} members hold it.`,
      );
    }
    assigned[typeName] = roleName;
  }
  member.roles = assigned;
}

/** Applies a top-level `roleTypes` change: only `max` and `target` of existing roles, where the type allows it. */
export function applyRoleTypesChange(
  session: SessionDocument,
  value: JsonValue,
  principal: Principal,
  creating: boolean,
): void {
  const change = expectObject('roleTypes', value);
  for (const [typeName, typeChange] of Object.entries(change)) {
    const path = `roleTypes.${typeName}`;
    const roleType = session.roleTypes?.[typeName];
    if (!isJsonObject(roleType) || !isJsonObject(roleType.roles)) {
      throw invalidValue(path, 'is not a role type of this session; role types are defined by the session template.');
    }
    const body = expectObject(path, typeChange);
    expectKnownKeys(path, body, ['roles']);
    const mutable = Array.isArray(roleType.mutableRoleSettings) ? roleType.mutableRoleSettings : [];
    if (roleType.ownerManaged === true && !principal.isServer && !creating) {
      if (!isOwner(session, principal)) {
        throw new MpsdError('Forbidden', `${path} is owner-managed: only session owners may change its roles.`);
      }
    }
    for (const [roleName, roleChange] of Object.entries(expectObject(`${path}.roles`, body.roles ?? {}))) {
      const rolePath = `${path}.roles.${roleName}`;
      const role = roleType.roles[roleName];
      if (!isJsonObject(role)) throw invalidValue(rolePath, 'is not a role of this role type.');
      const settings = expectObject(rolePath, roleChange);
      expectKnownKeys(rolePath, settings, ['max', 'target']);
      for (const [setting, v] of Object.entries(settings)) {
        if (!mutable.includes(setting)) {
          throw new MpsdError(
            'Forbidden',
            `${rolePath}.${setting} is not listed in mutableRoleSettings, so it cannot be changed.`,
          );
        }
        role[setting] = expectInteger(`${rolePath}.${setting}`, v, 1, 1000);
      }
      checkRoleLimits(rolePath, role);
    }
  }
}

/** Role type and role names (spec §2.11): lower-case alphanumeric, at most 100 characters. */
const ROLE_NAME = /^[a-z0-9]{1,100}$/;
const ROLE_TYPE_FIELDS = ['ownerManaged', 'mutableRoleSettings', 'roles'] as const;
const ROLE_SETTINGS = ['max', 'target'] as const;

/** A role's `max` and `target` (spec §2.11): `max` > 0, 0 < `target` <= `max`, both optional. */
function checkRoleLimits(path: string, role: JsonObject): void {
  for (const setting of ROLE_SETTINGS) {
    if (role[setting] !== undefined) expectInteger(`${path}.${setting}`, role[setting], 1, 1000);
  }
  const max = toNumber(role.max);
  const target = toNumber(role.target);
  if (max !== undefined && target !== undefined && target > max) {
    throw invalidValue(`${path}.target`, `must be at most max (${max}).`);
  }
}

function expectRoleName(path: string, name: string): void {
  if (!ROLE_NAME.test(name)) {
    throw invalidValue(path, 'must be named with lower-case letters and digits only, at most 100 characters.');
  }
}

/**
 * Role types as a session template defines them (spec §2.11): names, `ownerManaged` (only with the `hasOwners`
 * capability of the session's constants), `mutableRoleSettings` and each role's `max`/`target`. `count` and
 * `memberXuids` are the service's to fill, so a definition may not set them.
 */
export function validateRoleTypes(value: JsonValue, constants: PropertyBag): JsonObject {
  const roleTypes = expectObject('roleTypes', value);
  for (const [typeName, typeValue] of Object.entries(roleTypes)) {
    const path = `roleTypes.${typeName}`;
    expectRoleName(path, typeName);
    const roleType = expectObject(path, typeValue);
    expectKnownKeys(path, roleType, ROLE_TYPE_FIELDS);
    if (roleType.ownerManaged !== undefined) expectBoolean(`${path}.ownerManaged`, roleType.ownerManaged);
    if (roleType.ownerManaged === true && capabilitiesOf(constants).hasOwners !== true) {
      throw invalidValue(`${path}.ownerManaged`, 'needs the hasOwners capability in the session constants.');
    }
    if (roleType.mutableRoleSettings !== undefined) {
      const settings = expectStringArray(`${path}.mutableRoleSettings`, roleType.mutableRoleSettings, 2);
      for (const [i, setting] of settings.entries()) {
        if (!(ROLE_SETTINGS as readonly string[]).includes(setting)) {
          throw invalidValue(`${path}.mutableRoleSettings[${i}]`, 'must be "max" or "target".');
        }
      }
    }
    const roles = expectObject(`${path}.roles`, roleType.roles ?? null);
    for (const [roleName, roleValue] of Object.entries(roles)) {
      const rolePath = `${path}.roles.${roleName}`;
      expectRoleName(rolePath, roleName);
      const role = expectObject(rolePath, roleValue);
      expectKnownKeys(rolePath, role, ROLE_SETTINGS);
      checkRoleLimits(rolePath, role);
    }
  }
  return roleTypes;
}
