import { MpsdError } from '../domain/errors';
import type { AccessGrant } from '../domain/permissions';
import type { SessionReference } from '../domain/session-reference';
import type { SessionAnswer, SessionService, WriteResult } from '../service/session-service';
import type { ApiResult } from './api-types';
import { headerValue } from './headers';
import { readNoCommit } from './nocommit';
import type { HttpHandler } from './pipeline';
import { errorResponse, noContent, notModified, sessionResponse } from './responses';
import { sessionFromPath, sessionPath } from './session-from-path';

// The session resource, `GET|PUT /serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}`
// (spec/mpsd-session.md §1.3, §1.4): two handlers on the request pipeline (pipeline.ts), which has already checked
// the token, fair use, the contract version, the content type and the body, and resolved the session reference.

/**
 * The session a request acts on: its reference and, when a handle led to it (`/handles/{id}/session`), the extra
 * access that handle gives the caller (spec/mpsd-family.md §3.10).
 */
export interface SessionTarget extends SessionReference {
  readonly grant?: AccessGrant;
}

/** What the session resource's handlers need beyond the pipeline. */
export interface SessionResourceDeps {
  readonly service: SessionService;
  /** Epoch ms, for the `Date` header. */
  readonly clock: () => number;
}

function answered(statusCode: number, answer: SessionAnswer, ref: SessionReference, now: number): ApiResult {
  return sessionResponse(statusCode, answer, {
    etag: answer.etag,
    contentLocation: sessionPath(ref),
    now,
    ...(answer.nextTimer === undefined ? {} : { nextTimer: answer.nextTimer }),
  });
}

/** GET of the session resource (spec §1.3): 200 with the session, 204 when absent, 304 when unchanged. */
export const getSession: HttpHandler<SessionResourceDeps, SessionTarget, 'none'> = {
  method: 'GET',
  body: 'none',
  resolver: sessionFromPath,
  async handle({ event, principal, contractVersion, resource: ref }, deps) {
    const result = await deps.service.read({
      ref,
      principal,
      contractVersion,
      ifNoneMatch: headerValue(event.headers, 'if-none-match'),
      ...(ref.grant === undefined ? {} : { grant: ref.grant }),
    });
    const now = deps.clock();
    if (result.kind === 'absent') return noContent(now);
    if (result.kind === 'not-modified') return notModified(result.etag, now);
    return answered(200, result.session, ref, now);
  },
};

/**
 * PUT of the session resource (spec §1.4): 201 created, 200 updated, 204 when the session is gone, 412 with the
 * current session when a precondition fails.
 */
export const putSession: HttpHandler<SessionResourceDeps, SessionTarget, 'json'> = {
  method: 'PUT',
  body: 'json',
  resolver: sessionFromPath,
  async handle({ event, principal, contractVersion, body, resource: ref }, deps) {
    const noCommit = readNoCommit(event.queryStringParameters?.nocommit);
    const result = await deps.service.write({
      ref,
      principal,
      contractVersion,
      body,
      ifMatch: headerValue(event.headers, 'if-match'),
      ifNoneMatch: headerValue(event.headers, 'if-none-match'),
      noCommit,
      ...(ref.grant === undefined ? {} : { grant: ref.grant }),
    });
    return writeAnswered(result, ref, deps.clock());
  },
};

/**
 * The answer to a session write, a PUT's or a sub-resource's (family spec §2: "as a session PUT"): 201 created,
 * 200 updated, 204 gone, 412 with the current session (or a JSON error when there is none). Every answer with a
 * session carries its ETag, Content-Location and, with a pending timer, Expires.
 */
export function writeAnswered(result: WriteResult, ref: SessionReference, now: number): ApiResult {
  switch (result.kind) {
    case 'created':
      return answered(201, result.session, ref, now);
    case 'updated':
      return answered(200, result.session, ref, now);
    case 'gone':
      return noContent(now);
    case 'precondition-failed':
      if (result.session !== undefined) return answered(412, result.session, ref, now);
      return errorResponse(new MpsdError('PreconditionFailed', result.reason), now);
  }
}
