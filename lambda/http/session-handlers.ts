import type { TokenVerifier } from '../auth/token-verifier';
import { MpsdError } from '../domain/errors';
import type { Principal } from '../domain/principal';
import type { ContractVersion } from '../domain/render';
import { parseSessionReference, type SessionReference, sessionPath } from '../domain/session-reference';
import type { FairUseGate } from '../service/fair-use-gate';
import type { SessionAnswer, SessionService } from '../service/session-service';
import type { ApiEvent, ApiHandler, ApiResult } from './api-types';
import { checkContentType } from './content-type';
import { readContractVersion } from './contract-version';
import { tooManyRequests } from './fair-use-response';
import { headerValue } from './headers';
import { readNoCommit } from './nocommit';
import { readRequestBody } from './request-body';
import { errorResponse, noContent, notModified, sessionResponse } from './responses';

/** Where failures are reported: 5xx causes are logged, never answered. */
export interface ErrorLog {
  error(message: string, details: Record<string, unknown>): void;
}

/** What both handlers are built from. */
export interface SessionHandlerDeps {
  readonly service: SessionService;
  readonly verifier: TokenVerifier;
  readonly clock: () => number;
  readonly log: ErrorLog;
  /** Fair-use limits (spec §1.6), checked right after authentication; absent when the limits are off. */
  readonly fairUse?: FairUseGate;
}

function referenceOf(event: ApiEvent): SessionReference {
  const p = event.pathParameters ?? {};
  return parseSessionReference(p.scid, p.sessionTemplateName, p.sessionName);
}

function answered(statusCode: number, answer: SessionAnswer, ref: SessionReference, now: number): ApiResult {
  return sessionResponse(statusCode, answer.rendered, {
    etag: answer.etag,
    contentLocation: sessionPath(ref),
    now,
    ...(answer.nextTimer === undefined ? {} : { nextTimer: answer.nextTimer }),
  });
}

/**
 * Runs one request, turning refusals into their catalogued responses: MpsdError to its status (a store that may
 * recover is already the service's 503 MpsdError with Retry-After), anything else to a 500 that says nothing internal
 * and is logged with its cause.
 */
async function guarded(event: ApiEvent, deps: SessionHandlerDeps, run: () => Promise<ApiResult>): Promise<ApiResult> {
  try {
    return await run();
  } catch (error) {
    const now = deps.clock();
    if (error instanceof MpsdError) {
      if (error.status >= 500)
        deps.log.error('request failed', {
          requestId: event.requestContext?.requestId,
          code: error.code,
          cause: error.cause,
        });
      return errorResponse(error, now);
    }
    const requestId = event.requestContext?.requestId;
    deps.log.error('unexpected failure', { requestId, error });
    return errorResponse(
      new MpsdError(
        'InternalError',
        `The service failed to handle the request (request id ${requestId ?? 'unknown'}).`,
      ),
      now,
    );
  }
}

/**
 * What both methods check first, in this order: who is calling (401), whether the caller is over its fair-use limit
 * (429; counted before anything else so refused requests count too), the contract version, the session reference
 * and the content type (400/415).
 */
async function admit(
  event: ApiEvent,
  deps: SessionHandlerDeps,
  method: 'GET' | 'PUT',
  hasBody: boolean,
): Promise<{ principal: Principal; contractVersion: ContractVersion; ref: SessionReference } | { refusal: ApiResult }> {
  const principal = await deps.verifier(headerValue(event.headers, 'authorization'));
  const limited = await deps.fairUse?.(principal, event.pathParameters?.scid);
  if (limited !== undefined) return { refusal: tooManyRequests(limited, deps.clock()) };
  const contractVersion = readContractVersion(headerValue(event.headers, 'x-xbl-contract-version'));
  const ref = referenceOf(event);
  checkContentType(method, headerValue(event.headers, 'content-type'), hasBody);
  return { principal, contractVersion, ref };
}

/** GET of the session resource (spec §1.3): 200 with the session, 204 when absent, 304 when unchanged. */
export function makeGetSessionHandler(deps: SessionHandlerDeps): ApiHandler {
  return (event) =>
    guarded(event, deps, async () => {
      const admitted = await admit(event, deps, 'GET', false);
      if ('refusal' in admitted) return admitted.refusal;
      const { principal, contractVersion, ref } = admitted;
      const result = await deps.service.read({
        ref,
        principal,
        contractVersion,
        ifNoneMatch: headerValue(event.headers, 'if-none-match'),
      });
      const now = deps.clock();
      if (result.kind === 'absent') return noContent(now);
      if (result.kind === 'not-modified') return notModified(result.etag, now);
      return answered(200, result.session, ref, now);
    });
}

/**
 * PUT of the session resource (spec §1.4): 201 created, 200 updated, 204 when the session is gone, 412 with the
 * current session when a precondition fails.
 */
export function makePutSessionHandler(deps: SessionHandlerDeps): ApiHandler {
  return (event) =>
    guarded(event, deps, async () => {
      const admitted = await admit(event, deps, 'PUT', (event.body ?? '') !== '');
      if ('refusal' in admitted) return admitted.refusal;
      const { principal, contractVersion, ref } = admitted;
      const noCommit = readNoCommit(event.queryStringParameters?.nocommit);
      const body = readRequestBody(event.body, event.isBase64Encoded);
      const result = await deps.service.write({
        ref,
        principal,
        contractVersion,
        body,
        ifMatch: headerValue(event.headers, 'if-match'),
        ifNoneMatch: headerValue(event.headers, 'if-none-match'),
        noCommit,
      });
      const now = deps.clock();
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
    });
}
