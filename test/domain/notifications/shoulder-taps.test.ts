import {
  type ChangeType,
  changeTypesOf,
  resourceOfSessionKey,
  shoulderTapOf,
} from '../../../lambda/domain/notifications/shoulder-taps';
import type { SessionDocument, StoredMember } from '../../../lambda/domain/session-document';

// family spec §6.7 (change types) and §6.8 (who is tapped), as a table of document pairs.

const KEY = '4fc10100-5f7a-4470-899b-280835760c07#minecraftlobby#1ddd0e5b-97a7-4bf0-951c-08eb21aec861';
const CONN_A = 'bc92f7c3-3f9d-4749-b852-ee9cd7cf68e2';
const CONN_B = '57138d49-ebf0-4526-9075-78a31c2aea80';
const SUB_FC = '9042513B-D0CF-48F6-AF40-AD83B3C9EED4';

function member(xuid: string, system: Record<string, unknown> = {}, custom: unknown = {}): StoredMember {
  return {
    constants: { system: { xuid, initialize: true }, custom: {} },
    properties: { system: { active: true, ...system } as never, custom: custom as never },
    joinTime: '2026-11-29T00:00:00.000Z',
    stateSince: 0,
  };
}

const subscribed = (connection: string, id: string, changeTypes: string[] = ['everything']) => ({
  connection,
  subscription: { id, changeTypes },
});

function session(
  changeNumber: number,
  members: Record<string, StoredMember>,
  extra: { system?: Record<string, unknown>; custom?: unknown; connectionRequired?: boolean } = {},
): SessionDocument {
  return {
    branch: 'f3550888-0571-4604-ab4a-36a27f0b916b',
    changeNumber,
    correlationId: 'c0000000-0000-0000-0000-000000000000',
    startTime: '2026-11-29T00:00:00.000Z',
    constants: {
      system: {
        maxMembersCount: 8,
        capabilities: { connectionRequiredForActiveMembers: extra.connectionRequired ?? true },
      },
      custom: {},
    },
    properties: { system: (extra.system ?? {}) as never, custom: (extra.custom ?? {}) as never },
    members,
    nextMemberIndex: Object.keys(members).length,
    servers: {},
  };
}

describe('change types of a committed change (§6.7)', () => {
  const host = member('1', subscribed(CONN_A, 'a'));
  const peer = member('2', subscribed(CONN_B, 'b'));
  const cases: [string, SessionDocument | undefined, SessionDocument | undefined, ChangeType[]][] = [
    ['a creation', undefined, session(1, { 0: host }), ['everything', 'membersList', 'initialization']],
    [
      'a join',
      session(1, { 0: host }),
      session(2, { 0: host, 1: peer }),
      ['everything', 'membersList', 'initialization'],
    ],
    [
      'a leave',
      session(2, { 0: host, 1: peer }),
      session(3, { 0: host }),
      ['everything', 'membersList', 'membersStatus', 'initialization'],
    ],
    [
      'a member going inactive',
      session(2, { 0: host }),
      session(3, { 0: member('1', { ...subscribed(CONN_A, 'a'), active: false }) }),
      ['everything', 'membersStatus'],
    ],
    [
      'a custom property',
      session(2, { 0: host }),
      session(3, { 0: host }, { custom: { MemberCount: 2 } }),
      ['everything', 'customProperty'],
    ],
    [
      'a member custom property',
      session(2, { 0: host }),
      session(3, { 0: member('1', subscribed(CONN_A, 'a'), { x: 1 }) }),
      ['everything', 'membersCustomProperty'],
    ],
    [
      'a join restriction',
      session(2, { 0: host }),
      session(3, { 0: host }, { system: { joinRestriction: 'followed' } }),
      ['everything', 'joinability'],
    ],
    [
      'closed',
      session(2, { 0: host }),
      session(3, { 0: host }, { system: { closed: true } }),
      ['everything', 'joinability'],
    ],
    ['a host', session(2, { 0: host }), session(3, { 0: host }, { system: { host: 'abc' } }), ['everything', 'host']],
    [
      'matchmaking',
      session(2, { 0: host }),
      session(3, { 0: host }, { system: { matchmaking: { clientResult: { status: 'searching' } } } }),
      ['everything', 'matchmakingStatus'],
    ],
    ['a write that changed nothing (same changeNumber)', session(2, { 0: host }), session(2, { 0: host }), []],
    ['nothing before and after', undefined, undefined, []],
  ];
  it.each(cases)('%s', (_name, before, after, expected) => {
    expect([...changeTypesOf(before, after)].sort()).toEqual([...expected].sort());
  });
});

describe('who is tapped (§6.8)', () => {
  it('the writer and every subscribed active member, with the new changeNumber and branch', () => {
    const before = session(1, { 0: member('1', subscribed(CONN_A, 'a')) });
    const after = session(2, { 0: member('1', subscribed(CONN_A, 'a')), 1: member('2', subscribed(CONN_B, 'b')) });
    expect(shoulderTapOf(KEY, before, after)).toEqual({
      resource: '4fc10100-5f7a-4470-899b-280835760c07~minecraftlobby~1ddd0e5b-97a7-4bf0-951c-08eb21aec861',
      branch: 'f3550888-0571-4604-ab4a-36a27f0b916b',
      changeNumber: 2,
      recipients: [
        { connection: CONN_A, subscription: 'a' },
        { connection: CONN_B, subscription: 'b' },
      ],
    });
  });

  it("members sharing one connection and one subscription id (friend-connect's peers) get one entry", () => {
    const after = session(2, {
      0: member('1', subscribed(CONN_A, SUB_FC)),
      1: member('2', subscribed(CONN_A.toUpperCase(), SUB_FC)),
    });
    expect(shoulderTapOf(KEY, session(1, { 0: member('1', subscribed(CONN_A, SUB_FC)) }), after)?.recipients).toEqual([
      { connection: CONN_A, subscription: SUB_FC },
    ]);
  });

  it('distinct subscription ids on one connection get one entry each', () => {
    const after = session(2, { 0: member('1', subscribed(CONN_A, 'x')), 1: member('2', subscribed(CONN_A, 'y')) });
    expect(shoulderTapOf(KEY, undefined, after)?.recipients).toEqual([
      { connection: CONN_A, subscription: 'x' },
      { connection: CONN_A, subscription: 'y' },
    ]);
  });

  it('a member removed by the change learns of it', () => {
    const before = session(2, { 0: member('1', subscribed(CONN_A, 'a')), 1: member('2', subscribed(CONN_B, 'b')) });
    const after = session(3, { 0: member('1', subscribed(CONN_A, 'a')) });
    expect(shoulderTapOf(KEY, before, after)?.recipients.map((r) => r.connection)).toEqual([CONN_A, CONN_B]);
  });

  it('a deleted session is tapped with the old branch and the old changeNumber plus one', () => {
    const before = session(4, { 0: member('1', subscribed(CONN_A, 'a')) });
    expect(shoulderTapOf(KEY, before, undefined)).toMatchObject({
      changeNumber: 5,
      recipients: [{ connection: CONN_A }],
    });
  });

  it('the older `subscriptions` form is tapped under each of its keys', () => {
    const after = session(2, {
      0: member('1', {
        connection: CONN_A,
        subscriptions: { 'c35aa3c2-0169-492b-8ae2-0939c7089f38': { profile: 'roster' } },
      }),
    });
    expect(shoulderTapOf(KEY, session(1, {}), after)?.recipients).toEqual([
      { connection: CONN_A, subscription: 'c35aa3c2-0169-492b-8ae2-0939c7089f38' },
    ]);
  });

  it.each([
    ['changeTypes that did not change', member('1', subscribed(CONN_A, 'a', ['host'])), { custom: { x: 1 } }],
    ['a deprecated change type only', member('1', subscribed(CONN_A, 'a', ['tournaments'])), { custom: { x: 1 } }],
    ['no subscription', member('1', { connection: CONN_A }), { custom: { x: 1 } }],
    ['no connection', member('1', { subscription: { id: 'a', changeTypes: ['everything'] } }), { custom: { x: 1 } }],
    ['an inactive member', member('1', { ...subscribed(CONN_A, 'a'), active: false }), { custom: { x: 1 } }],
    [
      'a session without connectionRequiredForActiveMembers (§7 item 26)',
      member('1', subscribed(CONN_A, 'a')),
      { custom: { x: 1 }, connectionRequired: false },
    ],
  ])('nobody is tapped for %s', (_name, m, change) => {
    const { connectionRequired } = change as { connectionRequired?: boolean };
    const before = session(1, { 0: m }, connectionRequired === undefined ? {} : { connectionRequired });
    const after = session(2, { 0: m }, change);
    expect(shoulderTapOf(KEY, before, after)).toBeUndefined();
  });

  it('the resource is the storage key with ~ for #', () => {
    expect(resourceOfSessionKey('a#b#c')).toBe('a~b~c');
  });
});
