import type { JsonObject } from '../../../lambda/domain/json';
import { renderSession } from '../../../lambda/domain/session/render';
import { applyDueTimers, nextTimerAt, untouchedDeletionAt } from '../../../lambda/domain/session/timers';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { sessionDocumentProblems } from '../../support/mpsd-response-validator';
import { activeJoin, context, put, sessionOf, T0, user } from '../domain-fixtures';

const S = 1000;

function sessionWith(templateName: string, body: unknown, constants: Record<string, unknown> = {}): SessionDocument {
  return sessionOf(
    put(undefined, { ...(body as object), constants: { system: constants } }, context(user('100'), templateName)),
  );
}

const inactiveJoin = (xuid: string) => ({ members: { me: { constants: { system: { xuid } } } } });

type RoleTypesShape = { lfg: { roles: { friend: unknown } } };

describe('member timers at explicit times (spec §2.4, §2.7.5)', () => {
  it('with the 107 default inactiveRemovalTimeout 0 a member who joins without active is removed at the next read', () => {
    const session = sessionWith('open', inactiveJoin('100'), { sessionEmptyTimeout: null });
    expect(session.constants.system.inactiveRemovalTimeout).toBe(0);
    expect(Object.keys(session.members)).toEqual(['0']);
    expect(nextTimerAt(session)).toBe(T0);
    const outcome = applyDueTimers(session, T0);
    expect(outcome).toMatchObject({ fired: 1, deleted: false });
    expect(session.members).toEqual({});
  });

  it.each([
    ['reserved', 'reservedRemovalTimeout', 'removed'],
    ['inactive', 'inactiveRemovalTimeout', 'removed'],
    ['ready', 'readyRemovalTimeout', 'inactive'],
  ])('a %s member: nothing before %s, then %s', (state, timeout, result) => {
    const constants = {
      reservedRemovalTimeout: 10 * S,
      inactiveRemovalTimeout: 20 * S,
      readyRemovalTimeout: 30 * S,
      sessionEmptyTimeout: null,
    };
    const reservation = state === 'reserved' ? { reserve_0: { constants: { system: { xuid: '300' } } } } : {};
    let session = sessionWith(
      'open',
      { members: { me: { properties: { system: { active: true } } }, ...reservation } },
      constants,
    );
    const second = '1';
    if (state !== 'reserved') {
      const props = state === 'ready' ? { ready: true } : {};
      session = sessionOf(
        put(session, { members: { me: { properties: { system: props } } } }, context(user('300'), 'open')),
      );
    }
    const ms = constants[timeout as keyof typeof constants] as number;
    expect(nextTimerAt(session)).toBe(T0 + ms);
    expect(applyDueTimers(session, T0 + ms - 1).fired).toBe(0);
    expect(applyDueTimers(session, T0 + ms).fired).toBe(1);
    if (result === 'removed') expect(session.members[second]).toBeUndefined();
    else expect(session.members[second]?.properties.system).toEqual({ ready: false });
  });

  it('a ready member reverts to inactive at its timer and its inactive timer runs from that moment', () => {
    let session = sessionWith('open', activeJoin('100'), {
      readyRemovalTimeout: 30 * S,
      inactiveRemovalTimeout: 20 * S,
    });
    session = sessionOf(
      put(session, { members: { me: { properties: { system: { ready: true } } } } }, context(user('300'))),
    );
    expect(applyDueTimers(session, T0 + 49 * S).fired).toBe(1);
    expect(session.members['1']).toBeDefined();
    expect(applyDueTimers(session, T0 + 50 * S).fired).toBe(1);
    expect(session.members['1']).toBeUndefined();
  });

  it('an explicit null timeout means never: no timer, no TTL', () => {
    const session = sessionWith('forever', inactiveJoin('100'));
    expect(nextTimerAt(session)).toBeUndefined();
    expect(untouchedDeletionAt(session)).toBeUndefined();
    expect(applyDueTimers(session, T0 + 10 ** 12).fired).toBe(0);
  });

  it('the session-empty timer deletes the session after the last removal', () => {
    const session = sessionWith('open', inactiveJoin('100'), {
      inactiveRemovalTimeout: 10 * S,
      sessionEmptyTimeout: 60 * S,
    });
    expect(untouchedDeletionAt(session)).toBe(T0 + 70 * S);
    expect(applyDueTimers(session, T0 + 10 * S)).toMatchObject({ deleted: false });
    expect(nextTimerAt(session)).toBe(T0 + 70 * S);
    expect(applyDueTimers(session, T0 + 70 * S)).toMatchObject({ deleted: true });
  });

  it('active members have no timer, so the TTL is never while one is active', () => {
    const session = sessionWith('open', activeJoin('100'));
    expect(nextTimerAt(session)).toBeUndefined();
    expect(untouchedDeletionAt(session)).toBeUndefined();
  });

  it('a timer removal remembers the member for a locked session', () => {
    const session = sessionWith('open', inactiveJoin('100'), { sessionEmptyTimeout: null });
    applyDueTimers(session, T0);
    expect(session.formerMembers).toEqual(['100']);
  });
});

describe('rendering (spec §2.2, §9.8, §1.2)', () => {
  const full = () => {
    let s = sessionWith(
      'game',
      {
        members: {
          me: {
            constants: { system: { xuid: '100', initialize: true }, custom: { c: 1 } },
            properties: {
              system: { active: true, connection: '0c1c1c1c-0000-4000-8000-000000000001', secureDeviceAddress: 'AAAA' },
            },
          },
          reserve_0: { constants: { system: { xuid: '300' } } },
        },
        properties: { system: { turn: [0], keywords: ['k'] }, custom: { big: 1 } },
      },
      { memberInitialization: { joinTimeout: 10000, externalEvaluation: false, membersNeededToStart: 1 } },
    );
    s = sessionOf(
      put(
        s,
        { members: { me: { properties: { system: { active: false, ready: false } } } } },
        context(user('200'), 'game'),
      ),
    );
    return s;
  };

  it('107: every field with its strict type, members chained, membersInfo exact, no null timeouts', () => {
    const rendered = renderSession(full(), { contractVersion: 107 });
    expect(sessionDocumentProblems(rendered, 107)).toEqual([]);
    expect(rendered.membersInfo).toEqual({ first: 0, next: 3, count: 3, accepted: 2, active: 1 });
    expect(rendered.members).toMatchObject({
      '0': { next: 1, turn: true, activeTitleId: '1234' },
      '1': { next: 2, reserved: true },
      '2': { next: 3 },
    });
    expect(Object.keys(rendered)).toEqual(
      expect.arrayContaining([
        'contractVersion',
        'branch',
        'changeNumber',
        'correlationId',
        'startTime',
        'constants',
        'properties',
        'membersInfo',
        'members',
        'servers',
      ]),
    );
  });

  it('an infinite timeout is omitted, never rendered as null', () => {
    const rendered = renderSession(sessionWith('forever', activeJoin('100')), { contractVersion: 107 });
    const system = (rendered.constants as { system: Record<string, unknown> }).system;
    expect(system).not.toHaveProperty('sessionEmptyTimeout');
    expect(system).not.toHaveProperty('inactiveRemovalTimeout');
    expect(system.reservedRemovalTimeout).toBe(30000);
  });

  it.each([104, 105] as const)('%i: the timeouts object and managedInitialization with autoEvaluate', (version) => {
    const rendered = renderSession(full(), { contractVersion: version });
    expect(sessionDocumentProblems(rendered, version)).toEqual([]);
    const system = (rendered.constants as { system: Record<string, unknown> }).system;
    expect(rendered.contractVersion).toBe(version);
    expect(system.timeouts).toEqual({ reserved: 30000, inactive: 0, ready: 180000, sessionEmpty: 0 });
    expect(system.managedInitialization).toEqual({ joinTimeout: 10000, membersNeededToStart: 1, autoEvaluate: true });
    expect(system).not.toHaveProperty('memberInitialization');
  });

  it('a large session lists only the caller, as me', () => {
    const s = sessionWith('open', activeJoin('100'), { maxMembersCount: 500, capabilities: { large: true } });
    const mine = renderSession(s, { contractVersion: 107, callerXuid: '100' });
    expect(Object.keys(mine.members as object)).toEqual(['me']);
    expect(sessionDocumentProblems(mine)).toEqual([]);
    expect(renderSession(s, { contractVersion: 107, callerXuid: '999' }).members).toEqual({});
  });

  it('a large session counts role holders but does not list their xuids', () => {
    const s = sessionWith('open', activeJoin('100'), { maxMembersCount: 500, capabilities: { large: true } });
    s.roleTypes = { lfg: { roles: { friend: { max: 5 } } } };
    (s.members['0'] as { roles?: Record<string, string> }).roles = { lfg: 'friend' };
    const friendRole = (rendered: JsonObject) => (rendered.roleTypes as RoleTypesShape).lfg.roles.friend;
    expect(friendRole(renderSession(s, { contractVersion: 107, callerXuid: '999' }))).toEqual({ max: 5, count: 1 });
    s.constants.system.capabilities = {};
    const normal = friendRole(renderSession(s, { contractVersion: 107 }));
    expect(normal).toEqual({ max: 5, count: 1, memberXuids: ['100'] });
  });
});
