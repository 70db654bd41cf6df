import { MpsdError } from '../domain/errors';
import type { JsonObject } from '../domain/json';
import { MAX_TAKE } from '../domain/queries/query-parameters';
import { listingEntryOf } from '../domain/queries/session-query-entry';
import { viewAt } from '../domain/session/live-view';
import { isoTime } from '../domain/session/render';
import { sessionReferenceOfKey } from '../domain/session-reference';
import { resolveServiceConfig, resolveTemplate, type TemplateCatalogue } from '../domain/templates';
import type { SessionListing } from '../store/session-listing';

/** One page of the QA listing: `{"results": [...], "continuationToken": "..."}` (the token only while more remain). */
export interface ListingAnswer {
  readonly results: JsonObject[];
  readonly continuationToken?: string;
}

export interface SessionQueryServiceDeps {
  readonly listing: SessionListing;
  readonly templates: TemplateCatalogue;
  /** Epoch ms: timers due by now are applied to each entry, as a GET would. */
  readonly clock: () => number;
}

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
