import { assembleConstants } from '../../../lambda/domain/session/constants';
import { MEMBER_REFERENCE_MESSAGE } from '../../../lambda/domain/session/members';
import { renderSession } from '../../../lambda/domain/session/render';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { sessionDocumentProblems } from '../../support/mpsd-response-validator';
import { activeJoin, context, put, refusal, SERVER, sessionOf, T0, user } from '../domain-fixtures';

function created(body: unknown, templateName = 'open', principal = user('100')): SessionDocument {
  return sessionOf(put(undefined, body, context(principal, templateName)));
}

describe('constants at creation (spec §2.5, §3)', () => {
  it.each([
    [
      'template value kept, request adds what the template leaves unset',
      'lobby',
      { inviteProtocol: 'party', reservedRemovalTimeout: 5000 },
      { maxMembersCount: 8, reservedRemovalTimeout: 5000 },
    ],
    [
      '107 defaults fill the rest',
      'open',
      {},
      {
        maxMembersCount: 100,
        visibility: 'open',
        reservedRemovalTimeout: 30000,
        inactiveRemovalTimeout: 0,
        readyRemovalTimeout: 180000,
        sessionEmptyTimeout: 0,
      },
    ],
    [
      'a template null keeps a timeout infinite',
      'forever',
      {},
      { sessionEmptyTimeout: null, inactiveRemovalTimeout: null },
    ],
    ['an explicit request null means never', 'open', { readyRemovalTimeout: null }, { readyRemovalTimeout: null }],
  ])('%s', (_name, templateName, system, expected) => {
    const session = created(activeJoin('100', { constants: { system } }), templateName);
    expect(session.constants.system).toMatchObject(expected);
  });

  it.each([
    [
      'a template constant with a different value',
      'lobby',
      { maxMembersCount: 9 },
      409,
      /maxMembersCount is already set by the session template/,
    ],
    ['maxMembersCount above 100 without large', 'open', { maxMembersCount: 101 }, 400, /maxMembersCount/],
    ['an unknown visibility', 'open', { visibility: 'friends' }, 400, /"private", "visible", "open"/],
    ['a negative timeout', 'open', { sessionEmptyTimeout: -1 }, 400, /integer from 0/],
    ['metrics without connectivity', 'open', { metrics: { latency: true } }, 400, /connectivity/],
    [
      'membersNeededToStart above maxMembersCount',
      'open',
      { maxMembersCount: 4, memberInitialization: { membersNeededToStart: 5 } },
      400,
      /maxMembersCount \(4\)/,
    ],
    ['initiators without the creator', 'open', { initiators: ['999'] }, 403, /initiators must include/],
    ['broadcast without large', 'open', { capabilities: { broadcast: true } }, 400, /broadcast needs large/],
  ])('refuses %s', (_name, templateName, system, status, message) => {
    const r = refusal(() =>
      put(undefined, activeJoin('100', { constants: { system } }), context(user('100'), templateName)),
    );
    expect(r.status).toBe(status);
    expect(r.message).toMatch(message);
  });

  it('accepts the same constants again after creation and refuses a different value with 409', () => {
    const session = created(activeJoin('100', { constants: { system: { maxMembersCount: 5 }, custom: { a: 1 } } }));
    expect(
      put(session, { constants: { system: { maxMembersCount: 5 }, custom: { a: 1 } } }, context(user('100'))).kind,
    ).toBe('updated');
    expect(
      refusal(() => put(session, { constants: { system: { maxMembersCount: 6 } } }, context(user('100')))).status,
    ).toBe(409);
    expect(refusal(() => put(session, { constants: { custom: { a: 2 } } }, context(user('100')))).status).toBe(409);
  });

  it('reads 104/105 constants (timeouts object, managedInitialization with autoEvaluate) into the 107 form', () => {
    const ctx = context(user('100'), 'open', T0, 105);
    const body = activeJoin('100', {
      constants: {
        system: {
          timeouts: { inactive: 7200000, sessionEmpty: 0 },
          managedInitialization: { autoEvaluate: true, membersNeededToStart: 1 },
        },
      },
    });
    body.members = {
      me: { constants: { system: { xuid: '100', initialize: true } }, properties: { system: { active: true } } },
    };
    const session = sessionOf(put(undefined, body, ctx));
    expect(session.constants.system.inactiveRemovalTimeout).toBe(7200000);
    expect(session.constants.system.memberInitialization).toEqual({
      externalEvaluation: false,
      membersNeededToStart: 1,
    });
  });
});

describe('request shape (spec §1.4)', () => {
  it('refuses a top-level member other than constants, properties, members, servers and roleTypes', () => {
    const r = refusal(() => put(undefined, activeJoin('100', { membersInfo: {} }), context(user('100'))));
    expect(r).toEqual({
      status: 400,
      code: 'ProhibitedMember',
      message: expect.stringMatching(/"membersInfo".*only constants, properties, members, servers, roleTypes/),
    });
  });

  it('an empty capabilities object in the template blocks capabilities at creation (spec §2.3.1)', () => {
    const blocked = assembleConstants({ system: { capabilities: {} }, custom: {} }, { system: {}, custom: {} });
    expect(blocked.system.capabilities).toEqual({});
    expect(() =>
      assembleConstants(
        { system: { capabilities: {} }, custom: {} },
        { system: { capabilities: { gameplay: true } }, custom: {} },
      ),
    ).toThrow(/already set by the session template/);
    expect(
      assembleConstants({ system: {}, custom: {} }, { system: { capabilities: { gameplay: true } }, custom: {} }).system
        .capabilities,
    ).toEqual({ gameplay: true });
  });
});

describe('members (spec §2.7)', () => {
  it('me adds the caller with xuid, gamertag and activeTitleId from the token', () => {
    const session = created({ members: { me: { properties: { system: { active: true } } } } });
    expect(session.members['0']).toMatchObject({
      constants: { system: { xuid: '100' } },
      gamertag: 'gt100',
      activeTitleId: '1234',
      joinTime: '2026-01-01T00:00:00.0000000Z',
    });
  });

  it("ignores an xuid in the body that differs from the token: the member is the token's user (family spec §1.3)", () => {
    const session = created(activeJoin('200'));
    expect(Object.values(session.members).map((m) => m.constants.system.xuid)).toEqual(['100']);
    // A second account joins with the first one's xuid and connection, as MCXboxBroadcast's sub-accounts do.
    const connection = '5b3bd3c0-6c4d-4f39-9f0b-2f1b2f5d8b11';
    const joined = sessionOf(
      put(
        session,
        {
          members: {
            me: { constants: { system: { xuid: '100' } }, properties: { system: { active: true, connection } } },
          },
        },
        context(user('300')),
      ),
    );
    expect(Object.values(joined.members).map((m) => [m.constants.system.xuid, m.properties.system.connection])).toEqual(
      [
        ['100', undefined],
        ['300', connection],
      ],
    );
  });

  it('appends reserve_N entries in request order, after me, from membersInfo.next', () => {
    const body = {
      members: {
        me: { properties: { system: { active: true } } },
        reserve_1: { constants: { system: { xuid: '301' } } },
        reserve_0: { constants: { system: { xuid: '300' } } },
      },
    };
    const session = created(body);
    expect(Object.entries(session.members).map(([i, m]) => [i, m.constants.system.xuid, m.reserved === true])).toEqual([
      ['0', '100', false],
      ['1', '301', true],
      ['2', '300', true],
    ]);
  });

  it('never reuses an index: a member who leaves and rejoins gets the next one', () => {
    let session = created(activeJoin('100'));
    session = sessionOf(put(session, activeJoin('200'), context(user('200'))));
    session = sessionOf(put(session, { members: { me: null } }, context(user('100'))));
    session = sessionOf(put(session, activeJoin('100'), context(user('100'))));
    expect(Object.keys(session.members)).toEqual(['1', '2']);
    const rendered = renderSession(session, { contractVersion: 107 });
    expect(rendered.membersInfo).toEqual({ first: 1, next: 3, count: 2, accepted: 2, active: 2 });
    expect(sessionDocumentProblems(rendered)).toEqual([]);
  });

  it('a reserved user accepts the reservation with its first PUT, keeping its index', () => {
    let session = created({
      members: {
        me: { properties: { system: { active: true } } },
        reserve_0: { constants: { system: { xuid: '300' } } },
      },
    });
    session = sessionOf(
      put(session, { members: { me: { properties: { system: { active: true } } } } }, context(user('300'))),
    );
    expect(session.members['1']?.reserved).toBeUndefined();
    expect(session.members['1']?.constants.system.xuid).toBe('300');
  });

  it('"<index>": null removes a member for a server and is 403 with the documented message for a user', () => {
    let session = created(activeJoin('100'));
    session = sessionOf(put(session, activeJoin('200'), context(user('200'))));
    expect(refusal(() => put(session, { members: { '0': null } }, context(user('200'))))).toEqual({
      status: 403,
      code: 'MemberReferenceRequiresServer',
      message: MEMBER_REFERENCE_MESSAGE,
    });
    session = sessionOf(put(session, { members: { '0': null } }, context(SERVER)));
    expect(Object.keys(session.members)).toEqual(['1']);
  });

  it('member constants are set only when the member is added: the same again is accepted, a change is 409', () => {
    const session = created({
      members: {
        me: { constants: { system: { xuid: '100' }, custom: { skill: 1 } }, properties: { system: { active: true } } },
      },
    });
    expect(put(session, { members: { me: { constants: { custom: { skill: 1 } } } } }, context(user('100'))).kind).toBe(
      'updated',
    );
    expect(
      refusal(() => put(session, { members: { me: { constants: { custom: { skill: 2 } } } } }, context(user('100'))))
        .status,
    ).toBe(409);
  });

  it.each([
    ['a full session', 'lobby', {}, {}, 400, /full: it holds 8 of 8/],
    ['a private session', 'open', { visibility: 'private' }, {}, 403, /private/],
    ['a visible session', 'open', { visibility: 'visible' }, {}, 400, /visible/],
    ['a closed session', 'open', {}, { closed: true }, 403, /closed/],
    ['a locked session, as a newcomer', 'open', {}, { closed: true, locked: true }, 403, /locked/],
  ])('refuses a join into %s and changes nothing', (_name, templateName, constants, properties, status, message) => {
    let session = created(
      activeJoin('100', { constants: { system: constants }, properties: { system: properties } }),
      templateName,
    );
    for (let i = 1; templateName === 'lobby' && i < 8; i += 1)
      session = sessionOf(put(session, activeJoin(String(100 + i)), context(user(String(100 + i)), templateName)));
    const before = JSON.stringify(session);
    const r = refusal(() => put(session, activeJoin('900'), context(user('900'), templateName)));
    expect(r.status).toBe(status);
    expect(r.message).toMatch(message);
    expect(JSON.stringify(session)).toBe(before);
  });

  it('a locked session lets a former member back in (spec §2.6)', () => {
    let session = created(activeJoin('100'));
    session = sessionOf(put(session, activeJoin('200'), context(user('200'))));
    session = sessionOf(put(session, { members: { me: null } }, context(user('200'))));
    session = sessionOf(put(session, { properties: { system: { closed: true, locked: true } } }, context(user('100'))));
    expect(session.formerMembers).toEqual(['200']);
    expect(put(session, activeJoin('200'), context(user('200'))).kind).toBe('updated');
  });

  it('a session with member initialization refuses a creation with too few initializing members (spec §2.9)', () => {
    const r = refusal(() =>
      put(
        undefined,
        activeJoin('100', { constants: { system: { memberInitialization: { membersNeededToStart: 2 } } } }),
        context(user('100')),
      ),
    );
    expect(r).toEqual({
      status: 400,
      code: 'InvalidValue',
      message: expect.stringMatching(
        /^This session is configured for managed initialization requiring at least 2 members to start\./,
      ),
    });
  });
});

describe('access of callers who are not members (spec §2.14)', () => {
  it('a non-member PUT that does not join a private session is 403, so it cannot read the session that way', () => {
    const session = created(activeJoin('100', { constants: { system: { visibility: 'private' } } }));
    expect(refusal(() => put(session, {}, context(user('900')))).status).toBe(403);
    expect(refusal(() => put(session, { members: { me: null } }, context(user('900')))).status).toBe(403);
  });
  it('a non-member may not change an open session without joining it', () => {
    const session = created(activeJoin('100'));
    expect(refusal(() => put(session, { properties: { custom: { a: 1 } } }, context(user('900')))).status).toBe(403);
    expect(put(session, {}, context(user('900'))).kind).toBe('updated');
  });
  it('a member of a private session may leave it', () => {
    let session = created(activeJoin('100', { constants: { system: { visibility: 'private' } } }));
    session = sessionOf(
      put(
        session,
        {
          members: {
            me: { properties: { system: { active: true } } },
            reserve_0: { constants: { system: { xuid: '200' } } },
          },
        },
        context(user('100')),
      ),
    );
    expect(put(session, { members: { me: null } }, context(user('100'))).kind).toBe('updated');
  });
});

describe('large sessions (spec §2.15)', () => {
  const large = { constants: { system: { maxMembersCount: 500, capabilities: { large: true } } } };
  it.each([
    ['a reservation', { members: { reserve_0: { constants: { system: { xuid: '300' } } } } }],
    ['removing a member by index', { members: { '0': null } }],
  ])('refuses %s with 409', (_name, body) => {
    const session = created(activeJoin('100', large));
    expect(refusal(() => put(session, body, context({ xuid: '100', isServer: true }))).status).toBe(409);
  });
});

describe('deletion (spec §2.8)', () => {
  it('the last member leaving with sessionEmptyTimeout 0 deletes the session', () => {
    expect(put(created(activeJoin('100')), { members: { me: null } }, context(user('100'))).kind).toBe('deleted');
  });
  it('a PUT that would create a session without members creates nothing', () => {
    expect(put(undefined, { properties: { custom: { a: 1 } } }, context(user('100'))).kind).toBe('not-created');
  });
  it('with an infinite sessionEmptyTimeout the emptied session stays', () => {
    expect(
      put(created(activeJoin('100'), 'forever'), { members: { me: null } }, context(user('100'), 'forever')).kind,
    ).toBe('updated');
  });
});

describe('properties (spec §2.6)', () => {
  it('system fields are replaced whole, custom merges by key and null deletes a key', () => {
    let session = created(
      activeJoin('100', { properties: { system: { keywords: ['a', 'b'] }, custom: { x: 1, y: { deep: 1 } } } }),
    );
    session = sessionOf(
      put(
        session,
        { properties: { system: { keywords: ['c'] }, custom: { x: null, y: { other: null }, z: 3 } } },
        context(user('100')),
      ),
    );
    expect(session.properties.system.keywords).toEqual(['c']);
    expect(session.properties.custom).toEqual({ y: { other: null }, z: 3 });
  });

  it.each([
    ['locked without closed', { locked: true }, /locked can be true only while closed/],
    ['readRestriction stricter than joinRestriction', { readRestriction: 'local' }, /at least as permissive/],
    ['a non-boolean closed', { closed: 'true' }, /true or false/],
    ['an unknown field', { colour: 'red' }, /not a field MPSD knows/],
    [
      'clientResult without clientMatchmaking',
      { matchmaking: { clientResult: { status: 'searching' } } },
      /clientMatchmaking/,
    ],
  ])('refuses %s with 400', (_name, system, message) => {
    const session = created(activeJoin('100'));
    const r = refusal(() => put(session, { properties: { system } }, context(user('100'))));
    expect(r.status).toBe(400);
    expect(r.message).toMatch(message);
  });

  it('keywords are refused on a private session', () => {
    const session = created(activeJoin('100', { constants: { system: { visibility: 'private' } } }));
    expect(
      refusal(() => put(session, { properties: { system: { keywords: ['a'] } } }, context(user('100')))).status,
    ).toBe(400);
  });

  it('host is kept only while it names a member device token, and initializationSucceeded is consumed', () => {
    let session = created(activeJoin('100'), 'qos');
    session = sessionOf(
      put(
        session,
        { members: { me: { properties: { system: { secureDeviceAddress: 'AAAAAAAA0123' } } } } },
        context(user('100'), 'qos'),
      ),
    );
    const token = session.members['0']?.deviceToken as string;
    session = sessionOf(
      put(
        session,
        { properties: { system: { host: token.toUpperCase(), initializationSucceeded: true } } },
        context(user('100'), 'qos'),
      ),
    );
    expect(session.properties.system).toEqual({ host: token.toUpperCase() });
    session = sessionOf(
      put(session, { properties: { system: { host: 'no-such-device' } } }, context(user('100'), 'qos')),
    );
    expect(session.properties.system.host).toBeUndefined();
  });

  it('subscriptions merge per id and null removes one; subscription is replaced whole (spec §2.1, §2.7.4)', () => {
    let session = created(activeJoin('100'));
    const sub = (system: Record<string, unknown>) => ({ members: { me: { properties: { system } } } });
    session = sessionOf(
      put(session, sub({ subscriptions: { a: { profile: 'party' }, b: { profile: 'roster' } } }), context(user('100'))),
    );
    session = sessionOf(
      put(
        session,
        sub({ subscriptions: { a: null, c: { profile: 'queue' } }, subscription: { id: 'x', changeTypes: ['host'] } }),
        context(user('100')),
      ),
    );
    session = sessionOf(put(session, sub({ subscription: { changeTypes: ['everything'] } }), context(user('100'))));
    expect(session.members['0']?.properties.system).toEqual({
      active: true,
      subscriptions: { b: { profile: 'roster' }, c: { profile: 'queue' } },
      subscription: { changeTypes: ['everything'] },
    });
  });

  it('measurements may not include the member own device token', () => {
    let session = created(activeJoin('100'), 'qos');
    session = sessionOf(
      put(
        session,
        { members: { me: { properties: { system: { secureDeviceAddress: 'AAAA' } } } } },
        context(user('100'), 'qos'),
      ),
    );
    const own = session.members['0']?.deviceToken as string;
    const body = { members: { me: { properties: { system: { measurements: { [own]: { latency: 1 } } } } } } };
    expect(refusal(() => put(session, body, context(user('100'), 'qos')))).toEqual({
      status: 400,
      code: 'InvalidValue',
      message: expect.stringMatching(/own device token/),
    });
  });

  it('servers need a server principal and merge per entry; null removes one', () => {
    let session = created(activeJoin('100'));
    expect(
      refusal(() => put(session, { servers: { game: { properties: { system: {} } } } }, context(user('100')))).status,
    ).toBe(403);
    session = sessionOf(
      put(
        session,
        {
          servers: {
            game: { properties: { custom: { a: 1 } } },
            matchmaking: { properties: { system: { status: 'searching' } } },
          },
        },
        context(SERVER),
      ),
    );
    session = sessionOf(put(session, { servers: { matchmaking: null } }, context(SERVER)));
    expect(Object.keys(session.servers)).toEqual(['game']);
  });

  it('roles of an owner-managed role type are assigned only by owners or servers (spec §2.11)', () => {
    const take = { members: { me: { roles: { captain: 'captain' }, properties: { system: { active: true } } } } };
    // The creator of a hasOwners session is its first owner (spec §2.12), so it may take the role at creation.
    const session = created(take, 'owned-roles');
    expect(session.properties.system.owners).toEqual([0]);
    expect(session.members['0']?.roles).toEqual({ captain: 'captain' });
    const refused = refusal(() => put(session, take, context(user('200'), 'owned-roles')));
    expect(refused.status).toBe(403);
    expect(refused.message).toMatch(/owner-managed/);
  });

  it('roles: a member takes a defined role, a full role is 409, roleTypes changes only mutable settings', () => {
    let session = created(
      activeJoin('100', { members: { me: { roles: { lfg: 'friend' }, properties: { system: { active: true } } } } }),
      'roles',
    );
    expect(session.members['0']?.roles).toEqual({ lfg: 'friend' });
    // The "roles" template has no hasOwners, so no member may change role settings; a server may (spec §2.11).
    session = sessionOf(
      put(session, { roleTypes: { lfg: { roles: { friend: { max: 1, target: 1 } } } } }, context(SERVER, 'roles')),
    );
    const join = { members: { me: { roles: { lfg: 'friend' }, properties: { system: { active: true } } } } };
    expect(refusal(() => put(session, join, context(user('200'), 'roles'))).status).toBe(409);
    expect(
      refusal(() =>
        put(session, { roleTypes: { lfg: { roles: { friend: { target: 3 } } } } }, context(SERVER, 'roles')),
      ).status,
    ).toBe(400);
  });
});
