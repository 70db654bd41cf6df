import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ApiHandler } from '../lambda/http/api-types';
import { type FunctionName, ROUTES, type Route } from '../lambda/http/routes';
import { newRequestId, toApiGatewayEvent } from './api-gateway-event';
import { makeRouter, type RouteMatch } from './router';

export type { ApiHandler };

/** The handler of every function the route table names (the wiring's handlers, keyed as in `FUNCTIONS`). */
export type LocalHandlers<F extends string = FunctionName> = Readonly<Record<F, ApiHandler>>;

/** Options of {@link createLocalServer}. */
export interface LocalServerOptions<F extends string = FunctionName> {
  /** Receives one line per request and handler failures; console.log when absent. */
  log?: (line: string) => void;
  /** The route table; lambda/http/routes.ts `ROUTES` (what the CDK API routes) when absent. */
  routes?: readonly Route<F>[];
}

/**
 * A guard, not the service's limit (the handlers enforce MPSD's own, smaller one): enough to stop a runaway upload
 * from filling memory. API Gateway itself caps HTTP API payloads at 10 MB.
 */
export const MAX_LOCAL_BODY_BYTES = 1024 * 1024;

/** API Gateway's own answer to a request no route matches, whether by path or by method. */
const NOT_FOUND_BODY = JSON.stringify({ message: 'Not Found' });

const INTERNAL_ERROR_BODY = JSON.stringify({
  code: 'InternalError',
  message: 'The service failed to handle the request.',
});

/**
 * The local stand-in for API Gateway: routes requests by the route table (the one the CDK API is built from) to the
 * handlers as payload-2.0 events and writes their results back, so the handler modules run unchanged. Answers
 * API Gateway's 404 `{"message":"Not Found"}` for an unrouted path or method, 413 for bodies over 1 MiB and 500 when
 * a handler throws (the README lists where this differs from API Gateway). Call `listen` on the result.
 */
export function createLocalServer<F extends string = FunctionName>(
  handlers: LocalHandlers<F>,
  options: LocalServerOptions<F> = {},
): Server {
  const log = options.log ?? ((line: string) => console.log(line));
  const routes = options.routes ?? (ROUTES as readonly Route<string>[] as readonly Route<F>[]);
  for (const route of routes) {
    if (typeof handlers[route.function] !== 'function') {
      throw new Error(`No handler for '${route.function}', which answers ${route.method} ${route.path}.`);
    }
  }
  const router = makeRouter(routes);
  const dispatch = (method: string, rawPath: string) => {
    const match = router(method, rawPath);
    return match === undefined ? undefined : { match, handler: handlers[match.route.function] };
  };
  return createServer((request, response) => {
    void serveRequest(dispatch, log, request, response);
  });
}

/** The route a request matches and the handler that answers it; undefined when no route matches. */
type Dispatch = (method: string, rawPath: string) => { match: RouteMatch; handler: ApiHandler } | undefined;

async function serveRequest(
  dispatch: Dispatch,
  log: (line: string) => void,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const started = performance.now();
  const receivedAt = Date.now();
  const requestId = newRequestId();
  const method = request.method ?? 'GET';
  const url = request.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart === -1 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart === -1 ? '' : url.slice(queryStart + 1);
  response.once('close', () => {
    log(`${method} ${url} ${response.statusCode} ${(performance.now() - started).toFixed(1)}ms`);
  });

  try {
    const routed = dispatch(method, rawPath);
    if (routed === undefined) {
      return sendRaw(response, 404, requestId, Buffer.from(NOT_FOUND_BODY), { 'content-type': 'application/json' });
    }
    const { match: route, handler } = routed;
    const body = await readBody(request, MAX_LOCAL_BODY_BYTES);
    if (body === 'aborted') return;
    if (body === 'too-large') {
      return sendJson(
        response,
        413,
        requestId,
        {
          code: 'PayloadTooLarge',
          message: `The request body is larger than ${MAX_LOCAL_BODY_BYTES} bytes, the local server's limit.`,
        },
        // The rest of the upload is not read, so the connection cannot be reused.
        { connection: 'close' },
      );
    }
    const event = toApiGatewayEvent(request, { method, rawPath, rawQueryString, route, body, requestId, receivedAt });
    const result = await handler(event);
    writeResult(response, result, requestId);
  } catch (error) {
    log(
      `${method} ${url} failed (request ${requestId}): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    if (!response.headersSent) {
      sendRaw(response, 500, requestId, Buffer.from(INTERNAL_ERROR_BODY), { 'content-type': 'application/json' });
    } else {
      response.destroy();
    }
  }
}

/**
 * The whole body; 'too-large' as soon as it passes `limit` bytes (a declared Content-Length is refused before
 * anything is read), after which nothing more is read and the 413 closes the connection; 'aborted' when the client
 * hung up first.
 */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large' | 'aborted'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve('too-large');
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.off('data', onData);
        request.pause();
        resolve('too-large');
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.once('end', () => resolve(Buffer.concat(chunks)));
    request.once('error', reject);
    // A client that hangs up mid-upload gets no answer; settle so the request is not left pending forever.
    request.once('close', () => {
      if (!request.complete) resolve('aborted');
    });
  });
}

/**
 * Writes a payload-2.0 result as API Gateway does: headers as given, `cookies` as Set-Cookie headers, the body
 * base64-decoded when `isBase64Encoded`, plus the `apigw-requestid` header API Gateway adds.
 */
function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2, requestId: string): void {
  const headers: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  // Not part of the 2.0 result type, but accepted here in case a handler written for 1.0 sets it.
  const multiValueHeaders = (result as { multiValueHeaders?: Record<string, unknown[]> }).multiValueHeaders;
  for (const [name, values] of Object.entries(multiValueHeaders ?? {})) {
    headers[name.toLowerCase()] = values.map(String);
  }
  if (result.cookies !== undefined && result.cookies.length > 0) {
    const existing = headers['set-cookie'];
    const earlier = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
    headers['set-cookie'] = [...earlier, ...result.cookies];
  }
  const body =
    result.body === undefined ? Buffer.alloc(0) : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  sendRaw(response, result.statusCode ?? 200, requestId, body, headers);
}

function sendJson(
  response: ServerResponse,
  status: number,
  requestId: string,
  body: { code: string; message: string },
  extraHeaders: OutgoingHttpHeaders = {},
): void {
  sendRaw(response, status, requestId, Buffer.from(JSON.stringify(body)), {
    'content-type': 'application/json',
    ...extraHeaders,
  });
}

function sendRaw(
  response: ServerResponse,
  status: number,
  requestId: string,
  body: Buffer,
  headers: OutgoingHttpHeaders,
): void {
  // 204 and 304 carry no body by definition (RFC 9110); Node would drop it anyway, but not its Content-Length.
  const bodyAllowed = status !== 204 && status !== 304;
  response.writeHead(status, {
    ...headers,
    'apigw-requestid': requestId,
    ...(bodyAllowed ? { 'content-length': body.length } : {}),
  });
  response.end(bodyAllowed ? body : undefined);
}
