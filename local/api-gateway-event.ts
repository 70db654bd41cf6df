import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { RouteMatch as SessionRouteMatch } from './router';

/** Placeholders for the identifiers a real deployment would have (12-digit account, 10-character API id). */
export const LOCAL_ACCOUNT_ID = '000000000000';
export const LOCAL_API_ID = 'localapi00';

/** What the server has already worked out about a request before it becomes an event. */
export interface RequestFacts {
  readonly method: string;
  /** The path as sent, still percent-encoded. */
  readonly rawPath: string;
  /** Everything after `?`, as sent ('' when none). */
  readonly rawQueryString: string;
  readonly route: SessionRouteMatch;
  readonly body: Buffer;
  readonly requestId: string;
  /** Epoch ms the request arrived. */
  readonly receivedAt: number;
}

/** Random bytes the ids below are cut from, drawn from the system this many at a time. */
export const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomPoolUsed = 0;

/**
 * `count` fresh random bytes, never handed out twice. Every request takes 22 (its request id and trace id), and a
 * `randomBytes` call per id cost more than the rest of building the event (issue 12, the local server's profile);
 * Node pools the entropy of `randomUUID` the same way.
 */
export function freshRandomBytes(count: number): Buffer {
  if (randomPoolUsed + count > randomPool.length) {
    randomPool = randomBytes(Math.max(RANDOM_POOL_BYTES, count));
    randomPoolUsed = 0;
  }
  const bytes = randomPool.subarray(randomPoolUsed, randomPoolUsed + count);
  randomPoolUsed += count;
  return bytes;
}

/** A request id in API Gateway's shape (16 base64 characters, e.g. `JKJaXmPLvHcESHA=`). */
export function newRequestId(): string {
  return freshRandomBytes(10).toString('base64');
}

/**
 * The API Gateway HTTP API payload-format-2.0 event for a request, as API Gateway builds it: lower-cased header names
 * with repeats joined by commas, cookies moved out of the headers into `cookies`, decoded query and path parameters,
 * the `x-forwarded-*` and trace headers API Gateway adds, and a body that is text when it is textual UTF-8 and
 * base64 otherwise.
 */
export function toApiGatewayEvent(request: IncomingMessage, facts: RequestFacts): APIGatewayProxyEventV2 {
  const sourceIp = normaliseIp(request.socket.remoteAddress);
  const { headers, cookies } = collectHeaders(request.rawHeaders);
  headers['x-forwarded-for'] =
    headers['x-forwarded-for'] === undefined ? sourceIp : `${headers['x-forwarded-for']}, ${sourceIp}`;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(request.socket.localPort ?? '');
  headers['x-amzn-trace-id'] = newTraceId(facts.receivedAt);

  const routeKey = `${facts.method} ${facts.route.routePath}`;
  const queryStringParameters = parseQueryString(facts.rawQueryString);
  const domainName = headers.host ?? `127.0.0.1:${request.socket.localPort ?? ''}`;
  const body = encodeBody(facts.body, headers['content-type']);

  return {
    version: '2.0',
    routeKey,
    rawPath: facts.rawPath,
    rawQueryString: facts.rawQueryString,
    ...(cookies.length === 0 ? {} : { cookies }),
    headers,
    ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    requestContext: {
      accountId: LOCAL_ACCOUNT_ID,
      apiId: LOCAL_API_ID,
      domainName,
      domainPrefix: domainName.split('.')[0] ?? domainName,
      http: {
        method: facts.method,
        path: facts.rawPath,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: facts.requestId,
      routeKey,
      stage: '$default',
      time: formatRequestTime(facts.receivedAt),
      timeEpoch: facts.receivedAt,
    },
    pathParameters: { ...facts.route.pathParameters },
    ...body,
  };
}

/** Header names lower-cased, repeats joined with ',' (payload 2.0 has no multi-value headers); cookies apart. */
function collectHeaders(rawHeaders: readonly string[]): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter((cookie) => cookie !== ''),
      );
      continue;
    }
    const existing = headers[name];
    headers[name] = existing === undefined ? value : `${existing},${value}`;
  }
  return { headers, cookies };
}

/** Decoded parameters, repeats joined with ','; absent (not `{}`) when there is no query string, as API Gateway does. */
export function parseQueryString(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === '') return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const existing = parameters[name];
    parameters[name] = existing === undefined ? value : `${existing},${value}`;
  }
  return Object.keys(parameters).length === 0 ? undefined : parameters;
}

/**
 * API Gateway passes textual bodies as text and base64-encodes the rest. A body that is not valid UTF-8 is also
 * passed as base64, so the handler sees the exact bytes and can refuse them (rather than replacement characters).
 */
function encodeBody(body: Buffer, contentType: string | undefined): { body?: string; isBase64Encoded: boolean } {
  if (body.length === 0) return { isBase64Encoded: false };
  if (isTextualContentType(contentType) && isValidUtf8(body))
    return { body: body.toString('utf8'), isBase64Encoded: false };
  return { body: body.toString('base64'), isBase64Encoded: true };
}

const TEXTUAL_CONTENT_TYPE =
  /^(?:text\/[^;]+|application\/(?:[\w.+-]+\+)?(?:json|xml)|application\/(?:javascript|x-www-form-urlencoded))\s*(?:;|$)/i;

export function isTextualContentType(contentType: string | undefined): boolean {
  return contentType !== undefined && TEXTUAL_CONTENT_TYPE.test(contentType.trim());
}

function isValidUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) is reported as API Gateway would, `127.0.0.1`. */
function normaliseIp(address: string | undefined): string {
  if (address === undefined) return '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/** X-Ray's `Root=1-<epoch seconds, hex>-<96 random bits, hex>`. */
export function newTraceId(now: number): string {
  return `Root=1-${Math.floor(now / 1000).toString(16)}-${freshRandomBytes(12).toString('hex')}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time` format, e.g. `12/Mar/2020:19:03:58 +0000` (always UTC). */
export function formatRequestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
}
