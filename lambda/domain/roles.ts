import { invalidValue, MpsdError } from './errors';
import { isJsonObject, type JsonValue, toNumber } from './json';
import type { Principal } from './principal';
import type { SessionDocument, StoredMember } from './session-document';
import { expectInteger, expectKnownKeys, expectObject, expectString } from './validate';

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
      const max = toNumber(role.max);
      const target = toNumber(role.target);
      if (max !== undefined && target !== undefined && target > max) {
        throw invalidValue(`${rolePath}.target`, `must be at most max (${max}).`);
      }
    }
  }
}
