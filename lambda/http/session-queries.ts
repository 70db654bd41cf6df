import { MpsdError } from '../domain/errors';
import { stringifyExactJson } from '../domain/json';
import { classifySessionQuery } from '../domain/queries/query-access';
import { majorVersionOf, readSessionQueryParameters } from '../domain/queries/query-parameters';
import { checkTemplateName, parseScid } from '../domain/session-reference';
import type { QueryScope, SessionQueryService } from '../service/session-query-service';
import type { ApiResult } from './api-types';
import type { HttpHandler, ResourceResolver } from './pipeline';

// Session queries (spec/mpsd-family.md §5): `GET /serviceconfigs/{scid}/sessions` and
// `GET /serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions`, on the request pipeline. Without an
// xuid or keyword filter a server gets the QA listing of the SCID (README "Finding sessions").

/** What the query routes need beyond the pipeline. */
export interface SessionQueryDeps {
  readonly queries: SessionQueryService;
  /** Epoch ms, for the `Date` header. */
  readonly clock: () => number;
}

/** `{scid}` and, on the template form, `{sessionTemplateName}`: 400 when malformed, 404 when not configured. */
const scopeFromPath: ResourceResolver<SessionQueryDeps, QueryScope> = {
  resolve({ event }, deps) {
    const p = event.pathParameters ?? {};
    const scid = parseScid(p.scid);
    const template = p.sessionTemplateName === undefined ? undefined : checkTemplateName(p.sessionTemplateName);
    return deps.queries.resolveScope(scid, template);
  },
  logKeys: (scope) => ({
    serviceConfig: scope.scid.toLowerCase(),
    ...(scope.templateName === undefined ? {} : { template: scope.templateName.toLowerCase() }),
  }),
};

function jsonAnswer(body: Parameters<typeof stringifyExactJson>[0], now: number): ApiResult {
  return {
    statusCode: 200,
    headers: { date: new Date(now).toUTCString(), 'content-type': 'application/json' },
    body: stringifyExactJson(body),
  };
}

/**
 * `GET …/sessions` (§5.1, §5.2): 200 `{"results": [...]}`. Without xuid or keyword, from a server: the QA listing,
 * newest first, `take` (1-100, default 100) per page and a `continuationToken` while more remain.
 */
export const querySessions: HttpHandler<SessionQueryDeps, QueryScope, 'none'> = {
  method: 'GET',
  body: 'none',
  resolver: scopeFromPath,
  async handle({ event, principal, contractVersion, resource: scope }, deps) {
    const query = readSessionQueryParameters(event.queryStringParameters, majorVersionOf(contractVersion));
    if (classifySessionQuery(query, principal) === 'listing') {
      const page = await deps.queries.list(scope, {
        ...(query.take === undefined ? {} : { take: query.take }),
        ...(query.continuationToken === undefined ? {} : { continuationToken: query.continuationToken }),
      });
      return jsonAnswer(
        page.continuationToken === undefined
          ? { results: page.results }
          : { results: page.results, continuationToken: page.continuationToken },
        deps.clock(),
      );
    }
    throw new MpsdError(
      'NotImplemented',
      'Session queries by xuid or keyword are not built yet; a server may list every session of the SCID (no xuid, no keyword).',
    );
  },
};
