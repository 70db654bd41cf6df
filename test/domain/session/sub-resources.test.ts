import { parseExactJson } from '../../../lambda/domain/json';
import type { Principal } from '../../../lambda/domain/principal';
import { decideSessionWrite, type SessionWriteDecision } from '../../../lambda/domain/session/commit';
import type { SessionRecord } from '../../../lambda/domain/session/session-record';
import {
  decideElementWrite,
  type ElementWriteRequest,
  type SessionElement,
} from '../../../lambda/domain/session/sub-resources';
import { activeJoin, commitContext, refusal, SERVER, T0, user, writeRequest } from '../domain-fixtures';

// The sub-resources' decision at unit level (family spec §2): the equivalent session PUT plus "never creates" (404)
// and "an absent element is 204". Over HTTP: test/api/session-sub-resources/session-sub-resources.test.ts.

const OWNER = user('2001');
const GUEST = user('2002');
const STRANGER = user('2003');

function put(record: SessionRecord | undefined, principal: Principal, body: unknown): SessionRecord {
  const decision = decideSessionWrite(record, writeRequest(principal, body), T0, commitContext());
  if (!('write' in decision)) throw new Error('expected a write');
  return structuredClone(decision.write);
}

function decide(
  record: SessionRecord | undefined,
  principal: Principal,
  element: SessionElement,
  extra: Partial<ElementWriteRequest> = {},
): SessionWriteDecision {
  return decideElementWrite(
    record,
    { principal, contractVersion: 107, element, body: undefined, ifMatch: undefined, ifNoneMatch: undefined, ...extra },
    T0,
    commitContext(),
  );
}

/** Owner (0) and guest (1) on an open session, with a server entry `game`. */
const session = put(
  put(put(undefined, OWNER, activeJoin(OWNER.xuid ?? '')), GUEST, activeJoin(GUEST.xuid ?? '')),
  SERVER,
  { servers: { game: { properties: { custom: { ip: '10.0.0.1' } } } } },
);
const privateSession = put(
  undefined,
  OWNER,
  activeJoin(OWNER.xuid ?? '', { constants: { system: { visibility: 'private' } } }),
);
const tombstone: SessionRecord = { kind: 'deleted', correlationId: 'c', expiresAt: T0 / 1000 + 60 };
const properties: SessionElement = { kind: 'properties' };
const me: SessionElement = { kind: 'member', key: 'me' };
const index = (key: string): SessionElement => ({ kind: 'member', key });
const server = (name: string): SessionElement => ({ kind: 'server', name });
const body = (value: unknown) => ({ body: parseExactJson(JSON.stringify(value)) });

function members(decision: SessionWriteDecision): string[] {
  if (decision.answer.kind !== 'updated') throw new Error(`expected updated, got ${decision.answer.kind}`);
  return Object.keys(decision.answer.session.rendered.members as object);
}

describe('decideElementWrite: refusals, which write nothing', () => {
  it.each<[string, SessionRecord | undefined, Principal, SessionElement, Partial<ElementWriteRequest>, number, string]>(
    [
      ['properties of a session never created', undefined, OWNER, properties, {}, 404, 'SessionNotFound'],
      ['properties of a deleted session', tombstone, OWNER, properties, {}, 404, 'SessionNotFound'],
      [
        'properties of a missing session, with If-Match: *',
        undefined,
        OWNER,
        properties,
        { ifMatch: '*' },
        404,
        'SessionNotFound',
      ],
      [
        'properties with a top-level key other than system and custom',
        session,
        OWNER,
        properties,
        body({ color: 1 }),
        400,
        'InvalidValue',
      ],
      ['properties that are not an object', session, OWNER, properties, body([1]), 400, 'InvalidValue'],
      [
        'properties of a private session, by a stranger',
        privateSession,
        STRANGER,
        properties,
        body({ custom: { a: 1 } }),
        403,
        'SessionAccessDenied',
      ],
      [
        'properties of an open session, by a non-member',
        session,
        STRANGER,
        properties,
        body({ custom: { a: 1 } }),
        403,
        'SessionAccessDenied',
      ],
      ['members/me with a server token without xuid', session, SERVER, me, {}, 401, 'InvalidToken'],
      ['members/me of a missing session', undefined, OWNER, me, {}, 404, 'SessionNotFound'],
      ['members/me of a private session, by a stranger', privateSession, STRANGER, me, {}, 403, 'SessionAccessDenied'],
      ['members/{index} that is not a decimal integer', session, SERVER, index('first'), {}, 404, 'ElementNotFound'],
      ['members/{index} with a leading zero', session, SERVER, index('01'), {}, 404, 'ElementNotFound'],
      [
        'members/{index} of another member, by a user',
        session,
        GUEST,
        index('0'),
        {},
        403,
        'MemberReferenceRequiresServer',
      ],
      ['members/{index} of a missing session', undefined, SERVER, index('0'), {}, 404, 'SessionNotFound'],
      ['servers/{name} by a user', session, OWNER, server('game'), {}, 403, 'ServersRequireServer'],
      ['servers/{name} of a missing session', undefined, SERVER, server('game'), {}, 404, 'SessionNotFound'],
    ],
  )('%s', (_case, record, principal, element, extra, status, code) => {
    expect(refusal(() => decide(record, principal, element, extra))).toMatchObject({ status, code });
  });

  it('a failed If-Match answers 412 with the session and writes nothing', () => {
    const decision = decide(session, OWNER, properties, { ifMatch: 'not-the-etag', ...body({ custom: { a: 1 } }) });
    expect('write' in decision).toBe(false);
    expect(decision.answer.kind).toBe('precondition-failed');
    if (decision.answer.kind === 'precondition-failed') expect(decision.answer.session).toBeDefined();
  });

  it('If-None-Match: * can never hold (the session must exist): 412 with the session', () => {
    const decision = decide(session, OWNER, properties, { ifNoneMatch: '*' });
    expect(decision.answer.kind).toBe('precondition-failed');
  });
});

describe('decideElementWrite: what each sub-resource does', () => {
  it('properties: the body is merged as a session PUT of {"properties": body} (docs example body: a no-op)', () => {
    const decision = decide(session, GUEST, properties, body({ custom: { map: 'harbour' } }));
    expect(decision.answer.kind).toBe('updated');
    if (decision.answer.kind !== 'updated') return;
    expect(decision.answer.session.rendered.properties).toMatchObject({ custom: { map: 'harbour' } });
    expect('write' in decision).toBe(true);
    const noOp = decide(session, GUEST, properties, body({ system: {}, custom: {} }));
    expect([noOp.answer.kind, 'write' in noOp]).toEqual(['updated', false]);
  });

  it('members/me: the caller leaves (200 with the rest), and the last member leaving deletes the session (204)', () => {
    expect(members(decide(session, GUEST, me))).toEqual(['0']);
    const last = decide(put(session, GUEST, { members: { me: null } }), OWNER, me);
    expect(last.answer.kind).toBe('gone');
    expect('write' in last && last.write.kind).toBe('deleted');
  });

  it('members/me of a caller who is not a member: 204, nothing written', () => {
    const decision = decide(session, STRANGER, me);
    expect([decision.answer.kind, 'write' in decision]).toEqual(['gone', false]);
  });

  it('members/{index}: a server removes the member; an absent index is 204 with nothing written', () => {
    expect(members(decide(session, SERVER, index('1')))).toEqual(['0']);
    const absent = decide(session, SERVER, index('7'));
    expect([absent.answer.kind, 'write' in absent]).toEqual(['gone', false]);
  });

  it('members/{index} naming the caller itself is members/me (family spec §2.3)', () => {
    expect(members(decide(session, GUEST, index('1')))).toEqual(['0']);
  });

  it('servers/{name}: a server removes the entry; an absent name is 204 with nothing written', () => {
    const removed = decide(session, SERVER, server('game'));
    expect(removed.answer.kind).toBe('updated');
    if (removed.answer.kind === 'updated') expect(removed.answer.session.rendered.servers).toEqual({});
    for (const name of ['other', '__proto__', 'constructor']) {
      const absent = decide(session, SERVER, server(name));
      expect([absent.answer.kind, 'write' in absent]).toEqual(['gone', false]);
    }
  });
});
