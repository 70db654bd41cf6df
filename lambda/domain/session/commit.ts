import { etagOf } from '../etag';
import { type JsonObject, type JsonValue, jsonEquals } from '../json';
import { type AccessGrant, assertCanRead } from '../permissions';
import type { Principal } from '../principal';
import type { SessionDocument } from '../session-document';
import { checkSessionSize, checkSizeBudgets } from '../session-size';
import type { SessionTemplate } from '../templates';
import { applySessionRequest } from './apply-request';
import type { ContractVersion } from './legacy-contract';
import { viewAt } from './live-view';
import { checkPreconditions, type WritePreconditions } from './preconditions';
import { answerSession, type SessionAnswer } from './session-answer';
import type { SessionRecord, SessionRecordToWrite } from './session-record';
import type { StoredSessionText } from './session-text';
import { nextTimerAt, untouchedDeletionAt } from './timers';

/** A PUT of the session resource, as the write decision needs it. */
export interface SessionWriteRequest extends WritePreconditions {
  readonly principal: Principal;
  readonly contractVersion: ContractVersion;
  readonly body: JsonValue;
  /** `?nocommit=true`: answer the merged result without storing it (spec §1.1). */
  readonly noCommit: boolean;
  /** A handle's extra access, when the PUT comes through an invite or transfer handle (spec/mpsd-family.md §3.10). */
  readonly grant?: AccessGrant;
}

/** What a session PUT answers. */
export type SessionWriteAnswer =
  | { readonly kind: 'created' | 'updated'; readonly session: SessionAnswer }
  | { readonly kind: 'gone' }
  /** A precondition failed: 412, with the current session when there is one (spec §1.4). */
  | { readonly kind: 'precondition-failed'; readonly session: SessionAnswer | undefined; readonly reason: string };

/**
 * The decision: answer without writing, or write this record and then answer. The answer stands only once the
 * record is stored at exactly the version the decision read.
 */
export type SessionWriteDecision =
  | { readonly answer: SessionWriteAnswer }
  | { readonly write: SessionRecordToWrite; readonly answer: SessionWriteAnswer };

/** What the decision is made with besides the record, the request and the time. */
export interface CommitContext {
  /** The session's template (resolved from its reference). */
  readonly template: SessionTemplate;
  readonly newGuid: () => string;
}

// Slack added to the TTL so DynamoDB never collects an item a lazy read would still show.
const TTL_SLACK_SECONDS = 60;
// How long a deleted session's marker is kept (its correlation id survives a re-creation within this time).
const TOMBSTONE_LIFETIME_SECONDS = 24 * 60 * 60;

/**
 * Decides a session PUT (spec §8 PUT steps 4-9) from the record as read at `now`: due timers applied, the
 * preconditions (a 412 carries the session only to a caller who may read it), the request merged
 * (applySessionRequest), the size budgets and the size backstop, the change number, `nocommit`, and a PUT that
 * changes nothing answered without a write. Refusals are thrown as MpsdError. Pure: the same inputs decide the same.
 */
export function decideSessionWrite(
  record: SessionRecord | undefined,
  request: SessionWriteRequest,
  now: number,
  context: CommitContext,
): SessionWriteDecision {
  const view = viewAt(record, now);
  const precondition = checkPreconditions(view, request);
  if (precondition.failed) {
    // The 412 carries the session (spec §1.4), so it may go only to a caller who may read it: otherwise a
    // stranger could read a private session by sending `If-None-Match: *`.
    if (view.session !== undefined) assertCanRead(view.session, request.principal, request.grant);
    return {
      answer: {
        kind: 'precondition-failed',
        reason: precondition.reason,
        session:
          view.session === undefined
            ? undefined
            : answerSession(view.session, view.etag, request.contractVersion, request.principal),
      },
    };
  }
  const outcome = applySessionRequest(view.session, request.body, {
    principal: request.principal,
    template: context.template,
    now,
    contractVersion: request.contractVersion,
    newGuid: context.newGuid,
    ...(view.previousCorrelationId === undefined ? {} : { previousCorrelationId: view.previousCorrelationId }),
    ...(request.grant === undefined ? {} : { grant: request.grant }),
  });
  if (outcome.kind === 'not-created') return { answer: { kind: 'gone' } };
  if (outcome.kind === 'deleted') {
    if (request.noCommit) return { answer: { kind: 'gone' } };
    return {
      write: tombstoneOf(
        view.session?.correlationId ?? view.previousCorrelationId ?? '',
        now,
        (view.session?.changeNumber ?? view.previousChangeNumber ?? 0) + 1,
      ),
      answer: { kind: 'gone' },
    };
  }
  // Before the nocommit answer too: a preview answers what a commit would.
  checkSizeBudgets(view.session, outcome.session, context.template.sizeBudgets ?? {}, request.principal);
  const unchanged =
    record?.kind === 'session' &&
    !view.changedByTimers &&
    jsonEquals(record.document as unknown as JsonObject, outcome.session as unknown as JsonObject);
  if (unchanged) {
    // Exactly the stored document (no timer fired): the commit's own ETag, and nothing to write.
    const etag = etagOf(outcome.session.branch, outcome.session.changeNumber);
    return {
      answer: {
        kind: outcome.kind,
        session: answerSession(outcome.session, etag, request.contractVersion, request.principal),
      },
    };
  }
  // A session created again continues after the number its deletion took (family spec §6.8), never from 1.
  const committedBefore = view.session?.changeNumber ?? view.previousChangeNumber ?? 0;
  if (request.noCommit) {
    outcome.session.changeNumber = committedBefore + 1;
    // Nothing was stored: the ETag must match no commit, or an If-Match with it would pass against whatever the
    // next real write stores under the same change number.
    const etag = etagOf(`${outcome.session.branch}:nocommit`, outcome.session.changeNumber);
    return {
      answer: {
        kind: outcome.kind,
        session: answerSession(outcome.session, etag, request.contractVersion, request.principal),
      },
    };
  }
  outcome.session.changeNumber = committedBefore + 1;
  // The text the backstop measured is the text stored: the document is not changed after this point.
  const storedText = checkSessionSize(outcome.session);
  return {
    write: sessionRecordOf(outcome.session, storedText),
    answer: {
      kind: outcome.kind,
      session: answerSession(
        outcome.session,
        etagOf(outcome.session.branch, outcome.session.changeNumber),
        request.contractVersion,
        request.principal,
      ),
    },
  };
}

/**
 * The tombstone a deleted session leaves: its correlation id and the change number the deletion took, for 24 h
 * (DESIGN.md, "Decisions"; family spec §6.8).
 */
export function tombstoneOf(correlationId: string, now: number, changeNumber: number): SessionRecordToWrite {
  return {
    kind: 'deleted',
    correlationId,
    changeNumber,
    expiresAt: Math.ceil(now / 1000) + TOMBSTONE_LIFETIME_SECONDS,
  };
}

/**
 * The record of a session to commit: with the TTL its timers allow, and when its next timer is due, which puts it
 * in the sweeper's index (README, "Timers that fire on their own"). `storedText`, when given, must be the
 * document's stored text (checkSessionSize's): it is what the item codec stores.
 */
export function sessionRecordOf(session: SessionDocument, storedText?: StoredSessionText): SessionRecordToWrite {
  const deletionAt = untouchedDeletionAt(session);
  const dueAt = nextTimerAt(session);
  return {
    kind: 'session',
    document: session,
    ...(storedText === undefined ? {} : { storedText }),
    ...(deletionAt === undefined ? {} : { expiresAt: Math.ceil(deletionAt / 1000) + TTL_SLACK_SECONDS }),
    ...(dueAt === undefined ? {} : { timersDueAt: dueAt }),
  };
}
