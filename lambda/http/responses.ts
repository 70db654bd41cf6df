import { type MpsdError, STATUS_BY_CODE } from '../domain/errors';
import { answerText, type SessionAnswer } from '../domain/session/session-answer';
import type { ApiResult } from './api-types';
import { noteChangeNumber } from './request-facts';

/** Headers every session rendering carries (spec §1.5). */
export interface SessionHeaders {
  readonly etag: string;
  /** The session's path (not a URL: XSAPI splits it on '/'). */
  readonly contentLocation: string;
  /** Epoch ms of `nextTimer`, sent as `Expires`; absent when no timer is pending. */
  readonly nextTimer?: number;
  readonly now: number;
}

function baseHeaders(now: number): Record<string, string> {
  return { date: new Date(now).toUTCString() };
}

/** A response whose body is the session (200, 201, and the documented 412 with the current session). */
export function sessionResponse(statusCode: number, answer: SessionAnswer, headers: SessionHeaders): ApiResult {
  // The request's line names the changeNumber it answered (request-facts.ts).
  noteChangeNumber(answer.rendered.changeNumber);
  return {
    statusCode,
    headers: {
      ...baseHeaders(headers.now),
      'content-type': 'application/json',
      etag: headers.etag,
      'content-location': headers.contentLocation,
      ...(headers.nextTimer === undefined ? {} : { expires: new Date(headers.nextTimer).toUTCString() }),
    },
    body: answerText(answer),
  };
}

/** 204: no such session (GET), or the PUT deleted it or created nothing (spec §1.6). */
export function noContent(now: number): ApiResult {
  return { statusCode: 204, headers: baseHeaders(now) };
}

/** 304 for a GET whose If-None-Match names the current ETag. */
export function notModified(etag: string, now: number): ApiResult {
  return { statusCode: 304, headers: { ...baseHeaders(now), etag } };
}

/**
 * A refusal: JSON `{"code","message"}` (DESIGN.md: some clients parse every PUT answer as JSON), with
 * `Retry-After` on 429 and 503.
 */
export function errorResponse(error: MpsdError, now: number): ApiResult {
  const headers: Record<string, string> = { ...baseHeaders(now), 'content-type': 'application/json' };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.code === 'MissingAuthorization' || error.code === 'InvalidToken' || error.code === 'InvalidNonce') {
    headers['www-authenticate'] = 'XBL3.0 realm="session-directory"';
  }
  return {
    statusCode: STATUS_BY_CODE[error.code],
    headers,
    body: JSON.stringify({ code: error.code, message: error.message }),
  };
}
