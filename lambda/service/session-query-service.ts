import { MpsdError } from '../domain/errors';
import type { JsonObject } from '../domain/json';
import type { Principal } from '../domain/principal';
import { keywordTerm, xuidTerm } from '../domain/queries/finder-terms';
import { MAX_TAKE, type SessionQueryParameters } from '../domain/queries/query-parameters';
import { matchSession } from '../domain/queries/session-match';
import { listingEntryOf } from '../domain/queries/session-query-entry';
import { templateDocumentOf, templateListEntryOf } from '../domain/queries/template-view';
import { viewAt } from '../domain/session/live-view';
import { isoTime } from '../domain/session/render';
import { sessionReferenceOfKey } from '../domain/session-reference';
import { resolveServiceConfig, resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import type { SessionFinder } from '../store/session-finder';
import type { SessionListing } from '../store/session-listing';

/** One page of the QA listing: `{"results": [...], "continuationToken": "..."}` (the token only while more remain). */
export interface ListingAnswer {
  readonly results: JsonObject[];
  readonly continuationToken?: string;
}

export interface SessionQueryServiceDeps {
  readonly listing: SessionListing;
  /** The index of sessions by xuid and keyword, kept from the sessions stream. */
  readonly finder: SessionFinder;
  readonly templates: TemplateCatalogue;
  /** Epoch ms: timers due by now are applied to each entry, as a GET would. */
  readonly clock: () => number;
}

/**
 * The most candidate sessions one query (one xuid of a batch) reads: a keyword shared by very many sessions answers
 * the newest matches among the newest CANDIDATES_READ_AT_MOST sessions that carry it (README "Finding sessions").
 */
export const CANDIDATES_READ_AT_MOST = 1000;

/** What a query's path names: a configured SCID, and one of its templates when the path has one. */
export interface QueryScope {
  readonly scid: string;
  readonly templateName?: string;
}

/**
 * Session queries and the QA listing over the stores, as the handlers see them (spec/mpsd-family.md §5; README
 * "Finding sessions"). One instance per container.
 */
export class SessionQueryService {
  constructor(private readonly deps: SessionQueryServiceDeps) {}

  /** The scope a path names, or 404 for an unknown SCID or template (§5.5). */
  resolveScope(scid: string, templateName: string | undefined): QueryScope {
    if (templateName === undefined) {
      resolveServiceConfig(this.deps.templates, scid);
      return { scid };
    }
    resolveTemplate(this.deps.templates, { scid, templateName });
    return { scid, templateName };
  }

  /**
   * A query by xuid or keyword (§5.2): the index's candidates, newest first, each read strongly consistently and
   * decided on as it is now (matchSession), until `take` entries or CANDIDATES_READ_AT_MOST candidates.
   */
  async query(scope: QueryScope, query: SessionQueryParameters, principal: Principal): Promise<JsonObject[]> {
    return this.entriesFor(scope, query, query.xuid, principal);
  }

  /** A batch query (§5.3): the query for each xuid in request order, grouped per xuid. */
  async batch(
    scope: QueryScope,
    query: SessionQueryParameters,
    xuids: readonly string[],
    principal: Principal,
  ): Promise<JsonObject[]> {
    const groups = await Promise.all(xuids.map((xuid) => this.entriesFor(scope, query, xuid, principal)));
    return groups.flat();
  }

  private async entriesFor(
    scope: QueryScope,
    query: SessionQueryParameters,
    xuid: string | undefined,
    principal: Principal,
  ): Promise<JsonObject[]> {
    const take = query.take ?? MAX_TAKE;
    const results: JsonObject[] = [];
    if (take === 0) return results;
    // By xuid when there is one (a user is in few sessions), else by keyword; the other filter is checked on each.
    const term = xuid !== undefined ? xuidTerm(xuid) : keywordTerm(query.keyword as string);
    let after: string | undefined;
    let read = 0;
    do {
      const page = await this.deps.finder.candidates(scope.scid, term, {
        ...(scope.templateName === undefined ? {} : { templateName: scope.templateName }),
        limit: MAX_TAKE,
        ...(after === undefined ? {} : { after }),
      });
      const records = await this.deps.listing.readMany(page.keys, { consistent: true });
      const now = this.deps.clock();
      for (const key of page.keys) {
        const { session } = viewAt(records.get(key), now);
        if (session === undefined) continue;
        const entry = matchSession(session, sessionReferenceOfKey(key), query, xuid, principal);
        if (entry !== undefined) results.push(entry);
        if (results.length === take) return results;
      }
      read += page.keys.length;
      after = page.next;
    } while (after !== undefined && read < CANDIDATES_READ_AT_MOST);
    return results;
  }

  /** The templates of the scope's SCID in name order, or the one template the scope names (§5.6). */
  templates(scope: QueryScope): JsonObject {
    const templates = resolveServiceConfig(this.deps.templates, scope.scid);
    if (scope.templateName !== undefined) {
      return templateDocumentOf(
        resolveTemplate(this.deps.templates, { scid: scope.scid, templateName: scope.templateName }),
      );
    }
    const sorted = [...templates.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { results: sorted.map(templateListEntryOf) };
  }

  /** One page of the QA listing. */
  list(
    scope: QueryScope,
    page: { readonly take?: number; readonly continuationToken?: string },
  ): Promise<ListingAnswer> {
    return listSessions(this.deps, { ...scope, ...page });
  }
}

/**
 * The QA listing (README "Finding sessions"): a page of the listing index, each key read and shown as a GET would
 * see the session now (due timers applied; a session deleted or ended since the index saw it is left out, so a page
 * may hold fewer than `take` entries while a token says more remain).
 */
export async function listSessions(
  deps: SessionQueryServiceDeps,
  request: {
    readonly scid: string;
    readonly templateName?: string;
    readonly take?: number;
    readonly continuationToken?: string;
  },
): Promise<ListingAnswer> {
  const page = await deps.listing.newestFirst({
    scid: request.scid,
    ...(request.templateName === undefined ? {} : { templateName: request.templateName }),
    take: request.take ?? MAX_TAKE,
    ...(request.continuationToken === undefined ? {} : { continuationToken: request.continuationToken }),
  });
  if (page.kind === 'invalid-token') {
    throw new MpsdError(
      'InvalidRequest',
      `The continuationToken is refused: ${page.reason}. Send back the token of the previous page unchanged, or none for the first page.`,
    );
  }
  const records = await deps.listing.readMany(page.keys);
  const now = deps.clock();
  const results: JsonObject[] = [];
  for (const key of page.keys) {
    const record = records.get(key);
    const { session } = viewAt(record, now);
    if (session === undefined || record === undefined) continue;
    // Items written before writtenAt was kept report their start time (the last change known for certain).
    const lastChange = record.writtenAt === undefined ? session.startTime : isoTime(record.writtenAt);
    results.push(listingEntryOf(session, sessionReferenceOfKey(key), lastChange));
  }
  return page.continuationToken === undefined ? { results } : { results, continuationToken: page.continuationToken };
}
