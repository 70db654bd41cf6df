import { randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { CONNECTION_LIFETIME_MS } from '../lambda/rta/connection-limits';
import type { RtaHandlers } from '../lambda/rta/rta-handlers';
import type { ConnectionGateway } from '../lambda/rta/tap-delivery';
import type { WebSocketEvent, WebSocketResult } from '../lambda/rta/websocket-types';
import { LOCAL_ACCOUNT_ID, LOCAL_API_ID, newRequestId, parseQueryString } from './api-gateway-event';

/** The path of the real-time activity endpoint on the local server (`wss://rta.xboxlive.com/connect`, §6.1). */
export const RTA_PATH = '/connect';

/** Options of {@link attachRtaEndpoint}. */
export interface RtaEndpointOptions {
  /** One line per upgrade and handler failure; console.log when absent. */
  readonly log?: (line: string) => void;
  /** Epoch ms, for `connectedAt` and the connection lifetime; Date.now when absent (tests move their own). */
  readonly clock?: () => number;
}

/** The local stand-in for the API Gateway WebSocket API: its sockets, and PostToConnection to them. */
export interface RtaEndpoint {
  /** PostToConnection: a text frame to an open socket, `gone` for a socket that is not open. */
  readonly gateway: ConnectionGateway;
  /** How many sockets are open. */
  readonly openSockets: () => number;
  /**
   * Drops every socket that has lived CONNECTION_LIFETIME_MS (2 h, §6.4), as API Gateway ends them deployed: by
   * dropping the TCP connection, never a clean close, since xbox-rta reconnects only on 1006. Answers how many.
   */
  dropExpired(): number;
  /** Drops every socket (as a dropped TCP connection: clients see 1006, never a clean close, §6.4). */
  close(): void;
}

/**
 * Serves `ws://<host>:<port>/connect` on the HTTP server as API Gateway's WebSocket API would, through the same
 * handler modules: the upgrade becomes a `$connect` event (a non-2xx answer refuses it with that status before the
 * upgrade; a `Sec-WebSocket-Protocol` header in the answer selects the subprotocol), each text frame a `$default`
 * event whose answer body goes back as one text frame, and the close a `$disconnect` event. Frames of one socket are
 * handled one after the other, in arrival order. An upgrade on any other path gets API Gateway's 404.
 */
export function attachRtaEndpoint(
  server: Server,
  handlers: RtaHandlers | Promise<RtaHandlers>,
  options: RtaEndpointOptions = {},
): RtaEndpoint {
  const log = options.log ?? ((line: string) => console.log(line));
  const clock = options.clock ?? Date.now;
  const sockets = new Map<string, WebSocket>();
  const connectedAtOf = new Map<string, number>();
  const selectedProtocols = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    // The handler has chosen already: select exactly what its answer named (none when it named none).
    handleProtocols: (_offered, request) => selectedProtocols.get(request) ?? false,
  });

  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(request, socket, head).catch((error: unknown) => {
      log(`upgrade failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      refuse(socket, { statusCode: 500, body: JSON.stringify({ message: 'Internal Server Error' }) });
    });
  });

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    if (path !== RTA_PATH) {
      refuse(socket, { statusCode: 404, body: JSON.stringify({ message: 'Not Found' }) });
      return;
    }
    const connectionId = newConnectionId();
    const connectedAt = clock();
    const h = await handlers;
    const context = { connectionId, connectedAt };
    const answer = await h.rtaConnect(
      connectEvent(request, context, queryStart === -1 ? '' : url.slice(queryStart + 1)),
    );
    log(`UPGRADE ${url} ${answer.statusCode}`);
    if (answer.statusCode < 200 || answer.statusCode > 299) {
      refuse(socket, answer);
      return;
    }
    const protocol = headerOf(answer.headers, 'sec-websocket-protocol');
    if (protocol !== undefined) selectedProtocols.set(request, protocol);
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.set(connectionId, ws);
      connectedAtOf.set(connectionId, connectedAt);
      let queue = Promise.resolve();
      ws.on('message', (data: RawData, isBinary: boolean) => {
        const body = isBinary ? toBuffer(data).toString('base64') : toBuffer(data).toString('utf8');
        queue = queue.then(async () => {
          try {
            const reply = await h.rtaMessage(messageEvent(context, body, isBinary));
            if (reply.body !== undefined && ws.readyState === WebSocket.OPEN) ws.send(reply.body);
          } catch (error) {
            log(
              `$default failed on ${connectionId}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
            );
          }
        });
      });
      ws.on('close', (code: number, reason: Buffer) => {
        sockets.delete(connectionId);
        connectedAtOf.delete(connectionId);
        queue = queue.then(async () => {
          try {
            await h.rtaDisconnect(disconnectEvent(context, code, reason.toString('utf8')));
          } catch (error) {
            log(`$disconnect failed on ${connectionId}: ${error instanceof Error ? error.message : String(error)}`);
          }
        });
      });
      ws.on('error', () => ws.terminate());
    });
  }

  return {
    gateway: {
      async postToConnection(socketId, frame) {
        const ws = sockets.get(socketId);
        if (ws === undefined || ws.readyState !== WebSocket.OPEN) return 'gone';
        await new Promise<void>((resolve, reject) => ws.send(frame, (error) => (error ? reject(error) : resolve())));
        return 'sent';
      },
    },
    openSockets: () => sockets.size,
    dropExpired() {
      const now = clock();
      let dropped = 0;
      for (const [connectionId, connectedAt] of connectedAtOf) {
        if (now - connectedAt < CONNECTION_LIFETIME_MS) continue;
        // terminate() destroys the TCP socket without a close frame: the client sees 1006; $disconnect still runs.
        sockets.get(connectionId)?.terminate();
        connectedAtOf.delete(connectionId);
        dropped += 1;
      }
      return dropped;
    },
    close() {
      for (const ws of sockets.values()) ws.terminate();
      sockets.clear();
      wss.close();
    },
  };
}

/** API Gateway's connection id form: 16 base64 characters ending in `=` (e.g. `L0SM9cOFvHcCIhw=`). */
function newConnectionId(): string {
  return randomBytes(10).toString('base64');
}

function baseContext(
  routeKey: string,
  eventType: WebSocketEvent['requestContext']['eventType'],
  context: { connectionId: string; connectedAt: number },
) {
  return {
    routeKey,
    eventType,
    connectionId: context.connectionId,
    connectedAt: context.connectedAt,
    requestId: newRequestId(),
    requestTimeEpoch: Date.now(),
    apiId: LOCAL_API_ID,
    stage: '$default',
    accountId: LOCAL_ACCOUNT_ID,
  };
}

function connectEvent(
  request: IncomingMessage,
  context: { connectionId: string; connectedAt: number },
  rawQueryString: string,
): WebSocketEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const queryStringParameters = parseQueryString(rawQueryString);
  return {
    requestContext: { ...baseContext('$connect', 'CONNECT', context), domainName: headers.Host ?? headers.host },
    headers,
    multiValueHeaders,
    ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    isBase64Encoded: false,
  };
}

function messageEvent(
  context: { connectionId: string; connectedAt: number },
  body: string,
  isBinary: boolean,
): WebSocketEvent {
  return { requestContext: baseContext('$default', 'MESSAGE', context), body, isBase64Encoded: isBinary };
}

function disconnectEvent(
  context: { connectionId: string; connectedAt: number },
  code: number,
  reason: string,
): WebSocketEvent {
  return {
    requestContext: {
      ...baseContext('$disconnect', 'DISCONNECT', context),
      disconnectStatusCode: code,
      disconnectReason: reason,
    },
    isBase64Encoded: false,
  };
}

/** Refuses an upgrade with a plain HTTP answer, before any WebSocket handshake. */
function refuse(socket: Duplex, answer: WebSocketResult): void {
  if (!socket.writable) return;
  const body = answer.body ?? '';
  const lines = [`HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode] ?? ''}`];
  for (const [name, value] of Object.entries(answer.headers ?? {})) lines.push(`${name}: ${value}`);
  if (headerOf(answer.headers, 'content-type') === undefined && body !== '')
    lines.push('content-type: application/json');
  lines.push(`content-length: ${Buffer.byteLength(body)}`, 'connection: close', '', body);
  socket.end(lines.join('\r\n'));
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data as ArrayBuffer);
}
