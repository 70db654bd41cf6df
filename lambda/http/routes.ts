// Plain data, importing nothing: the route table that both the CDK HTTP API (lib/constructs/session-api.ts) and the
// local server (local/http-server.ts) are built from, so they cannot disagree (DESIGN.md, "Layout"). A new route is
// one entry here plus one handler; a new function is also one entry in FUNCTIONS and one Lambda entry module.

/** HTTP methods a route may answer (API Gateway HTTP API route keys). */
export type RouteMethod = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'PATCH';

/** What a route's path names; the request pipeline resolves it from the path parameters. */
export type ResourceKind = 'session' | 'handle';

/** One API Gateway route: `<method> <path>` sent to one function. */
export interface Route<FunctionName extends string = string> {
  readonly method: RouteMethod;
  /**
   * API Gateway path template: literal segments match case-sensitively, `{name}` matches one non-empty segment and
   * arrives URL-decoded in `pathParameters.name`.
   */
  readonly path: string;
  /** Key of the function (in FUNCTIONS and in the handlers the wiring builds) that answers the route. */
  readonly function: FunctionName;
  readonly resource: ResourceKind;
}

/** A Lambda function behind the API: its entry module and what it may do to the sessions table. */
export interface FunctionDefinition {
  /** Path of the entry module from the repository root; it exports `handler`. */
  readonly entry: string;
  /** `read` for functions that never write sessions (least privilege: their role cannot). */
  readonly sessionTableAccess: 'read' | 'read-write';
}

/** The functions behind the API, keyed as the wiring names their handlers. */
export const FUNCTIONS = {
  getSession: { entry: 'lambda/functions/get-session.ts', sessionTableAccess: 'read' },
  putSession: { entry: 'lambda/functions/put-session.ts', sessionTableAccess: 'read-write' },
  // Handles (spec/mpsd-family.md §3): their items live in the sessions table (README "Handles").
  postHandle: { entry: 'lambda/functions/post-handle.ts', sessionTableAccess: 'read-write' },
  queryHandles: { entry: 'lambda/functions/query-handles.ts', sessionTableAccess: 'read' },
  getHandle: { entry: 'lambda/functions/get-handle.ts', sessionTableAccess: 'read' },
  deleteHandle: { entry: 'lambda/functions/delete-handle.ts', sessionTableAccess: 'read-write' },
  getHandleSession: { entry: 'lambda/functions/get-handle-session.ts', sessionTableAccess: 'read' },
  putHandleSession: { entry: 'lambda/functions/put-handle-session.ts', sessionTableAccess: 'read-write' },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof FUNCTIONS;

/**
 * The literal segment before the template name, in every spelling real callers send. API Gateway matches paths
 * case-sensitively, but MPSD does not: the docs write `sessiontemplates` while XSAPI sends `sessionTemplates`
 * (spec/mpsd-session.md §1.1). Any other casing gets API Gateway's 404.
 */
export const SESSION_TEMPLATES_SEGMENTS = ['sessiontemplates', 'sessionTemplates'] as const;

/** The session resource path for one spelling of the template segment (spec/mpsd-session.md §1.1). */
export function toSessionPath(templatesSegment: string): string {
  return `/serviceconfigs/{scid}/${templatesSegment}/{sessionTemplateName}/sessions/{sessionName}`;
}

/** The handle routes (spec/mpsd-family.md §3.2, §3.7-§3.11); `{handleId}` is resolved to its handle and session. */
export const HANDLE_ROUTES: readonly Route<FunctionName>[] = [
  { method: 'POST', path: '/handles', function: 'postHandle', resource: 'handle' },
  { method: 'POST', path: '/handles/query', function: 'queryHandles', resource: 'handle' },
  { method: 'GET', path: '/handles/{handleId}', function: 'getHandle', resource: 'handle' },
  { method: 'DELETE', path: '/handles/{handleId}', function: 'deleteHandle', resource: 'handle' },
  { method: 'GET', path: '/handles/{handleId}/session', function: 'getHandleSession', resource: 'handle' },
  { method: 'PUT', path: '/handles/{handleId}/session', function: 'putHandleSession', resource: 'handle' },
];

/** Every route the service answers: GET and PUT on the session resource, in both spellings; the handles. */
export const ROUTES: readonly Route<FunctionName>[] = [
  ...SESSION_TEMPLATES_SEGMENTS.flatMap((segment): Route<FunctionName>[] => [
    { method: 'GET', path: toSessionPath(segment), function: 'getSession', resource: 'session' },
    { method: 'PUT', path: toSessionPath(segment), function: 'putSession', resource: 'session' },
  ]),
  ...HANDLE_ROUTES,
];

/** The route key API Gateway names a route by, e.g. `GET /serviceconfigs/{scid}/...`. */
export function routeKeyOf(route: Pick<Route, 'method' | 'path'>): string {
  return `${route.method} ${route.path}`;
}
