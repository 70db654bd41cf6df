import { checkInvariants, type InvariantInput, type InvariantResult } from '../../load/invariants';
import type { SessionReadback, WriteRecord } from '../../load/ledger';

// The load kit's invariant check (load/invariants.ts) on fabricated ledgers and read-backs: each rule passes on what
// a correct service leaves and fails on the defect it names, and what an unanswered request could have changed is
// excluded by name instead of counted against the service.

const S = 'load-test-lobby-0';
const ALICE = '2600000000000001';
const BOB = '2600000000000002';
let nextId = 1;

/** A write, acknowledged by default, answered 10 ms after it was sent. */
function w(fields: Partial<WriteRecord> & Pick<WriteRecord, 'kind' | 'xuid' | 'sentAt'>): WriteRecord {
  const outcome = fields.outcome ?? 'acked';
  return {
    id: nextId++,
    session: S,
    template: 'lobby',
    status: outcome === 'acked' ? 200 : outcome === 'refused' ? 400 : 'error',
    mayBeNoop: false,
    ...(outcome === 'unknown' ? {} : { answeredAt: fields.sentAt + 10 }),
    ...fields,
    outcome,
  };
}

function present(fields: Partial<Extract<SessionReadback, { state: 'present' }>> = {}): SessionReadback {
  return {
    session: S,
    state: 'present',
    changeNumber: 1,
    branch: 'b1',
    maxMembersCount: 8,
    sessionEmptyTimeout: 0,
    members: [],
    custom: {},
    timerPending: false,
    ...fields,
  };
}

const joinOf = (xuid: string, sentAt: number, changeNumber: number, extra: Partial<WriteRecord> = {}) =>
  w({
    kind: 'join',
    xuid,
    sentAt,
    changeNumber,
    branch: 'b1',
    membersInAnswer: changeNumber,
    maxMembersInAnswer: 8,
    ...extra,
  });

function resultOf(input: InvariantInput, name: string): InvariantResult {
  const result = checkInvariants(input).find((r) => r.name === name);
  if (result === undefined) throw new Error(`no invariant named ${name}`);
  return result;
}

const JOINS = 'acknowledged joins are members';
const VALUES = 'acknowledged values are stored or superseded';
const CAPACITY = 'no session holds more than maxMembersCount';
const ONCE = 'nothing acknowledged is applied twice';
const EMPTIED = 'the last leaver deletes';
const TAPS = 'shoulder taps in order';

it('passes every invariant on what a correct service leaves: two joins, values, one leave', () => {
  const writes = [
    joinOf(ALICE, 0, 1),
    joinOf(BOB, 20, 2),
    w({ kind: 'member-property', xuid: ALICE, sentAt: 40, key: 'score', value: 7, changeNumber: 3, branch: 'b1' }),
    w({ kind: 'session-property', xuid: BOB, sentAt: 60, key: 'slot1', value: 8, changeNumber: 4, branch: 'b1' }),
    w({ kind: 'leave', xuid: BOB, sentAt: 80, changeNumber: 5, branch: 'b1' }),
  ];
  const readbacks = [
    present({ changeNumber: 5, members: [{ xuid: ALICE, custom: { score: 7 } }], custom: { slot1: 8 } }),
  ];
  const results = checkInvariants({ writes, readbacks });
  expect(results.map((r) => [r.name, r.passed, r.violations])).toEqual([
    [JOINS, true, []],
    [VALUES, true, []],
    [CAPACITY, true, []],
    [ONCE, true, []],
    [EMPTIED, true, []],
  ]);
  expect(results.find((r) => r.name === JOINS)?.checked).toBe(2);
  expect(results.find((r) => r.name === VALUES)?.checked).toBe(2);
});

it('fails on a fabricated lost join: an acknowledged join whose player is not a member', () => {
  const writes = [joinOf(ALICE, 0, 1), joinOf(BOB, 20, 2)];
  const result = resultOf(
    { writes, readbacks: [present({ changeNumber: 2, members: [{ xuid: ALICE, custom: {} }] })] },
    JOINS,
  );
  expect(result.passed).toBe(false);
  expect(result.violations).toEqual([
    expect.stringMatching(new RegExp(`^lost join: #\\d+ join by ${BOB} \\(200\\) in ${S}`)),
  ]);
});

it('fails on an acknowledged join in a session that is gone', () => {
  const result = resultOf({ writes: [joinOf(ALICE, 0, 1)], readbacks: [{ session: S, state: 'absent' }] }, JOINS);
  expect(result.violations).toEqual([expect.stringContaining('the session is gone')]);
});

it('fails on an acknowledged leave whose player is still a member', () => {
  const writes = [
    joinOf(ALICE, 0, 1),
    joinOf(BOB, 20, 2),
    w({ kind: 'leave', xuid: BOB, sentAt: 40, changeNumber: 3, branch: 'b1' }),
  ];
  const members = [
    { xuid: ALICE, custom: {} },
    { xuid: BOB, custom: {} },
  ];
  const result = resultOf({ writes, readbacks: [present({ changeNumber: 3, members })] }, JOINS);
  expect(result.violations).toEqual([expect.stringContaining('leave not applied')]);
});

it('excludes by name, never fails, a player whose join had no answer (in flight when time ran out, timed out)', () => {
  const lost = w({ kind: 'join', xuid: BOB, sentAt: 20, outcome: 'unknown', reason: 'HeadersTimeoutError' });
  const result = resultOf(
    { writes: [joinOf(ALICE, 0, 1), lost], readbacks: [present({ members: [{ xuid: ALICE, custom: {} }] })] },
    JOINS,
  );
  expect(result).toMatchObject({ passed: true, checked: 1 });
  expect(result.excluded).toEqual([`${BOB} in ${S}: #${lost.id} join by ${BOB} (HeadersTimeoutError)`]);
});

it('ignores a refused join (nothing applied) and holds the player to its earlier acknowledged leave', () => {
  const writes = [
    joinOf(ALICE, 0, 1),
    joinOf(BOB, 10, 2),
    w({ kind: 'leave', xuid: BOB, sentAt: 30, changeNumber: 3, branch: 'b1' }),
    w({ kind: 'join', xuid: BOB, sentAt: 50, outcome: 'refused' }),
  ];
  expect(
    resultOf({ writes, readbacks: [present({ changeNumber: 3, members: [{ xuid: ALICE, custom: {} }] })] }, JOINS),
  ).toMatchObject({
    passed: true,
    checked: 2,
  });
});

describe('values', () => {
  const member = (score: unknown) => [{ xuid: ALICE, custom: score === undefined ? {} : { score } }];
  const score = (value: number, sentAt: number, extra: Partial<WriteRecord> = {}) =>
    w({ kind: 'member-property', xuid: ALICE, sentAt, key: 'score', value, branch: 'b1', ...extra });

  it.each([
    ['the later of two acknowledged writes is stored', true, [score(1, 10), score(2, 30)], 2],
    [
      'an earlier acknowledged value stored after a later write was acknowledged (a lost value)',
      false,
      [score(1, 10), score(2, 30)],
      1,
    ],
    ['nothing stored although a write was acknowledged', false, [score(1, 10)], undefined],
    ['a value nobody sent', false, [score(1, 10)], 99],
    [
      'either of two overlapping acknowledged writes',
      true,
      [score(1, 10, { answeredAt: 50 }), score(2, 20, { answeredAt: 40 })],
      1,
    ],
    [
      'the value of a later unanswered write',
      true,
      [score(1, 10), score(2, 30, { outcome: 'unknown', answeredAt: undefined })],
      2,
    ],
    ['the value of a refused write', false, [score(1, 10), score(2, 30, { outcome: 'refused', status: 400 })], 2],
    [
      'a value first refused with 429, then acknowledged on its repeat',
      true,
      [score(1, 10), score(2, 30, { outcome: 'refused', status: 429 }), score(2, 1040)],
      2,
    ],
  ] as [string, boolean, WriteRecord[], unknown][])('%s (passes: %s)', (_, passes, writes, stored) => {
    const result = resultOf(
      { writes: [joinOf(ALICE, 0, 1), ...writes], readbacks: [present({ members: member(stored) })] },
      VALUES,
    );
    expect(result.passed).toBe(passes);
    expect(result.checked).toBe(1);
  });

  it('judges a session property only by writes acknowledged on the branch read back (a re-created session starts afresh)', () => {
    const writes = [
      joinOf(ALICE, 0, 1),
      w({ kind: 'session-property', xuid: ALICE, sentAt: 10, key: 'slot0', value: 5, branch: 'old' }),
    ];
    const result = resultOf({ writes, readbacks: [present({ branch: 'b1', members: member(undefined) })] }, VALUES);
    expect(result).toMatchObject({ passed: true, checked: 0 });
  });
});

describe('capacity', () => {
  it('fails when the session read back holds more members than its maxMembersCount', () => {
    const members = [ALICE, BOB, '2600000000000003'].map((xuid) => ({ xuid, custom: {} }));
    const writes = members.map((m, i) =>
      joinOf(m.xuid, i * 20, i + 1, { membersInAnswer: i + 1, maxMembersInAnswer: 2 }),
    );
    const result = resultOf(
      { writes, readbacks: [present({ changeNumber: 3, maxMembersCount: 2, members })] },
      CAPACITY,
    );
    expect(result.violations).toEqual([
      expect.stringContaining('answered a session of 3 members (max 2)'),
      `${S} holds 3 members, more than its maxMembersCount 2`,
    ]);
  });
});

describe('applied once', () => {
  it('fails when a player is a member twice', () => {
    const members = [
      { xuid: ALICE, custom: {} },
      { xuid: ALICE, custom: {} },
    ];
    const result = resultOf({ writes: [joinOf(ALICE, 0, 1)], readbacks: [present({ members })] }, ONCE);
    expect(result.violations).toEqual([`${ALICE} is a member of ${S} twice`]);
  });

  it('fails when two acknowledged writes were answered as the same change', () => {
    const writes = [joinOf(ALICE, 0, 1), joinOf(BOB, 20, 1)];
    const members = [
      { xuid: ALICE, custom: {} },
      { xuid: BOB, custom: {} },
    ];
    const result = resultOf({ writes, readbacks: [present({ changeNumber: 2, members })] }, ONCE);
    expect(result.violations).toEqual([expect.stringContaining('were both answered as change 1')]);
  });

  it('leaves out a repeat of an unanswered write, which may change nothing and answer the current change', () => {
    const writes = [
      joinOf(ALICE, 0, 1),
      w({
        kind: 'member-property',
        xuid: ALICE,
        sentAt: 20,
        key: 'score',
        value: 3,
        outcome: 'unknown',
        reason: 'answered 503',
      }),
      w({ kind: 'member-property', xuid: BOB, sentAt: 25, key: 'score', value: 4, changeNumber: 3, branch: 'b1' }),
      w({
        kind: 'member-property',
        xuid: ALICE,
        sentAt: 1030,
        key: 'score',
        value: 3,
        changeNumber: 3,
        branch: 'b1',
        mayBeNoop: true,
      }),
    ];
    const result = resultOf(
      { writes, readbacks: [present({ changeNumber: 3, members: [{ xuid: ALICE, custom: { score: 3 } }] })] },
      ONCE,
    );
    expect(result.passed).toBe(true);
  });

  it('fails when the changeNumber is beyond what the writes could have made (a write applied twice)', () => {
    const writes = [
      joinOf(ALICE, 0, 1),
      w({ kind: 'member-property', xuid: ALICE, sentAt: 20, key: 'score', value: 3, changeNumber: 2, branch: 'b1' }),
    ];
    const readbacks = [present({ changeNumber: 4, members: [{ xuid: ALICE, custom: { score: 3 } }] })];
    expect(resultOf({ writes, readbacks }, ONCE).violations).toEqual([
      `${S} is at changeNumber 4, but only 2 acknowledged and 0 unanswered writes could have changed it`,
    ]);
    // The service's own changes (a dropped socket) and unanswered writes are allowance, not violations.
    expect(resultOf({ writes, readbacks, serviceChanges: new Map([[S, 2]]) }, ONCE).passed).toBe(true);
    // A pending timer lets the sweeper change it: excluded by name.
    const timed = resultOf(
      {
        writes,
        readbacks: [present({ changeNumber: 4, timerPending: true, members: [{ xuid: ALICE, custom: { score: 3 } }] })],
      },
      ONCE,
    );
    expect(timed).toMatchObject({
      passed: true,
      excluded: [expect.stringContaining(`${S} changeNumber: a timer was pending`)],
    });
  });
});

describe('the last leaver deletes', () => {
  const everyoneLeft = [
    joinOf(ALICE, 0, 1),
    joinOf(BOB, 20, 2),
    w({ kind: 'leave', xuid: BOB, sentAt: 40, changeNumber: 3, branch: 'b1' }),
    w({ kind: 'leave', xuid: ALICE, sentAt: 40, status: 204 }),
  ];

  it('passes when the emptied session is gone', () => {
    expect(resultOf({ writes: everyoneLeft, readbacks: [{ session: S, state: 'absent' }] }, EMPTIED)).toMatchObject({
      passed: true,
      checked: 1,
    });
  });

  it('fails when the emptied session is still there', () => {
    const result = resultOf({ writes: everyoneLeft, readbacks: [present({ changeNumber: 4 })] }, EMPTIED);
    expect(result.violations).toEqual([expect.stringContaining('is still there')]);
  });
});

it('excludes by name every rule of a session that could not be read back', () => {
  const results = checkInvariants({
    writes: [joinOf(ALICE, 0, 1)],
    readbacks: [{ session: S, state: 'unreadable', reason: 'the read-back GET answered 503' }],
  });
  for (const result of results) {
    expect(result).toMatchObject({
      passed: true,
      checked: 0,
      excluded: [`session ${S}: the read-back GET answered 503`],
    });
  }
});

it('fails when a socket is tapped for a change older than one it was already tapped for, or twice', () => {
  const tap = (changeNumber: number) => ({ socket: ALICE, session: S, branch: 'b1', changeNumber });
  const ordered = resultOf({ writes: [], readbacks: [], taps: [tap(1), tap(2), tap(4)] }, TAPS);
  expect(ordered).toMatchObject({ passed: true, checked: 3 });
  const back = resultOf({ writes: [], readbacks: [], taps: [tap(1), tap(3), tap(2), tap(3)] }, TAPS);
  expect(back.violations).toEqual([
    `socket ${ALICE} was tapped for change 2 of ${S} after change 3`,
    `socket ${ALICE} was tapped for change 3 of ${S} after change 3`,
  ]);
});
