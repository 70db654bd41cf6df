import { type FairUseExceeded, fairUseBody } from '../domain/fair-use';
import type { ApiResult } from './api-types';

/**
 * 429 with MPSD's own body and `Retry-After` (spec §1.6, [D-FGRL]): clients that back off read both, so the body is
 * MPSD's shape rather than the service's `{"code","message"}`.
 */
export function tooManyRequests(exceeded: FairUseExceeded, now: number): ApiResult {
  return {
    statusCode: 429,
    headers: {
      date: new Date(now).toUTCString(),
      'content-type': 'application/json',
      'retry-after': String(exceeded.retryAfterSeconds),
    },
    body: JSON.stringify(fairUseBody(exceeded)),
  };
}
