/**
 * The literal segment before the template name, in both spellings the API routes (spec §1.1: the docs write
 * `sessiontemplates`, XSAPI sends `sessionTemplates`). Must equal SESSION_TEMPLATES_SEGMENTS in
 * lib/constructs/session-api.ts (a test checks); it is repeated here so the local server does not load aws-cdk-lib.
 */
export const SESSION_TEMPLATES_SEGMENTS = ['sessiontemplates', 'sessionTemplates'] as const;

/** The methods the session resource answers; any other is 405. */
export const SESSION_METHODS = ['GET', 'PUT'] as const;

/** The URI shape, for 404 messages. */
export const SESSION_URI_SHAPE = '/serviceconfigs/{scid}/sessiontemplates/{sessionTemplateName}/sessions/{sessionName}';

/** A request path that matched the session route. */
export interface SessionRouteMatch {
  /** The route as API Gateway names it, without the method: `/serviceconfigs/{scid}/<spelling>/...`. */
  readonly routePath: string;
  /** URL-decoded, as API Gateway passes path parameters. */
  readonly pathParameters: { scid: string; sessionTemplateName: string; sessionName: string };
}

/**
 * Matches a raw (still percent-encoded) request path against the session route. Like API Gateway, literal segments
 * match case-sensitively, each parameter is one non-empty segment (so an encoded `%2F` stays inside its parameter),
 * and parameters are decoded after matching.
 */
export function matchSessionRoute(rawPath: string): SessionRouteMatch | undefined {
  const segments = rawPath.split('/');
  if (segments.length !== 7) return undefined;
  const [leading, serviceconfigs, scid, templates, template, sessions, name] = segments;
  if (leading !== '' || serviceconfigs !== 'serviceconfigs' || sessions !== 'sessions') return undefined;
  const spelling = SESSION_TEMPLATES_SEGMENTS.find((candidate) => candidate === templates);
  if (spelling === undefined || !scid || !template || !name) return undefined;
  return {
    routePath: `/serviceconfigs/{scid}/${spelling}/{sessionTemplateName}/sessions/{sessionName}`,
    pathParameters: {
      scid: decodeSegment(scid),
      sessionTemplateName: decodeSegment(template),
      sessionName: decodeSegment(name),
    },
  };
}

/** A malformed escape is passed on as sent; the handlers then refuse the name for its characters. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
