import { etagMatches } from '../etag';
import type { LiveView } from './live-view';

/** The conditional request headers of a session PUT (spec §1.4). */
export interface WritePreconditions {
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
}

/** True when the request carries a precondition: its answer depends on exactly which item it was checked against. */
export function hasPrecondition(request: WritePreconditions): boolean {
  return request.ifMatch !== undefined || request.ifNoneMatch !== undefined;
}

/**
 * Checks If-None-Match (`*`: create only) and If-Match (`*`: must exist; an ETag: must be at it) against the session
 * as of now (spec §1.4, §7.1). A failure is a 412, never a retry.
 */
export function checkPreconditions(
  view: LiveView,
  request: WritePreconditions,
): { readonly failed: false } | { readonly failed: true; readonly reason: string } {
  if (request.ifNoneMatch !== undefined && request.ifNoneMatch.trim() === '*' && view.session !== undefined) {
    return { failed: true, reason: 'If-None-Match: * was sent and the session exists.' };
  }
  if (request.ifMatch !== undefined) {
    if (view.session === undefined)
      return { failed: true, reason: 'If-Match was sent and the session does not exist.' };
    if (!etagMatches(request.ifMatch, view.etag)) {
      return { failed: true, reason: "If-Match does not name the session's current ETag." };
    }
  }
  return { failed: false };
}
