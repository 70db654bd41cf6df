import { decideSessionWrite } from '../../../lambda/domain/session/commit';
import {
  connectionsLeaving,
  connectionsWrittenInto,
  DISCONNECT_DETECTION_DELAY_MS,
  decideDisconnect,
} from '../../../lambda/domain/session/disconnect';
import type { SessionRecord } from '../../../lambda/domain/session/session-record';
import { decideDueTimers } from '../../../lambda/domain/session/timer-commit';
import type { SessionDocument } from '../../../lambda/domain/session-document';
import { commitContext, T0, user, writeRequest } from '../domain-fixtures';

// The sweeper's two decisions at unit level (README, "Timers that fire on their own"; family spec §6.9): what
// committing due timers writes, what a disconnect check writes, and which connections the tap function records.

const HOST = user('2001');
const PEER = user('2002');
const CID_A = 'aaaaaaaa-0000-4000-8000-000000000001';
const CID_B = 'bbbbbbbb-0000-4000-8000-000000000002';
const RESERVED_MS = 1_000;
const INACTIVE_MS = 5_000;

function member(xuid: string, connection?: string) {
  return {
    constants: { system: { xuid, initialize: true } },
    properties: { system: { active: true, ...(connection === undefined ? {} : { connection }) } },
  };
}

/** A stored session created by HOST at T0 with the given members body and constants. */
function created(members: Record<string, unknown>, detects = true): SessionRecord {
  const body = {
    constants: {
      system: {
        reservedRemovalTimeout: RESERVED_MS,
        inactiveRemovalTimeout: INACTIVE_MS,
        sessionEmptyTimeout: 0,
        capabilities: detects ? { connectionRequiredForActiveMembers: true } : {},
      },
    },
    members,
  };
  const decision = decideSessionWrite(undefined, writeRequest(HOST, body), T0, commitContext());
  if (!('write' in decision)) throw new Error('not created');
  return decision.write;
}

/** Adds PEER as an active member on `connection` (a join as the store would hold it). */
function withPeer(record: SessionRecord, connection: string): SessionRecord {
  if (record.kind !== 'session') throw new Error('no session');
  const document = structuredClone(record.document) as SessionDocument;
  const joined = structuredClone(document.members['0']) as SessionDocument['members'][string];
  joined.constants.system = { ...joined.constants.system, xuid: PEER.xuid as string };
  joined.properties.system = { ...joined.properties.system, connection };
  document.members[String(document.nextMemberIndex)] = joined;
  document.nextMemberIndex += 1;
  return { kind: 'session', document };
}

const documentOf = (record: SessionRecord | undefined) => (record?.kind === 'session' ? record.document : undefined);

describe('decideDueTimers (the sweeper commits due timers)', () => {
  const reserved = created({ me: member('2001', CID_A), reserve_0: { constants: { system: { xuid: '2003' } } } });

  it('writes nothing before a timer is due, nor for a tombstone or an absent item', () => {
    expect(decideDueTimers(reserved, T0 + RESERVED_MS - 1, commitContext())).toEqual({ answer: 'nothing-due' });
    expect(decideDueTimers(undefined, T0, commitContext())).toEqual({ answer: 'nothing-due' });
    expect(decideDueTimers({ kind: 'deleted', correlationId: 'c' }, T0, commitContext())).toEqual({
      answer: 'nothing-due',
    });
  });

  it('commits an expired reservation like an empty PUT: numbered after the fired timer, nothing left due', () => {
    const decision = decideDueTimers(reserved, T0 + RESERVED_MS, commitContext());
    expect(decision.answer).toBe('committed');
    const written = 'write' in decision ? decision.write : undefined;
    const document = documentOf(written);
    expect(Object.keys(document?.members ?? {})).toEqual(['0']);
    expect(document?.changeNumber).toBe((documentOf(reserved)?.changeNumber ?? 0) + 2);
    expect(written).not.toHaveProperty('timersDueAt');
  });

  it('records when the next timer is due with every write (the sweeper finds the session by it)', () => {
    expect(reserved).toMatchObject({ timersDueAt: T0 + RESERVED_MS });
  });

  it('ends a session whose last member timed out: the tombstone keeps its correlation id', () => {
    const lone = created({ reserve_0: { constants: { system: { xuid: '2003' } } }, me: member('2001') });
    if (lone.kind !== 'session') throw new Error('no session');
    // The host left; only the reservation is left, and it times out.
    const alone = structuredClone(lone.document) as SessionDocument;
    for (const [index, entry] of Object.entries(alone.members)) {
      if (entry.reserved !== true) delete alone.members[index];
    }
    expect(Object.keys(alone.members)).toHaveLength(1);
    const decision = decideDueTimers({ kind: 'session', document: alone }, T0 + RESERVED_MS, commitContext());
    expect(decision).toMatchObject({
      answer: 'ended',
      write: { kind: 'deleted', correlationId: lone.document.correlationId },
    });
  });
});

describe('decideDisconnect (family spec §6.9)', () => {
  const inactiveAt = T0 + 60_000 + DISCONNECT_DETECTION_DELAY_MS;

  it('sets the active members still on the ConnectionId inactive at the detection time; others are untouched', () => {
    const record = withPeer(created({ me: member('2001', CID_A) }), CID_B);
    const decision = decideDisconnect(record, CID_A, inactiveAt, inactiveAt + 5);
    expect(decision.answer).toEqual({ kind: 'set-inactive', members: 1 });
    const document = documentOf('write' in decision ? decision.write : undefined) as SessionDocument;
    expect(document.members['0']?.properties.system).toMatchObject({ active: false, ready: false });
    expect(document.members['0']?.stateSince).toBe(inactiveAt);
    expect(document.members['1']?.properties.system.active).toBe(true);
    expect(document.changeNumber).toBe((documentOf(record)?.changeNumber ?? 0) + 1);
    // Then inactiveRemovalTimeout runs from the detection time: the sweeper finds it due then.
    expect('write' in decision && decision.write).toMatchObject({ timersDueAt: inactiveAt + INACTIVE_MS });
  });

  it('leaves the record it decided on as it was (the write is a changed copy)', () => {
    const record = withPeer(created({ me: member('2001', CID_A) }), CID_B);
    const before = structuredClone(record);
    const decision = decideDisconnect(record, CID_A, inactiveAt, inactiveAt + 5);
    expect('write' in decision).toBe(true);
    expect(record).toEqual(before);
  });

  it('members sharing the ConnectionId go together; the id is compared without case', () => {
    const record = withPeer(created({ me: member('2001', CID_A) }), CID_A);
    expect(decideDisconnect(record, CID_A.toUpperCase(), inactiveAt, inactiveAt).answer).toEqual({
      kind: 'set-inactive',
      members: 2,
    });
  });

  it.each([
    ['a session without connectionRequiredForActiveMembers', created({ me: member('2001', CID_A) }, false), CID_A],
    ['a member that wrote another connection', created({ me: member('2001', CID_B) }), CID_A],
    ['no session', undefined, CID_A],
  ])('writes nothing for %s', (_name, record, connectionId) => {
    expect(decideDisconnect(record, connectionId, inactiveAt, inactiveAt)).toEqual({ answer: { kind: 'none' } });
  });
});

describe('connectionsWrittenInto (what the tap function records on a ConnectionId)', () => {
  const base = created({ me: member('2001', CID_A) });

  it.each([
    ['a creation', undefined, base, [CID_A]],
    ['a write that changes no connection', base, base, []],
    ['a member that joins with its own connection', base, withPeer(base, CID_B), [CID_B]],
    [
      'a session without connectionRequiredForActiveMembers',
      undefined,
      created({ me: member('2001', CID_A) }, false),
      [],
    ],
  ])('%s', (_name, before, after, expected) => {
    expect(connectionsWrittenInto(documentOf(before), documentOf(after))).toEqual(expected);
  });
});

describe('connectionsLeaving (what the tap function forgets on a ConnectionId)', () => {
  const base = created({ me: member('2001', CID_A) });
  const shared = withPeer(base, CID_A);

  it.each([
    ['a creation', undefined, base, []],
    ['a write that changes no connection', base, base, []],
    ['a member that joins', base, withPeer(base, CID_B), []],
    ['the last member with the connection leaving', withPeer(base, CID_B), base, [CID_B]],
    ['one of two members sharing a connection leaving', shared, base, []],
    ['the session ending', base, undefined, [CID_A]],
    ['a member writing another connection', base, created({ me: member('2001', CID_B) }), [CID_A]],
  ])('%s', (_name, before, after, expected) => {
    expect(connectionsLeaving(documentOf(before), documentOf(after))).toEqual(expected);
  });
});
