import type { TokenVerifier } from '../auth/token-verifier';
import { MpsdError } from '../domain/errors';
import { headerValue } from '../http/headers';
import { errorResponse } from '../http/responses';
import type { NonceService } from '../service/nonce-service';
import type { ConnectionStore } from '../store/connection-store';
import { CONNECTION_LIFETIME_MS, KEEPALIVE_INTERVAL_MS } from './connection-limits';
import { readSubscribedResource } from './connections-resource';
import {
  encodeSubscribeFailure,
  encodeSubscribeSuccess,
  encodeUnsubscribeReply,
  parseClientFrame,
  RTA_STATUS,
  UNKNOWN_RESOURCE_MESSAGE,
} from './frames';
import type { WebSocketEvent, WebSocketHandler, WebSocketResult } from './websocket-types';

/** How long connection state is kept: the 2-hour connection limit (§6.4) plus an hour to reclaim the ConnectionId. */
export const CONNECTION_STATE_LIFETIME_SECONDS = CONNECTION_LIFETIME_MS / 1000 + 60 * 60;

/** Where the handlers report what they dropped or failed at. */
export interface RtaLog {
  warn(message: string, details: Record<string, unknown>): void;
  error(message: string, details: Record<string, unknown>): void;
}

/** What the three WebSocket handlers are built from. */
export interface RtaHandlerDeps {
  readonly verifier: TokenVerifier;
  readonly connections: ConnectionStore;
  /** Redeems the `?nonce=` of an upgrade without an Authorization header (xbox-rta, §6.1). */
  readonly nonces: NonceService;
  readonly clock: () => number;
  /** A new random lower-case GUID (a ConnectionId). */
  readonly newGuid: () => string;
  readonly log: RtaLog;
}

/** The handlers of the WebSocket API's three routes. */
export interface RtaHandlers {
  readonly rtaConnect: WebSocketHandler;
  readonly rtaDisconnect: WebSocketHandler;
  readonly rtaMessage: WebSocketHandler;
}

const OK: WebSocketResult = { statusCode: 200 };

/**
 * `$connect` (§6.1): the upgrade is authenticated with the same token verifier as the HTTP API (`Authorization:
 * XBL3.0 x=<userhash>;<token>`), or, when it carries no Authorization header, with a one-use nonce from `GET /nonce`
 * in `?nonce=` (xbox-rta); a missing or bad token or nonce refuses the upgrade with 401 and the usual JSON error. No
 * subprotocol is required; when the client offers some, the first is selected (echoed), since client libraries fail
 * a handshake in which they offered one and none was selected.
 */
export function makeRtaConnectHandler(deps: RtaHandlerDeps): WebSocketHandler {
  return async (event) => {
    let owner: string;
    try {
      owner = await ownerOf(event, deps);
    } catch (error) {
      if (error instanceof MpsdError) {
        const refusal = errorResponse(error, deps.clock());
        return {
          statusCode: refusal.statusCode ?? 401,
          headers: refusal.headers as Record<string, string>,
          body: refusal.body as string,
        };
      }
      throw error;
    }
    const now = deps.clock();
    await deps.connections.openSocket({
      socketId: event.requestContext.connectionId,
      owner,
      openedAt: now,
      expiresAt: Math.floor(now / 1000) + CONNECTION_STATE_LIFETIME_SECONDS,
      // Server traffic against API Gateway's idle timeout (§6.4): lambda/rta/keepalive.ts.
      keepaliveAt: now + KEEPALIVE_INTERVAL_MS,
    });
    const offered = firstOfferedSubprotocol(headerValue(event.headers, 'sec-websocket-protocol'));
    return offered === undefined ? OK : { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': offered } };
  };
}

/**
 * Who opens the socket: the token's user; or, without an Authorization header but with `?nonce=`, the user the nonce
 * was issued to (the nonce is used up, even if the upgrade then fails). A header wins over a nonce: it proves the
 * user by itself, and no client sends both.
 */
async function ownerOf(event: WebSocketEvent, deps: RtaHandlerDeps): Promise<string> {
  const authorization = headerValue(event.headers, 'authorization');
  const nonce = event.queryStringParameters?.nonce;
  if (authorization === undefined && nonce !== undefined) return deps.nonces.redeem(nonce);
  const principal = await deps.verifier(authorization);
  return principal.xuid ?? 'server';
}

/** The first protocol of a `Sec-WebSocket-Protocol` list (`rta.xboxlive.com.V2`, `echo-protocol`, …). */
export function firstOfferedSubprotocol(header: string | undefined): string | undefined {
  const first = header?.split(',')[0]?.trim();
  return first === undefined || first === '' ? undefined : first;
}

/**
 * `$disconnect`: the socket's state goes; its ConnectionId stays, unbound, so XSAPI's reclaim form can find it, and
 * its disconnect check is scheduled: unless reclaimed, its members become inactive 30 s later (§6.9).
 */
export function makeRtaDisconnectHandler(deps: RtaHandlerDeps): WebSocketHandler {
  return async (event) => {
    await deps.connections.closeSocket(event.requestContext.connectionId, deps.clock());
    return OK;
  };
}

/**
 * `$default`: one client frame, one reply at most (§6.2, §6.3).
 * - subscribe to the connections resource: always succeeds, `[1, seq, 0, subId, {"ConnectionId": "<guid>"}]`, the
 *   socket's one ConnectionId (a reclaimed one for `…/connections/<id>` when allowed);
 * - subscribe to anything else: `[1, seq, 1, "Unknown resource"]`;
 * - unsubscribe: `[2, seq, 0]`, for any id (idempotent); the subscription gets no event once the reply is sent;
 * - anything else: logged and dropped, since no reply to it is one every client survives (§6.11).
 */
export function makeRtaMessageHandler(deps: RtaHandlerDeps): WebSocketHandler {
  const answer = answerFrame(deps);
  return async (event) => {
    try {
      return await answer(event);
    } catch (error) {
      // A failed function makes API Gateway send its own error object, which is not an RTA frame (§6.11, never-send
      // item 1; xbox-rta and MCXboxBroadcast throw on it): answer nothing instead. The client's request stays
      // unanswered, which every client survives, while a failure status for the connections resource is not (§6.3).
      deps.log.error('RTA frame failed', { socketId: event.requestContext.connectionId, error });
      return OK;
    }
  };
}

function answerFrame(deps: RtaHandlerDeps): WebSocketHandler {
  return async (event) => {
    const socketId = event.requestContext.connectionId;
    const text = event.isBase64Encoded === true ? undefined : event.body;
    const frame =
      text === undefined ? ({ kind: 'ignored', reason: 'a binary frame' } as const) : parseClientFrame(text);
    switch (frame.kind) {
      case 'ignored':
        deps.log.warn('RTA frame ignored', { socketId, reason: frame.reason });
        return OK;
      case 'unsubscribe':
        // The last subscription to the connections resource going counts as a close for disconnect detection (§6.9).
        await deps.connections.removeSubscription(socketId, frame.subscriptionId, deps.clock());
        return { statusCode: 200, body: encodeUnsubscribeReply(frame.sequence) };
      case 'subscribe': {
        const resource = readSubscribedResource(frame.resource);
        if (resource.kind === 'unknown') {
          return {
            statusCode: 200,
            body: encodeSubscribeFailure(frame.sequence, RTA_STATUS.unknownResource, UNKNOWN_RESOURCE_MESSAGE),
          };
        }
        const subscriptionId = await deps.connections.addSubscription(socketId, frame.resource);
        const connectionId = await deps.connections.bindConnectionId({
          socketId,
          subscriptionId,
          ...(resource.reclaim === undefined ? {} : { reclaim: resource.reclaim }),
          fresh: deps.newGuid().toLowerCase(),
          expiresAt: Math.floor(deps.clock() / 1000) + CONNECTION_STATE_LIFETIME_SECONDS,
        });
        return {
          statusCode: 200,
          body: encodeSubscribeSuccess(frame.sequence, subscriptionId, { ConnectionId: connectionId }),
        };
      }
    }
  };
}

/** The three handlers over one set of dependencies. */
export function makeRtaHandlers(deps: RtaHandlerDeps): RtaHandlers {
  return {
    rtaConnect: makeRtaConnectHandler(deps),
    rtaDisconnect: makeRtaDisconnectHandler(deps),
    rtaMessage: makeRtaMessageHandler(deps),
  };
}
