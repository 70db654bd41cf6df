import type { Principal } from '../../../lambda/domain/principal';
import { validateOwnershipPolicies } from '../../../lambda/domain/session/ownership';
import { applyDueTimers } from '../../../lambda/domain/session/timers';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { activeJoin, context, put, refusal, SERVER, sessionOf, T0, user } from '../domain-fixtures';

// Ownership of hasOwners sessions (spec §2.12, §2.8): who owns, who may change what, and migration when the last
// owner goes, whichever way it goes.

const join = { members: { me: { properties: { system: { active: true } } } } };
const leave = { members: { me: null } };

/** A hasOwners session on the "open" template: 100 creates it (index 0), 200 and 300 join (1, 2). */
function owned(policies: Record<string, unknown> = {}, extraSystem: Record<string, unknown> = {}): SessionDocument {
  const system = { capabilities: { hasOwners: true }, ownershipPolicies: policies, ...extraSystem };
  let session = sessionOf(put(undefined, activeJoin('100', { constants: { system } }), context(user('100'))));
  for (const xuid of ['200', '300']) session = sessionOf(put(session, join, context(user(xuid))));
  return session;
}

describe('who owns a session (spec §2.12)', () => {
  it('the creator of a hasOwners session is its first owner; members who join are not', () => {
    const session = owned();
    expect(session.properties.system.owners).toEqual([0]);
  });

  it('a session without hasOwners has no owners, and writing owners there is 400', () => {
    const session = sessionOf(put(undefined, activeJoin('100'), context(user('100'))));
    expect(session.properties.system.owners).toBeUndefined();
    const refused = refusal(() => put(session, { properties: { system: { owners: [0] } } }, context(user('100'))));
    expect(refused).toMatchObject({ status: 400, message: expect.stringMatching(/needs the hasOwners capability/) });
  });

  it('a creation without a joining user has no owner; the first member to join the empty session becomes it', () => {
    const constants = { system: { capabilities: { hasOwners: true }, sessionEmptyTimeout: 60000 } };
    let session = sessionOf(put(undefined, { constants }, context(user('100'))));
    expect(session.properties.system.owners).toBeUndefined();
    session = sessionOf(put(session, join, context(user('200'))));
    expect(session.properties.system.owners).toEqual([0]);
  });
});

describe('who may change owners and session system properties', () => {
  const policies = { nonOwnerModifiableSystemProperties: ['joinRestriction', 'closed'] };
  it.each<[string, Principal, Record<string, unknown>, number | 'ok', number[] | undefined]>([
    ['a non-owner makes itself an owner', user('200'), { owners: [1] }, 403, [0]],
    ['a non-owner adds itself beside the owner', user('200'), { owners: [0, 1] }, 403, [0]],
    ['a non-owner strips the owners', user('200'), { owners: [] }, 403, [0]],
    ['a non-owner deletes owners', user('200'), { owners: null }, 403, [0]],
    ['a non-owner sends the owners unchanged', user('200'), { owners: [0] }, 'ok', [0]],
    ['the owner names a second owner', user('100'), { owners: [0, 2] }, 'ok', [0, 2]],
    ['the owner hands ownership over', user('100'), { owners: [1] }, 'ok', [1]],
    ['owners are kept unique and ascending', user('100'), { owners: [2, 0, 2] }, 'ok', [0, 2]],
    ['the owner names a non-member', user('100'), { owners: [0, 7] }, 400, [0]],
    ['the owner empties owners', user('100'), { owners: [] }, 400, [0]],
    ['a server sets owners', SERVER, { owners: [2] }, 'ok', [2]],
    ['a server empties owners', SERVER, { owners: [] }, 'ok', undefined],
    ['a non-owner changes a listed property', user('200'), { closed: true }, 'ok', [0]],
    ['a non-owner changes an unlisted property', user('200'), { keywords: ['x'] }, 403, [0]],
    ['a non-owner sends an unlisted property unchanged', user('200'), { locked: null }, 'ok', [0]],
    ['the owner changes an unlisted property', user('100'), { keywords: ['x'] }, 'ok', [0]],
  ])('%s', (_case, principal, system, expected, owners) => {
    const session = owned(policies);
    const run = () => put(session, { properties: { system } }, context(principal));
    if (expected === 'ok') {
      expect(sessionOf(run()).properties.system.owners).toEqual(owners);
    } else {
      const refused = refusal(run);
      expect(refused.status).toBe(expected);
      expect(refused.message).toMatch(/owner|member/);
      expect(session.properties.system.owners).toEqual(owners);
    }
  });

  it('without ownershipPolicies a non-owner may change no system property; custom is free', () => {
    const session = owned();
    const refused = refusal(() => put(session, { properties: { system: { closed: true } } }, context(user('200'))));
    expect(refused).toMatchObject({ status: 403, code: 'OwnershipRequired' });
    expect(refused.message).toMatch(/nonOwnerModifiableSystemProperties \(none\)/);
    const custom = sessionOf(put(session, { properties: { custom: { map: 'x' } } }, context(user('200'))));
    expect(custom.properties.custom).toEqual({ map: 'x' });
  });

  it('only owners is compared as a set: a non-owner reordering turn changes it', () => {
    let session = owned();
    session = sessionOf(put(session, { properties: { system: { turn: [0, 1] } } }, context(user('100'))));
    expect(sessionOf(put(session, { properties: { system: { turn: [0, 1] } } }, context(user('200'))))).toBeDefined();
    const refused = refusal(() => put(session, { properties: { system: { turn: [1, 0] } } }, context(user('200'))));
    expect(refused).toMatchObject({ status: 403, code: 'OwnershipRequired' });
  });

  it('owners written in the same PUT grant nothing to that PUT', () => {
    const session = owned();
    const body = { properties: { system: { owners: [1], keywords: ['x'] } } };
    expect(refusal(() => put(session, body, context(user('200')))).status).toBe(403);
  });
});

describe('when the last owner goes (spec §2.8)', () => {
  type Removal = (session: SessionDocument, ownerIndex: string, ownerXuid: string) => SessionDocument | 'deleted';
  const outcomeOf = (outcome: ReturnType<typeof put>): SessionDocument | 'deleted' =>
    outcome.kind === 'deleted' ? 'deleted' : sessionOf(outcome);
  const removals: [string, Removal][] = [
    ['leaves with me: null', (s, _i, xuid) => outcomeOf(put(s, leave, context(user(xuid))))],
    ['is removed by a server', (s, index) => outcomeOf(put(s, { members: { [index]: null } }, context(SERVER)))],
    [
      'is removed by the inactive timer',
      (s, index) => {
        const member = s.members[index];
        if (member === undefined) throw new Error('no member');
        member.properties.system = {};
        const outcome = applyDueTimers(s, T0 + 1);
        return outcome.deleted ? 'deleted' : s;
      },
    ],
  ];

  it.each(removals)('endsession (the default): the session ends when the last owner %s', (_way, remove) => {
    expect(remove(owned(), '0', '100')).toBe('deleted');
  });

  it.each(removals)('endsession with a session-empty timeout: every member is removed when it %s', (_way, remove) => {
    const after = remove(owned({}, { sessionEmptyTimeout: 60000 }), '0', '100');
    if (after === 'deleted') throw new Error('expected the empty session to wait for its timeout');
    expect(after.members).toEqual({});
    expect(after.properties.system.owners).toBeUndefined();
  });

  it.each(removals)('oldest: the longest-present member becomes the owner when the last owner %s', (_way, remove) => {
    const after = remove(owned({ migration: 'oldest' }), '0', '100');
    if (after === 'deleted') throw new Error('expected the session to continue');
    expect(Object.keys(after.members)).toEqual(['1', '2']);
    expect(after.properties.system.owners).toEqual([1]);
  });

  it('oldest prefers a member who joined over an older pending reservation', () => {
    let session = owned({ migration: 'oldest' });
    session = sessionOf(put(session, { members: { '1': null, '2': null } }, context(SERVER)));
    session = sessionOf(
      put(session, { members: { reserve_0: { constants: { system: { xuid: '400' } } } } }, context(user('100'))),
    );
    session = sessionOf(put(session, join, context(user('500'))));
    expect(Object.keys(session.members)).toEqual(['0', '3', '4']);
    const after = sessionOf(put(session, leave, context(user('100'))));
    expect(after.properties.system.owners).toEqual([4]);
  });

  it('an owner who goes while another owner stays only leaves the list', () => {
    let session = owned();
    session = sessionOf(put(session, { properties: { system: { owners: [0, 2] } } }, context(user('100'))));
    const after = sessionOf(put(session, leave, context(user('100'))));
    expect(Object.keys(after.members)).toEqual(['1', '2']);
    expect(after.properties.system.owners).toEqual([2]);
  });

  it('an owner removes another member by index; a non-owner is 403 with the documented message (spec §2.12)', () => {
    const session = owned();
    const after = sessionOf(put(session, { members: { '2': null } }, context(user('100'))));
    expect(Object.keys(after.members)).toEqual(['0', '1']);
    expect(refusal(() => put(session, { members: { '2': null } }, context(user('200'))))).toMatchObject({
      status: 403,
      code: 'MemberReferenceRequiresServer',
    });
  });

  it('a non-owner leaving changes no ownership', () => {
    const after = sessionOf(put(owned(), leave, context(user('200'))));
    expect(after.properties.system.owners).toEqual([0]);
  });
});

describe('constants.system.ownershipPolicies', () => {
  it.each<[string, unknown, RegExp | 'ok']>([
    [
      'the documented example',
      {
        migration: 'oldest',
        allowNonOwnerInviteHandles: true,
        nonOwnerModifiableSystemProperties: ['joinRestriction', 'closed'],
      },
      'ok',
    ],
    ['endsession', { migration: 'endsession' }, 'ok'],
    ['an unknown migration', { migration: 'random' }, /migration must be one of "endsession", "oldest"/],
    ['an unknown field', { owner: 1 }, /ownershipPolicies\.owner is not a field/],
    ['a non-boolean allowNonOwnerInviteHandles', { allowNonOwnerInviteHandles: 1 }, /must be true or false/],
    [
      'owners as non-owner-modifiable',
      { nonOwnerModifiableSystemProperties: ['owners'] },
      /\("owners"\) is not a session system property/,
    ],
    ['an unknown property', { nonOwnerModifiableSystemProperties: ['color'] }, /\("color"\)/],
    ['not an array', { nonOwnerModifiableSystemProperties: 'closed' }, /must be an array/],
  ])('%s', (_case, value, expected) => {
    const run = () => validateOwnershipPolicies('constants.system.ownershipPolicies', value as never);
    if (expected === 'ok') expect(run).not.toThrow();
    else expect(run).toThrow(expected);
  });
});
