import {
  assertMayDelete,
  grantsAccess,
  type Handle,
  isHandleLive,
  newHandle,
  parseHandleRequest,
  renderHandle,
} from '../../../lambda/domain/handles/handle';
import { parseActivityQuery, parseIncludes, relatedBlocks } from '../../../lambda/domain/handles/handle-query';
import { parseExactJson } from '../../../lambda/domain/json';
import { activeJoin, context, put, SAMPLE_SCID, SERVER, sessionOf, T0, user } from '../domain-fixtures';

// The pure handle rules (spec/mpsd-family.md §3), once, at unit level; their HTTP behaviour is in
// test/api/handles/handles.test.ts.

const ref = { scid: SAMPLE_SCID, templateName: 'open', name: 's1' };
const guid = () => '11111111-2222-3333-4444-555555555555';
const body = (value: unknown) => parseExactJson(JSON.stringify(value));

describe('parseHandleRequest', () => {
  it.each([
    ['activity', { type: 'activity', sessionRef: ref }],
    ['activity without version', { type: 'activity', sessionRef: ref, version: 1 }],
    ['invite', { type: 'invite', sessionRef: ref, invitedXuid: '2', inviteAttributes: { titleId: '1' } }],
    ['transfer', { type: 'transfer', sessionRef: ref, originSessionRef: { ...ref, name: 'lobby' } }],
  ])('accepts %s', (_what, value) => {
    expect(parseHandleRequest(body(value), guid).type).toBe((value as { type: string }).type);
  });

  it('names the session with a new GUID when sessionRef.name is absent (the docs: optional)', () => {
    const parsed = parseHandleRequest(
      body({ type: 'activity', sessionRef: { scid: SAMPLE_SCID, templateName: 'open' } }),
      guid,
    );
    expect(parsed.sessionRef.name).toBe(guid());
  });

  it('keeps only the documented inviteAttributes, with titleId as a string', () => {
    const parsed = parseHandleRequest(
      body({
        type: 'invite',
        sessionRef: ref,
        invitedXuid: '2',
        id: 'ignored',
        inviteAttributes: { titleId: 77, context: 'c', contextString: '///x', senderString: 's', other: 1 },
      }),
      guid,
    );
    expect(parsed).toMatchObject({
      inviteAttributes: { titleId: '77', context: 'c', contextString: '///x', senderString: 's' },
    });
    expect(parsed.type === 'invite' && 'other' in parsed.inviteAttributes).toBe(false);
  });

  it.each([
    ['a title id above uint32', { titleId: '4294967296' }],
    ['a title id with a leading zero', { titleId: '01' }],
    ['a non-string context', { titleId: '1', context: 5 }],
  ])('refuses %s', (_what, inviteAttributes) => {
    expect(() =>
      parseHandleRequest(body({ type: 'invite', sessionRef: ref, invitedXuid: '2', inviteAttributes }), guid),
    ).toThrow(expect.objectContaining({ code: 'InvalidValue' }));
  });
});

describe('liveness (§3.12)', () => {
  const owner = user('10');
  const session = sessionOf(put(undefined, activeJoin('10'), context(owner, 'open', T0)));
  const activity = newHandle(
    { type: 'activity', sessionRef: ref },
    { id: guid(), principal: owner, nowMs: T0, session },
  );

  it('an activity lives while its owner is active since before it was posted', () => {
    expect(isHandleLive(activity, session, T0)).toBe(true);
    expect(isHandleLive(activity, undefined, T0)).toBe(false);
    const later = { ...activity, createdAt: T0 - 1 };
    expect(isHandleLive(later, session, T0)).toBe(false);
    const left = sessionOf(put(session, activeJoin('11'), context(user('11'), 'open', T0)));
    expect(isHandleLive({ ...activity, ownerXuid: '12' }, left, T0)).toBe(false);
  });

  it('an invite lives until its expiration, session or not; a transfer while its target exists', () => {
    const invite = newHandle(
      { type: 'invite', sessionRef: ref, invitedXuid: '2', inviteAttributes: { titleId: '1' } },
      { id: guid(), principal: owner, nowMs: T0, session },
    );
    expect(isHandleLive(invite, undefined, T0 + 3_599_000)).toBe(true);
    expect(isHandleLive(invite, session, T0 + 3_600_000)).toBe(false);
    const transfer = newHandle(
      { type: 'transfer', sessionRef: ref, originSessionRef: ref },
      { id: guid(), principal: SERVER, nowMs: T0, session },
    );
    expect(isHandleLive(transfer, session, T0)).toBe(true);
    expect(isHandleLive(transfer, undefined, T0)).toBe(false);
    expect(renderHandle(transfer)).not.toHaveProperty('senderXuid');
  });
});

describe('grants and deletes (§3.8, §3.10)', () => {
  const base: Handle = {
    id: guid(),
    type: 'invite',
    sessionRef: ref,
    createTime: '',
    createdAt: T0,
    creatorXuid: '1',
    invitedXuid: '2',
    expiresAt: 0,
  };
  const origin = sessionOf(put(undefined, activeJoin('3'), context(user('3'))));

  it.each([
    ['the invitee of an invite', base, user('2'), true],
    ['someone else with an invite', base, user('4'), false],
    ['a server with an invite (it needs none)', base, SERVER, false],
    ['a member of a transfer’s origin', { ...base, type: 'transfer' as const }, user('3'), true],
    ['a non-member with a transfer', { ...base, type: 'transfer' as const }, user('4'), false],
    ['anyone with an activity', { ...base, type: 'activity' as const, ownerXuid: '3' }, user('3'), false],
  ])('%s: grant %s', (_what, handle, principal, expected) => {
    expect(grantsAccess(handle, principal, origin)).toBe(expected);
  });

  it.each([
    ['its sender', user('1'), true],
    ['its invitee', user('2'), true],
    ['a server', SERVER, true],
    ['anyone else', user('9'), false],
  ])('an invite may be deleted by %s: %s', (_what, principal, allowed) => {
    const attempt = () => assertMayDelete(base, principal, undefined);
    if (allowed) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(expect.objectContaining({ code: 'Forbidden' }));
  });
});

describe('activity queries (§3.11)', () => {
  it('reads includes case-insensitively, each once, ignoring unknown values', () => {
    expect([...parseIncludes('RelatedInfo, customproperties,session,relatedInfo')]).toEqual([
      'relatedInfo',
      'customProperties',
    ]);
    expect(parseIncludes(undefined).size).toBe(0);
  });

  it('lower-cases the SCID and drops repeated xuids', () => {
    const q = parseActivityQuery(
      body({ type: 'activity', scid: SAMPLE_SCID.toUpperCase(), owners: { xuids: ['5', '5'] } }),
      user('5'),
    );
    expect(q).toEqual({ scid: SAMPLE_SCID, owners: { xuids: ['5'] } });
    expect(
      parseActivityQuery(
        body({ type: 'activity', scid: SAMPLE_SCID, owners: { people: { moniker: 'people', monikerXuid: '7' } } }),
        SERVER,
      ).owners,
    ).toEqual({ people: true });
  });

  it('says `full` for an open session without a free seat', () => {
    const ctx = context(user('1'));
    let session = sessionOf(put(undefined, { ...activeJoin('1'), constants: { system: { maxMembersCount: 1 } } }, ctx));
    expect(relatedBlocks(session, new Set(['relatedInfo']))).toEqual({
      relatedInfo: { visibility: 'full', joinRestriction: 'none', closed: false, maxMembersCount: 1, membersCount: 1 },
    });
    session = {
      ...session,
      constants: { ...session.constants, system: { ...session.constants.system, visibility: 'private' } },
    };
    expect(relatedBlocks(session, new Set(['relatedInfo'])).relatedInfo).toMatchObject({ visibility: 'private' });
  });
});

describe('search handles (§3.6, §3.8, §4.6)', () => {
  const id = guid();
  const search: Handle = {
    id,
    type: 'search',
    sessionRef: ref,
    createTime: '',
    createdAt: T0,
    creatorXuid: '1',
    searchAttributes: { tags: ['a'] },
    expiresAt: T0 / 1000 + 3600,
  };
  const member = sessionOf(put(undefined, activeJoin('3'), context(user('3'))));

  it.each([
    ['its session names it', { ...member, searchHandle: id }, true],
    ['its session names another (it was replaced)', { ...member, searchHandle: 'other' }, false],
    ['its session names none (it was deleted)', member, false],
    ['its session is gone', undefined, false],
  ])('is live exactly while its session names it: %s', (_what, session, live) => {
    expect(isHandleLive(search, session, T0)).toBe(live);
  });

  it.each([
    ['its creator', user('1'), true],
    ['a member of its session', user('3'), true],
    ['a server', SERVER, true],
    ['anyone else', user('9'), false],
  ])('may be deleted by %s: %s', (_what, principal, allowed) => {
    const attempt = () => assertMayDelete(search, principal, member);
    if (allowed) expect(attempt).not.toThrow();
    else expect(attempt).toThrow(expect.objectContaining({ code: 'Forbidden' }));
  });

  it('renders its searchAttributes as stored, and {} when it has none', () => {
    expect(renderHandle(search).searchAttributes).toEqual({ tags: ['a'] });
    expect(renderHandle({ ...search, searchAttributes: {} }).searchAttributes).toEqual({});
  });
});
