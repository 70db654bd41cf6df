import { stringifyExactJson } from '../../lambda/domain/json';
import {
  ENVELOPE_RESERVE_BYTES,
  MAX_MEMBERS_LARGE,
  MAX_MEMBERS_NORMAL,
  MAX_SESSION_DOCUMENT_BYTES,
} from '../../lambda/domain/limits';
import type { SessionDocument, StoredMember } from '../../lambda/domain/session-document';
import {
  checkSizeBudgets,
  memberEntryBytes,
  readTemplateSizeBudgets,
  sessionDataBytes,
  sizeBudgetsOf,
  type TemplateSizeBudgets,
} from '../../lambda/domain/session-size';
import { readServiceConfig } from '../../lambda/domain/templates';
import { refusalThrownBy } from '../support/refusal';
import { activeJoin, context, put, sessionOf, user } from './domain-fixtures';

// Size budgets (issue 8 item 2, README "Size budgets"): the rules, once, as tables.

const system = (s: Record<string, unknown>) => ({ system: s, custom: {} }) as never;

describe('sizeBudgetsOf', () => {
  it.each<[string, Record<string, unknown>, TemplateSizeBudgets, Record<string, number>]>([
    [
      '8 members (lobby)',
      { maxMembersCount: 8 },
      {},
      { sessionBytes: 65536, memberBytes: 33536, reservationBytes: 16768 },
    ],
    ['no maxMembersCount: the default 100', {}, {}, { sessionBytes: 65536, memberBytes: 2682, reservationBytes: 1341 }],
    ['10 members', { maxMembersCount: 10 }, {}, { memberBytes: 26828 }],
    [
      'a large session of 500',
      { maxMembersCount: 500, capabilities: { large: true } },
      {},
      { sessionBytes: 16384, memberBytes: 634, minimumMemberBytes: 512 },
    ],
    [
      'a large session of 1,000: below the minimum',
      { maxMembersCount: 1000, capabilities: { large: true } },
      {},
      { memberShare: 317, minimumMemberBytes: 512 },
    ],
    [
      'a template with both budgets',
      { maxMembersCount: 4 },
      { sessionBytes: 8192, memberBytes: 2048 },
      { sessionBytes: 8192, memberBytes: 2048, reservationBytes: 1024, memberShare: 81408 },
    ],
    [
      'a template memberBytes above the share: the share',
      { maxMembersCount: 100 },
      { memberBytes: 5000 },
      { memberBytes: 2682 },
    ],
    [
      'a template with a bigger session budget',
      { maxMembersCount: 100 },
      { sessionBytes: 131072 },
      { sessionBytes: 131072, memberBytes: 2027 },
    ],
  ])('%s', (_label, constants, template, expected) => {
    expect(sizeBudgetsOf(system(constants), template)).toMatchObject(expected);
  });

  it('maxMembersCount members at their budget, the session at its budget and the envelope always fit one session', () => {
    const cases = [
      ...Array.from({ length: MAX_MEMBERS_NORMAL }, (_, i) => ({ maxMembersCount: i + 1 })),
      ...Array.from({ length: MAX_MEMBERS_LARGE }, (_, i) => ({
        maxMembersCount: i + 1,
        capabilities: { large: true },
      })),
    ];
    for (const constants of cases) {
      for (const template of [{}, { sessionBytes: 4096 }, { sessionBytes: 200_000, memberBytes: 1024 }]) {
        const b = sizeBudgetsOf(system(constants), template);
        expect(b.maxMembersCount * b.memberBytes + b.sessionBytes + ENVELOPE_RESERVE_BYTES).toBeLessThanOrEqual(
          MAX_SESSION_DOCUMENT_BYTES,
        );
      }
    }
  });
});

/**
 * The largest document the budgets allow: every seat taken by a member exactly at its budget plus the byte a fired
 * ready timer adds, under a 10-digit index; the session's data exactly at its budget; 1,000 former members with
 * 20-digit xuids; the longest counters.
 */
function fullestSession(constants: Record<string, unknown>, template: TemplateSizeBudgets = {}): SessionDocument {
  const b = sizeBudgetsOf(system(constants), template);
  const session: SessionDocument = {
    branch: '6f1c1c9e-0d1b-4f4e-9a57-3f1a2b3c4d5e',
    changeNumber: Number.MAX_SAFE_INTEGER,
    correlationId: '7a2d2daf-1e2c-4a5f-8b68-4a2b3c4d5e6f',
    startTime: '2026-11-29T10:29:52.5250000Z',
    constants: { system: constants as never, custom: {} },
    properties: { system: {}, custom: { pad: '' } },
    members: {},
    nextMemberIndex: 9_999_999_999,
    servers: {},
    emptySince: 9_999_999_999_999,
    formerMembers: Array.from({ length: 1000 }, (_, i) => String(99_999_999_999_999_999_999n - BigInt(i))),
  };
  session.properties.custom = { pad: 'x'.repeat(b.sessionBytes - sessionDataBytes(session)) };
  for (let i = 0; i < b.maxMembersCount; i += 1) {
    const index = String(9_000_000_000 + i);
    const member: StoredMember = {
      constants: { system: { xuid: String(99_999_999_999_999_999_999n - BigInt(i)) }, custom: {} },
      properties: { system: { ready: false }, custom: { pad: '' } },
      joinTime: '2026-11-29T10:29:52.5250000Z',
      stateSince: 9_999_999_999_999,
    };
    member.properties.custom = { pad: 'x'.repeat(b.memberBytes + 1 - memberEntryBytes(index, member)) };
    session.members[index] = member;
  }
  return session;
}

describe('the largest session the budgets allow', () => {
  it.each<[string, Record<string, unknown>, TemplateSizeBudgets]>([
    ['8 members', { maxMembersCount: 8 }, {}],
    ['100 members', { maxMembersCount: 100 }, {}],
    ['100 members, sessionBytes 4096', { maxMembersCount: 100 }, { sessionBytes: 4096 }],
    ['a large session of 620', { maxMembersCount: 620, capabilities: { large: true } }, {}],
  ])('%s fits one session document', (_label, constants, template) => {
    const bytes = Buffer.byteLength(stringifyExactJson(fullestSession(constants, template) as never));
    expect(bytes).toBeLessThanOrEqual(MAX_SESSION_DOCUMENT_BYTES);
  });
});

const A = '2533274800000001';
const B = '2533274800000002';
const noise = (n: number) => 'x'.repeat(n);

/** An open session of 100 members' budgets (2,682 bytes each) with A and B joined. */
function twoMembers(): SessionDocument {
  const created = sessionOf(put(undefined, activeJoin(A), context(user(A))));
  return sessionOf(put(created, activeJoin(B), context(user(B))));
}
const custom = (value: unknown) => ({ members: { me: { properties: { custom: { blob: value } } } } });

describe('checkSizeBudgets', () => {
  // Before: member 1 (B) holds a 1,500-byte custom property. Then `writer` writes one of `blob` bytes.
  it.each<[string, string, number, TemplateSizeBudgets, boolean]>([
    ['a member growing within its budget', A, 1500, {}, false],
    ['a member growing past its budget', A, 1500, { memberBytes: 1024 }, true],
    ['a member writing within its budget while another is over it, untouched', A, 100, { memberBytes: 1024 }, false],
  ])('%s', (_label, writer, blob, template, refused) => {
    const before = sessionOf(put(twoMembers(), custom(noise(1500)), context(user(B))));
    const after = sessionOf(put(before, custom(noise(blob)), context(user(writer))));
    const run = () => checkSizeBudgets(before, after, template, user(writer));
    if (!refused) {
      expect(run).not.toThrow();
    } else {
      const error = refusalThrownBy(run);
      expect([error.code, error.status]).toEqual(['SizeBudgetExceeded', 400]);
      expect(error.message).toMatch(/^members\.me \(member 0\) would be \d+ bytes.*\(memberBytes\) is 1024 bytes/);
    }
  });

  it('lets a member over its budget shrink, and refuses it only for growing', () => {
    const before = sessionOf(put(twoMembers(), custom(noise(2000)), context(user(A))));
    const shrunk = sessionOf(put(before, custom(noise(1900)), context(user(A))));
    expect(() => checkSizeBudgets(before, shrunk, { memberBytes: 1024 }, user(A))).not.toThrow();
    const grown = sessionOf(put(before, custom(noise(2001)), context(user(A))));
    expect(refusalThrownBy(() => checkSizeBudgets(before, grown, { memberBytes: 1024 }, user(A))).code).toBe(
      'SizeBudgetExceeded',
    );
  });

  it('measures a member as its whole entry, key included', () => {
    const session = twoMembers();
    const member = session.members['0'];
    if (member === undefined) throw new Error('no member 0');
    expect(memberEntryBytes('0', member)).toBe(Buffer.byteLength(`"0":${JSON.stringify(member)},`));
  });

  it('holds a reservation to half a member budget and names it', () => {
    const before = twoMembers();
    const reserve = (blob: string) =>
      sessionOf(
        put(
          before,
          { members: { reserve_0: { constants: { system: { xuid: '2533274800000003' }, custom: { blob } } } } },
          context(user(A)),
        ),
      );
    expect(() => checkSizeBudgets(before, reserve(noise(1000)), {}, user(A))).not.toThrow();
    const error = refusalThrownBy(() => checkSizeBudgets(before, reserve(noise(1400)), {}, user(A)));
    expect(error.message).toMatch(
      /^The reservation for xuid 2533274800000003 \(member 2\) would be \d+ bytes.*\(reservationBytes.*\) is 1341 bytes/,
    );
  });

  it('holds the session’s own data to sessionBytes, only when a change makes it bigger', () => {
    const before = sessionOf(put(twoMembers(), { properties: { custom: { blob: noise(5000) } } }, context(user(A))));
    const grown = sessionOf(put(before, { properties: { custom: { more: 1 } } }, context(user(A))));
    const error = refusalThrownBy(() => checkSizeBudgets(before, grown, { sessionBytes: 4096 }, user(A)));
    expect(error.message).toMatch(
      /^The session's own data .* would be \d+ bytes of JSON; its budget \(sessionBytes\) is 4096 bytes/,
    );
    const memberWrite = sessionOf(put(before, custom(1), context(user(B))));
    expect(() => checkSizeBudgets(before, memberWrite, { sessionBytes: 4096 }, user(B))).not.toThrow();
  });

  it('refuses to create a session whose members could not each hold an ordinary join (400 InvalidValue)', () => {
    const body = { constants: { system: { maxMembersCount: 1000, capabilities: { large: true } } }, ...activeJoin(A) };
    const created = sessionOf(put(undefined, body, context(user(A))));
    const error = refusalThrownBy(() => checkSizeBudgets(undefined, created, {}, user(A)));
    expect([error.code, error.message]).toEqual(['InvalidValue', expect.stringContaining('At most 620 members fit')]);
    // An existing session is never refused for it (it was created before the budgets).
    expect(() => checkSizeBudgets(created, created, {}, user(A))).not.toThrow();
  });
});

describe('readTemplateSizeBudgets', () => {
  const template = (s: Record<string, unknown>, custom: unknown = {}) => ({
    constants: { system: s, custom } as never,
  });
  it.each<[string, unknown, Record<string, unknown>, RegExp | TemplateSizeBudgets | undefined]>([
    ['no sizeBudgets', undefined, { maxMembersCount: 8 }, undefined],
    [
      'both budgets',
      { sessionBytes: 8192, memberBytes: 2048 },
      { maxMembersCount: 4 },
      { sessionBytes: 8192, memberBytes: 2048 },
    ],
    ['not an object', 5, {}, /sizeBudgets must be an object/],
    ['an unknown field', { sessionBytez: 5 }, {}, /unknown field "sessionBytez"/],
    ['sessionBytes too small', { sessionBytes: 100 }, {}, /sessionBytes must be an integer from 4096 to 332800/],
    ['sessionBytes not an integer', { sessionBytes: 5000.5 }, {}, /sessionBytes must be an integer/],
    [
      'memberBytes below an ordinary join',
      { memberBytes: 600 },
      { maxMembersCount: 8 },
      /memberBytes \(600\) is below an ordinary join's 1024 bytes/,
    ],
    [
      'a fixed maxMembersCount too large for the budgets',
      undefined,
      { maxMembersCount: 1000, capabilities: { large: true } },
      /leave each of maxMembersCount 1000 members 317 bytes/,
    ],
    [
      'a maxMembersCount the constants rules refuse',
      undefined,
      { maxMembersCount: 2000, capabilities: { large: true } },
      undefined,
    ],
  ])('%s', (_label, value, constants, expected) => {
    const run = () => readTemplateSizeBudgets('f.json: template "t"', value as never, template(constants));
    if (expected instanceof RegExp) {
      expect(run).toThrow(expected);
      expect(run).toThrow(/^f\.json: template "t": sizeBudgets/);
    } else {
      expect(run()).toEqual(expected);
    }
  });

  it('a template file with a broken sizeBudgets stops loading, naming the file, the template and the rule', () => {
    const file = (sizeBudgets: unknown) => ({
      templates: { t: { constants: { system: { version: 1, maxMembersCount: 4 } }, sizeBudgets } },
    });
    expect(() => readServiceConfig('x.json', file({ memberBytes: 10 }) as never)).toThrow(
      /^x\.json: template "t": sizeBudgets\.memberBytes must be an integer of at least 512/,
    );
    expect(readServiceConfig('x.json', file({ sessionBytes: 8192 }) as never).get('t')?.sizeBudgets).toEqual({
      sessionBytes: 8192,
    });
  });

  it('refuses a sessionBytes that leaves the template’s own constants no room', () => {
    expect(() =>
      readTemplateSizeBudgets('f.json: template "t"', { sessionBytes: 4096 }, template({}, { blob: noise(3000) })),
    ).toThrow(/the template's constants and role types are \d+ bytes/);
  });
});
