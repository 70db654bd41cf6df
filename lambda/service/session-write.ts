import {
  type CommitContext,
  decideSessionWrite,
  type SessionWriteAnswer,
  type SessionWriteDecision,
  type SessionWriteRequest,
} from '../domain/session/commit';
import { hasPrecondition, type WritePreconditions } from '../domain/session/preconditions';
import type { SessionRecord, SessionRecordToWrite } from '../domain/session/session-record';
import { decideElementWrite, type ElementWriteRequest } from '../domain/session/sub-resources';
import { type SessionReference, sessionKey } from '../domain/session-reference';
import { resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import type { StoredRecord } from '../store/session-store';
import type { ConditionalWriter } from './conditional-write';

/** The conditional-write loop over session items. */
export type SessionWriter = ConditionalWriter<StoredRecord, SessionRecordToWrite>;

export interface WriteRequest extends SessionWriteRequest {
  readonly ref: SessionReference;
}

/** What a session write is made with. */
interface SessionWriteDeps {
  readonly templates: TemplateCatalogue;
  readonly writer: SessionWriter;
  readonly newGuid: () => string;
}

/**
 * PUT of a session (spec §8 PUT): the domain's decision (decideSessionWrite: preconditions, merge, budgets, change
 * number, nocommit, no-op) written by the conditional-write loop (attempts, back-off, lost answers, 503).
 * A request with a precondition is decided again at once on the item that beat it: its answer is a 412 with that
 * session, never a blind retry.
 */
export function writeSession(deps: SessionWriteDeps, request: WriteRequest): Promise<SessionWriteAnswer> {
  return writeDecided(deps, request, (record, now, context) => decideSessionWrite(record, request, now, context));
}

/** A write of one element of a session (a sub-resource, family spec §2). */
export interface ElementRequest extends ElementWriteRequest {
  readonly ref: SessionReference;
}

/**
 * A sub-resource write (family spec §2): the equivalent session PUT, decided by decideElementWrite (which adds only
 * "never creates" and "an absent element is 204" to decideSessionWrite), through the same loop as a PUT.
 */
export function writeSessionElement(deps: SessionWriteDeps, request: ElementRequest): Promise<SessionWriteAnswer> {
  return writeDecided(deps, request, (record, now, context) => decideElementWrite(record, request, now, context));
}

/** The conditional-write loop around one of the domain's session write decisions. */
function writeDecided(
  deps: SessionWriteDeps,
  request: { readonly ref: SessionReference } & WritePreconditions,
  decide: (record: SessionRecord | undefined, now: number, context: CommitContext) => SessionWriteDecision,
): Promise<SessionWriteAnswer> {
  const context: CommitContext = { template: resolveTemplate(deps.templates, request.ref), newGuid: deps.newGuid };
  return deps.writer.write({
    key: sessionKey(request.ref),
    decide: (record, now) => decide(record, now, context),
    afterLostRace: hasPrecondition(request) ? 'decide-on-winner' : 'back-off',
    outcomeOf: (answer) => answer.kind,
  });
}
