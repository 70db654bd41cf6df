import { MpsdError } from '../errors';
import type { Principal } from '../principal';
import type { SessionQueryParameters } from './query-parameters';

// Which kind of query a request is and whether its caller may send it (spec/mpsd-family.md §5.2): a query needs an
// xuid or keyword filter, except the QA listing, which only a server may ask for (README "Finding sessions").

/** A session query by xuid or keyword (§5.2), or the QA listing of every session of a SCID (a project extension). */
export type SessionQueryKind = 'filtered' | 'listing';

/** The parameters the QA listing takes; any other known parameter names a filter it does not apply. */
const LISTING_REFUSES = ['visibility', 'version', 'private'] as const;

/**
 * The kind of the query, or the refusal: 400 without an xuid or keyword filter (unless a server lists a SCID),
 * 403 for `private` or `reservations` on someone else's xuid, even when no such session exists (§5.2).
 */
export function classifySessionQuery(query: SessionQueryParameters, principal: Principal): SessionQueryKind {
  if (query.xuid === undefined && query.keyword === undefined) {
    if (query.reservations || query.inactive) {
      throw new MpsdError(
        'InvalidRequest',
        "The query parameters reservations and inactive need an xuid filter (xuid=<xuid>): they widen which of that user's sessions are found.",
      );
    }
    if (!principal.isServer) {
      throw new MpsdError(
        'InvalidRequest',
        'A session query needs an xuid or keyword query parameter (xuid=<xuid> or keyword=<keyword>); only a server may list every session of a SCID.',
      );
    }
    const refused = LISTING_REFUSES.find((name) => (name === 'private' ? query.private : query[name] !== undefined));
    if (refused !== undefined) {
      throw new MpsdError(
        'InvalidRequest',
        `The listing of every session of a SCID takes only take and continuationToken, not ${refused}; add an xuid or keyword filter to use ${refused}.`,
      );
    }
    if (query.take === 0) {
      throw new MpsdError(
        'InvalidRequest',
        'A page of the listing of a SCID holds 1 to 100 sessions: take is 1 to 100.',
      );
    }
    return 'listing';
  }
  if (query.continuationToken !== undefined) {
    throw new MpsdError(
      'InvalidRequest',
      'continuationToken pages the listing of every session of a SCID (no xuid, no keyword); a query by xuid or keyword answers in one page of at most take entries.',
    );
  }
  if ((query.private || query.reservations) && !principal.isServer && query.xuid !== principal.xuid) {
    throw new MpsdError(
      'Forbidden',
      'private=true and reservations=true are only for your own sessions (xuid=<your xuid>) or for a server.',
    );
  }
  if (query.visibility === 'private' && !query.private) {
    throw new MpsdError('InvalidRequest', 'visibility=private needs private=true as well.');
  }
  return 'filtered';
}
