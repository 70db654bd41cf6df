import type { SessionElement } from '../domain/session/sub-resources';
import type { SessionReference } from '../domain/session-reference';
import { headerValue } from './headers';
import type { HttpHandler, ResolvedRequest } from './pipeline';
import { sessionFromPath } from './session-from-path';
import { type SessionResourceDeps, writeAnswered } from './session-resource';

// The session sub-resources (family spec §2), under the session's path and on the same request pipeline. Each is
// the equivalent session PUT, decided by the one write decision (domain/session/sub-resources.ts over commit.ts)
// and written by the one conditional-write loop; these handlers only name the element and answer as a PUT does.

/** Writes one element of the session the path names, with the request's preconditions, and answers as a PUT. */
async function writeElement(
  request: ResolvedRequest<SessionReference>,
  element: SessionElement,
  deps: SessionResourceDeps,
) {
  const result = await deps.service.writeElement({
    ref: request.resource,
    principal: request.principal,
    contractVersion: request.contractVersion,
    element,
    body: request.body,
    ifMatch: headerValue(request.event.headers, 'if-match'),
    ifNoneMatch: headerValue(request.event.headers, 'if-none-match'),
  });
  return writeAnswered(result, request.resource, deps.clock());
}

/**
 * `PUT …/sessions/{sessionName}/properties` (family spec §2.1): a session PUT of `{"properties": <body>}` that never
 * creates: 200 with the session, 404 when it does not exist, 412 on a failed `If-Match`.
 */
export const putSessionProperties: HttpHandler<SessionResourceDeps, SessionReference, 'json'> = {
  method: 'PUT',
  body: 'json',
  resolver: sessionFromPath,
  handle: (request, deps) => writeElement(request, { kind: 'properties' }, deps),
};

/**
 * `DELETE …/sessions/{sessionName}/members/me` and `…/members/{index}` (family spec §2.2, §2.3): a session PUT of
 * `{"members": {"me": null}}` or `{"members": {"<index>": null}}`. The `members/me` route has no `{index}`.
 * 200 with the session, 204 when the member was not there or the session ended, 404 when the session does not exist.
 */
export const deleteSessionMember: HttpHandler<SessionResourceDeps, SessionReference, 'none'> = {
  method: 'DELETE',
  body: 'none',
  resolver: sessionFromPath,
  handle: (request, deps) =>
    writeElement(request, { kind: 'member', key: request.event.pathParameters?.index ?? 'me' }, deps),
};

/**
 * `DELETE …/sessions/{sessionName}/servers/{serverName}` (family spec §2.4): a session PUT of
 * `{"servers": {"<name>": null}}`, for server principals. 200 with the session, 204 when no entry has that name.
 */
export const deleteSessionServer: HttpHandler<SessionResourceDeps, SessionReference, 'none'> = {
  method: 'DELETE',
  body: 'none',
  resolver: sessionFromPath,
  handle: (request, deps) =>
    writeElement(request, { kind: 'server', name: request.event.pathParameters?.serverName ?? '' }, deps),
};
