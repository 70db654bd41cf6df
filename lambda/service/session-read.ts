import { etagMatches } from '../domain/etag';
import { type AccessGrant, assertCanRead } from '../domain/permissions';
import type { Principal } from '../domain/principal';
import type { ContractVersion } from '../domain/session/legacy-contract';
import { viewAt } from '../domain/session/live-view';
import { answerSession, type SessionAnswer } from '../domain/session/session-answer';
import { type SessionReference, sessionKey } from '../domain/session-reference';
import { resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import type { SessionWriter } from './session-write';

export interface ReadRequest {
  readonly ref: SessionReference;
  readonly principal: Principal;
  readonly contractVersion: ContractVersion;
  readonly ifNoneMatch: string | undefined;
  /** A handle's extra access, when the GET comes through an invite or transfer handle. */
  readonly grant?: AccessGrant;
}

export type ReadResult =
  | { readonly kind: 'found'; readonly session: SessionAnswer }
  | { readonly kind: 'not-modified'; readonly etag: string }
  | { readonly kind: 'absent' };

/**
 * GET of a session (spec §8 GET): read (store faults retried within the budget), due timers applied to the view
 * but never stored (GET stays read-only), the read permission, If-None-Match's 304.
 */
export async function readSession(
  deps: {
    readonly templates: TemplateCatalogue;
    /** Reads the session's item, retrying store faults within the attempt budget. */
    readonly writer: SessionWriter;
    readonly clock: () => number;
  },
  request: ReadRequest,
): Promise<ReadResult> {
  resolveTemplate(deps.templates, request.ref);
  const record = await deps.writer.read(sessionKey(request.ref));
  const { session, etag } = viewAt(record, deps.clock());
  if (session === undefined) return { kind: 'absent' };
  assertCanRead(session, request.principal, request.grant);
  if (request.ifNoneMatch !== undefined && etagMatches(request.ifNoneMatch, etag))
    return { kind: 'not-modified', etag };
  return { kind: 'found', session: answerSession(session, etag, request.contractVersion, request.principal) };
}
