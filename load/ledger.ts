/**
 * What the load sent that can change a session, and what it was told: the input of the invariant check
 * (load/invariants.ts), together with the sessions read back at the end. Only writes are kept; reads change nothing.
 */
import type { SessionView } from './session-view';

/** A write's kind, as the check reads it. A creating PUT is a `join` (it creates and joins in one). */
export type WriteKind = 'join' | 'leave' | 'member-property' | 'session-property';

/**
 * `acked`: a 2xx answer (the service says it is applied). `refused`: an answer that guarantees nothing was applied
 * (4xx, 429). `unknown`: no answer in time, a transport error, or a 5xx (503: "stored once or not at all").
 */
export type WriteOutcome = 'acked' | 'refused' | 'unknown';

export interface WriteRecord {
  /** Request id, unique in the run: how a violation or an exclusion names the request. */
  readonly id: number;
  /** The session's name (unique in the run) and its template. */
  readonly session: string;
  readonly template: string;
  readonly xuid: string;
  readonly kind: WriteKind;
  /** Property writes: the custom property's name (a member's own, or the session's). */
  readonly key?: string;
  /** Property writes: the value written, unique to the write (a repeat carries the same one). */
  readonly value?: number;
  /** ms, the run's clock. */
  readonly sentAt: number;
  /** ms; absent when there was no answer. */
  readonly answeredAt?: number;
  readonly outcome: WriteOutcome;
  readonly status: number | 'error';
  /** Why the outcome is unknown (time-out, 503...). */
  readonly reason?: string;
  /** From an answer carrying the session. */
  readonly changeNumber?: number;
  readonly branch?: string;
  /** Members in the answer's session, and its maxMembersCount. */
  readonly membersInAnswer?: number;
  readonly maxMembersInAnswer?: number;
  /** The answer showed a pending timer: the service itself may change the session later (the sweeper). */
  readonly timerPending?: boolean;
  /** A repeat of a write whose outcome was unknown: it may have found its change already there and changed nothing. */
  readonly mayBeNoop: boolean;
}

/** A member as the check reads it from a rendered session (load/session-view.ts). */
export type { ReadbackMember } from './session-view';

/** A session as read back at the end: present (with what the check needs), absent (204), or not readable. */
export type SessionReadback =
  | ({ readonly session: string; readonly state: 'present' } & SessionView)
  | { readonly session: string; readonly state: 'absent' }
  | { readonly session: string; readonly state: 'unreadable'; readonly reason: string };

/** The run's writes, in the order they were sent. */
export class Ledger {
  private readonly records: WriteRecord[] = [];
  private nextId = 1;

  /** A fresh request id (reads take one too, so ids name every request of the run). */
  newId(): number {
    const id = this.nextId;
    this.nextId += 1;
    return id;
  }

  add(record: WriteRecord): void {
    this.records.push(record);
  }

  writes(): readonly WriteRecord[] {
    return this.records;
  }

  /** Every session a write went to, in first-write order, with its template. */
  sessions(): { name: string; template: string }[] {
    const seen = new Map<string, string>();
    for (const r of this.records) if (!seen.has(r.session)) seen.set(r.session, r.template);
    return [...seen].map(([name, template]) => ({ name, template }));
  }
}
