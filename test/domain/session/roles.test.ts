import type { Principal } from '../../../lambda/domain/principal';
import { assembleConstants } from '../../../lambda/domain/session/constants';
import { validateRoleTypes } from '../../../lambda/domain/session/roles';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { context, put, refusal, SERVER, sessionOf, user } from '../domain-fixtures';

// Roles (spec §2.11): names, who changes role settings, and max against the members holding a role.

const joinWith = (roles?: Record<string, unknown>) => ({
  members: { me: { properties: { system: { active: true } }, ...(roles === undefined ? {} : { roles }) } },
});

/** 100 creates the session (the owner where the template has hasOwners); 200 joins. */
function withMembers(templateName: string, roles?: Record<string, unknown>): SessionDocument {
  let session = sessionOf(put(undefined, joinWith(roles), context(user('100'), templateName)));
  session = sessionOf(put(session, joinWith(roles), context(user('200'), templateName)));
  return session;
}

describe('role type and role names (spec §2.11: lower-case alphanumeric, at most 100 characters)', () => {
  it.each([
    ['a role named __proto__', { lfg: '__proto__' }],
    ['a role with upper case', { lfg: 'Friend' }],
    ['a role with punctuation', { lfg: 'friend-1' }],
    ['a role of 101 characters', { lfg: 'a'.repeat(101) }],
    ['an empty role name', { lfg: '' }],
    ['a role name that is not a string', { lfg: 7 }],
    ['a role type with upper case', { LFG: 'friend' }],
  ])('members.me.roles: %s is 400', (_case, roles) => {
    const refused = refusal(() => put(undefined, joinWith(roles), context(user('100'), 'roles')));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(/lower-case letters and digits \(a-z, 0-9\), 1 to 100 characters/);
  });

  it.each([
    ['a role named constructor', { lfg: 'constructor' }],
    ['a role type named constructor', { constructor: 'friend' }],
  ])('members.me.roles: %s (a well-formed name the session does not define) is 400', (_case, roles) => {
    const refused = refusal(() => put(undefined, joinWith(roles), context(user('100'), 'roles')));
    expect(refused).toMatchObject({ status: 400, message: expect.stringMatching(/does not define/) });
  });

  it.each([
    ['a role named __proto__', { lfg: { roles: { ['__proto__']: { max: 9 } } } }],
    ['a role named constructor', { lfg: { roles: { constructor: { max: 9 } } } }],
    ['a role type named toString', { toString: { roles: { friend: { max: 9 } } } }],
  ])('roleTypes: %s is 400 and pollutes nothing', (_case, roleTypes) => {
    const session = withMembers('roles');
    const refused = refusal(() => put(session, { roleTypes }, context(SERVER, 'roles')));
    expect(refused.status).toBe(400);
    expect(({} as Record<string, unknown>).max).toBeUndefined();
  });

  it('names of 100 lower-case letters and digits are accepted', () => {
    const roleTypes = { ['a'.repeat(100)]: { roles: { ['r0'.repeat(50)]: { max: 1 } } } };
    expect(() => validateRoleTypes(roleTypes, assembleConstants({ system: {}, custom: {} }, undefined))).not.toThrow();
  });
});

describe('role settings (spec §2.11: only owners, only mutableRoleSettings, max not below the holders)', () => {
  const change = (max: number | undefined, target?: number) => ({
    roleTypes: {
      lfg: {
        roles: { friend: { ...(max === undefined ? {} : { max }), ...(target === undefined ? {} : { target }) } },
      },
    },
  });
  it.each<[string, string, Principal, Record<string, unknown>, number | 'ok', string | undefined]>([
    ['a member of a session without owners raises max', 'roles', user('200'), change(5), 403, 'OwnershipRequired'],
    [
      'the creator of a session without owners raises max later',
      'roles',
      user('100'),
      change(5),
      403,
      'OwnershipRequired',
    ],
    ['a server raises max on a session without owners', 'roles', SERVER, change(5), 'ok', undefined],
    ['a member sends the settings unchanged', 'roles', user('200'), change(2, 2), 'ok', undefined],
    ['a non-owner raises max on a hasOwners session', 'owned-lfg', user('200'), change(5), 403, 'OwnershipRequired'],
    ['the owner raises max', 'owned-lfg', user('100'), change(5), 'ok', undefined],
    ['the owner sets max below the two holders', 'owned-lfg', user('100'), change(1, 1), 409, 'RoleLimitConflict'],
    ['a server sets max below the two holders', 'roles', SERVER, change(1, 1), 409, 'RoleLimitConflict'],
    ['the owner sets target above max', 'owned-lfg', user('100'), change(undefined, 3), 400, 'InvalidValue'],
    ['the owner sets max 0', 'owned-lfg', user('100'), change(0), 400, 'InvalidValue'],
  ])('%s', (_case, templateName, principal, body, expected, code) => {
    const session = withMembers(templateName, { lfg: 'friend' });
    const run = () => put(session, body, context(principal, templateName));
    if (expected === 'ok') {
      expect(sessionOf(run()).roleTypes?.lfg).toBeDefined();
      return;
    }
    const refused = refusal(run);
    expect(refused).toMatchObject({ status: expected, code });
    expect(session.roleTypes).toEqual(
      sessionOf(put(undefined, joinWith(), context(user('1'), templateName))).roleTypes,
    );
  });

  it('a setting not listed in mutableRoleSettings is 403 even for the owner', () => {
    const session = withMembers('owned-roles');
    const body = { roleTypes: { captain: { roles: { captain: { target: 1 } } } } };
    expect(sessionOf(put(session, body, context(user('100'), 'owned-roles')))).toBeDefined();
    const refused = refusal(() =>
      put(
        session,
        { roleTypes: { captain: { roles: { captain: { target: 2, max: 2 } } } } },
        context(user('100'), 'owned-roles'),
      ),
    );
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/not listed in mutableRoleSettings \(max\)/);
  });

  it('the creating PUT defines the session, so its creator may set mutable settings', () => {
    const session = sessionOf(put(undefined, { ...joinWith(), ...change(4, 4) }, context(user('100'), 'roles')));
    expect(session.roleTypes?.lfg).toMatchObject({ roles: { friend: { max: 4, target: 4 } } });
  });
});

describe('role type definitions (templates, spec §2.11)', () => {
  const plain = assembleConstants({ system: {}, custom: {} }, undefined);
  const owned = assembleConstants({ system: { capabilities: { hasOwners: true } }, custom: {} }, undefined);
  it.each<[string, unknown, typeof plain, RegExp | 'ok']>([
    [
      'the documented example with hasOwners',
      {
        myroletype1: {
          ownerManaged: true,
          mutableRoleSettings: ['max', 'target'],
          roles: { role1: { max: 3, target: 2 } },
        },
      },
      owned,
      'ok',
    ],
    [
      'ownerManaged without hasOwners',
      { t: { ownerManaged: true, roles: { r: { max: 1 } } } },
      plain,
      /only on sessions with the hasOwners capability/,
    ],
    ['a role type named __proto__', JSON.parse('{"__proto__": {"roles": {}}}'), plain, /lower-case letters and digits/],
    ['a role named Captain', { t: { roles: { Captain: { max: 1 } } } }, plain, /role "Captain"/],
    ['an unknown mutable setting', { t: { mutableRoleSettings: ['count'], roles: {} } }, plain, /"max" and "target"/],
    [
      'target above max',
      { t: { roles: { r: { max: 1, target: 2 } } } },
      plain,
      /target must be an integer from 1 to 1/,
    ],
    ['max 0', { t: { roles: { r: { max: 0 } } } }, plain, /max must be an integer from 1 to 1000/],
    ['a read-only count', { t: { roles: { r: { max: 1, count: 1 } } } }, plain, /count is not a field/],
  ])('%s', (_case, roleTypes, constants, expected) => {
    const run = () => validateRoleTypes(roleTypes as never, constants);
    if (expected === 'ok') expect(run).not.toThrow();
    else expect(run).toThrow(expected);
  });
});
