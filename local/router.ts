import { type FunctionName, type Route, routeKeyOf } from '../lambda/http/routes';

/** A request that matched a route of the table. */
export interface RouteMatch<F extends string = string> {
  readonly route: Route<F>;
  /** The route's path template as API Gateway names it in the route key, without the method. */
  readonly routePath: string;
  /** URL-decoded, as API Gateway passes path parameters. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** Finds the route of a request: the method and its raw (still percent-encoded) path. */
export type Router<F extends string = FunctionName> = (method: string, rawPath: string) => RouteMatch<F> | undefined;

type Segment = { readonly literal: string } | { readonly parameter: string };

/**
 * A router over the route table, matching as API Gateway HTTP APIs do: literal segments match case-sensitively, each
 * `{parameter}` is one non-empty segment (so an encoded `%2F` stays inside its parameter), parameters are decoded after
 * matching, a trailing slash is a different path, and the method must be the route's. Where several routes match, the
 * most specific wins (a literal segment before a parameter, from the left), as API Gateway picks the most specific.
 */
export function makeRouter<F extends string = FunctionName>(routes: readonly Route<F>[]): Router<F> {
  const compiled = routes.map((route) => ({ route, segments: parseTemplate(route.path) }));
  const keys = new Set<string>();
  for (const { route } of compiled) {
    const key = routeKeyOf(route);
    if (keys.has(key)) throw new Error(`The route table has ${key} twice.`);
    keys.add(key);
  }
  return (method, rawPath) => {
    const parts = rawPath.split('/');
    let best: { route: Route<F>; segments: readonly Segment[]; raw: Record<string, string> } | undefined;
    for (const { route, segments } of compiled) {
      if (route.method !== method) continue;
      const raw = matchSegments(segments, parts);
      if (raw === undefined) continue;
      if (best === undefined || isMoreSpecific(segments, best.segments)) best = { route, segments, raw };
    }
    if (best === undefined) return undefined;
    const pathParameters: Record<string, string> = {};
    for (const [name, value] of Object.entries(best.raw)) pathParameters[name] = decodeSegment(value);
    return { route: best.route, routePath: best.route.path, pathParameters };
  };
}

function parseTemplate(path: string): readonly Segment[] {
  if (!path.startsWith('/')) throw new Error(`A route path starts with '/': ${path}`);
  return path.split('/').map((part) => {
    const parameter = /^\{([A-Za-z0-9_]+)\}$/.exec(part)?.[1];
    if (parameter !== undefined) return { parameter };
    if (part.includes('{') || part.includes('}')) {
      throw new Error(`Only whole-segment {parameters} are routed here (no greedy {name+}): ${path}`);
    }
    return { literal: part };
  });
}

/** The raw parameter values when every segment matches; undefined otherwise. */
function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const raw: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] as string;
    if ('literal' in segment) {
      if (part !== segment.literal) return undefined;
    } else {
      if (part === '') return undefined;
      raw[segment.parameter] = part;
    }
  }
  return raw;
}

function isMoreSpecific(candidate: readonly Segment[], than: readonly Segment[]): boolean {
  for (const [i, segment] of candidate.entries()) {
    const other = than[i];
    if (other === undefined) return false;
    if ('literal' in segment !== 'literal' in other) return 'literal' in segment;
  }
  return false;
}

/** A malformed escape is passed on as sent; the handlers then refuse the name for its characters. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
