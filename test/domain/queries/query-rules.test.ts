import { finderChangeOf, finderTermsOf } from '../../../lambda/domain/queries/finder-terms';
import { classifySessionQuery } from '../../../lambda/domain/queries/query-access';
import { readSessionQueryParameters } from '../../../lambda/domain/queries/query-parameters';
import { matchSession } from '../../../lambda/domain/queries/session-match';
import { queryVisibilityOf } from '../../../lambda/domain/queries/session-query-entry';
import type { SessionRecord } from '../../../lambda/domain/session/session-record';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { activeJoin, context, put, refusal, SAMPLE_SCID, SERVER, sessionOf, user } from '../domain-fixtures';

// The pure rules of session queries (spec/mpsd-family.md §5.2-§5.5), once, as tables: reading the query string,
// who may send which filter, what the finder indexes, and whether a session matches.

const ME = '2533274790395904';
const OTHER = '2533274790395905';

describe('reading the query string (§5.2)', () => {
  it.each([
    [{}, { private: false, reservations: false, inactive: false }],
    [
      { XUID: ME, Take: '7' },
      { xuid: ME, take: 7, private: false, reservations: false, inactive: false },
    ],
    [
      { private: 'TRUE', reservations: 'false' },
      { private: true, reservations: false, inactive: false },
    ],
    [{ visibility: 'Unknown' }, { private: false, reservations: false, inactive: false }],
    [{ visibility: 'any' }, { private: false, reservations: false, inactive: false }],
    [
      { visibility: 'FULL', version: '1' },
      { visibility: 'full', version: 1, private: false, reservations: false, inactive: false },
    ],
    [
      { keyword: 'Red', other: 'ignored' },
      { keyword: 'Red', private: false, reservations: false, inactive: false },
    ],
    [{ take: '0' }, { take: 0, private: false, reservations: false, inactive: false }],
  ])('reads %j as %j', (query, expected) => {
    expect(readSessionQueryParameters(query, 1)).toEqual(expected);
  });

  it.each([
    [{ take: '101' }, /take is "101"/],
    [{ take: '-1' }, /take is "-1"/],
    [{ take: '1,2' }, /take is "1,2"/],
    [{ version: '2' }, /from 0 to 1/],
    [{ visibility: 'closed' }, /visibility is "closed"/],
    [{ inactive: 'yes' }, /inactive is "yes"/],
    [{ xuid: 'abc' }, /xuid is "abc"/],
    [{ keyword: '' }, /1 to 256 characters/],
    [{ take: '1', TAKE: '2' }, /more than once/],
  ])('refuses %j with 400', (query, message) => {
    const refused = refusal(() => readSessionQueryParameters(query, 1));
    expect(refused.status).toBe(400);
    expect(refused.message).toMatch(message);
  });
});

describe('who may send which query (§5.2)', () => {
  const base = { private: false, reservations: false, inactive: false };
  it.each([
    ['a server without a filter', { ...base }, SERVER, 'listing'],
    ['a user by xuid', { ...base, xuid: OTHER }, user(ME), 'filtered'],
    ['a user by keyword', { ...base, keyword: 'x' }, user(ME), 'filtered'],
    ['a user with private for their own xuid', { ...base, xuid: ME, private: true }, user(ME), 'filtered'],
    ['a server with reservations for anyone', { ...base, xuid: OTHER, reservations: true }, SERVER, 'filtered'],
  ] as const)('answers %s as %s', (_case, query, principal, kind) => {
    expect(classifySessionQuery(query, principal)).toBe(kind);
  });

  it.each([
    ['a user without a filter', { ...base }, user(ME), 400],
    ['reservations without an xuid', { ...base, reservations: true }, SERVER, 400],
    ['private for someone else', { ...base, xuid: OTHER, private: true }, user(ME), 403],
    ['reservations by keyword (no xuid of the caller)', { ...base, keyword: 'x', reservations: true }, user(ME), 403],
    ['visibility=private without private=true', { ...base, xuid: ME, visibility: 'private' }, user(ME), 400],
    ['a continuationToken with a filter', { ...base, xuid: ME, continuationToken: 't' }, user(ME), 400],
    ['take=0 on the listing', { ...base, take: 0 }, SERVER, 400],
  ] as const)('refuses %s with %i', (_case, query, principal, status) => {
    expect(refusal(() => classifySessionQuery(query, principal)).status).toBe(status);
  });
});

function sessionWith(body: Record<string, unknown>, template = 'open'): SessionDocument {
  return sessionOf(put(undefined, { ...activeJoin(ME), ...body }, context(user(ME), template)));
}

const record = (document: SessionDocument): SessionRecord => ({ kind: 'session', document });

describe('what the finder indexes (the index of sessions by xuid and keyword)', () => {
  it('holds a term per member xuid and per keyword, lower-cased', () => {
    const session = sessionWith({ properties: { system: { keywords: ['Red', 'red', 'Blue'] } } });
    expect([...finderTermsOf(record(session))].sort()).toEqual([`keyword:blue`, `keyword:red`, `xuid:${ME}`]);
    expect(finderTermsOf({ kind: 'deleted', correlationId: 'c' }).size).toBe(0);
  });

  it.each([
    ['a creation', undefined, ['a'], { put: ['keyword:a', `xuid:${ME}`], delete: [] }],
    ['a keyword changed', ['a'], ['b'], { put: ['keyword:b'], delete: ['keyword:a'] }],
    ['nothing indexed changed', ['a'], ['A'], { put: [], delete: [] }],
  ] as const)('writes what %s adds and deletes what it removes', (_case, before, after, expected) => {
    const old = before === undefined ? undefined : sessionWith({ properties: { system: { keywords: [...before] } } });
    const now = sessionWith({ properties: { system: { keywords: [...after] } } });
    if (old !== undefined) now.startTime = old.startTime;
    const change = finderChangeOf(old === undefined ? undefined : record(old), record(now));
    expect({ put: [...change.put].sort(), delete: [...change.delete].sort() }).toEqual(expected);
  });

  it('deletes every term when the session is deleted, and rewrites every term when it is re-created', () => {
    const session = sessionWith({ properties: { system: { keywords: ['a'] } } });
    expect(finderChangeOf(record(session), { kind: 'deleted', correlationId: 'c' })).toEqual({
      put: [],
      delete: [`xuid:${ME}`, 'keyword:a'],
    });
    const recreated = { ...session, startTime: '2030-01-01T00:00:00.0000000Z' };
    expect(finderChangeOf(record(session), record(recreated))).toEqual({
      startTime: recreated.startTime,
      put: [`xuid:${ME}`, 'keyword:a'],
      delete: [],
    });
  });
});

describe('whether a session matches a query (§5.4)', () => {
  const q = { private: false, reservations: false, inactive: false };
  const ref = { scid: SAMPLE_SCID, templateName: 'open', name: 's' };

  it('reports full for an open session without a free slot', () => {
    expect(queryVisibilityOf(sessionWith({ constants: { system: { maxMembersCount: 1 } } }))).toBe('full');
    expect(queryVisibilityOf(sessionWith({ constants: { system: { maxMembersCount: 2 } } }))).toBe('open');
  });

  it.each([
    ['an active member', {}, q, ME, true],
    ['a non-member', {}, q, OTHER, false],
    ['a private session without private', { constants: { system: { visibility: 'private' } } }, q, ME, false],
    [
      'a private session with private',
      { constants: { system: { visibility: 'private' } } },
      { ...q, private: true },
      ME,
      true,
    ],
    ['a version above the filter', { constants: { system: { version: 1 } } }, { ...q, version: 0 }, ME, false],
    ['another visibility', {}, { ...q, visibility: 'visible' as const }, ME, false],
    [
      'a keyword in another case',
      { properties: { system: { keywords: ['Red'] } } },
      { ...q, keyword: 'rED' },
      ME,
      true,
    ],
    ['a missing keyword', {}, { ...q, keyword: 'red' }, ME, false],
  ])('%s: %s', (_case, body, query, xuid, matches) => {
    expect(matchSession(sessionWith(body), ref, query, xuid, user(ME)) !== undefined).toBe(matches);
  });

  it('leaves out a session the caller could not read (a local readRestriction, another device)', () => {
    const session = sessionWith({ properties: { system: { readRestriction: 'local', joinRestriction: 'local' } } });
    expect(matchSession(session, ref, { ...q, xuid: ME }, ME, user(OTHER, { deviceId: 'elsewhere' }))).toBeUndefined();
    expect(matchSession(session, ref, { ...q, xuid: ME }, ME, SERVER)).toBeDefined();
  });
});
