import { MpsdError } from '../domain/errors';
import { stringifyExactJson } from '../domain/json';
import { readBatchXuids } from '../domain/queries/batch-body';
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
 * `GET …/sessions` (§5.1, §5.2): 200 `{"results": [...]}`. With xuid or keyword: the matching sessions (§5.4, §5.5).
 * Without, from a server: the QA listing, newest first, `take` (1-100, default 100) per page and a
 * `continuationToken` while more remain.
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
    return jsonAnswer({ results: await deps.queries.query(scope, query, principal) }, deps.clock());
  },
};

/**
 * `POST …/batch` (§5.3): 200 `{"results": [...]}`, the query of each xuid of the body, grouped per xuid in request
 * order (a session appears once per matching xuid). The query string filters apply to every xuid.
 */
export const batchQuerySessions: HttpHandler<SessionQueryDeps, QueryScope, 'json'> = {
  method: 'POST',
  body: 'json',
  resolver: scopeFromPath,
  async handle({ event, principal, contractVersion, body, resource: scope }, deps) {
    const query = readSessionQueryParameters(event.queryStringParameters, majorVersionOf(contractVersion));
    const xuids = readBatchXuids(body);
    if (query.xuid !== undefined) {
      throw new MpsdError(
        'InvalidRequest',
        'A batch query takes its xuids in the body ({"xuids": [...]}), not xuid in the query string.',
      );
    }
    // Each xuid is checked as a query by that xuid would be: private and reservations only for one's own (§5.2).
    for (const xuid of xuids) classifySessionQuery({ ...query, xuid }, principal);
    return jsonAnswer({ results: await deps.queries.batch(scope, query, xuids, principal) }, deps.clock());
  },
};

/**
 * `GET /serviceconfigs/{scid}/sessiontemplates` (the SCID's templates: `{"results": [{"name", "contractVersion"}]}`)
 * and `GET …/sessiontemplates/{sessionTemplateName}` (that template as configured, with its `name`) (§5.6).
 */
export const getSessionTemplates: HttpHandler<SessionQueryDeps, QueryScope, 'none'> = {
  method: 'GET',
  body: 'none',
  resolver: scopeFromPath,
  async handle({ resource: scope }, deps) {
    return jsonAnswer(deps.queries.templates(scope), deps.clock());
  },
};
