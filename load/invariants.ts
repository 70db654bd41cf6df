/**
 * The invariant check of a load run: from what was sent and answered (the ledger) and the sessions read back at the
 * end, pure. It must never fail falsely, so every rule is stated only over what the answers prove:
 *
 * - a write answered 2xx is applied; one answered 4xx (or 429) is not; one without an answer, or answered 5xx, may
 *   or may not be (503: "stored once or not at all") and is never counted against the service: what it could have
 *   changed is excluded by name;
 * - one player's requests are sequential, so its own order is known; between players, write B is later than write A
 *   only when B was sent after A was answered;
 * - requests still in flight when time ran out were awaited before the read-back (the run does that), so the only
 *   unanswered writes are those that timed out, and they are unknown as above.
 */
import type { ReadbackMember, SessionReadback, WriteRecord } from './ledger';

export interface InvariantResult {
  readonly name: string;
  readonly description: string;
  readonly passed: boolean;
  /** How many facts were checked (members, values, sessions, answers). */
  readonly checked: number;
  /** What broke the rule, each naming the session, the player and the request. */
  readonly violations: readonly string[];
  /** What could not be decided, by name, and why (an unanswered request, an unreadable session). */
  readonly excluded: readonly string[];
}

/** A shoulder tap one socket received (realtime scenario). */
export interface TapRecord {
  readonly socket: string;
  readonly session: string;
  readonly branch: string;
  readonly changeNumber: number;
}

export interface InvariantInput {
  readonly writes: readonly WriteRecord[];
  readonly readbacks: readonly SessionReadback[];
  readonly taps?: readonly TapRecord[];
  /**
   * Changes the service may make on its own, per session, that no request of the run caused (a socket that dropped
   * makes its members inactive after 30 s: one change per drop). Counted as allowance, never as a violation.
   */
  readonly serviceChanges?: ReadonlyMap<string, number>;
}

const isMembership = (w: WriteRecord) => w.kind === 'join' || w.kind === 'leave';

function describe(w: WriteRecord): string {
  const answer = w.outcome === 'unknown' ? (w.reason ?? 'no answer') : String(w.status);
  return `#${w.id} ${w.kind}${w.key === undefined ? '' : ` ${w.key}=${w.value}`} by ${w.xuid} (${answer})`;
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [item]);
    else group.push(item);
  }
  return groups;
}

type Present = Extract<SessionReadback, { state: 'present' }>;

class Check {
  checked = 0;
  readonly violations: string[] = [];
  readonly excluded: string[] = [];

  constructor(
    readonly name: string,
    readonly description: string,
  ) {}

  result(): InvariantResult {
    return {
      name: this.name,
      description: this.description,
      passed: this.violations.length === 0,
      checked: this.checked,
      violations: this.violations,
      excluded: this.excluded,
    };
  }
}

/** What a player's membership requests in one session prove: a member, not a member, or nothing (excluded). */
type MembershipVerdict =
  | { readonly kind: 'member'; readonly join: WriteRecord }
  | { readonly kind: 'not-member'; readonly leave: WriteRecord }
  | { readonly kind: 'unknown'; readonly because: WriteRecord }
  | { readonly kind: 'never' };

function membershipVerdict(ops: readonly WriteRecord[]): MembershipVerdict {
  const unknown = ops.find((w) => w.outcome === 'unknown');
  if (unknown !== undefined) return { kind: 'unknown', because: unknown };
  const acked = ops.filter((w) => w.outcome === 'acked');
  const last = acked[acked.length - 1];
  if (last === undefined) return { kind: 'never' };
  return last.kind === 'join' ? { kind: 'member', join: last } : { kind: 'not-member', leave: last };
}

function memberOf(readback: Present, xuid: string): ReadbackMember | undefined {
  return readback.members.find((m) => m.xuid === xuid);
}

/** Runs every invariant; each result says what it checked, what broke it and what it could not decide. */
export function checkInvariants(input: InvariantInput): InvariantResult[] {
  const readbackOf = new Map(input.readbacks.map((r) => [r.session, r]));
  const bySession = groupBy(input.writes, (w) => w.session);

  const joins = new Check(
    'acknowledged joins are members',
    'Every player whose last acknowledged membership request in a session was a join is a member of it when read ' +
      'back, and every player whose last one was a leave is not.',
  );
  const values = new Check(
    'acknowledged values are stored or superseded',
    'Every custom property (a member’s own, or the session’s) holds the value of an acknowledged or unanswered ' +
      'write, never one that an acknowledged write sent after its answer superseded, and never a refused one.',
  );
  const capacity = new Check(
    'no session holds more than maxMembersCount',
    'Every session read back, and every session in an answer during the run, has at most maxMembersCount members.',
  );
  const once = new Check(
    'nothing acknowledged is applied twice',
    'No player is a member twice; no two acknowledged changes share a changeNumber; a session’s changeNumber is no ' +
      'more than the writes that could have changed it.',
  );
  const emptied = new Check(
    'the last leaver deletes',
    'A session whose members all left (acknowledged), with sessionEmptyTimeout 0, is gone when read back.',
  );

  for (const [session, writes] of bySession) {
    const readback = readbackOf.get(session);
    if (readback === undefined || readback.state === 'unreadable') {
      const reason = readback?.state === 'unreadable' ? readback.reason : 'not read back';
      for (const check of [joins, values, capacity, once, emptied]) {
        check.excluded.push(`session ${session}: ${reason}`);
      }
      continue;
    }
    const present = readback.state === 'present' ? readback : undefined;

    // Membership, player by player.
    const verdicts = new Map<string, MembershipVerdict>();
    for (const [xuid, ops] of groupBy(writes.filter(isMembership), (w) => w.xuid)) {
      const verdict = membershipVerdict(ops);
      verdicts.set(xuid, verdict);
      if (verdict.kind === 'never') continue;
      if (verdict.kind === 'unknown') {
        joins.excluded.push(`${xuid} in ${session}: ${describe(verdict.because)}`);
        continue;
      }
      joins.checked += 1;
      const member = present === undefined ? undefined : memberOf(present, xuid);
      if (verdict.kind === 'member' && member === undefined) {
        joins.violations.push(
          `lost join: ${describe(verdict.join)} in ${session}, but ${
            present === undefined ? 'the session is gone' : `it is not among its ${present.members.length} members`
          }`,
        );
      }
      if (verdict.kind === 'not-member' && member !== undefined) {
        joins.violations.push(`leave not applied: ${describe(verdict.leave)} in ${session}, but it is still a member`);
      }
    }

    // The last leaver deletes: every player that ever was acknowledged has left, and nothing is unknown.
    const all = [...verdicts.values()];
    const everyoneLeft =
      all.some((v) => v.kind === 'not-member') && all.every((v) => v.kind === 'not-member' || v.kind === 'never');
    if (everyoneLeft && (present === undefined || present.sessionEmptyTimeout === 0)) {
      emptied.checked += 1;
      if (present !== undefined) {
        emptied.violations.push(
          `${session} is still there (changeNumber ${present.changeNumber}, ${present.members.length} members) ` +
            'after every member’s leave was acknowledged',
        );
      }
    } else if (all.some((v) => v.kind === 'unknown') && all.every((v) => v.kind !== 'member')) {
      emptied.excluded.push(`session ${session}: a membership request had no answer`);
    }

    // Capacity, in every answer and in the read-back.
    for (const w of writes) {
      if (w.membersInAnswer === undefined || w.maxMembersInAnswer === undefined) continue;
      capacity.checked += 1;
      if (w.membersInAnswer > w.maxMembersInAnswer) {
        capacity.violations.push(
          `${describe(w)} in ${session} answered a session of ${w.membersInAnswer} members (max ${w.maxMembersInAnswer})`,
        );
      }
    }
    if (present !== undefined) {
      capacity.checked += 1;
      if (present.members.length > present.maxMembersCount) {
        capacity.violations.push(
          `${session} holds ${present.members.length} members, more than its maxMembersCount ${present.maxMembersCount}`,
        );
      }
    }

    if (present !== undefined) checkValues(values, session, writes, present, verdicts);
    checkAppliedOnce(once, session, writes, present, input.serviceChanges?.get(session) ?? 0);
  }

  const results = [joins, values, capacity, once, emptied].map((c) => c.result());
  if (input.taps !== undefined) results.push(checkTapOrder(input.taps));
  return results;
}

/** The writes of one property, and the value the read-back holds for it. */
function checkProperty(check: Check, label: string, writes: readonly WriteRecord[], stored: unknown): void {
  const acked = writes.filter((w) => w.outcome === 'acked');
  // The writes that may have put the stored value there. A refused write's repeat (after a 429) carries the same
  // value, so a refused value counts against the service only when no repeat of it may have landed.
  const writers = writes.filter((w) => w.outcome !== 'refused' && w.value === stored);
  const refusedHit = writes.find((w) => w.outcome === 'refused' && w.value === stored);
  if (refusedHit !== undefined && writers.length === 0) {
    check.checked += 1;
    check.violations.push(`${label} holds ${String(stored)}, the value of refused ${describe(refusedHit)}`);
    return;
  }
  if (acked.length === 0) return;
  check.checked += 1;
  const latestAcked = acked.reduce((a, b) => ((b.answeredAt ?? 0) > (a.answeredAt ?? 0) ? b : a));
  if (writers.length === 0) {
    check.violations.push(
      `${label} holds ${stored === undefined ? 'nothing' : String(stored)}, which no acknowledged or unanswered ` +
        `write sent; the last acknowledged was ${describe(latestAcked)}`,
    );
    return;
  }
  // An unanswered writer may have been applied at any moment: it may supersede anything.
  if (writers.some((w) => w.outcome === 'unknown')) return;
  const answeredAt = Math.max(...writers.map((w) => w.answeredAt ?? 0));
  const superseding = acked.find((w) => w.sentAt > answeredAt);
  if (superseding !== undefined) {
    const holder = writers[writers.length - 1] as WriteRecord;
    check.violations.push(
      `lost value: ${label} holds ${String(stored)} from ${describe(holder)}, but ${describe(superseding)} was ` +
        'sent after that was answered and acknowledged',
    );
  }
}

function checkValues(
  check: Check,
  session: string,
  writes: readonly WriteRecord[],
  present: Present,
  verdicts: ReadonlyMap<string, MembershipVerdict>,
): void {
  // A member's own properties: only since its latest acknowledged join (a member that left and came back starts
  // afresh), and only for players the membership check proves are members.
  for (const [xuid, own] of groupBy(
    writes.filter((w) => w.kind === 'member-property'),
    (w) => w.xuid,
  )) {
    const verdict = verdicts.get(xuid);
    if (verdict?.kind !== 'member') continue;
    const member = memberOf(present, xuid);
    if (member === undefined) continue; // a lost join: the membership check reports it
    const joinedAt = verdict.join.answeredAt ?? 0;
    for (const [key, keyWrites] of groupBy(own, (w) => w.key ?? '')) {
      checkProperty(
        check,
        `${session} member ${xuid} custom.${key}`,
        keyWrites.filter((w) => w.sentAt >= joinedAt),
        member.custom[key],
      );
    }
  }
  // The session's properties: acknowledged writes count on the branch read back (a session deleted and created
  // again starts afresh); unanswered ones may have landed on any branch.
  for (const [key, keyWrites] of groupBy(
    writes.filter((w) => w.kind === 'session-property'),
    (w) => w.key ?? '',
  )) {
    checkProperty(
      check,
      `${session} custom.${key}`,
      keyWrites.filter((w) => w.outcome !== 'acked' || w.branch === present.branch),
      present.custom[key],
    );
  }
}

function checkAppliedOnce(
  check: Check,
  session: string,
  writes: readonly WriteRecord[],
  present: Present | undefined,
  serviceChanges: number,
): void {
  if (present !== undefined) {
    const seen = new Set<string>();
    check.checked += 1;
    for (const member of present.members) {
      if (seen.has(member.xuid)) check.violations.push(`${member.xuid} is a member of ${session} twice`);
      seen.add(member.xuid);
    }
  }
  // Two acknowledged changes never share a changeNumber (a repeat of an unanswered write may change nothing and
  // answer the current number, so it is left out).
  const byChange = new Map<string, WriteRecord>();
  for (const w of writes) {
    if (w.outcome !== 'acked' || w.mayBeNoop || w.changeNumber === undefined || w.branch === undefined) continue;
    check.checked += 1;
    const key = `${w.branch}#${w.changeNumber}`;
    const other = byChange.get(key);
    if (other !== undefined) {
      check.violations.push(
        `${describe(other)} and ${describe(w)} were both answered as change ${w.changeNumber} of ${session}`,
      );
    } else {
      byChange.set(key, w);
    }
  }
  if (present === undefined) return;
  // Each request changes a session at most once: the changeNumber of the branch read back is at most the requests
  // acknowledged on it, plus every unanswered one, plus what the service may change on its own.
  if (present.timerPending || writes.some((w) => w.timerPending === true)) {
    check.excluded.push(`${session} changeNumber: a timer was pending, so the service may have changed it itself`);
    return;
  }
  const ackedOnBranch = writes.filter((w) => w.outcome === 'acked' && w.branch === present.branch).length;
  const unknown = writes.filter((w) => w.outcome === 'unknown').length;
  check.checked += 1;
  if (present.changeNumber > ackedOnBranch + unknown + serviceChanges) {
    check.violations.push(
      `${session} is at changeNumber ${present.changeNumber}, but only ${ackedOnBranch} acknowledged and ${unknown} ` +
        `unanswered writes${serviceChanges > 0 ? ` and ${serviceChanges} changes of the service's own` : ''} could ` +
        'have changed it',
    );
  }
}

/** Realtime: a socket never sees a session's changeNumber go back, nor the same change twice (README, RTA). */
function checkTapOrder(taps: readonly TapRecord[]): InvariantResult {
  const check = new Check(
    'shoulder taps in order',
    'No socket is tapped for a session’s change twice or for a change older than one it was already tapped for.',
  );
  const last = new Map<string, number>();
  for (const tap of taps) {
    check.checked += 1;
    const key = `${tap.socket} ${tap.session} ${tap.branch}`;
    const before = last.get(key);
    if (before !== undefined && tap.changeNumber <= before) {
      check.violations.push(
        `socket ${tap.socket} was tapped for change ${tap.changeNumber} of ${tap.session} after change ${before}`,
      );
    }
    last.set(key, Math.max(before ?? 0, tap.changeNumber));
  }
  return check.result();
}
