import type { TokenVerifier } from '../auth/token-verifier';
import { MpsdError, serviceUnavailable } from '../domain/errors';
import type { JsonValue } from '../domain/json';
import type { Principal } from '../domain/principal';
import { type ContractVersion, CURRENT_CONTRACT_VERSION } from '../domain/session/legacy-contract';
import type { FairUseGate } from '../service/fair-use-gate';
import { StoreUnavailableError } from '../store/versioned-store';
import type { ApiEvent, ApiHandler, ApiResult } from './api-types';
import { checkContentType } from './content-type';
import { readContractVersion } from './contract-version';
import { tooManyRequests } from './fair-use-response';
import { headerValue } from './headers';
import { readRequestBody } from './request-body';
import { gatherRequestFacts, type RequestFacts } from './request-facts';
import type { RequestLine, RequestLog } from './request-log';
import type { RequestMetrics } from './request-metrics';
import { errorResponse } from './responses';
import type { RouteMethod } from './routes';

// The one request pipeline every HTTP handler runs in (DESIGN.md, "Layout"), in this order:
//   1. token          401  deps.verifier                      (lambda/auth/token-verifier.ts)
//   2. fair use       429  deps.fairUse, by the path's SCID    (lambda/service/fair-use-gate.ts, fair-use-response.ts)
//   3. contract ver.  400  readContractVersion                 (contract-version.ts); skipped where clients send none
//   4. content type   415  checkContentType                    (content-type.ts)
//   5. body           400/413 readRequestBody, if the handler takes one (request-body.ts)
//   6. resolve        the handler's resolver: a session reference from the path, a handle id to its session, ...
//   7. the handler
//   8. error mapping  MpsdError -> its status; anything else -> 500 saying nothing internal, logged with its cause
// and one log line per request. A handler module declares what it needs (HttpHandler) and the wiring
// (lambda/runtime/wiring.ts) puts it in the pipeline with makePipelineHandler.

/** What the pipeline is built from, for every handler alike. */
export interface PipelineDeps {
  readonly verifier: TokenVerifier;
  /** Fair-use limits (spec §1.6), checked right after authentication; absent when the limits are off. */
  readonly fairUse?: FairUseGate;
  /** Epoch ms. */
  readonly clock: () => number;
  readonly log: RequestLog;
  /** Each request's figures (EMF in a deployed function); absent locally. */
  readonly metrics?: RequestMetrics;
}

/** Whether a handler takes a JSON body (`json`: steps 4 and 5 read it) or none (`none`: any body is ignored). */
export type BodyPolicy = 'json' | 'none';

/** The body a handler receives under its policy: the parsed JSON object (`{}` when empty), or nothing. */
export type BodyOf<B extends BodyPolicy> = B extends 'json' ? JsonValue : undefined;

/** A request that passed steps 1-5: who calls, in which contract version, with which body. */
export interface AdmittedRequest<Body = JsonValue | undefined> {
  readonly event: ApiEvent;
  readonly principal: Principal;
  readonly contractVersion: ContractVersion;
  readonly body: Body;
}

/** What a handler runs on: an admitted request and the resource its resolver found. */
export interface ResolvedRequest<Resource, Body = JsonValue | undefined> extends AdmittedRequest<Body> {
  readonly resource: Resource;
}

/**
 * Step 6 of one kind of route: finds the resource a request names (from its path, or its body for `POST /handles`,
 * or a handle id looked up in the store), or throws the MpsdError that says why it cannot (400, 404).
 */
export interface ResourceResolver<Deps, Resource> {
  resolve(request: AdmittedRequest, deps: Deps): Resource | Promise<Resource>;
  /** The keys the request's log line names the resource by (DESIGN.md: the session reference); never a secret. */
  logKeys(resource: Resource): Record<string, string>;
}

/**
 * One route's handler, declared as data next to its code: the method it answers (as in the route table), whether it
 * takes a body, how its resource is resolved, and what it does. `Deps` is what it needs beyond the pipeline's own.
 */
export interface HttpHandler<Deps, Resource, Body extends BodyPolicy = BodyPolicy> {
  readonly method: RouteMethod;
  readonly body: Body;
  readonly resolver: ResourceResolver<Deps, Resource>;
  /**
   * `json`: a body sent without any Content-Type is read as JSON anyway (MCXboxBroadcast posts its invite handles
   * without one, spec/mpsd-family.md §1.2); a Content-Type that is not JSON is still 415. Absent: 415.
   */
  readonly untypedBody?: 'json';
  /**
   * `not-sent`: the route is one clients call without `x-xbl-contract-version` (`GET /nonce`, family spec §1.2), so
   * step 3 is skipped and the request is read as the current contract. Absent: the header is required.
   */
  readonly contractVersion?: 'not-sent';
  handle(request: ResolvedRequest<Resource, BodyOf<Body>>, deps: Deps): Promise<ApiResult>;
}

/** The SCID in the request's path (`{scid}`), or undefined on routes without one (`/handles/...`). */
function scidInPath(event: ApiEvent): string | undefined {
  return event.pathParameters?.scid;
}

/** What the steps learn that the request's line names: the caller, then the resource's keys. */
interface Seen {
  principal?: Principal;
  resourceKeys?: Record<string, string>;
}

/**
 * The Lambda (or local server) handler of one HttpHandler: runs the pipeline's steps in order, then the handler, maps
 * every failure to its answer, logs one line and reports its figures. `operation` names the function in the line
 * (the wiring passes its name in the route table). Built once per container, by the wiring.
 */
export function makePipelineHandler<Deps, Resource, Body extends BodyPolicy>(
  handler: HttpHandler<Deps, Resource, Body>,
  deps: PipelineDeps & Deps,
  operation?: string,
): ApiHandler {
  return async (event, context) => {
    if (context !== undefined) deps.log.addContext?.(context);
    const started = performance.now();
    // Filled as the steps go, so the line of a request that fails later still names the caller and the resource.
    const seen: Seen = {};
    const { result: answered, facts } = await gatherRequestFacts(
      async (): Promise<{ result: ApiResult; code?: string; failure?: Record<string, unknown> }> => {
        try {
          return { result: await runSteps(handler, deps, event, seen) };
        } catch (error) {
          return mapError(error, event, deps.clock());
        }
      },
    );
    const { result, code, failure } = answered;
    const line = requestLine(event, operation, result.statusCode ?? 200, code, started, seen, facts);
    // 5xx at ERROR with the cause; everything else (a 4xx with its code) at INFO: a refusal is the service working.
    if (failure === undefined) deps.log.info?.('request', line);
    else deps.log.error('request failed', { ...line, ...failure });
    deps.metrics?.observe(line);
    return result;
  };
}

/** The request's one line: who, what, how it ended, and what it cost (RequestLine); only the keys that apply. */
function requestLine(
  event: ApiEvent,
  operation: string | undefined,
  status: number,
  code: string | undefined,
  started: number,
  seen: Seen,
  facts: RequestFacts,
): RequestLine {
  const caller = seen.principal;
  return {
    requestId: event.requestContext?.requestId,
    route: event.routeKey,
    ...(operation === undefined ? {} : { operation }),
    status,
    ...(code === undefined ? {} : { code }),
    durationMs: Math.round(performance.now() - started),
    ...(caller === undefined ? {} : { xuid: caller.xuid ?? (caller.isServer ? 'server' : 'unknown') }),
    ...seen.resourceKeys,
    ...(facts.attempts === 0 ? {} : { attempts: facts.attempts, conflicts: facts.conflicts, faults: facts.faults }),
    ...(facts.storeCalls === 0 ? {} : { storeCalls: facts.storeCalls, storeMs: Math.round(facts.storeMs) }),
    ...(facts.changeNumber === undefined ? {} : { changeNumber: facts.changeNumber }),
  };
}

/** Steps 1-7; throws what step 8 maps. */
async function runSteps<Deps, Resource, Body extends BodyPolicy>(
  handler: HttpHandler<Deps, Resource, Body>,
  deps: PipelineDeps & Deps,
  event: ApiEvent,
  seen: Seen,
): Promise<ApiResult> {
  const principal = await deps.verifier(headerValue(event.headers, 'authorization'));
  seen.principal = principal;
  // Counted before anything else is checked, so refused requests count too. The gate counts per user per title
  // (spec §1.6); the path's SCID picks the policy. A path without one (`/handles`) is counted by the token's user and
  // title alone, under the default policy.
  const limited = await deps.fairUse?.(principal, scidInPath(event));
  if (limited !== undefined) return tooManyRequests(limited, deps.clock());
  const contractVersion =
    handler.contractVersion === 'not-sent'
      ? CURRENT_CONTRACT_VERSION
      : readContractVersion(headerValue(event.headers, 'x-xbl-contract-version'));
  const takesBody = handler.body === 'json';
  const contentType = headerValue(event.headers, 'content-type');
  const untypedJson = handler.untypedBody === 'json' && (contentType === undefined || contentType.trim() === '');
  checkContentType(handler.method, contentType, takesBody && !untypedJson && (event.body ?? '') !== '');
  const body = (takesBody ? readRequestBody(event.body, event.isBase64Encoded) : undefined) as BodyOf<Body>;
  const admitted = { event, principal, contractVersion, body };
  const resource = await handler.resolver.resolve(admitted, deps);
  seen.resourceKeys = handler.resolver.logKeys(resource);
  return handler.handle({ ...admitted, resource }, deps);
}

/** The 503 of a store fault no service turned into an answer of its own (a handle's read or write, say). */
const STORE_UNAVAILABLE_MESSAGE =
  'The session directory could not reach its store in time; nothing was half applied. Try again after Retry-After.';

/**
 * Step 8: an MpsdError is its catalogued answer (the write loop already answers its own store faults with 503);
 * a store fault that reaches here is the same 503 with Retry-After, whichever service met it (one home for that
 * rule, so a handler without its own retry loop cannot answer 500 for a throttle); anything else is a 500 that
 * names only the request id. 5xx come back with what the log line needs.
 */
function mapError(
  error: unknown,
  event: ApiEvent,
  now: number,
): { result: ApiResult; code: string; failure?: Record<string, unknown> } {
  if (error instanceof StoreUnavailableError) {
    return mapError(serviceUnavailable(STORE_UNAVAILABLE_MESSAGE, error), event, now);
  }
  if (error instanceof MpsdError) {
    const result = errorResponse(error, now);
    return error.status >= 500
      ? { result, code: error.code, failure: { cause: error.cause } }
      : { result, code: error.code };
  }
  const requestId = event.requestContext?.requestId;
  const refusal = new MpsdError(
    'InternalError',
    `The service failed to handle the request (request id ${requestId ?? 'unknown'}).`,
  );
  return { result: errorResponse(refusal, now), code: refusal.code, failure: { error } };
}
