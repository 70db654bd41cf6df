import type { FairUseRule } from '../domain/fair-use';
import { type Handle, renderHandle } from '../domain/handles/handle';
import { parseIncludes } from '../domain/handles/handle-query';
import { isJsonObject, type JsonObject, type JsonValue, stringifyExactJson } from '../domain/json';
import type { SessionDocument } from '../domain/session-document';
import type { FairUseGate } from '../service/fair-use-gate';
import type { HandleService } from '../service/handle-service';
import type { ApiResult } from './api-types';
import { tooManyRequests } from './fair-use-response';
import type { HttpHandler, ResourceResolver } from './pipeline';
import { noContent } from './responses';
import { sessionLogKeys } from './session-from-path';
import { getSession, putSession, type SessionResourceDeps, type SessionTarget } from './session-resource';

// The handle routes (spec/mpsd-family.md §3): `POST /handles`, `POST /handles/query`, `GET|DELETE /handles/{id}` and
// `GET|PUT /handles/{id}/session`. The last two are the session resource's own handlers (session-resource.ts) behind
// a resolver that turns the handle id into the session it names: the same session rules, the same answers, with
// `Content-Location` naming the session.

/** What the handle routes need beyond the pipeline. */
export interface HandleResourceDeps {
  readonly handles: HandleService;
  /** Epoch ms, for the `Date` header. */
  readonly clock: () => number;
  /** The pipeline's fair-use gate: search reads and writes also count against the search limits (spec §1.4). */
  readonly fairUse?: FairUseGate;
}

/**
 * Counts a search-handle read or write against the search limits (family spec §1.4), with the same gate and counters
 * store as every request; the 429 it answers is the pipeline's. Counted before the body is judged, as the pipeline
 * counts refused requests too. Undefined to go on.
 */
async function searchLimit(
  deps: HandleResourceDeps,
  principal: Parameters<FairUseGate>[0],
  scid: JsonValue | undefined,
  rule: FairUseRule,
): Promise<ApiResult | undefined> {
  const exceeded = await deps.fairUse?.(principal, typeof scid === 'string' ? scid : undefined, rule);
  return exceeded === undefined ? undefined : tooManyRequests(exceeded, deps.clock());
}

/** The SCID a handle body names (`sessionRef.scid` on a POST, `scid` on a query), for the fair-use policy. */
function scidOfBody(body: JsonValue): JsonValue | undefined {
  if (!isJsonObject(body)) return undefined;
  return isJsonObject(body.sessionRef) ? body.sessionRef.scid : body.scid;
}

function isSearch(body: JsonValue): boolean {
  return isJsonObject(body) && body.type === 'search';
}

/** A live handle named by the path's `{handleId}`, with its session as it is now. */
export interface ResolvedHandle {
  readonly handle: Handle;
  readonly session: SessionDocument | undefined;
}

function jsonResponse(statusCode: number, body: JsonObject, now: number): ApiResult {
  return {
    statusCode,
    headers: { date: new Date(now).toUTCString(), 'content-type': 'application/json' },
    body: stringifyExactJson(body),
  };
}

/** Routes whose resource is in the body (`POST /handles`, `POST /handles/query`): nothing to resolve from the path. */
const fromBody: ResourceResolver<unknown, undefined> = {
  resolve: () => undefined,
  logKeys: () => ({}),
};

/** `{handleId}` to its live handle (404 HandleNotFound otherwise). */
const handleFromPath: ResourceResolver<HandleResourceDeps, ResolvedHandle> = {
  resolve: ({ event }, deps) => deps.handles.resolve(event.pathParameters?.handleId),
  logKeys: ({ handle }) => ({ handle: handle.id, ...sessionLogKeys(handle.sessionRef) }),
};

/**
 * `{handleId}` to the session the handle names, with the extra access it gives the caller: what the session handlers
 * run on (§3.9, §3.10).
 */
const sessionOfHandle: ResourceResolver<HandleResourceDeps, SessionTarget> = {
  resolve: ({ event, principal }, deps) => deps.handles.sessionTarget(event.pathParameters?.handleId, principal),
  logKeys: (ref) => sessionLogKeys(ref),
};

/** `POST /handles` (§3.2): 201 with the new handle, 200 with the same live activity re-posted; never 204. */
export const postHandle: HttpHandler<HandleResourceDeps, undefined, 'json'> = {
  method: 'POST',
  body: 'json',
  untypedBody: 'json',
  resolver: fromBody,
  async handle({ principal, body }, deps) {
    if (isSearch(body)) {
      const limited = await searchLimit(deps, principal, scidOfBody(body), 'search-write');
      if (limited !== undefined) return limited;
    }
    const created = await deps.handles.create(body, principal);
    return jsonResponse(created.status, created.handle, deps.clock());
  },
};

/** `POST /handles/query` (§3.11, §4.2 for `type: "search"`): 200 `{"results": [...]}`, `[]` when none. */
export const queryHandles: HttpHandler<HandleResourceDeps, undefined, 'json'> = {
  method: 'POST',
  body: 'json',
  resolver: fromBody,
  async handle({ event, principal, body }, deps) {
    if (isSearch(body)) {
      const limited = await searchLimit(deps, principal, scidOfBody(body), 'search-read');
      if (limited !== undefined) return limited;
    }
    const includes = parseIncludes(event.queryStringParameters?.include);
    const results = await deps.handles.query(body, includes, principal);
    return jsonResponse(200, { results }, deps.clock());
  },
};

/** `GET /handles/{id}` (§3.7): 200 with the handle; readable by any authenticated user (§7 item 9). */
export const getHandle: HttpHandler<HandleResourceDeps, ResolvedHandle, 'none'> = {
  method: 'GET',
  body: 'none',
  resolver: handleFromPath,
  async handle({ resource }, deps) {
    return jsonResponse(200, renderHandle(resource.handle), deps.clock());
  },
};

/** `DELETE /handles/{id}` (§3.8): 204; 403 unless its owner, sender, invitee, creator or a server. */
export const deleteHandle: HttpHandler<HandleResourceDeps, ResolvedHandle, 'none'> = {
  method: 'DELETE',
  body: 'none',
  resolver: handleFromPath,
  async handle({ principal, resource }, deps) {
    if (resource.handle.type === 'search') {
      const limited = await searchLimit(deps, principal, resource.handle.sessionRef.scid, 'search-write');
      if (limited !== undefined) return limited;
    }
    await deps.handles.delete(resource.handle, principal, resource.session);
    return noContent(deps.clock());
  },
};

/** `GET /handles/{id}/session` (§3.9): the session GET on the session the handle names. */
export const getHandleSession: HttpHandler<HandleResourceDeps & SessionResourceDeps, SessionTarget, 'none'> = {
  ...getSession,
  resolver: sessionOfHandle,
};

/** `PUT /handles/{id}/session` (§3.10): the session PUT on the session the handle names (a join answers 200). */
export const putHandleSession: HttpHandler<HandleResourceDeps & SessionResourceDeps, SessionTarget, 'json'> = {
  ...putSession,
  resolver: sessionOfHandle,
};
