import { applySessionRequest, type PutOutcome } from '../domain/apply-request';
import { MpsdError } from '../domain/errors';
import { etagMatches, etagOf } from '../domain/etag';
import { type JsonObject, type JsonValue, jsonEquals } from '../domain/json';
import { assertCanRead } from '../domain/permissions';
import type { Principal } from '../domain/principal';
import { type ContractVersion, renderSession } from '../domain/render';
import type { SessionDocument } from '../domain/session-document';
import { type SessionReference, sessionKey } from '../domain/session-reference';
import { checkSessionSize, checkSizeBudgets } from '../domain/session-size';
import { resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import { nextTimerAt, untouchedDeletionAt } from '../domain/timers';
import {
  type NewRecord,
  RECENT_WRITE_IDS,
  type SessionStore,
  type StoreCallOptions,
  type StoredRecord,
  StoreUnavailableError,
} from '../store/session-store';
import { type LiveView, viewAt } from './live-session';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';
import { WriteQueue } from './write-queue';

/** What the service is built from; wired once per container. */
export interface SessionServiceDeps {
  readonly store: SessionStore;
  readonly templates: TemplateCatalogue;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly newGuid: () => string;
  readonly retry: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
  /** Monotonic milliseconds for the time budget (performance.now when absent); never the session clock. */
  readonly elapsedMs?: () => number;
  /** Told how every PUT went: attempts used, store faults met, outcome (metrics, the concurrency tests). */
  readonly observeWrite?: (report: WriteReport) => void;
}

/** How one PUT went through the retry loop. */
export interface WriteReport {
  /** Attempts used, the first included (lost races and store faults). */
  readonly attempts: number;
  readonly faults: number;
  /** The result kind, or the error code it ended with. */
  readonly outcome: string;
}

/** A session as answered: the rendering and what its headers need. */
export interface SessionAnswer {
  readonly rendered: JsonObject;
  readonly etag: string;
  readonly nextTimer: number | undefined;
}

export type ReadResult =
  | { readonly kind: 'found'; readonly session: SessionAnswer }
  | { readonly kind: 'not-modified'; readonly etag: string }
  | { readonly kind: 'absent' };

export type WriteResult =
  | { readonly kind: 'created' | 'updated'; readonly session: SessionAnswer }
  | { readonly kind: 'gone' }
  /** A precondition failed: 412, with the current session when there is one (spec §1.4). */
  | { readonly kind: 'precondition-failed'; readonly session: SessionAnswer | undefined; readonly reason: string };

export interface ReadRequest {
  readonly ref: SessionReference;
  readonly principal: Principal;
  readonly contractVersion: ContractVersion;
  readonly ifNoneMatch: string | undefined;
}

export interface WriteRequest {
  readonly ref: SessionReference;
  readonly principal: Principal;
  readonly contractVersion: ContractVersion;
  readonly body: JsonValue;
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
  /** `?nocommit=true`: answer the merged result without storing it (spec §1.1). */
  readonly noCommit: boolean;
}

// Slack added to the TTL so DynamoDB never collects an item a lazy read would still show.
const TTL_SLACK_SECONDS = 60;
// How long a deleted session's marker is kept (its correlation id survives a re-creation within this time).
const TOMBSTONE_LIFETIME_SECONDS = 24 * 60 * 60;

/** Answers a session under its ETag: the view's (timers applied, not stored) or the commit's. */
function answer(
  session: SessionDocument,
  etag: string,
  contractVersion: ContractVersion,
  principal: Principal,
): SessionAnswer {
  return {
    rendered: renderSession(session, {
      contractVersion,
      ...(principal.xuid === undefined ? {} : { callerXuid: principal.xuid }),
    }),
    etag,
    nextTimer: nextTimerAt(session),
  };
}

function checkPrecondition(
  view: LiveView,
  request: WriteRequest,
): { failed: false } | { failed: true; reason: string } {
  if (request.ifNoneMatch !== undefined && request.ifNoneMatch.trim() === '*' && view.session !== undefined) {
    return { failed: true, reason: 'If-None-Match: * was sent and the session exists.' };
  }
  if (request.ifMatch !== undefined) {
    if (view.session === undefined)
      return { failed: true, reason: 'If-Match was sent and the session does not exist.' };
    if (!etagMatches(request.ifMatch, view.etag)) {
      return { failed: true, reason: "If-Match does not name the session's current ETag." };
    }
  }
  return { failed: false };
}

function recordFor(
  outcome: PutOutcome,
  previousCorrelationId: string | undefined,
  correlationOf: string | undefined,
  now: number,
  recentWriteIds: readonly string[],
): NewRecord | undefined {
  if (outcome.kind === 'not-created') return undefined;
  if (outcome.kind === 'deleted') {
    return {
      kind: 'deleted',
      recentWriteIds,
      correlationId: correlationOf ?? previousCorrelationId ?? '',
      expiresAt: Math.ceil(now / 1000) + TOMBSTONE_LIFETIME_SECONDS,
    };
  }
  const deletionAt = untouchedDeletionAt(outcome.session);
  return {
    kind: 'session',
    document: outcome.session,
    recentWriteIds,
    ...(deletionAt === undefined ? {} : { expiresAt: Math.ceil(deletionAt / 1000) + TTL_SLACK_SECONDS }),
  };
}

/** The session resource's logic: GET and PUT over the store, with timers, preconditions and retries (spec §8). */
export class SessionService {
  private readonly queue = new WriteQueue();

  constructor(private readonly deps: SessionServiceDeps) {}

  async read(request: ReadRequest): Promise<ReadResult> {
    resolveTemplate(this.deps.templates, request.ref);
    const key = sessionKey(request.ref);
    const budget = new AttemptBudget(this.deps.retry, this.deps.elapsedMs ?? performance.now.bind(performance));
    let record: StoredRecord | undefined;
    for (;;) {
      try {
        record = await this.deps.store.read(key, budget.callOptions());
        break;
      } catch (error) {
        await this.backOffAfterFault(error, budget, false);
      }
    }
    const { session, etag } = viewAt(record, this.deps.clock());
    if (session === undefined) return { kind: 'absent' };
    assertCanRead(session, request.principal);
    if (request.ifNoneMatch !== undefined && etagMatches(request.ifNoneMatch, etag))
      return { kind: 'not-modified', etag };
    return { kind: 'found', session: answer(session, etag, request.contractVersion, request.principal) };
  }

  /**
   * Reads, merges and writes conditionally on the version read (spec §8 PUT step 9).
   *
   * - A lost race is merged again onto a fresh read, after a jittered back-off; with a precondition the winner's
   *   item (returned by the lost write) answers the precondition's 412 at once, never a blind retry.
   * - A store fault (throttling, a time-out) is retried within the same attempts and time budget. A write whose
   *   answer was lost is resolved by reading: an item at the next version holding exactly what we wrote is ours;
   *   anything else is merged again, which cannot apply twice because every write is conditional on the version
   *   it read and every MPSD change is idempotent (spec §1.4).
   * - When attempts or time run out: 503 with Retry-After. It guarantees that nothing was stored, or (only after a
   *   write whose answer was lost) that the change was stored once; repeating the same PUT is safe either way.
   */
  async write(request: WriteRequest): Promise<WriteResult> {
    const budget = new AttemptBudget(this.deps.retry, this.deps.elapsedMs ?? performance.now.bind(performance));
    let outcome = 'error';
    try {
      // The budget runs while the request waits its turn: a long queue ends in 503, not in a late answer.
      const result = await this.queue.run(sessionKey(request.ref), () => this.writeWithin(request, budget));
      outcome = result.kind;
      return result;
    } catch (error) {
      if (error instanceof MpsdError) outcome = error.code;
      throw error;
    } finally {
      this.deps.observeWrite?.({ attempts: budget.attempts, faults: budget.faults, outcome });
    }
  }

  private async writeWithin(request: WriteRequest, budget: AttemptBudget): Promise<WriteResult> {
    const template = resolveTemplate(this.deps.templates, request.ref);
    const key = sessionKey(request.ref);
    let record: StoredRecord | undefined;
    let known = false;
    // The write whose answer was lost, until a read tells whether it was applied.
    let unanswered: { readonly writeId: string; readonly version: number; readonly result: WriteResult } | undefined;
    let maybeWritten = false;
    let finalLook = false;
    for (;;) {
      if (!known) {
        try {
          record = await this.deps.store.read(key, budget.callOptions());
          known = true;
        } catch (error) {
          await this.backOffAfterFault(error, budget, maybeWritten);
          continue;
        }
        if (unanswered !== undefined) {
          const applied = wasApplied(record, unanswered.writeId, unanswered.version);
          if (applied === 'yes') return unanswered.result;
          // Too many writes since to tell: merging again could apply the change a second time.
          if (applied === 'unknown') throw contended(true);
        }
        unanswered = undefined;
      }
      const now = this.deps.clock();
      const view = viewAt(record, now);
      const precondition = checkPrecondition(view, request);
      if (precondition.failed) {
        // The 412 carries the session (spec §1.4), so it may go only to a caller who may read it: otherwise a
        // stranger could read a private session by sending `If-None-Match: *`.
        if (view.session !== undefined) assertCanRead(view.session, request.principal);
        return {
          kind: 'precondition-failed',
          reason: precondition.reason,
          session:
            view.session === undefined
              ? undefined
              : answer(view.session, view.etag, request.contractVersion, request.principal),
        };
      }
      const outcome = applySessionRequest(view.session, request.body, {
        principal: request.principal,
        template,
        now,
        contractVersion: request.contractVersion,
        newGuid: this.deps.newGuid,
        ...(view.previousCorrelationId === undefined ? {} : { previousCorrelationId: view.previousCorrelationId }),
      });
      if (outcome.kind === 'not-created') return { kind: 'gone' };
      if (outcome.kind !== 'deleted') {
        // Before the nocommit answer too: a preview answers what a commit would.
        checkSizeBudgets(view.session, outcome.session, template.sizeBudgets ?? {}, request.principal);
        const unchanged =
          record?.kind === 'session' &&
          !view.changedByTimers &&
          jsonEquals(record.document as unknown as JsonObject, outcome.session as unknown as JsonObject);
        if (unchanged || request.noCommit) {
          if (unchanged) {
            // Exactly the stored document (no timer fired): the commit's own ETag.
            const etag = etagOf(outcome.session.branch, outcome.session.changeNumber);
            return {
              kind: outcome.kind,
              session: answer(outcome.session, etag, request.contractVersion, request.principal),
            };
          }
          outcome.session.changeNumber += 1;
          // Nothing was stored: the ETag must match no commit, or an If-Match with it would pass against whatever
          // the next real write stores under the same change number.
          const etag = etagOf(`${outcome.session.branch}:nocommit`, outcome.session.changeNumber);
          return {
            kind: outcome.kind,
            session: answer(outcome.session, etag, request.contractVersion, request.principal),
          };
        }
        outcome.session.changeNumber = (view.session?.changeNumber ?? 0) + 1;
        checkSessionSize(outcome.session);
      } else if (request.noCommit) {
        return { kind: 'gone' };
      }
      const writeId = this.deps.newGuid();
      const writeIds = [writeId, ...(record?.recentWriteIds ?? [])].slice(0, RECENT_WRITE_IDS);
      const next = recordFor(outcome, view.previousCorrelationId, view.session?.correlationId, now, writeIds);
      if (next === undefined) return { kind: 'gone' };
      const success: WriteResult =
        outcome.kind === 'deleted'
          ? { kind: 'gone' }
          : {
              kind: outcome.kind,
              session: answer(
                outcome.session,
                etagOf(outcome.session.branch, outcome.session.changeNumber),
                request.contractVersion,
                request.principal,
              ),
            };
      if (finalLook) throw contended(maybeWritten);
      const expected = record === undefined ? { absent: true as const } : { version: record.version };
      let result: Awaited<ReturnType<SessionStore['write']>>;
      try {
        result = await this.deps.store.write(key, next, expected, budget.callOptions());
      } catch (error) {
        if (error instanceof StoreUnavailableError) {
          maybeWritten = true;
          unanswered = { writeId, version: expectedNextVersion(record), result: success };
          known = false;
        }
        await this.backOffAfterFault(error, budget, maybeWritten);
        continue;
      }
      // A rejection that holds exactly our write means an SDK-level retry repeated a write that had been applied.
      if (result.outcome === 'written' || wasApplied(result.current, writeId, expectedNextVersion(record)) === 'yes') {
        return success;
      }
      if (finalLook || !budget.allowsAnother()) {
        if (finalLook || result.current === undefined) throw contended(maybeWritten);
        // Out of attempts: one last look at the winner's item, current at this instant, without writing. If it
        // already decides the request (SessionFull, a 4xx, nothing left to change), that is the answer, not a 503.
        finalLook = true;
        record = result.current;
        continue;
      }
      const hasPrecondition = request.ifMatch !== undefined || request.ifNoneMatch !== undefined;
      if (hasPrecondition && result.current !== undefined) {
        // The winner's item (ALL_OLD) is current now: the precondition is checked against it at once (412).
        record = result.current;
        continue;
      }
      // Back off, then read afresh: the winner's item would be stale after the wait, and merging onto a stale item
      // only loses again. The short read-to-write window is what lets one of many racing writers win each round.
      await this.deps.sleep(budget.backoffMs());
      known = false;
    }
  }

  /** Waits before the next attempt after a store fault, or ends the request with 503 when none is left. */
  private async backOffAfterFault(error: unknown, budget: AttemptBudget, maybeWritten: boolean): Promise<void> {
    if (!(error instanceof StoreUnavailableError)) throw error;
    budget.faults += 1;
    if (!budget.allowsAnother()) {
      throw new MpsdError(
        'ServiceUnavailable',
        maybeWritten
          ? 'The session store did not confirm a write in time; the change was stored once or not at all. Repeating the same request is safe.'
          : 'The session store is busy; nothing was changed. Retry after the Retry-After delay.',
        { retryAfterSeconds: 1, cause: error },
      );
    }
    await this.deps.sleep(budget.backoffMs());
  }
}

/** The 503 of a PUT that kept losing races (or whose write was not confirmed) until its attempts ran out. */
function contended(maybeWritten: boolean): MpsdError {
  return new MpsdError(
    'ServiceUnavailable',
    maybeWritten
      ? 'The session store did not confirm a write in time; the change was stored once or not at all. Repeating the same request is safe.'
      : 'The session is being changed by many callers at once; nothing was changed. Retry after the Retry-After delay.',
    { retryAfterSeconds: 1 },
  );
}

function expectedNextVersion(record: StoredRecord | undefined): number {
  return record === undefined ? 1 : record.version + 1;
}

/**
 * Whether the write with this id (which would have made `version`) is in the stored record: every item names the
 * ids of the writes that led to it, so an applied write is recognised even after others wrote on top of it.
 */
function wasApplied(record: StoredRecord | undefined, writeId: string, version: number): 'yes' | 'no' | 'unknown' {
  if (record === undefined || record.version < version) return 'no';
  if (record.recentWriteIds.includes(writeId)) return 'yes';
  return record.version - version < RECENT_WRITE_IDS ? 'no' : 'unknown';
}

/** The attempts and wall-clock time one request may spend on the store (RetryPolicy). */
class AttemptBudget {
  private attempt = 1;
  /** Store faults met so far. */
  faults = 0;
  private readonly deadline: number;

  constructor(
    private readonly policy: RetryPolicy,
    private readonly elapsedMs: () => number,
  ) {
    this.deadline = elapsedMs() + (policy.timeBudgetMs ?? DEFAULT_RETRY_POLICY.timeBudgetMs);
  }

  /** Counts an attempt; false when the attempts are spent or too little time is left for a back-off and a call. */
  allowsAnother(): boolean {
    if (this.attempt >= this.policy.maxAttempts) return false;
    if (this.remainingMs() <= this.ceilingMs()) return false;
    this.attempt += 1;
    return true;
  }

  /** Attempts made so far, the first included. */
  get attempts(): number {
    return this.attempt;
  }

  backoffMs(): number {
    return backoffDelayMs(this.policy, this.attempt - 1);
  }

  /** Every store call is aborted when the budget ends, so no request outlives it. */
  callOptions(): StoreCallOptions {
    return { abortSignal: AbortSignal.timeout(Math.max(1, Math.ceil(this.remainingMs()))) };
  }

  private remainingMs(): number {
    return this.deadline - this.elapsedMs();
  }

  private ceilingMs(): number {
    return Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (this.attempt - 1));
  }
}
