import {
  type CommitContext,
  decideSessionWrite,
  type SessionWriteAnswer,
  type SessionWriteRequest,
} from '../domain/session/commit';
import { hasPrecondition } from '../domain/session/preconditions';
import type { SessionRecordToWrite } from '../domain/session/session-record';
import { type SessionReference, sessionKey } from '../domain/session-reference';
import { resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import type { StoredRecord } from '../store/session-store';
import type { ConditionalWriter } from './conditional-write';

/** The conditional-write loop over session items. */
export type SessionWriter = ConditionalWriter<StoredRecord, SessionRecordToWrite>;

export interface WriteRequest extends SessionWriteRequest {
  readonly ref: SessionReference;
}

/**
 * PUT of a session (spec §8 PUT): the domain's decision (decideSessionWrite: preconditions, merge, budgets, change
 * number, nocommit, no-op) written by the conditional-write loop (attempts, back-off, lost answers, 503).
 * A request with a precondition is decided again at once on the item that beat it: its answer is a 412 with that
 * session, never a blind retry.
 */
export async function writeSession(
  deps: {
    readonly templates: TemplateCatalogue;
    readonly writer: SessionWriter;
    readonly newGuid: () => string;
  },
  request: WriteRequest,
): Promise<SessionWriteAnswer> {
  const context: CommitContext = { template: resolveTemplate(deps.templates, request.ref), newGuid: deps.newGuid };
  return deps.writer.write({
    key: sessionKey(request.ref),
    decide: (record, now) => decideSessionWrite(record, request, now, context),
    afterLostRace: hasPrecondition(request) ? 'decide-on-winner' : 'back-off',
    outcomeOf: (answer) => answer.kind,
  });
}
