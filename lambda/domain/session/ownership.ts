import { invalidValue, MpsdError } from '../errors';
import { isJsonObject, type JsonObject, type JsonValue, jsonEquals } from '../json';
import type { Principal } from '../principal';
import { capabilitiesOf, findMemberByXuid, type PropertyBag, type SessionDocument } from '../session-document';
import { expectEnum, expectKnownKeys, expectObject, expectStringArray } from '../validate';
import { SESSION_SYSTEM_PROPERTIES } from './properties';

// Ownership of a `hasOwners` session (spec §2.12, §2.8; how owners are granted is undocumented, §7.11, and the
// choices below are in the README's decisions table). `properties.system.owners` lists owner member indices; it is
// written only by owners and servers, so the owner checks elsewhere (owner-managed roles, role settings) can trust it.

/** What happens when the last owner leaves (spec §2.8): `endsession` (the default) or `oldest`. */
export const OWNERSHIP_MIGRATIONS = ['endsession', 'oldest'] as const;
export type OwnershipMigration = (typeof OWNERSHIP_MIGRATIONS)[number];

const OWNERSHIP_POLICY_FIELDS = ['migration', 'allowNonOwnerInviteHandles', 'nonOwnerModifiableSystemProperties'];

/** True when the session constants carry the `hasOwners` capability (spec §2.3.1). */
export function hasOwners(constants: PropertyBag): boolean {
  return capabilitiesOf(constants).hasOwners === true;
}

function policiesOf(constants: PropertyBag): JsonObject {
  const policies = constants.system.ownershipPolicies;
  return isJsonObject(policies) ? policies : {};
}

/** The migration policy; `endsession` when unset (spec §2.8). Stored as written, compared case-insensitively. */
export function migrationOf(constants: PropertyBag): OwnershipMigration {
  const migration = policiesOf(constants).migration;
  return typeof migration === 'string' && migration.toLowerCase() === 'oldest' ? 'oldest' : 'endsession';
}

/** The system properties a non-owner may change; none unless the constants list them (README decisions). */
export function nonOwnerModifiableSystemProperties(constants: PropertyBag): readonly string[] {
  const listed = policiesOf(constants).nonOwnerModifiableSystemProperties;
  return Array.isArray(listed) ? listed.filter((name): name is string => typeof name === 'string') : [];
}

/**
 * Checks `constants.system.ownershipPolicies` (spec §2.3, [D-CONSTANTS]). `owners` can never be listed as
 * non-owner-modifiable: only owners change ownership (spec §2.12), whatever a template says.
 */
export function validateOwnershipPolicies(path: string, value: JsonValue): void {
  const policies = expectObject(path, value);
  expectKnownKeys(path, policies, OWNERSHIP_POLICY_FIELDS);
  if (policies.migration !== undefined) expectEnum(`${path}.migration`, policies.migration, OWNERSHIP_MIGRATIONS);
  if (policies.allowNonOwnerInviteHandles !== undefined && typeof policies.allowNonOwnerInviteHandles !== 'boolean') {
    throw invalidValue(`${path}.allowNonOwnerInviteHandles`, 'must be true or false.');
  }
  if (policies.nonOwnerModifiableSystemProperties === undefined) return;
  const listPath = `${path}.nonOwnerModifiableSystemProperties`;
  const names = expectStringArray(listPath, policies.nonOwnerModifiableSystemProperties, 100, 100);
  const allowed = SESSION_SYSTEM_PROPERTIES.filter((name) => name !== 'owners');
  names.forEach((name, i) => {
    if (!(allowed as readonly string[]).includes(name)) {
      throw invalidValue(
        `${listPath}[${i}]`,
        `("${name}") is not a session system property a non-owner may be allowed to change; allowed: ${allowed.join(', ')}.`,
      );
    }
  });
}

/** The owner member indices as stored (always normalised: current members, unique, ascending). */
export function ownersOf(session: SessionDocument): number[] {
  const owners = session.properties.system.owners;
  return Array.isArray(owners) ? owners.filter((i): i is number => typeof i === 'number') : [];
}

function setOwners(session: SessionDocument, owners: readonly number[]): void {
  session.properties.system.owners = [...new Set(owners)].sort((a, b) => a - b);
}

/** True when the principal is a member whose index is in `properties.system.owners` (spec §2.12). */
export function isOwner(session: SessionDocument, principal: Principal): boolean {
  if (principal.xuid === undefined) return false;
  const entry = findMemberByXuid(session, principal.xuid);
  return entry !== undefined && ownersOf(session).includes(Number(entry.index));
}

/** True when the principal may act as an owner: a server always may (spec §2.14), a user only as an owner. */
export function actsAsOwner(session: SessionDocument, principal: Principal): boolean {
  return principal.isServer || isOwner(session, principal);
}

/**
 * Makes the member who starts a `hasOwners` session its first owner (spec §2.12): the creator, or whoever joins a
 * session that has no members left. A member who joins a populated session never becomes an owner by joining.
 */
export function grantStarterOwnership(session: SessionDocument, index: string): void {
  if (hasOwners(session.constants)) setOwners(session, [...ownersOf(session), Number(index)]);
}

/** Why a principal may not act as an owner, for refusal messages. */
function whyNotOwner(session: SessionDocument): string {
  return hasOwners(session.constants)
    ? `only an owner of the session (members ${JSON.stringify(ownersOf(session))}) or a server may change it`
    : 'this session has no owners (its constants lack the hasOwners capability), so only a server may change it';
}

function normalisedOwners(value: JsonValue | undefined): JsonValue | undefined {
  if (!Array.isArray(value)) return value;
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

/**
 * Refuses, before the merge, a change to `properties.system` the principal may not make on a `hasOwners` session
 * (spec §2.12, §4 "Access / principals"): `owners` is changed only by owners and servers; any other field by a
 * non-owner only when `ownershipPolicies.nonOwnerModifiableSystemProperties` lists it. A field sent with the value it
 * already has is not a change (PUTs are idempotent). Without `hasOwners` there is no ownership and `owners` is 400.
 */
export function assertMayChangeSystemProperties(
  session: SessionDocument,
  change: JsonObject,
  principal: Principal,
): void {
  if (!hasOwners(session.constants)) {
    if (change.owners !== undefined && change.owners !== null) {
      throw invalidValue('properties.system.owners', 'needs the hasOwners capability in the session constants.');
    }
    return;
  }
  if (actsAsOwner(session, principal)) return;
  const allowed = nonOwnerModifiableSystemProperties(session.constants);
  for (const [key, value] of Object.entries(change)) {
    const current = Object.hasOwn(session.properties.system, key) ? session.properties.system[key] : null;
    const unchanged =
      key === 'owners' ? jsonEquals(normalisedOwners(current), normalisedOwners(value)) : jsonEquals(current, value);
    if (unchanged) continue;
    if (key === 'owners') {
      throw new MpsdError(
        'OwnershipRequired',
        `properties.system.owners can be changed only by an owner of the session or a server; ${whyNotOwner(session)}.`,
      );
    }
    if (allowed.includes(key)) continue;
    throw new MpsdError(
      'OwnershipRequired',
      `properties.system.${key} can be changed only by an owner of the session or a server; non-owners may change only the system properties listed in constants.system.ownershipPolicies.nonOwnerModifiableSystemProperties (${allowed.length === 0 ? 'none' : allowed.join(', ')}).`,
    );
  }
}

/**
 * Checks and normalises `properties.system.owners` after the merge of a PUT whose principal passed
 * {@link assertMayChangeSystemProperties} (spec §2.12): every entry is the index of a current member, kept unique and
 * ascending; a user may not leave a session that has members without an owner (ownership is handed over by naming
 * the new owner; leaving is what triggers migration). A server may. `before` is the owners list before the merge.
 */
export function finishOwners(session: SessionDocument, before: readonly number[], principal: Principal): void {
  const system = session.properties.system;
  if (!hasOwners(session.constants)) return;
  const owners = normalisedOwners(system.owners);
  if (!Array.isArray(owners) || owners.length === 0) {
    delete system.owners;
    if (!principal.isServer && before.length > 0 && Object.keys(session.members).length > 0) {
      throw invalidValue(
        'properties.system.owners',
        'cannot be emptied while the session has members; hand ownership over by naming the new owner (a member index).',
      );
    }
    return;
  }
  for (const index of owners) {
    if (session.members[String(index)] === undefined) {
      throw invalidValue(
        'properties.system.owners',
        `names ${String(index)}, which is not a member of the session; owners are indices of current members.`,
      );
    }
  }
  system.owners = owners;
}

/**
 * What the removal of member `index` does to ownership (spec §2.8). The index leaves `owners`; when it was the last
 * owner, `oldest` makes the longest-present remaining member an owner (a member who joined before any pending
 * reservation), and `endsession` ends the session: the caller removes every other member.
 */
export function settleOwnershipAfterRemoval(session: SessionDocument, index: string): 'kept' | 'end-session' {
  if (!hasOwners(session.constants)) return 'kept';
  const before = ownersOf(session);
  if (!before.includes(Number(index))) return 'kept';
  const remaining = before.filter((i) => i !== Number(index) && session.members[String(i)] !== undefined);
  if (remaining.length > 0) {
    setOwners(session, remaining);
    return 'kept';
  }
  delete session.properties.system.owners;
  const members = Object.entries(session.members);
  if (members.length === 0) return 'kept';
  if (migrationOf(session.constants) === 'endsession') return 'end-session';
  // Indices only grow, so the lowest index is the longest present; a pending reservation has not joined yet.
  const oldest = members
    .map(([i, member]) => ({ index: Number(i), pending: member.reserved === true }))
    .sort((a, b) => Number(a.pending) - Number(b.pending) || a.index - b.index)[0];
  if (oldest !== undefined) setOwners(session, [oldest.index]);
  return 'kept';
}
