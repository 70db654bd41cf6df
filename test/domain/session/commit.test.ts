import { parseExactJson, stringifyExactJson } from '../../../lambda/domain/json';
import type { Principal } from '../../../lambda/domain/principal';
import {
  decideSessionWrite,
  type SessionWriteDecision,
  type SessionWriteRequest,
} from '../../../lambda/domain/session/commit';
import { answerText } from '../../../lambda/domain/session/session-answer';
import type { SessionRecord } from '../../../lambda/domain/session/session-record';
import { parseStoredSessionText, storedSessionText } from '../../../lambda/domain/session/session-text';
import { activeJoin, commitContext, SERVER, T0, user, writeRequest } from '../domain-fixtures';

// The write decision of a session PUT, at unit level: what it answers and what it writes, for each precondition,
// nocommit, a no-op and a deletion. The loop that gets it written is test/service/conditional-write.test.ts.

const OWNER = user('2001');
const STRANGER = user('2002');

function decide(record: SessionRecord | undefined, req: SessionWriteRequest, now = T0): SessionWriteDecision {
  return decideSessionWrite(record, req, now, commitContext());
}

/** The stored record a decision's write leaves (what the store would hand back on the next read). */
function stored(decision: SessionWriteDecision): SessionRecord {
  if (!('write' in decision)) throw new Error('expected a write');
  return structuredClone(decision.write);
}

function etagOfAnswer(decision: SessionWriteDecision): string {
  const { answer } = decision;
  if (answer.kind !== 'created' && answer.kind !== 'updated') throw new Error(`expected a session, got ${answer.kind}`);
  return answer.session.etag;
}

const created = decide(undefined, writeRequest(OWNER, activeJoin(OWNER.xuid ?? '')));
const session = stored(created);
const sessionEtag = etagOfAnswer(created);
const privateSession = stored(
  decide(
    undefined,
    writeRequest(OWNER, activeJoin(OWNER.xuid ?? '', { constants: { system: { visibility: 'private' } } })),
  ),
);

describe('decideSessionWrite: preconditions', () => {
  it.each<[string, SessionRecord | undefined, Partial<SessionWriteRequest>, RegExp]>([
    ['If-None-Match: * on a session that exists', session, { ifNoneMatch: '*' }, /If-None-Match: \* was sent/],
    ['If-Match on a missing session', undefined, { ifMatch: sessionEtag }, /does not exist/],
    ['If-Match: * on a missing session', undefined, { ifMatch: '*' }, /does not exist/],
    ['If-Match with another ETag', session, { ifMatch: 'not-the-etag' }, /does not name/],
  ])('%s: 412, no write', (_name, record, headers, reason) => {
    const decision = decide(record, writeRequest(OWNER, {}, headers));
    expect('write' in decision).toBe(false);
    expect(decision.answer).toMatchObject({ kind: 'precondition-failed', reason: expect.stringMatching(reason) });
    if (decision.answer.kind !== 'precondition-failed') return;
    // The 412 carries the current session and its ETag when there is one (spec §1.4).
    expect(decision.answer.session?.etag).toBe(record === undefined ? undefined : sessionEtag);
  });

  it.each([
    ['If-Match with the current ETag', { ifMatch: sessionEtag }],
    ['If-Match with the current ETag, quoted', { ifMatch: `"${sessionEtag}"` }],
    ['If-Match: *', { ifMatch: '*' }],
  ])('%s on the session: written', (_name, headers) => {
    const decision = decide(session, writeRequest(OWNER, { properties: { custom: { a: 1 } } }, headers));
    expect('write' in decision).toBe(true);
    expect(decision.answer.kind).toBe('updated');
  });

  it('If-None-Match: * on no session: created', () => {
    const decision = decide(undefined, writeRequest(OWNER, activeJoin(OWNER.xuid ?? ''), { ifNoneMatch: '*' }));
    expect(decision.answer.kind).toBe('created');
  });

  it("a failed precondition shows a private session only to a reader: a stranger's is 403", () => {
    for (const headers of [{ ifNoneMatch: '*' }, { ifMatch: 'not-the-etag' }]) {
      expect(() => decide(privateSession, writeRequest(STRANGER, {}, headers))).toThrow(
        expect.objectContaining({ code: 'SessionAccessDenied' }),
      );
      expect(decide(privateSession, writeRequest(OWNER, {}, headers)).answer.kind).toBe('precondition-failed');
    }
  });
});

describe('decideSessionWrite: what is written', () => {
  it('a change is written at the next change number, and answered under that commit', () => {
    const decision = decide(session, writeRequest(OWNER, { properties: { custom: { a: 1 } } }));
    const next = stored(decision);
    expect(next.kind === 'session' && next.document.changeNumber).toBe(
      session.kind === 'session' ? session.document.changeNumber + 1 : Number.NaN,
    );
    expect(etagOfAnswer(decision)).not.toBe(sessionEtag);
  });

  it.each([
    ['plain numbers', { a: 1, b: 0.5 }, true],
    ['a number a double cannot print back', { id: '12345678901234567890' }, false],
  ])('writes with %s the stored text its size check measured, saying which parser reads it', (_case, custom, plain) => {
    const body = JSON.stringify({ properties: { custom } }).replace(/"(\d{20})"/, '$1');
    const decision = decide(session, { ...writeRequest(OWNER, {}), body: parseExactJson(body) });
    if (!('write' in decision) || decision.write.kind !== 'session') throw new Error('expected a session write');
    expect(decision.write.storedText).toEqual(storedSessionText(decision.write.document));
    expect(decision.write.storedText?.plainNumbers).toBe(plain);
    const text = decision.write.storedText?.text ?? '';
    expect(stringifyExactJson(parseStoredSessionText(text, plain) as never)).toBe(
      stringifyExactJson(decision.write.document as never),
    );
  });

  it.each([
    ['plain numbers, contract 107', { a: 1, b: [0.5, { c: 'x' }] }, 107, {}],
    ['a number a double cannot print back, contract 107', { id: '12345678901234567890' }, 107, {}],
    ['plain numbers, contract 104', { a: 1 }, 104, {}],
    ['a large session, contract 105', { a: 1 }, 105, { constants: { system: { capabilities: { large: true } } } }],
  ] as const)(
    'answers a write with %s in the text of its rendering, the stored text’s custom values spliced in',
    (_case, custom, version, extra) => {
      const created = decide(undefined, writeRequest(OWNER, activeJoin(OWNER.xuid ?? '', extra)));
      const body = JSON.stringify({ properties: { custom }, members: { me: { properties: { custom } } } }).replaceAll(
        /"(\d{20})"/g,
        '$1',
      );
      const decision = decide(stored(created), {
        ...writeRequest(OWNER, {}),
        body: parseExactJson(body),
        contractVersion: version,
      });
      if (!('write' in decision) || decision.answer.kind !== 'updated') throw new Error('expected a write');
      expect(answerText(decision.answer.session)).toBe(stringifyExactJson(decision.answer.session.rendered));
    },
  );

  it('leaves the record it decided on as it was, with no timer due and with one', () => {
    const reserving = stored(
      decide(session, writeRequest(OWNER, { members: { reserve_1: { constants: { system: { xuid: '2003' } } } } })),
    );
    for (const [record, now] of [
      [session, T0],
      [reserving, T0 + 24 * 60 * 60 * 1000],
    ] as const) {
      const before = structuredClone(record);
      const decision = decide(record, writeRequest(OWNER, { properties: { custom: { changed: now } } }), now);
      expect('write' in decision).toBe(true);
      expect(record).toEqual(before);
    }
  });

  describe('never changes the record it decides on, nested custom data included (a frozen record decides alike)', () => {
    const PEER = user('2003');
    const nested = { loadout: [{ slot: 1, mods: [7, 8] }], skill: { mu: 25.5, tiers: { ranked: 3 } } };
    const joinWith = (xuid: string, custom: unknown) => ({
      members: { me: { constants: { system: { xuid } }, properties: { system: { active: true }, custom } } },
    });
    const steps: [Principal, unknown][] = [
      [
        OWNER,
        activeJoin(OWNER.xuid ?? '', {
          members: {
            me: {
              constants: { system: { xuid: OWNER.xuid }, custom: { team: { id: 1, tags: ['a'] } } },
              properties: { system: { active: true }, custom: nested },
            },
          },
          properties: { custom: { map: { name: 'dust', layers: [1, 2] } } },
        }),
      ],
      [PEER, joinWith(PEER.xuid ?? '', nested)],
      [SERVER, { servers: { host: { constants: { custom: { region: { id: 'eu' } } } } } }],
      [OWNER, { members: { reserve_1: { constants: { system: { xuid: '2005' }, custom: { seat: { row: 1 } } } } } }],
    ];
    const rich = steps.reduce<SessionRecord | undefined>(
      (record, [principal, body]) => stored(decide(record, writeRequest(principal, body))),
      undefined,
    );
    const deepFreeze = <T>(value: T): T => {
      if (typeof value === 'object' && value !== null) {
        for (const item of Object.values(value)) deepFreeze(item);
        Object.freeze(value);
      }
      return value;
    };
    it.each<[string, Principal, unknown]>([
      ['a member custom field replaced', OWNER, { members: { me: { properties: { custom: { skill: { mu: 30 } } } } } }],
      ['a member custom field deleted', PEER, { members: { me: { properties: { custom: { loadout: null } } } } }],
      ['a member custom field added', PEER, { members: { me: { properties: { custom: { extra: { a: [1] } } } } } }],
      ['the session custom changed', OWNER, { properties: { custom: { map: { name: 'nuke' }, mode: 'ctf' } } }],
      ['a server custom changed', SERVER, { servers: { host: { properties: { custom: { load: { cpu: 1 } } } } } }],
      ['a member leaving', PEER, { members: { me: null } }],
      ['a joiner', user('2004'), joinWith('2004', nested)],
      [
        'a reserved member joining with constants of its own',
        user('2005'),
        {
          members: {
            me: {
              constants: { system: { xuid: '2005' }, custom: { seat: { row: 1 }, badge: { id: 2 } } },
              properties: { system: { active: true } },
            },
          },
        },
      ],
      ['a member going inactive', OWNER, { members: { me: { properties: { system: { active: false } } } } }],
    ])('%s', (_case, principal, body) => {
      const expected = decide(structuredClone(rich), writeRequest(principal, body));
      expect(decide(deepFreeze(structuredClone(rich)), writeRequest(principal, body))).toEqual(expected);
      expect(expected).toMatchObject({ write: {} });
    });
  });

  it('a PUT that changes nothing writes nothing and answers the stored commit', () => {
    const decision = decide(session, writeRequest(OWNER, activeJoin(OWNER.xuid ?? '')));
    expect('write' in decision).toBe(false);
    expect(decision.answer.kind).toBe('updated');
    expect(etagOfAnswer(decision)).toBe(sessionEtag);
  });

  it('nocommit writes nothing and answers an ETag that names no commit', () => {
    const decision = decide(session, writeRequest(OWNER, { properties: { custom: { a: 1 } } }, { noCommit: true }));
    expect('write' in decision).toBe(false);
    const answer = decision.answer;
    if (answer.kind !== 'updated') throw new Error('expected updated');
    expect(answer.session.rendered.changeNumber).toBe(2);
    const real = decide(session, writeRequest(OWNER, { properties: { custom: { a: 1 } } }));
    expect(answer.session.etag).not.toBe(etagOfAnswer(real));
  });

  it('the last member leaving writes a tombstone that keeps the correlation id and the deletion’s change number for 24 h', () => {
    const decision = decide(session, writeRequest(OWNER, { members: { me: null } }), T0 + 5_000);
    expect(decision.answer).toEqual({ kind: 'gone' });
    expect(stored(decision)).toEqual({
      kind: 'deleted',
      correlationId: session.kind === 'session' ? session.document.correlationId : '',
      changeNumber: (session.kind === 'session' ? session.document.changeNumber : 0) + 1,
      expiresAt: Math.ceil((T0 + 5_000) / 1000) + 24 * 60 * 60,
    });
    const preview = decide(session, writeRequest(OWNER, { members: { me: null } }, { noCommit: true }));
    expect(preview).toEqual({ answer: { kind: 'gone' } });
  });

  it('a re-created session keeps the correlation id of the tombstone it replaces', () => {
    const tombstone = stored(decide(session, writeRequest(OWNER, { members: { me: null } })));
    const again = stored(decide(tombstone, writeRequest(OWNER, activeJoin(OWNER.xuid ?? ''))));
    expect(again.kind === 'session' && again.document.correlationId).toBe(
      tombstone.kind === 'deleted' && tombstone.correlationId,
    );
  });

  it('a re-created session continues after the change number its deletion took, on a new branch (family spec §6.8)', () => {
    const tombstone = stored(decide(session, writeRequest(OWNER, { members: { me: null } })));
    const deletedAt = tombstone.kind === 'deleted' ? tombstone.changeNumber : undefined;
    expect(deletedAt).toBe((session.kind === 'session' ? session.document.changeNumber : 0) + 1);
    const again = decide(tombstone, writeRequest(OWNER, activeJoin(OWNER.xuid ?? '')));
    const written = stored(again);
    if (written.kind !== 'session' || session.kind !== 'session') throw new Error('expected sessions');
    expect(written.document.changeNumber).toBe((deletedAt ?? 0) + 1);
    expect(written.document.branch).not.toBe(session.document.branch);
    // A preview of the re-creation numbers it the same way.
    const preview = decide(tombstone, writeRequest(OWNER, activeJoin(OWNER.xuid ?? ''), { noCommit: true }));
    expect(preview.answer.kind === 'created' && preview.answer.session.rendered.changeNumber).toBe(
      (deletedAt ?? 0) + 1,
    );
  });

  it('a tombstone written before tombstones kept a change number re-creates at 1, as before', () => {
    const again = stored(
      decide({ kind: 'deleted', correlationId: 'c' }, writeRequest(OWNER, activeJoin(OWNER.xuid ?? ''))),
    );
    expect(again.kind === 'session' && again.document.changeNumber).toBe(1);
  });

  it('a PUT that would create a session with no members writes nothing and is gone', () => {
    expect(decide(undefined, writeRequest(OWNER, { properties: { custom: { a: 1 } } }))).toEqual({
      answer: { kind: 'gone' },
    });
  });
});
