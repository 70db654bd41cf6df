import { applySessionRequest, type PutOutcome } from '../domain/apply-request';
import { MpsdError } from '../domain/errors';
import { etagMatches, etagOf } from '../domain/etag';
import { type JsonObject, type JsonValue, jsonEquals } from '../domain/json';
import { assertCanRead } from '../domain/permissions';
import type { Principal } from '../domain/principal';
import { type ContractVersion, renderSession } from '../domain/render';
import type { SessionDocument } from '../domain/session-document';
import { type SessionReference, sessionKey } from '../domain/session-reference';
import { resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import { nextTimerAt, untouchedDeletionAt } from '../domain/timers';
import type { NewRecord, SessionStore, StoredRecord } from '../store/session-store';
import { viewAt } from './live-session';
import { backoffDelayMs, type RetryPolicy } from './retry-policy';

/** What the service is built from; wired once per container. */
export interface SessionServiceDeps {
  readonly store: SessionStore;
  readonly templates: TemplateCatalogue;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly newGuid: () => string;
  readonly retry: RetryPolicy;
  readonly sleep: (ms: number) => Promise<void>;
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

function answer(session: SessionDocument, contractVersion: ContractVersion, principal: Principal): SessionAnswer {
  return {
    rendered: renderSession(session, {
      contractVersion,
      ...(principal.xuid === undefined ? {} : { callerXuid: principal.xuid }),
    }),
    etag: etagOf(session.branch, session.changeNumber),
    nextTimer: nextTimerAt(session),
  };
}

function checkPrecondition(
  session: SessionDocument | undefined,
  request: WriteRequest,
): { failed: false } | { failed: true; reason: string } {
  if (request.ifNoneMatch !== undefined && request.ifNoneMatch.trim() === '*' && session !== undefined) {
    return { failed: true, reason: 'If-None-Match: * was sent and the session exists.' };
  }
  if (request.ifMatch !== undefined) {
    if (session === undefined) return { failed: true, reason: 'If-Match was sent and the session does not exist.' };
    if (!etagMatches(request.ifMatch, etagOf(session.branch, session.changeNumber))) {
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
): NewRecord | undefined {
  if (outcome.kind === 'not-created') return undefined;
  if (outcome.kind === 'deleted') {
    return {
      kind: 'deleted',
      correlationId: correlationOf ?? previousCorrelationId ?? '',
      expiresAt: Math.ceil(now / 1000) + TOMBSTONE_LIFETIME_SECONDS,
    };
  }
  const deletionAt = untouchedDeletionAt(outcome.session);
  return {
    kind: 'session',
    document: outcome.session,
    ...(deletionAt === undefined ? {} : { expiresAt: Math.ceil(deletionAt / 1000) + TTL_SLACK_SECONDS }),
  };
}

/** The session resource's logic: GET and PUT over the store, with timers, preconditions and retries (spec §8). */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  async read(request: ReadRequest): Promise<ReadResult> {
    resolveTemplate(this.deps.templates, request.ref);
    const record = await this.deps.store.read(sessionKey(request.ref));
    const { session } = viewAt(record, this.deps.clock());
    if (session === undefined) return { kind: 'absent' };
    assertCanRead(session, request.principal);
    const etag = etagOf(session.branch, session.changeNumber);
    if (request.ifNoneMatch !== undefined && etagMatches(request.ifNoneMatch, etag))
      return { kind: 'not-modified', etag };
    return { kind: 'found', session: answer(session, request.contractVersion, request.principal) };
  }

  /**
   * Reads, merges and writes conditionally on the version read. A lost race is merged again from the winner's
   * item, after a jittered back-off, up to the policy's attempts; then 503. With a precondition a lost race ends in
   * the precondition's 412 on the next pass, never in a blind retry.
   */
  async write(request: WriteRequest): Promise<WriteResult> {
    const template = resolveTemplate(this.deps.templates, request.ref);
    const key = sessionKey(request.ref);
    let record: StoredRecord | undefined = await this.deps.store.read(key);
    for (let attempt = 1; ; attempt += 1) {
      const now = this.deps.clock();
      const view = viewAt(record, now);
      const precondition = checkPrecondition(view.session, request);
      if (precondition.failed) {
        return {
          kind: 'precondition-failed',
          reason: precondition.reason,
          session:
            view.session === undefined ? undefined : answer(view.session, request.contractVersion, request.principal),
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
        const unchanged =
          record?.kind === 'session' &&
          !view.changedByTimers &&
          jsonEquals(record.document as unknown as JsonObject, outcome.session as unknown as JsonObject);
        if (unchanged || request.noCommit) {
          if (!unchanged) outcome.session.changeNumber += 1;
          return { kind: outcome.kind, session: answer(outcome.session, request.contractVersion, request.principal) };
        }
        outcome.session.changeNumber = (view.session?.changeNumber ?? 0) + 1;
      } else if (request.noCommit) {
        return { kind: 'gone' };
      }
      const next = recordFor(outcome, view.previousCorrelationId, view.session?.correlationId, now);
      if (next === undefined) return { kind: 'gone' };
      const result = await this.deps.store.write(
        key,
        next,
        record === undefined ? { absent: true } : { version: record.version },
      );
      if (result.outcome === 'written') {
        if (outcome.kind === 'deleted') return { kind: 'gone' };
        return { kind: outcome.kind, session: answer(outcome.session, request.contractVersion, request.principal) };
      }
      if (attempt >= this.deps.retry.maxAttempts) {
        throw new MpsdError(
          'ServiceUnavailable',
          'The session is being changed by many callers at once; nothing was changed. Retry after the Retry-After delay.',
          { retryAfterSeconds: 1 },
        );
      }
      await this.deps.sleep(backoffDelayMs(this.deps.retry, attempt));
      // The losing write got the winner's item back (ALL_OLD); read only if it did not.
      record = result.current ?? (await this.deps.store.read(key));
    }
  }
}
