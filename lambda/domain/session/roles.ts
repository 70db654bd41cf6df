import { invalidValue, MpsdError } from '../errors';
import { isJsonObject, type JsonObject, type JsonValue, toNumber } from '../json';
import { MAX_MEMBERS_LARGE } from '../limits';
import type { Principal } from '../principal';
import type { PropertyBag, SessionDocument, StoredMember } from '../session-document';
import { expectInteger, expectKnownKeys, expectObject } from '../validate';
import { actsAsOwner, hasOwners, ownersOf } from './ownership';

// Roles (spec §2.11): role types are defined by the template; members take one role per type through
// `members.me.roles`; only owners (and servers) change role settings, and only those in `mutableRoleSettings`.

/** Role type and role names: lower-case letters and digits, 1 to 100 characters (spec §2.11). */
const ROLE_NAME = /^[a-z0-9]{1,100}$/;
const ROLE_SETTINGS = ['max', 'target'] as const;
/** The largest `max`: a role can hold at most every member of the largest session. */
const MAX_ROLE_MEMBERS = MAX_MEMBERS_LARGE;

/**
 * Refuses a role type or role name outside MPSD's rule. Names are looked up as own keys afterwards, but checking the
 * form first means `__proto__`, `constructor` and friends never reach a lookup (issue 8, item 5).
 */
function expectRoleName(path: string, kind: 'role type' | 'role', name: JsonValue): string {
  if (typeof name !== 'string' || !ROLE_NAME.test(name)) {
    const shown = typeof name === 'string' ? `"${name.length > 40 ? `${name.slice(0, 40)}…` : name}"` : 'not a string';
    throw invalidValue(
      path,
      `names a ${kind} ${shown}; ${kind} names are lower-case letters and digits (a-z, 0-9), 1 to 100 characters.`,
    );
  }
  return name;
}

function ownEntry(object: JsonValue | undefined, key: string): JsonObject | undefined {
  if (!isJsonObject(object) || !Object.hasOwn(object, key)) return undefined;
  const value = object[key];
  return isJsonObject(value) ? value : undefined;
}

/** How many members hold a role (the rendered `count`). */
function roleHolderCount(session: SessionDocument, typeName: string, roleName: string): number {
  return Object.values(session.members).filter((m) => m.roles?.[typeName] === roleName).length;
}

/**
 * Checks role type definitions (a template's `roleTypes`, spec §2.11): names, `ownerManaged` only with `hasOwners`,
 * `mutableRoleSettings` among max and target, each role's `max` > 0 and 0 < `target` <= `max`.
 */
export function validateRoleTypes(value: JsonValue, constants: PropertyBag): void {
  const types = expectObject('roleTypes', value);
  for (const [typeName, typeValue] of Object.entries(types)) {
    const path = `roleTypes.${typeName}`;
    expectRoleName('roleTypes', 'role type', typeName);
    const roleType = expectObject(path, typeValue);
    expectKnownKeys(path, roleType, ['ownerManaged', 'mutableRoleSettings', 'roles']);
    if (roleType.ownerManaged !== undefined && typeof roleType.ownerManaged !== 'boolean') {
      throw invalidValue(`${path}.ownerManaged`, 'must be true or false.');
    }
    if (roleType.ownerManaged === true && !hasOwners(constants)) {
      throw invalidValue(`${path}.ownerManaged`, 'can be true only on sessions with the hasOwners capability.');
    }
    if (roleType.mutableRoleSettings !== undefined) {
      const settings = roleType.mutableRoleSettings;
      if (!Array.isArray(settings) || settings.some((s) => !(ROLE_SETTINGS as readonly JsonValue[]).includes(s))) {
        throw invalidValue(`${path}.mutableRoleSettings`, 'must be an array of "max" and "target".');
      }
    }
    // A role type without roles could never be taken: refused like any other definition that cannot work.
    for (const [roleName, roleValue] of Object.entries(expectObject(`${path}.roles`, roleType.roles ?? null))) {
      const rolePath = `${path}.roles.${roleName}`;
      expectRoleName(`${path}.roles`, 'role', roleName);
      const role = expectObject(rolePath, roleValue);
      expectKnownKeys(rolePath, role, ROLE_SETTINGS);
      const max = role.max === undefined ? undefined : expectInteger(`${rolePath}.max`, role.max, 1, MAX_ROLE_MEMBERS);
      if (role.target !== undefined) expectInteger(`${rolePath}.target`, role.target, 1, max ?? MAX_ROLE_MEMBERS);
    }
  }
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
  for (const [typeName, roleValue] of Object.entries(roles)) {
    const path = `members.me.roles.${typeName}`;
    expectRoleName('members.me.roles', 'role type', typeName);
    if (roleValue === null) {
      delete assigned[typeName];
      continue;
    }
    const roleName = expectRoleName(path, 'role', roleValue);
    const roleType = ownEntry(session.roleTypes, typeName);
    const role = ownEntry(roleType?.roles, roleName);
    if (roleType === undefined || role === undefined) {
      throw invalidValue(path, `names a role the session does not define ("${typeName}/${roleName}").`);
    }
    if (assigned[typeName] === roleName) continue;
    if (roleType.ownerManaged === true && !actsAsOwner(session, principal)) {
      throw new MpsdError(
        'OwnershipRequired',
        `${path}: the role type "${typeName}" is owner-managed; only owners of the session (members ${JSON.stringify(ownersOf(session))}) or a server assign its roles.`,
      );
    }
    const max = toNumber(role.max);
    // The member does not hold this role yet (checked above), so every holder is someone else.
    const taken = roleHolderCount(session, typeName, roleName);
    if (max !== undefined && taken >= max) {
      throw new MpsdError(
        'RoleLimitConflict',
        `The role ${typeName}/${roleName} is full: ${taken} of ${max} members hold it.`,
      );
    }
    assigned[typeName] = roleName;
  }
  member.roles = assigned;
}

/**
 * Applies a top-level `roleTypes` change (spec §2.11): only `max` and `target` of existing roles, only those the type
 * lists in `mutableRoleSettings`, and only by an owner or a server, or by the creating PUT (which defines the
 * session). A setting sent with the value it already has is not a change. `max` may not go below the members who
 * hold the role (409).
 */
export function applyRoleTypesChange(
  session: SessionDocument,
  value: JsonValue,
  principal: Principal,
  creating: boolean,
): void {
  const change = expectObject('roleTypes', value);
  const mayChange = creating || actsAsOwner(session, principal);
  for (const [typeName, typeChange] of Object.entries(change)) {
    const path = `roleTypes.${typeName}`;
    expectRoleName('roleTypes', 'role type', typeName);
    const roleType = ownEntry(session.roleTypes, typeName);
    if (roleType === undefined || !isJsonObject(roleType.roles)) {
      throw invalidValue(path, 'is not a role type of this session; role types are defined by the session template.');
    }
    const body = expectObject(path, typeChange);
    expectKnownKeys(path, body, ['roles']);
    const mutable = Array.isArray(roleType.mutableRoleSettings) ? roleType.mutableRoleSettings : [];
    for (const [roleName, roleChange] of Object.entries(expectObject(`${path}.roles`, body.roles ?? {}))) {
      const rolePath = `${path}.roles.${roleName}`;
      expectRoleName(`${path}.roles`, 'role', roleName);
      const role = ownEntry(roleType.roles, roleName);
      if (role === undefined) throw invalidValue(rolePath, 'is not a role of this role type.');
      const settings = expectObject(rolePath, roleChange);
      expectKnownKeys(rolePath, settings, ROLE_SETTINGS);
      for (const [setting, v] of Object.entries(settings)) {
        const wanted = expectInteger(`${rolePath}.${setting}`, v, 1, MAX_ROLE_MEMBERS);
        if (toNumber(role[setting]) === wanted) continue;
        if (!mayChange) {
          throw new MpsdError(
            'OwnershipRequired',
            `${rolePath}.${setting}: role settings can be changed only by an owner of the session or a server; ${
              hasOwners(session.constants)
                ? `the owners are members ${JSON.stringify(ownersOf(session))}.`
                : 'this session has no owners (its constants lack the hasOwners capability).'
            }`,
          );
        }
        if (!mutable.includes(setting)) {
          throw new MpsdError(
            'Forbidden',
            `${rolePath}.${setting} is not listed in mutableRoleSettings (${mutable.length === 0 ? 'none' : mutable.join(', ')}), so it cannot be changed.`,
          );
        }
        role[setting] = wanted;
      }
      const max = toNumber(role.max);
      const target = toNumber(role.target);
      if (max !== undefined && target !== undefined && target > max) {
        throw invalidValue(`${rolePath}.target`, `must be at most max (${max}).`);
      }
      const holders = roleHolderCount(session, typeName, roleName);
      if (max !== undefined && max < holders) {
        throw new MpsdError(
          'RoleLimitConflict',
          `${rolePath}.max (${max}) is below the ${holders} members who hold the role; max must be at least ${holders}.`,
        );
      }
    }
  }
}
